// The bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
// BITFIELD_RO), run through the dispatcher. The RunRaw expectations are the
// exact bytes redis-server 7.0.15 replied to the same commands in the same
// order (generated against it, then frozen here).
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class BitmapFamilyTest : public CommandTest {};

TEST_F(BitmapFamilyTest, SetBitAndGetBit) {
  EXPECT_EQ(RunRaw({"setbit", "b", "7", "1"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "7", "1"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "7", "0"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "100", "1"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"strlen", "b"}), ":13\r\n");
  EXPECT_EQ(RunRaw({"get", "b"}), std::string("$13\r\n\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x08"
                                              "\r\n",
                                              20));
  EXPECT_EQ(RunRaw({"getbit", "b", "7"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"getbit", "b", "100"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"getbit", "b", "6"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"getbit", "b", "999999"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"getbit", "nokey", "3"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"set", "n", "1"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"setbit", "n", "6", "0"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"get", "n"}), "$1\r\n1\r\n");
  EXPECT_EQ(RunRaw({"getbit", "n", "7"}), ":1\r\n");
}

TEST_F(BitmapFamilyTest, BitOffsetAndValueErrors) {
  EXPECT_EQ(RunRaw({"setbit", "b", "-1", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "x", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", " 1", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "1", "2"}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "1", "-1"}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "1", "x"}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "4294967296", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b", "4294967295", "x"}),
            "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"getbit", "b", "4294967296"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"getbit", "b", "-1"}), "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"exists", "b"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"setbit", "b"}), "-ERR wrong number of arguments for 'setbit' command\r\n");
  EXPECT_EQ(RunRaw({"getbit", "b"}), "-ERR wrong number of arguments for 'getbit' command\r\n");
}

TEST_F(BitmapFamilyTest, BitCount) {
  EXPECT_EQ(RunRaw({"set", "s", "foobar"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s"}), ":26\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "0", "0"}), ":4\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "1", "1"}), ":6\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "1", "1", "BYTE"}), ":6\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "5", "30", "BIT"}), ":17\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "-1", "-2"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "-2", "-1"}), ":7\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "0", "-1", "bit"}), ":26\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "0", "-100"}), ":4\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "-100", "-1"}), ":26\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "0", "1", "bits"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "a", "b"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "0", "1", "bit", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "nokey", "a"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "nokey"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "7", "7", "bit"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "9", "14", "bit"}), ":5\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "-3", "-1", "bit"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "s", "100", "200"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"set", "e", ""}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "e"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "e", "0", "-1"}), ":0\r\n");
}

TEST_F(BitmapFamilyTest, BitPos) {
  EXPECT_EQ(RunRaw({"set", "p",
                    std::string("\xff"
                                "\xf0"
                                "\x00"
                                "",
                                3)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "0"}), ":12\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1", "2"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "0", "0", "0"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "0", "0"}), ":12\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1", "1", "-1", "BIT"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "0", "7", "15", "bit"}), ":12\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "0", "7", "11", "bit"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1", "-1"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "0", "-100", "100"}), ":12\r\n");
  EXPECT_EQ(RunRaw({"set", "ones",
                    "\xff"
                    "\xff"
                    ""}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "ones", "0"}), ":16\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "ones", "0", "0"}), ":16\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "ones", "0", "0", "-1"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "ones", "1", "2"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "ones", "0", "3", "9", "bit"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "nokey", "0"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "nokey", "1"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "nokey", "1", "x"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "2"}), "-ERR The bit argument must be 1 or 0.\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "x"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1", "x"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1", "0", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1", "0", "1", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "p", "1", "0", "1", "bit", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"set", "e", ""}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "e", "0"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "e", "1"}), ":-1\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "e", "0", "0"}), ":-1\r\n");
}

