// The stream type: appends across blocks, seeks by ID, tombstones, trimming
// (exact and by whole blocks), groups and their PELs, and the serialized
// and snapshot-row forms round-tripping everything.
#include "store/types/stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stashd::store {
namespace {

std::vector<std::string> Ids(const StreamObject& s, StreamID start = {0, 0},
                             StreamID end = StreamID::Max(), bool rev = false) {
  std::vector<std::string> out;
  s.Range(start, end, rev, [&](const StreamEntry& e) {
    out.push_back(e.id.ToString());
    return true;
  });
  return out;
}

void Add(StreamObject& s, uint64_t ms, uint64_t seq, std::string_view f = "f",
         std::string_view v = "v") {
  const std::string_view fv[] = {f, v};
  s.Append({ms, seq}, fv);
}

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override { StreamObject::SetLimits(4096, 10); }
  void TearDown() override {
    s_->Unref();
    StreamObject::SetLimits(4096, 100);
  }
  StreamObject* s_ = new StreamObject();
};

TEST_F(StreamTest, IdParsing) {
  EXPECT_EQ(StreamID::Parse("5-3")->ToString(), "5-3");
  EXPECT_EQ(StreamID::Parse("5", 7)->ToString(), "5-7");
  EXPECT_FALSE(StreamID::Parse("5-"));
  EXPECT_FALSE(StreamID::Parse("-5"));
  EXPECT_FALSE(StreamID::Parse("a-1"));
  EXPECT_FALSE(StreamID::Parse("18446744073709551616-0"));
  StreamID id;
  EXPECT_FALSE(StreamID::Max().Incr(&id));
  EXPECT_FALSE(StreamID{}.Decr(&id));
  EXPECT_TRUE(StreamID({1, UINT64_MAX}).Incr(&id));
  EXPECT_EQ(id.ToString(), "2-0");
}

TEST_F(StreamTest, AppendRangeAcrossBlocks) {
  for (uint64_t i = 1; i <= 35; ++i) Add(*s_, i, 0, "field", std::to_string(i));
  EXPECT_EQ(s_->Size(), 35u);
  EXPECT_EQ(s_->blocks(), 4u);
  EXPECT_EQ(Ids(*s_, {9, 0}, {12, 0}), (std::vector<std::string>{"9-0", "10-0", "11-0", "12-0"}));
  EXPECT_EQ(Ids(*s_, {9, 0}, {12, 0}, true),
            (std::vector<std::string>{"12-0", "11-0", "10-0", "9-0"}));
  auto e = s_->Get({21, 0});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->fields_values, (std::vector<std::string_view>{"field", "21"}));
  EXPECT_EQ(s_->last_id().ToString(), "35-0");
  EXPECT_EQ(s_->entries_added(), 35u);
}

TEST_F(StreamTest, DifferentFieldsInOneBlock) {
  const std::string_view a[] = {"a", "1", "b", "2"};
  const std::string_view b[] = {"x", "9"};
  s_->Append({1, 0}, a);
  s_->Append({2, 0}, b);
  s_->Append({3, 0}, a);
  EXPECT_EQ(s_->Get({2, 0})->fields_values, (std::vector<std::string_view>{"x", "9"}));
  EXPECT_EQ(s_->Get({3, 0})->fields_values, (std::vector<std::string_view>{"a", "1", "b", "2"}));
}

TEST_F(StreamTest, DeleteKeepsEmptyStream) {
  Add(*s_, 1, 0);
  Add(*s_, 2, 0);
  EXPECT_TRUE(s_->Delete({1, 0}));
  EXPECT_FALSE(s_->Delete({1, 0}));
  EXPECT_FALSE(s_->Delete({7, 0}));
  EXPECT_EQ(s_->max_deleted().ToString(), "1-0");
  EXPECT_EQ(s_->FirstId()->ToString(), "2-0");
  EXPECT_TRUE(s_->Delete({2, 0}));
  EXPECT_EQ(s_->Size(), 0u);
  EXPECT_FALSE(s_->Empty());
  EXPECT_EQ(s_->blocks(), 0u);
  EXPECT_EQ(s_->last_id().ToString(), "2-0");
}

TEST_F(StreamTest, TrimExactAndApprox) {
  for (uint64_t i = 1; i <= 25; ++i) Add(*s_, i, 0);
  StreamID through;
  // Approximate: whole blocks of 10 only.
  EXPECT_EQ(s_->TrimMaxLen(12, true, 0, &through), 10u);
  EXPECT_EQ(through.ToString(), "10-0");
  EXPECT_EQ(s_->Size(), 15u);
  EXPECT_EQ(s_->TrimMaxLen(12, false, 0, &through), 3u);
  EXPECT_EQ(through.ToString(), "13-0");
  EXPECT_EQ(s_->FirstId()->ToString(), "14-0");
  EXPECT_EQ(s_->TrimMinId({20, 0}, false, 0, &through), 6u);
  EXPECT_EQ(s_->FirstId()->ToString(), "20-0");
  // Replaying a trim.
  EXPECT_EQ(s_->TrimThrough({21, 0}), 2u);
  EXPECT_EQ(Ids(*s_).front(), "22-0");
}

