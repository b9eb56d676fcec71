// The hash commands through the dispatcher: replies and errors as Redis 7.0
// gives them (checked side by side with redis-server), WRONGTYPE both ways,
// the scope policy, TTL and key-level operations on hashes.
#include <map>
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class HashFamilyTest : public CommandTest {};

const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

TEST_F(HashFamilyTest, SetGetAndCounts) {
  EXPECT_THAT(Run({"hset", "h", "f1", "v1"}), IsInt(1));
  EXPECT_THAT(Run({"hset", "h", "f1", "v2", "f2", "v3"}), IsInt(1));
  EXPECT_EQ(Run({"hget", "h", "f1"}), "v2");
  EXPECT_THAT(Run({"hget", "h", "nope"}), IsNil());
  EXPECT_THAT(Run({"hget", "nokey", "f"}), IsNil());
  EXPECT_THAT(Run({"hmget", "h", "f1", "nope", "f2"}).elems, ElementsAre("v2", IsNil(), "v3"));
  EXPECT_THAT(Run({"hmget", "nokey", "a", "b"}).elems, ElementsAre(IsNil(), IsNil()));
  EXPECT_THAT(Run({"hlen", "h"}), IsInt(2));
  EXPECT_THAT(Run({"hlen", "nokey"}), IsInt(0));
  EXPECT_THAT(Run({"hstrlen", "h", "f1"}), IsInt(2));
  EXPECT_THAT(Run({"hstrlen", "h", "nope"}), IsInt(0));
  EXPECT_THAT(Run({"hexists", "h", "f1"}), IsInt(1));
  EXPECT_THAT(Run({"hexists", "h", "zz"}), IsInt(0));
  EXPECT_EQ(Run({"type", "h"}), "hash");
  EXPECT_EQ(Run({"hmset", "h", "a", "1", "b", "2"}), "OK");
  EXPECT_THAT(Run({"hkeys", "h"}), StrSet(std::vector<std::string>{"f1", "f2", "a", "b"}));
  EXPECT_THAT(Run({"hvals", "h"}), StrSet(std::vector<std::string>{"v2", "v3", "1", "2"}));
  EXPECT_THAT(Run({"hgetall", "h"}), ArrayOfSize(8));
  EXPECT_THAT(Run({"hgetall", "nokey"}), ArrayOfSize(0));
}

TEST_F(HashFamilyTest, ArityIsCheckedPerPair) {
  EXPECT_THAT(Run({"hset", "h", "f1"}),
              ErrorIs("ERR wrong number of arguments for 'hset' command"));
  EXPECT_THAT(Run({"hset", "h", "f1", "v", "f2"}),
              ErrorIs("ERR wrong number of arguments for 'hset' command"));
  EXPECT_THAT(Run({"hmset", "h", "a"}),
              ErrorIs("ERR wrong number of arguments for 'hmset' command"));
  EXPECT_THAT(Run({"exists", "h"}), IsInt(0));
}

TEST_F(HashFamilyTest, SetNxAndDeleteRemovesTheEmptyKey) {
  EXPECT_THAT(Run({"hsetnx", "h", "f", "1"}), IsInt(1));
  EXPECT_THAT(Run({"hsetnx", "h", "f", "2"}), IsInt(0));
  EXPECT_EQ(Run({"hget", "h", "f"}), "1");
  EXPECT_THAT(Run({"hdel", "h", "nope"}), IsInt(0));
  EXPECT_THAT(Run({"hdel", "nokey", "a"}), IsInt(0));
  EXPECT_THAT(Run({"hset", "h", "g", "2"}), IsInt(1));
  EXPECT_THAT(Run({"hdel", "h", "f", "f", "g"}), IsInt(2));
  EXPECT_THAT(Run({"exists", "h"}), IsInt(0));
}

TEST_F(HashFamilyTest, IncrByAndIncrByFloat) {
  EXPECT_THAT(Run({"hincrby", "h", "n", "5"}), IsInt(5));
  EXPECT_THAT(Run({"hincrby", "h", "n", "-10"}), IsInt(-5));
  EXPECT_THAT(Run({"hincrby", "h", "n", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"hincrby", "h", "big", "9223372036854775807"}), IsInt(INT64_MAX));
  EXPECT_THAT(Run({"hincrby", "h", "big", "1"}),
              ErrorIs("ERR increment or decrement would overflow"));
  EXPECT_EQ(Run({"hincrbyfloat", "h", "fl", "1.5"}), "1.5");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "fl", "0.1"}), "1.6");
  EXPECT_THAT(Run({"hincrbyfloat", "h", "fl", "inf"}), ErrorIs("ERR value is NaN or Infinity"));
  EXPECT_THAT(Run({"hincrbyfloat", "h", "fl", "abc"}), ErrorIs("ERR value is not a valid float"));
  EXPECT_THAT(Run({"hset", "h", "huge", "1e4932"}), IsInt(1));
  EXPECT_THAT(Run({"hincrbyfloat", "h", "huge", "1e4932"}),
              ErrorIs("ERR increment would produce NaN or Infinity"));
  EXPECT_EQ(Run({"hincrbyfloat", "h", "n", "2.5"}), "-2.5");
  EXPECT_THAT(Run({"hincrby", "h", "n", "1"}), ErrorIs("ERR hash value is not an integer"));
  EXPECT_THAT(Run({"hset", "h", "s", "abc"}), IsInt(1));
  EXPECT_THAT(Run({"hincrbyfloat", "h", "s", "1"}), ErrorIs("ERR hash value is not a float"));
}

