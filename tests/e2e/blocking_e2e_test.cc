// Blocking commands (BLPOP, BRPOP, BLMOVE ...) against the real binary: who
// is woken, in which order, with which exact reply; timeouts, CLIENT
// UNBLOCK / KILL, disconnects, pipelines behind a block, MULTI/EXEC, RESP3,
// and many clients across io threads.
//
// Waiting is done by polling with deadlines (INFO blocked_clients, the
// socket), never by fixed sleeps, so that the tests hold on a loaded machine.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "persistence/temp_dir.h"
#include "support/hiredis_client.h"
#include "support/resp_conn.h"
#include "support/resp_value.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int64_t InfoField(RespConn& c, const std::string& section, const std::string& field) {
  RespValue info = c.Call({"INFO", section});
  const std::string key = "\r\n" + field + ":";
  const size_t at = ("\r\n" + info.str).find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(info.str.substr(at - 2 + key.size()));
}

// Polls INFO clients until blocked_clients is `n`; false if it is not
// within the deadline.
bool WaitBlockedClients(RespConn& admin, int64_t n, milliseconds timeout = kDeadline) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (InfoField(admin, "clients", "blocked_clients") == n) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
}

// The CLIENT LIST line of the client with `id` ("" if there is none).
std::string ClientLine(RespConn& admin, int64_t id) {
  RespValue list = admin.Call({"CLIENT", "LIST", "ID", std::to_string(id)});
  const std::string& s = list.str;
  return s.substr(0, s.find('\n'));
}

class BlockingE2E : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }
  void Start(std::vector<std::string> args) {
    admin_.reset();
    server_ = std::make_unique<ServerProcess>(std::move(args));
    admin_ = Client();
  }
  std::unique_ptr<RespConn> Client() {
    auto c = std::make_unique<RespConn>(server_->port());
    EXPECT_TRUE(c->connected());
    return c;
  }
  // A client's id (CLIENT ID on it).
  static int64_t IdOf(RespConn& c) { return c.Call({"CLIENT", "ID"}).integer; }
  // Sends `args` (a blocking command) on `c` and waits until the server
  // counts `blocked` blocked clients.
  void Block(RespConn& c, const std::vector<std::string>& args, int64_t blocked) {
    c.Send(args);
    ASSERT_TRUE(WaitBlockedClients(*admin_, blocked)) << args[0] << " did not block";
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RespConn> admin_;
};

TEST_F(BlockingE2E, BlpopIsWokenByPushFromAnotherClient) {
  auto c = Client();
  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_FALSE(c->Read(milliseconds(50)).has_value()) << "BLPOP on an empty key replied";
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  std::string raw;
  auto r = c->Read(kDeadline, &raw);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(raw, "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_THAT(admin_->Call({"EXISTS", "k"}), IsInt(0));
  EXPECT_EQ(InfoField(*admin_, "clients", "blocked_clients"), 0);
  // The client runs commands again.
  EXPECT_EQ(c->Call({"PING"}), "PONG");
}

TEST_F(BlockingE2E, BlockedClientsAreServedFirstComeFirstServed) {
  std::vector<std::unique_ptr<RespConn>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(Client());
    // Each is blocked before the next one blocks: the order is known.
    Block(*clients.back(), {"BLPOP", "k", "0"}, i + 1);
  }
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "a", "b", "c"}), IsInt(3));
  const std::vector<std::string> items = {"a", "b", "c"};
  for (int i = 0; i < 3; ++i) {
    auto r = clients[i]->Read();
    ASSERT_TRUE(r.has_value()) << "client " << i;
    EXPECT_THAT(*r, StrArray(std::vector<std::string>{"k", items[i]})) << "client " << i;
  }
  EXPECT_THAT(admin_->Call({"EXISTS", "k"}), IsInt(0));
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
}

TEST_F(BlockingE2E, FirstComeFirstServedWhenPushesComeOneByOne) {
  std::vector<std::unique_ptr<RespConn>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(Client());
    Block(*clients.back(), {"BRPOP", "k", "0"}, i + 1);
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(admin_->Call({"LPUSH", "k", "item" + std::to_string(i)}), IsInt(1));
    auto r = clients[i]->Read();
    ASSERT_TRUE(r.has_value()) << "client " << i;
    EXPECT_THAT(*r, StrArray(std::vector<std::string>{"k", "item" + std::to_string(i)}));
    // The later ones still wait.
    EXPECT_TRUE(WaitBlockedClients(*admin_, 2 - i));
  }
}

