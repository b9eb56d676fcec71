// Blocking commands through the dispatcher (server/exec/blocking.h): what a
// blocking command replies when it need not block, how a blocked client is
// served (first come first served, only after a whole EXEC, by the ready
// key, BLMOVE chains, type), how a block ends (timeout, CLIENT UNBLOCK,
// close), and what a serve logs. Replies checked side by side with
// redis-server 7.0.15. The socket side (timers, peers that go) is in
// tests/e2e.
#include <string>
#include <utility>
#include <vector>

#include "commands/command_fixture.h"
#include "store/keyspace.h"

namespace stashd::test {
namespace {

using Strings = std::vector<std::string>;

const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

// Records the element-level changes the keyspace reports ("op<n> key args").
class Recorder : public store::ChangeListener {
 public:
  void OnChange(const store::Change& c) override {
    if (c.kind != store::Change::Kind::kUpdate) return;
    std::string s = "op" + std::to_string(c.op) + " " + std::string(c.key);
    for (std::string_view a : c.args) s += " " + std::string(a);
    log.push_back(s);
  }
  Strings log;
};

class BlockingTest : public CommandTest {
 protected:
  // Runs a command that must block: it replies nothing.
  void Block(TestClient& c, std::vector<std::string> args) {
    EXPECT_EQ(RunRaw(c, std::move(args)), "");
    EXPECT_TRUE(Blocked(c));
  }
  int64_t BlockedClients() { return server().stats().blocked_clients.load(); }
};

TEST_F(BlockingTest, ServedAtOnceWhenAKeyHasData) {
  Run({"rpush", "b", "x", "y"});
  EXPECT_THAT(Run({"blpop", "a", "b", "0"}), StrArray(Strings{"b", "x"}));
  EXPECT_THAT(Run({"brpop", "a", "b", "0"}), StrArray(Strings{"b", "y"}));
  EXPECT_THAT(Run({"exists", "b"}), IsInt(0));
  Run({"rpush", "src", "1", "2"});
  EXPECT_EQ(Run({"blmove", "src", "dst", "left", "right", "0"}), "1");
  EXPECT_EQ(Run({"brpoplpush", "src", "dst", "0"}), "2");
  EXPECT_THAT(Run({"lrange", "dst", "0", "-1"}), StrArray(Strings{"2", "1"}));
  EXPECT_EQ(RunRaw({"blmpop", "0", "2", "nokey", "dst", "right", "count", "5"}),
            "*2\r\n$3\r\ndst\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(RunRaw({"bzpopmin", "nokey", "z", "0"}), "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(RunRaw({"bzpopmax", "z", "0"}), "*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(RunRaw({"bzmpop", "0", "1", "z", "min"}),
            "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(BlockedClients(), 0);
}

TEST_F(BlockingTest, WrongTypeBeforeTheFirstListIsAnError) {
  Run({"set", "s", "v"});
  Run({"rpush", "l", "x"});
  EXPECT_THAT(Run({"blpop", "nokey", "s", "l", "0"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"blpop", "l", "s", "0"}), StrArray(Strings{"l", "x"}));
  EXPECT_THAT(Run({"bzpopmin", "s", "0"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"blmove", "s", "d", "left", "left", "0"}), ErrorIs(kWrongType));
  Run({"rpush", "l", "x"});
  EXPECT_THAT(Run({"blmove", "l", "s", "left", "left", "0"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"llen", "l"}), IsInt(1));  // nothing moved
}

TEST_F(BlockingTest, TimeoutArgumentsAsRedis70) {
  const char* kNotFloat = "ERR timeout is not a float or out of range";
  const char* kNegative = "ERR timeout is negative";
  for (const char* bad : {"abc", "", " 1", "1 ", "nan"}) {
    EXPECT_THAT(Run({"blpop", "k", bad}), ErrorIs(kNotFloat)) << bad;
  }
  // Redis 7.0.15 casts seconds*1000 to a long long: out of range is LLONG_MIN.
  for (const char* bad : {"-1", "-0.01", "inf", "1e16", "9223372036854775807"}) {
    EXPECT_THAT(Run({"blpop", "k", bad}), ErrorIs(kNegative)) << bad;
  }
  EXPECT_THAT(Run({"bzpopmin", "k", "-1"}), ErrorIs(kNegative));
  EXPECT_THAT(Run({"blmove", "a", "b", "left", "left", "x"}), ErrorIs(kNotFloat));
  EXPECT_THAT(Run({"brpoplpush", "a", "b", "-5"}), ErrorIs(kNegative));
  // BLMPOP and BZMPOP check the timeout after the other arguments.
  EXPECT_THAT(Run({"blmpop", "x", "1", "k", "middle"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"blmpop", "x", "1", "k", "left"}), ErrorIs(kNotFloat));
  EXPECT_THAT(Run({"bzmpop", "-1", "0", "k", "min"}),
              ErrorIs("ERR numkeys should be greater than 0"));
  EXPECT_THAT(Run({"bzmpop", "-1", "1", "k", "min"}), ErrorIs(kNegative));
  EXPECT_EQ(BlockedClients(), 0);
  // -0.0001 s rounds up to 0 ms: block forever, as Redis does.
  Block(*client_, {"blpop", "k", "-0.0001"});
  EXPECT_EQ(client().blocked->deadline_ms, 0);
  TestClient& c2 = NewClient();
  Block(c2, {"blpop", "k", "0.001"});
  EXPECT_EQ(c2.state.blocked->deadline_ms, NowMs() + 1);  // rounded up, not down to 0
}

TEST_F(BlockingTest, APushServesTheBlockedClient) {
  TestClient& waiter = NewClient();
  Block(waiter, {"blpop", "a", "b", "0"});
  EXPECT_EQ(BlockedClients(), 1);
  EXPECT_EQ(Unblocked(waiter), std::nullopt);
  // The pusher's reply counts the item it pushed, although it is gone.
  EXPECT_THAT(Run({"rpush", "b", "x"}), IsInt(1));
  EXPECT_THAT(*Unblocked(waiter), StrArray(Strings{"b", "x"}));
  EXPECT_THAT(Run({"exists", "b"}), IsInt(0));
  EXPECT_EQ(BlockedClients(), 0);
  // Unregistered from every key: a later push stays.
  Run({"rpush", "a", "y"});
  EXPECT_THAT(Run({"llen", "a"}), IsInt(1));
  EXPECT_FALSE(waiter.woken);
}

TEST_F(BlockingTest, FirstComeFirstServed) {
  TestClient& c1 = NewClient();
  TestClient& c2 = NewClient();
  TestClient& c3 = NewClient();
  Block(c1, {"brpop", "q", "0"});
  Block(c2, {"blpop", "other", "q", "0"});
  Block(c3, {"blpop", "q", "0"});
  EXPECT_THAT(Run({"rpush", "q", "1", "2"}), IsInt(2));
  EXPECT_THAT(*Unblocked(c1), StrArray(Strings{"q", "2"}));
  EXPECT_THAT(*Unblocked(c2), StrArray(Strings{"q", "1"}));
  EXPECT_TRUE(Blocked(c3));
  Run({"lpush", "q", "3"});
  EXPECT_THAT(*Unblocked(c3), StrArray(Strings{"q", "3"}));
}

TEST_F(BlockingTest, ServedFromTheKeyThatBecameReady) {
  // Redis serves the key that was signalled first, not the first argument.
  TestClient& waiter = NewClient();
  Block(waiter, {"blpop", "a", "b", "0"});
  Run({"multi"});
  Run({"rpush", "b", "from-b"});
  Run({"rpush", "a", "from-a"});
  Run({"exec"});
  EXPECT_THAT(*Unblocked(waiter), StrArray(Strings{"b", "from-b"}));
  EXPECT_THAT(Run({"lrange", "a", "0", "-1"}), StrArray(Strings{"from-a"}));
}

TEST_F(BlockingTest, ATransactionWakesOnlyWhenItIsDone) {
  TestClient& waiter = NewClient();
  Block(waiter, {"blpop", "k", "0"});
  // Pushed and popped within one EXEC: nobody is woken.
  Run({"multi"});
  Run({"rpush", "k", "x"});
  Run({"lpop", "k"});
  EXPECT_THAT(Run({"exec"}), ArrayOfSize(2));
  EXPECT_TRUE(Blocked(waiter));
  // The whole transaction runs before the waiter gets its item.
  Run({"multi"});
  Run({"lpush", "k", "a"});
  Run({"lpush", "k", "b"});
  Run({"lpush", "k", "c"});
  Run({"exec"});
  EXPECT_THAT(*Unblocked(waiter), StrArray(Strings{"k", "c"}));
  EXPECT_THAT(Run({"lrange", "k", "0", "-1"}), StrArray(Strings{"b", "a"}));
}

TEST_F(BlockingTest, InsideMultiABlockingCommandTimesOutAtOnce) {
  Run({"multi"});
  Run({"blpop", "k", "0"});
  Run({"brpoplpush", "k", "d", "0"});
  Run({"blmove", "k", "d", "left", "left", "0"});
  Run({"bzpopmin", "z", "0"});
  Run({"blmpop", "0", "1", "k", "left"});
  Run({"bzmpop", "0", "1", "z", "min"});
  Run({"wait", "1", "0"});
  EXPECT_EQ(RunRaw({"exec"}), "*7\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n:0\r\n");
  EXPECT_FALSE(Blocked(*client_));
  EXPECT_EQ(BlockedClients(), 0);
}

TEST_F(BlockingTest, BlmoveChainsWakeUps) {
  TestClient& mover = NewClient();
  TestClient& popper = NewClient();
  Block(mover, {"blmove", "a", "b", "left", "right", "0"});
  Block(popper, {"blpop", "b", "0"});
  Run({"rpush", "a", "x"});
  EXPECT_EQ(*Unblocked(mover), "x");
  EXPECT_THAT(*Unblocked(popper), StrArray(Strings{"b", "x"}));
  EXPECT_THAT(Run({"exists", "a", "b"}), IsInt(0));
}

TEST_F(BlockingTest, BlmoveToAWrongTypeDestinationIsServedAnError) {
  TestClient& mover = NewClient();
  Block(mover, {"brpoplpush", "a", "s", "0"});
  Run({"set", "s", "string"});
  Run({"rpush", "a", "x"});
  EXPECT_THAT(*Unblocked(mover), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"lrange", "a", "0", "-1"}), StrArray(Strings{"x"}));  // not popped
}

TEST_F(BlockingTest, OnlyTheTypeAClientWaitsForServesIt) {
  TestClient& zwaiter = NewClient();
  TestClient& lwaiter = NewClient();
  Block(zwaiter, {"bzpopmin", "k", "0"});
  Block(lwaiter, {"blpop", "k", "0"});
  Run({"rpush", "k", "x"});
  EXPECT_TRUE(Blocked(zwaiter));  // a list does not serve BZPOPMIN (Redis 7.0)
  EXPECT_THAT(*Unblocked(lwaiter), StrArray(Strings{"k", "x"}));
  Run({"set", "k", "s"});
  EXPECT_TRUE(Blocked(zwaiter));
  Run({"del", "k"});
  Run({"zadd", "k", "2", "b", "1", "a"});
  auto got = Unblocked(zwaiter);
  ASSERT_TRUE(got.has_value());
  EXPECT_THAT(*got, StrArray(Strings{"k", "a", "1"}));
  EXPECT_THAT(Run({"zcard", "k"}), IsInt(1));
}

TEST_F(BlockingTest, KeysCreatedByRenameSortStoreAndSwapdbServe) {
  TestClient& w = NewClient();
  Block(w, {"blpop", "foo", "0"});
  Run({"rpush", "bob", "abc", "def"});
  Run({"rename", "bob", "foo"});
  EXPECT_THAT(*Unblocked(w), StrArray(Strings{"foo", "abc"}));
  Run({"del", "foo"});
  Block(w, {"brpop", "foo", "0"});
  Run({"rpush", "src", "b", "a", "c"});
  Run({"sort", "src", "alpha", "store", "foo"});
  EXPECT_THAT(*Unblocked(w), StrArray(Strings{"foo", "c"}));
  Run({"del", "foo"});
  Block(w, {"blpop", "k", "0"});
  Run({"select", "1"});
  Run({"rpush", "k", "in-db1"});
  Run({"select", "0"});
  EXPECT_TRUE(Blocked(w));  // another database
  Run({"swapdb", "0", "1"});
  EXPECT_THAT(*Unblocked(w), StrArray(Strings{"k", "in-db1"}));
}

TEST_F(BlockingTest, BlmpopAndBzmpopServeWithCount) {
  TestClient& l = NewClient();
  TestClient& z = NewClient();
  Block(l, {"blmpop", "0", "2", "a", "b", "right", "count", "2"});
  Block(z, {"bzmpop", "0", "1", "zs", "max", "count", "5"});
  Run({"rpush", "b", "1", "2", "3"});
  EXPECT_EQ(l.state.blocked->reply.buffer(), "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
  Unblocked(l);
  Run({"zadd", "zs", "1", "x", "2", "y"});
  EXPECT_EQ(z.state.blocked->reply.buffer(),
            "*2\r\n$2\r\nzs\r\n*2\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
  Unblocked(z);
}

TEST_F(BlockingTest, TimeoutRepliesPerCommandAndProtocol) {
  TestClient& c = NewClient();
  Block(c, {"blpop", "k", "1"});
  EXPECT_TRUE(TimeOut(c));
  EXPECT_EQ(c.state.blocked->reply.buffer(), "*-1\r\n");
  Unblocked(c);
  // BLMOVE too: a nil array once blocked (Redis 7.0.15), a nil inside MULTI.
  Block(c, {"blmove", "k", "d", "left", "left", "1"});
  EXPECT_TRUE(TimeOut(c));
  EXPECT_EQ(c.state.blocked->reply.buffer(), "*-1\r\n");
  Unblocked(c);
  Run(c, {"hello", "3"});
  Block(c, {"bzpopmax", "k", "1"});
  EXPECT_TRUE(TimeOut(c));
  EXPECT_EQ(c.state.blocked->reply.buffer(), "_\r\n");
  Unblocked(c);
  EXPECT_EQ(BlockedClients(), 0);
  // A timed-out client no longer waits: a push stays.
  Run({"rpush", "k", "x"});
  EXPECT_FALSE(c.woken);
  EXPECT_THAT(Run({"llen", "k"}), IsInt(1));
}

TEST_F(BlockingTest, ServedBeforeItsTimeoutOnlyOnce) {
  TestClient& c = NewClient();
  Block(c, {"blpop", "k", "1"});
  Run({"rpush", "k", "x"});
  EXPECT_FALSE(TimeOut(c));  // the serve won
  EXPECT_THAT(*Unblocked(c), StrArray(Strings{"k", "x"}));
}

TEST_F(BlockingTest, ClientUnblock) {
  TestClient& c = NewClient();
  const std::string id = std::to_string(c.state.id);
  EXPECT_THAT(Run({"client", "unblock", id}), IsInt(0));  // not blocked
  Block(c, {"blpop", "k", "0"});
  EXPECT_THAT(Run({"client", "unblock", id, "maybe"}),
              ErrorIs("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
  EXPECT_THAT(Run({"client", "unblock", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"client", "unblock", id, "timeout", "x"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'unblock'. Try "
                      "CLIENT HELP."));
  EXPECT_THAT(Run({"client", "unblock", "999999"}), IsInt(0));
  EXPECT_THAT(Run({"client", "unblock", id}), IsInt(1));
  EXPECT_THAT(*Unblocked(c), IsNil());
  Block(c, {"blpop", "k", "0"});
  EXPECT_THAT(Run({"client", "unblock", id, "ERROR"}), IsInt(1));
  EXPECT_THAT(*Unblocked(c), ErrorIs("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  EXPECT_THAT(Run({"client", "unblock", id, "error"}), IsInt(0));
  EXPECT_EQ(BlockedClients(), 0);
}

TEST_F(BlockingTest, AClosedClientIsNeverServed) {
  TestClient& gone = NewClient();
  TestClient& next = NewClient();
  Block(gone, {"blpop", "k", "0"});
  Block(next, {"blpop", "k", "0"});
  EXPECT_TRUE(
      server::EndBlock(server(), *gone.state.blocked, server::BlockedClient::State::kClosed));
  Run({"rpush", "k", "x", "y"});
  EXPECT_FALSE(gone.woken);
  EXPECT_THAT(*Unblocked(next), StrArray(Strings{"k", "x"}));
  EXPECT_THAT(Run({"lrange", "k", "0", "-1"}), StrArray(Strings{"y"}));
  gone.state.blocked = nullptr;
}

TEST_F(BlockingTest, WaitWithoutReplicas) {
  EXPECT_THAT(Run({"wait", "0", "0"}), IsInt(0));
  EXPECT_THAT(Run({"wait", "-1", "100"}), IsInt(0));
  EXPECT_THAT(Run({"wait", "x", "0"}), ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"wait", "1", "x"}), ErrorIs("ERR timeout is not an integer or out of range"));
  EXPECT_THAT(Run({"wait", "1", "-1"}), ErrorIs("ERR timeout is negative"));
  TestClient& c = NewClient();
  Block(c, {"wait", "1", "100"});
  EXPECT_EQ(c.state.blocked->deadline_ms, NowMs() + 100);
  EXPECT_TRUE(TimeOut(c));
  EXPECT_THAT(*Unblocked(c), IsInt(0));
}

TEST_F(BlockingTest, BlockedClientsInInfoAndClientList) {
  TestClient& c = NewClient();
  Block(c, {"bzpopmin", "z", "0"});
  const RespValue info = Run({"info", "clients"});
  EXPECT_NE(info.str.find("blocked_clients:1\r\n"), std::string::npos) << info.str;
  const RespValue list = Run({"client", "list", "id", std::to_string(c.state.id)});
  EXPECT_NE(list.str.find(" flags=b "), std::string::npos) << list.str;
  EXPECT_NE(list.str.find(" cmd=bzpopmin "), std::string::npos) << list.str;
  EXPECT_TRUE(TimeOut(c));
  Unblocked(c);
  EXPECT_NE(Run({"info", "clients"}).str.find("blocked_clients:0\r\n"), std::string::npos);
}

TEST_F(BlockingTest, CommandStatsCountABlockedCallWhenItEnds) {
  TestClient& c = NewClient();
  Block(c, {"blpop", "k", "0"});
  EXPECT_EQ(Run({"info", "commandstats"}).str.find("cmdstat_blpop:"), std::string::npos);
  Run({"rpush", "k", "x"});
  Unblocked(c);
  EXPECT_NE(Run({"info", "commandstats"}).str.find("cmdstat_blpop:calls=1,"), std::string::npos);
}

TEST_F(BlockingTest, AServeIsLoggedAsThePopItIs) {
  Recorder recorder;
  {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(&recorder);
  }
  TestClient& popper = NewClient();
  TestClient& mover = NewClient();
  Block(popper, {"blpop", "k", "0"});
  Block(mover, {"blmove", "k", "dst", "right", "left", "0"});
  Run({"rpush", "k", "a", "b", "c"});
  Unblocked(popper);
  Unblocked(mover);
  {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(nullptr);
  }
  // The push, then the serves as element pops and a push to dst: the log
  // never holds a blocking command to re-run.
  ASSERT_EQ(recorder.log.size(), 4u) << ::testing::PrintToString(recorder.log);
  EXPECT_EQ(recorder.log[0].substr(0, 2), "op");
  EXPECT_NE(recorder.log[0].find(" k a b c"), std::string::npos);
  EXPECT_NE(recorder.log[1].find(" k "), std::string::npos);
  EXPECT_NE(recorder.log[2].find(" k "), std::string::npos);
  EXPECT_NE(recorder.log[3].find(" dst c"), std::string::npos);
  EXPECT_THAT(Run({"lrange", "k", "0", "-1"}), StrArray(Strings{"b"}));
}

}  // namespace
}  // namespace stashd::test
