// MONITOR against the real binary: a monitoring connection is shown the
// commands of another connection (on another io thread), a script's calls
// and a transaction in Redis 7.0's order, each line as redis-server 7.0.15
// prints it (timestamps aside), and is listed with flag O.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/monitor_line.h"
#include "support/resp_conn.h"
#include "support/resp_value.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

class MonitorE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--io-threads", "2"});
    monitor_ = std::make_unique<RespConn>(server_->port());
    client_ = std::make_unique<RespConn>(server_->port());
    ASSERT_TRUE(monitor_->connected());
    ASSERT_TRUE(client_->connected());
  }

  // The next monitor line, its "+<seconds>.<microseconds> " checked and cut.
  std::string NextLine() {
    const std::string raw = monitor_->ReadRaw();
    std::optional<std::string> rest;
    if (raw.size() >= 2 && raw.compare(raw.size() - 2, 2, "\r\n") == 0) {
      rest = AfterMonitorTimestamp(std::string_view(raw).substr(0, raw.size() - 2));
    }
    EXPECT_TRUE(rest.has_value()) << raw;
    return rest.value_or(raw);
  }

  // "[db 127.0.0.1:port]" of `client_`, from its CLIENT INFO.
  std::string Origin(int db = 0) {
    const std::string info = client_->Call({"CLIENT", "INFO"}).str;
    const size_t at = info.find("addr=") + 5;
    return "[" + std::to_string(db) + " " + info.substr(at, info.find(' ', at) - at) + "]";
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RespConn> monitor_;
  std::unique_ptr<RespConn> client_;
};

TEST_F(MonitorE2E, ShowsAnotherConnectionsCommands) {
  const std::string origin = Origin();
  monitor_->Send({"MONITOR"});
  EXPECT_EQ(monitor_->ReadRaw(), "+OK\r\n");

  EXPECT_EQ(client_->Call({"SET", "foo", "bar\n\x01\"\\"}), "OK");
  EXPECT_EQ(NextLine(), origin + R"x( "SET" "foo" "bar\n\x01\"\\")x");
  client_->Call({"AUTH", "not-real"});
  EXPECT_EQ(NextLine(), origin + R"x( "AUTH" "(redacted)")x");
  client_->Call({"CONFIG", "GET", "maxmemory"});  // admin: not shown

  client_->Call({"EVAL", "redis.call('set', KEYS[1], ARGV[1])", "1", "foo", "bar"});
  EXPECT_EQ(NextLine(),
            origin + R"x( "EVAL" "redis.call('set', KEYS[1], ARGV[1])" "1" "foo" "bar")x");
  EXPECT_EQ(NextLine(), R"x([0 lua] "set" "foo" "bar")x");

  client_->Send({"MULTI"});
  client_->Send({"SET", "a", "b"});
  client_->Send({"EXEC"});
  EXPECT_EQ(client_->ReadRaw(), "+OK\r\n");
  EXPECT_EQ(client_->ReadRaw(), "+QUEUED\r\n");
  EXPECT_EQ(client_->ReadRaw(), "*1\r\n+OK\r\n");
  EXPECT_EQ(NextLine(), origin + R"x( "MULTI")x");
  EXPECT_EQ(NextLine(), origin + R"x( "SET" "a" "b")x");
  EXPECT_EQ(NextLine(), origin + R"x( "EXEC")x");

  // The monitor itself: listed with flag O, kept from the keyspace, and
  // shown its own commands after their replies.
  monitor_->Send({"GET", "foo"});
  EXPECT_EQ(monitor_->ReadRaw(), "-ERR Replica can't interact with the keyspace\r\n");
  const std::string list = client_->Call({"CLIENT", "LIST"}).str;
  EXPECT_THAT(list, ::testing::HasSubstr(" flags=O db=0 "));
  monitor_->Send({"PING"});
  EXPECT_EQ(monitor_->ReadRaw(), "+PONG\r\n");
  EXPECT_THAT(NextLine(), ::testing::EndsWith(R"x( "PING")x"));

  // A closed monitor is forgotten; the server goes on.
  monitor_->Close();
  EXPECT_EQ(client_->Call({"PING"}), "PONG");
}

}  // namespace
}  // namespace stashd::test
