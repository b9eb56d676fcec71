// A statistics counter that io threads bump without sharing a cache line:
// each thread adds to its own padded slot, readers sum the slots. Used for
// the per-command and server-wide counters that every command touches, so
// two io threads do not bounce one line between cores on every command.
//
// Same calls as std::atomic<uint64_t> for the uses we have (fetch_add, load,
// store). load() is not a snapshot across slots: fine for statistics.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "server/base/thread_slot.h"

namespace stashd::server {

class StatCounter {
 public:
  StatCounter() = default;
  StatCounter(const StatCounter&) = delete;
  StatCounter& operator=(const StatCounter&) = delete;

  void fetch_add(uint64_t n, std::memory_order = std::memory_order_relaxed) {
    slots_[ThreadSlot() % kSlots].v.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t load(std::memory_order = std::memory_order_relaxed) const {
    uint64_t sum = 0;
    for (const Slot& s : slots_) sum += s.v.load(std::memory_order_relaxed);
    return sum;
  }
  // Resets to `n` (CONFIG RESETSTAT); adds racing with it may be lost.
  void store(uint64_t n, std::memory_order = std::memory_order_relaxed) {
    for (Slot& s : slots_) s.v.store(0, std::memory_order_relaxed);
    slots_[0].v.store(n, std::memory_order_relaxed);
  }

 private:
  static constexpr size_t kSlots = 4;
  struct alignas(64) Slot {
    std::atomic<uint64_t> v{0};
  };
  std::array<Slot, kSlots> slots_{};
};

}  // namespace stashd::server
