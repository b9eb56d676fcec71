// The string commands, run through the dispatcher on a fake clock. Every
// expected reply below was checked against redis-server 7.0.15.
#include <cstdint>
#include <string>
#include <vector>

#include "commands/command_fixture.h"
#include "server/exec/command.h"
#include "store/string_ops.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class StringFamilyTest : public CommandTest {
 protected:
  // PTTL: ms left, -1 without a deadline, -2 if the key is missing.
  int64_t Pttl(const std::string& key) {
    auto r = Run({"pttl", key});
    EXPECT_EQ(r.kind, RespValue::Kind::kInteger) << DebugString(r);
    return r.integer;
  }
};

const std::string kInvalidSetExpire = "ERR invalid expire time in 'set' command";
const std::string kNotInteger = "ERR value is not an integer or out of range";
const std::string kNotFloat = "ERR value is not a valid float";
const std::string kSyntax = "ERR syntax error";

// ---- GET SET ----

TEST_F(StringFamilyTest, GetAndSet) {
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Run({"SET", "k", "w"}), "OK");
  EXPECT_EQ(Run({"GET", "k"}), "w");
  EXPECT_EQ(Run({"set", "k", ""}), "OK");
  EXPECT_EQ(RunRaw({"get", "k"}), "$0\r\n\r\n");
  EXPECT_EQ(RunRaw({"get", "nope"}), "$-1\r\n");
}

TEST_F(StringFamilyTest, GetNilIsResp3Null) {
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"get", "nope"}), "_\r\n");
  EXPECT_EQ(RunRaw({"set", "k", "v", "NX", "GET"}), "_\r\n");
  EXPECT_EQ(RunRaw({"set", "k", "v", "NX"}), "_\r\n");
  EXPECT_EQ(RunRaw({"set", "k", "v", "nx", "xx"}), "-ERR syntax error\r\n");
}

TEST_F(StringFamilyTest, ValuesAndKeysAreBinarySafe) {
  const std::string key("k\0ey", 4);
  const std::string value("a\0b\r\nc\0", 7);
  EXPECT_EQ(Run({"set", key, value}), "OK");
  EXPECT_EQ(Run({"get", key}), value);
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  EXPECT_THAT(Run({"strlen", key}), IsInt(7));
  EXPECT_THAT(Run({"append", key, std::string("\0z", 2)}), IsInt(9));
  EXPECT_EQ(Run({"get", key}), value + std::string("\0z", 2));
  EXPECT_EQ(Run({"getrange", key, "1", "3"}), std::string("\0b\r", 3));
  EXPECT_EQ(Run({"getset", key, std::string("\0", 1)}), value + std::string("\0z", 2));
  EXPECT_EQ(Run({"getdel", key}), std::string("\0", 1));
}