TEST_F(StreamTest, GroupsAndPel) {
  Add(*s_, 1, 0);
  Add(*s_, 2, 0);
  ASSERT_TRUE(s_->CreateGroup("g", {0, 0}, -1));
  EXPECT_FALSE(s_->CreateGroup("g", {0, 0}, -1));
  auto* g = s_->FindGroup("g");
  s_->SetPending(*g, "alice", {1, 0}, 100, 1);
  s_->SetPending(*g, "alice", {2, 0}, 100, 1);
  s_->SetPending(*g, "bob", {2, 0}, 200, 2);  // moves to bob
  EXPECT_EQ(g->consumers["alice"].pending.size(), 1u);
  EXPECT_EQ(g->consumers["bob"].pending.size(), 1u);
  EXPECT_EQ((g->pel[StreamID{2, 0}].consumer), "bob");
  EXPECT_TRUE(s_->Ack(*g, {1, 0}));
  EXPECT_FALSE(s_->Ack(*g, {1, 0}));
  EXPECT_EQ(s_->DeleteConsumer(*g, "bob"), 1u);
  EXPECT_TRUE(g->pel.empty());
}

TEST_F(StreamTest, SerializeAndRowsRoundTrip) {
  for (uint64_t i = 1; i <= 25; ++i) Add(*s_, i, i % 3, "k", std::string(i, 'x'));
  s_->Delete({5, 2});
  s_->CreateGroup("g", {3, 0}, 3);
  s_->SetPending(*s_->FindGroup("g"), "c", {2, 2}, 42, 3);
  bool created;
  s_->CreateConsumer(*s_->FindGroup("g"), "idle", 7, &created);
  std::string a;
  s_->Serialize(&a);
  StreamObject* copy = StreamObject::Deserialize(a);
  ASSERT_NE(copy, nullptr);
  std::string b;
  copy->Serialize(&b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(Ids(*copy), Ids(*s_));
  EXPECT_EQ(copy->max_deleted().ToString(), "5-2");
  copy->Unref();

  std::vector<std::string> rows;
  s_->ForEachElement([&](const ElementView& e) {
    ASSERT_EQ(e.index, static_cast<int64_t>(rows.size()));
    rows.emplace_back(e.member);
  });
  EXPECT_EQ(rows.size(), s_->SnapshotRows());
  StreamObject* built = StreamObject::FromRows(rows);
  ASSERT_NE(built, nullptr);
  std::string c;
  built->Serialize(&c);
  EXPECT_EQ(a, c);
  EXPECT_EQ((built->FindGroup("g")->pel.at(StreamID{2, 2}).delivery_count), 3u);
  built->Unref();
  EXPECT_EQ(StreamObject::Deserialize(a.substr(0, a.size() - 1)), nullptr);
}

TEST_F(StreamTest, ApplyDeltaReplaysOps) {
  StreamObject* r = new StreamObject();
  const std::vector<std::vector<std::string_view>> ops = {
      {"1-1", "a", "1"}, {"2-0", "a", "2"}, {"3-0", "b", "3"}};
  for (const auto& op : ops) EXPECT_TRUE(r->ApplyDelta(StreamObject::kAdd, op));
  EXPECT_FALSE(r->ApplyDelta(StreamObject::kAdd, std::vector<std::string_view>{"2-0", "a", "x"}));
  const std::string_view del[] = {"2-0"};
  EXPECT_TRUE(r->ApplyDelta(StreamObject::kDelete, del));
  const std::string_view grp[] = {"g", "0-0", "-1"};
  EXPECT_TRUE(r->ApplyDelta(StreamObject::kGroupCreate, grp));
  const std::string_view pend[] = {"g", "c", "99", "1-1", "1", "3-0", "2"};
  EXPECT_TRUE(r->ApplyDelta(StreamObject::kPending, pend));
  const std::string_view ack[] = {"g", "1-1"};
  EXPECT_TRUE(r->ApplyDelta(StreamObject::kAck, ack));
  const std::string_view trim[] = {"1-1"};
  EXPECT_TRUE(r->ApplyDelta(StreamObject::kTrim, trim));
  EXPECT_EQ(Ids(*r), (std::vector<std::string>{"3-0"}));
  EXPECT_EQ(r->FindGroup("g")->pel.size(), 1u);
  EXPECT_EQ(r->max_deleted().ToString(), "2-0");
  const std::string_view setid[] = {"9-0", "10", "4-0"};
  EXPECT_TRUE(r->ApplyDelta(StreamObject::kSetId, setid));
  EXPECT_EQ(r->entries_added(), 10u);
  r->Unref();
}

}  // namespace
}  // namespace stashd::store