TEST_F(BlockingE2E, BlpopTimesOutWithNullArray) {
  auto c = Client();
  const auto start = Clock::now();
  c->Send({"BLPOP", "k", "0.1"});
  std::string raw = c->ReadRaw();
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  EXPECT_EQ(raw, "*-1\r\n");
  // The deadline is kept in whole milliseconds of the server clock (as in
  // Redis), so the timer may fire up to 1 ms before 100 ms have passed.
  EXPECT_GE(elapsed.count(), 99'000);
  EXPECT_LT(elapsed.count(), 3'000'000) << "a 100 ms timeout took far too long";
  EXPECT_EQ(InfoField(*admin_, "clients", "blocked_clients"), 0);
  // A key pushed later stays: nobody waits for it any more.
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LLEN", "k"}), IsInt(1));
  EXPECT_EQ(c->Call({"PING"}), "PONG");
}

// As Redis 7.0.15: a null array once a block times out, BLMOVE's too
// (replyToBlockedClientTimedOut answers every list block so), although
// inside MULTI BLMOVE answers LMOVE's null bulk; hiredis and redis-cli show
// both as nil.
TEST_F(BlockingE2E, BlmoveAndBrpoplpushTimeOutWithNullArray) {
  auto c = Client();
  auto start = Clock::now();
  c->Send({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0.1"});
  EXPECT_EQ(c->ReadRaw(), "*-1\r\n");
  EXPECT_GE(std::chrono::duration_cast<milliseconds>(Clock::now() - start).count(), 99);
  start = Clock::now();
  c->Send({"BRPOPLPUSH", "src", "dst", "0.1"});
  EXPECT_EQ(c->ReadRaw(), "*-1\r\n");
  EXPECT_GE(std::chrono::duration_cast<milliseconds>(Clock::now() - start).count(), 99);
  // BRPOP and BLMPOP time out with a null array.
  c->Send({"BRPOP", "src", "0.05"});
  EXPECT_EQ(c->ReadRaw(), "*-1\r\n");
  c->Send({"BLMPOP", "0.05", "1", "src", "LEFT"});
  EXPECT_EQ(c->ReadRaw(), "*-1\r\n");
  EXPECT_THAT(admin_->Call({"EXISTS", "src", "dst"}), IsInt(0));
}

TEST_F(BlockingE2E, Resp3TimeoutReplyIsTheResp3Null) {
  auto c = Client();
  auto hello = c->Call({"HELLO", "3"});
  ASSERT_EQ(hello.kind, RespValue::Kind::kMap) << DebugString(hello);
  c->Send({"BLPOP", "k", "0.05"});
  EXPECT_EQ(c->ReadRaw(), "_\r\n");
  c->Send({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0.05"});
  EXPECT_EQ(c->ReadRaw(), "_\r\n");
  c->Send({"BZPOPMIN", "z", "0.05"});
  EXPECT_EQ(c->ReadRaw(), "_\r\n");
  // Served, the reply is the usual array.
  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_F(BlockingE2E, DisconnectedBlockedClientIsUnregisteredAndLosesNothing) {
  auto c = Client();
  Block(*c, {"BLPOP", "k", "0"}, 1);
  c->Close();
  ASSERT_TRUE(WaitBlockedClients(*admin_, 0)) << "a closed connection stays blocked";
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LRANGE", "k", "0", "-1"}), StrArray(std::vector<std::string>{"v"}));

  // Same for BLMOVE: the element stays in the source, nothing reaches dst.
  auto m = Client();
  Block(*m, {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}, 1);
  m->Close();
  ASSERT_TRUE(WaitBlockedClients(*admin_, 0));
  EXPECT_THAT(admin_->Call({"RPUSH", "a", "x"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LRANGE", "a", "0", "-1"}), StrArray(std::vector<std::string>{"x"}));
  EXPECT_THAT(admin_->Call({"EXISTS", "b"}), IsInt(0));
}

TEST_F(BlockingE2E, ClientUnblockTimeoutAndError) {
  auto c = Client();
  const int64_t id = IdOf(*c);
  const std::string ids = std::to_string(id);

  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_THAT(ClientLine(*admin_, id), HasSubstr(" flags=b "));
  EXPECT_THAT(admin_->Call({"CLIENT", "UNBLOCK", ids, "TIMEOUT"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*-1\r\n");
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
  EXPECT_THAT(ClientLine(*admin_, id), HasSubstr(" flags=N "));

  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_THAT(admin_->Call({"CLIENT", "UNBLOCK", ids, "ERROR"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));

  // Without a reason: as TIMEOUT (BLMOVE's timeout reply is a null array,
  // see BlmoveAndBrpoplpushTimeOutWithNullArray).
  Block(*c, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}, 1);
  EXPECT_THAT(admin_->Call({"CLIENT", "UNBLOCK", ids}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*-1\r\n");

  // A client that is not blocked, or does not exist: 0.
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
  EXPECT_THAT(admin_->Call({"CLIENT", "UNBLOCK", ids}), IsInt(0));
  EXPECT_THAT(admin_->Call({"CLIENT", "UNBLOCK", "999999"}), IsInt(0));
  EXPECT_THAT(admin_->Call({"CLIENT", "UNBLOCK", ids, "MAYBE"}),
              ErrorIs("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));

  // The unblocked client goes on normally, and nothing pushed later is
  // taken for it.
  EXPECT_EQ(c->Call({"PING"}), "PONG");
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LLEN", "k"}), IsInt(1));
}

TEST_F(BlockingE2E, ClientKillOfBlockedClient) {
  auto c = Client();
  const int64_t id = IdOf(*c);
  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_THAT(admin_->Call({"CLIENT", "KILL", "ID", std::to_string(id)}), IsInt(1));
  EXPECT_TRUE(c->WaitClosed()) << "the killed client's connection stays open";
  EXPECT_EQ(c->pending(), "") << "a killed blocked client got a reply";
  ASSERT_TRUE(WaitBlockedClients(*admin_, 0));
  // The connection leaves CLIENT LIST once its last handler is done (it
  // may show there a moment longer, flagged bA).
  const auto deadline = Clock::now() + kDeadline;
  while (ClientLine(*admin_, id) != "" && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_EQ(ClientLine(*admin_, id), "");
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LRANGE", "k", "0", "-1"}), StrArray(std::vector<std::string>{"v"}));
}

TEST_F(BlockingE2E, PipelinedCommandsRunAfterTheBlockInOrder) {
  EXPECT_EQ(admin_->Call({"SET", "x", "before"}), "OK");
  auto c = Client();
  c->SendRaw(RespConn::Encode({"BLPOP", "k", "0"}) + RespConn::Encode({"PING"}) +
             RespConn::Encode({"GET", "x"}));
  ASSERT_TRUE(WaitBlockedClients(*admin_, 1));
  // Nothing behind the block runs meanwhile: no PONG yet.
  EXPECT_FALSE(c->Read(milliseconds(100)).has_value()) << "a reply came before the block ended";
  // Changed while the client is blocked: its GET must see this.
  EXPECT_EQ(admin_->Call({"SET", "x", "after"}), "OK");
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  auto r1 = c->Read();
  auto r2 = c->Read();
  auto r3 = c->Read();
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_THAT(*r1, StrArray(std::vector<std::string>{"k", "v"}));
  EXPECT_EQ(*r2, "PONG");
  EXPECT_EQ(*r3, "after");
}

TEST_F(BlockingE2E, PipelineOfTwoBlockingCommandsBlocksTwice) {
  auto c = Client();
  c->SendRaw(RespConn::Encode({"BLPOP", "k", "0"}) + RespConn::Encode({"BRPOP", "k", "0"}) +
             RespConn::Encode({"ECHO", "done"}));
  ASSERT_TRUE(WaitBlockedClients(*admin_, 1));
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "first"}), IsInt(1));
  auto r1 = c->Read();
  ASSERT_TRUE(r1.has_value());
  EXPECT_THAT(*r1, StrArray(std::vector<std::string>{"k", "first"}));
  // The BRPOP behind it now blocks in turn.
  ASSERT_TRUE(WaitBlockedClients(*admin_, 1));
  EXPECT_FALSE(c->Read(milliseconds(50)).has_value());
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "second"}), IsInt(1));
  auto r2 = c->Read();
  auto r3 = c->Read();
  ASSERT_TRUE(r2 && r3);
  EXPECT_THAT(*r2, StrArray(std::vector<std::string>{"k", "second"}));
  EXPECT_EQ(*r3, "done");
}

TEST_F(BlockingE2E, BlmoveChainWakesTheNextWaiter) {
  auto c1 = Client();
  auto c2 = Client();
  Block(*c1, {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}, 1);
  Block(*c2, {"BLPOP", "b", "0"}, 2);
  EXPECT_THAT(admin_->Call({"RPUSH", "a", "x"}), IsInt(1));
  EXPECT_EQ(c1->ReadRaw(), "$1\r\nx\r\n");
  auto r = c2->Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, StrArray(std::vector<std::string>{"b", "x"}));
  EXPECT_THAT(admin_->Call({"EXISTS", "a", "b"}), IsInt(0));
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
}

TEST_F(BlockingE2E, BrpoplpushChainOfThree) {
  auto c1 = Client();
  auto c2 = Client();
  auto c3 = Client();
  Block(*c1, {"BRPOPLPUSH", "a", "b", "0"}, 1);
  Block(*c2, {"BLMOVE", "b", "c", "RIGHT", "LEFT", "0"}, 2);
  Block(*c3, {"BRPOP", "c", "0"}, 3);
  EXPECT_THAT(admin_->Call({"LPUSH", "a", "x"}), IsInt(1));
  EXPECT_EQ(c1->ReadRaw(), "$1\r\nx\r\n");
  EXPECT_EQ(c2->ReadRaw(), "$1\r\nx\r\n");
  EXPECT_EQ(c3->ReadRaw(), "*2\r\n$1\r\nc\r\n$1\r\nx\r\n");
  EXPECT_THAT(admin_->Call({"EXISTS", "a", "b", "c"}), IsInt(0));
}

TEST_F(BlockingE2E, PushAndPopInsideOneExecWakesNobody) {
  auto c = Client();
  const int64_t id = IdOf(*c);
  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_EQ(admin_->Call({"MULTI"}), "OK");
  EXPECT_EQ(admin_->Call({"LPUSH", "k", "v"}), "QUEUED");
  EXPECT_EQ(admin_->Call({"LPOP", "k"}), "QUEUED");
  RespValue exec = admin_->Call({"EXEC"});
  ASSERT_EQ(exec.kind, RespValue::Kind::kArray) << DebugString(exec);
  ASSERT_EQ(exec.size(), 2u);
  EXPECT_THAT(exec[0], IsInt(1));
  EXPECT_EQ(exec[1], "v");
  // Still blocked.
  EXPECT_FALSE(c->Read(milliseconds(100)).has_value()) << "woken by a key that was never there";
  EXPECT_THAT(ClientLine(*admin_, id), HasSubstr(" flags=b "));
  EXPECT_EQ(InfoField(*admin_, "clients", "blocked_clients"), 1);
  // A push that stays wakes it.
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "w"}), IsInt(1));
  auto r = c->Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, StrArray(std::vector<std::string>{"k", "w"}));
}

TEST_F(BlockingE2E, ExecPushingTwoElementsServesTwoWaitersAfterTheExec) {
  auto c1 = Client();
  auto c2 = Client();
  Block(*c1, {"BLPOP", "k", "0"}, 1);
  Block(*c2, {"BLPOP", "k", "0"}, 2);
  EXPECT_EQ(admin_->Call({"MULTI"}), "OK");
  EXPECT_EQ(admin_->Call({"RPUSH", "k", "a"}), "QUEUED");
  EXPECT_EQ(admin_->Call({"RPUSH", "k", "b"}), "QUEUED");
  EXPECT_EQ(admin_->Call({"LLEN", "k"}), "QUEUED");
  RespValue exec = admin_->Call({"EXEC"});
  ASSERT_EQ(exec.size(), 3u) << DebugString(exec);
  // Inside the EXEC nobody was served yet.
  EXPECT_THAT(exec[0], IsInt(1));
  EXPECT_THAT(exec[1], IsInt(2));
  EXPECT_THAT(exec[2], IsInt(2));
  auto r1 = c1->Read();
  auto r2 = c2->Read();
  ASSERT_TRUE(r1 && r2);
  EXPECT_THAT(*r1, StrArray(std::vector<std::string>{"k", "a"}));
  EXPECT_THAT(*r2, StrArray(std::vector<std::string>{"k", "b"}));
}

TEST_F(BlockingE2E, BlockingCommandInsideMultiDoesNotBlock) {
  EXPECT_EQ(admin_->Call({"MULTI"}), "OK");
  EXPECT_EQ(admin_->Call({"BLPOP", "k", "0"}), "QUEUED");
  EXPECT_EQ(admin_->Call({"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}), "QUEUED");
  admin_->Send({"EXEC"});
  EXPECT_EQ(admin_->ReadRaw(), "*2\r\n*-1\r\n$-1\r\n");
}

TEST_F(BlockingE2E, WrongTypeKeyKeepsTheClientBlocked) {
  auto c = Client();
  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_EQ(admin_->Call({"SET", "k", "string"}), "OK");
  EXPECT_FALSE(c->Read(milliseconds(100)).has_value());
  EXPECT_THAT(admin_->Call({"DEL", "k"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  auto r = c->Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, StrArray(std::vector<std::string>{"k", "v"}));
}

TEST_F(BlockingE2E, BlockedOnSeveralKeysIsServedByTheFirstPushedOne) {
  auto c = Client();
  Block(*c, {"BLPOP", "k1", "k2", "k3", "0"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k2", "v"}), IsInt(1));
  auto r = c->Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, StrArray(std::vector<std::string>{"k2", "v"}));
  // A client waiting on a key is first in line for it, whichever keys it
  // waits on.
  auto a = Client();
  auto b = Client();
  Block(*a, {"BRPOP", "x", "y", "0"}, 1);
  Block(*b, {"BRPOP", "y", "0"}, 2);
  EXPECT_THAT(admin_->Call({"RPUSH", "y", "1", "2"}), IsInt(2));
  EXPECT_EQ(a->ReadRaw(), "*2\r\n$1\r\ny\r\n$1\r\n2\r\n");
  EXPECT_EQ(b->ReadRaw(), "*2\r\n$1\r\ny\r\n$1\r\n1\r\n");
}

TEST_F(BlockingE2E, BlmpopAndBzpopminAreServedWhenBlocked) {
  auto c = Client();
  Block(*c, {"BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "2"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "b", "x", "y", "z"}), IsInt(3));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nb\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
  EXPECT_THAT(admin_->Call({"LRANGE", "b", "0", "-1"}), StrArray(std::vector<std::string>{"z"}));

  Block(*c, {"BZPOPMIN", "z", "0"}, 1);
  EXPECT_THAT(admin_->Call({"ZADD", "z", "2", "two", "1", "one"}), IsInt(2));
  EXPECT_EQ(c->ReadRaw(), "*3\r\n$1\r\nz\r\n$3\r\none\r\n$1\r\n1\r\n");
  Block(*c, {"BZPOPMAX", "z2", "z", "0"}, 0);  // z still holds "two": no block
  EXPECT_EQ(c->ReadRaw(), "*3\r\n$1\r\nz\r\n$3\r\ntwo\r\n$1\r\n2\r\n");
  // A list client is not woken by a sorted set of the same name.
  Block(*c, {"BLPOP", "z", "0"}, 1);
  EXPECT_THAT(admin_->Call({"ZADD", "z", "3", "three"}), IsInt(1));
  EXPECT_FALSE(c->Read(milliseconds(100)).has_value());
  EXPECT_THAT(admin_->Call({"DEL", "z"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LPUSH", "z", "l"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nz\r\n$1\r\nl\r\n");
}

TEST_F(BlockingE2E, BlmoveOntoItsOwnSourceRotates) {
  auto c = Client();
  Block(*c, {"BLMOVE", "k", "k", "RIGHT", "LEFT", "0"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "a"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "$1\r\na\r\n");
  EXPECT_THAT(admin_->Call({"LRANGE", "k", "0", "-1"}), StrArray(std::vector<std::string>{"a"}));
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
}

TEST_F(BlockingE2E, OnlyTheClientsDatabaseWakesIt) {
  auto c = Client();
  EXPECT_EQ(c->Call({"SELECT", "1"}), "OK");
  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "db0"}), IsInt(1));
  EXPECT_FALSE(c->Read(milliseconds(100)).has_value()) << "woken by a key of another database";
  EXPECT_EQ(admin_->Call({"SELECT", "1"}), "OK");
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "db1"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nk\r\n$3\r\ndb1\r\n");
  EXPECT_EQ(admin_->Call({"SELECT", "0"}), "OK");
  EXPECT_THAT(admin_->Call({"LLEN", "k"}), IsInt(1));
}

// Every way a list can appear under a watched key wakes the client, as in
// Redis (signalKeyAsReady on RENAME, COPY, MOVE, SORT STORE, LMOVE ...).
TEST_F(BlockingE2E, KeysWrittenByOtherCommandsWakeTheClient) {
  struct Case {
    std::vector<std::vector<std::string>> setup;  // run before the client blocks
    std::vector<std::string> write;               // writes a list into "k" of db 0
    std::string write_db = "0";                   // the database `write` runs in
  };
  const std::vector<Case> cases = {
      {{{"RPUSH", "src", "v"}}, {"RENAME", "src", "k"}},
      {{{"RPUSH", "src", "v"}}, {"RENAMENX", "src", "k"}},
      {{{"RPUSH", "src", "v"}}, {"LMOVE", "src", "k", "LEFT", "LEFT"}},
      {{{"RPUSH", "src", "v"}}, {"RPOPLPUSH", "src", "k"}},
      {{{"RPUSH", "src", "v"}}, {"COPY", "src", "k"}},
      {{{"RPUSH", "src", "v"}}, {"SORT", "src", "ALPHA", "STORE", "k"}},
      {{{"SELECT", "2"}, {"RPUSH", "k", "v"}}, {"MOVE", "k", "0"}, "2"},
      {{{"RPUSH", "src", "v"}, {"RPUSH", "k", "x"}, {"LPOP", "k"}}, {"LPUSHX", "src", "w"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + ": " + cases[i].write[0]);
    EXPECT_EQ(admin_->Call({"FLUSHALL"}), "OK");
    for (const auto& cmd : cases[i].setup) admin_->Call(cmd);
    EXPECT_EQ(admin_->Call({"SELECT", "0"}), "OK");
    auto c = Client();
    Block(*c, {"BLPOP", "k", "0"}, 1);
    if (cases[i].write[0] == "LPUSHX") {
      // LPUSHX onto a missing key does nothing; onto an existing one wakes.
      EXPECT_THAT(admin_->Call({"LPUSHX", "k", "w"}), IsInt(0));
      EXPECT_FALSE(c->Read(milliseconds(50)).has_value());
      EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
    } else {
      EXPECT_EQ(admin_->Call({"SELECT", cases[i].write_db}), "OK");
      RespValue r = admin_->Call(cases[i].write);
      EXPECT_NE(r.kind, RespValue::Kind::kError) << DebugString(r);
      EXPECT_EQ(admin_->Call({"SELECT", "0"}), "OK");
    }
    auto got = c->Read(milliseconds(3000));
    ASSERT_TRUE(got.has_value()) << "not woken";
    EXPECT_THAT(*got, StrArray(std::vector<std::string>{"k", "v"}));
    c->Close();
    ASSERT_TRUE(WaitBlockedClients(*admin_, 0));
  }
}

TEST_F(BlockingE2E, SortedSetStoresWakeBzpop) {
  const std::vector<std::vector<std::string>> writes = {
      {"ZUNIONSTORE", "z", "1", "src"},
      {"ZRANGESTORE", "z", "src", "0", "-1"},
      {"RENAME", "src", "z"},
  };
  for (const auto& write : writes) {
    SCOPED_TRACE(write[0]);
    EXPECT_EQ(admin_->Call({"FLUSHALL"}), "OK");
    EXPECT_THAT(admin_->Call({"ZADD", "src", "5", "m"}), IsInt(1));
    auto c = Client();
    Block(*c, {"BZPOPMIN", "z", "0"}, 1);
    RespValue r = admin_->Call(write);
    EXPECT_NE(r.kind, RespValue::Kind::kError) << DebugString(r);
    EXPECT_EQ(c->ReadRaw(milliseconds(3000)), "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n5\r\n");
    c->Close();
    ASSERT_TRUE(WaitBlockedClients(*admin_, 0));
  }
}

TEST_F(BlockingE2E, FlushallAndDelKeepTheClientBlocked) {
  auto c = Client();
  Block(*c, {"BLPOP", "k", "0"}, 1);
  EXPECT_EQ(admin_->Call({"FLUSHALL"}), "OK");
  EXPECT_THAT(admin_->Call({"DEL", "k"}), IsInt(0));
  EXPECT_FALSE(c->Read(milliseconds(100)).has_value());
  EXPECT_EQ(InfoField(*admin_, "clients", "blocked_clients"), 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_F(BlockingE2E, BadTimeoutsAreErrors) {
  EXPECT_THAT(admin_->Call({"BLPOP", "k", "-1"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(admin_->Call({"BLPOP", "k", "abc"}),
              ErrorIs("ERR timeout is not a float or out of range"));
  EXPECT_THAT(admin_->Call({"BLMOVE", "a", "b", "LEFT", "RIGHT", "-0.5"}),
              ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(admin_->Call({"BLPOP", "k"}),
              ErrorIs("ERR wrong number of arguments for 'blpop' command"));
  EXPECT_EQ(InfoField(*admin_, "clients", "blocked_clients"), 0);
}

// Short timeouts racing pushes: an element is either delivered to exactly
// one client or still in the list; none is lost to a client that timed
// out at the moment it was served.
TEST_F(BlockingE2E, TimeoutsRacingPushesLoseNothing) {
  Start({"--io-threads", "2"});
  constexpr int kConsumers = 8;
  constexpr int kMessages = 3000;
  std::atomic<bool> producing{true};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::map<std::string, int> seen;
  std::vector<std::thread> threads;
  for (int i = 0; i < kConsumers; ++i) {
    threads.emplace_back([&, i] {
      Conn c = Connect(server_->port(), 10000);
      if (!c || c->err) {
        failed = true;
        return;
      }
      // Timeouts of 1 to 8 ms: many end right as a push arrives.
      const std::string timeout = "0.00" + std::to_string(1 + i % 8);
      while (producing) {
        Reply r = Cmd(c.get(), {"BLPOP", "q", timeout});
        if (!r) {
          failed = true;
          return;
        }
        if (r->type == REDIS_REPLY_NIL) continue;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
          failed = true;
          return;
        }
        std::lock_guard lock(mu);
        ++seen[std::string(r->element[1]->str, r->element[1]->len)];
      }
    });
  }
  {
    Conn c = Connect(server_->port(), 10000);
    ASSERT_TRUE(c && !c->err);
    for (int n = 0; n < kMessages; ++n) {
      Reply r = Cmd(c.get(), {"RPUSH", "q", "m" + std::to_string(n)});
      ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER);
      // Now and then let the consumers time out on an empty list.
      if (n % 100 == 0) std::this_thread::sleep_for(milliseconds(5));
    }
  }
  producing = false;
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  RespValue left = admin_->Call({"LRANGE", "q", "0", "-1"});
  for (const std::string& m : left.Strings()) ++seen[m];
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages)) << "messages lost";
  for (const auto& [m, times] : seen) EXPECT_EQ(times, 1) << m << " seen " << times << "x";
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
}

// CLIENT UNBLOCK racing pushes: same.
TEST_F(BlockingE2E, ClientUnblockRacingPushesLosesNothing) {
  Start({"--io-threads", "2"});
  constexpr int kConsumers = 4;
  constexpr int kMessages = 2000;
  std::atomic<bool> producing{true};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::map<std::string, int> seen;
  std::vector<int64_t> ids(kConsumers, 0);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kConsumers; ++i) {
    threads.emplace_back([&, i] {
      Conn c = Connect(server_->port(), 10000);
      if (!c || c->err) {
        failed = true;
        return;
      }
      ids[i] = Cmd(c.get(), {"CLIENT", "ID"})->integer;
      ++ready;
      while (producing) {
        Reply r = Cmd(c.get(), {"BLPOP", "q", "1"});
        if (!r) {
          failed = true;
          return;
        }
        if (r->type == REDIS_REPLY_NIL) continue;
        if (r->type == REDIS_REPLY_ERROR) {
          if (std::string(r->str) != "UNBLOCKED client unblocked via CLIENT UNBLOCK") failed = true;
          continue;
        }
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
          failed = true;
          return;
        }
        std::lock_guard lock(mu);
        ++seen[std::string(r->element[1]->str, r->element[1]->len)];
      }
    });
  }
  while (ready < kConsumers && !failed) std::this_thread::sleep_for(milliseconds(1));
  std::thread unblocker([&] {
    Conn c = Connect(server_->port(), 10000);
    for (int n = 0; producing; ++n) {
      Cmd(c.get(), {"CLIENT", "UNBLOCK", std::to_string(ids[n % kConsumers]),
                    n % 2 == 0 ? "TIMEOUT" : "ERROR"});
    }
  });
  {
    Conn c = Connect(server_->port(), 10000);
    ASSERT_TRUE(c && !c->err);
    for (int n = 0; n < kMessages; ++n) {
      Reply r = Cmd(c.get(), {"RPUSH", "q", "m" + std::to_string(n)});
      ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER);
    }
  }
  producing = false;
  unblocker.join();
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  RespValue left = admin_->Call({"LRANGE", "q", "0", "-1"});
  for (const std::string& m : left.Strings()) ++seen[m];
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages)) << "messages lost";
  for (const auto& [m, times] : seen) EXPECT_EQ(times, 1) << m << " seen " << times << "x";
}

TEST_F(BlockingE2E, InputSentWhileBlockedWaitsForTheBlockToEnd) {
  auto c = Client();
  Block(*c, {"BLPOP", "k", "0"}, 1);
  // Sent in separate writes after the block began, one of them large.
  const std::string big(200 * 1024, 'b');
  c->Send({"PING"});
  c->Send({"SET", "big", big});
  for (int i = 0; i < 100; ++i) c->Send({"INCR", "n"});
  EXPECT_FALSE(c->Read(milliseconds(100)).has_value()) << "ran input behind a block";
  EXPECT_THAT(admin_->Call({"EXISTS", "big", "n"}), IsInt(0));
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  auto r = c->Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, StrArray(std::vector<std::string>{"k", "v"}));
  EXPECT_EQ(c->Read().value_or(RespValue{}), "PONG");
  EXPECT_EQ(c->Read().value_or(RespValue{}), "OK");
  for (int i = 1; i <= 100; ++i) {
    auto n = c->Read();
    ASSERT_TRUE(n.has_value());
    EXPECT_THAT(*n, IsInt(i));
  }
  EXPECT_THAT(admin_->Call({"STRLEN", "big"}), IsInt(big.size()));
}

TEST_F(BlockingE2E, PipelineBehindATimeoutRunsAfterIt) {
  auto c = Client();
  c->SendRaw(RespConn::Encode({"BLPOP", "k", "0.05"}) + RespConn::Encode({"ECHO", "after"}));
  EXPECT_EQ(c->ReadRaw(), "*-1\r\n");
  EXPECT_EQ(c->ReadRaw(), "$5\r\nafter\r\n");
}

// Each client gets exactly one reply per command: after many served and
// timed-out blocks, an ECHO still gets its own reply (a second reply for one
// block would shift every later reply).
TEST_F(BlockingE2E, ServedOrTimedOutBlocksReplyExactlyOnce) {
  Start({"--io-threads", "2"});
  constexpr int kConsumers = 6;
  std::atomic<bool> producing{true};
  std::vector<std::thread> threads;
  std::vector<std::string> last(kConsumers);
  for (int i = 0; i < kConsumers; ++i) {
    threads.emplace_back([&, i] {
      RespConn c(server_->port());
      int rounds = 0;
      while (producing || rounds < 50) {
        ++rounds;
        c.Send({"BLPOP", "q", "0.00" + std::to_string(1 + i % 5)});
        std::string raw;
        if (!c.Read(kDeadline, &raw)) break;
        if (raw != "*-1\r\n" && raw.rfind("*2\r\n$1\r\nq\r\n", 0) != 0) {
          last[i] = "unexpected reply " + raw;
          return;
        }
      }
      c.Send({"ECHO", "end" + std::to_string(i)});
      last[i] = c.ReadRaw(milliseconds(2000));
      // Nothing more may follow.
      if (c.Read(milliseconds(100)).has_value()) last[i] += " and more replies";
    });
  }
  {
    Conn p = Connect(server_->port(), 10000);
    ASSERT_TRUE(p && !p->err);
    for (int n = 0; n < 2000; ++n) {
      Reply r = Cmd(p.get(), {"RPUSH", "q", std::to_string(n % 10)});
      ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER);
      if (n % 50 == 0) std::this_thread::sleep_for(milliseconds(3));
    }
  }
  producing = false;
  for (auto& t : threads) t.join();
  for (int i = 0; i < kConsumers; ++i) {
    const std::string want = "end" + std::to_string(i);
    EXPECT_EQ(last[i], "$" + std::to_string(want.size()) + "\r\n" + want + "\r\n")
        << "client " << i;
  }
}

TEST_F(BlockingE2E, ShutdownWithBlockedClientsIsClean) {
  std::vector<std::unique_ptr<RespConn>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(Client());
    Block(*clients.back(), {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}, i + 1);
  }
  const int status = server_->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status)) << "stashd did not exit by itself on SIGTERM, status " << status;
  if (WIFEXITED(status)) {
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  for (auto& c : clients) EXPECT_TRUE(c->WaitClosed());
}

// A serve is written to the log as the pop (or move) it is: after kill -9
// the data is as the clients were told.
TEST(BlockingPersistenceE2E, ServedBlocksSurviveKillNine) {
  TempDir dir;
  const std::vector<std::string> args = {"--appendonly", "yes",    "--appendfsync",
                                         "always",       "--save", ""};
  {
    ServerProcess server(args, dir.path());
    RespConn admin(server.port());
    RespConn c1(server.port());
    RespConn c2(server.port());
    RespConn c3(server.port());
    c1.Send({"BLPOP", "k", "0"});
    ASSERT_TRUE(WaitBlockedClients(admin, 1));
    c2.Send({"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"});
    ASSERT_TRUE(WaitBlockedClients(admin, 2));
    c3.Send({"BZPOPMAX", "z", "0"});
    ASSERT_TRUE(WaitBlockedClients(admin, 3));
    EXPECT_THAT(admin.Call({"RPUSH", "k", "k1", "k2"}), IsInt(2));
    EXPECT_EQ(c1.ReadRaw(), "*2\r\n$1\r\nk\r\n$2\r\nk1\r\n");
    EXPECT_THAT(admin.Call({"RPUSH", "a", "a1", "a2"}), IsInt(2));
    EXPECT_EQ(c2.ReadRaw(), "$2\r\na1\r\n");
    EXPECT_THAT(admin.Call({"ZADD", "z", "1", "low", "9", "high"}), IsInt(2));
    EXPECT_EQ(c3.ReadRaw(), "*3\r\n$1\r\nz\r\n$4\r\nhigh\r\n$1\r\n9\r\n");
    server.Stop(SIGKILL);
  }
  ServerProcess server(args, dir.path());
  RespConn admin(server.port());
  EXPECT_THAT(admin.Call({"LRANGE", "k", "0", "-1"}), StrArray(std::vector<std::string>{"k2"}));
  EXPECT_THAT(admin.Call({"LRANGE", "a", "0", "-1"}), StrArray(std::vector<std::string>{"a2"}));
  EXPECT_THAT(admin.Call({"LRANGE", "b", "0", "-1"}), StrArray(std::vector<std::string>{"a1"}));
  EXPECT_THAT(admin.Call({"ZRANGE", "z", "0", "-1"}), StrArray(std::vector<std::string>{"low"}));
}

TEST_F(BlockingE2E, SameKeyTwiceIsServedOnce) {
  auto c = Client();
  Block(*c, {"BLPOP", "k", "k", "0"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "a", "b"}), IsInt(2));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  EXPECT_FALSE(c->Read(milliseconds(50)).has_value());
  EXPECT_THAT(admin_->Call({"LRANGE", "k", "0", "-1"}), StrArray(std::vector<std::string>{"b"}));
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
}

TEST_F(BlockingE2E, ExecMakingTwoKeysReadyServesInTheOrderTheyBecameReady) {
  auto c = Client();
  Block(*c, {"BLPOP", "k1", "k2", "0"}, 1);
  EXPECT_EQ(admin_->Call({"MULTI"}), "OK");
  EXPECT_EQ(admin_->Call({"RPUSH", "k2", "x"}), "QUEUED");
  EXPECT_EQ(admin_->Call({"RPUSH", "k1", "y"}), "QUEUED");
  EXPECT_THAT(admin_->Call({"EXEC"}), ArrayOfSize(2));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n");
  EXPECT_THAT(admin_->Call({"LRANGE", "k1", "0", "-1"}), StrArray(std::vector<std::string>{"y"}));
  EXPECT_THAT(admin_->Call({"EXISTS", "k2"}), IsInt(0));
}

// Redis 7.0 (serveClientBlockedOnList): a blocked BLMOVE whose destination
// holds another type when it is served gets WRONGTYPE, and the element is
// pushed back onto the source.
TEST_F(BlockingE2E, BlmoveServedOntoWrongTypeDestinationGetsWrongtype) {
  auto c = Client();
  Block(*c, {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}, 1);
  EXPECT_EQ(admin_->Call({"SET", "b", "string"}), "OK");
  EXPECT_THAT(admin_->Call({"RPUSH", "a", "x"}), IsInt(1));
  auto r = c->Read(milliseconds(3000));
  ASSERT_TRUE(r.has_value()) << "still blocked";
  EXPECT_THAT(*r, ErrorIs("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_THAT(admin_->Call({"LRANGE", "a", "0", "-1"}), StrArray(std::vector<std::string>{"x"}));
  EXPECT_EQ(admin_->Call({"GET", "b"}), "string");
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
}

TEST_F(BlockingE2E, WaitWithoutReplicasTimesOut) {
  auto c = Client();
  EXPECT_EQ(c->Call({"WAIT", "0", "0"}).integer, 0);
  const auto start = Clock::now();
  c->Send({"WAIT", "1", "100"});
  EXPECT_EQ(c->ReadRaw(), ":0\r\n");
  EXPECT_GE(std::chrono::duration_cast<milliseconds>(Clock::now() - start).count(), 99);
}

// With an idle `timeout`, a blocked client is not closed however long it
// waits (Redis skips CLIENT_BLOCKED in clientsCronHandleTimeout), and once
// served it counts as active: Redis sets lastinteraction when it writes the
// reply, so the client is not closed right after being served.
TEST_F(BlockingE2E, IdleTimeoutSparesBlockedAndJustServedClients) {
  Start({"--timeout", "1"});
  auto c = Client();
  Block(*c, {"BLPOP", "k", "0"}, 1);
  // Blocked for well over the idle timeout (the server's cron runs 10
  // times a second): it must stay. The admin client keeps itself active.
  for (const auto until = Clock::now() + milliseconds(2500); Clock::now() < until;) {
    ASSERT_EQ(admin_->Call({"PING"}), "PONG");
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(InfoField(*admin_, "clients", "blocked_clients"), 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "v"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  // Served 0.4 s ago: idle for less than the timeout.
  std::this_thread::sleep_for(milliseconds(400));
  c->Send({"PING"});
  EXPECT_EQ(c->ReadRaw(milliseconds(2000)), "+PONG\r\n")
      << "closed as idle right after being served";
}

// A client served (or timed out) on one of its keys leaves no watcher on
// the others: a later push there goes to whoever waits now, or stays.
TEST_F(BlockingE2E, EndedBlockLeavesNoWatcherOnItsOtherKeys) {
  auto a = Client();
  Block(*a, {"BLPOP", "k1", "k2", "k3", "0"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k1", "x"}), IsInt(1));
  EXPECT_EQ(a->ReadRaw(), "*2\r\n$2\r\nk1\r\n$1\r\nx\r\n");
  a->Send({"BLPOP", "k2", "k4", "0.05"});
  EXPECT_EQ(a->ReadRaw(), "*-1\r\n");
  auto b = Client();
  Block(*b, {"BRPOP", "k2", "0"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "k2", "y"}), IsInt(1));
  EXPECT_EQ(b->ReadRaw(), "*2\r\n$2\r\nk2\r\n$1\r\ny\r\n");
  EXPECT_THAT(admin_->Call({"RPUSH", "k3", "z"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"RPUSH", "k4", "w"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LLEN", "k3"}), IsInt(1));
  EXPECT_THAT(admin_->Call({"LLEN", "k4"}), IsInt(1));
  EXPECT_FALSE(a->Read(milliseconds(50)).has_value());
  EXPECT_EQ(InfoField(*admin_, "clients", "blocked_clients"), 0);
}

TEST_F(BlockingE2E, Resp3ServedRepliesUseResp3Types) {
  auto c = Client();
  ASSERT_EQ(c->Call({"HELLO", "3"}).kind, RespValue::Kind::kMap);
  Block(*c, {"BZPOPMIN", "z", "0"}, 1);
  EXPECT_THAT(admin_->Call({"ZADD", "z", "1.5", "m"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*3\r\n$1\r\nz\r\n$1\r\nm\r\n,1.5\r\n");
  Block(*c, {"BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "5"}, 1);
  EXPECT_THAT(admin_->Call({"RPUSH", "l", "a", "b"}), IsInt(2));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n");
  Block(*c, {"BZMPOP", "0", "1", "z", "MAX"}, 1);
  EXPECT_THAT(admin_->Call({"ZADD", "z", "2", "two"}), IsInt(1));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$3\r\ntwo\r\n,2\r\n");
}

TEST_F(BlockingE2E, QuitPipelinedBehindABlockRunsAfterIt) {
  auto c = Client();
  c->SendRaw(RespConn::Encode({"BLPOP", "k", "0"}) + RespConn::Encode({"QUIT"}) +
             RespConn::Encode({"PING"}));
  ASSERT_TRUE(WaitBlockedClients(*admin_, 1));
  EXPECT_THAT(admin_->Call({"RPUSH", "k", "a", "b"}), IsInt(2));
  EXPECT_EQ(c->ReadRaw(), "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  EXPECT_EQ(c->ReadRaw(), "+OK\r\n");
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_EQ(c->pending(), "") << "ran a command after QUIT";
  EXPECT_THAT(admin_->Call({"LRANGE", "k", "0", "-1"}), StrArray(std::vector<std::string>{"b"}));
}

// Many consumers and producers across two io threads: every message is
// delivered exactly once, none is left behind.
TEST_F(BlockingE2E, ManyClientsAcrossIoThreadsDeliverEveryMessageOnce) {
  Start({"--io-threads", "2"});
  constexpr int kConsumers = 20;
  constexpr int kProducers = 4;
  constexpr int kMessages = 5000;  // in all
  constexpr int kBatch = 5;        // values per LPUSH
  std::atomic<int> delivered{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::map<std::string, int> seen;  // message -> times delivered
  std::vector<std::thread> threads;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  for (int i = 0; i < kConsumers; ++i) {
    threads.emplace_back([&, i] {
      Conn c = Connect(server_->port(), 10000);
      if (!c || c->err) {
        failed = true;
        return;
      }
      // Half wait on two keys, so serving picks among several lists.
      std::vector<std::string> cmd = {"BRPOP", "q"};
      if (i % 2 == 1) cmd.push_back("q2");
      cmd.push_back("0.2");
      while (delivered < kMessages && Clock::now() < deadline && !failed) {
        Reply r = Cmd(c.get(), cmd);
        if (!r) {
          failed = true;
          return;
        }
        if (r->type == REDIS_REPLY_NIL) continue;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
          failed = true;
          return;
        }
        std::lock_guard lock(mu);
        ++seen[std::string(r->element[1]->str, r->element[1]->len)];
        ++delivered;
      }
    });
  }
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      Conn c = Connect(server_->port(), 10000);
      if (!c || c->err) {
        failed = true;
        return;
      }
      for (int n = p * kBatch; n < kMessages; n += kProducers * kBatch) {
        std::vector<std::string> cmd = {"LPUSH", n % 2 == 0 ? "q" : "q2"};
        for (int j = 0; j < kBatch && n + j < kMessages; ++j) {
          cmd.push_back("m" + std::to_string(n + j));
        }
        Reply r = Cmd(c.get(), cmd);
        if (!r || r->type != REDIS_REPLY_INTEGER) {
          failed = true;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  EXPECT_EQ(delivered.load(), kMessages);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
  for (const auto& [m, times] : seen) EXPECT_EQ(times, 1) << m << " delivered " << times << "x";
  for (int n = 0; n < kMessages; ++n) {
    EXPECT_EQ(seen.count("m" + std::to_string(n)), 1u) << "m" << n << " never delivered";
  }
  EXPECT_THAT(admin_->Call({"EXISTS", "q", "q2"}), IsInt(0));
  EXPECT_TRUE(WaitBlockedClients(*admin_, 0));
}

}  // namespace
}  // namespace stashd::test
