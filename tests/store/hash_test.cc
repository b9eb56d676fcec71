// The hash type's Scan: the compact encoding whole with cursor 0, the table
// by cursor, every field that stays present returned across growth and
// shrinking of the table between calls.
#include "store/types/hash.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace stashd::store {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

class HashScanTest : public ::testing::Test {
 protected:
  void SetUp() override { HashObject::SetLimits(128, 64); }
  void TearDown() override {
    h_->Unref();
    HashObject::SetLimits(128, 64);
  }
  HashObject* h_ = new HashObject();
};

TEST_F(HashScanTest, CompactIsReturnedWholeWithCursorZero) {
  h_->Set("one", "1");
  h_->Set("two", "2");
  Fields got;
  EXPECT_EQ(
      h_->Scan(12345, 1, [&](std::string_view f, std::string_view v) { got.emplace_back(f, v); }),
      0u);
  EXPECT_EQ(got, (Fields{{"one", "1"}, {"two", "2"}}));  // insertion order, as a listpack
}

TEST_F(HashScanTest, TableByCursorAcrossGrowthAndShrinking) {
  for (int i = 0; i < 500; ++i) h_->Set("f" + std::to_string(i), "v" + std::to_string(i));
  ASSERT_FALSE(h_->compact());
  std::map<std::string, std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    size_t in_call = 0;
    cursor = h_->Scan(cursor, 10, [&](std::string_view f, std::string_view v) {
      seen[std::string(f)] = std::string(v);
      ++in_call;
    });
    EXPECT_LT(in_call, 40u);  // about COUNT per call
    if (++calls == 3) {
      for (int i = 0; i < 3000; ++i) h_->Set("new" + std::to_string(i), "x");  // grows
    }
    if (calls == 30) {
      for (int i = 0; i < 3000; ++i) h_->Delete("new" + std::to_string(i));  // shrinks
    }
  } while (cursor != 0 && calls < 100000);
  EXPECT_GT(calls, 10);
  for (int i = 0; i < 500; ++i) {
    auto it = seen.find("f" + std::to_string(i));
    ASSERT_NE(it, seen.end()) << i;
    EXPECT_EQ(it->second, "v" + std::to_string(i));
  }
}

}  // namespace
}  // namespace stashd::store