TEST_F(StringFamilyTest, WrongArity) {
  EXPECT_THAT(Run({"get"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  EXPECT_THAT(Run({"SET", "k"}), ErrorIs("ERR wrong number of arguments for 'set' command"));
  EXPECT_THAT(Run({"setex", "k", "10"}),
              ErrorIs("ERR wrong number of arguments for 'setex' command"));
}

// ---- SET options ----

TEST_F(StringFamilyTest, SetNxXx) {
  EXPECT_THAT(Run({"set", "k", "v", "XX"}), IsNil());
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  EXPECT_EQ(Run({"set", "k", "v", "NX"}), "OK");
  EXPECT_THAT(Run({"set", "k", "w", "nx"}), IsNil());
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Run({"set", "k", "w", "xx"}), "OK");
  EXPECT_EQ(Run({"get", "k"}), "w");
  // Repeating the same condition is allowed.
  EXPECT_THAT(Run({"set", "k", "x", "nx", "nx"}), IsNil());
  EXPECT_EQ(Run({"set", "k", "x", "XX", "XX"}), "OK");
}

TEST_F(StringFamilyTest, SetSyntaxErrors) {
  EXPECT_THAT(Run({"set", "k", "v", "NX", "XX"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "XX", "NX"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "KEEPTTL", "EX", "10"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "EX", "10", "KEEPTTL"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "ex", "10", "px", "100"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "px", "100", "ex", "10"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "EXAT", "10", "PXAT", "100"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "EX"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"set", "k", "v", "PERSIST"}), ErrorIs(kSyntax));
  // The syntax is checked before the expire value.
  EXPECT_THAT(Run({"set", "k", "v", "EX", "abc", "FOO"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"get", "k"}), IsNil());
}

TEST_F(StringFamilyTest, SetInvalidExpire) {
  EXPECT_THAT(Run({"set", "k", "v", "EX", "0"}), ErrorIs(kInvalidSetExpire));
  EXPECT_THAT(Run({"set", "k", "v", "EX", "-1"}), ErrorIs(kInvalidSetExpire));
  EXPECT_THAT(Run({"set", "k", "v", "PX", "0"}), ErrorIs(kInvalidSetExpire));
  EXPECT_THAT(Run({"set", "k", "v", "EXAT", "0"}), ErrorIs(kInvalidSetExpire));
  EXPECT_THAT(Run({"set", "k", "v", "PXAT", "-5"}), ErrorIs(kInvalidSetExpire));
  // Seconds that overflow when made milliseconds, and deadlines past 2^63.
  EXPECT_THAT(Run({"set", "k", "v", "EX", "9223372036854776"}), ErrorIs(kInvalidSetExpire));
  EXPECT_THAT(Run({"set", "k", "v", "EX", "9223372036854775"}), ErrorIs(kInvalidSetExpire));
  EXPECT_THAT(Run({"set", "k", "v", "PX", "9223372036854775807"}), ErrorIs(kInvalidSetExpire));
  EXPECT_THAT(Run({"set", "k", "v", "EXAT", "9223372036854776"}), ErrorIs(kInvalidSetExpire));
  for (const char* bad : {"abc", "1.5", " 1", "01", "+1", "", "9223372036854775808"}) {
    EXPECT_THAT(Run({"set", "k", "v", "EX", bad}), ErrorIs(kNotInteger)) << bad;
  }
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  // The largest absolute deadlines are fine.
  EXPECT_EQ(Run({"set", "k", "v", "PXAT", "9223372036854775807"}), "OK");
  EXPECT_EQ(Pttl("k"), INT64_MAX - NowMs());
  EXPECT_EQ(Run({"set", "k", "v", "EXAT", "9223372036854775"}), "OK");
  EXPECT_EQ(Pttl("k"), 9223372036854775000 - NowMs());
}

TEST_F(StringFamilyTest, SetPxExpires) {
  EXPECT_EQ(Run({"set", "k", "v", "PX", "20"}), "OK");
  EXPECT_EQ(Pttl("k"), 20);
  AdvanceTime(19);
  EXPECT_EQ(Run({"get", "k"}), "v");
  // As in Redis, a key expires once the clock is past its deadline.
  AdvanceTime(1);
  EXPECT_EQ(Run({"get", "k"}), "v");
  AdvanceTime(1);
  EXPECT_THAT(Run({"get", "k"}), IsNil());
}

TEST_F(StringFamilyTest, SetExExatPxat) {
  EXPECT_EQ(Run({"set", "k", "v", "ex", "2"}), "OK");
  EXPECT_EQ(Pttl("k"), 2000);
  AdvanceTime(2001);
  EXPECT_THAT(Run({"get", "k"}), IsNil());

  // EX twice: the last one wins.
  EXPECT_EQ(Run({"set", "k", "v", "EX", "10", "EX", "20"}), "OK");
  EXPECT_EQ(Pttl("k"), 20000);

  const int64_t at_s = NowMs() / 1000 + 10;
  EXPECT_EQ(Run({"set", "k", "v", "EXAT", std::to_string(at_s)}), "OK");
  EXPECT_EQ(Pttl("k"), at_s * 1000 - NowMs());

  EXPECT_EQ(Run({"set", "k", "v", "pxat", std::to_string(NowMs() + 50)}), "OK");
  AdvanceTime(50);
  EXPECT_EQ(Run({"get", "k"}), "v");
  AdvanceTime(1);
  EXPECT_THAT(Run({"get", "k"}), IsNil());
}

TEST_F(StringFamilyTest, SetWithDeadlineInThePastDeletesTheKey) {
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"set", "k", "w", "EXAT", "1"}), "OK");
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  EXPECT_THAT(Run({"exists", "k"}), IsInt(0));
  EXPECT_EQ(Run({"set", "k2", "w", "PXAT", std::to_string(NowMs() - 1)}), "OK");
  EXPECT_THAT(Run({"dbsize"}), IsInt(0));
  // With GET the old value is still returned.
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"set", "k", "w", "EXAT", "1", "GET"}), "v");
  EXPECT_THAT(Run({"get", "k"}), IsNil());
}

TEST_F(StringFamilyTest, SetDropsTtlUnlessKeepTtl) {
  EXPECT_EQ(Run({"set", "k", "v", "EX", "100"}), "OK");
  EXPECT_EQ(Run({"set", "k", "w"}), "OK");
  EXPECT_EQ(Pttl("k"), -1);

  EXPECT_EQ(Run({"set", "k", "v", "PX", "100"}), "OK");
  EXPECT_EQ(Run({"set", "k", "w", "keepttl"}), "OK");
  EXPECT_EQ(Pttl("k"), 100);
  EXPECT_EQ(Run({"set", "k", "x", "KEEPTTL", "KEEPTTL"}), "OK");
  AdvanceTime(101);
  EXPECT_THAT(Run({"get", "k"}), IsNil());

  // KEEPTTL on a new key: no TTL.
  EXPECT_EQ(Run({"set", "k", "v", "KEEPTTL"}), "OK");
  EXPECT_EQ(Pttl("k"), -1);
}

