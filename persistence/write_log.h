// WriteLog: the append-only log of changes, with group commit.
//
// Every command (or EXEC) that changes the dataset appends one record with
// Append(), which only copies it into a memory buffer. The record reaches the
// OS (write(2)) when someone calls WriteUpTo() for it — normally the
// connection, before it sends the command's reply — and reaches the disk
// (fdatasync) according to the fsync policy:
//   kAlways:   the connection waits (Await(lsn, durable=true)) for a
//              background thread's fsync; concurrent and pipelined writers
//              share one fsync.
//   kEverySec: the background thread fsyncs once a second.
//   kNo:       the OS decides; we fsync only when switching files.
// Positions in the log are LSNs: the count of bytes appended since the
// WriteLog was made, across files.
//
// Files. Records go to "<dir>/<base>.<seq>". Rotate() marks the current end:
// later records go to the next file. A snapshot cut calls it, so that files
// before the mark hold only changes the snapshot contains. Before the first
// record of a new file is written, the previous file is fsynced, so a power
// cut can never keep a later record and lose an earlier one.
//
// Failures. A failed write leaves the records in memory and is retried (by
// the next WriteUpTo and by the background thread every second); a failed
// fsync makes durable_lsn() stop advancing until a snapshot covers the
// records (CoveredUpTo), because after a failed fsync the kernel may have
// dropped the data. write_status() and sync_status() report the last outcome
// (INFO's aof_last_write_status; MISCONF).
//
// Thread safety: all methods are thread-safe. Append() takes a short lock and
// never does I/O, so it may be called under the keyspace's shard locks.
// Callbacks given to Await() run on whichever thread makes the condition
// true (or in Close()); they must be quick (e.g. post to an io_context).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "persistence/file_system.h"
#include "persistence/status.h"

namespace stashd::persistence {

enum class FsyncPolicy { kAlways, kEverySec, kNo };

class WriteLog {
 public:
  struct Options {
    FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
    std::string dir;           // where the log files are
    std::string base_name = "appendonly.slog";
    FsyncPolicy fsync = FsyncPolicy::kEverySec;
    int64_t retry_interval_ms = 1000;  // retrying failed writes; everysec's period
    // Told how long each write(2) of records ("aof-write") and each fsync a
    // reply waits for under appendfsync always ("aof-fsync-always") took, in
    // ms, for the server's latency monitor. Called on the writing thread.
    std::function<void(std::string_view event, int64_t ms)> latency_sample;
  };

  explicit WriteLog(Options options);
  ~WriteLog();  // Close()
  WriteLog(const WriteLog&) = delete;
  WriteLog& operator=(const WriteLog&) = delete;

  // Starts logging into a new, empty file number `seq` (an existing file of
  // that number is overwritten) and starts the background thread. LSNs carry
  // on from a previous Open/Close. REQUIRES: closed.
  Status Open(uint64_t seq);

  // Writes and fsyncs everything appended, stops the background thread and
  // closes the file. Pending Await() callbacks are called. Returns the
  // outcome of the final write and fsync. Idempotent.
  Status Close();
  bool is_open() const { return open_.load(std::memory_order_acquire); }

  // Adds a record (one or more encoded changes, see log_format.h) and
  // returns the LSN just past it. REQUIRES: open.
  uint64_t Append(std::string_view payload);
  // The same for a record built in place: `*record` holds
  // log::kRecordHeaderSize bytes of room, then the payload. The header is
  // filled in and, when nothing else is waiting, the string is taken over
  // instead of copied (a large value costs one buffer, not two); *record is
  // left empty. REQUIRES: open; record->size() >= log::kRecordHeaderSize.
  uint64_t AppendFramed(std::string* record);

  // Records appended from now on go to a new file; returns its seq and sets
  // *at_lsn to the LSN where it starts. While closed, only reserves the seq
  // (the next Open() should use it).
  uint64_t Rotate(uint64_t* at_lsn);
  // The next file number Rotate() gives is at least `seq` (start-up, when
  // files up to seq - 1 exist and the log stays closed).
  void SkipSeqsBefore(uint64_t seq);

  // Writes every record appended so far (at least up to `lsn`) to the OS,
  // unless already done. Several callers share one write.
  Status WriteUpTo(uint64_t lsn);

  // Calls `done` once everything up to `lsn` is written (durable=false) or
  // fsynced (durable=true). Returns true — and forgets `done` — if that is
  // already the case. A durable wait asks the background thread to fsync.
  bool Await(uint64_t lsn, bool durable, std::function<void()> done);

  // Writes and fsyncs everything appended so far (shutdown, tests).
  Status Flush();

  // A snapshot containing every change before `lsn` (a Rotate() point) has
  // committed: the records before it need not reach their file any more.
  // Unblocks waiters up to `lsn` and clears an fsync failure.
  void CoveredUpTo(uint64_t lsn);

  void set_fsync_policy(FsyncPolicy policy);
  FsyncPolicy fsync_policy() const { return policy_.load(std::memory_order_relaxed); }

  uint64_t appended_lsn() const;
  uint64_t written_lsn() const { return written_lsn_.load(std::memory_order_acquire); }
  uint64_t durable_lsn() const;
  // Outcome of the last write attempt / fsync attempt.
  Status write_status() const;
  Status sync_status() const;
  // True while a write or an fsync has failed and not yet been made good.
  bool failing() const { return failing_.load(std::memory_order_relaxed); }
  // The seq of the file being written to, and bytes in it.
  uint64_t current_seq() const;
  uint64_t current_file_size() const;
  std::string FilePath(uint64_t seq) const;

 private:
  struct Rotation {
    uint64_t lsn;
    uint64_t seq;
  };
  using Waiters = std::multimap<uint64_t, std::function<void()>>;

  // REQUIRE write_mu_ held.
  Status WritePendingLocked();
  Status SwitchFileLocked(uint64_t seq);

  // Fsyncs everything written so far (group commit); true on success.
  bool SyncWritten();
  void BackgroundLoop();
  // Takes the waiters satisfied by the current LSNs. REQUIRES mu_ held.
  std::vector<std::function<void()>> TakeReadyLocked();

  // Reports the time since `start` to options_.latency_sample.
  void SampleLatency(std::string_view event, std::chrono::steady_clock::time_point start) const;

  Options options_;
  FileSystem* fs_;
  std::atomic<FsyncPolicy> policy_;
  std::atomic<bool> open_{false};
  std::atomic<bool> failing_{false};

  // Guards the buffer of records not yet handed to a writer, the LSN
  // counters, statuses, waiters and the background thread's state.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  uint64_t appended_lsn_ = 0;
  uint64_t durable_lsn_ = 0;
  uint64_t covered_lsn_ = 0;  // everything before is in a committed snapshot
  uint64_t sync_requested_ = 0;
  bool sync_broken_ = false;  // an fsync failed: durability not advanced by fsyncs
  std::deque<Rotation> rotations_;
  uint64_t next_seq_ = 0;
  Waiters written_waiters_;
  Waiters durable_waiters_;
  Status write_status_;
  Status sync_status_;
  bool stop_ = false;
  std::thread thread_;

  // Guards the file and what is being written to it. Taken before mu_.
  mutable std::mutex write_mu_;
  std::string pending_;  // taken from buffer_, not yet written; starts at written_lsn_
  std::deque<Rotation> pending_rotations_;
  std::shared_ptr<WritableFile> file_;
  uint64_t file_seq_ = 0;
  uint64_t file_offset_ = 0;  // where the next byte goes
  std::atomic<uint64_t> written_lsn_{0};
  std::atomic<uint64_t> file_size_{0};
};

}  // namespace stashd::persistence
