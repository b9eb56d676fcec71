// The sorted set commands through the dispatcher: replies and errors as
// Redis 7.0 gives them (checked side by side with redis-server 7.0.15),
// RESP2 and RESP3 shapes, WRONGTYPE, encodings, the scope policy.
#include <map>
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class ZSetFamilyTest : public CommandTest {
 protected:
  ZSetFamilyTest() {
    Run({"config", "set", "zset-max-listpack-entries", "128"});
    Run({"config", "set", "zset-max-listpack-value", "64"});
  }
  // The raw RESP3 reply.
  std::string Raw3(std::vector<std::string> args) {
    Run({"hello", "3"});
    std::string r = RunRaw(std::move(args));
    Run({"hello", "2"});
    return r;
  }
  using Strs = std::vector<std::string>;
};

const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

TEST_F(ZSetFamilyTest, AddScoreCardAndRanks) {
  EXPECT_THAT(Run({"zadd", "z", "1", "a", "2", "b", "3", "c"}), IsInt(3));
  EXPECT_THAT(Run({"zadd", "z", "5", "a", "2", "b"}), IsInt(0));
  EXPECT_THAT(Run({"zcard", "z"}), IsInt(3));
  EXPECT_THAT(Run({"zcard", "nokey"}), IsInt(0));
  EXPECT_EQ(Run({"zscore", "z", "a"}), "5");
  EXPECT_THAT(Run({"zscore", "z", "nope"}), IsNil());
  EXPECT_THAT(Run({"zscore", "nokey", "a"}), IsNil());
  EXPECT_THAT(Run({"zmscore", "z", "a", "nope", "b"}).elems, ElementsAre("5", IsNil(), "2"));
  EXPECT_THAT(Run({"zmscore", "nokey", "a"}).elems, ElementsAre(IsNil()));
  EXPECT_THAT(Run({"zrank", "z", "a"}), IsInt(2));
  EXPECT_THAT(Run({"zrevrank", "z", "a"}), IsInt(0));
  EXPECT_THAT(Run({"zrank", "z", "nope"}), IsNil());
  EXPECT_THAT(Run({"zrevrank", "nokey", "a"}), IsNil());
  EXPECT_EQ(Run({"type", "z"}), "zset");
  EXPECT_THAT(Run({"zrem", "z", "a", "nope", "a"}), IsInt(1));
  EXPECT_THAT(Run({"zrem", "nokey", "a"}), IsInt(0));
  EXPECT_THAT(Run({"zrem", "z", "b", "c"}), IsInt(2));
  EXPECT_THAT(Run({"exists", "z"}), IsInt(0));  // emptied: deleted
}

