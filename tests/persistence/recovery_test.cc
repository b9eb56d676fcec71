// Start-up recovery: snapshot plus the log files after it, torn tails,
// corruption, expiry during replay.
#include "persistence/recovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "persistence/change_recorder.h"
#include "persistence/keyspace_dump.h"
#include "persistence/log_format.h"
#include "persistence/snapshot.h"
#include "persistence/temp_dir.h"
#include "persistence/write_log.h"
#include "store/clock.h"
#include "store/keyspace.h"

namespace stashd::persistence {
namespace {

using test::DumpKeyspace;
using test::TempDir;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// A keyspace logged the way the server logs it: each Run() is one command.
class RecoveryTest : public ::testing::Test {
 protected:
  RecoveryTest() : clock_(kNow) {
    ks_ = NewKeyspace();
    WriteLog::Options o;
    o.dir = dir_.path();
    log_ = std::make_unique<WriteLog>(o);
    recorder_ = std::make_unique<ChangeRecorder>(log_.get());
    EXPECT_TRUE(log_->Open(1).ok());
    auto locks = ks_->Lock(ks_->AllShardsMask());
    ks_->ResetChangeTracking();
    ks_->SetChangeListener(recorder_.get());
  }
  ~RecoveryTest() override { Detach(); }

  std::unique_ptr<store::Keyspace> NewKeyspace() {
    store::Keyspace::Options o;
    o.clock = &clock_;
    return std::make_unique<store::Keyspace>(o);
  }
  void Detach() {
    if (!log_) return;
    {
      auto locks = ks_->Lock(ks_->AllShardsMask());
      ks_->SetChangeListener(nullptr);
    }
    EXPECT_TRUE(log_->Close().ok());
    log_.reset();
  }

  // One command: `fn` runs with every shard locked.
  template <typename Fn>
  void Run(Fn fn) {
    auto locks = ks_->Lock(ks_->AllShardsMask());
    recorder_->BeginCommand();
    fn(*ks_);
    recorder_->EndCommand();
  }
  void Set(std::string_view key, std::string_view value, int64_t expire = store::kNoExpiry,
           int db = 0) {
    Run([&](store::Keyspace& ks) { ks.SetString(db, key, value, expire); });
  }

  // What the server does for BGSAVE: cut + rotate, write, release, drop old logs.
  void Snapshot() {
    store::SnapshotCut cut;
    uint64_t at = 0;
    uint64_t seq = 0;
    {
      auto locks = ks_->Lock(ks_->AllShardsMask());
      cut = ks_->TakeCut(!std::filesystem::exists(dir_.File("stashd.db")));
      seq = log_->Rotate(&at);
    }
    SnapshotWriter writer({dir_.File("stashd.db"), nullptr, "", "test"});
    SnapshotWriteStats stats;
    Status s = writer.Write(&cut, seq, clock_.NowMs(), &stats);
    ASSERT_TRUE(s.ok()) << s.message();
    ks_->ReleaseCut(cut, true);
    log_->CoveredUpTo(at);
    for (uint64_t old = 1; old < seq; ++old) std::filesystem::remove(LogPath(old));
  }

  std::string LogPath(uint64_t seq) const {
    return dir_.File(log::LogFileName("appendonly.slog", seq));
  }

  Status Recover(std::unique_ptr<store::Keyspace>* out, RecoveryResult* result) {
    *out = NewKeyspace();
    RecoveryOptions o;
    o.snapshot_path = dir_.File("stashd.db");
    o.log_dir = dir_.path();
    return persistence::Recover(o, out->get(), clock_.NowMs(), result);
  }

