// The set commands through the dispatcher: replies and errors as Redis 7.0
// gives them (checked side by side with redis-server 7.0.15), RESP2 and RESP3
// shapes, WRONGTYPE, encodings, what the write log is told, and the scope
// policy.
#include <set>
#include <string>
#include <vector>

#include "commands/command_fixture.h"
#include "store/keyspace.h"
#include "store/types/set.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;
using Strings = std::vector<std::string>;

const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

class SetFamilyTest : public CommandTest {
 protected:
  SetFamilyTest() { Run({"config", "set", "set-max-intset-entries", "512"}); }

  // OBJECT ENCODING of a set key, read from the keyspace.
  std::string Encoding(const std::string& key) {
    store::Keyspace& ks = server().keyspace();
    auto lock = ks.Lock(ks.ShardMaskOf(key));
    auto v = ks.Find(0, key);
    if (!v || v->type != store::ValueType::kSet) return "none";
    return std::string(v->object->Encoding());
  }
};

TEST_F(SetFamilyTest, AddRemoveAndMembership) {
  EXPECT_THAT(Run({"sadd", "s", "a", "b", "a"}), IsInt(2));
  EXPECT_THAT(Run({"sadd", "s", "b", "c"}), IsInt(1));
  EXPECT_THAT(Run({"scard", "s"}), IsInt(3));
  EXPECT_THAT(Run({"scard", "nokey"}), IsInt(0));
  EXPECT_THAT(Run({"sismember", "s", "a"}), IsInt(1));
  EXPECT_THAT(Run({"sismember", "s", "z"}), IsInt(0));
  EXPECT_THAT(Run({"sismember", "nokey", "a"}), IsInt(0));
  EXPECT_THAT(Run({"smismember", "s", "a", "z", "c"}).elems,
              ElementsAre(IsInt(1), IsInt(0), IsInt(1)));
  EXPECT_THAT(Run({"smismember", "nokey", "a", "b"}).elems, ElementsAre(IsInt(0), IsInt(0)));
  EXPECT_THAT(Run({"smembers", "s"}), StrSet(Strings{"a", "b", "c"}));
  EXPECT_THAT(Run({"smembers", "nokey"}), ArrayOfSize(0));
  EXPECT_EQ(Run({"type", "s"}), "set");
  EXPECT_THAT(Run({"srem", "s", "a", "z", "a"}), IsInt(1));
  EXPECT_THAT(Run({"srem", "nokey", "a"}), IsInt(0));
  EXPECT_THAT(Run({"srem", "s", "b", "c"}), IsInt(2));
  EXPECT_THAT(Run({"exists", "s"}), IsInt(0));  // emptied: deleted
  EXPECT_THAT(Run({"sadd", "s"}), ErrorIs("ERR wrong number of arguments for 'sadd' command"));
  EXPECT_THAT(Run({"smismember", "s"}),
              ErrorIs("ERR wrong number of arguments for 'smismember' command"));
}

TEST_F(SetFamilyTest, IntsetUntilTheLimitOrAString) {
  EXPECT_THAT(Run({"sadd", "i", "3", "1", "-2"}), IsInt(3));
  EXPECT_EQ(Encoding("i"), "intset");
  EXPECT_THAT(Run({"smembers", "i"}), StrArray(Strings{"-2", "1", "3"}));  // sorted, as Redis
  EXPECT_THAT(Run({"sadd", "i", "01"}), IsInt(1));  // not canonical: a string
  EXPECT_EQ(Encoding("i"), "hashtable");
  EXPECT_THAT(Run({"sismember", "i", "1"}), IsInt(1));
  EXPECT_THAT(Run({"sismember", "i", "01"}), IsInt(1));
  EXPECT_THAT(Run({"sadd", "big", "9223372036854775808"}), IsInt(1));
  EXPECT_EQ(Encoding("big"), "hashtable");
  EXPECT_EQ(Run({"config", "set", "set-max-intset-entries", "3"}), "OK");
  EXPECT_THAT(Run({"config", "get", "set-max-intset-entries"}),
              StrArray(Strings{"set-max-intset-entries", "3"}));
  EXPECT_THAT(Run({"sadd", "j", "1", "2", "3"}), IsInt(3));
  EXPECT_EQ(Encoding("j"), "intset");
  EXPECT_THAT(Run({"sadd", "j", "4"}), IsInt(1));
  EXPECT_EQ(Encoding("j"), "hashtable");
  EXPECT_THAT(Run({"srem", "j", "4"}), IsInt(1));
  EXPECT_EQ(Encoding("j"), "hashtable");  // never back
}

