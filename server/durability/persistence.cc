#include "server/durability/persistence.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include "persistence/recovery.h"
#include "protocol/errors.h"
#include "server/server_state.h"

namespace stashd::server {

CommandJournal* AsCommandJournal(Persistence* p) { return p; }

namespace {

using persistence::FsyncPolicy;
using persistence::Status;

// After a failed save, automatic saves wait this long before trying again
// (Redis's CONFIG_BGSAVE_RETRY_DELAY).
constexpr int64_t kRetryDelayMs = 5000;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<std::pair<int64_t, int64_t>> ParseSaveRules(const std::string& text) {
  std::vector<std::pair<int64_t, int64_t>> rules;
  std::istringstream in(text);
  int64_t seconds = 0;
  int64_t changes = 0;
  while (in >> seconds >> changes) rules.emplace_back(seconds, changes);
  return rules;
}

persistence::WriteLog::Options LogOptions(ServerState& server,
                                          const Persistence::Options& options) {
  const Config& config = server.config();
  persistence::WriteLog::Options o;
  o.fs = options.fs;
  o.dir = persistence::JoinPath(config.dir, config.appenddirname);
  o.base_name = config.appendfilename;
  o.fsync = static_cast<FsyncPolicy>(config.appendfsync.load());
  o.retry_interval_ms = options.retry_ms;
  o.latency_sample = [&server](std::string_view event, int64_t ms) {
    LatencySampleIfNeeded(server, event, ms);
  };
  return o;
}

int64_t FileSizeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

}  // namespace

Persistence::Persistence(ServerState& server) : Persistence(server, Options()) {}

Persistence::Persistence(ServerState& server, Options options)
    : server_(server),
      options_(std::move(options)),
      log_(LogOptions(server, options_)),
      recorder_(&log_) {
  persistence::SnapshotWriter::Options w;
  w.path = SnapshotPath();
  w.fs = options_.fs;
  w.sqlite_vfs = options_.sqlite_vfs;
  w.server_version = STASHD_VERSION;
  writer_ = std::make_unique<persistence::SnapshotWriter>(w);
  last_save_ms_ = server_.clock().NowMs();
  LoadConfig();
}

Persistence::~Persistence() { Stop(); }

std::string Persistence::SnapshotPath() const {
  return persistence::JoinPath(server_.config().dir, server_.config().dbfilename);
}

std::string Persistence::LogDir() const {
  return persistence::JoinPath(server_.config().dir, server_.config().appenddirname);
}

FsyncPolicy Persistence::ConfiguredFsync() const {
  return static_cast<FsyncPolicy>(server_.config().appendfsync.load());
}

void Persistence::LoadConfig() {
  auto rules = ParseSaveRules(server_.config_table().Get("save").value_or(""));
  std::lock_guard lock(mu_);
  save_rules_ = std::move(rules);
}

Status Persistence::Start() {
  store::Keyspace& ks = server_.keyspace();
  persistence::FileSystem* fs =
      options_.fs != nullptr ? options_.fs : persistence::FileSystem::Default();
  Status s = fs->CreateDir(LogDir());
  if (!s.ok()) return s;
  persistence::RecoveryOptions ro;
  ro.snapshot_path = SnapshotPath();
  ro.log_dir = LogDir();
  ro.log_base_name = server_.config().appendfilename;
  ro.sqlite_vfs = options_.sqlite_vfs;
  ro.fs = options_.fs;
  ro.ignore_missing_snapshot = options_.ignore_missing_snapshot;
  // key-load-delay, as Redis's debugDelay: n µs after each key, or for -n a
  // 1 µs pause for one key in n.
  if (server_.config().key_load_delay_us.load() != 0) {
    ro.after_each_snapshot_key = [&config = server_.config()] {
      int64_t us = config.key_load_delay_us.load(std::memory_order_relaxed);
      if (us < 0) us = (std::rand() % -us) == 0 ? 1 : 0;
      if (us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));
    };
  }
  persistence::RecoveryResult r;
  const int64_t t0 = SteadyMs();
  s = persistence::Recover(ro, &ks, server_.clock().NowMs(), &r);
  if (!s.ok()) return s;
  for (const std::string& w : r.warnings) spdlog::warn("{}", w);
  if (r.snapshot.found) {
    spdlog::info(
        "Snapshot {} (format {}, saved by stashd {}): {} keys loaded, {} expired keys skipped",
        ro.snapshot_path, r.snapshot.meta.format_version, r.snapshot.meta.server_version,
        r.snapshot.keys_loaded, r.snapshot.keys_expired);
  }
  if (r.log_files > 0) {
    spdlog::info("Write log replayed: {} records ({} changes) from {} file(s) in {}", r.log_records,
                 r.log_changes, r.log_files, ro.log_dir);
  }
  spdlog::info("DB loaded from disk: {:.3f} seconds", static_cast<double>(SteadyMs() - t0) / 1000);
  keys_loaded_ = r.snapshot.keys_loaded;
  keys_expired_at_load_ = r.snapshot.keys_expired;