TEST_F(BitmapFamilyTest, BitOp) {
  EXPECT_EQ(RunRaw({"set", "x1", "abc"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"set", "x2", "ab"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"bitop", "and", "d", "x1", "x2"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"get", "d"}), std::string("$3\r\nab\x00"
                                              "\r\n",
                                              9));
  EXPECT_EQ(RunRaw({"bitop", "OR", "d", "x1", "x2"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"get", "d"}), "$3\r\nabc\r\n");
  EXPECT_EQ(RunRaw({"bitop", "xor", "d", "x1", "x2"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"get", "d"}), std::string("$3\r\n\x00"
                                              "\x00"
                                              "c\r\n",
                                              9));
  EXPECT_EQ(RunRaw({"bitop", "not", "d", "x1"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"get", "d"}),
            "$3\r\n\x9e"
            "\x9d"
            "\x9c"
            "\r\n");
  EXPECT_EQ(RunRaw({"bitop", "and", "d", "x1", "nokey"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"get", "d"}), std::string("$3\r\n\x00"
                                              "\x00"
                                              "\x00"
                                              "\r\n",
                                              9));
  EXPECT_EQ(RunRaw({"bitop", "and", "d", "x1"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"get", "d"}), "$3\r\nabc\r\n");
  EXPECT_EQ(RunRaw({"bitop", "or", "d", "nokey", "nokey2"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"exists", "d"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitop", "not", "d", "x1", "x2"}),
            "-ERR BITOP NOT must be called with a single source key.\r\n");
  EXPECT_EQ(RunRaw({"bitop", "nand", "d", "x1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitop", "and", "d"}),
            "-ERR wrong number of arguments for 'bitop' command\r\n");
}

TEST_F(BitmapFamilyTest, WrongType) {
  EXPECT_EQ(RunRaw({"lpush", "l", "a"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"bitop", "and", "d", "x1", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(RunRaw({"set", "x1", "a"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"bitop", "and", "l", "x1"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"type", "l"}), "+string\r\n");
  EXPECT_EQ(RunRaw({"setbit", "l", "0", "1"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"getbit", "l", "0"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"bitcount", "l"}), ":4\r\n");
  EXPECT_EQ(RunRaw({"bitpos", "l", "0"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "l", "get", "u8", "0"}), "*1\r\n:225\r\n");
  EXPECT_EQ(RunRaw({"bitfield_ro", "l", "get", "i8", "0"}), "*1\r\n:-31\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "l", "set", "i8", "0", "1"}), "*1\r\n:-31\r\n");
}

TEST_F(BitmapFamilyTest, Bitfield) {
  EXPECT_EQ(RunRaw({"bitfield", "bf",       "set",  "i8",       "0",    "100",      "get", "u4",
                    "0",        "incrby",   "i8",   "0",        "100",  "overflow", "sat", "incrby",
                    "i8",       "0",        "100",  "overflow", "fail", "incrby",   "i8",  "0",
                    "100",      "overflow", "wrap", "incrby",   "u2",   "#1",       "5"}),
            "*6\r\n:0\r\n:6\r\n:-56\r\n:44\r\n$-1\r\n:3\r\n");
  EXPECT_EQ(RunRaw({"get", "bf"}), "$1\r\n<\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i8", "#0", "get", "u8", "8"}), "*2\r\n:60\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf2", "get", "u8", "0"}), "*1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"exists", "bf2"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "set", "u8", "0", "-1"}), "*1\r\n:60\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "overflow", "sat", "set", "u8", "0", "-1"}),
            "*1\r\n:255\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "overflow", "sat", "set", "i8", "0", "-200"}),
            "*1\r\n:-1\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "overflow", "fail", "set", "u8", "0", "256"}),
            "*1\r\n$-1\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "set", "i64", "0", "-1"}), "*1\r\n:-9223372036854775808\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i64", "0", "get", "u63", "0", "get", "u63", "1"}),
            "*3\r\n:-1\r\n:9223372036854775807\r\n:9223372036854775807\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "incrby", "i64", "0", "-9223372036854775808"}),
            "*1\r\n:9223372036854775807\r\n");
  EXPECT_EQ(
      RunRaw({"bitfield", "bf", "overflow", "sat", "incrby", "i64", "0", "-9223372036854775808"}),
      "*1\r\n:-1\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "w", "incrby", "u2", "100", "1", "incrby", "u2", "100", "1",
                    "incrby", "u2", "100", "1", "incrby", "u2", "100", "1"}),
            "*4\r\n:1\r\n:2\r\n:3\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "w", "overflow", "sat", "incrby", "u2", "102", "-1"}),
            "*1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "w", "set", "i5", "3", "-17"}), "*1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"get", "w"}), std::string("$13\r\n\x0f"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\r\n",
                                              20));
  EXPECT_EQ(RunRaw({"bitfield", "r",   "incrby", "i3", "0", "-5", "incrby", "i3", "0", "-5",
                    "overflow", "sat", "incrby", "i3", "0", "-5", "incrby", "i3", "0", "10"}),
            "*4\r\n:3\r\n:-2\r\n:-4\r\n:3\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "big", "get", "u8", "#536870911"}), "*1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "fail", "overflow", "fail", "set", "u2", "0", "7"}),
            "*1\r\n$-1\r\n");
  EXPECT_EQ(RunRaw({"exists", "fail"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"get", "fail"}), std::string("$1\r\n\x00"
                                                 "\r\n",
                                                 7));
  EXPECT_EQ(RunRaw({"bitfield", "u",   "set", "u63", "1",        "9223372036854775807",
                    "incrby",   "u63", "1",   "1",   "overflow", "sat",
                    "incrby",   "u63", "1",   "5",   "incrby",   "i1",
                    "0",        "1",   "get", "i1",  "0"}),
            "*5\r\n:0\r\n:0\r\n:5\r\n:0\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i8", "0", "get", "u8", "0"}),
            "*2\r\n:-1\r\n:255\r\n");
  EXPECT_EQ(RunRaw({"bitfield_ro", "bf", "get", "i8", "0", "get", "u16", "#1"}),
            "*2\r\n:-1\r\n:65535\r\n");
}

