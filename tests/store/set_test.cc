// The set type: both encodings, the conversion between them, the dense
// hashtable against a reference std::set, scans, serialization and deltas.
#include "store/types/set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace stashd::store {
namespace {

using ::testing::ElementsAre;

std::set<std::string> Members(const SetObject& s) {
  std::set<std::string> out;
  s.ForEachElement([&](const ElementView& e) {
    EXPECT_TRUE(e.value.empty());
    EXPECT_EQ(e.score, 0);
    EXPECT_EQ(e.index, 0);
    out.emplace(e.member);
  });
  EXPECT_EQ(out.size(), s.Size());
  return out;
}

struct Owned {
  SetObject* s = new SetObject();
  ~Owned() { s->Unref(); }
  SetObject* operator->() { return s; }
};

TEST(SetObjectTest, IntegersStayAnIntsetUntilTheLimit) {
  SetObject::SetLimits(4);
  Owned s;
  EXPECT_EQ(s->type(), ValueType::kSet);
  EXPECT_TRUE(s->Add("3"));
  EXPECT_TRUE(s->Add("-10"));
  EXPECT_FALSE(s->Add("3"));
  EXPECT_TRUE(s->Add("9223372036854775807"));
  EXPECT_TRUE(s->Add("-9223372036854775808"));
  EXPECT_EQ(s->Encoding(), "intset");
  EXPECT_TRUE(s->Contains("-10"));
  EXPECT_FALSE(s->Contains("-0"));
  EXPECT_FALSE(s->Contains("03"));
  std::vector<std::string> order;
  s->ForEachElement([&](const ElementView& e) { order.emplace_back(e.member); });
  EXPECT_THAT(order, ElementsAre("-9223372036854775808", "-10", "3", "9223372036854775807"));
  EXPECT_EQ(s->PayloadBytes(), 20u + 3 + 1 + 19);
  EXPECT_TRUE(s->Add("5"));  // the fifth: past the limit
  EXPECT_EQ(s->Encoding(), "hashtable");
  EXPECT_TRUE(s->Remove("5"));
  EXPECT_EQ(s->Encoding(), "hashtable");  // never back
  EXPECT_EQ(Members(*s.s),
            (std::set<std::string>{"-9223372036854775808", "-10", "3", "9223372036854775807"}));
  SetObject::SetLimits(512);
}

// The intset widens from 2 to 4 to 8 bytes as values need it, keeping order,
// and its memory follows its size exactly.
TEST(SetObjectTest, IntsetWidensAndStaysSorted) {
  IntSet ints;
  const int64_t values[] = {5, -3, 40000, 7, -5000000000, 32767, -32768, 1LL << 40, 0};
  for (int64_t v : values) {
    size_t pos;
    ASSERT_FALSE(ints.Find(v, &pos)) << v;
    ints.Insert(pos, v);
  }
  std::vector<int64_t> got;
  for (size_t i = 0; i < ints.size(); ++i) got.push_back(ints.Get(i));
  EXPECT_THAT(got, ElementsAre(-5000000000, -32768, -3, 0, 5, 7, 32767, 40000, 1LL << 40));
  size_t pos;
  EXPECT_TRUE(ints.Find(32767, &pos));
  EXPECT_EQ(pos, 6u);
  IntSet copy = ints;
  ints.Erase(pos);
  EXPECT_FALSE(ints.Find(32767, &pos));
  EXPECT_TRUE(copy.Find(32767, &pos));
  EXPECT_EQ(ints.size(), 8u);
  IntSet small;
  for (int64_t v = 0; v < 10; ++v) small.Insert(static_cast<size_t>(v), v);
  EXPECT_LE(small.HeapBytes(), 48u);  // 5 + 10 * 2 bytes
  while (small.size() > 0) small.Erase(0);
  EXPECT_EQ(small.HeapBytes(), 0u);
}

TEST(SetObjectTest, NonCanonicalIntegersAreStrings) {
  for (const char* m : {"+1", "01", "-0", "1 ", "", "9223372036854775808", "abc", "1.0"}) {
    Owned s;
    EXPECT_TRUE(s->Add("1"));
    EXPECT_TRUE(s->Add(m)) << m;
    EXPECT_EQ(s->Encoding(), "hashtable") << m;
    EXPECT_TRUE(s->Contains(m)) << m;
    EXPECT_TRUE(s->Contains("1")) << m;
    EXPECT_EQ(s->Size(), 2u);
  }
}

TEST(SetObjectTest, IntsetRemoveIgnoresNonIntegers) {
  Owned s;
  s->Add("1");
  EXPECT_FALSE(s->Remove("x"));
  EXPECT_FALSE(s->Remove("01"));
  EXPECT_TRUE(s->Remove("1"));
  EXPECT_EQ(s->Size(), 0u);
  EXPECT_EQ(s->PayloadBytes(), 0u);
}

// Random adds and removes of short, medium (arena) and long (own allocation)
// members against std::set, through growth, shrinking and compaction.
TEST(SetObjectTest, HashtableMatchesAReferenceSet) {
  std::mt19937_64 rng(42);
  Owned s;
  std::set<std::string> ref;
  size_t payload = 0;
  auto member = [&] {
    const uint64_t k = rng() % 3000;
    switch (k % 3) {
      case 0:
        return "m" + std::to_string(k);
      case 1:
        return std::string(20 + k % 40, 'a') + std::to_string(k);
      default:
        return std::string(k % 7 == 0 ? 5000 : 100, 'z') + std::to_string(k);
    }
  };
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 20000; ++i) {
      std::string m = member();
      const bool add = (round % 2 == 0) ? rng() % 4 != 0 : rng() % 4 == 0;
      if (add) {
        const bool fresh = ref.insert(m).second;
        ASSERT_EQ(s->Add(m), fresh) << m;
        if (fresh) payload += m.size();
      } else {
        const bool had = ref.erase(m) == 1;
        ASSERT_EQ(s->Remove(m), had) << m;
        if (had) payload -= m.size();
      }
    }
    ASSERT_EQ(Members(*s.s), ref);
    ASSERT_EQ(s->PayloadBytes(), payload);
    for (const std::string& m : ref) ASSERT_TRUE(s->Contains(m));
    EXPECT_GT(s->MemoryUsage(), payload / 2);
  }
  // Remove everything: the index shrinks and the arena compacts.
  for (const std::string& m : ref) ASSERT_TRUE(s->Remove(m));
  EXPECT_EQ(s->Size(), 0u);
  EXPECT_LT(s->MemoryUsage(), 4096u);
}

