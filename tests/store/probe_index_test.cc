// ProbeIndex, the hash index of the large set, hash and sorted set
// encodings: checked against a std::set model under seeded random inserts
// and erases, and its Scan cursor against the dictScan guarantee while the
// index grows and shrinks between calls.
#include "store/types/probe_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace stashd::store {
namespace {

// The owner the index points into, as DenseTable: keys in a dense array,
// slots are positions plus one, erasing moves the last key into the hole.
class Keys {
 public:
  bool Insert(const std::string& key) {
    if (!index_.Insert(static_cast<uint32_t>(keys_.size() + 1), key, KeyOf{this})) return false;
    keys_.push_back(key);
    return true;
  }
  bool Erase(const std::string& key) {
    const uint32_t slot = index_.Erase(key, KeyOf{this});
    if (slot == 0) return false;
    const auto last = static_cast<uint32_t>(keys_.size());
    if (slot != last) {
      index_.Replace(keys_[last - 1], last, slot);
      keys_[slot - 1] = keys_[last - 1];
    }
    keys_.pop_back();
    return true;
  }
  bool Contains(const std::string& key) const { return index_.Find(key, KeyOf{this}) != nullptr; }
  uint64_t Scan(uint64_t cursor, size_t count, std::vector<std::string>* out) const {
    return index_.Scan(cursor, count, KeyOf{this},
                       [&](uint32_t slot) { out->push_back(keys_[slot - 1]); });
  }
  size_t size() const { return index_.size(); }
  size_t bytes() const { return index_.Bytes(); }

 private:
  struct KeyOf {
    const Keys* owner;
    std::string_view operator()(uint32_t slot) const { return owner->keys_[slot - 1]; }
  };
  std::vector<std::string> keys_;
  ProbeIndex<uint32_t> index_;
};

TEST(ProbeIndexTest, MatchesASetUnderRandomChanges) {
  Keys keys;
  std::set<std::string> model;
  std::mt19937 rng(7);
  for (int step = 0; step < 50000; ++step) {
    const std::string key = "k" + std::to_string(rng() % 2000);
    if (rng() % 2 == 0) {
      EXPECT_EQ(keys.Erase(key), model.erase(key) == 1) << key;
    } else {
      EXPECT_EQ(keys.Insert(key), model.insert(key).second) << key;
    }
    if (step % 5000 == 0) {
      for (const std::string& k : model) ASSERT_TRUE(keys.Contains(k)) << k;
    }
  }
  EXPECT_EQ(keys.size(), model.size());
  for (int i = 0; i < 2000; ++i) {
    const std::string key = "k" + std::to_string(i);
    EXPECT_EQ(keys.Contains(key), model.count(key) == 1) << key;
  }
  std::vector<std::string> all;
  EXPECT_EQ(keys.Scan(0, 1'000'000, &all), 0u);  // one call walks everything
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), model);
  EXPECT_EQ(all.size(), model.size());  // no growth in between: each key once
}

TEST(ProbeIndexTest, ShrinksWhenMostlyEmpty) {
  Keys keys;
  for (int i = 0; i < 1000; ++i) keys.Insert("k" + std::to_string(i));
  const size_t full = keys.bytes();
  for (int i = 0; i < 990; ++i) keys.Erase("k" + std::to_string(i));
  EXPECT_LT(keys.bytes(), full / 8);
  for (int i = 990; i < 1000; ++i) EXPECT_TRUE(keys.Contains("k" + std::to_string(i)));
}

TEST(ProbeIndexTest, EmptyScanIsDone) {
  Keys keys;
  std::vector<std::string> out;
  EXPECT_EQ(keys.Scan(0, 10, &out), 0u);
  EXPECT_EQ(keys.Scan(12345, 10, &out), 0u);
  EXPECT_TRUE(out.empty());
}

// Redis's SCAN guarantee: a key present from the first call to the last is
// returned at least once, whatever is added or removed in between (the
// index doubles several times, then shrinks back).
TEST(ProbeIndexTest, ScanReturnsEveryLastingKeyAcrossGrowthAndShrinking) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Keys keys;
    std::mt19937 rng(seed);
    for (int i = 0; i < 300; ++i) keys.Insert("stay" + std::to_string(i));
    std::vector<std::string> transient;
    std::map<std::string, int> seen;
    uint64_t cursor = 0;
    int calls = 0;
    do {
      std::vector<std::string> got;
      cursor = keys.Scan(cursor, 10, &got);
      for (const std::string& k : got) ++seen[k];
      ++calls;
      if (calls < 20) {  // grow: 300 -> about 8000 keys
        for (int i = 0; i < 400; ++i) {
          transient.push_back("go" + std::to_string(rng()));
          keys.Insert(transient.back());
        }
      } else {  // shrink: the transient keys go
        for (int i = 0; i < 800 && !transient.empty(); ++i) {
          keys.Erase(transient.back());
          transient.pop_back();
        }
      }
    } while (cursor != 0 && calls < 100000);
    ASSERT_EQ(cursor, 0u);
    for (int i = 0; i < 300; ++i) {
      EXPECT_GE(seen["stay" + std::to_string(i)], 1) << "seed " << seed << " stay" << i;
    }
  }
}

}  // namespace
}  // namespace stashd::store
