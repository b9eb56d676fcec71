// The list type on its own: node limits (splits at the fill threshold,
// merges after removals), index lookups through the node tree, the
// serialized form, delta replay, and a seeded random comparison with a
// std::deque under several fills.
#include "store/types/list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

namespace stashd::store {
namespace {

using ::testing::ElementsAre;
using End = ListObject::End;

std::vector<std::string> Items(const ListObject& l) {
  std::vector<std::string> out;
  l.ForEachElement([&](const ElementView& e) {
    EXPECT_EQ(e.index, static_cast<int64_t>(out.size()));
    out.emplace_back(e.member);
  });
  return out;
}

class ListTest : public ::testing::Test {
 protected:
  ~ListTest() override { ListObject::SetLimits(-2, 0); }
  static void Unref(Object* o) { o->Unref(); }
};

TEST_F(ListTest, PushPopBothEnds) {
  ListObject l;
  l.Push(End::kRight, "b");
  l.Push(End::kLeft, "a");
  l.Push(End::kRight, "c");
  l.Push(End::kRight, "");
  EXPECT_THAT(Items(l), ElementsAre("a", "b", "c", ""));
  EXPECT_EQ(l.Size(), 4u);
  EXPECT_EQ(l.PayloadBytes(), 3u);
  EXPECT_EQ(l.Encoding(), "quicklist");
  std::vector<std::string> out;
  EXPECT_EQ(l.Pop(End::kRight, 2, &out), 2u);
  EXPECT_THAT(out, ElementsAre("", "c"));
  EXPECT_EQ(l.Pop(End::kLeft, 5, &out), 2u);
  EXPECT_THAT(out, ElementsAre("", "c", "a", "b"));
  EXPECT_EQ(l.Size(), 0u);
  EXPECT_EQ(l.node_count(), 0u);
  EXPECT_EQ(l.PayloadBytes(), 0u);
}

TEST_F(ListTest, PositiveFillBoundsItemsPerNode) {
  ListObject::SetLimits(4, 0);
  ListObject l;
  for (int i = 0; i < 10; ++i) l.Push(End::kRight, std::to_string(i));
  EXPECT_THAT(l.node_sizes(), ElementsAre(4, 4, 2));
  for (int i = 0; i < 3; ++i) l.Push(End::kLeft, "h" + std::to_string(i));
  EXPECT_THAT(l.node_sizes(), ElementsAre(3, 4, 4, 2));
  EXPECT_EQ(*l.Index(0), "h2");
  EXPECT_EQ(*l.Index(3), "0");
  EXPECT_EQ(*l.Index(-1), "9");
  EXPECT_EQ(*l.Index(-13), "h2");
  EXPECT_FALSE(l.Index(13));
  EXPECT_FALSE(l.Index(-14));
  // An insert into a full node splits it.
  l.Insert(5, "x");
  EXPECT_THAT(l.node_sizes(), ElementsAre(3, 3, 2, 4, 2));
  EXPECT_EQ(*l.Index(5), "x");
  EXPECT_EQ(*l.Index(6), "2");
}

TEST_F(ListTest, NegativeFillBoundsNodeBytes) {
  ListObject::SetLimits(-1, 0);  // 4 KB nodes
  ListObject l;
  const std::string item(100, 'x');  // 102 encoded bytes: 40 per node
  for (int i = 0; i < 100; ++i) l.Push(End::kRight, item);
  EXPECT_THAT(l.node_sizes(), ElementsAre(40, 40, 20));
  // An item above the limit gets a node of its own.
  l.Push(End::kRight, std::string(5000, 'y'));
  l.Push(End::kRight, "z");
  EXPECT_THAT(l.node_sizes(), ElementsAre(40, 40, 20, 1, 1));
  // LSET growing an item past the limit splits its node.
  ASSERT_TRUE(l.Set(50, std::string(5000, 's')));
  EXPECT_EQ(l.Size(), 102u);
  EXPECT_EQ(l.Index(50)->size(), 5000u);
  for (uint32_t n : l.node_sizes()) EXPECT_GT(n, 0u);
  EXPECT_GE(l.node_count(), 6u);
}

TEST_F(ListTest, AShortListIsTheObjectAndOneBuffer) {
  EXPECT_LE(sizeof(ListObject), 64u);
  ListObject l;
  for (int i = 0; i < 10; ++i) l.Push(End::kRight, "task:12345:" + std::to_string(i));
  EXPECT_EQ(l.node_count(), 1u);
  // 10 items of 12 bytes, 2 bytes of lengths each: a buffer sized to fit.
  EXPECT_LE(l.MemoryUsage(), sizeof(ListObject) + 140 + 16);
}

TEST_F(ListTest, AQueueThroughManyNodesStaysIndexable) {
  ListObject::SetLimits(2, 0);
  ListObject l;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 40; ++i) l.Push(End::kRight, std::to_string(next_in++));
    std::vector<std::string> out;
    l.Pop(End::kLeft, 35, &out);
    for (const std::string& got : out) EXPECT_EQ(got, std::to_string(next_out++));
    ASSERT_EQ(l.Size(), static_cast<size_t>(next_in - next_out));
    EXPECT_EQ(*l.Index(0), std::to_string(next_out));
    EXPECT_EQ(*l.Index(-1), std::to_string(next_in - 1));
    const size_t mid = l.Size() / 2;
    EXPECT_EQ(*l.Index(static_cast<int64_t>(mid)),
              std::to_string(next_out + static_cast<int>(mid)));
  }
  // Draining it returns to the single-node form, then to nothing.
  l.Pop(End::kRight, l.Size() - 1);
  EXPECT_EQ(l.node_count(), 1u);
  EXPECT_EQ(*l.Index(0), std::to_string(next_out));
  l.Pop(End::kLeft, 1);
  EXPECT_EQ(l.node_count(), 0u);
  EXPECT_EQ(l.MemoryUsage(), sizeof(ListObject));
}

