#include "persistence/write_log.h"

#include <algorithm>
#include <cassert>
#include <chrono>

#include "persistence/log_format.h"

namespace stashd::persistence {

namespace {
// An empty buffer whose capacity passed this is freed (a value of hundreds
// of megabytes must not pin as much memory once it is written).
constexpr size_t kKeepBufferBytes = 1 << 20;

void ReleaseIfLarge(std::string* buffer) {
  if (buffer->empty() && buffer->capacity() > kKeepBufferBytes) std::string().swap(*buffer);
}
}  // namespace

WriteLog::WriteLog(Options options)
    : options_(std::move(options)),
      fs_(options_.fs != nullptr ? options_.fs : FileSystem::Default()),
      policy_(options_.fsync) {}

WriteLog::~WriteLog() { Close(); }

std::string WriteLog::FilePath(uint64_t seq) const {
  return JoinPath(options_.dir, log::LogFileName(options_.base_name, seq));
}

Status WriteLog::Open(uint64_t seq) {
  assert(!is_open());
  std::lock_guard wl(write_mu_);
  {
    std::lock_guard lock(mu_);
    next_seq_ = std::max(next_seq_, seq);
    stop_ = false;
    rotations_.clear();
  }
  file_.reset();
  pending_rotations_.clear();
  Status s = SwitchFileLocked(seq);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    write_status_ = Status::Ok();
    sync_status_ = Status::Ok();
    sync_broken_ = false;
    failing_.store(false);
  }
  open_.store(true, std::memory_order_release);
  thread_ = std::thread([this] { BackgroundLoop(); });
  return Status::Ok();
}

Status WriteLog::Close() {
  if (!is_open()) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Status s = Flush();
  std::vector<std::function<void()>> all;
  {
    std::lock_guard wl(write_mu_);
    file_.reset();
    std::lock_guard lock(mu_);
    open_.store(false, std::memory_order_release);
    for (auto* waiters : {&written_waiters_, &durable_waiters_}) {
      for (auto& [lsn, fn] : *waiters) all.push_back(std::move(fn));
      waiters->clear();
    }
  }
  for (auto& fn : all) fn();
  return s;
}

uint64_t WriteLog::Append(std::string_view payload) {
  const std::string header = log::EncodeRecordHeader(payload);
  std::lock_guard lock(mu_);
  assert(is_open());
  buffer_.append(header);
  buffer_.append(payload);
  appended_lsn_ += header.size() + payload.size();
  return appended_lsn_;
}

uint64_t WriteLog::Rotate(uint64_t* at_lsn) {
  std::lock_guard lock(mu_);
  const uint64_t seq = ++next_seq_;
  *at_lsn = appended_lsn_;
  // While closed there is no file to switch: the next Open() starts at seq.
  if (is_open()) rotations_.push_back({appended_lsn_, seq});
  return seq;
}

void WriteLog::SkipSeqsBefore(uint64_t seq) {
  std::lock_guard lock(mu_);
  if (seq > 0) next_seq_ = std::max(next_seq_, seq - 1);
}

uint64_t WriteLog::AppendFramed(std::string* record) {
  assert(record->size() >= log::kRecordHeaderSize);
  const std::string header =
      log::EncodeRecordHeader(std::string_view(*record).substr(log::kRecordHeaderSize));
  record->replace(0, header.size(), header);
  std::lock_guard lock(mu_);
  assert(is_open());
  appended_lsn_ += record->size();
  if (buffer_.empty()) {
    buffer_.swap(*record);
  } else {
    buffer_.append(*record);
  }
  record->clear();
  return appended_lsn_;
}

Status WriteLog::WriteUpTo(uint64_t lsn) {
  if (written_lsn_.load(std::memory_order_acquire) >= lsn) return Status::Ok();
  std::lock_guard wl(write_mu_);
  if (written_lsn_.load(std::memory_order_relaxed) >= lsn) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    if (pending_.empty()) {
      pending_.swap(buffer_);
    } else {
      pending_.append(buffer_);
    }
    buffer_.clear();
    // After one huge record the swapped-in buffer is empty but keeps its
    // capacity: give it back rather than keep it for the process's life.
    ReleaseIfLarge(&buffer_);
    for (const Rotation& r : rotations_) pending_rotations_.push_back(r);
    rotations_.clear();
  }
  return WritePendingLocked();
}

