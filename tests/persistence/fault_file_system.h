// A FileSystem for tests that injects faults into the real one: failing
// writes or fsyncs, a full disk, and power cuts that drop every byte not
// yet fsynced and every file whose directory entry was not fsynced (as
// LevelDB's fault_injection_test does).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "persistence/file_system.h"

namespace stashd::test {

class FaultFileSystem final : public persistence::FileSystem {
 public:
  using Status = persistence::Status;

  // Writes / fsyncs fail with `err` while set (0: they succeed).
  void FailWrites(int err) { write_errno_.store(err); }
  void FailSyncs(int err) { sync_errno_.store(err); }
  // Fails any write that would take the bytes written through this file
  // system beyond `bytes` with ENOSPC (0: no limit).
  void LimitSpace(uint64_t bytes) { space_limit_.store(bytes); }

  int syncs() const { return syncs_.load(); }
  int writes() const { return writes_.load(); }

  // The power cut: from now on every operation fails with EIO, and the
  // files lose what was not fsynced.
  void CutPower() {
    std::lock_guard lock(mu_);
    dead_.store(true);
    for (auto& [path, f] : files_) {
      if (!f.dir_synced) {
        ::unlink(path.c_str());
      } else {
        if (::truncate(path.c_str(), static_cast<off_t>(f.synced_size)) != 0) continue;
      }
    }
    files_.clear();
  }
  // After a power cut, back to a working disk (the restart).
  void Restore() {
    dead_.store(false);
    write_errno_.store(0);
    sync_errno_.store(0);
  }

  Status OpenWritable(const std::string& path, bool truncate,
                      std::unique_ptr<persistence::WritableFile>* file) override {
    if (dead_.load()) return Dead(path);
    struct stat st;
    bool existed = ::stat(path.c_str(), &st) == 0;
    std::unique_ptr<persistence::WritableFile> real;
    Status s = base_->OpenWritable(path, truncate, &real);
    if (!s.ok()) return s;
    {
      std::lock_guard lock(mu_);
      Tracked& t = files_[path];
      if (!existed) t.dir_synced = false;
      if (truncate || !existed) {
        t.size = 0;
        t.synced_size = 0;
      } else if (t.size == 0 && t.synced_size == 0) {
        t.size = t.synced_size = static_cast<uint64_t>(st.st_size);
      }
    }
    *file = std::make_unique<File>(this, path, std::move(real));
    return Status::Ok();
  }
  Status SyncDir(const std::string& dir) override {
    if (dead_.load()) return Dead(dir);
    Status s = base_->SyncDir(dir);
    if (!s.ok()) return s;
    std::lock_guard lock(mu_);
    for (auto& [path, f] : files_) {
      if (persistence::DirName(path) == dir) f.dir_synced = true;
    }
    return s;
  }
  Status SyncFile(const std::string& path) override {
    if (dead_.load()) return Dead(path);
    if (int err = sync_errno_.load()) return persistence::ErrnoStatus("fsync", path, err);
    ++syncs_;
    return base_->SyncFile(path);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (dead_.load()) return Dead(from);
    return base_->Rename(from, to);
  }
  Status Remove(const std::string& path) override {
    if (dead_.load()) return Dead(path);
    {
      std::lock_guard lock(mu_);
      files_.erase(path);
    }
    return base_->Remove(path);
  }
  Status CreateDir(const std::string& dir) override { return base_->CreateDir(dir); }
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    return base_->ListDir(dir, names);
  }

 private:
  struct Tracked {
    uint64_t size = 0;
    uint64_t synced_size = 0;
    bool dir_synced = true;
  };

  class File final : public persistence::WritableFile {
   public:
    File(FaultFileSystem* fs, std::string path, std::unique_ptr<persistence::WritableFile> real)
        : fs_(fs), path_(std::move(path)), real_(std::move(real)) {}
    Status WriteAt(uint64_t offset, std::string_view data) override {
      // Under the lock, so that a power cut never lands in the middle.
      std::lock_guard lock(fs_->mu_);
      if (fs_->dead_.load()) return Dead(path_);
      if (int err = fs_->write_errno_.load()) return persistence::ErrnoStatus("write", path_, err);
      uint64_t limit = fs_->space_limit_.load();
      if (limit != 0 && fs_->bytes_written_.load() + data.size() > limit) {
        return persistence::ErrnoStatus("write", path_, ENOSPC);
      }
      Status s = real_->WriteAt(offset, data);
      if (!s.ok()) return s;
      ++fs_->writes_;
      fs_->bytes_written_ += data.size();
      auto it = fs_->files_.find(path_);
      if (it != fs_->files_.end())
        it->second.size = std::max(it->second.size, offset + data.size());
      return s;
    }
    Status Sync() override {
      std::lock_guard lock(fs_->mu_);  // a power cut cannot split a sync
      if (fs_->dead_.load()) return Dead(path_);
      if (int err = fs_->sync_errno_.load()) return persistence::ErrnoStatus("fsync", path_, err);
      Status s = real_->Sync();
      if (!s.ok()) return s;
      ++fs_->syncs_;
      auto it = fs_->files_.find(path_);
      if (it != fs_->files_.end()) it->second.synced_size = it->second.size;
      return s;
    }
    Status Truncate(uint64_t size) override {
      if (fs_->dead_.load()) return Dead(path_);
      Status s = real_->Truncate(size);
      std::lock_guard lock(fs_->mu_);
      auto it = fs_->files_.find(path_);
      if (s.ok() && it != fs_->files_.end()) {
        it->second.size = size;
        it->second.synced_size = std::min(it->second.synced_size, size);
      }
      return s;
    }

   private:
    FaultFileSystem* fs_;
    std::string path_;
    std::unique_ptr<persistence::WritableFile> real_;
  };

  static Status Dead(const std::string& path) {
    return persistence::ErrnoStatus("power is off for", path, EIO);
  }

  persistence::FileSystem* base_ = persistence::FileSystem::Default();
  std::mutex mu_;
  std::map<std::string, Tracked> files_;
  std::atomic<int> write_errno_{0};
  std::atomic<int> sync_errno_{0};
  std::atomic<uint64_t> space_limit_{0};
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<int> syncs_{0};
  std::atomic<int> writes_{0};
  std::atomic<bool> dead_{false};
};

}  // namespace stashd::test