TEST_F(ListTest, RemovalsMergeSmallNeighbours) {
  ListObject::SetLimits(4, 0);
  ListObject l;
  for (int i = 0; i < 12; ++i) l.Push(End::kRight, i % 2 == 0 ? "a" : "b");
  EXPECT_THAT(l.node_sizes(), ElementsAre(4, 4, 4));
  EXPECT_EQ(l.Remove(0, "a"), 6u);
  EXPECT_THAT(l.node_sizes(), ElementsAre(4, 2));
  EXPECT_THAT(Items(l), ElementsAre("b", "b", "b", "b", "b", "b"));
}

TEST_F(ListTest, RemoveFromEitherEnd) {
  ListObject l;
  for (const char* s : {"a", "b", "a", "c", "a", "a"}) l.Push(End::kRight, s);
  EXPECT_EQ(l.Remove(-2, "a"), 2u);
  EXPECT_THAT(Items(l), ElementsAre("a", "b", "a", "c"));
  EXPECT_EQ(l.Remove(1, "a"), 1u);
  EXPECT_THAT(Items(l), ElementsAre("b", "a", "c"));
  EXPECT_EQ(l.Remove(0, "zz"), 0u);
  EXPECT_EQ(l.Find("c"), 2);
  EXPECT_EQ(l.Find("zz"), -1);
}

TEST_F(ListTest, TrimFollowsRedisIndexRules) {
  auto make = [] {
    auto* l = new ListObject();
    for (int i = 0; i < 10; ++i) l->Push(End::kRight, std::to_string(i));
    return l;
  };
  struct Case {
    int64_t start, stop;
    std::vector<std::string> kept;
  };
  for (const Case& c :
       {Case{2, 4, {"2", "3", "4"}}, Case{-3, -1, {"7", "8", "9"}}, Case{-100, 1, {"0", "1"}},
        Case{8, 100, {"8", "9"}}, Case{5, 4, {}}, Case{10, 20, {}}}) {
    ListObject* l = make();
    l->Trim(c.start, c.stop);
    EXPECT_EQ(Items(*l), c.kept) << c.start << " " << c.stop;
    Unref(l);
  }
}