TEST(SetObjectTest, AtCoversEveryMember) {
  for (bool strings : {false, true}) {
    Owned s;
    for (int i = 0; i < 100; ++i) s->Add((strings ? "s" : "") + std::to_string(i));
    std::set<std::string> seen;
    std::string buf;
    for (size_t i = 0; i < s->Size(); ++i) seen.emplace(s->At(i, &buf));
    EXPECT_EQ(seen, Members(*s.s));
  }
}

// A member present for the whole scan is returned, whatever is added or
// removed between calls (which grows and shrinks the index).
TEST(SetObjectTest, ScanReturnsEveryStableMember) {
  Owned s;
  for (int i = 0; i < 1000; ++i) s->Add("keep" + std::to_string(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  int extra = 0;
  do {
    cursor = s->Scan(cursor, 10, [&](std::string_view m) { seen.emplace(m); });
    ++calls;
    if (calls % 3 == 0) {
      for (int i = 0; i < 200; ++i) s->Add("tmp" + std::to_string(extra++));
    } else if (calls % 3 == 1) {
      for (int i = std::max(0, extra - 300); i < extra; ++i) s->Remove("tmp" + std::to_string(i));
    }
  } while (cursor != 0);
  EXPECT_GT(calls, 10);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("keep" + std::to_string(i))) << i;
  Owned ints;
  ints->Add("1");
  ints->Add("2");
  std::vector<std::string> all;
  EXPECT_EQ(ints->Scan(0, 1, [&](std::string_view m) { all.emplace_back(m); }), 0u);
  EXPECT_THAT(all, ElementsAre("1", "2"));
}

TEST(SetObjectTest, SerializeCloneAndDeltas) {
  for (bool strings : {false, true}) {
    Owned s;
    for (int i = 0; i < 50; ++i) s->Add((strings ? std::string(30, 'x') : "") + std::to_string(i));
    std::string data;
    s->Serialize(&data);
    SetObject* back = SetObject::Deserialize(data);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(Members(*back), Members(*s.s));
    EXPECT_EQ(back->Encoding(), s->Encoding());
    EXPECT_EQ(back->PayloadBytes(), s->PayloadBytes());
    back->Unref();
    EXPECT_EQ(SetObject::Deserialize(data.substr(0, data.size() - 1)), nullptr);
    EXPECT_EQ(SetObject::Deserialize(data + "x"), nullptr);
    Object* copy = s->Clone();
    EXPECT_EQ(copy->refs(), 1u);
    s->Add("new");
    EXPECT_EQ(copy->Size(), 50u);
    copy->Unref();
  }
  Owned s;
  const std::string_view add[] = {"a", "b", "1"};
  EXPECT_TRUE(s->ApplyDelta(SetObject::kAdd, add));
  const std::string_view rem[] = {"a", "zz"};
  EXPECT_TRUE(s->ApplyDelta(SetObject::kRemove, rem));
  EXPECT_EQ(Members(*s.s), (std::set<std::string>{"b", "1"}));
  EXPECT_FALSE(s->ApplyDelta(SetObject::kAdd, {}));
  EXPECT_FALSE(s->ApplyDelta(9, add));
  EXPECT_EQ(s->Size(), 2u);
}

// The snapshot writer keeps element views until it flushes a batch of rows:
// they must stay valid while the set is unchanged, in both encodings.
TEST(SetObjectTest, ElementViewsStayValidWhileTheSetIsUnchanged) {
  for (bool strings : {false, true}) {
    Owned s;
    for (int i = 0; i < 300; ++i) s->Add((strings ? "member" : "") + std::to_string(i * 13));
    std::vector<std::string_view> views;
    s->ForEachElement([&](const ElementView& e) { views.push_back(e.member); });
    std::vector<std::string> again;
    s->ForEachMember([&](std::string_view m) { again.emplace_back(m); });
    ASSERT_EQ(views.size(), again.size());
    for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i], again[i]) << i;
    const size_t with_text = s->MemoryUsage();
    s->Add("7");  // a change drops the intset's decimal text
    if (!strings) {
      EXPECT_LT(s->MemoryUsage(), with_text);
    }
  }
}