TEST_F(SetFamilyTest, WrongTypeFromEveryCommand) {
  Run({"set", "str", "x"});
  Run({"sadd", "s", "1"});
  for (const Strings& cmd : {Strings{"sadd", "str", "a"},
                             {"srem", "str", "a"},
                             {"sismember", "str", "a"},
                             {"smismember", "str", "a"},
                             {"scard", "str"},
                             {"smembers", "str"},
                             {"spop", "str"},
                             {"spop", "str", "1"},
                             {"srandmember", "str"},
                             {"srandmember", "str", "1"},
                             {"smove", "str", "s", "1"},
                             {"smove", "s", "str", "1"},
                             {"sinter", "s", "str"},
                             {"sinter", "nokey", "str"},  // every key is looked at
                             {"sintercard", "2", "nokey", "str"},
                             {"sinterstore", "d", "nokey", "str"},
                             {"sunion", "str"},
                             {"sunionstore", "d", "s", "str"},
                             {"sdiff", "nokey", "str"},
                             {"sdiffstore", "d", "s", "str"},
                             {"sscan", "str", "0"}}) {
    EXPECT_THAT(Run(cmd), ErrorIs(kWrongType)) << cmd[0] << " " << cmd[1];
  }
  EXPECT_THAT(Run({"smove", "nokey", "str", "1"}), IsInt(0));  // a missing source comes first
  EXPECT_THAT(Run({"exists", "d"}), IsInt(0));
  EXPECT_THAT(Run({"get", "s"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"hset", "s", "f", "v"}), ErrorIs(kWrongType));
}

TEST_F(SetFamilyTest, PopShapesAndErrors) {
  EXPECT_THAT(Run({"spop", "nokey"}), IsNil());
  EXPECT_THAT(Run({"spop", "nokey", "3"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"spop", "nokey", "-1"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"spop", "nokey", "x"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"spop", "nokey", "1", "2"}), ErrorIs("ERR syntax error"));
  Run({"sadd", "s", "a", "b", "c", "d", "e"});
  EXPECT_THAT(Run({"spop", "s", "0"}), ArrayOfSize(0));
  std::set<std::string> all = {"a", "b", "c", "d", "e"};
  std::set<std::string> popped;
  RespValue one = Run({"spop", "s"});
  ASSERT_TRUE(one.IsString());
  popped.insert(one.str);
  RespValue two = Run({"spop", "s", "2"});
  ASSERT_THAT(two, ArrayOfSize(2));
  for (const auto& e : two.elems) popped.insert(e.str);
  EXPECT_EQ(popped.size(), 3u);
  EXPECT_THAT(Run({"scard", "s"}), IsInt(2));
  for (const auto& p : popped) EXPECT_THAT(Run({"sismember", "s", p}), IsInt(0));
  RespValue rest = Run({"spop", "s", "10"});  // everything: the key goes
  ASSERT_THAT(rest, ArrayOfSize(2));
  for (const auto& e : rest.elems) popped.insert(e.str);
  EXPECT_EQ(popped, all);
  EXPECT_THAT(Run({"exists", "s"}), IsInt(0));
}