  log_.SkipSeqsBefore(r.next_log_seq);
  if (server_.config().appendonly.load()) {
    s = log_.Open(r.next_log_seq);
    if (!s.ok()) return s;
    auto locks = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(&recorder_);
    log_enabled_.store(true);
  }
  started_ = true;
  std::lock_guard lock(mu_);
  thread_ = std::thread([this] { BackgroundLoop(); });
  return Status::Ok();
}

void Persistence::SetLogEnabled(bool enabled) {
  store::Keyspace& ks = server_.keyspace();
  if (enabled) {
    if (SteadyMs() < log_retry_at_ms_) return;
    uint64_t at = 0;
    Status s = log_.Open(log_.Rotate(&at));
    if (!s.ok()) {
      spdlog::warn("Can't turn the write log on (trying again in a second): {}", s.message());
      log_retry_at_ms_ = SteadyMs() + 1000;
      return;
    }
    {
      auto pause = server_.dispatcher().PauseCommands();
      auto locks = ks.Lock(ks.AllShardsMask());
      ks.SetChangeListener(&recorder_);
    }
    log_enabled_.store(true);
    spdlog::info("Write log turned on (appendfsync {}); taking a snapshot for it to start from",
                 server_.config_table().Get("appendfsync").value_or(""));
    // The log holds only what changes from now on: a snapshot must hold the rest.
    if (BackgroundSave() == BgsaveResult::kInProgress) ScheduleBackgroundSave();
  } else {
    {
      auto pause = server_.dispatcher().PauseCommands();
      auto locks = ks.Lock(ks.AllShardsMask());
      ks.SetChangeListener(nullptr);
    }
    log_enabled_.store(false);
    Status s = log_.Close();
    if (!s.ok()) spdlog::warn("Closing the write log: {}", s.message());
    spdlog::info("Write log turned off");
  }
}

void Persistence::TakeCut(Cut* c) {
  store::Keyspace& ks = server_.keyspace();
  // Without a snapshot file (first save, or the file was removed) the cut
  // must hold every key.
  const bool full = FileSizeOf(SnapshotPath()) <= 0;
  store::SnapshotCut prepared = ks.PrepareCut(full);  // while commands run
  const int64_t t0 = SteadyMs();
  {
    auto pause = server_.dispatcher().PauseCommands();
    c->changes = ks.ChangesSinceCut();  // locks shards itself; no command runs now
    auto locks = ks.Lock(ks.AllShardsMask());
    c->cut = ks.TakeCut(full, /*resolve=*/false, std::move(prepared));
    c->log_seq = log_.Rotate(&c->log_lsn);
  }
  c->started_ms = server_.clock().NowMs();
  c->pause_ms = SteadyMs() - t0;
  // The latency monitor's "snapshot-cut": commands stood still this long
  // (what Redis's "fork" event measures for its background saves).
  LatencySampleIfNeeded(server_, "snapshot-cut", c->pause_ms);
  // The pinned entries are read by the writer as it goes (no lock needed),
  // a batch at a time: no view of every key is built.
}

