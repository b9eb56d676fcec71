// Persistence: the server's side of persistence/ — start-up recovery, the
// write log and its fsync policy, snapshots (SAVE, BGSAVE, `save` rules,
// shutdown), the state INFO persistence reports, and the MISCONF rule that
// refuses writes while persisting fails.
//
// How the pieces meet:
//  - The dispatcher brackets every command with BeginCommand()/EndCommand()
//    (EndCommand before it releases the shard locks): the command's changes
//    become one log record (see persistence/change_recorder.h).
//  - A connection calls ReadyToReply() before sending replies: every record
//    its commands appended has then been written to the OS, and with
//    `appendfsync always` fsynced (group commit: concurrent writers share
//    one fsync, done by the log's background thread).
//  - A snapshot cut pauses every command (the dispatcher's exec lock, held
//    exclusively), locks every shard, takes the keyspace's cut and rotates
//    the log at the same point, then lets clients go on while a background
//    thread writes the SQLite file. Once it commits, log files before the
//    cut are deleted.
//
// Thread safety: every public method is thread-safe. Save(), BackgroundSave()
// and PrepareShutdown() pause commands, so they REQUIRE that the calling
// thread does not hold the dispatcher's exec lock or any shard lock (their
// commands are flagged kNoExecLock).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "persistence/change_recorder.h"
#include "persistence/file_system.h"
#include "persistence/snapshot.h"
#include "persistence/status.h"
#include "persistence/write_log.h"
#include "server/exec/command_journal.h"
#include "store/keyspace.h"

namespace stashd::server {

class ServerState;

class Persistence final : public CommandJournal {
 public:
  struct Options {
    persistence::FileSystem* fs = nullptr;  // nullptr: the real file system
    std::string sqlite_vfs;                 // empty: SQLite's default VFS
    int64_t tick_ms = 100;                  // how often save rules are checked
    int64_t retry_ms = 1000;                // failed log writes retried; everysec period
    // Start even if the snapshot the write log continues is missing
    // (`stashd --ignore-missing-snapshot`, see persistence/recovery.h).
    bool ignore_missing_snapshot = false;
  };

  explicit Persistence(ServerState& server);
  Persistence(ServerState& server, Options options);
  ~Persistence();  // Stop()
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // Start-up, before clients are accepted: loads the snapshot, replays the
  // log, starts the write log (if appendonly) and the background thread.
  // An error (a corrupt log, a foreign or newer snapshot) must stop start-up.
  persistence::Status Start();

  enum class ShutdownMode { kDefault, kSave, kNoSave };
  // SHUTDOWN: saves as asked (kDefault: if `save` rules are set), flushes
  // and fsyncs the log. On success the caller stops the server; Stop() then
  // saves again only what changed meanwhile. With `force`, a failed save is
  // logged and ignored.
  persistence::Status PrepareShutdown(ShutdownMode mode, bool force);
  // The last step before exit (after SHUTDOWN, SIGTERM or SIGINT): waits for
  // a background save, saves as the shutdown mode says, closes the log and
  // stops the background thread. Idempotent.
  persistence::Status Stop();

  enum class SaveResult { kOk, kInProgress, kFailed };
  // SAVE: a snapshot written by the calling thread.
  SaveResult Save();
  enum class BgsaveResult { kStarted, kInProgress };
  // BGSAVE: takes the cut now and writes it on a background thread.
  BgsaveResult BackgroundSave();
  // BGSAVE inside EXEC, BGREWRITEAOF during a save: the background thread
  // starts one as soon as no save runs.
  void ScheduleBackgroundSave();
  // True between a save's cut and its commit (or failure).
  bool saving() const;
  // Blocks until no background save runs (tests, shutdown).
  void WaitForBackgroundSave();

  int64_t last_save_s() const;

  // True when writes must be refused (fast check); WriteRefusal() then gives
  // the MISCONF error text, or nullopt if the condition just cleared.
  bool refusing_writes() const override;
  std::optional<std::string> WriteRefusal() const override;

  // INFO persistence, in Redis's field order.
  void AppendInfo(std::vector<std::pair<std::string, std::string>>* out) const;

  // Dispatcher hooks, around every command (nested inside EXEC).
  void BeginCommand() override { recorder_.BeginCommand(); }
  void EndCommand() override { recorder_.EndCommand(); }

  // The position of the last log record this thread appended. A connection
  // reads it before running a batch of commands: if it moved, the batch
  // appended records and its replies must wait for them.
  uint64_t ThreadLogPosition() const override { return recorder_.ThreadLsn(); }

  // True if the replies of the commands this thread ran since
  // ThreadLogPosition() was `before` may be sent now; otherwise `resume`
  // will be called (from another thread) once they may.
  bool ReadyToReply(uint64_t before, std::function<void()> resume) override;

  persistence::WriteLog& write_log() { return log_; }

 private:
  struct Cut {
    store::SnapshotCut cut;
    uint64_t log_seq = 0;  // first log file the snapshot does not cover
    uint64_t log_lsn = 0;  // where that file starts
    uint64_t changes = 0;  // changes the snapshot takes in
    int64_t started_ms = 0;
    int64_t pause_ms = 0;  // how long commands were paused for the cut
  };

  void LoadConfig();
  // Pauses commands, takes the keyspace's cut (entry pointers only: the
  // snapshot writer reads the pinned entries as it writes them) and rotates
  // the log.
  void TakeCut(Cut* cut);
  // Writes the cut, releases it, and records the outcome.
  persistence::Status WriteCut(Cut* cut, bool background);
  void BackgroundLoop();
  void Tick();
  void SetLogEnabled(bool enabled);
  bool SaveRulesDue(int64_t now_ms);
  std::string SnapshotPath() const;
  std::string LogDir() const;
  persistence::FsyncPolicy ConfiguredFsync() const;
  void UpdateRefusal();

  ServerState& server_;
  Options options_;
  persistence::WriteLog log_;
  persistence::ChangeRecorder recorder_;
  std::unique_ptr<persistence::SnapshotWriter> writer_;
  std::atomic<bool> log_enabled_{false};
  int64_t log_retry_at_ms_ = 0;  // background thread only
  std::atomic<bool> refusing_writes_{false};
  bool started_ = false;

  // Guards what follows.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool stopped_ = false;
  std::thread thread_;       // ticks: save rules, config changes, retries
  std::thread save_thread_;  // the running (or finished) background save
  bool saving_ = false;      // a SAVE or BGSAVE is between its cut and its commit
  bool bgsave_running_ = false;
  bool bgsave_scheduled_ = false;
  ShutdownMode shutdown_mode_ = ShutdownMode::kDefault;
  std::vector<std::pair<int64_t, int64_t>> save_rules_;  // (seconds, changes)
  int64_t last_save_ms_ = 0;  // last successful save (start-up time before any)
  int64_t last_try_ms_ = 0;   // last save attempt
  bool last_save_ok_ = true;
  int64_t last_bgsave_secs_ = -1;
  int64_t bgsave_started_ms_ = 0;
  uint64_t saves_ = 0;
  uint64_t unsaved_changes_ = 0;  // taken by cuts whose snapshot failed
  uint64_t lsn_at_last_cut_ = 0;
  uint64_t keys_loaded_ = 0;
  uint64_t keys_expired_at_load_ = 0;
  persistence::SnapshotWriteStats last_stats_;
};

}  // namespace stashd::server
