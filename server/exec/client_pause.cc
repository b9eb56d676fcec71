#include "server/exec/client_pause.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace stashd::server {

void ClientPause::Pause(int64_t end_ms, Mode mode) {
  std::lock_guard lock(mu_);
  const Mode current = static_cast<Mode>(mode_.load(std::memory_order_relaxed));
  if (current == Mode::kOff) {
    end_ms_ = end_ms;
    mode_.store(static_cast<int>(mode), std::memory_order_relaxed);
    return;
  }
  end_ms_ = std::max(end_ms_, end_ms);
  if (mode > current) mode_.store(static_cast<int>(mode), std::memory_order_relaxed);
}

void ClientPause::Unpause() {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mu_);
    mode_.store(static_cast<int>(Mode::kOff), std::memory_order_relaxed);
    end_ms_ = 0;
    wake.reserve(waiters_.size());
    for (auto& [id, fn] : waiters_) wake.push_back(std::move(fn));
    waiters_.clear();
  }
  for (auto& fn : wake) fn();
}

ClientPause::Mode ClientPause::Active(int64_t now_ms) {
  if (mode_.load(std::memory_order_relaxed) == static_cast<int>(Mode::kOff)) return Mode::kOff;
  {
    std::lock_guard lock(mu_);
    const Mode mode = static_cast<Mode>(mode_.load(std::memory_order_relaxed));
    if (mode == Mode::kOff || now_ms < end_ms_) return mode;
  }
  Unpause();  // its time is over
  return Mode::kOff;
}

int64_t ClientPause::end_ms() {
  std::lock_guard lock(mu_);
  return end_ms_;
}

void ClientPause::Wait(uint64_t client_id, std::function<void()> wake) {
  std::lock_guard lock(mu_);
  waiters_[client_id] = std::move(wake);
}

void ClientPause::StopWaiting(uint64_t client_id) {
  std::lock_guard lock(mu_);
  waiters_.erase(client_id);
}

}  // namespace stashd::server
