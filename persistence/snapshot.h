// The snapshot file: one SQLite database (WAL mode) holding every key, so an
// operator can read it with the sqlite3 shell. Schema in persistence/FORMAT.md.
//
// SnapshotWriter brings the file up to date with a SnapshotCut. An
// incremental cut (the keys changed since the previous one) is applied as
// upserts and deletes in one transaction, so a snapshot costs what changed,
// not the dataset. A full cut rewrites every row in one transaction; when
// the file does not exist yet it is built as "<path>.tmp", fsynced and
// renamed into place. Either way a failure leaves the previous snapshot
// exactly as it was.
//
// LoadSnapshot reads a snapshot into a keyspace at start-up, skipping keys
// whose deadline has passed. A file that is not a stashd snapshot, or has a
// newer format version, is refused and left untouched.
//
// Thread safety: a SnapshotWriter is used by one thread at a time.
// LoadSnapshot locks the keyspace's shards itself (REQUIRES none held).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "persistence/file_system.h"
#include "persistence/status.h"
#include "store/keyspace.h"

namespace stashd::persistence {

inline constexpr int kSnapshotFormatVersion = 2;
// PRAGMA application_id of a stashd snapshot ("SThD").
inline constexpr int32_t kSnapshotApplicationId = 0x53546844;

struct SnapshotMeta {
  int format_version = 0;
  std::string server_version;
  int64_t last_save_ms = 0;
  // Log files with this seq or higher hold the changes made after the
  // snapshot; older ones are obsolete.
  uint64_t log_seq = 0;
  // The keyspace's hash seed (format 2); absent in format 1 files.
  bool has_hash_seed = false;
  store::HashSeed hash_seed;
};

struct SnapshotWriteStats {
  uint64_t upserts = 0;
  uint64_t deletes = 0;
  bool full = false;
  // Where the time went (ms): putting the cut in key order, writing the
  // rows, and committing (fsync, and for a new file the rename).
  int64_t order_ms = 0;
  int64_t rows_ms = 0;
  int64_t commit_ms = 0;
};

namespace internal {
class Database;
}

class SnapshotWriter {
 public:
  struct Options {
    std::string path;            // the database file
    FileSystem* fs = nullptr;    // nullptr: FileSystem::Default() (fsync, rename)
    std::string sqlite_vfs;      // empty: SQLite's default VFS (tests inject faults)
    std::string server_version;  // stored in meta
    int page_size = 1024;        // SQLite page size of a new file
  };
  explicit SnapshotWriter(Options options);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Applies `cut` (its deletes are sorted in place) and records
  // `log_seq` and `now_ms` in meta. Keys whose deadline is not after
  // `now_ms` are written as deletes. REQUIRES: the cut's values still pinned
  // (before Keyspace::ReleaseCut).
  Status Write(store::SnapshotCut* cut, uint64_t log_seq, int64_t now_ms,
               SnapshotWriteStats* stats);

  // Copies the WAL into the database file and removes it, leaving one
  // self-contained file (at shutdown, so that copying stashd.db alone is a
  // complete backup). A missing file is not an error.
  Status Checkpoint();

  const std::string& path() const { return options_.path; }

 private:
  Status WriteNewFile(store::SnapshotCut* cut, uint64_t log_seq, int64_t now_ms,
                      SnapshotWriteStats* stats);
  Status UpdateFile(store::SnapshotCut* cut, uint64_t log_seq, int64_t now_ms,
                    SnapshotWriteStats* stats);

  Options options_;
  FileSystem* fs_;
  // Kept open between incremental saves: its page cache makes the next one
  // cheaper. Closed on any error and before a new file replaces the old.
  std::unique_ptr<internal::Database> db_;
};

struct LoadResult {
  bool found = false;  // false: no snapshot file (an empty dataset)
  SnapshotMeta meta;
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;  // skipped: deadline passed
};

// Loads the snapshot at `path` into `keyspace` (which should be empty).
// A missing file is not an error (result->found = false). `after_each_key`,
// if set, is called after each key loaded (key-load-delay).
Status LoadSnapshot(const std::string& path, const std::string& sqlite_vfs,
                    store::Keyspace* keyspace, int64_t now_ms, LoadResult* result,
                    const std::function<void()>& after_each_key = nullptr);

// What VerifySnapshot found.
struct SnapshotCheck {
  SnapshotMeta meta;
  uint64_t rows = 0;                 // rows read, in every table
  uint64_t keys = 0;                 // intact keys
  std::vector<std::string> damaged;  // one line per damaged row or key
};

// Reads every row of the snapshot at `path` without loading it anywhere and
// checks each row's checksum (stashd --check-snapshot). Rows of a format
// version 1 file carry no checksum and are not checked. A non-ok status
// means the file could not be read at all.
Status VerifySnapshot(const std::string& path, const std::string& sqlite_vfs, SnapshotCheck* check);

// Reads only the meta table (and checks the file is a stashd snapshot).
Status ReadSnapshotMeta(const std::string& path, const std::string& sqlite_vfs, SnapshotMeta* meta);

}  // namespace stashd::persistence