  store::FakeClock clock_;
  TempDir dir_;
  std::unique_ptr<store::Keyspace> ks_;
  std::unique_ptr<WriteLog> log_;
  std::unique_ptr<ChangeRecorder> recorder_;
};

TEST_F(RecoveryTest, NothingOnDiskIsAnEmptyDataset) {
  Detach();
  std::filesystem::remove(LogPath(1));
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  ASSERT_TRUE(Recover(&got, &r).ok());
  EXPECT_FALSE(r.snapshot.found);
  EXPECT_EQ(r.log_files, 0u);
  EXPECT_EQ(r.next_log_seq, 1u);
  EXPECT_TRUE(DumpKeyspace(*got).empty());
}

TEST_F(RecoveryTest, LogAloneIsReplayed) {
  Set("a", "1");
  Set("b", "2", kNow + 50'000, 3);
  Run([](store::Keyspace& ks) {
    ks.SetString(0, "c", "3", store::kNoExpiry);
    ks.Delete(0, "a");
  });
  Detach();
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  ASSERT_TRUE(Recover(&got, &r).ok());
  EXPECT_EQ(r.log_files, 1u);
  EXPECT_EQ(r.log_records, 3u);
  EXPECT_EQ(r.next_log_seq, 2u);
  EXPECT_EQ(DumpKeyspace(*got), DumpKeyspace(*ks_));
}

TEST_F(RecoveryTest, SnapshotThenLaterLogs) {
  for (int i = 0; i < 100; ++i) Set("k" + std::to_string(i), "v");
  Snapshot();
  EXPECT_FALSE(std::filesystem::exists(LogPath(1)));
  Set("k1", "after first snapshot");
  Run([](store::Keyspace& ks) { ks.FlushDb(1); });
  Set("x", "in db 1", store::kNoExpiry, 1);
  Snapshot();
  Set("k2", "after second snapshot");
  Run([](store::Keyspace& ks) { ks.SwapDb(0, 1); });
  Set("k3", "after swap");
  Run([](store::Keyspace& ks) { ks.Delete(1, "k4"); });
  Detach();
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  ASSERT_TRUE(Recover(&got, &r).ok());
  EXPECT_TRUE(r.snapshot.found);
  EXPECT_EQ(r.snapshot.meta.log_seq, 3u);
  EXPECT_EQ(r.log_files, 1u);
  EXPECT_EQ(r.next_log_seq, 4u);
  EXPECT_EQ(DumpKeyspace(*got), DumpKeyspace(*ks_));
}

TEST_F(RecoveryTest, ObsoleteLogFilesAreRemoved) {
  Set("a", "1");
  // A crash between the snapshot commit and the log removal leaves log 1.
  const std::string saved = ReadAll(LogPath(1));
  Snapshot();
  WriteAll(LogPath(1), saved);
  Set("b", "2");
  Detach();
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  ASSERT_TRUE(Recover(&got, &r).ok());
  EXPECT_FALSE(std::filesystem::exists(LogPath(1)));
  EXPECT_EQ(r.log_files, 1u);
  EXPECT_EQ(DumpKeyspace(*got), DumpKeyspace(*ks_));
}

// An older snapshot put back (from a copy) continues at a log file that
// was deleted when a later snapshot committed: recovery stops, naming the
// files, instead of starting without what the lost files held.
TEST_F(RecoveryTest, SnapshotOlderThanTheLogIsRefused) {
  Set("a", "1");
  Snapshot();  // continues at log 2
  const std::string old_snapshot = ReadAll(dir_.File("stashd.db"));
  Set("b", "2");  // in log 2
  Snapshot();     // continues at log 3; log 2 deleted
  Set("c", "3");  // in log 3
  Detach();
  WriteAll(dir_.File("stashd.db"), old_snapshot);
  std::filesystem::remove(dir_.File("stashd.db-wal"));
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  Status s = Recover(&got, &r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(),
              HasSubstr("the write log starts at '" + LogPath(3) +
                        "' (file number 3), but the snapshot '" + dir_.File("stashd.db") +
                        "' continues at file number 2 ('" + LogPath(2) + "', missing)"));
  EXPECT_THAT(s.message(), HasSubstr("--ignore-missing-snapshot"));
  EXPECT_TRUE(std::filesystem::exists(LogPath(3)));  // nothing removed

  RecoveryOptions o;
  o.snapshot_path = dir_.File("stashd.db");
  o.log_dir = dir_.path();
  o.ignore_missing_snapshot = true;
  got = NewKeyspace();
  ASSERT_TRUE(persistence::Recover(o, got.get(), clock_.NowMs(), &r).ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("continues at file number 2"));
  test::Dump expected = {{{0, "a"}, {"1", store::kNoExpiry}}, {{0, "c"}, {"3", store::kNoExpiry}}};
  EXPECT_EQ(DumpKeyspace(*got), expected);
}

// A log file missing between two others is refused the same way.
TEST_F(RecoveryTest, MissingLogFileBetweenOthersIsRefused) {
  Set("a", "1");
  uint64_t at = 0;
  log_->Rotate(&at);  // log 2
  Set("b", "2");
  log_->Rotate(&at);  // log 3
  Set("c", "3");
  Detach();
  ASSERT_TRUE(std::filesystem::remove(LogPath(2)));
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  Status s = Recover(&got, &r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("write log file '" + LogPath(2) + "' is missing: '" +
                                     LogPath(1) + "' is followed by '" + LogPath(3) + "'"));
}

TEST_F(RecoveryTest, ExpiryIsAbsoluteAcrossReplay) {
  Set("short", "x", kNow + 1000);
  Set("long", "y", kNow + 100'000);
  Detach();
  clock_.Advance(5000);  // the restart comes after "short" expired
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  ASSERT_TRUE(Recover(&got, &r).ok());
  test::Dump expected = {{{0, "long"}, {"y", kNow + 100'000}}};
  EXPECT_EQ(DumpKeyspace(*got), expected);
}

TEST_F(RecoveryTest, TornTailOfTheNewestLogIsDroppedAndCut) {
  Set("a", "1");
  Run([](store::Keyspace& ks) {  // a MULTI/EXEC
    ks.SetString(0, "b", "2", store::kNoExpiry);
    ks.SetString(0, "c", "3", store::kNoExpiry);
  });
  Detach();
  const std::string full = ReadAll(LogPath(1));
  WriteAll(LogPath(1), full.substr(0, full.size() - 3));
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  ASSERT_TRUE(Recover(&got, &r).ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("ends with an incomplete record"));
  EXPECT_THAT(r.warnings[0], HasSubstr(LogPath(1)));
  // The transaction is gone whole, not half.
  test::Dump expected = {{{0, "a"}, {"1", store::kNoExpiry}}};
  EXPECT_EQ(DumpKeyspace(*got), expected);
  // The file was cut back to its last intact record.
  EXPECT_LT(ReadAll(LogPath(1)).size(), full.size() - 3);
  ASSERT_TRUE(Recover(&got, &r).ok());
  EXPECT_TRUE(r.warnings.empty());
}

TEST_F(RecoveryTest, TornTailInAnOlderLogIsAnError) {
  Set("a", "1");
  uint64_t at = 0;
  log_->Rotate(&at);
  Set("b", "2");
  Detach();
  const std::string first = ReadAll(LogPath(1));
  WriteAll(LogPath(1), first.substr(0, first.size() - 2));
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  Status s = Recover(&got, &r);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("not the newest log file"));
  EXPECT_THAT(s.message(), HasSubstr("--check-log " + LogPath(1)));
}

TEST_F(RecoveryTest, CorruptionStopsRecoveryWithFileAndOffset) {
  Set("a", "1");
  Set("b", "2");
  Set("c", "3");
  Detach();
  std::string data = ReadAll(LogPath(1));
  const size_t second = log::kFileHeaderSize + (data.size() - log::kFileHeaderSize) / 3;
  data[second + log::kRecordHeaderSize + 2] ^= 0x10;
  WriteAll(LogPath(1), data);
  std::unique_ptr<store::Keyspace> got;
  RecoveryResult r;
  Status s = Recover(&got, &r);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr(LogPath(1)));
  EXPECT_THAT(s.message(), HasSubstr("byte offset " + std::to_string(second)));
}

TEST_F(RecoveryTest, DatabaseBeyondConfiguredCountIsAnError) {
  Set("k", "v", store::kNoExpiry, 12);
  Detach();
  auto small = [this] {
    store::Keyspace::Options o;
    o.clock = &clock_;
    o.databases = 4;
    return std::make_unique<store::Keyspace>(o);
  }();
  RecoveryOptions o;
  o.snapshot_path = dir_.File("stashd.db");
  o.log_dir = dir_.path();
  RecoveryResult r;
  Status s = persistence::Recover(o, small.get(), clock_.NowMs(), &r);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("database 12 but 'databases' is 4"));
}

}  // namespace
}  // namespace stashd::persistence
