#include "store/types/zset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/string_ops.h"
#include "store/value.h"

namespace stashd::store {
namespace {

using Pairs = std::vector<std::pair<std::string, double>>;

Pairs All(const ZSetObject& z) {
  Pairs out;
  z.ForEachElement([&](const ElementView& e) { out.emplace_back(std::string(e.member), e.score); });
  return out;
}

class ZSetTest : public ::testing::Test {
 protected:
  void SetUp() override { ZSetObject::SetLimits(128, 64); }
  void TearDown() override { ZSetObject::SetLimits(128, 64); }
};

TEST_F(ZSetTest, OrdersByScoreThenMemberBytes) {
  auto* z = new ZSetObject();
  EXPECT_TRUE(z->Set("b", 1));
  EXPECT_TRUE(z->Set("a", 1));
  EXPECT_TRUE(z->Set("\xff", 0));
  EXPECT_TRUE(z->Set("c", -INFINITY));
  EXPECT_FALSE(z->Set("a", 2));  // an update moves it
  EXPECT_EQ(All(*z), (Pairs{{"c", -INFINITY}, {"\xff", 0}, {"b", 1}, {"a", 2}}));
  EXPECT_EQ(z->Rank("a"), 3u);
  EXPECT_EQ(z->Rank("c"), 0u);
  EXPECT_EQ(z->Rank("zz"), std::nullopt);
  EXPECT_EQ(z->Score("\xff"), 0.0);
  EXPECT_EQ(z->Encoding(), "listpack");
  EXPECT_EQ(z->PayloadBytes(), 4 + 4 * sizeof(double));
  z->Unref();
}

TEST_F(ZSetTest, ConvertsToSkipListPastEitherLimit) {
  ZSetObject::SetLimits(3, 5);
  auto* z = new ZSetObject();
  z->Set("a", 1);
  z->Set("b", 2);
  z->Set("c", 3);
  EXPECT_EQ(z->Encoding(), "listpack");
  z->Set("d", 4);
  EXPECT_EQ(z->Encoding(), "skiplist");
  EXPECT_EQ(All(*z), (Pairs{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}}));
  z->Remove("d");
  z->Remove("c");
  EXPECT_EQ(z->Encoding(), "skiplist");  // never back
  auto* w = new ZSetObject();
  w->Set("abcde", 1);
  EXPECT_EQ(w->Encoding(), "listpack");
  w->Set("abcdef", 1);
  EXPECT_EQ(w->Encoding(), "skiplist");
  z->Unref();
  w->Unref();
}

// Both encodings against a model, through every operation, with random
// scores that collide often (so member order matters).
class ZSetModelTest : public ZSetTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(ZSetModelTest, MatchesModel) {
  ZSetObject::SetLimits(GetParam(), 64);
  std::mt19937_64 rng(42);
  auto* z = new ZSetObject();
  std::map<std::string, double> scores;
  auto model = [&] {
    std::set<std::pair<double, std::string>> s;
    for (auto& [m, sc] : scores) s.emplace(sc, m);
    return std::vector<std::pair<double, std::string>>(s.begin(), s.end());
  };
  for (int step = 0; step < 3000; ++step) {
    const std::string m = "m" + std::to_string(rng() % 300);
    const double sc = static_cast<double>(rng() % 20);
    switch (rng() % 4) {
      case 0:
      case 1:
        EXPECT_EQ(z->Set(m, sc), scores.count(m) == 0);
        scores[m] = sc;
        break;
      case 2:
        EXPECT_EQ(z->Remove(m), scores.erase(m) == 1);
        break;
      case 3: {
        auto v = model();
        if (v.empty()) break;
        size_t a = rng() % v.size(), b = rng() % v.size();
        if (a > b) std::swap(a, b);
        std::vector<std::string> removed;
        z->RemoveRange(a, b, [&](std::string_view x) { removed.emplace_back(x); });
        ASSERT_EQ(removed.size(), b - a + 1);
        for (size_t i = a; i <= b; ++i) {
          EXPECT_EQ(removed[i - a], v[i].second);
          scores.erase(v[i].second);
        }
        break;
      }
    }
    if (step % 50 != 0) continue;
    auto v = model();
    ASSERT_EQ(z->Size(), v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      ASSERT_EQ(z->Rank(v[i].second), i);
      ASSERT_EQ(z->Score(v[i].second), v[i].first);
    }
    if (v.empty()) continue;
    for (double bound = -1; bound < 21; bound += 0.5) {
      size_t below = 0, below_eq = 0;
      for (auto& [sc, m] : v) {
        below += sc < bound;
        below_eq += sc <= bound;
      }
      ASSERT_EQ(z->CountBelowScore(bound, false), below);
      ASSERT_EQ(z->CountBelowScore(bound, true), below_eq);
    }
    std::vector<std::string> rev;
    z->ForRange(1 % v.size(), v.size() - 1, true, [&](std::string_view x, double) {
      rev.emplace_back(x);
      return true;
    });
    ASSERT_EQ(rev.size(), v.size() - 1 % v.size());
    for (size_t i = 0; i < rev.size(); ++i) ASSERT_EQ(rev[i], v[v.size() - 1 - i].second);
  }
  if (GetParam() < 100) {
    EXPECT_EQ(z->Encoding(), "skiplist");
  }
  z->Unref();
}

INSTANTIATE_TEST_SUITE_P(Encodings, ZSetModelTest, ::testing::Values(1000, 10));

TEST_F(ZSetTest, LexRangesOnEqualScores) {
  for (size_t limit : {128, 1}) {
    ZSetObject::SetLimits(limit, 64);
    auto* z = new ZSetObject();
    for (const char* m : {"a", "b", "c", "d", "e"}) z->Set(m, 0);
    LexRange r;
    ASSERT_TRUE(ParseLexRange("[b", "(d", &r));
    EXPECT_EQ(z->RanksOf(r), std::make_pair(size_t{1}, size_t{3}));
    ASSERT_TRUE(ParseLexRange("(b", "+", &r));
    EXPECT_EQ(z->RanksOf(r), std::make_pair(size_t{2}, size_t{5}));
    ASSERT_TRUE(ParseLexRange("-", "[a", &r));
    EXPECT_EQ(z->RanksOf(r), std::make_pair(size_t{0}, size_t{1}));
    EXPECT_FALSE(ParseLexRange("b", "+", &r));
    EXPECT_FALSE(ParseLexRange("[b", "+x", &r));
    z->Unref();
  }
}

TEST_F(ZSetTest, ScoreRangesParseAsRedis) {
  ScoreRange r;
  ASSERT_TRUE(ParseScoreRange("(1.5", "inf", &r));
  EXPECT_TRUE(r.min_exclusive);
  EXPECT_EQ(r.min, 1.5);
  EXPECT_FALSE(r.max_exclusive);
  EXPECT_TRUE(std::isinf(r.max));
  EXPECT_FALSE(ParseScoreRange("1", "nan", &r));
  EXPECT_FALSE(ParseScoreRange("x", "1", &r));
  EXPECT_FALSE(ParseScoreRange("1", "(1x", &r));
}

TEST_F(ZSetTest, DoublesRoundTripThroughText) {
  for (double d : {0.1, 1.0 / 3, -1e308, 5e-324, 1.5, double{INFINITY}, -double{INFINITY}}) {
    EXPECT_EQ(ParseDouble(FormatDouble(d)), d) << FormatDouble(d);
  }
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatDouble(0.1), "0.10000000000000001");
  EXPECT_EQ(FormatDouble(-INFINITY), "-inf");
  EXPECT_EQ(ParseDouble("nan"), std::nullopt);
  EXPECT_EQ(ParseDouble(" 1"), std::nullopt);
  EXPECT_EQ(ParseDouble(""), std::nullopt);
  EXPECT_EQ(ParseDouble("1e400"), std::nullopt);
}