Status WriteLog::WritePendingLocked() {
  Status s;
  size_t off = 0;
  uint64_t lsn = written_lsn_.load(std::memory_order_relaxed);
  while (true) {
    while (!pending_rotations_.empty() && pending_rotations_.front().lsn <= lsn) {
      s = SwitchFileLocked(pending_rotations_.front().seq);
      if (!s.ok()) break;
      pending_rotations_.pop_front();
    }
    if (!s.ok() || off == pending_.size()) break;
    size_t end = pending_.size();
    if (!pending_rotations_.empty()) {
      end = std::min<size_t>(end, off + (pending_rotations_.front().lsn - lsn));
    }
    if (file_ == nullptr) {
      s = Status::Invalid("write log is not open");
      break;
    }
    const auto write_start = std::chrono::steady_clock::now();
    s = file_->WriteAt(file_offset_, std::string_view(pending_).substr(off, end - off));
    SampleLatency("aof-write", write_start);
    if (!s.ok()) break;
    file_offset_ += end - off;
    lsn += end - off;
    off = end;
    written_lsn_.store(lsn, std::memory_order_release);
    file_size_.store(file_offset_, std::memory_order_relaxed);
  }
  pending_.erase(0, off);
  ReleaseIfLarge(&pending_);
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    write_status_ = s;
    ready = TakeReadyLocked();
    failing_.store(!write_status_.ok() || sync_broken_, std::memory_order_relaxed);
  }
  for (auto& fn : ready) fn();
  return s;
}

Status WriteLog::SwitchFileLocked(uint64_t seq) {
  if (file_ != nullptr) {
    // The previous file must be durable before the next one gets a record:
    // recovery must never find a later record without the earlier ones.
    Status s = file_->Sync();
    std::vector<std::function<void()>> ready;
    {
      std::lock_guard lock(mu_);
      sync_status_ = s;
      if (!s.ok()) {
        sync_broken_ = true;
        failing_.store(true, std::memory_order_relaxed);
        return s;
      }
      if (!sync_broken_) {
        durable_lsn_ = std::max(durable_lsn_, written_lsn_.load(std::memory_order_relaxed));
      }
      ready = TakeReadyLocked();
    }
    for (auto& fn : ready) fn();
  }
  const std::string path = FilePath(seq);
  std::unique_ptr<WritableFile> f;
  Status s = fs_->OpenWritable(path, /*truncate=*/true, &f);
  const std::string header = log::EncodeFileHeader(seq);
  if (s.ok()) s = f->WriteAt(0, header);
  if (s.ok()) s = f->Sync();
  if (s.ok()) s = fs_->SyncDir(options_.dir);
  if (!s.ok()) return s;
  file_ = std::move(f);
  file_seq_ = seq;
  file_offset_ = header.size();
  file_size_.store(file_offset_, std::memory_order_relaxed);
  return Status::Ok();
}

Status WriteLog::Flush() {
  std::shared_ptr<WritableFile> file;
  uint64_t lsn = 0;
  Status s = WriteUpTo(appended_lsn());
  {
    std::lock_guard wl(write_mu_);
    file = file_;
    lsn = written_lsn_.load(std::memory_order_relaxed);
  }
  if (file == nullptr) return s;
  {
    std::lock_guard lock(mu_);
    if (durable_lsn_ >= lsn && !sync_broken_) return s;
  }
  const auto sync_start = std::chrono::steady_clock::now();
  Status synced = file->Sync();
  if (policy_.load(std::memory_order_relaxed) == FsyncPolicy::kAlways) {
    SampleLatency("aof-fsync-always", sync_start);
  }
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    sync_status_ = synced;
    if (!synced.ok()) {
      sync_broken_ = true;
    } else if (!sync_broken_) {
      durable_lsn_ = std::max(durable_lsn_, lsn);
    }
    failing_.store(!write_status_.ok() || sync_broken_, std::memory_order_relaxed);
    ready = TakeReadyLocked();
  }
  for (auto& fn : ready) fn();
  return s.ok() ? synced : s;
}

bool WriteLog::SyncWritten() { return Flush().ok(); }

void WriteLog::SampleLatency(std::string_view event,
                             std::chrono::steady_clock::time_point start) const {
  if (!options_.latency_sample) return;
  options_.latency_sample(event, std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count());
}

bool WriteLog::Await(uint64_t lsn, bool durable, std::function<void()> done) {
  std::lock_guard lock(mu_);
  if (!is_open()) return true;
  const uint64_t reached =
      std::max(durable ? durable_lsn_ : written_lsn_.load(std::memory_order_acquire), covered_lsn_);
  if (reached >= lsn) return true;
  if (durable) {
    durable_waiters_.emplace(lsn, std::move(done));
    if (lsn > sync_requested_) {
      sync_requested_ = lsn;
      cv_.notify_one();
    }
  } else {
    written_waiters_.emplace(lsn, std::move(done));
  }
  return false;
}