Status Persistence::WriteCut(Cut* c, bool background) {
  store::Keyspace& ks = server_.keyspace();
  const int64_t t0 = SteadyMs();
  persistence::SnapshotWriteStats stats;
  Status s = writer_->Write(&c->cut, c->log_seq, server_.clock().NowMs(), &stats);
  ks.ReleaseCut(c->cut, s.ok());
  // A full cut holds a view of every key, and SQLite's page cache was
  // large: once freed, hand the pages back to the system, or the server
  // keeps its peak size for good (glibc keeps freed memory by default).
  // After every save, not only full ones: trimming only after full cuts
  // left RSS at 1.24x Redis's after three BGSAVEs with overwrites between
  // them, against 0.96x (bench/snapshots.sh), and did not change the worst
  // latency measurably.
  c->cut = store::SnapshotCut();
  malloc_trim(0);
  const int64_t elapsed = SteadyMs() - t0;
  if (s.ok()) {
    // Everything before the cut is in the snapshot: the log files that hold
    // it are no longer needed.
    log_.CoveredUpTo(c->log_lsn);
    persistence::FileSystem* fs =
        options_.fs != nullptr ? options_.fs : persistence::FileSystem::Default();
    std::vector<uint64_t> seqs;
    if (persistence::ListLogFiles(fs, LogDir(), server_.config().appendfilename, &seqs).ok()) {
      for (uint64_t seq : seqs) {
        if (seq < c->log_seq) fs->Remove(log_.FilePath(seq));
      }
    }
    spdlog::info(
        "{} saved on disk: {} snapshot, {} keys written, {} deleted, {} ms "
        "(commands paused {} ms for the cut)",
        background ? "Background snapshot" : "DB", stats.full ? "full" : "incremental",
        stats.upserts, stats.deletes, elapsed, c->pause_ms);
  } else {
    spdlog::warn("{} failed: {}", background ? "Background saving" : "Saving the DB", s.message());
  }
  {
    std::lock_guard lock(mu_);
    saving_ = false;
    last_try_ms_ = SteadyMs();
    last_save_ok_ = s.ok();
    if (s.ok()) {
      last_save_ms_ = server_.clock().NowMs();
      ++saves_;
      unsaved_changes_ = 0;
      last_stats_ = stats;
      lsn_at_last_cut_ = c->log_lsn;
    } else {
      unsaved_changes_ += c->changes;
    }
    if (background) {
      bgsave_running_ = false;
      last_bgsave_secs_ = elapsed / 1000;
    }
  }
  UpdateRefusal();
  cv_.notify_all();
  return s;
}

Persistence::SaveResult Persistence::Save() {
  {
    std::lock_guard lock(mu_);
    if (saving_) return SaveResult::kInProgress;
    saving_ = true;
  }
  Cut c;
  TakeCut(&c);
  return WriteCut(&c, false).ok() ? SaveResult::kOk : SaveResult::kFailed;
}

void Persistence::ScheduleBackgroundSave() {
  {
    std::lock_guard lock(mu_);
    bgsave_scheduled_ = true;
  }
  cv_.notify_all();
}

bool Persistence::saving() const {
  std::lock_guard lock(mu_);
  return saving_;
}

Persistence::BgsaveResult Persistence::BackgroundSave() {
  std::thread previous;
  {
    std::lock_guard lock(mu_);
    if (saving_) return BgsaveResult::kInProgress;
    saving_ = true;
    bgsave_running_ = true;
    bgsave_scheduled_ = false;
    bgsave_started_ms_ = SteadyMs();
    previous = std::move(save_thread_);
  }
  if (previous.joinable()) previous.join();  // finished: saving_ was false
  auto cut = std::make_unique<Cut>();
  TakeCut(cut.get());
  spdlog::info("Background saving started ({} keys to write)",
               cut->cut.upserts.size() + cut->cut.unresolved.size());
  std::lock_guard lock(mu_);
  save_thread_ = std::thread([this, c = std::move(cut)] { WriteCut(c.get(), true); });
  return BgsaveResult::kStarted;
}

void Persistence::WaitForBackgroundSave() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !saving_; });
}

int64_t Persistence::last_save_s() const {
  std::lock_guard lock(mu_);
  return last_save_ms_ / 1000;
}

void Persistence::BackgroundLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms),
                 [this] { return stop_ || (bgsave_scheduled_ && !saving_); });
    if (stop_) break;
    lock.unlock();
    Tick();
    lock.lock();
  }
}

bool Persistence::SaveRulesDue(int64_t now_ms) {
  const uint64_t dirty = server_.keyspace().ChangesSinceCut();
  std::lock_guard lock(mu_);
  const uint64_t changes = dirty + unsaved_changes_;
  const bool retry_ok = last_save_ok_ || SteadyMs() - last_try_ms_ > kRetryDelayMs;
  for (const auto& [seconds, min_changes] : save_rules_) {
    if (changes >= static_cast<uint64_t>(min_changes) && now_ms - last_save_ms_ > seconds * 1000 &&
        retry_ok) {
      spdlog::info("{} changes in {} seconds. Saving...", min_changes, seconds);
      return true;
    }
  }
  return false;
}

