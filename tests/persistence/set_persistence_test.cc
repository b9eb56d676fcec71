// Sets in the snapshot (the set_members table, full and incremental saves)
// and in the write log (replaying the element changes and the whole values
// the set commands report rebuilds the same keyspace).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "persistence/fault_vfs.h"
#include "persistence/keyspace_dump.h"
#include "persistence/log_format.h"
#include "persistence/snapshot.h"
#include "persistence/temp_dir.h"
#include "store/clock.h"
#include "store/keyspace.h"
#include "store/types/set.h"

namespace stashd::persistence {
namespace {

using test::DumpKeyspace;
using test::FaultVfs;
using test::TempDir;
using ::testing::ElementsAre;

constexpr int64_t kNow = 1'700'000'000'000;

std::vector<std::string> Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::vector<std::string> rows;
  char* err = nullptr;
  sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int n, char** values, char**) {
        std::string row;
        for (int i = 0; i < n; ++i) {
          if (i > 0) row += "|";
          row += values[i] != nullptr ? values[i] : "NULL";
        }
        static_cast<std::vector<std::string>*>(out)->push_back(row);
        return 0;
      },
      &rows, &err);
  EXPECT_EQ(err, nullptr) << err;
  sqlite3_free(err);
  sqlite3_close(db);
  return rows;
}

// What the set commands do to the keyspace, without the dispatcher.
void SAdd(store::Keyspace& ks, int db, std::string_view key, std::vector<std::string_view> m) {
  auto locks = ks.Lock(ks.ShardMaskOf(key));
  store::KeyWriter w = ks.Write(db, key, store::ValueType::kSet, store::Keyspace::Missing::kCreate);
  std::vector<std::string_view> added;
  for (auto x : m) {
    if (w.As<store::SetObject>().Add(x)) added.push_back(x);
  }
  if (!added.empty()) w.Record(store::SetObject::kAdd, added);
}
void SRem(store::Keyspace& ks, int db, std::string_view key, std::vector<std::string_view> m) {
  auto locks = ks.Lock(ks.ShardMaskOf(key));
  store::KeyWriter w = ks.Write(db, key, store::ValueType::kSet, store::Keyspace::Missing::kFail);
  std::vector<std::string_view> removed;
  for (auto x : m) {
    if (w.As<store::SetObject>().Remove(x)) removed.push_back(x);
  }
  if (!removed.empty()) w.Record(store::SetObject::kRemove, removed);
}
// A *STORE destination: a new set stored whole.
void Store(store::Keyspace& ks, int db, std::string_view key, std::vector<std::string_view> m) {
  auto locks = ks.Lock(ks.ShardMaskOf(key));
  auto* s = new store::SetObject();
  for (auto x : m) s->Add(x);
  ks.RestoreObject(db, key, s, store::kNoExpiry);
  s->Unref();
}
std::string EncodingOf(store::Keyspace& ks, int db, std::string_view key) {
  auto locks = ks.Lock(ks.ShardMaskOf(key));
  auto v = ks.Find(db, key);
  return v && v->object ? std::string(v->object->Encoding()) : "none";
}

class SetSnapshotTest : public ::testing::Test {
 protected:
  SetSnapshotTest() : clock_(kNow) {
    FaultVfs::Register();
    FaultVfs::Reset();
    ks_ = NewKeyspace();
  }
  ~SetSnapshotTest() override { FaultVfs::Reset(); }

  std::unique_ptr<store::Keyspace> NewKeyspace() {
    store::Keyspace::Options o;
    o.clock = &clock_;
    return std::make_unique<store::Keyspace>(o);
  }

  Status Save(SnapshotWriteStats* stats) {
    store::SnapshotCut cut;
    {
      auto locks = ks_->Lock(ks_->AllShardsMask());
      cut = ks_->TakeCut(!std::filesystem::exists(path_));
    }
    SnapshotWriter::Options o;
    o.path = path_;
    o.sqlite_vfs = FaultVfs::kName;
    o.server_version = "test";
    SnapshotWriter writer(o);
    Status s = writer.Write(&cut, 1, clock_.NowMs(), stats);
    ks_->ReleaseCut(cut, s.ok());
    return s;
  }

  std::unique_ptr<store::Keyspace> Loaded() {
    auto fresh = NewKeyspace();
    LoadResult r;
    Status s = LoadSnapshot(path_, FaultVfs::kName, fresh.get(), clock_.NowMs(), &r);
    EXPECT_TRUE(s.ok()) << s.message();
    return fresh;
  }

  store::FakeClock clock_;
  std::unique_ptr<store::Keyspace> ks_;
  TempDir dir_;
  std::string path_ = dir_.File("stashd.db");
};

