#include "store/hash_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>
#include <vector>

namespace stashd::store {
namespace {

// Distinct fake entries: the index never dereferences them.
Entry* Fake(uint64_t n) { return reinterpret_cast<Entry*>((n + 1) * 16); }

std::vector<std::pair<uint64_t, Entry*>> All(const HashIndex& index) {
  std::vector<std::pair<uint64_t, Entry*>> out;
  for (const auto& [hash, e] : index) out.emplace_back(hash, e);
  return out;
}

std::vector<std::pair<uint64_t, Entry*>> All(const std::multimap<uint64_t, Entry*>& model) {
  return {model.begin(), model.end()};
}

TEST(HashIndexTest, EmptyIndexHasNoTable) {
  HashIndex index;
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.begin(), index.end());
  EXPECT_EQ(index.lower_bound(42), index.end());
  EXPECT_EQ(index.MemoryBytes(), 0u);
}

TEST(HashIndexTest, KeepsHashOrderAndInsertionOrderOfEqualHashes) {
  HashIndex index;
  index.Configure(2, 1);  // hashes 01xxxx...
  const uint64_t base = uint64_t{1} << 62;
  index.emplace(base + 500, Fake(1));
  index.emplace(base + 7, Fake(2));
  index.emplace(base + 500, Fake(3));
  index.emplace(base + (uint64_t{1} << 61), Fake(4));
  index.emplace(base + 500, Fake(5));
  std::vector<std::pair<uint64_t, Entry*>> want = {{base + 7, Fake(2)},
                                                   {base + 500, Fake(1)},
                                                   {base + 500, Fake(3)},
                                                   {base + 500, Fake(5)},
                                                   {base + (uint64_t{1} << 61), Fake(4)}};
  EXPECT_EQ(All(index), want);
  EXPECT_EQ(index.lower_bound(base + 8)->second, Fake(1));
  EXPECT_EQ(index.lower_bound(base + 501)->second, Fake(4));
  EXPECT_EQ(index.lower_bound(base + (uint64_t{1} << 61) + 1), index.end());
  // Hashes of other shards sort before or after all of this one's.
  EXPECT_EQ(index.lower_bound(0)->second, Fake(2));
  EXPECT_EQ(index.lower_bound(uint64_t{3} << 62), index.end());
  auto it = index.lower_bound(base + 500);
  ++it;
  index.erase(it);  // the second of the three
  EXPECT_EQ(index.size(), 4u);
  want.erase(want.begin() + 2);
  EXPECT_EQ(All(index), want);
}

// Random inserts and erases against std::multimap, with hashes drawn from a
// narrow range too (long runs, equal hashes, runs reaching the end of the
// table) and from the top of the shard's range.
TEST(HashIndexTest, AgreesWithAMultimapUnderRandomOperations) {
  for (int shape = 0; shape < 3; ++shape) {
    std::mt19937_64 rng(100 + shape);
    HashIndex index;
    const int skip = 4;
    const uint64_t prefix = 9;
    index.Configure(skip, prefix);
    std::multimap<uint64_t, Entry*> model;
    auto random_hash = [&] {
      uint64_t low = rng() >> skip;
      if (shape == 1) low &= 0xFFF;                                   // few hashes: equal ones
      if (shape == 2) low = (~uint64_t{0} >> skip) - (low & 0xFFFF);  // the very end
      return (prefix << (64 - skip)) | low;
    };
    uint64_t next = 0;
    for (int step = 0; step < 40000; ++step) {
      const int op = static_cast<int>(rng() % 10);
      if (op < 6 || model.empty()) {
        const uint64_t h = random_hash();
        Entry* e = Fake(next++);
        auto it = index.emplace(h, e);
        ASSERT_EQ(it->first, h);
        ASSERT_EQ(it->second, e);
        model.emplace(h, e);
      } else if (op < 9) {
        // Erase a random present element: find it through lower_bound.
        auto m = model.lower_bound(random_hash());
        if (m == model.end()) m = model.begin();
        auto it = index.lower_bound(m->first);
        while (it != index.end() && it->second != m->second) ++it;
        ASSERT_NE(it, index.end());
        index.erase(it);
        model.erase(m);
      } else {
        const uint64_t h = random_hash();
        auto it = index.lower_bound(h);
        auto m = model.lower_bound(h);
        if (m == model.end()) {
          ASSERT_EQ(it, index.end());
        } else {
          ASSERT_NE(it, index.end());
          ASSERT_EQ(it->first, m->first);
          ASSERT_EQ(it->second, m->second);
        }
      }
      ASSERT_EQ(index.size(), model.size());
      if (step % 5000 == 0) {
        ASSERT_EQ(All(index), All(model)) << step;
      }
    }
    ASSERT_EQ(All(index), All(model));
    // Emptying it gives the table back.
    while (!index.empty()) index.erase(index.begin());
    EXPECT_EQ(index.MemoryBytes(), 0u);
  }
}

TEST(HashIndexTest, GrowsAndShrinksWithItsKeys) {
  HashIndex index;
  index.Configure(0, 0);
  std::mt19937_64 rng(7);
  std::vector<uint64_t> hashes;
  for (int i = 0; i < 100000; ++i) {
    hashes.push_back(rng());
    index.emplace(hashes.back(), Fake(i));
  }
  // At most 4/5 full, and no more than twice the room it needs.
  EXPECT_GE(index.MemoryBytes(), 100000 * sizeof(HashIndex::Slot) * 5 / 4);
  EXPECT_LE(index.MemoryBytes(), 100000 * sizeof(HashIndex::Slot) * 5 / 4 * 2 * 17 / 16 + 1024);
  const size_t big = index.MemoryBytes();
  for (int i = 0; i < 99000; ++i) {
    auto it = index.lower_bound(hashes[i]);
    ASSERT_EQ(it->first, hashes[i]);
    index.erase(it);
  }
  EXPECT_EQ(index.size(), 1000u);
  EXPECT_LT(index.MemoryBytes(), big / 16);
  HashIndex moved = std::move(index);
  EXPECT_EQ(moved.size(), 1000u);
  EXPECT_EQ(index.size(), 0u);  // NOLINT(bugprone-use-after-move): swapped with an empty one
}

}  // namespace
}  // namespace stashd::store