TEST_F(SetFamilyTest, RandMemberShapesAndErrors) {
  EXPECT_THAT(Run({"srandmember", "nokey"}), IsNil());
  EXPECT_THAT(Run({"srandmember", "nokey", "5"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"srandmember", "nokey", "-5"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"srandmember", "nokey", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"srandmember", "nokey", "1", "2"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"srandmember", "nokey", "-9223372036854775808"}),
              ErrorIs("ERR value is out of range, value must between -9223372036854775807 and "
                      "9223372036854775807"));
  for (const char* enc : {"ints", "strs"}) {
    const std::string key = enc;
    Strings members;
    for (int i = 0; i < 50; ++i) members.push_back((key == "ints" ? "" : "m") + std::to_string(i));
    Strings cmd = {"sadd", key};
    cmd.insert(cmd.end(), members.begin(), members.end());
    Run(cmd);
    const std::set<std::string> universe(members.begin(), members.end());
    EXPECT_TRUE(universe.count(Run({"srandmember", key}).str));
    EXPECT_THAT(Run({"srandmember", key, "0"}), ArrayOfSize(0));
    EXPECT_THAT(Run({"srandmember", key, "100"}), StrSet(members));
    EXPECT_THAT(Run({"srandmember", key, "9223372036854775807"}), StrSet(members));
    for (const char* n : {"5", "30", "49"}) {
      RespValue r = Run({"srandmember", key, n});
      ASSERT_THAT(r, ArrayOfSize(std::stoi(n)));
      std::set<std::string> distinct;
      for (const auto& e : r.elems) {
        EXPECT_TRUE(universe.count(e.str)) << e.str;
        distinct.insert(e.str);
      }
      EXPECT_EQ(distinct.size(), r.elems.size()) << n;  // no repeats
    }
    RespValue repeats = Run({"srandmember", key, "-200"});
    ASSERT_THAT(repeats, ArrayOfSize(200));
    for (const auto& e : repeats.elems) EXPECT_TRUE(universe.count(e.str)) << e.str;
    EXPECT_THAT(Run({"scard", key}), IsInt(50));  // nothing removed
  }
}

TEST_F(SetFamilyTest, Move) {
  Run({"sadd", "src", "a", "1"});
  Run({"sadd", "dst", "2"});
  EXPECT_THAT(Run({"smove", "src", "dst", "nope"}), IsInt(0));
  EXPECT_THAT(Run({"smove", "nokey", "dst", "a"}), IsInt(0));
  EXPECT_THAT(Run({"smove", "src", "dst", "a"}), IsInt(1));
  EXPECT_EQ(Encoding("dst"), "hashtable");
  EXPECT_THAT(Run({"smembers", "dst"}), StrSet(Strings{"a", "2"}));
  EXPECT_THAT(Run({"smove", "src", "src", "1"}), IsInt(1));  // same key: only a membership test
  EXPECT_THAT(Run({"smove", "src", "src", "a"}), IsInt(0));
  EXPECT_THAT(Run({"smove", "src", "new", "1"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "src"}), IsInt(0));  // emptied
  EXPECT_THAT(Run({"smembers", "new"}), StrArray(Strings{"1"}));
  EXPECT_EQ(Encoding("new"), "intset");
  Run({"sadd", "x", "2"});
  EXPECT_THAT(Run({"smove", "x", "dst", "2"}), IsInt(1));  // already there: still moved
  EXPECT_THAT(Run({"exists", "x"}), IsInt(0));
  EXPECT_THAT(Run({"scard", "dst"}), IsInt(2));
}

TEST_F(SetFamilyTest, InterUnionDiff) {
  Run({"sadd", "a", "1", "2", "3", "4", "5"});
  Run({"sadd", "b", "3", "4", "5", "6", "7"});
  Run({"sadd", "c", "x", "y", "3", "4"});
  EXPECT_THAT(Run({"sinter", "a", "b"}), StrSet(Strings{"3", "4", "5"}));
  EXPECT_THAT(Run({"sinter", "a", "b", "c"}), StrSet(Strings{"3", "4"}));
  EXPECT_THAT(Run({"sinter", "a", "a"}), StrSet(Strings{"1", "2", "3", "4", "5"}));
  EXPECT_THAT(Run({"sinter", "a", "nokey"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"sunion", "a", "nokey", "c"}),
              StrSet(Strings{"1", "2", "3", "4", "5", "x", "y"}));
  EXPECT_THAT(Run({"sdiff", "a", "b"}), StrSet(Strings{"1", "2"}));
  EXPECT_THAT(Run({"sdiff", "a", "nokey", "c"}), StrSet(Strings{"1", "2", "5"}));
  EXPECT_THAT(Run({"sdiff", "a", "a"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"sdiff", "nokey", "a"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"sintercard", "2", "a", "b"}), IsInt(3));
  EXPECT_THAT(Run({"sintercard", "2", "a", "b", "limit", "2"}), IsInt(2));
  EXPECT_THAT(Run({"sintercard", "2", "a", "b", "LIMIT", "0"}), IsInt(3));
  EXPECT_THAT(Run({"sintercard", "2", "a", "b", "limit", "1", "limit", "0"}), IsInt(3));
  EXPECT_THAT(Run({"sintercard", "3", "a", "b", "c"}), IsInt(2));
  EXPECT_THAT(Run({"sintercard", "2", "a", "nokey"}), IsInt(0));
}