TEST_F(SetSnapshotTest, SetsRoundTripFullAndIncrementally) {
  SAdd(*ks_, 0, "ids", {"3", "1", "-2"});
  SAdd(*ks_, 0, "tags:bot1", {"fr", "en", "de"});
  SAdd(*ks_, 2, std::string("bin\0", 4), {std::string("m\0\xff", 3), "", "x"});
  std::vector<std::string> many;
  for (int i = 0; i < 3000; ++i) many.push_back(std::to_string(i * 7));
  SAdd(*ks_, 1, "many", std::vector<std::string_view>(many.begin(), many.end()));
  SnapshotWriteStats stats;
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_TRUE(stats.full);
  auto loaded = Loaded();
  EXPECT_EQ(DumpKeyspace(*loaded), DumpKeyspace(*ks_));
  EXPECT_EQ(EncodingOf(*loaded, 0, "ids"), "intset");
  EXPECT_EQ(EncodingOf(*loaded, 0, "tags:bot1"), "hashtable");
  EXPECT_EQ(EncodingOf(*loaded, 1, "many"), "hashtable");
  // Readable with plain SQL: one row per member, the key row holds the count.
  EXPECT_THAT(Sql(path_, "SELECT member FROM set_members WHERE key = 'tags:bot1' ORDER BY member"),
              ElementsAre("de", "en", "fr"));
  EXPECT_THAT(Sql(path_, "SELECT type, value FROM keys WHERE key = 'ids'"), ElementsAre("2|3"));
  EXPECT_THAT(Sql(path_, "SELECT COUNT(*) FROM set_members WHERE db = 1"), ElementsAre("3000"));

  // Incremental: members added and removed, a set emptied, one stored whole.
  SAdd(*ks_, 0, "ids", {"10", "x"});
  SRem(*ks_, 0, "tags:bot1", {"en"});
  SRem(*ks_, 2, std::string("bin\0", 4), {std::string("m\0\xff", 3), "", "x"});
  Store(*ks_, 0, "stored", {"a", "b"});
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_FALSE(stats.full);
  EXPECT_EQ(DumpKeyspace(*Loaded()), DumpKeyspace(*ks_));
  EXPECT_THAT(Sql(path_, "SELECT COUNT(*) FROM set_members WHERE db = 0"), ElementsAre("9"));
  EXPECT_THAT(Sql(path_, "SELECT COUNT(*) FROM set_members WHERE db = 2"), ElementsAre("0"));
}

// Replaying what the keyspace reported for set writes rebuilds the same
// keyspace: element adds and removes, whole stored sets, deletes.
TEST(SetLogTest, ReplayingSetChangesRebuildsTheKeyspace) {
  store::FakeClock clock(1'000'000);
  store::Keyspace::Options o;
  o.clock = &clock;
  store::Keyspace live(o), replayed(o);
  struct Encoder : store::ChangeListener {
    void OnChange(const store::Change& c) override { log::EncodeChange(c, &payload); }
    std::string payload;
  } encoder;
  {
    auto all = live.Lock(live.AllShardsMask());
    live.SetChangeListener(&encoder);
  }
  SAdd(live, 0, "s", {"1", "2", "3"});
  SAdd(live, 0, "s", {"a", "3"});  // to a hashtable
  SRem(live, 0, "s", {"2", "zz"});
  SAdd(live, 1, "gone", {"x"});
  SRem(live, 1, "gone", {"x"});  // emptied: deleted
  Store(live, 0, "d", {"p", "q", "7"});
  Store(live, 0, "s2", {"1"});
  SAdd(live, 0, "s2", {"2"});
  {
    auto locks = live.Lock(live.ShardMaskOf("s2"));
    live.Delete(0, "s2");  // SPOP of every member
  }
  {
    auto all = live.Lock(live.AllShardsMask());
    live.SetChangeListener(nullptr);
  }
  {
    auto all = replayed.Lock(replayed.AllShardsMask());
    Status s = log::DecodeRecord(encoder.payload, [&](const store::Change& c) {
      return log::ApplyChange(c, &replayed, clock.NowMs());
    });
    ASSERT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(DumpKeyspace(replayed), DumpKeyspace(live));
  auto dump = DumpKeyspace(live);
  EXPECT_EQ(dump.size(), 2u);
  const std::pair<int, std::string> s{0, "s"}, d{0, "d"};
  EXPECT_EQ(dump[s].value, "set{1=,3=,a=,}");
  EXPECT_EQ(dump[d].value, "set{7=,p=,q=,}");
}

}  // namespace
}  // namespace stashd::persistence
