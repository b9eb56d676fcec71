// A readers-writer gate for the dispatcher: every command passes it shared,
// EXEC (and the snapshot cut) hold it exclusively.
//
// Why not std::shared_mutex: its shared lock is a read-modify-write on one
// cache line that every io thread shares, so with two threads running
// commands the line bounces between cores on every command. Here a reader
// only writes its own thread's padded slot; the rare exclusive holder scans
// every slot.
//
// Thread safety: all methods may be called from any thread. Not reentrant:
// a thread holding the gate must not enter it again in either mode.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>

#include "server/base/thread_slot.h"

namespace stashd::server {

class ExecGate {
 public:
  ExecGate() = default;
  ExecGate(const ExecGate&) = delete;
  ExecGate& operator=(const ExecGate&) = delete;

  void lock_shared() {
    Slot& slot = slots_[SlotIndex()];
    while (true) {
      // The RMW is a full barrier: the writer flag is read after our slot
      // is visible, so a writer that raised its flag first sees us (and
      // waits) or we see it (and back off).
      slot.readers.fetch_add(1, std::memory_order_seq_cst);
      if (!writer_.load(std::memory_order_seq_cst)) return;
      slot.readers.fetch_sub(1, std::memory_order_release);
      while (writer_.load(std::memory_order_acquire)) std::this_thread::yield();
    }
  }

  // Enters shared unless a writer holds or waits for the gate.
  bool try_lock_shared() {
    Slot& slot = slots_[SlotIndex()];
    slot.readers.fetch_add(1, std::memory_order_seq_cst);
    if (!writer_.load(std::memory_order_seq_cst)) return true;
    slot.readers.fetch_sub(1, std::memory_order_release);
    return false;
  }

  void unlock_shared() { slots_[SlotIndex()].readers.fetch_sub(1, std::memory_order_release); }

  void lock() {
    writer_mutex_.lock();
    writer_.store(true, std::memory_order_seq_cst);
    for (Slot& slot : slots_) {
      while (slot.readers.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    }
  }

  // Takes the gate exclusively unless another exclusive holder has it or
  // waits for it; then waits, as lock() does, for the readers inside.
  bool try_lock() {
    if (!writer_mutex_.try_lock()) return false;
    writer_.store(true, std::memory_order_seq_cst);
    for (Slot& slot : slots_) {
      while (slot.readers.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    }
    return true;
  }
  void unlock() {
    writer_.store(false, std::memory_order_release);
    writer_mutex_.unlock();
  }

 private:
  static constexpr size_t kSlots = 64;

  struct alignas(64) Slot {
    // A count, not a flag: threads beyond kSlots share slots.
    std::atomic<uint32_t> readers{0};
  };

  static size_t SlotIndex() { return ThreadSlot() % kSlots; }

  std::array<Slot, kSlots> slots_{};
  alignas(64) std::atomic<bool> writer_{false};
  std::mutex writer_mutex_;
};

}  // namespace stashd::server
