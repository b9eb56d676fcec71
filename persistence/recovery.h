// Start-up recovery: load the snapshot, then replay the write log files it
// does not cover, oldest first.
//
// A torn tail in the newest log file (a crash in the middle of a write) is
// cut off the file and reported as a warning. A torn tail in an older file,
// or corruption anywhere, stops recovery with an error naming the file and
// the byte offset (see `stashd --check-log`). Log files the snapshot covers
// are removed.
//
// A missing snapshot or log file is noticed: log files are numbered from 1
// without gaps, and the files a snapshot covers are deleted only once it
// commits. So the files to replay must begin at the number the snapshot
// continues at (1 without a snapshot) and follow each other. When they do
// not — the snapshot is missing or empty, an older snapshot was put back, or
// a log file between others is gone — recovery stops with an error naming
// the files (loading what is there would silently start with part of the
// data), unless `ignore_missing_snapshot` says to go on with what is there.
//
// Thread safety: REQUIRES the keyspace empty, with no change listener, and
// nobody else using it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "persistence/file_system.h"
#include "persistence/snapshot.h"
#include "persistence/status.h"
#include "store/keyspace.h"

namespace stashd::persistence {

struct RecoveryOptions {
  std::string snapshot_path;
  std::string log_dir;
  std::string log_base_name = "appendonly.slog";
  std::string sqlite_vfs;    // empty: SQLite's default
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  // Replay what is there even if the snapshot or a log file is missing (on purpose:
  // `stashd --ignore-missing-snapshot`); logged as a warning.
  bool ignore_missing_snapshot = false;
  // Called after each key the snapshot loads (key-load-delay); may be empty.
  std::function<void()> after_each_snapshot_key;
};

struct RecoveryResult {
  LoadResult snapshot;
  uint64_t log_files = 0;    // replayed
  uint64_t log_records = 0;  // replayed
  uint64_t log_changes = 0;
  uint64_t next_log_seq = 1;  // the first unused log file number
  std::vector<std::string> warnings;
};

// Lists the log files of `dir` named "<base>.<seq>", sorted by seq.
Status ListLogFiles(FileSystem* fs, const std::string& dir, const std::string& base,
                    std::vector<uint64_t>* seqs);

Status Recover(const RecoveryOptions& options, store::Keyspace* keyspace, int64_t now_ms,
               RecoveryResult* result);

}  // namespace stashd::persistence