TEST(SetObjectTest, ValueModelKnowsSets) {
  EXPECT_TRUE(KnownType(static_cast<uint8_t>(ValueType::kSet)));
  Object* o = NewObject(ValueType::kSet);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->type(), ValueType::kSet);
  o->Unref();
  auto builder = NewObjectBuilder(ValueType::kSet);
  ASSERT_NE(builder, nullptr);
  builder->Add(ElementView{"x", {}, 0, 0});
  builder->Add(ElementView{"7", {}, 0, 0});
  Object* built = builder->Finish();
  ASSERT_NE(built, nullptr);
  EXPECT_EQ(Members(static_cast<SetObject&>(*built)), (std::set<std::string>{"x", "7"}));
  std::string data;
  built->Serialize(&data);
  Object* back = DeserializeObject(ValueType::kSet, data);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->Size(), 2u);
  back->Unref();
  built->Unref();
}

TEST(SetObjectTest, ScanIntsetWholeHashtableByCursorAcrossGrowth) {
  Owned s;
  for (int i = 0; i < 5; ++i) s->Add(std::to_string(i));
  std::vector<std::string> got;
  EXPECT_EQ(s->Scan(77, 1, [&](std::string_view m) { got.emplace_back(m); }), 0u);
  EXPECT_THAT(got, ElementsAre("0", "1", "2", "3", "4"));  // any cursor: all, then 0
  for (int i = 0; i < 500; ++i) s->Add("m" + std::to_string(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = s->Scan(cursor, 10, [&](std::string_view m) { seen.emplace(m); });
    if (++calls == 3) {
      for (int i = 0; i < 3000; ++i) s->Add("new" + std::to_string(i));  // the index doubles
    }
  } while (cursor != 0 && calls < 100000);
  EXPECT_GT(calls, 10);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(seen.count(std::to_string(i)), 1u) << i;
  for (int i = 0; i < 500; ++i) EXPECT_EQ(seen.count("m" + std::to_string(i)), 1u) << i;
}

}  // namespace
}  // namespace stashd::store