TEST_F(StringFamilyTest, SetGet) {
  EXPECT_THAT(Run({"set", "k", "v", "GET"}), IsNil());
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Run({"set", "k", "w", "get"}), "v");
  EXPECT_EQ(Run({"get", "k"}), "w");
  EXPECT_EQ(Run({"set", "k", "x", "GET", "GET"}), "w");
  // With NX / XX the old value is returned whether or not the write happens.
  EXPECT_EQ(Run({"set", "k", "y", "NX", "GET"}), "x");
  EXPECT_EQ(Run({"set", "k", "y", "GET", "NX"}), "x");
  EXPECT_EQ(Run({"get", "k"}), "x");
  EXPECT_THAT(Run({"set", "k2", "y", "XX", "GET"}), IsNil());
  EXPECT_THAT(Run({"get", "k2"}), IsNil());
  EXPECT_THAT(Run({"set", "k3", "y", "NX", "GET"}), IsNil());
  EXPECT_EQ(Run({"get", "k3"}), "y");
  // An invalid expire is reported before anything is read or written.
  EXPECT_THAT(Run({"set", "k", "z", "GET", "EX", "0"}), ErrorIs(kInvalidSetExpire));
  EXPECT_EQ(Run({"set", "k", "z", "GET", "EX", "10"}), "x");
  EXPECT_EQ(Pttl("k"), 10000);
}

TEST_F(StringFamilyTest, SetNx) {
  EXPECT_THAT(Run({"setnx", "k", "1"}), IsInt(1));
  EXPECT_THAT(Run({"setnx", "k", "2"}), IsInt(0));
  EXPECT_EQ(Run({"get", "k"}), "1");
  EXPECT_EQ(Run({"set", "e", "v", "PX", "5"}), "OK");
  AdvanceTime(6);
  EXPECT_THAT(Run({"setnx", "e", "w"}), IsInt(1));
  EXPECT_EQ(Run({"get", "e"}), "w");
}

TEST_F(StringFamilyTest, SetExAndPsetEx) {
  EXPECT_EQ(Run({"setex", "k", "100", "v"}), "OK");
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Pttl("k"), 100000);
  EXPECT_EQ(Run({"psetex", "p", "1500", "v"}), "OK");
  EXPECT_EQ(Pttl("p"), 1500);
  AdvanceTime(1501);
  EXPECT_THAT(Run({"get", "p"}), IsNil());
  EXPECT_EQ(Run({"get", "k"}), "v");

  EXPECT_THAT(Run({"setex", "k", "0", "v"}), ErrorIs("ERR invalid expire time in 'setex' command"));
  EXPECT_THAT(Run({"setex", "k", "-5", "v"}),
              ErrorIs("ERR invalid expire time in 'setex' command"));
  EXPECT_THAT(Run({"setex", "k", "9223372036854775", "v"}),
              ErrorIs("ERR invalid expire time in 'setex' command"));
  EXPECT_THAT(Run({"psetex", "k", "0", "v"}),
              ErrorIs("ERR invalid expire time in 'psetex' command"));
  EXPECT_THAT(Run({"setex", "k", "abc", "v"}), ErrorIs(kNotInteger));
  EXPECT_THAT(Run({"psetex", "k", "1.5", "v"}), ErrorIs(kNotInteger));
}

// ---- MGET MSET MSETNX ----

TEST_F(StringFamilyTest, MGet) {
  EXPECT_EQ(Run({"mset", "a", "1", "b", "2"}), "OK");
  EXPECT_EQ(Run({"set", "e", "v", "PX", "5"}), "OK");
  AdvanceTime(6);
  auto r = Run({"mget", "a", "b", "nokey", "e", "a"});
  ASSERT_THAT(r, ArrayOfSize(5));
  EXPECT_THAT(r.elems, ElementsAre("1", "2", IsNil(), IsNil(), "1"));
  EXPECT_EQ(RunRaw({"mget", "a", "x"}), "*2\r\n$1\r\n1\r\n$-1\r\n");
}

TEST_F(StringFamilyTest, MSet) {
  EXPECT_EQ(Run({"set", "a", "old", "EX", "100"}), "OK");
  EXPECT_EQ(Run({"mset", "a", "1", "b", "2", "a", "3"}), "OK");
  EXPECT_THAT(Run({"mget", "a", "b"}), StrArray(std::vector<std::string>{"3", "2"}));
  EXPECT_EQ(Pttl("a"), -1);  // MSET drops the TTL
  EXPECT_THAT(Run({"mset", "a"}), ErrorIs("ERR wrong number of arguments for 'mset' command"));
  EXPECT_THAT(Run({"MSET", "a", "1", "b"}),
              ErrorIs("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(Run({"get", "a"}), "3");
}

TEST_F(StringFamilyTest, MSetNxIsAllOrNothing) {
  EXPECT_EQ(Run({"set", "a", "1"}), "OK");
  EXPECT_THAT(Run({"msetnx", "x", "1", "a", "2", "y", "3"}), IsInt(0));
  EXPECT_THAT(Run({"mget", "x", "a", "y"}).elems, ElementsAre(IsNil(), "1", IsNil()));

  EXPECT_THAT(Run({"msetnx", "x", "1", "y", "2"}), IsInt(1));
  EXPECT_THAT(Run({"mget", "x", "y"}), StrArray(std::vector<std::string>{"1", "2"}));
  // A key named twice takes its last value.
  EXPECT_THAT(Run({"msetnx", "z", "1", "z", "2"}), IsInt(1));
  EXPECT_EQ(Run({"get", "z"}), "2");
  // An expired key counts as missing.
  EXPECT_EQ(Run({"set", "e", "v", "PX", "5"}), "OK");
  AdvanceTime(6);
  EXPECT_THAT(Run({"msetnx", "e", "w", "f", "v"}), IsInt(1));
  EXPECT_EQ(Run({"get", "e"}), "w");

  EXPECT_THAT(Run({"msetnx", "q"}), ErrorIs("ERR wrong number of arguments for 'msetnx' command"));
  EXPECT_THAT(Run({"MSETNX", "q", "1", "r"}),
              ErrorIs("ERR wrong number of arguments for 'msetnx' command"));
  EXPECT_THAT(Run({"get", "q"}), IsNil());
}

// ---- GETSET GETDEL GETEX ----

TEST_F(StringFamilyTest, GetSet) {
  EXPECT_THAT(Run({"getset", "k", "v"}), IsNil());
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Run({"set", "k", "v", "EX", "100"}), "OK");
  EXPECT_EQ(Run({"getset", "k", "w"}), "v");
  EXPECT_EQ(Run({"get", "k"}), "w");
  EXPECT_EQ(Pttl("k"), -1);  // GETSET clears the TTL
}

TEST_F(StringFamilyTest, GetDel) {
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"getdel", "k"}), "v");
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  EXPECT_THAT(Run({"getdel", "k"}), IsNil());
  EXPECT_THAT(Run({"getdel", "k", "x"}),
              ErrorIs("ERR wrong number of arguments for 'getdel' command"));
}

