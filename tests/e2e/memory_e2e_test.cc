// End-to-end: redis-cli's --bigkeys and --memkeys against stashd, CLIENT
// PAUSE with real connections (held clients wait without CPU and run when
// the pause ends), maxmemory eviction through the binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "support/hiredis_client.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

// User plus system CPU time of process `pid`, in clock ticks.
long CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 1; in >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

std::string InfoField(redisContext* c, const std::string& section, const std::string& field) {
  Reply r = Cmd(c, {"info", section});
  std::string info(r->str, r->len);
  const size_t at = info.find("\r\n" + field + ":");
  if (at == std::string::npos) return "";
  const size_t from = at + field.size() + 3;
  return info.substr(from, info.find("\r\n", from) - from);
}

class MemoryE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    conn_ = Connect(server_->port());
    ASSERT_TRUE(conn_ && !conn_->err);
  }
  std::unique_ptr<ServerProcess> server_;
  Conn conn_;
};

TEST_F(MemoryE2ETest, RedisCliBigkeysAndMemkeysRunWithoutWarnings) {
  if (Shell("command -v redis-cli").empty()) GTEST_SKIP() << "redis-cli not installed";
  redisContext* c = conn_.get();
  Cmd(c, {"set", "str", std::string(300, 'x')});
  Cmd(c, {"hset", "hash", "a", "1", "b", "2"});
  Cmd(c, {"rpush", "list", "a", "b", "c"});
  Cmd(c, {"sadd", "set", "a", "b"});
  Cmd(c, {"zadd", "zset", "1", "a"});
  Cmd(c, {"xadd", "stream", "*", "f", "v"});
  const std::string cli = "redis-cli -p " + std::to_string(server_->port());
  for (const std::string mode : {"--bigkeys", "--memkeys"}) {
    const std::string out = Shell(cli + " " + mode + " 2>&1");
    EXPECT_THAT(out, Not(HasSubstr("Warning"))) << mode << "\n" << out;
    EXPECT_THAT(out, Not(HasSubstr("ERR"))) << mode << "\n" << out;
    EXPECT_THAT(out, HasSubstr("Sampled 6 keys in the keyspace!")) << mode << "\n" << out;
    for (const std::string key : {"str", "hash", "list", "set", "zset", "stream"}) {
      EXPECT_THAT(out, HasSubstr("'\"" + key + "\"'")) << mode << "\n" << out;
    }
  }
}

TEST_F(MemoryE2ETest, PausedClientsWaitWithoutCpuAndRunAtUnpause) {
  redisContext* admin = conn_.get();
  Conn writer = Connect(server_->port());
  ASSERT_EQ(std::string(Cmd(admin, {"client", "pause", "60000", "write"})->str), "OK");
  // A read is answered, a write waits.
  EXPECT_EQ(Cmd(writer.get(), {"get", "k"})->type, REDIS_REPLY_NIL);
  redisAppendCommand(writer.get(), "SET k v");
  int done = 0;
  redisBufferWrite(writer.get(), &done);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(InfoField(admin, "clients", "blocked_clients"), "1");
  Reply list = Cmd(admin, {"client", "list"});
  EXPECT_THAT(std::string(list->str), HasSubstr("flags=b"));
  const long before = CpuTicks(server_->pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_LE(CpuTicks(server_->pid()) - before, 5);  // no polling
  EXPECT_EQ(Cmd(admin, {"get", "k"})->type, REDIS_REPLY_NIL);
  EXPECT_EQ(std::string(Cmd(admin, {"client", "unpause"})->str), "OK");
  void* raw = nullptr;
  ASSERT_EQ(redisGetReply(writer.get(), &raw), REDIS_OK);
  Reply set(static_cast<redisReply*>(raw));
  EXPECT_EQ(std::string(set->str), "OK");
  EXPECT_EQ(InfoField(admin, "clients", "blocked_clients"), "0");
  EXPECT_EQ(std::string(Cmd(admin, {"get", "k"})->str), "v");
}

TEST_F(MemoryE2ETest, PauseEndsByItself) {
  redisContext* admin = conn_.get();
  Conn other = Connect(server_->port());
  Cmd(admin, {"client", "pause", "300"});
  const auto start = std::chrono::steady_clock::now();
  Reply pong = Cmd(other.get(), {"ping"});
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(std::string(pong->str), "PONG");
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::milliseconds(3000));
}

TEST_F(MemoryE2ETest, ClientListShowsItsBuffers) {
  redisContext* c = conn_.get();
  Reply info = Cmd(c, {"client", "info"});
  const std::string line(info->str, info->len);
  // The command being run is in the query buffer; its arguments are argv.
  EXPECT_THAT(line, HasSubstr(" qbuf=26 "));
  EXPECT_THAT(line, HasSubstr(" argv-mem=10 "));
  EXPECT_THAT(line, Not(HasSubstr(" qbuf-free=0 ")));
  EXPECT_THAT(line, Not(HasSubstr(" tot-mem=0 ")));
}

// A command of 100,000 arguments must not leave its argument vector (some
// megabytes) on the connection after it ran: unit/lazyfree measures so.
TEST_F(MemoryE2ETest, ManyArgumentsLeaveNoMemoryBehind) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator keeps freed memory in quarantine (used_memory is RSS there)";
#endif
  redisContext* c = conn_.get();
  const long before = std::stol(InfoField(c, "memory", "used_memory"));
  std::vector<std::string> sadd = {"sadd", "myset"};
  for (int i = 0; i < 100000; ++i) sadd.push_back(std::to_string(i));
  EXPECT_EQ(Cmd(c, sadd)->integer, 100000);
  EXPECT_EQ(Cmd(c, {"del", "myset"})->integer, 1);
  EXPECT_LT(std::stol(InfoField(c, "memory", "used_memory")), before + 1024 * 1024);
}

TEST_F(MemoryE2ETest, AllkeysRandomKeepsMemoryUnderTheLimit) {
#if defined(__SANITIZE_ADDRESS__)
  // used_memory is RSS under ASan, and evicted keys' memory stays in its
  // quarantine: eviction cannot bring that figure down.
  GTEST_SKIP() << "ASan's allocator keeps freed memory in quarantine (used_memory is RSS there)";
#endif
  redisContext* c = conn_.get();
  for (int i = 0; i < 3000; ++i) Cmd(c, {"set", "key:" + std::to_string(i), std::string(200, 'x')});
  const long used = std::stol(InfoField(c, "memory", "used_memory"));
  Cmd(c, {"config", "set", "maxmemory-policy", "allkeys-random"});
  Cmd(c, {"config", "set", "maxmemory", std::to_string(used - 300 * 1000)});
  EXPECT_EQ(std::string(Cmd(c, {"set", "new", "v"})->str), "OK");
  EXPECT_LE(std::stol(InfoField(c, "memory", "used_memory")), used - 300 * 1000 + 4096);
  // Every command evicts while memory is over: lift the limit to count.
  Cmd(c, {"config", "set", "maxmemory", "0"});
  const long evicted = std::stol(InfoField(c, "stats", "evicted_keys"));
  EXPECT_GT(evicted, 0);
  EXPECT_EQ(Cmd(c, {"dbsize"})->integer, 3001 - evicted);
}

}  // namespace
}  // namespace stashd::test
