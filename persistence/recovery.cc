#include "persistence/recovery.h"

#include <algorithm>
#include <cerrno>

#include "persistence/log_format.h"
#include "persistence/log_reader.h"

namespace stashd::persistence {

Status ListLogFiles(FileSystem* fs, const std::string& dir, const std::string& base,
                    std::vector<uint64_t>* seqs) {
  seqs->clear();
  std::vector<std::string> names;
  Status s = fs->ListDir(dir, &names);
  if (!s.ok()) return s.error_number() == ENOENT ? Status::Ok() : s;
  for (const std::string& name : names) {
    uint64_t seq = log::ParseLogFileName(base, name);
    if (seq != 0) seqs->push_back(seq);
  }
  std::sort(seqs->begin(), seqs->end());
  return Status::Ok();
}

namespace {

std::string LogPath(const RecoveryOptions& options, uint64_t seq) {
  return JoinPath(options.log_dir, log::LogFileName(options.log_base_name, seq));
}

// Log files are numbered without gaps, and the ones a snapshot covers are
// deleted only after it commits; so the files to replay must start at the
// number the snapshot continues at (1 without a snapshot) and follow each
// other. Anything else means a file was lost or an older snapshot was put
// back: replaying would start with part of the data and say nothing.
Status CheckLogContinuity(const RecoveryOptions& options, const LoadResult& snapshot,
                          const std::vector<uint64_t>& seqs) {
  const uint64_t expected = snapshot.found ? std::max<uint64_t>(snapshot.meta.log_seq, 1) : 1;
  auto it = std::lower_bound(seqs.begin(), seqs.end(), expected);
  if (it == seqs.end()) return Status::Ok();
  if (*it != expected) {
    const std::string starts = "the write log starts at '" + LogPath(options, *it) +
                               "' (file number " + std::to_string(*it) + ")";
    if (!snapshot.found) {
      return Status::Corruption(starts +
                                ", so a snapshot holds what came before it, but the snapshot '" +
                                options.snapshot_path + "' is missing or empty");
    }
    return Status::Corruption(
        starts + ", but the snapshot '" + options.snapshot_path + "' continues at file number " +
        std::to_string(expected) + " ('" + LogPath(options, expected) +
        "', missing): the snapshot is older than the log (put back from a copy?) or log files "
        "were removed");
  }
  for (auto next = it + 1; next != seqs.end(); ++it, ++next) {
    if (*next != *it + 1) {
      return Status::Corruption("write log file '" + LogPath(options, *it + 1) + "' is missing: '" +
                                LogPath(options, *it) + "' is followed by '" +
                                LogPath(options, *next) + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Status Recover(const RecoveryOptions& options, store::Keyspace* keyspace, int64_t now_ms,
               RecoveryResult* result) {
  *result = RecoveryResult();
  FileSystem* fs = options.fs != nullptr ? options.fs : FileSystem::Default();
  Status s = LoadSnapshot(options.snapshot_path, options.sqlite_vfs, keyspace, now_ms,
                          &result->snapshot, options.after_each_snapshot_key);
  if (!s.ok()) return s;
  if (result->snapshot.found && result->snapshot.meta.format_version == kSnapshotFormatVersion) {
    // Memory now equals the snapshot file; what the log replays is new.
    // (Without a file the first snapshot is a full one anyway, and so it is
    // after loading an older format: every row is rewritten in this one.)
    auto locks = keyspace->Lock(keyspace->AllShardsMask());
    keyspace->ResetChangeTracking();
  }
  const uint64_t first = result->snapshot.meta.log_seq;
  std::vector<uint64_t> seqs;
  s = ListLogFiles(fs, options.log_dir, options.log_base_name, &seqs);
  if (!s.ok()) return s;
  s = CheckLogContinuity(options, result->snapshot, seqs);
  if (!s.ok()) {
    if (!options.ignore_missing_snapshot) {
      return Status::Corruption(
          s.message() +
          ". Starting would silently lose that data: put the missing file back, or start with "
          "--ignore-missing-snapshot to load only what the files that are there hold");
    }
    result->warnings.push_back(s.message() +
                               "; loading only what is there (--ignore-missing-snapshot)");
  }
  result->next_log_seq = std::max<uint64_t>(first, 1);
  auto locks = keyspace->Lock(keyspace->AllShardsMask());
  for (size_t i = 0; i < seqs.size(); ++i) {
    const uint64_t seq = seqs[i];
    const std::string path =
        JoinPath(options.log_dir, log::LogFileName(options.log_base_name, seq));
    if (seq < first) {
      fs->Remove(path);  // the snapshot holds all of it
      continue;
    }
    LogScan scan;
    s = ReadLogFile(
        path,
        [&](std::string_view payload, uint64_t) {
          ++result->log_records;
          return log::DecodeRecord(payload, [&](const store::Change& c) {
            ++result->log_changes;
            return log::ApplyChange(c, keyspace, now_ms);
          });
        },
        &scan);
    if (!s.ok()) return s;
    ++result->log_files;
    result->next_log_seq = seq + 1;
    if (!scan.torn_tail) continue;
    const uint64_t dropped = scan.file_size - scan.valid_size;
    if (i + 1 != seqs.size()) {
      return Status::Corruption("write log '" + path +
                                "' ends with an incomplete record at byte offset " +
                                std::to_string(scan.valid_size) +
                                " but is not the newest log file. Inspect it with 'stashd "
                                "--check-log " +
                                path + "' (--repair truncates it)");
    }
    result->warnings.push_back("write log '" + path + "' ends with an incomplete record (" +
                               std::to_string(dropped) + " bytes at byte offset " +
                               std::to_string(scan.valid_size) +
                               ", left by a crash in the middle of a write): dropped");
    std::unique_ptr<WritableFile> file;
    s = fs->OpenWritable(path, /*truncate=*/false, &file);
    if (s.ok()) s = file->Truncate(scan.valid_size);
    if (s.ok()) s = file->Sync();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace stashd::persistence