void Persistence::Tick() {
  LoadConfig();
  const Config& config = server_.config();
  log_.set_fsync_policy(ConfiguredFsync());
  if (config.appendonly.load() != log_enabled_.load()) SetLogEnabled(config.appendonly.load());

  bool start = false;
  {
    std::lock_guard lock(mu_);
    if (saving_) return;
    start = bgsave_scheduled_;
  }
  if (!start) start = SaveRulesDue(server_.clock().NowMs());
  if (!start && log_enabled_.load() && log_.failing()) {
    // A snapshot holds everything a failed log write or fsync may have lost.
    std::lock_guard lock(mu_);
    start = SteadyMs() - last_try_ms_ > kRetryDelayMs;
    if (start) spdlog::warn("The write log is failing; trying a snapshot instead");
  }
  if (!start && log_enabled_.load()) {
    // Bound the log: snapshot once it outgrows the snapshot (auto-aof-rewrite-*).
    const int64_t pct = config.auto_aof_rewrite_percentage.load();
    const uint64_t min_size = static_cast<uint64_t>(config.auto_aof_rewrite_min_size.load());
    uint64_t since_cut = 0;
    bool retry_ok = false;
    {
      std::lock_guard lock(mu_);
      since_cut = log_.appended_lsn() - lsn_at_last_cut_;
      retry_ok = last_save_ok_ || SteadyMs() - last_try_ms_ > kRetryDelayMs;
    }
    const uint64_t base = std::max<int64_t>(1, FileSizeOf(SnapshotPath()));
    if (pct > 0 && retry_ok && since_cut > min_size &&
        since_cut * 100 / base >= static_cast<uint64_t>(pct)) {
      spdlog::info("Write log grew by {} bytes since the last snapshot: saving", since_cut);
      start = true;
    }
  }
  if (start) BackgroundSave();
  UpdateRefusal();
}

Status Persistence::PrepareShutdown(ShutdownMode mode, bool force) {
  bool rules = false;
  {
    std::lock_guard lock(mu_);
    rules = !save_rules_.empty();
  }
  if (mode == ShutdownMode::kSave || (mode == ShutdownMode::kDefault && rules)) {
    spdlog::info("Saving the final snapshot before exiting.");
    SaveResult r;
    while ((r = Save()) == SaveResult::kInProgress) WaitForBackgroundSave();
    if (r != SaveResult::kOk) {
      if (!force) {
        spdlog::warn("Error trying to save the DB, can't exit.");
        return Status::IoError("the final snapshot failed", EIO);
      }
      spdlog::warn("Error trying to save the DB; exiting anyway (FORCE)");
    }
  }
  if (log_enabled_.load()) {
    Status s = log_.Flush();
    if (!s.ok() && !force) return s;
  }
  std::lock_guard lock(mu_);
  shutdown_mode_ = mode;
  return Status::Ok();
}

Status Persistence::Stop() {
  ShutdownMode mode;
  bool rules = false;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return Status::Ok();
    stopped_ = true;
    stop_ = true;
    mode = shutdown_mode_;
    rules = !save_rules_.empty();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  WaitForBackgroundSave();
  if (save_thread_.joinable()) save_thread_.join();
  if (!started_) return Status::Ok();
  Status result;
  store::Keyspace& ks = server_.keyspace();
  const bool wanted = mode == ShutdownMode::kSave || (mode == ShutdownMode::kDefault && rules);
  bool needed = false;
  {
    std::lock_guard lock(mu_);
    needed = unsaved_changes_ > 0 || !last_save_ok_;
  }
  needed = needed || ks.ChangesSinceCut() > 0;
  if (wanted && needed) {
    spdlog::info("Saving the final snapshot before exiting.");
    if (Save() != SaveResult::kOk) result = Status::IoError("the final snapshot failed", EIO);
  }
  // One self-contained file after a clean shutdown (no -wal beside it).
  if (Status c = writer_->Checkpoint(); !c.ok()) {
    spdlog::warn("Checkpointing the snapshot: {}", c.message());
  }
  if (log_enabled_.load()) {
    {
      auto locks = ks.Lock(ks.AllShardsMask());
      ks.SetChangeListener(nullptr);
    }
    log_enabled_.store(false);
    Status s = log_.Close();
    if (!s.ok()) {
      spdlog::warn("Closing the write log: {}", s.message());
      if (result.ok()) result = s;
    }
  }
  return result;
}

void Persistence::UpdateRefusal() { refusing_writes_.store(WriteRefusal().has_value()); }

bool Persistence::refusing_writes() const {
  return refusing_writes_.load(std::memory_order_relaxed) ||
         (log_enabled_.load(std::memory_order_relaxed) && log_.failing());
}