TEST_F(SetFamilyTest, InterCardArgumentErrors) {
  EXPECT_THAT(Run({"sintercard", "0", "a"}), ErrorIs("ERR numkeys should be greater than 0"));
  EXPECT_THAT(Run({"sintercard", "-1", "a"}), ErrorIs("ERR numkeys should be greater than 0"));
  EXPECT_THAT(Run({"sintercard", "x", "a"}), ErrorIs("ERR numkeys should be greater than 0"));
  EXPECT_THAT(Run({"sintercard", "3", "a", "b"}),
              ErrorIs("ERR Number of keys can't be greater than number of args"));
  EXPECT_THAT(Run({"sintercard", "1", "a", "limit"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"sintercard", "1", "a", "b"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"sintercard", "1", "a", "limit", "-1"}), ErrorIs("ERR LIMIT can't be negative"));
  EXPECT_THAT(Run({"sintercard", "1", "a", "limit", "x"}), ErrorIs("ERR LIMIT can't be negative"));
  EXPECT_THAT(Run({"sintercard", "1"}),
              ErrorIs("ERR wrong number of arguments for 'sintercard' command"));
}

TEST_F(SetFamilyTest, StoreCommandsReplaceTheDestination) {
  Run({"sadd", "a", "1", "2", "3"});
  Run({"sadd", "b", "2", "3", "x"});
  Run({"set", "d", "a string"});
  EXPECT_THAT(Run({"expire", "d", "100"}), IsInt(1));
  EXPECT_THAT(Run({"sinterstore", "d", "a", "b"}), IsInt(2));
  EXPECT_EQ(Run({"type", "d"}), "set");
  EXPECT_THAT(Run({"ttl", "d"}), IsInt(-1));  // a new value
  EXPECT_THAT(Run({"smembers", "d"}), StrArray(Strings{"2", "3"}));
  EXPECT_EQ(Encoding("d"), "intset");
  EXPECT_THAT(Run({"sunionstore", "d", "a", "b"}), IsInt(4));
  EXPECT_EQ(Encoding("d"), "hashtable");
  EXPECT_THAT(Run({"smembers", "d"}), StrSet(Strings{"1", "2", "3", "x"}));
  EXPECT_THAT(Run({"sdiffstore", "d", "a", "b"}), IsInt(1));
  EXPECT_THAT(Run({"smembers", "d"}), StrArray(Strings{"1"}));
  EXPECT_THAT(Run({"sinterstore", "a", "a", "b"}), IsInt(2));  // a source as destination
  EXPECT_THAT(Run({"smembers", "a"}), StrSet(Strings{"2", "3"}));
  EXPECT_THAT(Run({"sinterstore", "d", "a", "nokey"}), IsInt(0));  // empty: deleted
  EXPECT_THAT(Run({"exists", "d"}), IsInt(0));
  Run({"sadd", "d", "z"});
  EXPECT_THAT(Run({"sdiffstore", "d", "a", "a"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "d"}), IsInt(0));
  Run({"sadd", "d", "z"});
  EXPECT_THAT(Run({"sunionstore", "d", "nokey"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "d"}), IsInt(0));
}

