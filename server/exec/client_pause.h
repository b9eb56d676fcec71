// CLIENT PAUSE / UNPAUSE: while a pause lasts, the dispatcher postpones the
// commands it holds (every command in ALL mode; in WRITE mode the writes and
// what may replicate: EVAL, PUBLISH, PFCOUNT ...). A postponed client's
// connection keeps the command and runs it again when the pause ends: its
// timer fires at the pause's end, or UNPAUSE wakes it. Nothing polls: a
// waiting client costs no CPU.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

#include "absl/container/flat_hash_map.h"

namespace stashd::server {

class ClientPause {
 public:
  enum class Mode : int { kOff = 0, kWrite = 1, kAll = 2 };

  // Pauses until `end_ms` (server clock). A pause already running keeps
  // the later end and the stricter mode, as Redis's pauseClients.
  void Pause(int64_t end_ms, Mode mode);
  // Ends the pause and wakes every waiting client.
  void Unpause();
  // Whether a pause may be running (one relaxed load): call Active() then.
  bool MayBeActive() const { return mode_.load(std::memory_order_relaxed) != 0; }
  // The mode in effect at `now_ms`; a pause whose end passed is ended.
  // One relaxed load when no pause was ever set.
  Mode Active(int64_t now_ms);
  // The end of the running pause (server clock), or 0.
  int64_t end_ms();

  // A postponed client waits: `wake` is called once, from any thread, when
  // the pause is ended (UNPAUSE, or found over by Active), unless the client
  // stops waiting first.
  void Wait(uint64_t client_id, std::function<void()> wake);
  void StopWaiting(uint64_t client_id);

 private:
  std::atomic<int> mode_{0};  // a Mode; kOff when no pause runs
  std::mutex mu_;
  int64_t end_ms_ = 0;                                            // guarded by mu_
  absl::flat_hash_map<uint64_t, std::function<void()>> waiters_;  // guarded by mu_
};

}  // namespace stashd::server
