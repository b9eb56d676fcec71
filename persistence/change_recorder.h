// ChangeRecorder: the keyspace's ChangeListener that turns changes into
// write log records — one record per command, one per EXEC.
//
// The dispatcher brackets each command with BeginCommand()/EndCommand(),
// nested for the commands inside an EXEC. Changes are buffered in a
// per-thread batch; the outermost EndCommand() appends the batch as one
// record. The dispatcher calls EndCommand() before it releases the shard
// locks, so for any key the log's order is the order the changes were
// applied in. Changes made outside any command (active expiry) are appended
// at once, one record each, while the shard lock is still held. Inside a
// single command, OnUnlock() (a self-locking operation about to release a
// shard) appends what is buffered; inside an EXEC it does not — EXEC runs
// with every other command paused — so the EXEC stays one record and is
// replayed whole or not at all.
//
// Thread safety: every method may be called from any thread; the batch is
// per thread.
#pragma once

#include <cstdint>

#include "persistence/write_log.h"
#include "store/keyspace.h"

namespace stashd::persistence {

class ChangeRecorder final : public store::ChangeListener {
 public:
  explicit ChangeRecorder(WriteLog* log);
  ChangeRecorder(const ChangeRecorder&) = delete;
  ChangeRecorder& operator=(const ChangeRecorder&) = delete;

  void OnChange(const store::Change& change) override;
  void OnUnlock() override;

  void BeginCommand();
  // REQUIRES: the shard locks of the command still held (outermost call).
  void EndCommand();

  // The LSN just past the last record this thread appended through this
  // recorder (0 if none): what a reply sent from this thread must wait for.
  uint64_t ThreadLsn() const;

 private:
  void AppendBatch();

  WriteLog* log_;
  uint64_t id_;  // tells this recorder's thread state from another's
};

}  // namespace stashd::persistence