TEST_F(SetFamilyTest, ScanIntsetWholeAndHashtableByCursor) {
  EXPECT_THAT(Run({"sscan", "nokey", "0", "count", "0"}).elems, ElementsAre("0", ArrayOfSize(0)));
  Run({"sadd", "i", "1", "2", "3", "10"});
  EXPECT_THAT(Run({"sscan", "i", "x"}), ErrorIs("ERR invalid cursor"));
  EXPECT_THAT(Run({"sscan", "i", "0", "count", "0"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"sscan", "i", "0", "count", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"sscan", "i", "0", "type", "set"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"sscan", "i", "0", "match"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"sscan", "i", "0", "count", "1"}).elems,
              ElementsAre("0", StrArray(Strings{"1", "2", "3", "10"})));
  EXPECT_THAT(Run({"sscan", "i", "0", "match", "1*"}).elems,
              ElementsAre("0", StrArray(Strings{"1", "10"})));
  Strings cmd = {"sadd", "h"};
  for (int i = 0; i < 1000; ++i) cmd.push_back("m" + std::to_string(i));
  Run(cmd);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    RespValue r = Run({"sscan", "h", cursor, "count", "20"});
    ASSERT_THAT(r, ArrayOfSize(2));
    cursor = r.elems[0].str;
    EXPECT_LT(r.elems[1].elems.size(), 200u);
    for (const auto& e : r.elems[1].elems) seen.insert(e.str);
    ++calls;
  } while (cursor != "0" && calls < 10000);
  EXPECT_GT(calls, 10);  // a real cursor, COUNT-sized steps
  EXPECT_EQ(seen.size(), 1000u);
  RespValue matched = Run({"sscan", "h", "0", "match", "m99*", "count", "100000"});
  EXPECT_EQ(matched.elems[0], "0");
  EXPECT_THAT(matched.elems[1], StrSet(Strings{"m99", "m990", "m991", "m992", "m993", "m994",
                                               "m995", "m996", "m997", "m998", "m999"}));
}

TEST_F(SetFamilyTest, Resp3Shapes) {
  Run({"sadd", "s", "1"});
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"smembers", "s"}), "~1\r\n$1\r\n1\r\n");
  EXPECT_EQ(RunRaw({"smembers", "nokey"}), "~0\r\n");
  EXPECT_EQ(RunRaw({"sinter", "s", "s"}), "~1\r\n$1\r\n1\r\n");
  EXPECT_EQ(RunRaw({"sinter", "s", "nokey"}), "~0\r\n");
  EXPECT_EQ(RunRaw({"sunion", "s"}), "~1\r\n$1\r\n1\r\n");
  EXPECT_EQ(RunRaw({"sdiff", "nokey"}), "~0\r\n");
  EXPECT_EQ(RunRaw({"srandmember", "s", "5"}), "*1\r\n$1\r\n1\r\n");  // an array, as Redis 7.0
  EXPECT_EQ(RunRaw({"srandmember", "s", "-2"}), "*2\r\n$1\r\n1\r\n$1\r\n1\r\n");
  EXPECT_EQ(RunRaw({"srandmember", "nokey", "2"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"srandmember", "nokey"}), "_\r\n");
  EXPECT_EQ(RunRaw({"spop", "nokey"}), "_\r\n");
  EXPECT_EQ(RunRaw({"spop", "nokey", "1"}), "~0\r\n");
  EXPECT_EQ(RunRaw({"spop", "s", "0"}), "~0\r\n");
  Run({"sadd", "s", "2"});
  const std::string one = RunRaw({"spop", "s", "1"});
  EXPECT_TRUE(one == "~1\r\n$1\r\n1\r\n" || one == "~1\r\n$1\r\n2\r\n") << one;
  EXPECT_EQ(RunRaw({"smismember", "s", "x"}), "*1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"sscan", "nokey", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
}

// What the keyspace tells the write log: element changes, never a command
// whose effect depends on chance.
class SetLogTest : public SetFamilyTest {
 protected:
  struct Recorder : store::ChangeListener {
    void OnChange(const store::Change& c) override {
      using Kind = store::Change::Kind;
      std::string line;
      switch (c.kind) {
        case Kind::kUpdate:
          line = "update " + std::string(c.key) + " op" + std::to_string(c.op);
          for (auto a : c.args) line += " " + std::string(a);
          break;
        case Kind::kSet:
          line = "set " + std::string(c.key) + " " +
                 (c.object ? std::string(store::TypeName(c.object->type())) + ":" +
                                 std::to_string(c.object->Size())
                           : std::string(c.value));
          break;
        case Kind::kDelete:
          line = "del " + std::string(c.key);
          break;
        default:
          line = "other " + std::string(c.key);
      }
      lines.push_back(line);
    }
    Strings lines;
  };