TEST_F(HashFamilyTest, WrongTypeBothWays) {
  Run({"set", "s", "x"});
  for (std::vector<std::string> cmd : {std::vector<std::string>{"hset", "s", "a", "b"},
                                       {"hget", "s", "a"},
                                       {"hgetall", "s"},
                                       {"hkeys", "s"},
                                       {"hlen", "s"},
                                       {"hrandfield", "s"},
                                       {"hscan", "s", "0"},
                                       {"hincrby", "s", "a", "1"},
                                       {"hdel", "s", "a"},
                                       {"hsetnx", "s", "a", "b"}}) {
    EXPECT_THAT(Run(cmd), ErrorIs(kWrongType)) << cmd[0];
  }
  Run({"hset", "h", "a", "b"});
  EXPECT_THAT(Run({"get", "h"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"append", "h", "x"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"incr", "h"}), ErrorIs(kWrongType));
  EXPECT_EQ(Run({"set", "h", "now a string"}), "OK");  // SET replaces any type
  EXPECT_EQ(Run({"get", "h"}), "now a string");
}

TEST_F(HashFamilyTest, RandFieldShapes) {
  EXPECT_THAT(Run({"hrandfield", "nokey"}), IsNil());
  EXPECT_THAT(Run({"hrandfield", "nokey", "5"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"hrandfield", "nokey", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"hrandfield", "nokey", "1", "withvalues", "x"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"hrandfield", "nokey", "1", "withvaluesx"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"hrandfield", "h", "-9223372036854775808"}),
              ErrorIs("ERR value is out of range, value must between -9223372036854775807 and "
                      "9223372036854775807"));
  EXPECT_THAT(Run({"hrandfield", "h", "-9223372036854775807", "withvalues"}),
              ErrorIs("ERR value is out of range"));
  Run({"hset", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_THAT(Run({"hrandfield", "h", "0"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"hrandfield", "h", "10"}), StrSet(std::vector<std::string>{"a", "b", "c"}));
  RespValue two = Run({"hrandfield", "h", "2"});
  ASSERT_THAT(two, ArrayOfSize(2));
  EXPECT_NE(two.elems[0].str, two.elems[1].str);
  EXPECT_THAT(Run({"hrandfield", "h", "-7"}), ArrayOfSize(7));
  RespValue wv = Run({"hrandfield", "h", "-5", "withvalues"});
  ASSERT_THAT(wv, ArrayOfSize(10));
  for (size_t i = 0; i < 10; i += 2) {
    EXPECT_EQ(wv.elems[i + 1].str, wv.elems[i].str == "a"   ? "1"
                                   : wv.elems[i].str == "b" ? "2"
                                                            : "3");
  }
  Run({"hello", "3"});
  RespValue pairs = Run({"hrandfield", "h", "2", "withvalues"});
  ASSERT_THAT(pairs, ArrayOfSize(2));
  EXPECT_THAT(pairs.elems[0], ArrayOfSize(2));
}

TEST_F(HashFamilyTest, HscanReturnsEverythingOnceAndChecksItsArguments) {
  EXPECT_THAT(Run({"hscan", "nokey", "0", "count", "0"}).elems,
              ElementsAre("0", ArrayOfSize(0)));  // missing key first, as Redis
  Run({"hset", "h", "one", "1", "two", "2", "three", "3"});
  EXPECT_THAT(Run({"hscan", "h", "x"}), ErrorIs("ERR invalid cursor"));
  EXPECT_THAT(Run({"hscan", "h", "0", "count", "0"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"hscan", "h", "0", "type", "string"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"hscan", "h", "0", "count", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  RespValue r = Run({"hscan", "h", "0", "match", "t*"});
  ASSERT_THAT(r, ArrayOfSize(2));
  EXPECT_EQ(r.elems[0], "0");
  EXPECT_THAT(r.elems[1], StrSet(std::vector<std::string>{"two", "2", "three", "3"}));
}

// Past hash-max-listpack-entries HSCAN walks the table with a real cursor,
// about COUNT fields a call, as Redis walks its dict; a compact hash comes
// whole with cursor 0 whatever the cursor given (Redis's listpack case).
TEST_F(HashFamilyTest, HscanOfATableTakesSeveralCallsAndSeesEveryField) {
  Run({"config", "set", "hash-max-listpack-entries", "128"});
  Run({"hset", "small", "a", "1", "b", "2"});
  EXPECT_EQ(RunRaw({"hscan", "small", "12345", "count", "1"}),
            "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
  std::vector<std::string> cmd = {"hset", "h"};
  for (int i = 0; i < 500; ++i) {
    cmd.push_back("f" + std::to_string(i));
    cmd.push_back("v" + std::to_string(i));
  }
  Run(cmd);
  EXPECT_EQ(Run({"object", "encoding", "h"}), "hashtable");
  auto scan_all = [&](auto between) { return ScanPairs("hscan", "h", between); };
  std::map<std::string, std::string> seen = scan_all([](int) {});
  EXPECT_EQ(seen.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(seen["f" + std::to_string(i)], "v" + std::to_string(i));

  // Fields added during the scan (the table doubles, twice) hide none of
  // those that were there all along.
  seen = scan_all([&](int call) {
    if (call != 2) return;
    std::vector<std::string> more = {"hset", "h"};
    for (int i = 0; i < 2000; ++i) {
      more.push_back("new" + std::to_string(i));
      more.push_back("x");
    }
    Run(more);
  });
  for (int i = 0; i < 500; ++i) EXPECT_EQ(seen["f" + std::to_string(i)], "v" + std::to_string(i));

  // MATCH tests the field and drops its value with it.
  RespValue matched = Run({"hscan", "h", "0", "match", "f49*", "count", "100000"});
  ASSERT_THAT(matched, ArrayOfSize(2));
  EXPECT_EQ(matched.elems[0], "0");
  std::map<std::string, std::string> pairs;
  const auto& items = matched.elems[1].elems;
  ASSERT_EQ(items.size(), 22u);
  for (size_t i = 0; i < items.size(); i += 2) pairs[items[i].str] = items[i + 1].str;
  std::map<std::string, std::string> expected = {{"f49", "v49"}};
  for (int i = 490; i < 500; ++i) expected["f" + std::to_string(i)] = "v" + std::to_string(i);
  EXPECT_EQ(pairs, expected);
}

TEST_F(HashFamilyTest, Resp3GetAllIsAMap) {
  Run({"hset", "h", "a", "1"});
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"hgetall", "h"}), "%1\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(RunRaw({"hgetall", "nokey"}), "%0\r\n");
}

TEST_F(HashFamilyTest, KeyLevelCommandsWorkOnHashes) {
  Run({"hset", "h", "a", "1"});
  EXPECT_THAT(Run({"expire", "h", "100"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "h"}), IsInt(100));
  EXPECT_EQ(Run({"rename", "h", "h2"}), "OK");
  EXPECT_THAT(Run({"ttl", "h2"}), IsInt(100));
  EXPECT_THAT(Run({"copy", "h2", "h3"}), IsInt(1));
  EXPECT_THAT(Run({"hset", "h3", "b", "2"}), IsInt(1));
  EXPECT_THAT(Run({"hlen", "h2"}), IsInt(1));  // the copy is independent
  EXPECT_THAT(Run({"move", "h2", "1"}), IsInt(1));
  EXPECT_THAT(Run({"persist", "h3"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "h3"}), IsInt(-1));
  EXPECT_THAT(Run({"scan", "0", "type", "hash"}).elems[1],
              StrArray(std::vector<std::string>{"h3"}));
  AdvanceTime(100'001);
  Run({"select", "1"});
  EXPECT_THAT(Run({"exists", "h2"}), IsInt(0));  // expired in its new database
  EXPECT_THAT(Run({"del", "h3"}), IsInt(0));
}

class HashScopeTest : public CommandTest {
 protected:
  HashScopeTest()
      : CommandTest([](server::Config& c) {
          c.scopes[0].default_ttl_ms = 60'000;  // state:
          c.scopes[1].max_value_size = 16;      // user:
        }) {}
};

TEST_F(HashScopeTest, ScopePolicyHoldsForHashes) {
  EXPECT_THAT(Run({"hset", "state:b:c1", "step", "1"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:c1"}), IsInt(60));
  const char* kErr =
      "ERR value too large: scope 'user' (keys starting with 'user:') allows at most 16 bytes";
  EXPECT_THAT(Run({"hset", "user:b:u1", "name", "Joe", "lang", "fr"}), IsInt(2));  // 11 bytes
  EXPECT_THAT(Run({"hset", "user:b:u1", "city", "Paris"}), ErrorIs(kErr));         // 20 bytes
  EXPECT_THAT(Run({"hgetall", "user:b:u1"}), ArrayOfSize(4));                      // unchanged
  EXPECT_THAT(Run({"hincrbyfloat", "user:b:u1", "score", "1"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"hsetnx", "user:b:u2", "f", std::string(20, 'x')}), ErrorIs(kErr));
  EXPECT_THAT(Run({"exists", "user:b:u2"}), IsInt(0));
  EXPECT_THAT(Run({"hset", "user:b:u1", "name", "Joseph"}), IsInt(0));  // 14 bytes
}

}  // namespace
}  // namespace stashd::test