TEST_F(StringFamilyTest, GetExWithoutOptionIsGet) {
  EXPECT_THAT(Run({"getex", "k"}), IsNil());
  EXPECT_EQ(Run({"set", "k", "v", "PX", "100"}), "OK");
  EXPECT_EQ(Run({"getex", "k"}), "v");
  EXPECT_EQ(Pttl("k"), 100);
}

TEST_F(StringFamilyTest, GetExSetsTheTtl) {
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"getex", "k", "EX", "100"}), "v");
  EXPECT_EQ(Pttl("k"), 100000);
  EXPECT_EQ(Run({"getex", "k", "px", "30"}), "v");
  EXPECT_EQ(Pttl("k"), 30);
  EXPECT_EQ(Run({"getex", "k", "EX", "10", "EX", "20"}), "v");
  EXPECT_EQ(Pttl("k"), 20000);
  const int64_t at_s = NowMs() / 1000 + 50;
  EXPECT_EQ(Run({"getex", "k", "EXAT", std::to_string(at_s)}), "v");
  EXPECT_EQ(Pttl("k"), at_s * 1000 - NowMs());
  EXPECT_EQ(Run({"getex", "k", "PXAT", std::to_string(NowMs() + 10)}), "v");
  AdvanceTime(10);
  EXPECT_EQ(Run({"getex", "k"}), "v");
  AdvanceTime(1);
  EXPECT_THAT(Run({"getex", "k"}), IsNil());
}

TEST_F(StringFamilyTest, GetExPersist) {
  EXPECT_EQ(Run({"set", "k", "v", "PX", "20"}), "OK");
  EXPECT_EQ(Run({"getex", "k", "PERSIST"}), "v");
  EXPECT_EQ(Pttl("k"), -1);
  AdvanceTime(100);
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Run({"getex", "k", "persist", "PERSIST"}), "v");
}

TEST_F(StringFamilyTest, GetExDeadlineInThePastDeletes) {
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"getex", "k", "EXAT", "1"}), "v");
  EXPECT_THAT(Run({"exists", "k"}), IsInt(0));
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");
  EXPECT_EQ(Run({"getex", "k", "PXAT", std::to_string(NowMs())}), "v");
  EXPECT_THAT(Run({"exists", "k"}), IsInt(0));
}

TEST_F(StringFamilyTest, GetExErrors) {
  EXPECT_THAT(Run({"getex", "nokey", "FOO"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"getex", "nokey", "EX"}), ErrorIs(kSyntax));
  // A missing key answers nil before the expire value is checked.
  EXPECT_THAT(Run({"getex", "nokey", "EX", "abc"}), IsNil());
  EXPECT_THAT(Run({"getex", "nokey", "EX", "0"}), IsNil());

  EXPECT_EQ(Run({"set", "k", "v", "PX", "500"}), "OK");
  for (std::vector<std::string> opts :
       std::vector<std::vector<std::string>>{{"PX", "100", "PERSIST"},
                                             {"PERSIST", "PX", "100"},
                                             {"ex", "10", "px", "10"},
                                             {"KEEPTTL"},
                                             {"NX"},
                                             {"XX"},
                                             {"GET"}}) {
    std::vector<std::string> args = {"getex", "k"};
    args.insert(args.end(), opts.begin(), opts.end());
    EXPECT_THAT(Run(args), ErrorIs(kSyntax)) << opts[0];
  }
  EXPECT_THAT(Run({"getex", "k", "EX", "0"}),
              ErrorIs("ERR invalid expire time in 'getex' command"));
  EXPECT_THAT(Run({"getex", "k", "EX", "9223372036854775"}),
              ErrorIs("ERR invalid expire time in 'getex' command"));
  EXPECT_THAT(Run({"getex", "k", "EX", "abc"}), ErrorIs(kNotInteger));
  EXPECT_EQ(Pttl("k"), 500);  // untouched by the failures
}

