// The list commands through the dispatcher: replies and errors as Redis 7.0
// gives them (checked side by side with redis-server 7.0.15, RESP2 and
// RESP3), the argument-check order, WRONGTYPE both ways, the scope policy,
// and the element-level records each write reports to persistence.
#include <string>
#include <vector>

#include "commands/command_fixture.h"
#include "store/keyspace.h"
#include "store/types/list.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;
using Strings = std::vector<std::string>;

const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
const char* kNotInteger = "ERR value is not an integer or out of range";
const char* kSyntax = "ERR syntax error";

// Records the changes the keyspace reports, as "op<n> key args...".
class Recorder : public store::ChangeListener {
 public:
  void OnChange(const store::Change& c) override {
    std::string s;
    switch (c.kind) {
      case store::Change::Kind::kUpdate:
        s = "op" + std::to_string(c.op) + " " + std::string(c.key);
        for (std::string_view a : c.args) s += " " + std::string(a);
        break;
      case store::Change::Kind::kDelete:
        s = "del " + std::string(c.key);
        break;
      default:
        s = "other " + std::string(c.key);
    }
    log.push_back(s);
  }
  Strings log;
};

class ListFamilyTest : public CommandTest {
 protected:
  ListFamilyTest() { Listen(&recorder_); }
  ~ListFamilyTest() override { Listen(nullptr); }
  void Listen(store::ChangeListener* l) {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(l);
  }
  // The records since the last call.
  Strings Records() { return std::exchange(recorder_.log, {}); }
  RespValue Range(const std::string& key) { return Run({"lrange", key, "0", "-1"}); }

  Recorder recorder_;
};

TEST_F(ListFamilyTest, PushAndPopAtBothEnds) {
  EXPECT_THAT(Run({"lpush", "l", "b", "a"}), IsInt(2));
  EXPECT_THAT(Run({"rpush", "l", "c", "d"}), IsInt(4));
  EXPECT_THAT(Range("l"), StrArray(Strings{"a", "b", "c", "d"}));
  EXPECT_THAT(Run({"lpushx", "nokey", "a"}), IsInt(0));
  EXPECT_THAT(Run({"rpushx", "nokey", "a"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "nokey"}), IsInt(0));
  EXPECT_THAT(Run({"lpushx", "l", "0"}), IsInt(5));
  EXPECT_THAT(Run({"rpushx", "l", "e", "f"}), IsInt(7));
  EXPECT_EQ(Run({"lpop", "l"}), "0");
  EXPECT_EQ(Run({"rpop", "l"}), "f");
  EXPECT_THAT(Run({"lpop", "l", "2"}), StrArray(Strings{"a", "b"}));
  EXPECT_THAT(Run({"rpop", "l", "2"}), StrArray(Strings{"e", "d"}));
  EXPECT_THAT(Run({"lpop", "l", "0"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"rpop", "l", "10"}), StrArray(Strings{"c"}));
  EXPECT_THAT(Run({"exists", "l"}), IsInt(0));  // emptied: deleted
  EXPECT_THAT(Run({"lpop", "l"}), IsNil());
  EXPECT_EQ(RunRaw({"lpop", "l", "0"}), "*-1\r\n");
  EXPECT_EQ(RunRaw({"rpop", "l", "3"}), "*-1\r\n");
  EXPECT_EQ(Run({"type", "l"}), "none");
}

TEST_F(ListFamilyTest, PopCountErrors) {
  Run({"rpush", "l", "a"});
  const char* kPositive = "ERR value is out of range, must be positive";
  EXPECT_THAT(Run({"lpop", "l", "-1"}), ErrorIs(kPositive));
  EXPECT_THAT(Run({"lpop", "l", "abc"}), ErrorIs(kPositive));
  EXPECT_THAT(Run({"rpop", "nokey", "x"}), ErrorIs(kPositive));  // before the lookup
  EXPECT_THAT(Run({"lpop", "l", "1", "2"}),
              ErrorIs("ERR wrong number of arguments for 'lpop' command"));
  EXPECT_THAT(Run({"rpop", "l", "1", "2"}),
              ErrorIs("ERR wrong number of arguments for 'rpop' command"));
  EXPECT_THAT(Run({"lpush", "l"}), ErrorIs("ERR wrong number of arguments for 'lpush' command"));
  EXPECT_THAT(Run({"llen", "l"}), IsInt(1));
}

