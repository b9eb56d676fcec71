// GEO* and SORT through the dispatcher. Expected replies are redis-server
// 7.0.15's for the same commands (the GEO values are the Sicily example of
// Redis's documentation).
#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class GeoFamilyTest : public CommandTest {
 protected:
  void SetUp() override {
    CommandTest::SetUp();
    ASSERT_THAT(Run({"geoadd", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269",
                     "37.502669", "Catania"}),
                IsInt(2));
  }
};

TEST_F(GeoFamilyTest, AddStoresGeohashScores) {
  EXPECT_EQ(Run({"zscore", "Sicily", "Palermo"}), "3479099956230698");
  EXPECT_EQ(Run({"type", "Sicily"}), "zset");
  // NX/XX/CH are ZADD's.
  EXPECT_THAT(
      Run({"geoadd", "Sicily", "nx", "ch", "13.361389", "38.115556", "Palermo", "1", "1", "new"}),
      IsInt(1));
  EXPECT_THAT(Run({"geoadd", "Sicily", "xx", "ch", "2", "2", "new", "3", "3", "absent"}), IsInt(1));
  EXPECT_THAT(Run({"zcard", "Sicily"}), IsInt(3));
  EXPECT_THAT(Run({"geoadd", "Sicily", "200", "100", "m"}),
              ErrorIs("ERR invalid longitude,latitude pair 200.000000,100.000000"));
  EXPECT_THAT(Run({"geoadd", "Sicily", "abc", "10", "m"}),
              ErrorIs("ERR value is not a valid float"));
  EXPECT_THAT(Run({"geoadd", "Sicily", "nx", "xx", "1", "1", "m"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"set", "str", "x"}), "OK");
  EXPECT_THAT(Run({"geoadd", "str", "1", "1", "m"}),
              ErrorIs("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

TEST_F(GeoFamilyTest, PositionsDistancesHashes) {
  EXPECT_EQ(RunRaw({"geopos", "Sicily", "Palermo", "nosuch"}),
            "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n");
  EXPECT_EQ(Run({"geodist", "Sicily", "Palermo", "Catania"}), "166274.1516");
  EXPECT_EQ(Run({"geodist", "Sicily", "Palermo", "Catania", "km"}), "166.2742");
  EXPECT_THAT(Run({"geodist", "Sicily", "Palermo", "nosuch"}), IsNil());
  EXPECT_THAT(Run({"geodist", "Sicily", "a", "b", "yd"}),
              ErrorIs("ERR unsupported unit provided. please use M, KM, FT, MI"));
  EXPECT_THAT(Run({"geohash", "Sicily", "Palermo", "Catania", "x"}).elems,
              ElementsAre("sqc8b49rny0", "sqdtr74hyu0", IsNil()));
}

TEST_F(GeoFamilyTest, SearchesAndStores) {
  EXPECT_EQ(RunRaw({"georadius", "Sicily", "15", "37", "200", "km", "WITHDIST"}),
            "*2\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n"
            "*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n");
  EXPECT_EQ(RunRaw({"georadius", "Sicily", "15", "37", "200", "km", "ASC"}),
            "*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n");
  EXPECT_EQ(RunRaw({"geosearch", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km",
                    "COUNT", "1", "WITHHASH"}),
            "*1\r\n*2\r\n$7\r\nPalermo\r\n:3479099956230698\r\n");
  EXPECT_THAT(Run({"geosearchstore", "near", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200",
                   "km", "STOREDIST"}),
              IsInt(2));
  EXPECT_EQ(RunRaw({"zrange", "near", "0", "-1", "WITHSCORES"}),
            "*4\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n"
            "$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n");
  // An empty result deletes the destination.
  EXPECT_THAT(Run({"georadius", "Sicily", "0", "0", "1", "m", "STORE", "near"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "near"}), IsInt(0));
  EXPECT_THAT(Run({"geosearch", "Sicily", "FROMMEMBER", "x", "BYRADIUS", "1", "km"}),
              ErrorIs("ERR could not decode requested zset member"));
  EXPECT_THAT(
      Run({"geosearch", "Sicily", "BYRADIUS", "1", "km", "ASC", "DESC"}),
      ErrorIs("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch"));
  EXPECT_THAT(Run({"georadius", "Sicily", "0", "0", "1", "km", "ANY"}),
              ErrorIs("ERR the ANY argument requires COUNT argument"));
  EXPECT_THAT(Run({"georadius", "Sicily", "0", "0", "1", "km", "STORE", "x", "WITHDIST"}),
              ErrorIs("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
                      "WITHCOORD options"));
  EXPECT_THAT(Run({"georadius_ro", "Sicily", "0", "0", "1", "km", "STORE", "x"}),
              ErrorIs("ERR syntax error"));
}

class SortFamilyTest : public CommandTest {};

TEST_F(SortFamilyTest, NumericAlphaLimitAndOrder) {
  EXPECT_THAT(Run({"rpush", "l", "3", "1", "2", "10", "-5", "1.5"}), IsInt(6));
  EXPECT_THAT(Run({"sort", "l"}),
              StrArray(std::vector<std::string>{"-5", "1", "1.5", "2", "3", "10"}));
  EXPECT_THAT(Run({"sort", "l", "desc", "limit", "1", "2"}),
              StrArray(std::vector<std::string>{"3", "2"}));
  EXPECT_THAT(Run({"sort", "l", "alpha", "limit", "0", "3"}),
              StrArray(std::vector<std::string>{"-5", "1", "1.5"}));
  EXPECT_THAT(Run({"rpush", "w", "banana", "apple"}), IsInt(2));
  EXPECT_THAT(Run({"sort", "w"}), ErrorIs("ERR One or more scores can't be converted into double"));
  EXPECT_THAT(Run({"sort", "w", "alpha"}), StrArray(std::vector<std::string>{"apple", "banana"}));
  EXPECT_THAT(Run({"zadd", "z", "3", "c", "1", "a", "2", "b"}), IsInt(3));
  EXPECT_THAT(Run({"sort", "z", "by", "nosort", "desc"}),
              StrArray(std::vector<std::string>{"c", "b", "a"}));
  EXPECT_THAT(Run({"sort", "nokey"}), ArrayOfSize(0));
  // A huge LIMIT count neither overflows nor walks past the end.
  EXPECT_THAT(Run({"sort_ro", "l", "by", "a", "limit", "2", "9223372036854775807"}),
              StrArray(std::vector<std::string>{"2", "10", "-5", "1.5"}));
  EXPECT_THAT(Run({"sort", "l", "limit", "-9223372036854775808", "2"}),
              StrArray(std::vector<std::string>{"-5", "1"}));
  EXPECT_THAT(Run({"sort", "l", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"sort_ro", "l", "store", "x"}), ErrorIs("ERR syntax error"));
  EXPECT_EQ(Run({"set", "s", "x"}), "OK");
  EXPECT_THAT(Run({"sort", "s"}),
              ErrorIs("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

TEST_F(SortFamilyTest, ByAndGetPatternsAndStore) {
  EXPECT_THAT(Run({"sadd", "ids", "a", "b", "c"}), IsInt(3));
  EXPECT_EQ(Run({"mset", "w_a", "3", "w_b", "1", "w_c", "2"}), "OK");
  EXPECT_THAT(Run({"sort", "ids", "by", "w_*"}), StrArray(std::vector<std::string>{"b", "c", "a"}));
  EXPECT_THAT(Run({"hset", "h_a", "f", "30"}), IsInt(1));
  EXPECT_THAT(Run({"hset", "h_b", "f", "10"}), IsInt(1));
  EXPECT_THAT(Run({"hset", "h_c", "f", "20"}), IsInt(1));
  EXPECT_THAT(Run({"sort", "ids", "by", "h_*->f", "get", "#", "get", "h_*->f"}),
              StrArray(std::vector<std::string>{"b", "10", "c", "20", "a", "30"}));
  EXPECT_THAT(Run({"sort", "ids", "by", "w_*", "get", "nosuch_*"}).elems,
              ElementsAre(IsNil(), IsNil(), IsNil()));
  // STORE makes a list; a missing GET value is stored as "".
  EXPECT_THAT(Run({"sort", "ids", "by", "w_*", "get", "#", "get", "x_*", "store", "out"}),
              IsInt(6));
  EXPECT_EQ(Run({"type", "out"}), "list");
  EXPECT_THAT(Run({"lrange", "out", "0", "-1"}),
              StrArray(std::vector<std::string>{"b", "", "c", "", "a", ""}));
  EXPECT_THAT(Run({"sort", "nokey", "store", "out"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "out"}), IsInt(0));
  EXPECT_THAT(Run({"command", "getkeys", "sort", "ids", "by", "w_*", "store", "dst"}),
              StrArray(std::vector<std::string>{"ids", "dst"}));
}

}  // namespace
}  // namespace stashd::test