std::vector<std::function<void()>> WriteLog::TakeReadyLocked() {
  std::vector<std::function<void()>> ready;
  auto take = [&](Waiters& waiters, uint64_t reached) {
    auto end = waiters.upper_bound(reached);
    for (auto it = waiters.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiters.erase(waiters.begin(), end);
  };
  take(written_waiters_, std::max(written_lsn_.load(std::memory_order_acquire), covered_lsn_));
  take(durable_waiters_, std::max(durable_lsn_, covered_lsn_));
  return ready;
}

void WriteLog::CoveredUpTo(uint64_t lsn) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard wl(write_mu_);
    const uint64_t written = written_lsn_.load(std::memory_order_relaxed);
    if (written < lsn && is_open()) {
      // Records the snapshot holds that never reached their (now obsolete)
      // file: drop them and go straight to the file that starts at `lsn`.
      {
        std::lock_guard lock(mu_);
        pending_.append(buffer_);
        buffer_.clear();
        for (const Rotation& r : rotations_) pending_rotations_.push_back(r);
        rotations_.clear();
      }
      pending_.erase(0, std::min<uint64_t>(lsn - written, pending_.size()));
      uint64_t seq = 0;
      while (!pending_rotations_.empty() && pending_rotations_.front().lsn <= lsn) {
        seq = pending_rotations_.front().seq;
        pending_rotations_.pop_front();
      }
      written_lsn_.store(lsn, std::memory_order_release);
      if (seq != 0) {
        // The old file may be on a failing disk: do not fsync it.
        file_.reset();
        pending_rotations_.push_front({lsn, seq});
        Status s = SwitchFileLocked(seq);
        if (s.ok()) pending_rotations_.pop_front();
      }
    }
    std::lock_guard lock(mu_);
    covered_lsn_ = std::max(covered_lsn_, lsn);
    if (sync_broken_ && durable_lsn_ < covered_lsn_) {
      // Whatever a failed fsync may have lost is in the snapshot now.
      sync_broken_ = false;
      durable_lsn_ = covered_lsn_;
      sync_status_ = Status::Ok();
    }
    if (pending_.empty() && buffer_.empty() && file_ != nullptr) write_status_ = Status::Ok();
    failing_.store(!write_status_.ok() || sync_broken_, std::memory_order_relaxed);
    ready = TakeReadyLocked();
  }
  for (auto& fn : ready) fn();
}

void WriteLog::BackgroundLoop() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::milliseconds(options_.retry_interval_ms);
  auto next_tick = Clock::now() + interval;
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto sync_wanted = [&] {
      // After a failed write or fsync, retry once per tick rather than spin.
      return write_status_.ok() && !sync_broken_ &&
             sync_requested_ > std::max(durable_lsn_, covered_lsn_);
    };
    cv_.wait_until(lock, next_tick, [&] { return stop_ || sync_wanted(); });
    if (stop_) break;
    const bool tick = Clock::now() >= next_tick;
    if (tick) next_tick = Clock::now() + interval;
    const bool want_sync = sync_wanted();
    const bool unsynced = appended_lsn_ > durable_lsn_;
    lock.unlock();
    const FsyncPolicy policy = policy_.load(std::memory_order_relaxed);
    if (want_sync || (tick && unsynced && policy == FsyncPolicy::kEverySec)) {
      SyncWritten();
    } else if (tick) {
      // Records nobody waits for (active expiry), and retries after a failure.
      WriteUpTo(appended_lsn());
    }
    lock.lock();
  }
}

void WriteLog::set_fsync_policy(FsyncPolicy policy) {
  policy_.store(policy, std::memory_order_relaxed);
}

uint64_t WriteLog::appended_lsn() const {
  std::lock_guard lock(mu_);
  return appended_lsn_;
}

uint64_t WriteLog::durable_lsn() const {
  std::lock_guard lock(mu_);
  return std::max(durable_lsn_, covered_lsn_);
}

Status WriteLog::write_status() const {
  std::lock_guard lock(mu_);
  return write_status_;
}

Status WriteLog::sync_status() const {
  std::lock_guard lock(mu_);
  return sync_status_;
}

uint64_t WriteLog::current_seq() const {
  std::lock_guard wl(write_mu_);
  return file_seq_;
}

uint64_t WriteLog::current_file_size() const { return file_size_.load(std::memory_order_relaxed); }

}  // namespace stashd::persistence