  SetLogTest() {
    store::Keyspace& ks = server().keyspace();
    auto all = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(&recorder_);
  }
  ~SetLogTest() override {
    store::Keyspace& ks = server().keyspace();
    auto all = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(nullptr);
  }
  Strings Take() { return std::exchange(recorder_.lines, {}); }

  Recorder recorder_;
};

TEST_F(SetLogTest, ElementChangesAreRecorded) {
  Run({"sadd", "s", "a", "b", "a"});
  EXPECT_THAT(Take(), ElementsAre("update s op1 a b"));
  Run({"sadd", "s", "a"});  // nothing new: nothing recorded
  Run({"srem", "s", "zz"});
  Run({"smove", "s", "t", "zz"});
  EXPECT_THAT(Take(), ElementsAre());
  Run({"smove", "s", "t", "a"});
  EXPECT_THAT(Take(), ElementsAre("update s op2 a", "update t op1 a"));
  Run({"sadd", "s", "c", "d"});
  Take();
  RespValue popped = Run({"spop", "s", "2"});
  ASSERT_THAT(popped, ArrayOfSize(2));
  EXPECT_THAT(Take(),
              ElementsAre("update s op2 " + popped.elems[0].str + " " + popped.elems[1].str));
  RespValue one = Run({"spop", "s"});
  EXPECT_THAT(Take(), ElementsAre("update s op2 " + one.str, "del s"));
  Run({"sadd", "u", "1", "2"});
  Take();
  Run({"spop", "u", "5"});  // all of them: a delete, as Redis propagates it
  EXPECT_THAT(Take(), ElementsAre("del u"));
  Run({"sadd", "a", "1", "2"});
  Run({"sadd", "b", "2", "3"});
  Take();
  Run({"sunionstore", "d", "a", "b"});  // created whole: logged whole
  EXPECT_THAT(Take(), ElementsAre("set d set:3"));
  Run({"sinterstore", "d", "a", "nokey"});
  EXPECT_THAT(Take(), ElementsAre("del d"));
  Run({"srandmember", "a", "-5"});
  Run({"sinter", "a", "b"});
  EXPECT_THAT(Take(), ElementsAre());
}

class SetScopePolicyTest : public CommandTest {
 protected:
  SetScopePolicyTest()
      : CommandTest([](server::Config& c) {
          c.scopes[0].default_ttl_ms = 60'000;  // state:
          c.scopes[1].max_value_size = 8;       // user:
        }) {}
};

TEST_F(SetScopePolicyTest, ScopePolicyHoldsForSets) {
  const char* kErr =
      "ERR value too large: scope 'user' (keys starting with 'user:') allows at most 8 bytes";
  EXPECT_THAT(Run({"sadd", "state:b:c1", "x"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:c1"}), IsInt(60));
  EXPECT_THAT(Run({"sadd", "user:b:u1", "abc", "def", "abc"}), IsInt(2));  // 6 bytes
  EXPECT_THAT(Run({"sadd", "user:b:u1", "ghi"}), ErrorIs(kErr));           // 9 bytes
  EXPECT_THAT(Run({"sadd", "user:b:u1", "abc", "gh"}), IsInt(1));          // 8 bytes
  EXPECT_THAT(Run({"scard", "user:b:u1"}), IsInt(3));
  Run({"sadd", "big", "123456789"});
  EXPECT_THAT(Run({"smove", "big", "user:b:u2", "123456789"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"scard", "big"}), IsInt(1));  // unchanged
  EXPECT_THAT(Run({"exists", "user:b:u2"}), IsInt(0));
  EXPECT_THAT(Run({"sunionstore", "user:b:u3", "big"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"exists", "user:b:u3"}), IsInt(0));
  EXPECT_THAT(Run({"sunionstore", "state:b:c2", "big"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:c2"}), IsInt(60));
  EXPECT_THAT(Run({"smove", "big", "state:b:c3", "123456789"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:c3"}), IsInt(60));
}

}  // namespace
}  // namespace stashd::test
