// Keyspace notifications through the dispatcher: notify-keyspace-events,
// the events each command publishes and their order, expiry (lazy and by the
// sweep), the store's own events (new, keymiss, DELPREFIX, emptied
// collections, a scope's default TTL). Expected event sequences are those of
// redis-server 7.0.15 for the same commands.
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class NotifyTest : public CommandTest {
 protected:
  explicit NotifyTest(const std::function<void(server::Config&)>& configure = nullptr)
      : CommandTest(configure) {}
  // A subscriber to every key event of database 0.
  TestClient& Listen(const std::string& classes) {
    EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", classes}), "OK");
    TestClient& sub = NewClient();
    RunRaw(sub, {"psubscribe", "__key*@0__:*"});
    return sub;
  }
  // The (channel, message) pairs received, as "channel message".
  std::vector<std::string> Events(TestClient& sub) {
    std::vector<std::string> out;
    for (const RespValue& v : ParseAll(sub.messages)) {
      // ["pmessage", pattern, channel, message]
      out.push_back(v[2].str + " " + v[3].str);
    }
    sub.messages.clear();
    return out;
  }
  // Keyevent names only ("set a"), for sequences where that is clearer.
  std::vector<std::string> KeyEvents(TestClient& sub) {
    std::vector<std::string> out;
    for (const std::string& e : Events(sub)) {
      if (e.rfind("__keyevent@0__:", 0) == 0) out.push_back(e.substr(15));
    }
    return out;
  }
};