TEST_F(ZSetTest, SerializeRoundTripBothEncodings) {
  for (size_t limit : {128, 2}) {
    ZSetObject::SetLimits(limit, 64);
    auto* z = new ZSetObject();
    z->Set("x", 0.1);
    z->Set("y", -INFINITY);
    z->Set("z", 1e300);
    std::string data;
    z->Serialize(&data);
    Object* back = DeserializeObject(ValueType::kZSet, data);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(All(static_cast<ZSetObject&>(*back)), All(*z));
    EXPECT_EQ(back->Encoding(), z->Encoding());
    Object* copy = z->Clone();
    EXPECT_EQ(All(static_cast<ZSetObject&>(*copy)), All(*z));
    EXPECT_EQ(DeserializeObject(ValueType::kZSet, data.substr(0, data.size() - 1)), nullptr);
    back->Unref();
    copy->Unref();
    z->Unref();
  }
}

TEST_F(ZSetTest, ApplyDeltaReplaysExactScores) {
  Object* o = NewObject(ValueType::kZSet);
  const std::string third = FormatDouble(1.0 / 3);
  const std::string_view add[] = {"a", third, "b", "inf", "c", "2"};
  EXPECT_TRUE(o->ApplyDelta(ZSetObject::kAdd, add));
  const std::string_view remove[] = {"c", "missing"};
  EXPECT_TRUE(o->ApplyDelta(ZSetObject::kRemove, remove));
  EXPECT_EQ(All(static_cast<ZSetObject&>(*o)), (Pairs{{"a", 1.0 / 3}, {"b", INFINITY}}));
  const std::string_view bad[] = {"a", "nan"};
  EXPECT_FALSE(o->ApplyDelta(ZSetObject::kAdd, bad));
  const std::string_view odd[] = {"a"};
  EXPECT_FALSE(o->ApplyDelta(ZSetObject::kAdd, odd));
  EXPECT_FALSE(o->ApplyDelta(9, odd));
  EXPECT_EQ(o->Size(), 2u);
  o->Unref();
}

