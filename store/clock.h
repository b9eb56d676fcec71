// Time source for the store and expiry. Injected so that tests can advance
// time instead of sleeping.
//
// Thread safety: NowMs() may be called from any thread concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace stashd::store {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
};

// Set on a thread while a ClockFreeze lives there (0: not frozen).
inline thread_local int64_t frozen_now_ms = 0;

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override {
    if (frozen_now_ms != 0) return frozen_now_ms;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// While a ClockFreeze lives, SystemClock::NowMs() on its thread keeps
// returning the time it was created at. Redis freezes time this way while a
// script runs, so that a key cannot expire between two commands of one
// script; it also spares a clock read per key lookup. Nests: an inner
// freeze keeps the outer time.
class ClockFreeze {
 public:
  explicit ClockFreeze(const Clock& clock) : previous_(frozen_now_ms) {
    if (previous_ == 0) frozen_now_ms = clock.NowMs();
  }
  ~ClockFreeze() { frozen_now_ms = previous_; }
  ClockFreeze(const ClockFreeze&) = delete;
  ClockFreeze& operator=(const ClockFreeze&) = delete;

 private:
  int64_t previous_;
};

// Lifts a ClockFreeze for its lifetime: TIME inside a script reads the real
// time, as in Redis.
class ClockThaw {
 public:
  ClockThaw() : previous_(frozen_now_ms) { frozen_now_ms = 0; }
  ~ClockThaw() { frozen_now_ms = previous_; }
  ClockThaw(const ClockThaw&) = delete;
  ClockThaw& operator=(const ClockThaw&) = delete;

 private:
  int64_t previous_;
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t NowMs() const override { return now_.load(std::memory_order_relaxed); }
  void Advance(int64_t ms) { now_.fetch_add(ms, std::memory_order_relaxed); }
  void Set(int64_t ms) { now_.store(ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace stashd::store