TEST_F(BitmapFamilyTest, BitfieldErrors) {
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "u64", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i65", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "I8", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i0", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "8", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i8", "-1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i8", "#x"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i8", "#-1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i8", "4294967296"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "overflow", "foo"}),
            "-ERR Invalid OVERFLOW type specified\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "overflow"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "set", "i8", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "foo", "i8", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "set", "i8", "0", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "incrby", "i8", "0", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "get", "i8", "0", "set"}), "-ERR syntax error\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "big", "set", "u8", "#4294967295", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(RunRaw({"bitfield", "bf", "set", "u8", "0", "1", "get", "i65", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(RunRaw({"exists", "bf"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"bitfield_ro", "bf", "get", "i8", "0"}), "*1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"bitfield_ro", "bf", "set", "i8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(RunRaw({"bitfield_ro", "bf", "incrby", "i8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(RunRaw({"bitfield_ro", "bf", "overflow", "wrap"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"bitfield_ro", "bf", "get", "i8"}), "-ERR syntax error\r\n");
}

// Every write to a bitmap goes through the string write path: WATCH sees it,
// the TTL stays, a scope's max-value-size refuses a bitmap grown too large.
TEST_F(BitmapFamilyTest, WritesKeepTtlAndTouchWatchers) {
  EXPECT_EQ(Run({"set", "k", "a", "PX", "100000"}), "OK");
  EXPECT_THAT(Run({"setbit", "k", "1000", "1"}), IsInt(0));
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(100000));
  EXPECT_EQ(Run({"bitfield", "k", "set", "u8", "0", "7"}).elems.size(), 1u);
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(100000));
  // BITOP stores a new value: the TTL goes, as with SET.
  EXPECT_THAT(Run({"bitop", "or", "k", "k"}), IsInt(126));
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(-1));

  TestClient& other = NewClient();
  EXPECT_EQ(Run({"watch", "k"}), "OK");
  EXPECT_THAT(Run(other, {"setbit", "k", "3", "1"}), IsInt(0));
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"get", "k"}), "QUEUED");
  EXPECT_THAT(Run({"exec"}), IsNil());
  // Setting a bit to the value it has changes nothing: a watcher is not told.
  EXPECT_EQ(Run({"watch", "k"}), "OK");
  EXPECT_THAT(Run(other, {"setbit", "k", "3", "1"}), IsInt(1));
  EXPECT_EQ(Run(other, {"bitfield", "k", "set", "u4", "0", "1"}).elems.size(), 1u);
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"getbit", "k", "3"}), "QUEUED");
  EXPECT_THAT(Run({"exec"}).elems, ElementsAre(IsInt(1)));
}

TEST_F(BitmapFamilyTest, Notifications) {
  EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", "KEA"}), "OK");
  TestClient& sub = NewClient();
  RunAll(sub, {"psubscribe", "__keyevent@*"});
  Run({"setbit", "b", "3", "1"});
  Run({"setbit", "b", "3", "1"});   // no change, no event
  Run({"setbit", "b", "30", "0"});  // grows: an event
  Run({"bitfield", "b", "get", "u8", "0"});
  Run({"bitfield", "b", "set", "u8", "0", "16"});  // no change
  Run({"bitfield", "b", "incrby", "u8", "0", "1"});
  Run({"bitfield", "f", "overflow", "fail", "set", "u2", "0", "7"});  // creates, writes nothing
  Run({"bitop", "not", "d", "b"});
  Run({"bitop", "and", "d", "nokey"});
  Run({"bitop", "and", "d", "nokey"});  // nothing to delete
  EXPECT_THAT(TakeMessages(sub),
              ElementsAre(R"(["pmessage", "__keyevent@*", "__keyevent@0__:setbit", "b"])",
                          R"(["pmessage", "__keyevent@*", "__keyevent@0__:setbit", "b"])",
                          R"(["pmessage", "__keyevent@*", "__keyevent@0__:setbit", "b"])",
                          R"(["pmessage", "__keyevent@*", "__keyevent@0__:set", "d"])",
                          R"(["pmessage", "__keyevent@*", "__keyevent@0__:del", "d"])"));
}

class BitmapScopeTest : public CommandTest {
 protected:
  BitmapScopeTest()
      : CommandTest([](server::Config& c) {
          c.scopes[0].default_ttl_ms = 86'400'000;  // state: 24 h
          c.scopes[1].max_value_size = 16;          // user: 16 bytes
        }) {}
};

TEST_F(BitmapScopeTest, MaxValueSizeAndDefaultTtl) {
  EXPECT_THAT(Run({"setbit", "user:b", "127", "1"}), IsInt(0));
  EXPECT_THAT(Run({"setbit", "user:b", "128", "1"}), ErrorStartsWith("ERR"));
  EXPECT_THAT(Run({"strlen", "user:b"}), IsInt(16));
  EXPECT_THAT(Run({"bitfield", "user:b", "set", "u8", "128", "1"}), ErrorStartsWith("ERR"));
  EXPECT_EQ(Run({"bitfield", "user:b", "set", "u8", "120", "1"}).elems.size(), 1u);
  // A bitmap created in a scope with a default TTL gets it, as SET would.
  EXPECT_THAT(Run({"setbit", "state:b", "1", "1"}), IsInt(0));
  EXPECT_THAT(Run({"ttl", "state:b"}), IsInt(86400));
}

}  // namespace
}  // namespace stashd::test
