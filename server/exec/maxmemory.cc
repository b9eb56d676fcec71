#include "server/exec/maxmemory.h"

#include <malloc.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "server/base/heap_counter.h"

namespace stashd::server {

uint64_t ResidentSetSize() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0;
  uint64_t resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t UsedMemory() {
  if (std::optional<uint64_t> counted = HeapInUse()) return *counted;
  struct mallinfo2 mi = mallinfo2();
  const uint64_t used = mi.uordblks + mi.hblkhd;
  return used > 0 ? used : ResidentSetSize();
}

uint64_t MemoryFigures::NotePeak(uint64_t used) {
  uint64_t peak = peak_.load(std::memory_order_relaxed);
  while (used > peak && !peak_.compare_exchange_weak(peak, used, std::memory_order_relaxed)) {
  }
  return std::max(peak, used);
}

bool OverMaxmemory(const Config& config, store::Keyspace& keyspace, MemoryFigures& figures) {
  const int64_t limit = config.maxmemory.load(std::memory_order_relaxed);
  if (limit <= 0) return false;
  // While clients are paused the dataset stays as it is: nothing is evicted
  // and nothing refused for memory (Redis 7.0 skips eviction then).
  if (keyspace.ExpiryPaused(keyspace.clock().NowMs())) return false;
  uint64_t used = UsedMemory();
  figures.NotePeak(used);
  if (used <= static_cast<uint64_t>(limit)) return false;
  const auto policy =
      static_cast<store::EvictionPolicy>(config.maxmemory_policy.load(std::memory_order_relaxed));
  if (policy == store::EvictionPolicy::kNoEviction) return true;
  // Evict what should free the excess, then measure again: freed memory
  // may not all return to malloc at once (a snapshot keeps what it pinned),
  // so a few rounds at most, each asking for what is still over.
  for (int round = 0; round < 8 && used > static_cast<uint64_t>(limit); ++round) {
    const uint64_t to_free = used - static_cast<uint64_t>(limit);
    uint64_t freed = 0;
    while (freed < to_free) {
      const size_t bytes = keyspace.Evict(
          policy, static_cast<int>(config.maxmemory_samples.load(std::memory_order_relaxed)));
      if (bytes == 0) return UsedMemory() > static_cast<uint64_t>(limit);  // nothing left
      freed += bytes;
    }
    used = UsedMemory();
  }
  return used > static_cast<uint64_t>(limit);
}

}  // namespace stashd::server
