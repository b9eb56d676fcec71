// maxmemory: the process's memory figures and eviction (Redis's
// performEvictions), used by the dispatcher before each command.
#pragma once
#include <atomic>
#include <cstdint>

#include "server/config/config.h"
#include "store/keyspace.h"

namespace stashd::server {

// Bytes handed out by malloc and not freed (Redis's used_memory): the
// usable sizes counted by server/base/heap_counter.h, or in a sanitizer
// build glibc's mallinfo2 figure, or the resident size when that reports
// nothing.
uint64_t UsedMemory();
// The process's resident set size.
uint64_t ResidentSetSize();

// The highest UsedMemory() seen (Redis's used_memory_peak) and the memory
// used once the server was set up, before loading data (startup.allocated).
class MemoryFigures {
 public:
  // Remembers `used` if it is a new peak; returns the peak.
  uint64_t NotePeak(uint64_t used);
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  void SetStartup(uint64_t used) { startup_.store(used, std::memory_order_relaxed); }
  uint64_t startup() const { return startup_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> peak_{0};
  std::atomic<uint64_t> startup_{0};
};

// Redis's performEvictions: with `maxmemory` set and used memory over it,
// evicts keys by `maxmemory-policy` until it is under. Returns true when
// memory stays over the limit (noeviction, or nothing left to evict): the
// caller then refuses commands that may grow memory. When maxmemory is 0 it
// costs one relaxed atomic load.
bool OverMaxmemory(const Config& config, store::Keyspace& keyspace, MemoryFigures& figures);

}  // namespace stashd::server
