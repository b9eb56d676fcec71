// The building blocks of the collection encodings: PackedBuffer (exact-size
// buffer), PackedPair (one block per field/value) and DenseTable (records in
// a dense array found through an index of positions), checked against a
// std::map model under seeded random inserts and erases.
#include "store/types/dense_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "store/types/packed.h"

namespace stashd::store {
namespace {

TEST(PackedBufferTest, SpliceInsertsReplacesAndErases) {
  PackedBuffer b;
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.AllocBytes(), 0u);
  b.Append("hello");
  b.Append(" world");
  EXPECT_EQ(b.view(), "hello world");
  b.Splice(0, 5, "HELLO!!");  // grows
  EXPECT_EQ(b.view(), "HELLO!! world");
  b.Splice(5, 2, "");  // shrinks
  EXPECT_EQ(b.view(), "HELLO world");
  b.Splice(5, 0, ",");  // inserts
  EXPECT_EQ(b.view(), "HELLO, world");
  PackedBuffer copy(b);
  b.Splice(0, b.size(), "");
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(copy.view(), "HELLO, world");
  // Sized exactly: 12 bytes and the 4-byte size take one 32-byte chunk.
  EXPECT_EQ(copy.AllocBytes(), 32u);
}

TEST(PackedPairTest, HoldsTwoStringsInOneBlock) {
  const std::string big(300, 'v');
  PackedPair p("field", big);
  EXPECT_EQ(p.Key(), "field");
  EXPECT_EQ(p.Second(), big);
  PackedPair moved(std::move(p));
  EXPECT_EQ(moved.Key(), "field");
  PackedPair empty{std::string_view(), std::string_view()};
  EXPECT_EQ(empty.Key(), "");
  EXPECT_EQ(empty.Second(), "");
  EXPECT_EQ(MallocBytes(1 + 5 + 2 + 300), 320u);
  EXPECT_EQ(moved.AllocBytes(), 320u);
}

TEST(DenseTableTest, MatchesAMapUnderRandomChanges) {
  DenseTable<PackedPair> t;
  std::map<std::string, std::string> model;
  std::mt19937 rng(42);
  for (int step = 0; step < 20000; ++step) {
    const std::string key = "k" + std::to_string(rng() % 500);
    if (rng() % 3 == 0) {
      PackedPair out;
      const bool erased = t.Erase(key, &out);
      EXPECT_EQ(erased, model.erase(key) == 1);
      if (erased) {
        EXPECT_EQ(out.Key(), key);
      }
    } else {
      const std::string value = "v" + std::to_string(step);
      if (PackedPair* r = t.Find(key)) {
        *r = PackedPair(key, value);
      } else {
        t.Insert(PackedPair(key, value));
      }
      model[key] = value;
    }
  }
  ASSERT_EQ(t.size(), model.size());
  std::map<std::string, std::string> seen;
  for (const PackedPair& r : t) seen[std::string(r.Key())] = std::string(r.Second());
  EXPECT_EQ(seen, model);
  for (const auto& [k, v] : model) {
    const PackedPair* r = t.Find(k);
    ASSERT_NE(r, nullptr) << k;
    EXPECT_EQ(r->Second(), v);
  }
  EXPECT_EQ(t.Find("absent"), nullptr);

  DenseTable<PackedPair> copy;
  copy.CopyFrom(t, [](const PackedPair& r) { return PackedPair(r.Key(), r.Second()); });
  ASSERT_EQ(copy.size(), t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(copy.Find(t.at(i).Key())->Second(), t.at(i).Second());
  }
}

TEST(DenseTableTest, ErasingMovesTheLastRecordIntoTheHole) {
  DenseTable<PackedPair> t;
  t.Insert(PackedPair("a", "1"));
  t.Insert(PackedPair("b", "2"));
  t.Insert(PackedPair("c", "3"));
  EXPECT_TRUE(t.Erase("a"));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at(0).Key(), "c");
  EXPECT_EQ(t.at(1).Key(), "b");
  EXPECT_EQ(t.Find("c")->Second(), "3");
  EXPECT_FALSE(t.Erase("a"));
  EXPECT_TRUE(t.Erase("b"));  // the last one itself
  EXPECT_TRUE(t.Erase("c"));
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace stashd::store
