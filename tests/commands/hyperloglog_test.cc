// PFADD PFCOUNT PFMERGE through the dispatcher. The RunRaw expectations are
// the exact bytes redis-server 7.0.15 replied to the same commands in the
// same order, GET of an HLL included (the representation is Redis's, byte for
// byte); dense values are compared by their FNV-1a digest, taken of Redis's
// bytes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class HyperLogLogTest : public CommandTest {
 protected:
  static uint64_t Fnv(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
    return h;
  }
};

TEST_F(HyperLogLogTest, AddCountAndBytes) {
  EXPECT_EQ(RunRaw({"pfadd", "h", "a", "b", "c"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"get", "h"}), std::string("$27\r\nHYLL\x01"
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
                                              "\x80"
                                              "`\xf3"
                                              "\x80"
                                              "P\xb1"
                                              "\x84"
                                              "K\xfb"
                                              "\x80"
                                              "BZ\r\n",
                                              34));
  EXPECT_EQ(RunRaw({"pfadd", "h", "a"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "h"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "h"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"get", "h"}), std::string("$27\r\nHYLL\x01"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x03"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "`\xf3"
                                              "\x80"
                                              "P\xb1"
                                              "\x84"
                                              "K\xfb"
                                              "\x80"
                                              "BZ\r\n",
                                              34));
  EXPECT_EQ(RunRaw({"pfcount", "h"}), ":3\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "h", "d"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"get", "h"}), std::string("$30\r\nHYLL\x01"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x03"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x80"
                                              "\\{\x80"
                                              "Dv\x80"
                                              "P\xb1"
                                              "\x84"
                                              "K\xfb"
                                              "\x80"
                                              "BZ\r\n",
                                              37));
  EXPECT_EQ(RunRaw({"pfadd", "empty"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"get", "empty"}), std::string("$18\r\nHYLL\x01"
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
                                                  "\x80"
                                                  "\x7f"
                                                  "\xff"
                                                  "\r\n",
                                                  25));
  EXPECT_EQ(RunRaw({"pfcount", "empty"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "empty"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "nokey"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "h", "nokey"}), ":4\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "nokey", "nokey2"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "h2", "c", "d", "e", "f"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "h", "h2"}), ":6\r\n");
  EXPECT_EQ(RunRaw({"get", "h"}), std::string("$30\r\nHYLL\x01"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x03"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x80"
                                              "\\{\x80"
                                              "Dv\x80"
                                              "P\xb1"
                                              "\x84"
                                              "K\xfb"
                                              "\x80"
                                              "BZ\r\n",
                                              37));
  EXPECT_EQ(RunRaw({"pfadd", "bin",
                    std::string("\x00"
                                "\xff"
                                "",
                                2),
                    "", "abcdefgh", "abcdefghi", "1234567"}),
            ":1\r\n");
  EXPECT_EQ(RunRaw({"get", "bin"}), std::string("$33\r\nHYLL\x01"
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
                                                "\x80"
                                                "Ef\x80"
                                                "I\xf8"
                                                "\x80"
                                                "G\xcf"
                                                "\x84"
                                                "C\xc3"
                                                "\x80"
                                                "M^\x88"
                                                "W\xa7"
                                                "\r\n",
                                                40));
  EXPECT_EQ(RunRaw({"pfcount", "bin"}), ":5\r\n");
}

TEST_F(HyperLogLogTest, Merge) {
  EXPECT_EQ(RunRaw({"pfadd", "a", "1", "2", "3"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "b", "3", "4", "5"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "m", "a", "b"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"get", "m"}), std::string("$33\r\nHYLL\x01"
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
                                              "\x80"
                                              "A\xee"
                                              "\x84"
                                              "H#\x80"
                                              "SQ\x80"
                                              "Mt\x80"
                                              "Q,\x8c"
                                              "C\xf3"
                                              "\r\n",
                                              40));
  EXPECT_EQ(RunRaw({"pfcount", "m"}), ":5\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "m"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"get", "m"}), std::string("$33\r\nHYLL\x01"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x05"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x80"
                                              "A\xee"
                                              "\x84"
                                              "H#\x80"
                                              "SQ\x80"
                                              "Mt\x80"
                                              "Q,\x8c"
                                              "C\xf3"
                                              "\r\n",
                                              40));
  EXPECT_EQ(RunRaw({"pfmerge", "n"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"get", "n"}), std::string("$18\r\nHYLL\x01"
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
                                              "\x80"
                                              "\x7f"
                                              "\xff"
                                              "\r\n",
                                              25));
  EXPECT_EQ(RunRaw({"pfmerge", "a", "b"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "a"}), ":5\r\n");
  EXPECT_EQ(RunRaw({"get", "a"}), std::string("$33\r\nHYLL\x01"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x05"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "\x00"
                                              "A\xee"
                                              "\x84"
                                              "H#\x80"
                                              "SQ\x80"
                                              "Mt\x80"
                                              "Q,\x8c"
                                              "C\xf3"
                                              "\r\n",
                                              40));
  EXPECT_EQ(RunRaw({"pfmerge", "x", "nokey"}), "+OK\r\n");
}

TEST_F(HyperLogLogTest, Errors) {
  EXPECT_EQ(RunRaw({"set", "s", "foo"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "s", "a"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "s"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "nokey", "s"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "m", "s"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "s", "nokey"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"set", "short",
                    "HYLL\x01"
                    ""}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "short"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"set", "badenc",
                    std::string("HYLL\x02"
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
                                "\x7f"
                                "\xff"
                                "",
                                18)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "badenc"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"set", "baddense",
                    std::string("HYLL\x00"
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
                                "\x00"
                                "\x00"
                                "\x00"
                                "",
                                116)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "baddense"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"set", "badmagic",
                    std::string("HYLX\x01"
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
                                "\x7f"
                                "\xff"
                                "",
                                18)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "badmagic", "a"}),
            "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(RunRaw({"lpush", "l", "a"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "l", "a"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "h", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "m", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(RunRaw({"set", "c1",
                    std::string("HYLL\x01"
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
                                "\x7f"
                                "\xfe"
                                "",
                                18)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "c1"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "c1", "a"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "m", "c1"}), "-INVALIDOBJ Corrupted HLL object detected\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "c1", "nokey"}), "-INVALIDOBJ Corrupted HLL object detected\r\n");
  EXPECT_EQ(RunRaw({"set", "c2",
                    std::string("HYLL\x01"
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
                                "\x7f"
                                "\xff"
                                "\x80"
                                "",
                                19)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "c2"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"set", "c3",
                    std::string("HYLL\x01"
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
                                "\x7f"
                                "",
                                17)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "c3"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"set", "ok",
                    std::string("HYLL\x01"
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
                                "\x7f"
                                "\xff"
                                "",
                                18)}),
            "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "ok"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "ok", "x"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"get", "ok"}), std::string("$20\r\nHYLL\x01"
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
                                               "\x80"
                                               "\x7f"
                                               "\xf5"
                                               "\x84"
                                               "\x08"
                                               "\r\n",
                                               27));
  EXPECT_EQ(RunRaw({"pfadd"}), "-ERR wrong number of arguments for 'pfadd' command\r\n");
  EXPECT_EQ(RunRaw({"pfcount"}), "-ERR wrong number of arguments for 'pfcount' command\r\n");
  EXPECT_EQ(RunRaw({"pfmerge"}), "-ERR wrong number of arguments for 'pfmerge' command\r\n");
}

TEST_F(HyperLogLogTest, DenseSparseAndMergeBytesMatchRedis) {
  std::vector<std::string> args = {"pfadd", "d"};
  for (int i = 0; i < 5000; ++i) args.push_back(std::to_string(i));
  EXPECT_THAT(Run(args), IsInt(1));
  EXPECT_EQ(Fnv(Run({"get", "d"}).str), 0x19232e3f33a15078ull);
  EXPECT_EQ(RunRaw({"strlen", "d"}), ":12304\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "d"}), ":4985\r\n");
  EXPECT_EQ(Fnv(Run({"get", "d"}).str), 0x06aa245946333ae4ull);
  args = {"pfadd", "s"};
  for (int i = 0; i < 300; ++i) args.push_back("e" + std::to_string(i));
  EXPECT_THAT(Run(args), IsInt(1));
  EXPECT_EQ(Fnv(Run({"get", "s"}).str), 0xa4cfffba965d1718ull);
  EXPECT_EQ(RunRaw({"strlen", "s"}), ":713\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "s"}), ":302\r\n");
  args = {"pfadd", "s2"};
  for (int i = 0; i < 100; ++i) args.push_back("f" + std::to_string(i));
  EXPECT_THAT(Run(args), IsInt(1));
  EXPECT_EQ(RunRaw({"pfmerge", "m", "s", "d"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfmerge", "m2", "s", "s2"}), "+OK\r\n");
  EXPECT_EQ(Fnv(Run({"get", "m"}).str), 0x8ba0fdb43a0785e0ull);
  EXPECT_EQ(Fnv(Run({"get", "m2"}).str), 0x7c53429bb062496full);
  EXPECT_EQ(RunRaw({"pfcount", "m"}), ":5295\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "m2"}), ":401\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "s", "s2", "d"}), ":5403\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "s", "s2"}), ":401\r\n");
  for (int i = 0; i < 3000; ++i) Run({"pfadd", "one", "x" + std::to_string(i)});
  EXPECT_EQ(Fnv(Run({"get", "one"}).str), 0x273395adebbb6bcdull);
  EXPECT_EQ(RunRaw({"pfcount", "one"}), ":2985\r\n");
}

TEST_F(HyperLogLogTest, SparseMaxBytes) {
  EXPECT_EQ(RunRaw({"config", "set", "hll-sparse-max-bytes", "100"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "p", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"strlen", "p"}), ":47\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "p",   "k0",  "k1",  "k2",  "k3",  "k4",  "k5",  "k6",  "k7",  "k8",
                    "k9",    "k10", "k11", "k12", "k13", "k14", "k15", "k16", "k17", "k18", "k19",
                    "k20",   "k21", "k22", "k23", "k24", "k25", "k26", "k27", "k28", "k29"}),
            ":1\r\n");
  EXPECT_EQ(RunRaw({"strlen", "p"}), ":12304\r\n");
  EXPECT_EQ(Fnv(Run({"get", "p"}).str), 0x85e87e61a9797b8bull);
  EXPECT_EQ(RunRaw({"pfcount", "p"}), ":40\r\n");
  EXPECT_EQ(RunRaw({"config", "set", "hll-sparse-max-bytes", "0"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"pfadd", "q", "a"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"strlen", "q"}), ":12304\r\n");
  EXPECT_EQ(RunRaw({"pfcount", "q"}), ":1\r\n");
  EXPECT_EQ(Fnv(Run({"get", "q"}).str), 0xa4e490bb18d96513ull);
}

// Bytes written by Redis count the same here: a dense HLL copied from Redis
// (its digest checked above) answers Redis's count once its cache is stale.
TEST_F(HyperLogLogTest, ValueFromRedisBytes) {
  // Redis's bytes for PFADD h a b c, then PFCOUNT h (cache written).
  const std::string redis_hll(
      "HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00`\xf3\x80P\xb1\x84K\xfb\x80"
      "BZ",
      27);
  EXPECT_EQ(Run({"set", "h", redis_hll}), "OK");
  EXPECT_THAT(Run({"pfcount", "h"}), IsInt(3));
  EXPECT_THAT(Run({"pfadd", "h", "c", "b"}), IsInt(0));
  EXPECT_THAT(Run({"pfadd", "h", "z"}), IsInt(1));
  EXPECT_THAT(Run({"pfcount", "h"}), IsInt(4));
}

TEST_F(HyperLogLogTest, NotificationsAndWatch) {
  EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", "KEA"}), "OK");
  TestClient& sub = NewClient();
  RunAll(sub, {"psubscribe", "__keyevent@*"});
  Run({"pfadd", "h", "a"});
  Run({"pfadd", "h", "a"});  // no change, no event
  Run({"pfcount", "h"});
  Run({"pfmerge", "h2", "h"});
  Run({"pfmerge", "h2"});
  Run({"pfadd", "h3"});
  Run({"pfadd", "h3"});
  EXPECT_THAT(TakeMessages(sub),
              ElementsAre(R"(["pmessage", "__keyevent@*", "__keyevent@0__:pfadd", "h"])",
                          R"(["pmessage", "__keyevent@*", "__keyevent@0__:pfadd", "h2"])",
                          R"(["pmessage", "__keyevent@*", "__keyevent@0__:pfadd", "h2"])",
                          R"(["pmessage", "__keyevent@*", "__keyevent@0__:pfadd", "h3"])"));

  // PFCOUNT stores a recomputed cardinality in the value: a watcher is told,
  // as in Redis (signalModifiedKey).
  TestClient& other = NewClient();
  EXPECT_THAT(Run({"pfadd", "w", "a"}), IsInt(1));
  EXPECT_EQ(Run({"watch", "w"}), "OK");
  EXPECT_THAT(Run(other, {"pfcount", "w"}), IsInt(1));
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"pfcount", "w"}), "QUEUED");
  EXPECT_THAT(Run({"exec"}), IsNil());
  // A cached count is only read.
  EXPECT_EQ(Run({"watch", "w"}), "OK");
  EXPECT_THAT(Run(other, {"pfcount", "w"}), IsInt(1));
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"pfcount", "w"}), "QUEUED");
  EXPECT_THAT(Run({"exec"}).elems, ElementsAre(IsInt(1)));
}

}  // namespace
}  // namespace stashd::test
