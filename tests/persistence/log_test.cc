// The write log: record format, writer (group commit, rotation, failures)
// and reader (torn tail vs corruption), and the checker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "persistence/change_recorder.h"
#include "persistence/fault_file_system.h"
#include "persistence/keyspace_dump.h"
#include "persistence/log_format.h"
#include "persistence/log_reader.h"
#include "persistence/temp_dir.h"
#include "persistence/write_log.h"
#include "store/clock.h"
#include "store/keyspace.h"
#include "store/types/hash.h"

namespace stashd::persistence {
namespace {

using test::FaultFileSystem;
using test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Payloads of the records in a log file, and the scan.
std::vector<std::string> Records(const std::string& path, LogScan* scan, Status* status) {
  std::vector<std::string> out;
  *status = ReadLogFile(
      path,
      [&](std::string_view payload, uint64_t) {
        out.emplace_back(payload);
        return Status::Ok();
      },
      scan);
  return out;
}

std::vector<std::string> Records(const std::string& path) {
  LogScan scan;
  Status s;
  auto out = Records(path, &scan, &s);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

// ---- Change encoding ----

store::Change SetChange(int db, std::string_view key, std::string_view value, int64_t expire) {
  store::Change c;
  c.kind = store::Change::Kind::kSet;
  c.db = db;
  c.key = key;
  c.value = value;
  c.expire_at_ms = expire;
  return c;
}

std::string Describe(const store::Change& c) {
  using Kind = store::Change::Kind;
  switch (c.kind) {
    case Kind::kSet:
      return "set " + std::to_string(c.db) + " " + std::string(c.key) + "=" + std::string(c.value) +
             " @" + std::to_string(c.expire_at_ms);
    case Kind::kDelete:
      return "del " + std::to_string(c.db) + " " + std::string(c.key);
    case Kind::kFlushDb:
      return "flushdb " + std::to_string(c.db);
    case Kind::kFlushAll:
      return "flushall";
    case Kind::kSwapDb:
      return "swapdb " + std::to_string(c.db) + " " + std::to_string(c.db2);
    case Kind::kUpdate: {
      std::string s = "update " + std::to_string(c.db) + " " + std::string(c.key) + " t" +
                      std::to_string(static_cast<int>(c.type)) + " op" + std::to_string(c.op);
      for (std::string_view a : c.args) s += " " + std::string(a);
      return s;
    }
    case Kind::kExpire:
      return "expire " + std::to_string(c.db) + " " + std::string(c.key) + " @" +
             std::to_string(c.expire_at_ms);
    case Kind::kRename:
      return "rename " + std::to_string(c.db) + " " + std::string(c.key) + " " +
             std::string(c.key2);
    case Kind::kMove:
      return "move " + std::to_string(c.db) + " " + std::string(c.key) + " " +
             std::to_string(c.db2);
    case Kind::kPatch:
      return "patch " + std::to_string(c.db) + " " + std::string(c.key) + " @" +
             std::to_string(c.offset) + " " + std::string(c.value);
  }
  return "?";
}

std::vector<std::string> Decode(std::string_view payload) {
  std::vector<std::string> out;
  Status s = log::DecodeRecord(payload, [&](const store::Change& c) {
    out.push_back(Describe(c));
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

TEST(LogFormatTest, EveryChangeKindRoundTrips) {
  std::string payload;
  std::string binary("a\0b\xff", 4);
  log::EncodeChange(SetChange(0, "k", "v", store::kNoExpiry), &payload);
  log::EncodeChange(SetChange(15, binary, "", 1'700'000'000'123), &payload);
  log::EncodeChange(SetChange(3, "", std::string(70000, 'x'), 0), &payload);
  store::Change del;
  del.kind = store::Change::Kind::kDelete;
  del.db = 2;
  del.key = "gone";
  log::EncodeChange(del, &payload);
  store::Change flushdb;
  flushdb.kind = store::Change::Kind::kFlushDb;
  flushdb.db = 7;
  log::EncodeChange(flushdb, &payload);
  store::Change flushall;
  flushall.kind = store::Change::Kind::kFlushAll;
  log::EncodeChange(flushall, &payload);
  store::Change swap;
  swap.kind = store::Change::Kind::kSwapDb;
  swap.db = 1;
  swap.db2 = 9;
  log::EncodeChange(swap, &payload);
  EXPECT_THAT(Decode(payload), ElementsAre("set 0 k=v @-1", "set 15 " + binary + "= @1700000000123",
                                           "set 3 =" + std::string(70000, 'x') + " @0",
                                           "del 2 gone", "flushdb 7", "flushall", "swapdb 1 9"));
}

TEST(LogFormatTest, CollectionChangesRoundTrip) {
  std::string payload;
  std::vector<std::string_view> args = {"f1", "v1", std::string_view("f\0", 2), ""};
  store::Change u;
  u.kind = store::Change::Kind::kUpdate;
  u.db = 1;
  u.key = "h";
  u.type = store::ValueType::kHash;
  u.op = store::HashObject::kSet;
  u.args = args;
  log::EncodeChange(u, &payload);
  store::Change e;
  e.kind = store::Change::Kind::kExpire;
  e.key = "h";
  e.expire_at_ms = 42;
  log::EncodeChange(e, &payload);
  e.expire_at_ms = store::kNoExpiry;
  log::EncodeChange(e, &payload);
  store::Change r;
  r.kind = store::Change::Kind::kRename;
  r.key = "h";
  r.key2 = "h2";
  log::EncodeChange(r, &payload);
  store::Change m;
  m.kind = store::Change::Kind::kMove;
  m.key = "h2";
  m.db = 0;
  m.db2 = 9;
  log::EncodeChange(m, &payload);
  store::Change p;
  p.kind = store::Change::Kind::kPatch;
  p.db = 3;
  p.key = "b";
  p.offset = 1u << 20;
  p.value = "xy";
  log::EncodeChange(p, &payload);
  EXPECT_THAT(Decode(payload),
              ::testing::ElementsAre("update 1 h t4 op1 f1 v1 " + std::string("f\0", 2) + " ",
                                     "expire 0 h @42", "expire 0 h @-1", "rename 0 h h2",
                                     "move 0 h2 9", "patch 3 b @1048576 xy"));
}

// Replaying what the keyspace reported rebuilds the same keyspace: strings
// and collections, element changes and key-level operations.
TEST(LogFormatTest, ReplayingReportedChangesRebuildsTheKeyspace) {
  store::FakeClock clock(1'000'000);
  store::Keyspace::Options o;
  o.clock = &clock;
  o.scopes = {{"state", "state:", 60'000, 0}};
  store::Keyspace live(o), replayed(o);
  struct Encoder : store::ChangeListener {
    void OnChange(const store::Change& c) override { log::EncodeChange(c, &payload); }
    std::string payload;
  } encoder;
  auto all = live.Lock(live.AllShardsMask());
  live.SetChangeListener(&encoder);
  auto hset = [&](int db, std::string_view key, std::vector<std::string_view> pairs) {
    store::KeyWriter w =
        live.Write(db, key, store::ValueType::kHash, store::Keyspace::Missing::kCreate);
    for (size_t i = 0; i < pairs.size(); i += 2)
      w.As<store::HashObject>().Set(pairs[i], pairs[i + 1]);
    w.Record(store::HashObject::kSet, pairs);
  };
  auto hdel = [&](int db, std::string_view key, std::vector<std::string_view> fields) {
    store::KeyWriter w =
        live.Write(db, key, store::ValueType::kHash, store::Keyspace::Missing::kFail);
    for (auto f : fields) w.As<store::HashObject>().Delete(f);
    w.Record(store::HashObject::kDelete, fields);
  };
  hset(0, "state:c1", {"step", "1", "lang", "fr"});  // default TTL on creation
  hset(0, "h", {"a", "1", "b", "2"});
  hset(0, "h", {"a", "3"});
  hdel(0, "h", {"b"});
  live.SetString(0, "s", "str", store::kNoExpiry);
  live.SetExpire(0, "h", 5'000'000);
  live.Rename(0, "h", "h2");
  live.Persist(0, "state:c1");
  live.Copy(0, "h2", 2, "copy", false);
  live.Move(0, 1, "h2");
  hset(1, "gone", {"x", "y"});
  hdel(1, "gone", {"x"});  // emptied: deleted
  hset(2, "copy", {"extra", "z"});
  // Strings written in part (SETBIT, BITFIELD, PFADD): patches in place,
  // growing, and creating.
  live.SetString(0, "bits", "abcd", 7'000'000);
  live.PatchString(0, "bits", 1, "XY");
  live.PatchString(0, "bits", 6, std::string_view("\0z", 2));
  live.PatchString(0, "new", 3, "n");
  live.SetChangeListener(nullptr);
  auto all2 = replayed.Lock(replayed.AllShardsMask());
  Status s = log::DecodeRecord(encoder.payload, [&](const store::Change& c) {
    return log::ApplyChange(c, &replayed, clock.NowMs());
  });
  ASSERT_TRUE(s.ok()) << s.message();
  all.Release();
  all2.Release();
  EXPECT_EQ(test::DumpKeyspace(replayed), test::DumpKeyspace(live));
  auto dump = test::DumpKeyspace(live);
  EXPECT_EQ(dump.size(), 6u);  // state:c1, s, h2 (db 1), copy (db 2), bits, new
  const std::pair<int, std::string> bits{0, "bits"}, fresh{0, "new"};
  EXPECT_EQ(dump[bits].value, std::string("aXYd\0\0\0z", 8));
  EXPECT_EQ(dump[bits].expire_at_ms, 7'000'000);
  EXPECT_EQ(dump[fresh].value, std::string("\0\0\0n", 4));
  const std::pair<int, std::string> h2{1, "h2"}, c1{0, "state:c1"}, copy{2, "copy"};
  EXPECT_EQ(dump[h2].value, "hash{a=3,}");
  EXPECT_EQ(dump[h2].expire_at_ms, 5'000'000);
  EXPECT_EQ(dump[c1].expire_at_ms, store::kNoExpiry);
  EXPECT_EQ(dump[copy].value, "hash{a=3,extra=z,}");
}

TEST(LogFormatTest, TruncatedOrUnknownPayloadIsRefused) {
  std::string payload;
  log::EncodeChange(SetChange(0, "key", "value", 5), &payload);
  for (size_t n = 0; n < payload.size(); ++n) {
    Status s = log::DecodeRecord(std::string_view(payload).substr(0, n),
                                 [](const store::Change&) { return Status::Ok(); });
    EXPECT_FALSE(s.ok()) << n;
  }
  Status s = log::DecodeRecord("\x63", [](const store::Change&) { return Status::Ok(); });
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
}

TEST(LogFormatTest, FileHeader) {
  uint64_t seq = 0;
  std::string h = log::EncodeFileHeader(42);
  ASSERT_EQ(h.size(), log::kFileHeaderSize);
  ASSERT_TRUE(log::DecodeFileHeader(h, &seq).ok());
  EXPECT_EQ(seq, 42u);
  std::string bad = h;
  bad[0] = 'X';
  EXPECT_EQ(log::DecodeFileHeader(bad, &seq).code(), Status::Code::kNotSupported);
  bad = h;
  bad[17] ^= 1;
  EXPECT_EQ(log::DecodeFileHeader(bad, &seq).code(), Status::Code::kCorruption);
}

TEST(LogFormatTest, FileNames) {
  EXPECT_EQ(log::LogFileName("appendonly.slog", 7), "appendonly.slog.000007");
  EXPECT_EQ(log::LogFileName("a", 12345678), "a.12345678");
  EXPECT_EQ(log::ParseLogFileName("appendonly.slog", "appendonly.slog.000007"), 7u);
  EXPECT_EQ(log::ParseLogFileName("appendonly.slog", "appendonly.slog.12345678"), 12345678u);
  EXPECT_EQ(log::ParseLogFileName("appendonly.slog", "appendonly.slog.7.dropped"), 0u);
  EXPECT_EQ(log::ParseLogFileName("appendonly.slog", "appendonly.slog."), 0u);
  EXPECT_EQ(log::ParseLogFileName("appendonly.slog", "other.000001"), 0u);
}

// ---- Writer and reader ----

class WriteLogTest : public ::testing::Test {
 protected:
  WriteLog::Options Opts(FsyncPolicy policy = FsyncPolicy::kEverySec) {
    WriteLog::Options o;
    o.fs = &fs_;
    o.dir = dir_.path();
    o.fsync = policy;
    o.retry_interval_ms = 50;
    return o;
  }
  std::string LogPath(uint64_t seq) const {
    return dir_.File(log::LogFileName("appendonly.slog", seq));
  }

  TempDir dir_;
  FaultFileSystem fs_;
};

TEST_F(WriteLogTest, AppendedRecordsReadBackInOrder) {
  WriteLog wl(Opts());
  ASSERT_TRUE(wl.Open(1).ok());
  uint64_t l1 = wl.Append("one");
  uint64_t l2 = wl.Append("two");
  EXPECT_EQ(l1, log::kRecordHeaderSize + 3);
  EXPECT_EQ(l2, 2 * log::kRecordHeaderSize + 6);
  EXPECT_EQ(wl.written_lsn(), 0u);
  ASSERT_TRUE(wl.WriteUpTo(l1).ok());
  EXPECT_EQ(wl.written_lsn(), l2);  // one write took everything buffered
  EXPECT_THAT(Records(LogPath(1)), ElementsAre("one", "two"));
  ASSERT_TRUE(wl.Close().ok());
  EXPECT_GE(wl.durable_lsn(), l2);
}

// A record built in place (header room first) is taken over, not copied,
// when nothing else is buffered, and reads back like an appended one.
TEST_F(WriteLogTest, AppendFramedTakesTheRecordOver) {
  WriteLog wl(Opts());
  ASSERT_TRUE(wl.Open(1).ok());
  std::string record(log::kRecordHeaderSize, '\0');
  record += std::string(1 << 20, 'v');
  const char* data = record.data();
  uint64_t l1 = wl.AppendFramed(&record);
  EXPECT_EQ(l1, log::kRecordHeaderSize + (1u << 20));
  EXPECT_TRUE(record.empty());
  EXPECT_NE(record.data(), data);  // the buffer went to the log
  std::string second = std::string(log::kRecordHeaderSize, '\0') + "two";
  uint64_t l2 = wl.AppendFramed(&second);  // appended after the first
  EXPECT_EQ(l2, l1 + log::kRecordHeaderSize + 3);
  uint64_t l3 = wl.Append("three");
  ASSERT_TRUE(wl.WriteUpTo(l3).ok());
  EXPECT_THAT(Records(LogPath(1)), ElementsAre(std::string(1 << 20, 'v'), "two", "three"));
  ASSERT_TRUE(wl.Close().ok());
}

TEST_F(WriteLogTest, RotationSplitsFilesAtTheMark) {
  WriteLog wl(Opts());
  ASSERT_TRUE(wl.Open(5).ok());
  wl.Append("a");
  uint64_t at = 0;
  EXPECT_EQ(wl.Rotate(&at), 6u);
  EXPECT_EQ(at, log::kRecordHeaderSize + 1);
  wl.Append("b");
  wl.Append("c");
  ASSERT_TRUE(wl.Flush().ok());
  EXPECT_EQ(wl.current_seq(), 6u);
  EXPECT_THAT(Records(LogPath(5)), ElementsAre("a"));
  EXPECT_THAT(Records(LogPath(6)), ElementsAre("b", "c"));
  // Two rotations in a row leave an empty file between.
  wl.Rotate(&at);
  wl.Rotate(&at);
  wl.Append("d");
  ASSERT_TRUE(wl.Flush().ok());
  EXPECT_THAT(Records(LogPath(7)), ElementsAre());
  EXPECT_THAT(Records(LogPath(8)), ElementsAre("d"));
}

TEST_F(WriteLogTest, AlwaysGroupsConcurrentWritersIntoFewFsyncs) {
  WriteLog wl(Opts(FsyncPolicy::kAlways));
  ASSERT_TRUE(wl.Open(1).ok());
  const int syncs_before = fs_.syncs();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        uint64_t lsn = wl.Append("t" + std::to_string(t) + ":" + std::to_string(i));
        ASSERT_TRUE(wl.WriteUpTo(lsn).ok());
        std::atomic<bool> done{false};
        if (!wl.Await(lsn, /*durable=*/true, [&] { done.store(true); })) {
          while (!done.load()) std::this_thread::yield();
        }
        // Acknowledged: durable.
        ASSERT_GE(wl.durable_lsn(), lsn);
        ++acked;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(acked.load(), kThreads * kPerThread);
  const int syncs = fs_.syncs() - syncs_before;
  EXPECT_GT(syncs, 0);
  EXPECT_LT(syncs, kThreads * kPerThread) << "no group commit";
  EXPECT_EQ(Records(LogPath(1)).size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(WriteLogTest, EverySecSyncsInTheBackground) {
  WriteLog wl(Opts(FsyncPolicy::kEverySec));
  ASSERT_TRUE(wl.Open(1).ok());
  uint64_t lsn = wl.Append("x");
  ASSERT_TRUE(wl.WriteUpTo(lsn).ok());
  for (int i = 0; i < 200 && wl.durable_lsn() < lsn; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(wl.durable_lsn(), lsn);
}

TEST_F(WriteLogTest, FailedWriteIsRetriedAndWaitersReleased) {
  WriteLog wl(Opts(FsyncPolicy::kEverySec));
  ASSERT_TRUE(wl.Open(1).ok());
  fs_.FailWrites(ENOSPC);
  uint64_t lsn = wl.Append("kept");
  Status s = wl.WriteUpTo(lsn);
  EXPECT_EQ(s.error_number(), ENOSPC);
  EXPECT_THAT(s.message(), HasSubstr("No space left on device"));
  EXPECT_TRUE(wl.failing());
  EXPECT_FALSE(wl.write_status().ok());
  std::atomic<bool> released{false};
  EXPECT_FALSE(wl.Await(lsn, false, [&] { released.store(true); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(released.load());
  fs_.FailWrites(0);  // space freed: the background retry writes it
  for (int i = 0; i < 200 && !released.load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(released.load());
  EXPECT_FALSE(wl.failing());
  EXPECT_TRUE(wl.write_status().ok());
  EXPECT_THAT(Records(LogPath(1)), ElementsAre("kept"));
}

TEST_F(WriteLogTest, FailedFsyncBlocksDurabilityUntilASnapshotCoversIt) {
  WriteLog wl(Opts(FsyncPolicy::kAlways));
  ASSERT_TRUE(wl.Open(1).ok());
  fs_.FailSyncs(EIO);
  uint64_t lsn = wl.Append("a");
  ASSERT_TRUE(wl.WriteUpTo(lsn).ok());
  std::atomic<bool> durable{false};
  EXPECT_FALSE(wl.Await(lsn, true, [&] { durable.store(true); }));
  for (int i = 0; i < 100 && !wl.failing(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(wl.failing());
  EXPECT_EQ(wl.sync_status().error_number(), EIO);
  fs_.FailSyncs(0);
  // A later fsync that succeeds proves nothing (the kernel may have dropped
  // the pages): still not durable.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_FALSE(durable.load());
  EXPECT_TRUE(wl.failing());
  uint64_t at = 0;
  uint64_t seq = wl.Rotate(&at);
  wl.CoveredUpTo(at);  // the snapshot holds everything before `at`
  EXPECT_TRUE(durable.load());
  EXPECT_FALSE(wl.failing());
  uint64_t l2 = wl.Append("b");
  ASSERT_TRUE(wl.Flush().ok());
  EXPECT_GE(wl.durable_lsn(), l2);
  EXPECT_THAT(Records(LogPath(seq)), ElementsAre("b"));
}

TEST_F(WriteLogTest, CoveredUpToSkipsRecordsThatCouldNotBeWritten) {
  WriteLog wl(Opts(FsyncPolicy::kEverySec));
  ASSERT_TRUE(wl.Open(1).ok());
  fs_.FailWrites(ENOSPC);
  uint64_t l1 = wl.Append("lost-to-disk-but-in-snapshot");
  EXPECT_FALSE(wl.WriteUpTo(l1).ok());
  uint64_t at = 0;
  uint64_t seq = wl.Rotate(&at);
  uint64_t l2 = wl.Append("after-cut");
  fs_.FailWrites(0);
  wl.CoveredUpTo(at);
  EXPECT_GE(wl.written_lsn(), at);
  ASSERT_TRUE(wl.WriteUpTo(l2).ok());
  EXPECT_THAT(Records(LogPath(seq)), ElementsAre("after-cut"));
}

TEST_F(WriteLogTest, PowerCutKeepsOnlyWhatWasSynced) {
  WriteLog wl(Opts(FsyncPolicy::kNo));
  ASSERT_TRUE(wl.Open(1).ok());
  wl.Append("synced");
  ASSERT_TRUE(wl.Flush().ok());
  uint64_t lsn = wl.Append("written-not-synced");
  ASSERT_TRUE(wl.WriteUpTo(lsn).ok());
  EXPECT_EQ(Records(LogPath(1)).size(), 2u);
  fs_.CutPower();
  EXPECT_THAT(Records(LogPath(1)), ElementsAre("synced"));
}

TEST_F(WriteLogTest, NewFileIsNotRecordedBeforeTheOldOneIsSynced) {
  // With the old file's tail lost and the new file kept, recovery would see
  // a gap. Rotation fsyncs the old file before the first write to the new.
  WriteLog wl(Opts(FsyncPolicy::kNo));
  ASSERT_TRUE(wl.Open(1).ok());
  wl.Append("old");
  uint64_t at = 0;
  wl.Rotate(&at);
  uint64_t lsn = wl.Append("new");
  ASSERT_TRUE(wl.WriteUpTo(lsn).ok());
  fs_.CutPower();
  EXPECT_THAT(Records(LogPath(1)), ElementsAre("old"));
}

// ---- Torn tails and corruption ----

// A valid record payload: a change setting `key`.
std::string Payload(std::string_view key) {
  std::string p;
  log::EncodeChange(SetChange(0, key, "v", store::kNoExpiry), &p);
  return p;
}

class LogReaderTest : public WriteLogTest {
 protected:
  // A log with three records; returns their offsets.
  std::vector<uint64_t> WriteThree() {
    WriteLog wl(Opts());
    EXPECT_TRUE(wl.Open(1).ok());
    std::vector<uint64_t> offsets = {log::kFileHeaderSize};
    offsets.push_back(log::kFileHeaderSize + wl.Append(Payload("first record")));
    offsets.push_back(log::kFileHeaderSize + wl.Append(Payload("second record")));
    wl.Append(Payload("third record"));
    EXPECT_TRUE(wl.Close().ok());
    return offsets;
  }
};

TEST_F(LogReaderTest, EveryTruncationOfTheLastRecordIsATornTail) {
  auto offsets = WriteThree();
  const std::string full = ReadAll(LogPath(1));
  for (size_t cut = offsets[2] + 1; cut < full.size(); ++cut) {
    WriteAll(LogPath(1), full.substr(0, cut));
    LogScan scan;
    Status s;
    auto recs = Records(LogPath(1), &scan, &s);
    ASSERT_TRUE(s.ok()) << cut << ": " << s.message();
    EXPECT_THAT(recs, ElementsAre(Payload("first record"), Payload("second record"))) << cut;
    EXPECT_TRUE(scan.torn_tail);
    EXPECT_EQ(scan.valid_size, offsets[2]);
  }
  // Cut exactly at a record boundary: nothing torn.
  WriteAll(LogPath(1), full.substr(0, offsets[2]));
  LogScan scan;
  Status s;
  EXPECT_EQ(Records(LogPath(1), &scan, &s).size(), 2u);
  EXPECT_FALSE(scan.torn_tail);
}

TEST_F(LogReaderTest, GarbledLastRecordOrZeroFilledTailIsTorn) {
  WriteThree();
  std::string full = ReadAll(LogPath(1));
  std::string garbled = full;
  garbled[garbled.size() - 2] ^= 0x40;  // last record's payload
  WriteAll(LogPath(1), garbled);
  LogScan scan;
  Status s;
  EXPECT_EQ(Records(LogPath(1), &scan, &s).size(), 2u);
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(scan.torn_tail);
  // Blocks allocated but never written read as zeros.
  WriteAll(LogPath(1), full + std::string(4096, '\0'));
  EXPECT_EQ(Records(LogPath(1), &scan, &s).size(), 3u);
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(scan.torn_tail);
}

TEST_F(LogReaderTest, CorruptionBeforeTheTailNamesFileAndOffset) {
  auto offsets = WriteThree();
  const std::string full = ReadAll(LogPath(1));
  for (size_t pos : {offsets[1] + 2, offsets[1] + 5, offsets[1] + 9, offsets[1] + 14}) {
    std::string bad = full;
    bad[pos] ^= 0x01;
    WriteAll(LogPath(1), bad);
    LogScan scan;
    Status s;
    auto recs = Records(LogPath(1), &scan, &s);
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << pos;
    EXPECT_THAT(s.message(), HasSubstr(LogPath(1)));
    EXPECT_THAT(s.message(), HasSubstr("byte offset " + std::to_string(offsets[1])));
    EXPECT_THAT(s.message(), HasSubstr("--check-log"));
    EXPECT_THAT(recs, ElementsAre(Payload("first record")));
  }
}

TEST_F(LogReaderTest, ForeignOrNewerFileIsRefused) {
  WriteAll(LogPath(1), "this is not a log file, just some text that is long enough");
  LogScan scan;
  Status s;
  Records(LogPath(1), &scan, &s);
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  EXPECT_THAT(s.message(), HasSubstr("not a stashd write log"));
}

TEST_F(LogReaderTest, CheckAndRepair) {
  auto offsets = WriteThree();
  std::string full = ReadAll(LogPath(1));
  std::string report;
  EXPECT_TRUE(CheckLogFile(LogPath(1), false, &report).ok());
  EXPECT_THAT(report, HasSubstr("3 records"));
  EXPECT_THAT(report, HasSubstr("Log is valid."));

  std::string bad = full;
  bad[offsets[1] + 14] ^= 1;
  WriteAll(LogPath(1), bad);
  report.clear();
  Status s = CheckLogFile(LogPath(1), false, &report);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(report, HasSubstr("Run with --repair to truncate the file at byte offset " +
                                std::to_string(offsets[1])));
  EXPECT_EQ(ReadAll(LogPath(1)), bad);  // untouched without --repair

  report.clear();
  EXPECT_TRUE(CheckLogFile(LogPath(1), true, &report).ok()) << report;
  EXPECT_THAT(report, HasSubstr("Repaired"));
  EXPECT_EQ(ReadAll(LogPath(1)), full.substr(0, offsets[1]));
  EXPECT_EQ(ReadAll(LogPath(1) + ".dropped"), bad.substr(offsets[1]));
  EXPECT_THAT(Records(LogPath(1)), ElementsAre(Payload("first record")));
}

// ---- ChangeRecorder: one record per command ----

class ChangeRecorderTest : public WriteLogTest {
 protected:
  ChangeRecorderTest() : ks_(MakeOptions()), log_(Opts()), recorder_(&log_) {
    EXPECT_TRUE(log_.Open(1).ok());
    auto locks = ks_.Lock(ks_.AllShardsMask());
    ks_.SetChangeListener(&recorder_);
  }
  ~ChangeRecorderTest() override {
    auto locks = ks_.Lock(ks_.AllShardsMask());
    ks_.SetChangeListener(nullptr);
  }
  store::Keyspace::Options MakeOptions() {
    store::Keyspace::Options o;
    o.clock = &clock_;
    return o;
  }
  void Set(std::string_view key, std::string_view value) {
    auto locks = ks_.Lock(ks_.ShardMaskOf(key));
    ks_.SetString(0, key, value, store::kNoExpiry);
  }
  std::vector<std::vector<std::string>> LoggedRecords() {
    EXPECT_TRUE(log_.Flush().ok());
    std::vector<std::vector<std::string>> out;
    for (const std::string& r : Records(LogPath(1))) out.push_back(Decode(r));
    return out;
  }

  store::FakeClock clock_;
  store::Keyspace ks_;
  WriteLog log_;
  ChangeRecorder recorder_;
};

TEST_F(ChangeRecorderTest, OneRecordPerCommandAndPerExec) {
  recorder_.BeginCommand();
  Set("a", "1");
  Set("b", "2");
  recorder_.EndCommand();
  uint64_t lsn = recorder_.ThreadLsn();
  EXPECT_EQ(lsn, log_.appended_lsn());

  recorder_.BeginCommand();  // EXEC
  recorder_.BeginCommand();
  Set("c", "3");
  recorder_.OnUnlock();  // a self-locking command inside EXEC: still one record
  recorder_.EndCommand();
  recorder_.BeginCommand();
  Set("d", "4");
  recorder_.EndCommand();
  EXPECT_EQ(log_.appended_lsn(), lsn);  // nothing until EXEC ends
  recorder_.EndCommand();
  EXPECT_GT(recorder_.ThreadLsn(), lsn);

  recorder_.BeginCommand();  // a read: no record
  recorder_.EndCommand();

  Set("e", "5");  // outside any command (active expiry): appended at once
  EXPECT_THAT(LoggedRecords(), ElementsAre(ElementsAre("set 0 a=1 @-1", "set 0 b=2 @-1"),
                                           ElementsAre("set 0 c=3 @-1", "set 0 d=4 @-1"),
                                           ElementsAre("set 0 e=5 @-1")));
}

TEST_F(ChangeRecorderTest, ThreadLsnIsPerThread) {
  recorder_.BeginCommand();
  Set("a", "1");
  recorder_.EndCommand();
  uint64_t other = 1;
  std::thread([&] { other = recorder_.ThreadLsn(); }).join();
  EXPECT_EQ(other, 0u);
  EXPECT_GT(recorder_.ThreadLsn(), 0u);
}

}  // namespace
}  // namespace stashd::persistence