TEST_F(ListFamilyTest, RangeIndexAndLength) {
  Run({"rpush", "l", "a", "b", "c", "d", "e"});
  EXPECT_THAT(Run({"llen", "l"}), IsInt(5));
  EXPECT_THAT(Run({"llen", "nokey"}), IsInt(0));
  EXPECT_THAT(Run({"lrange", "l", "1", "2"}), StrArray(Strings{"b", "c"}));
  EXPECT_THAT(Run({"lrange", "l", "-2", "-1"}), StrArray(Strings{"d", "e"}));
  EXPECT_THAT(Run({"lrange", "l", "-100", "100"}), ArrayOfSize(5));
  EXPECT_THAT(Run({"lrange", "l", "3", "1"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"lrange", "l", "5", "10"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"lrange", "nokey", "0", "-1"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"lrange", "nokey", "x", "1"}), ErrorIs(kNotInteger));  // parsed first
  EXPECT_EQ(Run({"lindex", "l", "0"}), "a");
  EXPECT_EQ(Run({"lindex", "l", "-1"}), "e");
  EXPECT_THAT(Run({"lindex", "l", "5"}), IsNil());
  EXPECT_THAT(Run({"lindex", "l", "-6"}), IsNil());
  EXPECT_THAT(Run({"lindex", "l", "x"}), ErrorIs(kNotInteger));
  EXPECT_THAT(Run({"lindex", "nokey", "x"}), IsNil());  // the key is looked up first
}

TEST_F(ListFamilyTest, SetInsertRemoveTrim) {
  Run({"rpush", "l", "a", "b", "c"});
  EXPECT_EQ(Run({"lset", "l", "-1", "C"}), "OK");
  EXPECT_THAT(Run({"lset", "l", "3", "x"}), ErrorIs("ERR index out of range"));
  EXPECT_THAT(Run({"lset", "l", "-4", "x"}), ErrorIs("ERR index out of range"));
  EXPECT_THAT(Run({"lset", "l", "x", "x"}), ErrorIs(kNotInteger));
  EXPECT_THAT(Run({"lset", "nokey", "x", "v"}), ErrorIs("ERR no such key"));
  EXPECT_THAT(Run({"linsert", "l", "before", "a", "0"}), IsInt(4));
  EXPECT_THAT(Run({"linsert", "l", "AFTER", "C", "end"}), IsInt(5));
  EXPECT_THAT(Run({"linsert", "l", "after", "zz", "x"}), IsInt(-1));
  EXPECT_THAT(Run({"linsert", "l", "middle", "a", "x"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"linsert", "nokey", "middle", "a", "x"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"linsert", "nokey", "before", "a", "x"}), IsInt(0));
  EXPECT_THAT(Range("l"), StrArray(Strings{"0", "a", "b", "C", "end"}));
  Run({"rpush", "l", "a", "b", "a"});
  EXPECT_THAT(Run({"lrem", "l", "-1", "a"}), IsInt(1));
  EXPECT_THAT(Range("l"), StrArray(Strings{"0", "a", "b", "C", "end", "a", "b"}));
  EXPECT_THAT(Run({"lrem", "l", "0", "b"}), IsInt(2));
  EXPECT_THAT(Run({"lrem", "l", "1", "zz"}), IsInt(0));
  EXPECT_THAT(Run({"lrem", "nokey", "1", "a"}), IsInt(0));
  EXPECT_THAT(Run({"lrem", "nokey", "x", "a"}), ErrorIs(kNotInteger));
  EXPECT_EQ(Run({"ltrim", "l", "1", "-2"}), "OK");
  EXPECT_THAT(Range("l"), StrArray(Strings{"a", "C", "end"}));
  EXPECT_EQ(Run({"ltrim", "nokey", "0", "1"}), "OK");
  EXPECT_THAT(Run({"ltrim", "nokey", "x", "1"}), ErrorIs(kNotInteger));
  EXPECT_EQ(Run({"ltrim", "l", "5", "10"}), "OK");
  EXPECT_THAT(Run({"exists", "l"}), IsInt(0));
}