TEST_F(ZSetTest, BuilderTakesElementsInAnyOrder) {
  auto b = NewObjectBuilder(ValueType::kZSet);
  ASSERT_NE(b, nullptr);
  b->Add(ElementView{"b", "", 2, 0});
  b->Add(ElementView{"a", "", 1, 0});
  Object* o = b->Finish();
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(All(static_cast<ZSetObject&>(*o)), (Pairs{{"a", 1}, {"b", 2}}));
  o->Unref();
  EXPECT_TRUE(KnownType(static_cast<uint8_t>(ValueType::kZSet)));
}

TEST_F(ZSetTest, NegativeZeroOnlySurvivesInTheSkipList) {
  auto* z = new ZSetObject();
  z->Set("a", -0.0);
  EXPECT_FALSE(std::signbit(*z->Score("a")));  // as Redis's listpack, an integer 0
  auto* s = new ZSetObject();
  s->UseSkipList();
  s->Set("a", -0.0);
  s->Set("b", 1);
  EXPECT_EQ(s->Encoding(), "skiplist");
  EXPECT_TRUE(std::signbit(*s->Score("a")));
  s->CompactIfFits();  // a *STORE result that fits
  EXPECT_EQ(s->Encoding(), "listpack");
  EXPECT_FALSE(std::signbit(*s->Score("a")));
  EXPECT_EQ(All(*s), (Pairs{{"a", 0}, {"b", 1}}));
  EXPECT_EQ(s->PayloadBytes(), 2 + 2 * sizeof(double));
  auto* big = new ZSetObject();
  big->UseSkipList();
  big->Set(std::string(65, 'x'), 1);
  big->CompactIfFits();
  EXPECT_EQ(big->Encoding(), "skiplist");  // a member too long stays
  z->Unref();
  s->Unref();
  big->Unref();
}

TEST_F(ZSetTest, MemoryUsageGrowsWithMembers) {
  ZSetObject::SetLimits(0, 64);
  auto* z = new ZSetObject();
  const size_t empty = z->MemoryUsage();
  for (int i = 0; i < 1000; ++i) z->Set("member:" + std::to_string(i), i);
  EXPECT_GT(z->MemoryUsage(), empty + 1000 * 40);
  EXPECT_LT(z->MemoryUsage(), empty + 1000 * 120);
  z->Unref();
}

TEST_F(ZSetTest, ScanCompactWholeSkipListByCursorAcrossGrowth) {
  auto* z = new ZSetObject();
  z->Set("b", 2);
  z->Set("a", 1);
  Pairs got;
  EXPECT_EQ(z->Scan(99, 1, [&](std::string_view m, double s) { got.emplace_back(m, s); }), 0u);
  EXPECT_EQ(got, (Pairs{{"a", 1}, {"b", 2}}));  // a listpack: all, in order, then 0
  for (int i = 0; i < 500; ++i) z->Set("m" + std::to_string(i), i * 0.5);
  ASSERT_FALSE(z->compact());
  std::map<std::string, double> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = z->Scan(cursor, 10, [&](std::string_view m, double s) { seen[std::string(m)] = s; });
    if (++calls == 3) {
      for (int i = 0; i < 3000; ++i) z->Set("new" + std::to_string(i), -i);  // the index doubles
    }
    if (calls == 30) {
      for (int i = 0; i < 3000; ++i) z->Remove("new" + std::to_string(i));  // and shrinks
    }
  } while (cursor != 0 && calls < 100000);
  EXPECT_GT(calls, 10);
  EXPECT_EQ(seen["a"], 1);
  EXPECT_EQ(seen["b"], 2);
  for (int i = 0; i < 500; ++i) {
    auto it = seen.find("m" + std::to_string(i));
    ASSERT_NE(it, seen.end()) << i;
    EXPECT_EQ(it->second, i * 0.5);
  }
  z->Unref();
}

}  // namespace
}  // namespace stashd::store
