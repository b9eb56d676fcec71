// A stand-in for an io thread that is busy running a script (kRunsScript).
//
// A script runs on its connection's io thread: no hand-off to a worker and
// back, which costs two thread wake-ups per EVALSHA. While it runs, that
// thread serves nobody else. Redis, single-threaded, answers its other
// clients from inside a slow script (BUSY past busy-reply-threshold, SCRIPT
// KILL, SHUTDOWN NOSAVE); here, once the script has run for
// `kRescueAfterMs` (or busy-reply-threshold, if smaller), a helper thread
// runs the io thread's io_context in its place until the script ends. The
// helper runs one handler at a time, and the io thread waits for the
// helper's last handler before it runs any of its own again, so the
// handlers of an io_context never run two at once, except the script's
// own, which then is in the position of a command on a background worker
// (the connection is `on_worker_`).
//
// On the helper thread scripts do not run in place (Connection asks
// OnHelperThread()): they go to a worker, so that the helper's handlers
// stay short and the io thread's wait for it is short too.
//
// Thread safety: InlineScriptWatch belongs to the io thread that created
// it; the helper is per io thread and parked between scripts.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>

#include "server/exec/long_run.h"

namespace stashd::server {

class IoRescue;

// Installed by a connection around a script it runs on its io thread.
class InlineScriptWatch final : public LongRunWatch {
 public:
  static constexpr int64_t kRescueAfterMs = 100;

  // `busy_threshold_ms`: the busy-reply-threshold (0: never busy).
  InlineScriptWatch(boost::asio::io_context& io, int64_t busy_threshold_ms);
  // Waits for the helper's last handler, if the helper was called.
  ~InlineScriptWatch() override;

  // True on a helper thread (scripts then go to a worker).
  static bool OnHelperThread();

 protected:
  void OnTick() override;

 private:
  boost::asio::io_context& io_;
  std::chrono::steady_clock::time_point rescue_at_;
  IoRescue* rescue_ = nullptr;  // set once the helper was called
};

}  // namespace stashd::server
