// The SQLite snapshot: round trips, expiry, incremental and full writes,
// refusal of foreign and newer files, and failures that must leave the
// previous snapshot intact.
#include "persistence/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "persistence/fault_vfs.h"
#include "persistence/keyspace_dump.h"
#include "persistence/temp_dir.h"
#include "store/clock.h"
#include "store/keyspace.h"
#include "store/types/hash.h"
#include "store/types/stream.h"

namespace stashd::persistence {
namespace {

using test::DumpKeyspace;
using test::FaultVfs;
using test::TempDir;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs SQL on a database file; returns the rows as "a|b|c" lines.
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

class SnapshotTest : public ::testing::Test {
 protected:
  SnapshotTest() : clock_(kNow) {
    FaultVfs::Register();
    FaultVfs::Reset();
    ks_ = NewKeyspace();
  }
  ~SnapshotTest() override { FaultVfs::Reset(); }

  std::unique_ptr<store::Keyspace> NewKeyspace(std::vector<store::ScopeConfig> scopes = {}) {
    store::Keyspace::Options o;
    o.clock = &clock_;
    o.scopes = std::move(scopes);
    return std::make_unique<store::Keyspace>(o);
  }

  void Set(int db, std::string_view key, std::string_view value,
           int64_t expire = store::kNoExpiry) {
    auto locks = ks_->Lock(ks_->ShardMaskOf(key));
    ks_->SetString(db, key, value, expire);
  }
  void HSet(int db, std::string_view key, std::vector<std::string_view> pairs) {
    auto locks = ks_->Lock(ks_->ShardMaskOf(key));
    store::KeyWriter w =
        ks_->Write(db, key, store::ValueType::kHash, store::Keyspace::Missing::kCreate);
    for (size_t i = 0; i < pairs.size(); i += 2) {
      w.As<store::HashObject>().Set(pairs[i], pairs[i + 1]);
    }
    w.Record(store::HashObject::kSet, pairs);
  }
  void HDel(int db, std::string_view key, std::vector<std::string_view> fields) {
    auto locks = ks_->Lock(ks_->ShardMaskOf(key));
    store::KeyWriter w =
        ks_->Write(db, key, store::ValueType::kHash, store::Keyspace::Missing::kFail);
    for (auto f : fields) w.As<store::HashObject>().Delete(f);
    w.Record(store::HashObject::kDelete, fields);
  }
  void Del(int db, std::string_view key) {
    auto locks = ks_->Lock(ks_->ShardMaskOf(key));
    ks_->Delete(db, key);
  }

  // Takes a cut of ks_ and writes it with the fault VFS. `resolve` false:
  // the cut holds entry pointers only, as the server takes it.
  Status Save(SnapshotWriteStats* stats = nullptr, uint64_t log_seq = 1, bool resolve = true) {
    store::SnapshotCut cut;
    {
      auto locks = ks_->Lock(ks_->AllShardsMask());
      // As the server does: a missing file needs every key.
      cut = ks_->TakeCut(!std::filesystem::exists(path_), resolve);
    }
    SnapshotWriter::Options o;
    o.path = path_;
    o.sqlite_vfs = FaultVfs::kName;
    o.server_version = "test";
    SnapshotWriter writer(o);
    SnapshotWriteStats local;
    Status s = writer.Write(&cut, log_seq, clock_.NowMs(), stats != nullptr ? stats : &local);
    ks_->ReleaseCut(cut, s.ok());
    return s;
  }

  Status Load(store::Keyspace* into, LoadResult* result) {
    return LoadSnapshot(path_, FaultVfs::kName, into, clock_.NowMs(), result);
  }

  test::Dump Loaded() {
    auto fresh = NewKeyspace();
    LoadResult r;
    Status s = Load(fresh.get(), &r);
    EXPECT_TRUE(s.ok()) << s.message();
    return DumpKeyspace(*fresh);
  }