TEST_F(ListFamilyTest, LposOptionsAndErrors) {
  Run({"rpush", "l", "a", "b", "c", "a", "b", "c", "a"});
  EXPECT_THAT(Run({"lpos", "l", "a"}), IsInt(0));
  EXPECT_THAT(Run({"lpos", "l", "a", "rank", "2"}), IsInt(3));
  EXPECT_THAT(Run({"lpos", "l", "a", "RANK", "-1"}), IsInt(6));
  EXPECT_THAT(Run({"lpos", "l", "a", "rank", "-3"}), IsInt(0));
  EXPECT_THAT(Run({"lpos", "l", "a", "rank", "4"}), IsNil());
  EXPECT_THAT(Run({"lpos", "l", "a", "count", "0"}).elems,
              ElementsAre(IsInt(0), IsInt(3), IsInt(6)));
  EXPECT_THAT(Run({"lpos", "l", "a", "count", "2", "rank", "2"}).elems,
              ElementsAre(IsInt(3), IsInt(6)));
  EXPECT_THAT(Run({"lpos", "l", "a", "count", "0", "rank", "-1"}).elems,
              ElementsAre(IsInt(6), IsInt(3), IsInt(0)));
  EXPECT_THAT(Run({"lpos", "l", "a", "count", "0", "maxlen", "4"}).elems,
              ElementsAre(IsInt(0), IsInt(3)));
  EXPECT_THAT(Run({"lpos", "l", "a", "rank", "-1", "maxlen", "1"}), IsInt(6));
  EXPECT_THAT(Run({"lpos", "l", "b", "rank", "-1", "maxlen", "1"}), IsNil());
  EXPECT_THAT(Run({"lpos", "l", "zz", "count", "0"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"lpos", "nokey", "a"}), IsNil());
  EXPECT_THAT(Run({"lpos", "nokey", "a", "count", "1"}), ArrayOfSize(0));
  const char* kRankZero =
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
      "negative to start from the end of the list";
  EXPECT_THAT(Run({"lpos", "l", "a", "rank", "0"}), ErrorIs(kRankZero));
  EXPECT_THAT(Run({"lpos", "nokey", "a", "rank", "0"}), ErrorIs(kRankZero));
  EXPECT_THAT(Run({"lpos", "l", "a", "rank", "x"}), ErrorIs(kNotInteger));
  EXPECT_THAT(Run({"lpos", "l", "a", "count", "-1"}), ErrorIs("ERR COUNT can't be negative"));
  EXPECT_THAT(Run({"lpos", "l", "a", "count", "x"}), ErrorIs("ERR COUNT can't be negative"));
  EXPECT_THAT(Run({"lpos", "l", "a", "maxlen", "-1"}), ErrorIs("ERR MAXLEN can't be negative"));
  EXPECT_THAT(Run({"lpos", "l", "a", "rank"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lpos", "l", "a", "foo", "1"}), ErrorIs(kSyntax));
}

TEST_F(ListFamilyTest, MoveAndRotate) {
  Run({"rpush", "src", "a", "b", "c"});
  EXPECT_EQ(Run({"lmove", "src", "dst", "left", "right"}), "a");
  EXPECT_EQ(Run({"lmove", "src", "dst", "RIGHT", "LEFT"}), "c");
  EXPECT_THAT(Range("dst"), StrArray(Strings{"c", "a"}));
  EXPECT_EQ(Run({"rpoplpush", "src", "dst"}), "b");
  EXPECT_THAT(Run({"exists", "src"}), IsInt(0));
  EXPECT_THAT(Range("dst"), StrArray(Strings{"b", "c", "a"}));
  EXPECT_EQ(Run({"rpoplpush", "dst", "dst"}), "a");  // rotation
  EXPECT_EQ(Run({"lmove", "dst", "dst", "left", "right"}), "a");
  EXPECT_THAT(Range("dst"), StrArray(Strings{"b", "c", "a"}));
  EXPECT_THAT(Run({"rpoplpush", "nokey", "dst"}), IsNil());
  EXPECT_THAT(Run({"lmove", "nokey", "dst", "up", "left"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lmove", "nokey", "dst", "left", "down"}), ErrorIs(kSyntax));
  Run({"rpush", "one", "x"});
  EXPECT_EQ(Run({"rpoplpush", "one", "one"}), "x");
  EXPECT_THAT(Range("one"), StrArray(Strings{"x"}));
}

TEST_F(ListFamilyTest, WrongTypeBothWays) {
  Run({"set", "s", "x"});
  for (Strings cmd : {Strings{"lpush", "s", "a"},
                      {"rpushx", "s", "a"},
                      {"lpop", "s"},
                      {"rpop", "s", "2"},
                      {"llen", "s"},
                      {"lrange", "s", "0", "1"},
                      {"lindex", "s", "0"},
                      {"lset", "s", "0", "v"},
                      {"lrem", "s", "0", "v"},
                      {"ltrim", "s", "0", "1"},
                      {"linsert", "s", "before", "a", "b"},
                      {"lpos", "s", "a"},
                      {"rpoplpush", "s", "l"},
                      {"lmove", "s", "l", "left", "left"}}) {
    EXPECT_THAT(Run(cmd), ErrorIs(kWrongType)) << cmd[0];
  }
  Run({"rpush", "l", "a"});
  // The destination's type is checked only once the source exists.
  EXPECT_THAT(Run({"rpoplpush", "nokey", "s"}), IsNil());
  EXPECT_THAT(Run({"rpoplpush", "l", "s"}), ErrorIs(kWrongType));
  EXPECT_THAT(Range("l"), StrArray(Strings{"a"}));  // unchanged
  EXPECT_THAT(Run({"get", "l"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"hset", "l", "f", "v"}), ErrorIs(kWrongType));
  EXPECT_EQ(Run({"set", "l", "now a string"}), "OK");
}

TEST_F(ListFamilyTest, Resp3Nulls) {
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"lpop", "nokey"}), "_\r\n");
  EXPECT_EQ(RunRaw({"rpop", "nokey", "2"}), "_\r\n");
  EXPECT_EQ(RunRaw({"lindex", "nokey", "0"}), "_\r\n");
  EXPECT_EQ(RunRaw({"lpos", "nokey", "a"}), "_\r\n");
  EXPECT_EQ(RunRaw({"rpoplpush", "nokey", "x"}), "_\r\n");
  Run({"rpush", "l", "a"});
  EXPECT_EQ(RunRaw({"lpop", "l", "1"}), "*1\r\n$1\r\na\r\n");
}

TEST_F(ListFamilyTest, EachWriteRecordsWhatItChanged) {
  Records();
  Run({"rpush", "l", "a", "b", "c"});
  Run({"lpush", "l", "z"});
  Run({"lpushx", "nokey", "z"});
  EXPECT_THAT(Records(), ElementsAre("op2 l a b c", "op1 l z"));
  Run({"lpop", "l"});
  Run({"rpop", "l", "0"});
  Run({"rpop", "l", "1"});
  EXPECT_THAT(Records(), ElementsAre("op3 l 1", "op4 l 1"));
  Run({"lset", "l", "-1", "B"});
  Run({"linsert", "l", "after", "a", "x"});
  Run({"linsert", "l", "after", "zz", "x"});
  EXPECT_THAT(Records(), ElementsAre("op5 l 1 B", "op6 l 1 x"));
  Run({"lrem", "l", "-1", "x"});
  Run({"lrem", "l", "0", "zz"});
  Run({"ltrim", "l", "0", "-1"});
  Run({"ltrim", "l", "1", "-1"});
  EXPECT_THAT(Records(), ElementsAre("op7 l -1 x", "op8 l 0 -1", "op8 l 1 -1"));
  Run({"rpush", "l", "c"});
  Records();
  Run({"lmove", "l", "m", "left", "right"});
  Run({"rpoplpush", "l", "l"});
  EXPECT_THAT(Records(), ElementsAre("op3 l 1", "op2 m B", "op4 l 1", "op1 l c"));
  Run({"rpop", "l"});
  EXPECT_THAT(Records(), ElementsAre("op4 l 1", "del l"));
}

TEST_F(ListFamilyTest, LmpopPopsFromTheFirstNonEmptyList) {
  Run({"rpush", "b", "1", "2", "3"});
  Run({"rpush", "c", "x"});
  EXPECT_THAT(Run({"lmpop", "3", "a", "b", "c", "left"}).elems,
              ElementsAre("b", StrArray(Strings{"1"})));
  EXPECT_THAT(Run({"lmpop", "2", "a", "b", "RIGHT", "COUNT", "10"}).elems,
              ElementsAre("b", StrArray(Strings{"3", "2"})));
  EXPECT_THAT(Run({"exists", "b"}), IsInt(0));
  EXPECT_EQ(RunRaw({"lmpop", "2", "a", "b", "left"}), "*-1\r\n");
  Records();
  EXPECT_THAT(Run({"lmpop", "1", "c", "left", "count", "5"}).elems,
              ElementsAre("c", StrArray(Strings{"x"})));
  EXPECT_THAT(Records(), ElementsAre("op3 c 1", "del c"));
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"lmpop", "1", "a", "left"}), "_\r\n");
}

