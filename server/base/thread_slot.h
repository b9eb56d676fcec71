// A small per-thread number, handed out in the order threads first ask, for
// structures that give each thread its own padded slot (ExecGate,
// StatCounter). Callers reduce it modulo their slot count.
//
// Thread safety: any thread; the number is fixed for the thread's lifetime.
#pragma once

#include <atomic>
#include <cstddef>

namespace stashd::server {

inline size_t ThreadSlot() {
  static std::atomic<size_t> next{0};
  thread_local const size_t slot = next.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

}  // namespace stashd::server
