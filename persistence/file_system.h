// The file operations the write log and the snapshot writer need, behind an
// interface so that tests can inject faults (a failing write or fsync, a full
// disk, a power cut that drops every byte not yet fsynced) — as LevelDB's Env
// does.
//
// Thread safety: FileSystem methods may be called from any thread. A
// WritableFile may be used from several threads if calls on it do not
// overlap, except Sync(), which may run concurrently with WriteAt().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/status.h"

namespace stashd::persistence {

class WritableFile {
 public:
  virtual ~WritableFile() = default;  // closes the file, ignoring errors

  // Writes all of `data` at `offset`, growing the file as needed. On error
  // some of it may have been written.
  virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;
  // Makes everything written so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Truncate(uint64_t size) = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The real file system (POSIX calls). Never deleted.
  static FileSystem* Default();

  // Opens `path` for writing, creating it if missing; `truncate` empties it.
  virtual Status OpenWritable(const std::string& path, bool truncate,
                              std::unique_ptr<WritableFile>* file) = 0;
  // Makes the directory entries of `dir` durable (after a create, rename or
  // remove).
  virtual Status SyncDir(const std::string& dir) = 0;
  // fsyncs a whole file written by someone else (SQLite), by path.
  virtual Status SyncFile(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Creates `dir` and its parents if missing.
  virtual Status CreateDir(const std::string& dir) = 0;
  // Names (not paths) of the entries of `dir`.
  virtual Status ListDir(const std::string& dir, std::vector<std::string>* names) = 0;
};

// "dir/name", without doubling the slash.
std::string JoinPath(const std::string& dir, const std::string& name);
// The directory part of a path ("." when there is none).
std::string DirName(const std::string& path);

// "<what> '<path>': <strerror(err)>", with err's errno kept in the status.
Status ErrnoStatus(const std::string& what, const std::string& path, int err);

// Replaces the file `path` with `content` atomically, as Redis's rdbSave
// does: writes a temporary file next to it ("<path>.tmp-<pid>-<n>"), fsyncs
// it, renames it over `path` and fsyncs the directory. On failure the
// temporary file is removed and `path` is left as it was. Used for small
// whole-file rewrites (CONFIG REWRITE, ACL SAVE); `fs` nullptr means
// FileSystem::Default(). Thread-safe: concurrent calls use distinct
// temporary names.
Status ReplaceFileAtomically(FileSystem* fs, const std::string& path, std::string_view content);

// The publishing half of ReplaceFileAtomically, for a temporary file written
// some other way (the snapshot, built by SQLite): fsyncs `tmp`, calls
// `before_rename` (if any), renames `tmp` over `path` and fsyncs the
// directory. On failure `tmp` is removed and `path` is left as it was.
Status PublishFile(FileSystem* fs, const std::string& tmp, const std::string& path,
                   const std::function<void()>& before_rename = nullptr);

}  // namespace stashd::persistence