TEST_F(ZSetFamilyTest, AddOptionsAndTheirErrors) {
  EXPECT_THAT(Run({"zadd", "z", "nx", "xx", "1", "a"}),
              ErrorIs("ERR XX and NX options at the same time are not compatible"));
  EXPECT_THAT(Run({"zadd", "z", "gt", "lt", "1", "a"}),
              ErrorIs("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_THAT(Run({"zadd", "z", "gt", "nx", "1", "a"}),
              ErrorIs("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_THAT(Run({"zadd", "z", "incr", "1", "a", "2", "b"}),
              ErrorIs("ERR INCR option supports a single increment-element pair"));
  EXPECT_THAT(Run({"zadd", "z", "nx", "1"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zadd", "z", "1", "a", "2"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zadd", "z", "nan", "a"}), ErrorIs("ERR value is not a valid float"));
  EXPECT_THAT(Run({"zadd", "z", "1", "a", "x", "b"}), ErrorIs("ERR value is not a valid float"));
  EXPECT_THAT(Run({"zadd", "z", "", "a"}), ErrorIs("ERR value is not a valid float"));
  EXPECT_THAT(Run({"exists", "z"}), IsInt(0));
  EXPECT_THAT(Run({"zadd", "z", "xx", "1", "a"}), IsInt(0));
  EXPECT_THAT(Run({"zadd", "z", "xx", "incr", "1", "a"}), IsNil());
  EXPECT_THAT(Run({"exists", "z"}), IsInt(0));
  EXPECT_THAT(Run({"zadd", "z", "10", "a", "20", "b"}), IsInt(2));
  EXPECT_THAT(Run({"zadd", "z", "nx", "1", "a", "5", "c"}), IsInt(1));
  EXPECT_EQ(Run({"zscore", "z", "a"}), "10");
  EXPECT_THAT(Run({"zadd", "z", "xx", "ch", "1", "a", "5", "d"}), IsInt(1));
  EXPECT_THAT(Run({"zscore", "z", "d"}), IsNil());
  EXPECT_THAT(Run({"zadd", "z", "gt", "ch", "0", "a", "30", "b", "7", "e"}), IsInt(2));
  EXPECT_EQ(Run({"zscore", "z", "a"}), "1");
  EXPECT_THAT(Run({"zadd", "z", "lt", "ch", "5", "b", "40", "a"}), IsInt(1));
  EXPECT_EQ(Run({"zscore", "z", "b"}), "5");
  EXPECT_EQ(Run({"zadd", "z", "incr", "1.5", "a"}), "2.5");
  EXPECT_THAT(Run({"zadd", "z", "incr", "gt", "-1", "a"}), IsNil());
  EXPECT_THAT(Run({"zadd", "z", "incr", "nx", "1", "a"}), IsNil());
  EXPECT_EQ(Run({"zadd", "z", "INCR", "LT", "-1", "a"}), "1.5");
}

TEST_F(ZSetFamilyTest, IncrByFormatsAndRefusesNaN) {
  EXPECT_EQ(Run({"zincrby", "z", "0.1", "a"}), "0.10000000000000001");
  EXPECT_EQ(Run({"zincrby", "z", "+inf", "a"}), "inf");
  EXPECT_THAT(Run({"zincrby", "z", "-inf", "a"}),
              ErrorIs("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(Run({"zscore", "z", "a"}), "inf");
  EXPECT_THAT(Run({"zincrby", "z", "x", "a"}), ErrorIs("ERR value is not a valid float"));
  EXPECT_THAT(Run({"zincrby", "z", "1e400", "a"}), ErrorIs("ERR value is not a valid float"));
  EXPECT_EQ(Run({"zincrby", "z", "-3", "b"}), "-3");
  EXPECT_EQ(Run({"zadd", "z", "incr", "1e20", "c"}), "1e+20");
  EXPECT_EQ(Raw3({"zincrby", "z", "1", "b"}), ",-2\r\n");
  EXPECT_EQ(Raw3({"zscore", "z", "a"}), ",inf\r\n");
  EXPECT_EQ(Raw3({"zmscore", "z", "b", "x"}), "*2\r\n,-2\r\n_\r\n");
}

TEST_F(ZSetFamilyTest, RangeByRankScoreAndLex) {
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_THAT(Run({"zrange", "z", "0", "-1"}), StrArray(Strs{"a", "b", "c", "d"}));
  EXPECT_THAT(Run({"zrange", "z", "-2", "-1", "withscores"}), StrArray(Strs{"c", "3", "d", "4"}));
  EXPECT_THAT(Run({"zrange", "z", "0", "1", "rev"}), StrArray(Strs{"d", "c"}));
  EXPECT_THAT(Run({"zrange", "z", "3", "1"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zrange", "z", "-100", "100"}), ArrayOfSize(4));
  EXPECT_THAT(Run({"zrevrange", "z", "1", "2", "withscores"}), StrArray(Strs{"c", "3", "b", "2"}));
  EXPECT_THAT(Run({"zrange", "nokey", "0", "-1"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zrange", "z", "(1", "3", "byscore"}), StrArray(Strs{"b", "c"}));
  EXPECT_THAT(Run({"zrange", "z", "+inf", "(1", "byscore", "rev", "limit", "1", "2"}),
              StrArray(Strs{"c", "b"}));
  EXPECT_THAT(Run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "2"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "-1"}),
              StrArray(Strs{"b", "c", "d"}));
  EXPECT_THAT(Run({"zrangebyscore", "z", "2", "3", "withscores"}),
              StrArray(Strs{"b", "2", "c", "3"}));
  EXPECT_THAT(Run({"zrevrangebyscore", "z", "3", "(1"}), StrArray(Strs{"c", "b"}));
  EXPECT_THAT(Run({"zrangebyscore", "z", "3", "2"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zcount", "z", "(1", "3"}), IsInt(2));
  EXPECT_THAT(Run({"zcount", "z", "3", "1"}), IsInt(0));
  EXPECT_THAT(Run({"zcount", "nokey", "1", "2"}), IsInt(0));

  Run({"zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"});
  EXPECT_THAT(Run({"zrangebylex", "l", "[b", "(e"}), StrArray(Strs{"b", "c", "d"}));
  EXPECT_THAT(Run({"zrange", "l", "(b", "+", "bylex", "limit", "1", "2"}),
              StrArray(Strs{"d", "e"}));
  EXPECT_THAT(Run({"zrevrangebylex", "l", "+", "[c"}), StrArray(Strs{"e", "d", "c"}));
  EXPECT_THAT(Run({"zlexcount", "l", "-", "+"}), IsInt(5));
  EXPECT_THAT(Run({"zlexcount", "l", "[b", "(d"}), IsInt(2));
}

TEST_F(ZSetFamilyTest, RangeErrorsInRedisOrder) {
  Run({"zadd", "z", "1", "a"});
  EXPECT_THAT(Run({"zrange", "z", "0", "-1", "limit", "1", "2"}),
              ErrorIs("ERR syntax error, LIMIT is only supported in combination with either "
                      "BYSCORE or BYLEX"));
  EXPECT_THAT(Run({"zrange", "z", "0", "-1", "limit", "0", "-1"}), StrArray(Strs{"a"}));
  EXPECT_THAT(Run({"zrange", "z", "-", "+", "bylex", "withscores"}),
              ErrorIs("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  EXPECT_THAT(Run({"zrevrange", "z", "0", "-1", "byscore"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zrangebyscore", "z", "0", "-1", "rev"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zrange", "z", "0", "1", "byscore", "bylex"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zrange", "z", "0", "1", "limit", "1"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zrange", "z", "a", "1"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"zrangebyscore", "z", "1", "nan"}), ErrorIs("ERR min or max is not a float"));
  EXPECT_THAT(Run({"zcount", "z", "x", "1"}), ErrorIs("ERR min or max is not a float"));
  EXPECT_THAT(Run({"zrangebylex", "z", "a", "[b"}),
              ErrorIs("ERR min or max not valid string range item"));
  EXPECT_THAT(Run({"zlexcount", "z", "+x", "[b"}),
              ErrorIs("ERR min or max not valid string range item"));
  Run({"set", "s", "x"});
  EXPECT_THAT(Run({"zrangebyscore", "s", "x", "1"}), ErrorIs("ERR min or max is not a float"));
  EXPECT_THAT(Run({"zrangebyscore", "s", "0", "1"}), ErrorIs(kWrongType));
}

TEST_F(ZSetFamilyTest, Resp3RangesArePairsWithDoubles) {
  Run({"zadd", "z", "1.5", "a", "inf", "b"});
  EXPECT_EQ(Raw3({"zrange", "z", "0", "-1", "withscores"}),
            "*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,inf\r\n");
  EXPECT_EQ(RunRaw({"zrange", "z", "0", "-1", "withscores"}),
            "*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$3\r\ninf\r\n");
  EXPECT_EQ(Raw3({"zrange", "z", "0", "0"}), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(Raw3({"zpopmin", "z"}), "*2\r\n$1\r\na\r\n,1.5\r\n");
  EXPECT_EQ(Raw3({"zpopmax", "z", "1"}), "*1\r\n*2\r\n$1\r\nb\r\n,inf\r\n");
  EXPECT_EQ(Raw3({"zpopmin", "nokey"}), "*0\r\n");
}

TEST_F(ZSetFamilyTest, RangeStoreReplacesOrDeletesTheDestination) {
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c"});
  Run({"set", "dst", "x"});
  EXPECT_THAT(Run({"zrangestore", "dst", "z", "1", "-1"}), IsInt(2));
  EXPECT_THAT(Run({"zrange", "dst", "0", "-1", "withscores"}), StrArray(Strs{"b", "2", "c", "3"}));
  EXPECT_THAT(Run({"zrangestore", "dst", "z", "(1", "+inf", "byscore", "limit", "1", "5"}),
              IsInt(1));
  EXPECT_THAT(Run({"zrange", "dst", "0", "-1"}), StrArray(Strs{"c"}));
  EXPECT_THAT(Run({"zrangestore", "dst", "z", "0", "-1", "withscores"}),
              ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zrangestore", "dst", "z", "0", "-1", "limit", "1", "2"}),
              ErrorIs("ERR syntax error, LIMIT is only supported in combination with either "
                      "BYSCORE or BYLEX"));
  EXPECT_THAT(Run({"zrangestore", "dst", "nokey", "0", "-1"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "dst"}), IsInt(0));
  EXPECT_THAT(Run({"zrangestore", "z", "z", "0", "0"}), IsInt(1));  // source = destination
  EXPECT_THAT(Run({"zrange", "z", "0", "-1"}), StrArray(Strs{"a"}));
  Run({"set", "s", "x"});
  EXPECT_THAT(Run({"zrangestore", "dst", "s", "0", "-1"}), ErrorIs(kWrongType));
}

TEST_F(ZSetFamilyTest, PopMinMaxAndMpop) {
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_THAT(Run({"zpopmin", "z"}), StrArray(Strs{"a", "1"}));
  EXPECT_THAT(Run({"zpopmax", "z", "2"}), StrArray(Strs{"d", "4", "c", "3"}));
  EXPECT_THAT(Run({"zpopmin", "z", "0"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zpopmin", "z", "-1"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"zpopmin", "z", "x"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"zpopmin", "z", "1", "2"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zpopmin", "nokey"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zpopmax", "z", "10"}), StrArray(Strs{"b", "2"}));
  EXPECT_THAT(Run({"exists", "z"}), IsInt(0));

  Run({"zadd", "z2", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(RunRaw({"zmpop", "2", "nokey", "z2", "min"}),
            "*2\r\n$2\r\nz2\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Raw3({"zmpop", "1", "z2", "max", "count", "5"}),
            "*2\r\n$2\r\nz2\r\n*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(RunRaw({"zmpop", "1", "z2", "min"}), "*-1\r\n");
  EXPECT_EQ(Raw3({"zmpop", "1", "z2", "min"}), "_\r\n");
  EXPECT_THAT(Run({"zmpop", "0", "z", "min"}), ErrorIs("ERR numkeys should be greater than 0"));
  EXPECT_THAT(Run({"zmpop", "a", "z", "min"}), ErrorIs("ERR numkeys should be greater than 0"));
  EXPECT_THAT(Run({"zmpop", "2", "z", "min"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zmpop", "1", "z", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zmpop", "1", "z", "min", "count", "0"}),
              ErrorIs("ERR count should be greater than 0"));
  EXPECT_THAT(Run({"zmpop", "1", "z", "min", "count", "1", "count", "2"}),
              ErrorIs("ERR syntax error"));
  Run({"set", "s", "x"});
  EXPECT_THAT(Run({"zmpop", "2", "nokey", "s", "min"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"zpopmin", "s", "0"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"zpopmin", "s", "-1"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"zpopmin", "nokey", "0"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zpopmin", "s"}), ErrorIs(kWrongType));
}

TEST_F(ZSetFamilyTest, RemRangeByRankScoreLex) {
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_THAT(Run({"zremrangebyrank", "z", "0", "0"}), IsInt(1));
  EXPECT_THAT(Run({"zremrangebyrank", "z", "10", "20"}), IsInt(0));
  EXPECT_THAT(Run({"zremrangebyscore", "z", "(2", "3"}), IsInt(1));
  EXPECT_THAT(Run({"zremrangebyscore", "z", "a", "3"}), ErrorIs("ERR min or max is not a float"));
  EXPECT_THAT(Run({"zrange", "z", "0", "-1"}), StrArray(Strs{"b", "d", "e"}));
  EXPECT_THAT(Run({"zremrangebyrank", "nokey", "0", "1"}), IsInt(0));
  Run({"zadd", "l", "0", "a", "0", "b", "0", "c"});
  EXPECT_THAT(Run({"zremrangebylex", "l", "[a", "(c"}), IsInt(2));
  EXPECT_THAT(Run({"zremrangebylex", "l", "a", "b"}),
              ErrorIs("ERR min or max not valid string range item"));
  EXPECT_THAT(Run({"zremrangebyrank", "z", "0", "-1"}), IsInt(3));
  EXPECT_THAT(Run({"exists", "z"}), IsInt(0));
}

TEST_F(ZSetFamilyTest, RandMember) {
  EXPECT_THAT(Run({"zrandmember", "nokey"}), IsNil());
  EXPECT_THAT(Run({"zrandmember", "nokey", "5"}), ArrayOfSize(0));
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_THAT(Run({"zrandmember", "z", "0"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zrandmember", "z", "10", "withscores"}),
              StrArray(Strs{"c", "3", "b", "2", "a", "1"}));
  EXPECT_THAT(Run({"zrandmember", "z", "-7"}), ArrayOfSize(7));
  RespValue two = Run({"zrandmember", "z", "2"});
  ASSERT_THAT(two, ArrayOfSize(2));
  EXPECT_NE(two.elems[0].str, two.elems[1].str);
  EXPECT_THAT(Run({"zrandmember", "z", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"zrandmember", "z", "1", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zrandmember", "z", "-9223372036854775808"}),
              ErrorIs("ERR value is out of range, value must between -9223372036854775807 and "
                      "9223372036854775807"));
  EXPECT_THAT(Run({"zrandmember", "z", "-9223372036854770000", "withscores"}),
              ErrorIs("ERR value is out of range"));
  EXPECT_EQ(Raw3({"zrandmember", "z", "-1", "withscores"}).substr(0, 8), "*1\r\n*2\r\n");
}

TEST_F(ZSetFamilyTest, UnionInterDiffAndStores) {
  Run({"zadd", "a", "1", "x", "2", "y", "3", "z"});
  Run({"zadd", "b", "10", "y", "20", "z", "30", "w"});
  EXPECT_THAT(Run({"zunion", "2", "a", "b", "withscores"}),
              StrArray(Strs{"x", "1", "y", "12", "z", "23", "w", "30"}));
  EXPECT_THAT(Run({"zunion", "2", "a", "b", "weights", "2", "3", "aggregate", "min"}),
              StrArray(Strs{"x", "y", "z", "w"}));
  EXPECT_THAT(Run({"zinter", "2", "a", "b", "aggregate", "max", "withscores"}),
              StrArray(Strs{"y", "10", "z", "20"}));
  EXPECT_THAT(Run({"zinter", "2", "a", "nokey"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"zdiff", "2", "a", "b", "withscores"}), StrArray(Strs{"x", "1"}));
  EXPECT_THAT(Run({"zdiff", "2", "a", "b", "weights", "1", "2"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zunion", "2", "a", "b", "aggregate", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zunion", "2", "a", "b", "weights", "1", "x"}),
              ErrorIs("ERR weight value is not a float"));
  EXPECT_THAT(Run({"zunion", "0", "a"}),
              ErrorIs("ERR at least 1 input key is needed for 'zunion' command"));
  EXPECT_THAT(Run({"ZUNIONSTORE", "d", "0", "a"}),
              ErrorIs("ERR at least 1 input key is needed for 'zunionstore' command"));
  EXPECT_THAT(Run({"zunion", "3", "a", "b"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zunion", "x", "a"}), ErrorIs("ERR value is not an integer or out of range"));

  EXPECT_THAT(Run({"zunionstore", "out", "2", "a", "b", "weights", "1", "-1"}), IsInt(4));
  EXPECT_THAT(Run({"zrange", "out", "0", "-1", "withscores"}),
              StrArray(Strs{"w", "-30", "z", "-17", "y", "-8", "x", "1"}));
  EXPECT_THAT(Run({"zunionstore", "out", "2", "a", "b", "withscores"}),
              ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"zinterstore", "out", "2", "a", "b"}), IsInt(2));
  EXPECT_THAT(Run({"zdiffstore", "out", "2", "b", "a"}), IsInt(1));
  EXPECT_THAT(Run({"zrange", "out", "0", "-1"}), StrArray(Strs{"w"}));
  EXPECT_THAT(Run({"zdiffstore", "out", "2", "a", "a"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "out"}), IsInt(0));

  EXPECT_THAT(Run({"zintercard", "2", "a", "b"}), IsInt(2));
  EXPECT_THAT(Run({"zintercard", "2", "a", "b", "limit", "1"}), IsInt(1));
  EXPECT_THAT(Run({"zintercard", "2", "a", "b", "limit", "-1"}),
              ErrorIs("ERR LIMIT can't be negative"));
  EXPECT_THAT(Run({"zintercard", "1", "a", "withscores"}), ErrorIs("ERR syntax error"));

  Run({"set", "s", "x"});
  EXPECT_THAT(Run({"zunion", "2", "a", "s"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"zunionstore", "out", "2", "a", "s", "bad", "option"}), ErrorIs(kWrongType));
}

TEST_F(ZSetFamilyTest, InfinitiesAggregateAsRedis) {
  Run({"zadd", "a", "inf", "x"});
  Run({"zadd", "b", "-inf", "x"});
  EXPECT_THAT(Run({"zunion", "2", "a", "b", "withscores"}), StrArray(Strs{"x", "0"}));
  EXPECT_THAT(Run({"zunion", "1", "a", "weights", "0", "withscores"}), StrArray(Strs{"x", "0"}));
}

// Edge cases found by comparing random command streams with redis-server:
// the order inputs aggregate in, NaN products past the first ZINTER input,
// and where -0 survives.
TEST_F(ZSetFamilyTest, AggregationEdgesMatchRedis) {
  Run({"zadd", "z", "-inf", "e", "0", "c"});
  // 2 * -inf, then 0 * -inf = NaN, which MAX ignores: e stays -inf.
  EXPECT_THAT(Run({"zinter", "2", "z", "z", "weights", "2", "0", "aggregate", "max", "withscores"}),
              StrArray(Strs{"e", "-inf", "c", "0"}));
  EXPECT_THAT(Run({"zunion", "1", "z", "weights", "-1", "withscores"}),
              StrArray(Strs{"c", "-0", "e", "inf"}));
  EXPECT_THAT(Run({"zunionstore", "d", "1", "z", "weights", "-1"}), IsInt(2));
  EXPECT_THAT(Run({"zrange", "d", "0", "-1", "withscores"}), StrArray(Strs{"c", "0", "e", "inf"}));
  EXPECT_THAT(Run({"zadd", "n", "-0", "a"}), IsInt(1));
  EXPECT_EQ(Run({"zscore", "n", "a"}), "0");
  EXPECT_THAT(Run({"zadd", "long", "-0", "a", "1", std::string(65, 'x')}), IsInt(2));
  EXPECT_EQ(Run({"zscore", "long", "a"}), "-0");
}

TEST_F(ZSetFamilyTest, ScanReturnsEverythingWithScoresAsText) {
  EXPECT_THAT(Run({"zscan", "nokey", "0"}).elems, ElementsAre("0", ArrayOfSize(0)));
  Run({"zadd", "z", "0.1", "one", "2", "two", "3", "three"});
  EXPECT_THAT(Run({"zscan", "z", "x"}), ErrorIs("ERR invalid cursor"));
  EXPECT_THAT(Run({"zscan", "z", "0", "count", "0"}), ErrorIs("ERR syntax error"));
  EXPECT_EQ(RunRaw({"zscan", "z", "0", "match", "t*"}),
            "*2\r\n$1\r\n0\r\n*4\r\n$3\r\ntwo\r\n$1\r\n2\r\n$5\r\nthree\r\n$1\r\n3\r\n");
  EXPECT_THAT(Run({"zscan", "z", "0"}).elems[1],
              StrArray(Strs{"one", "0.10000000000000001", "two", "2", "three", "3"}));
}

// Past zset-max-listpack-entries ZSCAN walks the member index of the skip
// list encoding with a real cursor, about COUNT members a call, each with
// its score as Redis 7.0 formats it ("%.17Lg", "inf").
TEST_F(ZSetFamilyTest, ScanOfASkipListTakesSeveralCallsAndSeesEveryMember) {
  Strs cmd = {"zadd", "z", "0.1", "tenth", "inf", "top", "-inf", "bottom"};
  for (int i = 0; i < 500; ++i) {
    cmd.push_back(std::to_string(i) + ".5");
    cmd.push_back("m" + std::to_string(i));
  }
  Run(cmd);
  EXPECT_EQ(Run({"object", "encoding", "z"}), "skiplist");
  std::map<std::string, std::string> expected = {
      {"tenth", "0.10000000000000001"}, {"top", "inf"}, {"bottom", "-inf"}};
  for (int i = 0; i < 500; ++i) expected["m" + std::to_string(i)] = std::to_string(i) + ".5";
  auto scan_all = [&](auto between) { return ScanPairs("zscan", "z", between); };
  EXPECT_EQ(scan_all([](int) {}), expected);

  // Members added during the scan (the index doubles, twice) and then
  // removed again (it shrinks) hide none of those there all along.
  std::map<std::string, std::string> seen = scan_all([&](int call) {
    Strs change = {call == 2 ? "zadd" : "zrem", "z"};
    if (call != 2 && call != 20) return;
    for (int i = 0; i < 2000; ++i) {
      if (call == 2) change.push_back("-1");
      change.push_back("new" + std::to_string(i));
    }
    Run(change);
  });
  for (const auto& [member, score] : expected) EXPECT_EQ(seen[member], score) << member;

  RespValue matched = Run({"zscan", "z", "0", "match", "t*", "count", "100000"});
  ASSERT_THAT(matched, ArrayOfSize(2));
  EXPECT_EQ(matched.elems[0], "0");
  EXPECT_THAT(matched.elems[1], StrSet(Strs{"tenth", "0.10000000000000001", "top", "inf"}));
}

TEST_F(ZSetFamilyTest, WrongTypeEverywhere) {
  Run({"set", "s", "x"});
  for (Strs cmd : {Strs{"zadd", "s", "1", "a"},
                   {"zincrby", "s", "1", "a"},
                   {"zscore", "s", "a"},
                   {"zmscore", "s", "a"},
                   {"zrem", "s", "a"},
                   {"zcard", "s"},
                   {"zcount", "s", "0", "1"},
                   {"zlexcount", "s", "-", "+"},
                   {"zrank", "s", "a"},
                   {"zrevrank", "s", "a"},
                   {"zrange", "s", "0", "1"},
                   {"zrangebylex", "s", "-", "+"},
                   {"zpopmax", "s"},
                   {"zrandmember", "s"},
                   {"zremrangebyrank", "s", "0", "1"},
                   {"zremrangebyscore", "s", "0", "1"},
                   {"zremrangebylex", "s", "-", "+"},
                   {"zinter", "1", "s"},
                   {"zdiffstore", "d", "1", "s"},
                   {"zintercard", "1", "s"},
                   {"zscan", "s", "0"}}) {
    EXPECT_THAT(Run(cmd), ErrorIs(kWrongType)) << cmd[0];
  }
  Run({"zadd", "z", "1", "a"});
  EXPECT_THAT(Run({"get", "z"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"hset", "z", "a", "b"}), ErrorIs(kWrongType));
}

TEST_F(ZSetFamilyTest, EncodingsFollowTheConfiguredLimits) {
  EXPECT_EQ(Run({"config", "get", "zset-max-ziplist-entries"}).elems[1], "128");
  Run({"config", "set", "zset-max-listpack-entries", "3"});
  Run({"zadd", "z", "1", "a", "2", "b", "3", "c"});
  Run({"zadd", "big", "1", "a", "2", "b", "3", "c", "4", "d"});
  Run({"zadd", "long", "1", std::string(65, 'x')});
  // Same answers from both encodings.
  EXPECT_THAT(Run({"zrange", "big", "1", "2", "withscores"}), StrArray(Strs{"b", "2", "c", "3"}));
  EXPECT_THAT(Run({"zrank", "big", "d"}), IsInt(3));
  EXPECT_THAT(Run({"zunionstore", "small", "1", "z"}), IsInt(3));
  Run({"config", "set", "zset-max-listpack-entries", "128"});
  EXPECT_THAT(Run({"zadd", "z", "4", "d"}), IsInt(1));
}

// What the write log receives: element changes with exact resulting scores,
// the members a pop or range removal took, a *STORE result whole; never the
// command itself.
class ZSetLogTest : public ZSetFamilyTest, public store::ChangeListener {
 protected:
  ZSetLogTest() {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(this);
  }
  ~ZSetLogTest() override {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(nullptr);
  }
  void OnChange(const store::Change& c) override {
    std::string s;
    switch (c.kind) {
      case store::Change::Kind::kSet:
        s = "set " + std::string(c.key) + " " + std::string(store::TypeName(c.type));
        break;
      case store::Change::Kind::kDelete:
        s = "del " + std::string(c.key);
        break;
      case store::Change::Kind::kUpdate:
        s = "update " + std::string(c.key) + " op" + std::to_string(c.op);
        for (std::string_view a : c.args) s += " " + std::string(a);
        break;
      default:
        s = "other";
    }
    records.push_back(s);
  }
  std::vector<std::string> records;
};

TEST_F(ZSetLogTest, RecordsElementChangesNeverCommands) {
  Run({"zadd", "z", "1", "a", "0.1", "b", "3", "c"});
  Run({"zadd", "z", "nx", "5", "a"});  // nothing changed: nothing recorded
  Run({"zincrby", "z", "0.2", "b"});
  Run({"zadd", "z", "incr", "-inf", "c"});
  Run({"zpopmin", "z"});
  Run({"zrem", "z", "nope"});
  Run({"zadd", "z", "2", "d", "4", "e"});
  Run({"zremrangebyscore", "z", "2", "(5"});
  Run({"zunionstore", "u", "1", "z", "weights", "2"});
  Run({"zdiffstore", "u", "1", "nokey"});
  EXPECT_THAT(records, ElementsAre("update z op1 a 1 b 0.10000000000000001 c 3",
                                   "update z op1 b 0.30000000000000004", "update z op1 c -inf",
                                   "update z op2 c", "update z op1 d 2 e 4", "update z op2 d e",
                                   "set u zset", "del u"));
}

class ZSetScopeTest : public CommandTest {
 protected:
  ZSetScopeTest()
      : CommandTest([](server::Config& c) {
          c.scopes[0].default_ttl_ms = 60'000;  // state:
          c.scopes[1].max_value_size = 40;      // user:
        }) {}
};

TEST_F(ZSetScopeTest, ScopePolicyHoldsForSortedSets) {
  EXPECT_THAT(Run({"zadd", "state:b:q", "1", "job"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:q"}), IsInt(60));
  EXPECT_THAT(Run({"zunionstore", "state:b:copy", "1", "state:b:q"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "state:b:copy"}), IsInt(60));
  const char* kErr =
      "ERR value too large: scope 'user' (keys starting with 'user:') allows at most 40 bytes";
  // Each member counts its bytes plus 8 for its score.
  EXPECT_THAT(Run({"zadd", "user:b:z", "1", "aaaaaaaaaa", "2", "bbbbbbbbbb"}), IsInt(2));  // 36
  EXPECT_THAT(Run({"zadd", "user:b:z", "3", "c"}), ErrorIs(kErr));                         // 45
  EXPECT_THAT(Run({"zcard", "user:b:z"}), IsInt(2));
  EXPECT_THAT(Run({"zadd", "user:b:z", "5", "aaaaaaaaaa"}), IsInt(0));  // an update fits
  EXPECT_THAT(Run({"zadd", "other", "1", "a", "2", "b", "3", "cccccccccccccccccccccc"}), IsInt(3));
  EXPECT_THAT(Run({"zunionstore", "user:b:u", "1", "other"}), ErrorIs(kErr));
  EXPECT_THAT(Run({"exists", "user:b:u"}), IsInt(0));
}

}  // namespace
}  // namespace stashd::test