std::optional<std::string> Persistence::WriteRefusal() const {
  // A failing log is named first: it is the root cause when the snapshot
  // tried in its place fails too.
  if (log_enabled_.load() && log_.failing()) {
    Status s = log_.write_status();
    if (s.ok()) s = log_.sync_status();
    int err = s.error_number() != 0 ? s.error_number() : EIO;
    return errors::Format(errors::kMisconfLog, {std::strerror(err)});
  }
  std::lock_guard lock(mu_);
  if (server_.config().stop_writes_on_bgsave_error.load() && !save_rules_.empty() &&
      !last_save_ok_) {
    return std::string(errors::kMisconfSnapshot);
  }
  return std::nullopt;
}

bool Persistence::ReadyToReply(uint64_t before, std::function<void()> resume) {
  if (!log_enabled_.load(std::memory_order_relaxed)) return true;
  const uint64_t lsn = recorder_.ThreadLsn();
  if (lsn == before) return true;  // these commands changed nothing
  const bool always = log_.fsync_policy() == FsyncPolicy::kAlways;
  if (!always && log_.written_lsn() >= lsn) return true;
  // The reply must not leave before its record reached the OS (and, with
  // `always`, the disk); the connection thread writes it itself.
  Status s = log_.WriteUpTo(lsn);
  if (s.ok() && !always) return true;
  return log_.Await(lsn, /*durable=*/always, std::move(resume));
}

void Persistence::AppendInfo(std::vector<std::pair<std::string, std::string>>* out) const {
  const uint64_t dirty = server_.keyspace().ChangesSinceCut();
  std::lock_guard lock(mu_);
  auto add = [out](std::string key, auto value) {
    if constexpr (std::is_convertible_v<decltype(value), std::string>) {
      out->emplace_back(std::move(key), std::string(value));
    } else {
      out->emplace_back(std::move(key), std::to_string(value));
    }
  };
  const bool log_on = log_enabled_.load();
  const int64_t current_bgsave =
      bgsave_running_ ? (SteadyMs() - bgsave_started_ms_) / 1000 : int64_t{-1};
  out->clear();
  add("loading", 0);
  add("async_loading", 0);
  add("current_cow_peak", 0);
  add("current_cow_size", 0);
  add("current_cow_size_age", 0);
  add("current_fork_perc", "0.00");
  add("current_save_keys_processed", 0);
  add("current_save_keys_total", 0);
  add("rdb_changes_since_last_save", dirty + unsaved_changes_);
  add("rdb_bgsave_in_progress", bgsave_running_ ? 1 : 0);
  add("rdb_last_save_time", last_save_ms_ / 1000);
  add("rdb_last_bgsave_status", last_save_ok_ ? "ok" : "err");
  add("rdb_last_bgsave_time_sec", last_bgsave_secs_);
  add("rdb_current_bgsave_time_sec", current_bgsave);
  add("rdb_saves", saves_);
  add("rdb_last_cow_size", 0);
  add("rdb_last_load_keys_expired", keys_expired_at_load_);
  add("rdb_last_load_keys_loaded", keys_loaded_);
  add("aof_enabled", log_on ? 1 : 0);
  add("aof_rewrite_in_progress", 0);
  add("aof_rewrite_scheduled", 0);
  add("aof_last_rewrite_time_sec", -1);
  add("aof_current_rewrite_time_sec", -1);
  add("aof_last_bgrewrite_status", "ok");
  add("aof_rewrites", 0);
  add("aof_rewrites_consecutive_failures", 0);
  add("aof_last_write_status", log_on && log_.failing() ? "err" : "ok");
  add("aof_last_cow_size", 0);
  add("module_fork_in_progress", 0);
  add("module_fork_last_cow_size", 0);
  if (log_on) {
    const uint64_t appended = log_.appended_lsn();
    add("aof_current_size", appended - lsn_at_last_cut_);
    add("aof_base_size", FileSizeOf(SnapshotPath()));
    add("aof_pending_rewrite", 0);
    add("aof_buffer_length", appended - log_.written_lsn());
    add("aof_pending_bio_fsync", log_.written_lsn() > log_.durable_lsn() ? 1 : 0);
    add("aof_delayed_fsync", 0);
  }
  // stashd's own: what the last snapshot wrote.
  add("snapshot_last_kind", last_stats_.full ? "full" : "incremental");
  add("snapshot_last_keys_written", last_stats_.upserts);
  add("snapshot_last_keys_deleted", last_stats_.deletes);
  add("log_durable_offset", log_on ? log_.durable_lsn() : 0);
}

}  // namespace stashd::server