TEST_F(ListTest, MiddleOfAMillionItemsIsFoundThroughTheTree) {
  ListObject l;
  for (int i = 0; i < 1'000'000; ++i) l.Push(End::kRight, std::to_string(i));
  EXPECT_GT(l.node_count(), 100u);
  EXPECT_EQ(*l.Index(500'000), "500000");
  EXPECT_TRUE(l.Set(500'000, "middle"));
  EXPECT_EQ(*l.Index(500'000), "middle");
  EXPECT_EQ(*l.Index(500'001), "500001");
  // The tree follows changes at the ends.
  l.Push(End::kLeft, "head");
  std::vector<std::string> out;
  l.Pop(End::kRight, 3, &out);
  EXPECT_EQ(*l.Index(500'001), "middle");
  EXPECT_EQ(*l.Index(-1), "999996");
  EXPECT_EQ(*l.Index(0), "head");
  std::vector<std::string> walked;
  l.Walk(500'001, false, [&](std::string_view item, size_t i) {
    walked.emplace_back(item);
    EXPECT_EQ(i, 500'002 - walked.size());
    return walked.size() < 3;
  });
  EXPECT_THAT(walked, ElementsAre("middle", "499999", "499998"));
}

TEST_F(ListTest, SerializeRoundTripAndClone) {
  ListObject::SetLimits(3, 0);
  ListObject l;
  for (int i = 0; i < 10; ++i) l.Push(End::kRight, std::string(i, 'a' + i));
  std::string data;
  l.Serialize(&data);
  ListObject* back = ListObject::Deserialize(data);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(Items(*back), Items(l));
  EXPECT_EQ(back->PayloadBytes(), l.PayloadBytes());
  Unref(back);
  EXPECT_EQ(ListObject::Deserialize(data.substr(0, data.size() - 1)), nullptr);
  EXPECT_EQ(ListObject::Deserialize(data + "x"), nullptr);
  auto* copy = static_cast<ListObject*>(l.Clone());
  copy->Push(End::kLeft, "new");
  EXPECT_EQ(copy->Size(), 11u);
  EXPECT_EQ(l.Size(), 10u);
  EXPECT_EQ(Items(*copy).back(), Items(l).back());
  Unref(copy);
}

TEST_F(ListTest, DeltaOpsReplayExactly) {
  ListObject l;
  auto apply = [&](uint8_t op, std::vector<std::string_view> args) {
    return l.ApplyDelta(op, args);
  };
  EXPECT_TRUE(apply(ListObject::kPushRight, {"a", "b", "c"}));
  EXPECT_TRUE(apply(ListObject::kPushLeft, {"x", "y"}));
  EXPECT_THAT(Items(l), ElementsAre("y", "x", "a", "b", "c"));
  EXPECT_TRUE(apply(ListObject::kPopLeft, {"1"}));
  EXPECT_TRUE(apply(ListObject::kPopRight, {"1"}));
  EXPECT_TRUE(apply(ListObject::kSet, {"1", "A"}));
  EXPECT_TRUE(apply(ListObject::kInsert, {"3", "end"}));
  EXPECT_TRUE(apply(ListObject::kInsert, {"0", "start"}));
  EXPECT_THAT(Items(l), ElementsAre("start", "x", "A", "b", "end"));
  EXPECT_TRUE(apply(ListObject::kRemove, {"-1", "x"}));
  EXPECT_TRUE(apply(ListObject::kTrim, {"1", "-1"}));
  EXPECT_THAT(Items(l), ElementsAre("A", "b", "end"));
  // Malformed ops change nothing.
  EXPECT_FALSE(apply(ListObject::kSet, {"3", "v"}));
  EXPECT_FALSE(apply(ListObject::kSet, {"-1", "v"}));
  EXPECT_FALSE(apply(ListObject::kInsert, {"4", "v"}));
  EXPECT_FALSE(apply(ListObject::kPopLeft, {"4"}));
  EXPECT_FALSE(apply(ListObject::kPopLeft, {"x"}));
  EXPECT_FALSE(apply(ListObject::kPushLeft, {}));
  EXPECT_FALSE(apply(ListObject::kTrim, {"1"}));
  EXPECT_FALSE(apply(99, {"1"}));
  EXPECT_THAT(Items(l), ElementsAre("A", "b", "end"));
}

// Every operation against a std::deque model, with fills that make nodes
// split, merge and empty often.
TEST_F(ListTest, RandomOpsMatchADeque) {
  for (int fill : {1, 3, 16, -1, -2}) {
    ListObject::SetLimits(fill, 0);
    std::mt19937 rng(42 + fill);
    ListObject l;
    std::deque<std::string> model;
    auto item = [&] {
      const int len = rng() % 8 == 0 ? 300 + rng() % 5000 : rng() % 12;
      return std::string(len, static_cast<char>('a' + rng() % 4));
    };
    for (int step = 0; step < 20000; ++step) {
      const int op = rng() % 100;
      const auto n = static_cast<int64_t>(model.size());
      if (op < 30) {
        std::string v = item();
        l.Push(End::kRight, v);
        model.push_back(v);
      } else if (op < 55) {
        std::string v = item();
        l.Push(End::kLeft, v);
        model.push_front(v);
      } else if (op < 70) {
        const size_t k = rng() % 4;
        std::vector<std::string> out;
        const bool left = rng() % 2 == 0;
        l.Pop(left ? End::kLeft : End::kRight, k, &out);
        for (const std::string& got : out) {
          ASSERT_FALSE(model.empty());
          EXPECT_EQ(got, left ? model.front() : model.back());
          if (left) {
            model.pop_front();
          } else {
            model.pop_back();
          }
        }
      } else if (op < 80 && n > 0) {
        const int64_t i = static_cast<int64_t>(rng() % (2 * n)) - n;
        std::string v = item();
        ASSERT_TRUE(l.Set(i, v));
        model[static_cast<size_t>(i < 0 ? i + n : i)] = v;
      } else if (op < 88) {
        const size_t i = rng() % (model.size() + 1);
        std::string v = item();
        l.Insert(i, v);
        model.insert(model.begin() + static_cast<ptrdiff_t>(i), v);
      } else if (op < 93) {
        const int64_t count = static_cast<int64_t>(rng() % 5) - 2;
        std::string v(rng() % 3, 'a');
        size_t want = 0;
        if (count >= 0) {
          for (auto it = model.begin(); it != model.end();) {
            if (*it == v && (count == 0 || want < static_cast<size_t>(count))) {
              it = model.erase(it);
              ++want;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = model.size(); i-- > 0;) {
            if (model[i] == v && want < static_cast<size_t>(-count)) {
              model.erase(model.begin() + static_cast<ptrdiff_t>(i));
              ++want;
            }
          }
        }
        EXPECT_EQ(l.Remove(count, v), want);
      } else if (op < 95 && n > 0) {
        const int64_t start = static_cast<int64_t>(rng() % (n + 2)) - 1;
        const int64_t stop = static_cast<int64_t>(rng() % (n + 2)) - 1 + n / 2;
        l.Trim(start, stop);
        int64_t s = start < 0 ? std::max<int64_t>(start + n, 0) : start;
        int64_t e = stop < 0 ? stop + n : stop;
        if (s > e || s >= n) {
          model.clear();
        } else {
          e = std::min(e, n - 1);
          model = std::deque<std::string>(model.begin() + s, model.begin() + e + 1);
        }
      } else if (n > 0) {
        const auto i = static_cast<int64_t>(rng() % n);
        ASSERT_TRUE(l.Index(i));
        EXPECT_EQ(*l.Index(i), model[static_cast<size_t>(i)]);
        EXPECT_EQ(*l.Index(i - n), model[static_cast<size_t>(i)]);
      }
      ASSERT_EQ(l.Size(), model.size()) << "fill " << fill << " step " << step;
    }
    EXPECT_EQ(Items(l), std::vector<std::string>(model.begin(), model.end())) << fill;
    size_t payload = 0;
    for (const std::string& s : model) payload += s.size();
    EXPECT_EQ(l.PayloadBytes(), payload);
    for (uint32_t c : l.node_sizes()) EXPECT_GT(c, 0u);
  }
}

}  // namespace
}  // namespace stashd::store