// ---- APPEND STRLEN ----

TEST_F(StringFamilyTest, Append) {
  EXPECT_THAT(Run({"append", "k", "Hello"}), IsInt(5));
  EXPECT_THAT(Run({"append", "k", " World"}), IsInt(11));
  EXPECT_EQ(Run({"get", "k"}), "Hello World");
  EXPECT_THAT(Run({"append", "k", ""}), IsInt(11));
  // Appending nothing to a missing key creates an empty string.
  EXPECT_THAT(Run({"append", "e", ""}), IsInt(0));
  EXPECT_THAT(Run({"exists", "e"}), IsInt(1));
}

TEST_F(StringFamilyTest, AppendKeepsTtl) {
  EXPECT_EQ(Run({"set", "k", "v", "PX", "100"}), "OK");
  EXPECT_THAT(Run({"append", "k", "xx"}), IsInt(3));
  EXPECT_EQ(Pttl("k"), 100);
}

TEST_F(StringFamilyTest, AppendSizeLimitFollowsProtoMaxBulkLen) {
  server().config().proto_max_bulk_len = 10;
  EXPECT_THAT(Run({"append", "k", "0123456789"}), IsInt(10));
  EXPECT_THAT(Run({"append", "k", "x"}),
              ErrorIs("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(Run({"get", "k"}), "0123456789");
  EXPECT_THAT(Run({"append", "k", ""}), IsInt(10));
}

TEST_F(StringFamilyTest, StrLen) {
  EXPECT_THAT(Run({"strlen", "k"}), IsInt(0));
  EXPECT_EQ(Run({"set", "k", "Hello World"}), "OK");
  EXPECT_THAT(Run({"strlen", "k"}), IsInt(11));
}

// ---- INCR DECR INCRBY DECRBY ----

TEST_F(StringFamilyTest, IncrDecr) {
  EXPECT_THAT(Run({"incr", "n"}), IsInt(1));
  EXPECT_THAT(Run({"incrby", "n", "10"}), IsInt(11));
  EXPECT_THAT(Run({"decrby", "n", "20"}), IsInt(-9));
  EXPECT_THAT(Run({"decr", "n"}), IsInt(-10));
  EXPECT_EQ(Run({"get", "n"}), "-10");
  EXPECT_THAT(Run({"decr", "m"}), IsInt(-1));
  EXPECT_THAT(Run({"incrby", "n", "-5"}), IsInt(-15));
  EXPECT_THAT(Run({"decrby", "n", "-15"}), IsInt(0));
  EXPECT_EQ(Run({"get", "n"}), "0");
}

TEST_F(StringFamilyTest, IncrRejectsWhatString2llRejects) {
  for (const std::string& bad : std::vector<std::string>{
           " 1", "1 ", "01", "-0", "+1", "1.0", "", "abc", "1e3", "12345678901234567890",
           "-9223372036854775809", std::string("1\0", 2)}) {
    EXPECT_EQ(Run({"set", "n", bad}), "OK");
    EXPECT_THAT(Run({"incr", "n"}), ErrorIs(kNotInteger)) << bad;
    EXPECT_EQ(Run({"get", "n"}), bad);
  }
  EXPECT_EQ(Run({"set", "n", "5"}), "OK");
  for (const std::string& bad :
       std::vector<std::string>{"abc", "1.5", "", " 1", "01", "9223372036854775808"}) {
    EXPECT_THAT(Run({"incrby", "n", bad}), ErrorIs(kNotInteger)) << bad;
    EXPECT_THAT(Run({"decrby", "n", bad}), ErrorIs(kNotInteger)) << bad;
  }
  EXPECT_EQ(Run({"set", "n", "-9223372036854775808"}), "OK");
  EXPECT_THAT(Run({"incr", "n"}), IsInt(INT64_MIN + 1));
}

TEST_F(StringFamilyTest, IncrOverflow) {
  const std::string kOverflow = "ERR increment or decrement would overflow";
  EXPECT_EQ(Run({"set", "n", "9223372036854775807"}), "OK");
  EXPECT_THAT(Run({"incr", "n"}), ErrorIs(kOverflow));
  EXPECT_THAT(Run({"incrby", "n", "0"}), IsInt(INT64_MAX));
  EXPECT_EQ(Run({"set", "n", "-9223372036854775808"}), "OK");
  EXPECT_THAT(Run({"decr", "n"}), ErrorIs(kOverflow));
  EXPECT_THAT(Run({"incrby", "n", "-9223372036854775808"}), ErrorIs(kOverflow));
  EXPECT_EQ(Run({"get", "n"}), "-9223372036854775808");
  // Negating -2^63 overflows before the key is even looked at.
  EXPECT_THAT(Run({"decrby", "n", "-9223372036854775808"}),
              ErrorIs("ERR decrement would overflow"));
  EXPECT_THAT(Run({"decrby", "fresh", "-9223372036854775808"}),
              ErrorIs("ERR decrement would overflow"));
  EXPECT_THAT(Run({"incrby", "fresh", "-9223372036854775808"}), IsInt(INT64_MIN));
}

TEST_F(StringFamilyTest, IncrKeepsTtl) {
  EXPECT_EQ(Run({"set", "n", "10", "PX", "100"}), "OK");
  EXPECT_THAT(Run({"incr", "n"}), IsInt(11));
  EXPECT_THAT(Run({"decrby", "n", "3"}), IsInt(8));
  EXPECT_EQ(Run({"incrbyfloat", "n", "1.5"}), "9.5");
  EXPECT_EQ(Pttl("n"), 100);
  AdvanceTime(101);
  EXPECT_THAT(Run({"incr", "n"}), IsInt(1));
  EXPECT_EQ(Pttl("n"), -1);
}

// ---- INCRBYFLOAT ----

TEST_F(StringFamilyTest, IncrByFloat) {
  EXPECT_EQ(Run({"incrbyfloat", "f", "10.5"}), "10.5");
  EXPECT_EQ(Run({"incrbyfloat", "f", "0.1"}), "10.6");
  EXPECT_EQ(Run({"incrbyfloat", "f", "-5.6"}), "5");
  EXPECT_EQ(Run({"incrbyfloat", "f", "5.0e3"}), "5005");
  EXPECT_EQ(Run({"get", "f"}), "5005");
  EXPECT_EQ(Run({"set", "f", "0.1"}), "OK");
  EXPECT_EQ(Run({"incrbyfloat", "f", "0.2"}), "0.3");
  EXPECT_EQ(Run({"set", "f", "3"}), "OK");
  EXPECT_EQ(Run({"incrbyfloat", "f", "-3"}), "0");
  EXPECT_EQ(Run({"set", "f", "1"}), "OK");
  EXPECT_EQ(Run({"incrbyfloat", "f", "-1.5"}), "-0.5");
  EXPECT_EQ(Run({"set", "f", "1e-3"}), "OK");
  EXPECT_EQ(Run({"incrbyfloat", "f", "0"}), "0.001");
  EXPECT_EQ(Run({"set", "f", "3.0e3"}), "OK");
  EXPECT_EQ(Run({"incrbyfloat", "f", "200"}), "3200");
  // Long double precision, printed with 17 decimals.
  EXPECT_EQ(Run({"set", "f", "17179869184"}), "OK");
  EXPECT_EQ(Run({"incrbyfloat", "f", "0.3"}), "17179869184.30000000074505806");
  EXPECT_EQ(Run({"set", "f", "10"}), "OK");
  EXPECT_EQ(Run({"incrbyfloat", "f", "1e-20"}), "10");
  EXPECT_EQ(Run({"incrbyfloat", "f", "0x10"}), "26");
  // A subnormal increment is accepted; it prints as 0.
  EXPECT_EQ(Run({"incrbyfloat", "tiny", "1.5e-4950"}), "0");
}

TEST_F(StringFamilyTest, IncrByFloatHugeValue) {
  auto r = Run({"incrbyfloat", "f", "1e400"});
  ASSERT_TRUE(r.IsString());
  EXPECT_EQ(r.str.size(), 401u);
  EXPECT_EQ(r.str.substr(0, 24), "100000000000000000002818");
  EXPECT_EQ(r.str.substr(r.str.size() - 10), "0221946880");
}

TEST_F(StringFamilyTest, IncrByFloatErrors) {
  const std::string kNaN = "ERR increment would produce NaN or Infinity";
  EXPECT_EQ(Run({"set", "f", "1"}), "OK");
  EXPECT_THAT(Run({"incrbyfloat", "f", "inf"}), ErrorIs(kNaN));
  EXPECT_THAT(Run({"incrbyfloat", "f", "-infinity"}), ErrorIs(kNaN));
  for (const std::string& bad : std::vector<std::string>{"nan", "abc", " 1", "1 ", "", "1e5000",
                                                         "1e-5000", "1,5", std::string("1\0", 2)}) {
    EXPECT_THAT(Run({"incrbyfloat", "f", bad}), ErrorIs(kNotFloat)) << bad;
  }
  EXPECT_EQ(Run({"get", "f"}), "1");
  for (const std::string& bad : std::vector<std::string>{" 1", "1abc", "nan", ""}) {
    EXPECT_EQ(Run({"set", "g", bad}), "OK");
    EXPECT_THAT(Run({"incrbyfloat", "g", "1"}), ErrorIs(kNotFloat)) << bad;
  }
  EXPECT_EQ(Run({"set", "g", "inf"}), "OK");
  EXPECT_THAT(Run({"incrbyfloat", "g", "1"}), ErrorIs(kNaN));
  EXPECT_EQ(Run({"set", "g", "-inf"}), "OK");
  EXPECT_THAT(Run({"incrbyfloat", "g", "1"}), ErrorIs(kNaN));
  EXPECT_EQ(Run({"get", "g"}), "-inf");
}

// ---- GETRANGE SUBSTR SETRANGE ----

TEST_F(StringFamilyTest, GetRange) {
  EXPECT_EQ(Run({"set", "s", "Hello World"}), "OK");
  struct Case {
    const char* start;
    const char* end;
    const char* want;
  };
  for (const Case& c :
       std::vector<Case>{{"0", "-1", "Hello World"},
                         {"-3", "-1", "rld"},
                         {"-1", "-3", ""},
                         {"5", "3", ""},
                         {"100", "200", ""},
                         {"-100", "100", "Hello World"},
                         {"0", "0", "H"},
                         {"10", "10", "d"},
                         {"11", "11", ""},
                         {"-1", "-1", "d"},
                         {"3", "-100", ""},
                         {"-100", "-50", "H"},
                         {"-100", "-200", ""},
                         {"-9223372036854775808", "9223372036854775807", "Hello World"}}) {
    auto r = Run({"getrange", "s", c.start, c.end});
    EXPECT_EQ(r, c.want) << c.start << " " << c.end;
    EXPECT_EQ(r.kind, RespValue::Kind::kBulk);
  }
  EXPECT_EQ(Run({"substr", "s", "1", "2"}), "el");
  EXPECT_EQ(RunRaw({"getrange", "nokey", "0", "-1"}), "$0\r\n\r\n");
  EXPECT_EQ(Run({"set", "e", ""}), "OK");
  EXPECT_EQ(Run({"getrange", "e", "0", "-1"}), "");
  EXPECT_EQ(Run({"getrange", "e", "-1", "0"}), "");
  EXPECT_THAT(Run({"getrange", "s", "a", "1"}), ErrorIs(kNotInteger));
  EXPECT_THAT(Run({"getrange", "nokey", "0", "1.5"}), ErrorIs(kNotInteger));
}

TEST_F(StringFamilyTest, SetRange) {
  EXPECT_THAT(Run({"setrange", "s", "5", "ab"}), IsInt(7));
  EXPECT_EQ(Run({"get", "s"}), std::string("\0\0\0\0\0ab", 7));
  EXPECT_THAT(Run({"setrange", "s", "0", "X"}), IsInt(7));
  EXPECT_EQ(Run({"get", "s"}), std::string("X\0\0\0\0ab", 7));
  EXPECT_THAT(Run({"setrange", "s", "6", "cdef"}), IsInt(10));
  EXPECT_EQ(Run({"get", "s"}), std::string("X\0\0\0\0acdef", 10));
  // An empty patch returns the length, even far beyond it, and creates nothing.
  EXPECT_THAT(Run({"setrange", "s", "100", ""}), IsInt(10));
  EXPECT_THAT(Run({"setrange", "s", "9223372036854775807", ""}), IsInt(10));
  EXPECT_THAT(Run({"setrange", "new", "5", ""}), IsInt(0));
  EXPECT_THAT(Run({"exists", "new"}), IsInt(0));
}

TEST_F(StringFamilyTest, SetRangeErrors) {
  EXPECT_THAT(Run({"setrange", "s", "-1", "x"}), ErrorIs("ERR offset is out of range"));
  EXPECT_THAT(Run({"setrange", "s", "abc", "x"}), ErrorIs(kNotInteger));
  EXPECT_THAT(Run({"setrange", "s", "9223372036854775808", "x"}), ErrorIs(kNotInteger));
  const std::string kTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  EXPECT_THAT(Run({"setrange", "s", "536870912", "x"}), ErrorIs(kTooLong));
  EXPECT_THAT(Run({"setrange", "s", "9223372036854775807", "x"}), ErrorIs(kTooLong));
  EXPECT_THAT(Run({"exists", "s"}), IsInt(0));
  server().config().proto_max_bulk_len = 10;
  EXPECT_THAT(Run({"setrange", "s", "8", "ab"}), IsInt(10));
  EXPECT_THAT(Run({"setrange", "s", "9", "ab"}), ErrorIs(kTooLong));
  EXPECT_THAT(Run({"setrange", "s", "0", "ab"}), IsInt(10));
}

TEST_F(StringFamilyTest, SetRangeKeepsTtl) {
  EXPECT_EQ(Run({"set", "s", "hello", "PX", "100"}), "OK");
  EXPECT_THAT(Run({"setrange", "s", "0", "J"}), IsInt(5));
  EXPECT_EQ(Run({"get", "s"}), "Jello");
  EXPECT_EQ(Pttl("s"), 100);
}

// ---- Statistics and the command table ----

TEST_F(StringFamilyTest, ReadsCountAsKeyspaceHitsAndMisses) {
  auto stats = [&] {
    auto s = server().keyspace().Stats();
    return std::pair<uint64_t, uint64_t>(s.keyspace_hits, s.keyspace_misses);
  };
  EXPECT_EQ(Run({"set", "k", "1"}), "OK");
  auto before = stats();
  Run({"get", "k"});
  Run({"get", "nope"});
  Run({"mget", "k", "nope", "nope"});
  Run({"strlen", "k"});
  Run({"getrange", "nope", "0", "1"});
  Run({"set", "k", "2", "GET"});
  auto after = stats();
  EXPECT_EQ(after.first - before.first, 4u);
  EXPECT_EQ(after.second - before.second, 4u);
  // Writes look keys up without counting.
  Run({"incr", "k"});
  Run({"append", "k", "x"});
  Run({"set", "k", "v", "NX"});
  Run({"msetnx", "a", "1"});
  EXPECT_EQ(stats(), after);
}

TEST_F(StringFamilyTest, CommandTableMatchesRedis) {
  struct Row {
    const char* name;
    int arity;
    uint32_t flags;
    int first, last, step;
  };
  const uint32_t kRo = server::kReadonly, kW = server::kWrite, kOom = server::kDenyOom,
                 kF = server::kFast;
  for (const Row& want : std::vector<Row>{
           {"get", 2, kRo | kF, 1, 1, 1},          {"set", -3, kW | kOom, 1, 1, 1},
           {"setnx", 3, kW | kOom | kF, 1, 1, 1},  {"setex", 4, kW | kOom, 1, 1, 1},
           {"psetex", 4, kW | kOom, 1, 1, 1},      {"mget", -2, kRo | kF, 1, -1, 1},
           {"mset", -3, kW | kOom, 1, -1, 2},      {"msetnx", -3, kW | kOom, 1, -1, 2},
           {"getset", 3, kW | kOom | kF, 1, 1, 1}, {"getdel", 2, kW | kF, 1, 1, 1},
           {"getex", -2, kW | kF, 1, 1, 1},        {"append", 3, kW | kOom | kF, 1, 1, 1},
           {"strlen", 2, kRo | kF, 1, 1, 1},       {"incr", 2, kW | kOom | kF, 1, 1, 1},
           {"decr", 2, kW | kOom | kF, 1, 1, 1},   {"incrby", 3, kW | kOom | kF, 1, 1, 1},
           {"decrby", 3, kW | kOom | kF, 1, 1, 1}, {"incrbyfloat", 3, kW | kOom | kF, 1, 1, 1},
           {"getrange", 4, kRo, 1, 1, 1},          {"substr", 4, kRo, 1, 1, 1},
           {"setrange", 4, kW | kOom, 1, 1, 1}}) {
    const server::CommandSpec* spec = server().commands().Find(want.name);
    ASSERT_NE(spec, nullptr) << want.name;
    EXPECT_EQ(spec->arity, want.arity) << want.name;
    EXPECT_EQ(spec->flags, want.flags) << want.name;
    EXPECT_EQ(spec->first_key, want.first) << want.name;
    EXPECT_EQ(spec->last_key, want.last) << want.name;
    EXPECT_EQ(spec->step, want.step) << want.name;
    EXPECT_EQ(spec->group, "string") << want.name;
    EXPECT_THAT(spec->acl_categories, ElementsAre("@string")) << want.name;
  }
}

// ---- Pure helpers ----

TEST(StringOpsTest, ParseInt64) {
  EXPECT_EQ(store::ParseInt64("0"), 0);
  EXPECT_EQ(store::ParseInt64("-1"), -1);
  EXPECT_EQ(store::ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(store::ParseInt64("-9223372036854775808"), INT64_MIN);
  for (const char* bad : {"", "-", "-0", "00", "01", "+1", " 1", "1 ", "9223372036854775808",
                          "-9223372036854775809", "99999999999999999999", "1a"}) {
    EXPECT_EQ(store::ParseInt64(bad), std::nullopt) << bad;
  }
}

TEST(StringOpsTest, FormatLongDouble) {
  EXPECT_EQ(store::FormatLongDouble(0), "0");
  EXPECT_EQ(store::FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(store::FormatLongDouble(1.5L), "1.5");
  EXPECT_EQ(store::FormatLongDouble(-2), "-2");
  EXPECT_EQ(store::FormatLongDouble(100), "100");
  EXPECT_EQ(store::FormatLongDouble(-1e-30L), "0");
}

// LCS, checked against redis-server 7.0.15 (the docs' example, and a random
// differential run of 400 pairs with every option).
TEST_F(StringFamilyTest, LcsAsRedis) {
  Run({"mset", "key1", "ohmytext", "key2", "mynewtext"});
  EXPECT_EQ(Run({"lcs", "key1", "key2"}), "mytext");
  EXPECT_THAT(Run({"lcs", "key1", "key2", "len"}), IsInt(6));
  EXPECT_EQ(RunRaw({"lcs", "key1", "key2", "idx"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(RunRaw({"lcs", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            "$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(Run({"lcs", "key1", "nokey"}), "");
  EXPECT_THAT(Run({"lcs", "nokey", "nokey2", "len"}), IsInt(0));
  EXPECT_THAT(Run({"lcs", "key1", "key2", "len", "idx"}),
              ErrorIs("ERR If you want both the length and indexes, please just use IDX."));
  EXPECT_THAT(Run({"lcs", "key1", "key2", "minmatchlen"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"lcs", "key1", "key2", "minmatchlen", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  Run({"rpush", "list", "x"});
  // The types are checked before the options.
  EXPECT_THAT(Run({"lcs", "key1", "list", "bogus"}),
              ErrorIs("ERR The specified keys must contain string values"));
  Run({"config", "set", "proto-max-bulk-len", "1mb"});
  Run({"set", "big1", std::string(600, 'a')});
  Run({"set", "big2", std::string(600, 'b')});
  EXPECT_THAT(
      Run({"lcs", "big1", "big2", "len"}),
      ErrorIs("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
}

}  // namespace
}  // namespace stashd::test
