// Key specs: the keys of a command line as Redis's getKeysUsingKeySpecs
// finds them (index / keyword begin, range / keynum find), and the
// "movablekeys" flag derived from them. Checked on rows declared here, with
// the key specs Redis 7.0 gives ZUNIONSTORE, XREAD, GEORADIUS and SORT.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/exec/command.h"

namespace stashd::server {
namespace {

using enum KeySpecFlag;

std::vector<int> Positions(const CommandSpec& spec, const Args& args) {
  std::vector<int> out;
  for (const KeyArg& k : KeyArgs(spec, args)) out.push_back(k.index);
  return out;
}

CommandSpec ZUnionStoreRow() {
  return {.name = "zunionstore",
          .arity = -4,
          .first_key = 1,
          .last_key = 1,
          .step = 1,
          .key_specs = {KeySpec::Index(1, kOW | kUpdate),
                        KeySpec::Index(2, kRO | kAccess).Keynum(0, 1, 1)}};
}

TEST(KeySpecTest, KeynumCountsKeysAfterTheCount) {
  const CommandSpec row = ZUnionStoreRow();
  EXPECT_THAT(Positions(row, {"zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"}),
              ::testing::ElementsAre(1, 3, 4));
  const std::vector<KeyArg> keys = KeyArgs(row, {"zunionstore", "d", "1", "a"});
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].flags, kOW | kUpdate);
  EXPECT_EQ(keys[1].flags, kRO | kAccess);
}

TEST(KeySpecTest, KeynumThatIsNotACountFindsNoKeysOfThatSpec) {
  const CommandSpec row = ZUnionStoreRow();
  EXPECT_THAT(Positions(row, {"zunionstore", "d", "x", "a"}), ::testing::ElementsAre(1));
  EXPECT_THAT(Positions(row, {"zunionstore", "d", "-1", "a"}), ::testing::ElementsAre(1));
  // A count past the end of the line stops at its end.
  EXPECT_THAT(Positions(row, {"zunionstore", "d", "5", "a", "b"}), ::testing::ElementsAre(1, 3, 4));
}

TEST(KeySpecTest, KeywordBeginsAfterTheKeyword) {
  // XREAD [COUNT n] [BLOCK ms] STREAMS key... id...
  const CommandSpec xread = {
      .name = "xread",
      .arity = -4,
      .key_specs = {KeySpec::Keyword("STREAMS", 1, kRO | kAccess).Range(-1, 1, 2)}};
  EXPECT_THAT(Positions(xread, {"xread", "COUNT", "2", "streams", "s1", "s2", "0", "0"}),
              ::testing::ElementsAre(4, 5));
  EXPECT_THAT(Positions(xread, {"xread", "COUNT", "2", "s1", "0"}), ::testing::ElementsAre());
  // Searched for from argument 6 on (GEORADIUS ... STORE key).
  const CommandSpec store = {
      .name = "georadius",
      .arity = -6,
      .first_key = 1,
      .last_key = 1,
      .step = 1,
      .key_specs = {KeySpec::Index(1, kRO | kAccess), KeySpec::Keyword("STORE", 6, kOW | kUpdate)}};
  EXPECT_THAT(Positions(store, {"georadius", "g", "1", "2", "3", "km", "STORE", "dst"}),
              ::testing::ElementsAre(1, 7));
  EXPECT_THAT(Positions(store, {"georadius", "g", "1", "2", "3", "km"}), ::testing::ElementsAre(1));
}

void SortStoreKey(const Args& args, absl::FunctionRef<void(int, KeySpecFlags)> add) {
  for (size_t i = 2; i + 1 < args.size(); ++i) {
    if (args[i] == "STORE") add(static_cast<int>(i) + 1, kOW | kUpdate);
  }
}

TEST(KeySpecTest, GetKeysAddsWhatNoSpecFinds) {
  const CommandSpec sort = {
      .name = "sort",
      .arity = -2,
      .first_key = 1,
      .last_key = 1,
      .step = 1,
      .key_specs = {KeySpec::Index(1, kRO | kAccess), KeySpec::Unknown(kOW | kUpdate, "for STORE")},
      .get_keys = SortStoreKey};
  EXPECT_THAT(Positions(sort, {"sort", "s", "LIMIT", "0", "1", "STORE", "d"}),
              ::testing::ElementsAre(1, 6));
  EXPECT_TRUE(HasMovableKeys(sort));
}

TEST(KeySpecTest, MovableKeysOnlyForSpecsBeyondIndexAndRange) {
  EXPECT_TRUE(HasMovableKeys(ZUnionStoreRow()));
  const CommandSpec get = {.name = "get", .arity = 2, .first_key = 1, .last_key = 1, .step = 1};
  EXPECT_FALSE(HasMovableKeys(get));
  const CommandSpec rename = {.name = "rename",
                              .arity = 3,
                              .first_key = 1,
                              .last_key = 2,
                              .step = 1,
                              .key_spec_flags = {kRW | kAccess | kDelete, kOW | kUpdate}};
  EXPECT_FALSE(HasMovableKeys(rename));
  const std::vector<KeySpec> specs = KeySpecsOf(rename);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].index, 1);
  EXPECT_EQ(specs[0].lastkey, 0);
  EXPECT_EQ(specs[1].index, 2);
  EXPECT_EQ(specs[1].lastkey, 0);
  EXPECT_THAT(Positions(rename, {"rename", "a", "b"}), ::testing::ElementsAre(1, 2));
}

}  // namespace
}  // namespace stashd::server