TEST_F(NotifyTest, ConfigLettersAsRedisPrintsThem) {
  EXPECT_EQ(Run({"config", "get", "notify-keyspace-events"})[1], "");
  for (const auto& [set, shown] : std::vector<std::pair<std::string, std::string>>{
           {"KEA", "AKE"},
           {"gK$lshzxetd", "AK"},
           {"An", "A"},  // Redis 7.0 prints no n after A
           {"Kn", "nK"},
           {"mKEnx", "xnKEm"},
           {"", ""}}) {
    EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", set}), "OK") << set;
    EXPECT_EQ(Run({"config", "get", "notify-keyspace-events"})[1], shown) << set;
  }
  EXPECT_THAT(Run({"config", "set", "notify-keyspace-events", "KEq"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument "
                      "'notify-keyspace-events') - Invalid event class character. Use "
                      "'Ag$lshzxeKEtmdn'."));
  EXPECT_EQ(Run({"config", "get", "notify-keyspace-events"})[1], "");
}

TEST_F(NotifyTest, NothingWithoutKOrE) {
  TestClient& sub = Listen("A");
  Run({"set", "a", "1"});
  EXPECT_THAT(Events(sub), IsEmpty());
}

TEST_F(NotifyTest, KeyspaceAndKeyeventChannels) {
  TestClient& sub = Listen("KEA");
  Run({"set", "a", "1"});
  EXPECT_THAT(Events(sub), ElementsAre("__keyspace@0__:a set", "__keyevent@0__:set a"));
}

TEST_F(NotifyTest, ClassesMaskEvents) {
  TestClient& sub = Listen("El");
  Run({"set", "a", "1"});
  Run({"lpush", "l", "x"});
  Run({"del", "l"});
  EXPECT_THAT(KeyEvents(sub), ElementsAre("lpush l"));
}

TEST_F(NotifyTest, StringAndGenericEvents) {
  TestClient& sub = Listen("EA");
  Run({"set", "a", "1", "ex", "100"});
  Run({"setnx", "a", "x"});  // not written: nothing
  Run({"mset", "b", "1", "c", "2"});
  Run({"append", "d", "x"});
  Run({"setrange", "d", "0", ""});  // no change: nothing
  Run({"incrby", "b", "2"});
  Run({"incrbyfloat", "b", "1.5"});
  Run({"getex", "a", "persist"});
  Run({"getex", "a", "persist"});  // had none: nothing
  Run({"expire", "c", "100"});
  Run({"rename", "c", "e"});
  Run({"copy", "e", "f"});
  Run({"move", "f", "1"});
  Run({"expire", "e", "-1"});
  Run({"getdel", "d"});
  Run({"del", "a", "nokey"});
  EXPECT_THAT(KeyEvents(sub),
              ElementsAre("set a", "expire a", "set b", "set c", "append d", "incrby b",
                          "incrbyfloat b", "persist a", "expire c", "rename_from c", "rename_to e",
                          "copy_to f", "move_from f", "del e", "del d", "del a"));
}

TEST_F(NotifyTest, CollectionsNewThenEventThenDelOfTheEmptied) {
  TestClient& sub = Listen("EAn");
  Run({"hset", "h", "a", "1"});
  Run({"hdel", "h", "a"});
  Run({"rpush", "src", "x"});
  Run({"lmove", "src", "dst", "left", "right"});
  EXPECT_THAT(KeyEvents(sub),
              ElementsAre("new h", "hset h", "hdel h", "del h", "new src", "rpush src", "new dst",
                          "rpush dst", "lpop src", "del src"));
}

TEST_F(NotifyTest, SetsSortedSetsAndStores) {
  TestClient& sub = Listen("EA");
  Run({"sadd", "s", "a", "b"});
  Run({"sadd", "s", "a"});  // nothing added: nothing
  Run({"smove", "s", "t", "a"});
  Run({"spop", "s", "5"});
  Run({"sinterstore", "i", "t", "nokey"});  // empty, no destination: nothing
  Run({"sunionstore", "u", "t"});
  Run({"zadd", "z", "1", "a"});
  Run({"zadd", "z", "incr", "1", "a"});
  Run({"zpopmin", "z"});
  Run({"zunionstore", "u", "1", "nokey"});  // empty: the destination goes
  EXPECT_THAT(KeyEvents(sub),
              ElementsAre("sadd s", "srem s", "sadd t", "spop s", "del s", "sunionstore u",
                          "zadd z", "zincr z", "zpopmin z", "del z", "del u"));
}

TEST_F(NotifyTest, ExpiredOnAccessAndBySweep) {
  TestClient& sub = Listen("Ex");
  Run({"set", "lazy", "1", "px", "10"});
  Run({"set", "swept", "1", "px", "10"});
  AdvanceTime(20);
  EXPECT_THAT(Run({"get", "lazy"}), IsNil());
  EXPECT_THAT(KeyEvents(sub), ElementsAre("expired lazy"));
  server_->keyspace().ActiveExpireCycle(100);
  EXPECT_THAT(KeyEvents(sub), ElementsAre("expired swept"));
}

TEST_F(NotifyTest, KeyMissOnReadsOnly) {
  TestClient& sub = Listen("Em");
  Run({"get", "nokey"});
  Run({"del", "nokey"});  // a write: no miss
  Run({"hget", "nohash", "f"});
  EXPECT_THAT(KeyEvents(sub), ElementsAre("keymiss nokey", "keymiss nohash"));
}

TEST_F(NotifyTest, DelPrefixPublishesADelPerKey) {
  TestClient& sub = Listen("Eg");
  Run({"set", "user:1:a", "1"});
  Run({"hset", "user:1:b", "f", "v"});
  Run({"set", "user:2:a", "1"});
  EXPECT_THAT(Run({"delprefix", "user:1:"}), IsInt(2));
  // Shard by shard: in no particular order.
  EXPECT_THAT(KeyEvents(sub), UnorderedElementsAre("del user:1:a", "del user:1:b"));
}

TEST_F(NotifyTest, TransactionsPublishEachCommandsEvents) {
  TestClient& sub = Listen("E$");
  Run({"multi"});
  Run({"set", "a", "1"});
  Run({"incr", "a"});
  Run({"exec"});
  EXPECT_THAT(KeyEvents(sub), ElementsAre("set a", "incrby a"));
}

class ScopeNotifyTest : public NotifyTest {
 protected:
  ScopeNotifyTest() : NotifyTest([](server::Config& c) { c.scopes[0].default_ttl_ms = 60'000; }) {}
};

// A key that gets its scope's default TTL publishes "expire" (a stashd
// event: Redis has no scopes): a string's as it is stored, before "set"; a
// collection's when its write commits, after its event.
TEST_F(ScopeNotifyTest, DefaultTtlPublishesExpire) {
  TestClient& sub = Listen("Eg$h");
  Run({"set", "state:bot1:s1", "{}"});
  Run({"set", "state:bot1:s2", "{}", "ex", "5"});
  Run({"hset", "state:bot1:h", "f", "v"});
  Run({"set", "plain", "x"});
  EXPECT_THAT(KeyEvents(sub), ElementsAre("expire state:bot1:s1", "set state:bot1:s1",
                                          "set state:bot1:s2", "expire state:bot1:s2",
                                          "hset state:bot1:h", "expire state:bot1:h", "set plain"));
}

}  // namespace
}  // namespace stashd::test