TEST_F(ListFamilyTest, LmpopArgumentErrors) {
  Run({"rpush", "l", "a"});
  Run({"set", "s", "x"});
  const char* kNumkeys = "ERR numkeys should be greater than 0";
  const char* kCount = "ERR count should be greater than 0";
  EXPECT_THAT(Run({"lmpop", "0", "l", "left"}), ErrorIs(kNumkeys));
  EXPECT_THAT(Run({"lmpop", "-1", "l", "left"}), ErrorIs(kNumkeys));
  EXPECT_THAT(Run({"lmpop", "x", "l", "left"}), ErrorIs(kNumkeys));
  EXPECT_THAT(Run({"lmpop", "2", "l", "left"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lmpop", "9223372036854775807", "l", "left"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lmpop", "1", "l", "middle"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lmpop", "1", "l", "left", "count", "0"}), ErrorIs(kCount));
  EXPECT_THAT(Run({"lmpop", "1", "l", "left", "count", "x"}), ErrorIs(kCount));
  EXPECT_THAT(Run({"lmpop", "1", "l", "left", "count", "1", "count", "1"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lmpop", "1", "l", "left", "count"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lmpop", "1", "l", "left", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"lmpop", "2", "nokey", "s", "left"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"lmpop", "2", "s", "l", "left"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"lmpop", "2", "l", "s", "left"}).elems,
              ElementsAre("l", StrArray(Strings{"a"})));
}

// Which writes make a WATCHed list's transaction fail: as in Redis, any
// LTRIM or LSET of an existing list, not a write that changed nothing.
TEST_F(ListFamilyTest, WatchFailsAfterWritesThatSignalTheKey) {
  Run({"rpush", "l", "x", "y"});
  TestClient& other = NewClient();
  auto exec_after = [&](const Strings& cmd) {
    Run({"watch", "l"});
    Run(other, cmd);
    Run({"multi"});
    Run({"ping"});
    return Run({"exec"});
  };
  EXPECT_THAT(exec_after({"ltrim", "l", "0", "-1"}), IsNil());
  EXPECT_THAT(exec_after({"lset", "l", "0", "x"}), IsNil());
  EXPECT_THAT(exec_after({"lrem", "l", "0", "zz"}), ArrayOfSize(1));
  EXPECT_THAT(exec_after({"linsert", "l", "before", "zz", "q"}), ArrayOfSize(1));
  EXPECT_THAT(exec_after({"lpop", "l", "0"}), ArrayOfSize(1));
  EXPECT_THAT(exec_after({"rpoplpush", "l", "l"}), IsNil());
}

class ListScopeTest : public CommandTest {
 protected:
  ListScopeTest()
      : CommandTest([](server::Config& c) {
          c.scopes[0].default_ttl_ms = 60'000;  // state:
          c.scopes[1].max_value_size = 8;       // user:
        }) {}
};

TEST_F(ListScopeTest, ScopePolicyHoldsForLists) {
  EXPECT_THAT(Run({"rpush", "state:b:q", "job"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:q"}), IsInt(60));
  const char* kErr =
      "ERR value too large: scope 'user' (keys starting with 'user:') allows at most 8 bytes";
  EXPECT_THAT(Run({"rpush", "user:b:l", "abcd", "efg"}), IsInt(2));  // 7 bytes
  EXPECT_THAT(Run({"rpush", "user:b:l", "hi"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"linsert", "user:b:l", "before", "abcd", "hi"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"lset", "user:b:l", "0", "abcdef"}), ErrorIs(kErr));
  EXPECT_EQ(Run({"lset", "user:b:l", "0", "abcde"}), "OK");  // 8 bytes
  EXPECT_THAT(Run({"lrange", "user:b:l", "0", "-1"}), StrArray(Strings{"abcde", "efg"}));
  Run({"rpush", "big", "123456789"});
  EXPECT_THAT(Run({"rpoplpush", "big", "user:b:m"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"llen", "big"}), IsInt(1));  // nothing moved
  EXPECT_THAT(Run({"exists", "user:b:m"}), IsInt(0));
  EXPECT_EQ(Run({"lmove", "state:b:q", "user:b:m", "left", "left"}), "job");
  EXPECT_THAT(Run({"ttl", "user:b:m"}), IsInt(-1));
}

TEST_F(ListFamilyTest, KeyLevelCommandsWorkOnLists) {
  Run({"rpush", "l", "a", "b"});
  EXPECT_EQ(Run({"type", "l"}), "list");
  EXPECT_THAT(Run({"expire", "l", "100"}), IsInt(1));
  EXPECT_EQ(Run({"rename", "l", "l2"}), "OK");
  EXPECT_THAT(Run({"copy", "l2", "l3"}), IsInt(1));
  EXPECT_THAT(Run({"rpush", "l3", "c"}), IsInt(3));
  EXPECT_THAT(Run({"llen", "l2"}), IsInt(2));  // the copy is independent
  EXPECT_THAT(Run({"scan", "0", "type", "list"}).elems[1], StrSet(Strings{"l2", "l3"}));
  EXPECT_THAT(Run({"persist", "l3"}), IsInt(1));  // the copy took the deadline too
  AdvanceTime(100'001);
  EXPECT_THAT(Run({"exists", "l2"}), IsInt(0));
  EXPECT_THAT(Run({"lrange", "l3", "0", "-1"}), StrArray(Strings{"a", "b", "c"}));
}

TEST_F(ListFamilyTest, LargeListIndexAndSetInTheMiddle) {
  std::vector<std::string> push = {"rpush", "big"};
  for (int i = 0; i < 20000; ++i) push.push_back(std::to_string(i));
  EXPECT_THAT(Run(push), IsInt(20000));
  EXPECT_EQ(Run({"lindex", "big", "10000"}), "10000");
  EXPECT_EQ(Run({"lset", "big", "10000", "mid"}), "OK");
  EXPECT_THAT(Run({"lrange", "big", "9999", "10001"}), StrArray(Strings{"9999", "mid", "10001"}));
  EXPECT_THAT(Run({"lpos", "big", "mid"}), IsInt(10000));
  EXPECT_THAT(Run({"lpos", "big", "19990", "rank", "-1"}), IsInt(19990));
}

}  // namespace
}  // namespace stashd::test
