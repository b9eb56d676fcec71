#include "server/net/io_rescue.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace stashd::server {

namespace asio = boost::asio;

namespace {
thread_local bool on_helper_thread = false;
}  // namespace

// The helper of one io thread: parked until Start(), then runs the io
// thread's io_context one handler at a time until Stop().
class IoRescue {
 public:
  explicit IoRescue(asio::io_context& io) : io_(io), thread_([this] { Loop(); }) {}
  ~IoRescue() {
    {
      std::lock_guard lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  IoRescue(const IoRescue&) = delete;
  IoRescue& operator=(const IoRescue&) = delete;

  void Start() {
    std::lock_guard lock(mu_);
    active_ = true;
    cv_.notify_all();
  }
  // Returns once the helper has finished its handler and parked.
  void Stop() {
    std::unique_lock lock(mu_);
    active_ = false;
    cv_.wait(lock, [&] { return !running_; });
  }
  asio::io_context& io() { return io_; }

 private:
  void Loop() {
    on_helper_thread = true;
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return active_ || quit_; });
      if (quit_) return;
      running_ = true;
      while (active_ && !quit_) {
        lock.unlock();
        if (io_.stopped()) {
          // Shutting down: nothing more to serve; wait for the script.
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        } else {
          io_.run_one_for(std::chrono::milliseconds(5));
        }
        lock.lock();
      }
      running_ = false;
      cv_.notify_all();
    }
  }

  asio::io_context& io_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool active_ = false;
  bool running_ = false;
  bool quit_ = false;
  std::thread thread_;  // last: starts once the rest is set up
};

namespace {
// The io thread's helper, made the first time a script there runs long.
thread_local std::unique_ptr<IoRescue> thread_rescue;
}  // namespace

InlineScriptWatch::InlineScriptWatch(asio::io_context& io, int64_t busy_threshold_ms) : io_(io) {
  int64_t after = kRescueAfterMs;
  if (busy_threshold_ms > 0) after = std::min(after, busy_threshold_ms);
  rescue_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(after);
}

InlineScriptWatch::~InlineScriptWatch() {
  if (rescue_ != nullptr) rescue_->Stop();
}

bool InlineScriptWatch::OnHelperThread() { return on_helper_thread; }

void InlineScriptWatch::OnTick() {
  if (rescue_ != nullptr || std::chrono::steady_clock::now() < rescue_at_) return;
  if (thread_rescue == nullptr || &thread_rescue->io() != &io_) {
    thread_rescue = std::make_unique<IoRescue>(io_);
  }
  rescue_ = thread_rescue.get();
  rescue_->Start();
}

}  // namespace stashd::server