  store::FakeClock clock_;
  std::unique_ptr<store::Keyspace> ks_;
  TempDir dir_;
  std::string path_ = dir_.File("stashd.db");
};

TEST_F(SnapshotTest, MissingFileLoadsNothing) {
  LoadResult r;
  ASSERT_TRUE(Load(ks_.get(), &r).ok());
  EXPECT_FALSE(r.found);
}

TEST_F(SnapshotTest, EveryKindOfEntryRoundTrips) {
  Set(0, "plain", "value");
  Set(0, "", "empty key");
  Set(0, "empty value", "");
  Set(1, std::string("bin\0key\xff", 8), std::string("\0\x01\x02\xfe\xff", 5));
  Set(15, "last db", "x");
  Set(3, "big", std::string(1 << 20, 'b'));
  Set(0, "ttl", "soon", kNow + 60'000);
  Set(2, "ttl far", "later", kNow + 86'400'000LL * 365);
  for (int i = 0; i < 1000; ++i) Set(i % 16, "k" + std::to_string(i), std::to_string(i * i));
  SnapshotWriteStats stats;
  ASSERT_TRUE(Save(&stats, 7).ok());
  EXPECT_TRUE(stats.full);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  auto fresh = NewKeyspace();
  LoadResult r;
  ASSERT_TRUE(Load(fresh.get(), &r).ok());
  EXPECT_TRUE(r.found);
  EXPECT_EQ(r.keys_loaded, 1008u);
  EXPECT_EQ(r.meta.log_seq, 7u);
  EXPECT_EQ(r.meta.format_version, kSnapshotFormatVersion);
  EXPECT_EQ(r.meta.server_version, "test");
  EXPECT_EQ(r.meta.last_save_ms, kNow);
  EXPECT_EQ(DumpKeyspace(*fresh), DumpKeyspace(*ks_));
}

// key-load-delay's hook: called once per key loaded (not for expired ones).
TEST_F(SnapshotTest, AfterEachKeyCalledPerLoadedKey) {
  for (int i = 0; i < 10; ++i) Set(i % 3, "k" + std::to_string(i), "v");
  Set(0, "gone", "v", kNow + 1000);
  ASSERT_TRUE(Save().ok());
  clock_.Advance(2000);
  auto fresh = NewKeyspace();
  LoadResult r;
  int calls = 0;
  ASSERT_TRUE(
      LoadSnapshot(path_, FaultVfs::kName, fresh.get(), clock_.NowMs(), &r, [&] { ++calls; }).ok());
  EXPECT_EQ(r.keys_loaded, 10u);
  EXPECT_EQ(r.keys_expired, 1u);
  EXPECT_EQ(calls, 10);
}

TEST_F(SnapshotTest, ReadableWithPlainSql) {
  Set(0, "user:1", "alice", kNow + 5000);
  Set(0, "user:2", "bob");
  Set(4, "other", "db4");
  ASSERT_TRUE(Save().ok());
  EXPECT_THAT(Sql(path_,
                  "SELECT db, CAST(key AS TEXT), CAST(value AS TEXT), expire_at FROM keys "
                  "ORDER BY db, key"),
              ::testing::ElementsAre("0|user:1|alice|" + std::to_string(kNow + 5000),
                                     "0|user:2|bob|NULL", "4|other|db4|NULL"));
  EXPECT_THAT(Sql(path_, "SELECT value FROM meta WHERE name = 'format_version'"),
              ::testing::ElementsAre("2"));
  // Format 2: text keys and values compare with SQL literals as written.
  EXPECT_THAT(Sql(path_, "SELECT value FROM keys WHERE key = 'user:2'"),
              ::testing::ElementsAre("bob"));
  EXPECT_THAT(Sql(path_, "PRAGMA journal_mode"), ::testing::ElementsAre("wal"));
}

TEST_F(SnapshotTest, HashesRoundTripFullAndIncrementally) {
  HSet(0, "user:bot1:u42", {"name", "Joe", "lang", "fr"});
  HSet(3, std::string("bin\0", 4), {std::string("f\xff", 2), std::string("\0", 1)});
  Set(0, "becomes hash", "string first");
  ASSERT_TRUE(Save().ok());
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  // Readable as plain SQL: one row per field, the key row holds the count.
  EXPECT_THAT(Sql(path_,
                  "SELECT field, value FROM hash_fields WHERE key = 'user:bot1:u42' "
                  "ORDER BY field"),
              ::testing::ElementsAre("lang|fr", "name|Joe"));
  EXPECT_THAT(Sql(path_, "SELECT type, value FROM keys WHERE key = 'user:bot1:u42'"),
              ::testing::ElementsAre("4|2"));
  // Incremental: a changed field, a removed field, a type change, a delete.
  HSet(0, "user:bot1:u42", {"name", "Joseph"});
  HDel(0, "user:bot1:u42", {"lang"});
  Del(0, "becomes hash");
  HSet(0, "becomes hash", {"now", "a hash"});
  HDel(3, std::string("bin\0", 4), {std::string("f\xff", 2)});  // emptied: deleted
  SnapshotWriteStats stats;
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_FALSE(stats.full);
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  EXPECT_THAT(Sql(path_, "SELECT COUNT(*) FROM hash_fields"), ::testing::ElementsAre("2"));
  // And back to a string.
  Del(0, "becomes hash");
  Set(0, "becomes hash", "string again");
  ASSERT_TRUE(Save().ok());
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  EXPECT_THAT(Sql(path_, "SELECT COUNT(*) FROM hash_fields"), ::testing::ElementsAre("1"));
}

TEST_F(SnapshotTest, AFlippedByteInARowIsCaughtAtLoadAndByTheCheck) {
  for (int i = 0; i < 100; ++i) Set(0, "a:" + std::to_string(i), "v" + std::to_string(i));
  HSet(0, "h", {"f", "value"});
  ASSERT_TRUE(Save().ok());
  SnapshotCheck check;
  ASSERT_TRUE(VerifySnapshot(path_, "", &check).ok());
  EXPECT_EQ(check.keys, 101u);
  EXPECT_TRUE(check.damaged.empty());
  // Damage the data, not SQLite's structures: the row checksum no longer matches.
  Sql(path_, "UPDATE keys SET value = 'A50' WHERE key = 'a:50'");
  Sql(path_, "UPDATE hash_fields SET value = 'valuf' WHERE key = 'h'");
  auto fresh = NewKeyspace();
  LoadResult r;
  Status s = Load(fresh.get(), &r);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("key 'a:50': checksum mismatch"));
  EXPECT_THAT(s.message(), HasSubstr("--check-snapshot"));
  ASSERT_TRUE(VerifySnapshot(path_, "", &check).ok());
  EXPECT_THAT(check.damaged, ::testing::UnorderedElementsAre(
                                 "table keys, db 0, key 'a:50': checksum mismatch",
                                 "table hash_fields, db 0, key 'h', field 'f': checksum mismatch",
                                 "db 0, key 'h': hash has 0 element rows, its keys row says 1"));
  EXPECT_EQ(check.keys, 99u);
  // A missing field row is caught by the count in the keys row.
  Sql(path_, "DELETE FROM hash_fields");
  ASSERT_TRUE(VerifySnapshot(path_, "", &check).ok());
  EXPECT_THAT(check.damaged, ::testing::Contains(HasSubstr("hash has 0 element rows")));
}

TEST_F(SnapshotTest, EveryCollectionTypeHasItsElementTable) {
  Set(0, "k", "v");
  ASSERT_TRUE(Save().ok());
  EXPECT_THAT(Sql(path_,
                  "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'keys' AND "
                  "name != 'meta' ORDER BY name"),
              ::testing::ElementsAre("hash_fields", "list_items", "set_members", "stream_parts",
                                     "zset_members"));
  EXPECT_THAT(Sql(path_, "SELECT name FROM pragma_table_info('zset_members')"),
              ::testing::ElementsAre("db", "key", "member", "score", "crc"));
  EXPECT_THAT(Sql(path_, "SELECT name FROM pragma_table_info('list_items')"),
              ::testing::ElementsAre("db", "key", "idx", "item", "crc"));
}

TEST_F(SnapshotTest, AStreamRoundTripsWithItsGroupsOneRowPerBlock) {
  {
    auto locks = ks_->Lock(ks_->ShardMaskOf("events"));
    store::KeyWriter w =
        ks_->Write(0, "events", store::ValueType::kStream, store::Keyspace::Missing::kCreate);
    auto& st = w.As<store::StreamObject>();
    for (uint64_t i = 1; i <= 250; ++i) {
      const std::string v = std::to_string(i);
      const std::string_view fv[] = {"n", v};
      st.Append({i, 0}, fv);
    }
    st.Delete({7, 0});
    st.CreateGroup("workers", {5, 0}, 5);
    st.SetPending(*st.FindGroup("workers"), "alice", {3, 0}, 1234, 2);
  }
  ASSERT_TRUE(Save().ok());
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  // 250 entries in blocks of 100: the header row and three block rows.
  EXPECT_THAT(Sql(path_, "SELECT COUNT(*) FROM stream_parts WHERE key = 'events'"),
              ::testing::ElementsAre("4"));
  EXPECT_THAT(Sql(path_, "SELECT type, value FROM keys WHERE key = 'events'"),
              ::testing::ElementsAre("5|4"));
}

TEST_F(SnapshotTest, AFileWrittenBeforeATypeExistedLoadsAndGainsItsTable) {
  HSet(0, "h", {"f", "v"});
  ASSERT_TRUE(Save().ok());
  // As a format 2 file from before sets, sorted sets and lists.
  Sql(path_, "DROP TABLE set_members; DROP TABLE zset_members; DROP TABLE list_items");
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  HSet(0, "h", {"g", "w"});
  ASSERT_TRUE(Save().ok());
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  EXPECT_THAT(Sql(path_, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'set_members'"),
              ::testing::ElementsAre("1"));
}

TEST_F(SnapshotTest, AFormatOneFileLoadsAndIsRewrittenWhole) {
  // What stashd 0.1 wrote: BLOB keys and values, no checksums, no companion table.
  Sql(path_,
      "PRAGMA application_id=" + std::to_string(kSnapshotApplicationId) +
          "; CREATE TABLE keys(db INTEGER NOT NULL, key BLOB NOT NULL, type INTEGER NOT NULL,"
          " value BLOB NOT NULL, expire_at INTEGER, PRIMARY KEY(db, key)) WITHOUT ROWID;"
          " CREATE TABLE meta(name TEXT PRIMARY KEY, value);"
          " INSERT INTO keys VALUES(0, CAST('old' AS BLOB), 0, CAST('v1' AS BLOB), NULL);"
          " INSERT INTO meta VALUES('format_version', 1), ('log_seq', 3);");
  auto fresh = NewKeyspace();
  LoadResult r;
  ASSERT_TRUE(Load(fresh.get(), &r).ok());
  EXPECT_EQ(r.meta.format_version, 1);
  test::Dump expected = {{{0, "old"}, {"v1", store::kNoExpiry}}};
  EXPECT_EQ(DumpKeyspace(*fresh), expected);
  // The next save (full, since the file is older) brings it to format 2.
  ks_ = std::move(fresh);
  HSet(0, "h", {"f", "v"});
  SnapshotWriteStats stats;
  {
    store::SnapshotCut cut;
    {
      auto locks = ks_->Lock(ks_->AllShardsMask());
      cut = ks_->TakeCut(/*full=*/true);
    }
    SnapshotWriter::Options o;
    o.path = path_;
    o.server_version = "test";
    SnapshotWriter writer(o);
    ASSERT_TRUE(writer.Write(&cut, 4, clock_.NowMs(), &stats).ok());
    ks_->ReleaseCut(cut, true);
  }
  EXPECT_THAT(Sql(path_, "SELECT value FROM keys WHERE key = 'old'"), ::testing::ElementsAre("v1"));
  EXPECT_THAT(Sql(path_, "SELECT value FROM meta WHERE name = 'format_version'"),
              ::testing::ElementsAre("2"));
  SnapshotCheck check;
  ASSERT_TRUE(VerifySnapshot(path_, "", &check).ok());
  EXPECT_EQ(check.keys, 2u);
  EXPECT_TRUE(check.damaged.empty());
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
}

TEST_F(SnapshotTest, TheHashSeedTravelsWithTheSnapshot) {
  store::Keyspace::Options o;
  o.clock = &clock_;
  o.hash_seed = {0x1234, 0x5678};
  ks_ = std::make_unique<store::Keyspace>(o);
  for (int i = 0; i < 50; ++i) Set(0, "k" + std::to_string(i), "v");
  ASSERT_TRUE(Save().ok());
  EXPECT_THAT(Sql(path_, "SELECT value FROM meta WHERE name = 'hash_seed'"),
              ::testing::ElementsAre("00000000000012340000000000005678"));
  auto fresh = NewKeyspace();  // another seed
  ASSERT_NE(fresh->hash_seed(), ks_->hash_seed());
  LoadResult r;
  ASSERT_TRUE(Load(fresh.get(), &r).ok());
  EXPECT_EQ(fresh->hash_seed(), ks_->hash_seed());
  // A SCAN cursor of the old process means the same in the new one.
  const uint64_t cursor = ks_->HashKey("k7");
  std::vector<std::string> a, b;
  ks_->Scan(0, cursor, 5, [&](std::string_view k, const store::ValueView&) { a.emplace_back(k); });
  fresh->Scan(0, cursor, 5,
              [&](std::string_view k, const store::ValueView&) { b.emplace_back(k); });
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.front(), "k7");
}

TEST_F(SnapshotTest, ExpiredKeysAreSkippedAtLoadAndNotWritten) {
  Set(0, "short", "a", kNow + 100);
  Set(0, "long", "b", kNow + 10'000);
  ASSERT_TRUE(Save().ok());
  clock_.Advance(500);
  auto fresh = NewKeyspace();
  LoadResult r;
  ASSERT_TRUE(Load(fresh.get(), &r).ok());
  EXPECT_EQ(r.keys_loaded, 1u);
  EXPECT_EQ(r.keys_expired, 1u);
  test::Dump expected = {{{0, "long"}, {"b", kNow + 10'000}}};
  EXPECT_EQ(DumpKeyspace(*fresh), expected);
  // A key already expired when the cut is written is not written.
  Set(0, "dying", "c", kNow + 600);
  clock_.Advance(200);
  Set(0, "unrelated", "d");
  ASSERT_TRUE(Save().ok());
  EXPECT_THAT(Sql(path_, "SELECT CAST(key AS TEXT) FROM keys ORDER BY key"),
              ::testing::ElementsAre("long", "short", "unrelated"));
}

TEST_F(SnapshotTest, IncrementalSnapshotWritesOnlyTheChanges) {
  for (int i = 0; i < 500; ++i) Set(0, "k" + std::to_string(i), "v" + std::to_string(i));
  SnapshotWriteStats stats;
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_EQ(stats.upserts, 500u);
  Set(0, "k1", "changed");
  Set(0, "k2", "changed", kNow + 9999);
  Set(0, "new", "n");
  Del(0, "k3");
  Del(0, "k4");
  Del(0, "never existed");
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_FALSE(stats.full);
  EXPECT_EQ(stats.upserts, 3u);
  EXPECT_EQ(stats.deletes, 2u);
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  // Set then deleted between two cuts: a delete of a key the file never had.
  Set(0, "ephemeral", "x");
  Del(0, "ephemeral");
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
}

// The writer keeps its connection open between saves (the WAL stays), but
// not its page cache: an incremental save that rewrote megabytes of pages
// leaves SQLite holding little memory until the next one.
TEST_F(SnapshotTest, AWriterKeepsNoPageCacheBetweenSaves) {
  const std::string value(200, 'v');
  for (int i = 0; i < 20000; ++i) Set(0, "k" + std::to_string(i), value);
  SnapshotWriter::Options o;
  o.path = path_;
  o.sqlite_vfs = FaultVfs::kName;
  o.server_version = "test";
  SnapshotWriter writer(o);
  for (int round = 0; round < 3; ++round) {
    store::SnapshotCut cut;
    {
      auto locks = ks_->Lock(ks_->AllShardsMask());
      cut = ks_->TakeCut(!std::filesystem::exists(path_));
    }
    SnapshotWriteStats stats;
    ASSERT_TRUE(writer.Write(&cut, round + 1, clock_.NowMs(), &stats).ok());
    ks_->ReleaseCut(cut, true);
    EXPECT_EQ(stats.full, round == 0);
    EXPECT_EQ(stats.upserts, round == 0 ? 20000u : 10000u);
    // 10,000 changed rows of 200 bytes: about 3 MB of pages were written.
    EXPECT_LT(sqlite3_memory_used(), 1 << 20) << "round " << round;
    for (int i = 0; i < 20000; i += 2) Set(0, "k" + std::to_string(i), value + "!");
  }
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
}

// As the server saves: the cut holds entry pointers only (TakeCut with
// resolve=false) and the writer resolves them as it writes, merging a full
// cut's sorted runs and sorting an incremental cut's entries. Many more keys
// than one batch of rows, in several databases, strings and hashes, some
// expired by the time of the write.
TEST_F(SnapshotTest, UnresolvedCutsWriteEveryKeyInKeyOrder) {
  for (int i = 0; i < 5000; ++i) {
    const int db = i % 7 == 0 ? 3 : (i % 5 == 0 ? 15 : 0);
    const std::string key = "user:bot" + std::to_string(i % 50) + ":u" + std::to_string(i);
    if (i % 97 == 0) {
      HSet(db, key, {"f", "v" + std::to_string(i), "g", "w"});
    } else {
      Set(db, key, "value" + std::to_string(i), i % 31 == 0 ? kNow + 1000 : store::kNoExpiry);
    }
  }
  SnapshotWriteStats stats;
  ASSERT_TRUE(Save(&stats, 1, /*resolve=*/false).ok());  // no file yet: full
  EXPECT_TRUE(stats.full);
  EXPECT_EQ(stats.upserts, 5000u);
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  EXPECT_EQ(Sql(path_, "SELECT COUNT(*) FROM keys")[0], "5000");

  // Incremental: changes spread over every database and shard, a deletion,
  // and keys whose deadline passes before the write.
  for (int i = 0; i < 5000; i += 3) {
    const int db = i % 7 == 0 ? 3 : (i % 5 == 0 ? 15 : 0);
    const std::string key = "user:bot" + std::to_string(i % 50) + ":u" + std::to_string(i);
    if (i % 97 == 0) {
      HSet(db, key, {"f", "changed"});
    } else if (i % 11 == 0) {
      Del(db, key);
    } else {
      Set(db, key, "changed" + std::to_string(i), i % 2 == 0 ? kNow + 500 : store::kNoExpiry);
    }
  }
  clock_.Advance(600);                                   // the deadlines of kNow + 500 have passed
  ASSERT_TRUE(Save(&stats, 1, /*resolve=*/false).ok());  // incremental
  EXPECT_FALSE(stats.full);
  test::Dump want;
  for (const auto& [id, v] : DumpKeyspace(*ks_)) {
    if (v.expire_at_ms == store::kNoExpiry || v.expire_at_ms > clock_.NowMs()) want[id] = v;
  }
  EXPECT_GT(stats.deletes, 0u);
  EXPECT_EQ(Sql(path_, "SELECT COUNT(*) FROM keys WHERE expire_at <= " +
                           std::to_string(clock_.NowMs()))[0],
            "0");
  EXPECT_EQ(Sql(path_, "SELECT COUNT(*) FROM keys")[0], std::to_string(want.size()));
  EXPECT_EQ(Loaded(), want);
}

TEST_F(SnapshotTest, FullCutReplacesEverything) {
  for (int i = 0; i < 100; ++i) Set(i % 3, "k" + std::to_string(i), "old");
  ASSERT_TRUE(Save().ok());
  {
    auto locks = ks_->Lock(ks_->AllShardsMask());
    ks_->FlushAll();
  }
  Set(0, "k1", "new");
  SnapshotWriteStats stats;
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_TRUE(stats.full);
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
  EXPECT_EQ(Loaded().size(), 1u);
}

TEST_F(SnapshotTest, RestoredKeyWithoutDeadlineGetsNoScopeDefault) {
  ks_ = NewKeyspace({{"state", "state:", 60'000, 0}});
  Set(0, "state:a", "defaulted");  // gets the scope's default TTL
  {
    auto locks = ks_->Lock(ks_->ShardMaskOf("state:b"));
    ks_->SetString(0, "state:b", "persisted", store::kNoExpiry);
    ks_->Persist(0, "state:b");
  }
  ASSERT_TRUE(Save().ok());
  auto fresh = NewKeyspace({{"state", "state:", 60'000, 0}});
  LoadResult r;
  ASSERT_TRUE(Load(fresh.get(), &r).ok());
  test::Dump expected = {{{0, "state:a"}, {"defaulted", kNow + 60'000}},
                         {{0, "state:b"}, {"persisted", store::kNoExpiry}}};
  EXPECT_EQ(DumpKeyspace(*fresh), expected);
}

TEST_F(SnapshotTest, ForeignFilesAreRefusedAndLeftUntouched) {
  const std::string text = "this is a text file that someone named stashd.db\n";
  { std::ofstream(path_) << text; }
  LoadResult r;
  Status s = Load(ks_.get(), &r);
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  EXPECT_THAT(s.message(), HasSubstr("is not a stashd snapshot"));
  Set(0, "k", "v");
  EXPECT_EQ(Save().code(), Status::Code::kNotSupported);
  EXPECT_EQ(ReadAll(path_), text);

  std::filesystem::remove(path_);
  Sql(path_, "CREATE TABLE keys(x); INSERT INTO keys VALUES(1)");
  const std::string other = ReadAll(path_);
  s = Load(ks_.get(), &r);
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  EXPECT_THAT(s.message(), HasSubstr("another application"));
  EXPECT_EQ(Save().code(), Status::Code::kNotSupported);
  EXPECT_EQ(ReadAll(path_), other);
}

TEST_F(SnapshotTest, NewerFormatIsRefusedAndLeftUntouched) {
  Set(0, "k", "v");
  ASSERT_TRUE(Save().ok());
  Sql(path_, "UPDATE meta SET value = 99 WHERE name = 'format_version'");
  Sql(path_, "PRAGMA wal_checkpoint(TRUNCATE)");
  const std::string before = ReadAll(path_);
  auto fresh = NewKeyspace();
  LoadResult r;
  Status s = Load(fresh.get(), &r);
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  EXPECT_THAT(s.message(), HasSubstr("format version 99"));
  Set(0, "k2", "v2");
  EXPECT_EQ(Save().code(), Status::Code::kNotSupported);
  EXPECT_EQ(ReadAll(path_), before);
}

TEST_F(SnapshotTest, FailedWriteLeavesThePreviousSnapshot) {
  for (int i = 0; i < 300; ++i) Set(0, "k" + std::to_string(i), "first");
  ASSERT_TRUE(Save().ok());
  const test::Dump first = DumpKeyspace(*ks_);
  for (int n : {0, 1, 2, 5, 20, 60}) {
    for (int i = 0; i < 3000; ++i)
      Set(0, "k" + std::to_string(i), "second" + std::to_string(n) + std::string(100, 'x'));
    FaultVfs::FailWritesAfter(n);
    Status s = Save();
    FaultVfs::Reset();
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.code(), Status::Code::kIoError) << s.message();
    EXPECT_EQ(s.error_number(), ENOSPC) << s.message();
    EXPECT_EQ(Loaded(), first) << "after failing at write " << n;
  }
  Set(0, "k1", "third");
  FaultVfs::FailSyncs(true);
  EXPECT_FALSE(Save().ok());
  FaultVfs::Reset();
  EXPECT_EQ(Loaded(), first);
  // The failed cuts made the keyspace ask for a full one: it succeeds now.
  SnapshotWriteStats stats;
  ASSERT_TRUE(Save(&stats).ok());
  EXPECT_TRUE(stats.full);
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
}

TEST_F(SnapshotTest, IncrementalCutCannotRecreateAMissingFile) {
  Set(0, "a", "1");
  ASSERT_TRUE(Save().ok());
  Set(0, "b", "2");
  std::filesystem::remove(path_);
  store::SnapshotCut cut;
  {
    auto locks = ks_->Lock(ks_->AllShardsMask());
    cut = ks_->TakeCut(false);
  }
  SnapshotWriter writer({path_, nullptr, "", "test"});
  SnapshotWriteStats stats;
  Status s = writer.Write(&cut, 1, kNow, &stats);
  ks_->ReleaseCut(cut, s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalid);
  EXPECT_THAT(s.message(), HasSubstr("is missing"));
  EXPECT_FALSE(std::filesystem::exists(path_));
  ASSERT_TRUE(Save().ok());  // the server's next cut is a full one
  EXPECT_EQ(Loaded(), DumpKeyspace(*ks_));
}

TEST_F(SnapshotTest, FailedFirstSnapshotLeavesNoFile) {
  Set(0, "k", "v");
  FaultVfs::FailWritesAfter(3);
  EXPECT_FALSE(Save().ok());
  FaultVfs::Reset();
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

}  // namespace
}  // namespace stashd::persistence
