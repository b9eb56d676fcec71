// Lists through persistence: replaying the element-level records a set of
// list operations reported rebuilds the same lists, item for item and in
// order; a snapshot writes one list_items row per item and loads back the
// same lists, full and incrementally.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "persistence/log_format.h"
#include "persistence/snapshot.h"
#include "persistence/temp_dir.h"
#include "store/clock.h"
#include "store/keyspace.h"
#include "store/list_ops.h"
#include "store/types/list.h"

namespace stashd::persistence {
namespace {

using End = store::ListObject::End;
using Lists = std::map<std::pair<int, std::string>, std::vector<std::string>>;

// Every list of the keyspace, items in order (other keys as one item).
Lists DumpLists(store::Keyspace& ks) {
  Lists out;
  auto locks = ks.Lock(ks.AllShardsMask());
  for (int db = 0; db < ks.databases(); ++db) {
    ks.ForEachKey(db, [&](std::string_view key, const store::ValueView& v) {
      auto& items = out[{db, std::string(key)}];
      if (v.type != store::ValueType::kList) {
        items.push_back("<" + std::string(store::TypeName(v.type)) + ">");
        return;
      }
      v.object->ForEachElement([&](const store::ElementView& e) {
        EXPECT_EQ(e.index, static_cast<int64_t>(items.size()));
        items.emplace_back(e.member);
      });
    });
  }
  return out;
}

class ListPersistenceTest : public ::testing::Test {
 protected:
  ListPersistenceTest() : clock_(1'000'000) {
    store::Keyspace::Options o;
    o.clock = &clock_;
    live_ = std::make_unique<store::Keyspace>(o);
  }
  ~ListPersistenceTest() override { store::ListObject::SetLimits(-2, 0); }

  std::unique_ptr<store::Keyspace> Fresh() {
    store::Keyspace::Options o;
    o.clock = &clock_;
    return std::make_unique<store::Keyspace>(o);
  }

  // A mix of every list write, through the store operations and KeyWriter.
  void Workload(store::Keyspace& ks) {
    auto all = ks.Lock(ks.AllShardsMask());
    std::vector<std::string> items;
    for (int i = 0; i < 300; ++i) items.push_back("item-" + std::to_string(i));
    std::vector<std::string_view> views(items.begin(), items.end());
    ASSERT_TRUE(store::ListPush(ks, 0, "q", End::kRight, views).ok());
    const std::string_view heads[] = {"h1", "h2", ""};
    ASSERT_TRUE(store::ListPush(ks, 0, "q", End::kLeft, heads).ok());
    ASSERT_TRUE(store::ListPop(ks, 0, "q", End::kLeft, 2).ok());
    ASSERT_TRUE(store::ListPop(ks, 0, "q", End::kRight, 5).ok());
    ASSERT_TRUE(store::ListMove(ks, 0, "q", "done", End::kRight, End::kLeft).ok());
    ASSERT_TRUE(store::ListMove(ks, 0, "q", "q", End::kLeft, End::kRight).ok());
    ASSERT_TRUE(store::ListPush(ks, 1, "other", End::kRight, heads).ok());
    ASSERT_TRUE(store::ListPop(ks, 1, "other", End::kLeft, 3).ok());  // emptied: deleted
    auto edit = [&](std::string_view key, auto fn, store::ListObject::Op op,
                    std::vector<std::string_view> args) {
      store::KeyWriter w =
          ks.Write(0, key, store::ValueType::kList, store::Keyspace::Missing::kFail);
      ASSERT_TRUE(w.ok());
      fn(w.As<store::ListObject>());
      w.Record(op, args);
    };
    edit("q", [](store::ListObject& l) { l.Set(100, "set-100"); }, store::ListObject::kSet,
         {"100", "set-100"});
    edit("q", [](store::ListObject& l) { l.Insert(50, "ins-50"); }, store::ListObject::kInsert,
         {"50", "ins-50"});
    edit("q", [](store::ListObject& l) { l.Remove(-2, "item-7"); }, store::ListObject::kRemove,
         {"-2", "item-7"});
    edit("q", [](store::ListObject& l) { l.Trim(3, -4); }, store::ListObject::kTrim, {"3", "-4"});
  }

  store::FakeClock clock_;
  std::unique_ptr<store::Keyspace> live_;
};

TEST_F(ListPersistenceTest, ReplayRebuildsTheSameLists) {
  // Small nodes, so that replay splits and merges nodes too.
  store::ListObject::SetLimits(4, 0);
  struct Encoder : store::ChangeListener {
    void OnChange(const store::Change& c) override { log::EncodeChange(c, &payload); }
    std::string payload;
  } encoder;
  {
    auto all = live_->Lock(live_->AllShardsMask());
    live_->SetChangeListener(&encoder);
  }
  Workload(*live_);
  {
    auto all = live_->Lock(live_->AllShardsMask());
    live_->SetChangeListener(nullptr);
  }
  auto replayed = Fresh();
  {
    auto all = replayed->Lock(replayed->AllShardsMask());
    Status s = log::DecodeRecord(encoder.payload, [&](const store::Change& c) {
      return log::ApplyChange(c, replayed.get(), clock_.NowMs());
    });
    ASSERT_TRUE(s.ok()) << s.message();
  }
  const Lists live = DumpLists(*live_);
  EXPECT_EQ(DumpLists(*replayed), live);
  ASSERT_EQ(live.size(), 2u);  // q and done; "other" was emptied
  const auto& q = live.at({0, "q"});
  EXPECT_EQ(q.size(), 289u);
  EXPECT_EQ(q.front(), "item-3");
  EXPECT_EQ(live.at({0, "done"}), std::vector<std::string>{"item-294"});
}

TEST_F(ListPersistenceTest, SnapshotRoundTripFullAndIncremental) {
  Workload(*live_);
  test::TempDir dir;
  const std::string path = dir.File("lists.db");
  auto save = [&] {
    store::SnapshotCut cut;
    {
      auto locks = live_->Lock(live_->AllShardsMask());
      cut = live_->TakeCut(!std::filesystem::exists(path));
    }
    SnapshotWriter::Options o;
    o.path = path;
    o.server_version = "test";
    SnapshotWriter writer(o);
    SnapshotWriteStats stats;
    Status s = writer.Write(&cut, 1, clock_.NowMs(), &stats);
    live_->ReleaseCut(cut, s.ok());
    return s;
  };
  auto load = [&] {
    auto fresh = Fresh();
    LoadResult r;
    Status s = LoadSnapshot(path, "", fresh.get(), clock_.NowMs(), &r);
    EXPECT_TRUE(s.ok()) << s.message();
    return DumpLists(*fresh);
  };
  ASSERT_TRUE(save().ok());
  EXPECT_EQ(load(), DumpLists(*live_));
  // Changed since: only the changed list is rewritten, and a deleted one goes.
  {
    auto all = live_->Lock(live_->AllShardsMask());
    const std::string_view more[] = {"new-head"};
    ASSERT_TRUE(store::ListPush(*live_, 0, "q", End::kLeft, more).ok());
    ASSERT_TRUE(store::ListPop(*live_, 0, "done", End::kLeft, 1).ok());
  }
  ASSERT_TRUE(save().ok());
  const Lists loaded = load();
  EXPECT_EQ(loaded, DumpLists(*live_));
  EXPECT_EQ(loaded.at({0, "q"}).front(), "new-head");
  EXPECT_EQ(loaded.count({0, "done"}), 0u);
}

}  // namespace
}  // namespace stashd::persistence
