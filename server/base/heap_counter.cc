#include "server/base/heap_counter.h"

#include <errno.h>
#include <malloc.h>

#include <atomic>
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STASHD_COUNT_HEAP 0
#else
#define STASHD_COUNT_HEAP 1
#endif

#if STASHD_COUNT_HEAP

extern "C" {
void* __libc_malloc(size_t size);
void __libc_free(void* p);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}

namespace {

// One padded counter per thread (threads past the last slot share it,
// atomically). A slot's count may go negative (blocks freed by another
// thread than the one that allocated them); the sum is what counts.
constexpr int kSlots = 64;
struct alignas(64) Slot {
  std::atomic<int64_t> bytes{0};
};
Slot g_slots[kSlots];
std::atomic<int> g_next_slot{0};
thread_local int t_slot = -1;

inline void Count(int64_t delta) {
  int s = t_slot;
  if (s < 0) {
    s = g_next_slot.fetch_add(1, std::memory_order_relaxed);
    if (s >= kSlots - 1) s = kSlots - 1;
    t_slot = s;
  }
  std::atomic<int64_t>& b = g_slots[s].bytes;
  if (s == kSlots - 1) {
    b.fetch_add(delta, std::memory_order_relaxed);
  } else {
    // Only this thread writes its slot: no read-modify-write needed.
    b.store(b.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
}

inline void* Counted(void* p) {
  if (p != nullptr) Count(static_cast<int64_t>(malloc_usable_size(p)));
  return p;
}

bool ValidAlignment(size_t alignment) {
  return alignment != 0 && (alignment & (alignment - 1)) == 0 && alignment % sizeof(void*) == 0;
}

}  // namespace

extern "C" {

void* malloc(size_t size) { return Counted(__libc_malloc(size)); }

void free(void* p) {
  if (p == nullptr) return;
  Count(-static_cast<int64_t>(malloc_usable_size(p)));
  __libc_free(p);
}

void* calloc(size_t n, size_t size) { return Counted(__libc_calloc(n, size)); }

void* realloc(void* p, size_t size) {
  const int64_t before = p != nullptr ? static_cast<int64_t>(malloc_usable_size(p)) : 0;
  void* q = __libc_realloc(p, size);
  if (q != nullptr) {
    Count(static_cast<int64_t>(malloc_usable_size(q)) - before);
  } else if (p != nullptr && size == 0) {
    Count(-before);  // realloc(p, 0) freed p
  }
  return q;
}

void* reallocarray(void* p, size_t n, size_t size) {
  size_t bytes = 0;
  if (__builtin_mul_overflow(n, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(p, bytes);
}

void* memalign(size_t alignment, size_t size) { return Counted(__libc_memalign(alignment, size)); }

void* aligned_alloc(size_t alignment, size_t size) {
  return Counted(__libc_memalign(alignment, size));
}

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (!ValidAlignment(alignment)) return EINVAL;
  void* p = Counted(__libc_memalign(alignment, size));
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) { return Counted(__libc_valloc(size)); }

void* pvalloc(size_t size) { return Counted(__libc_pvalloc(size)); }

}  // extern "C"

#endif  // STASHD_COUNT_HEAP

namespace stashd::server {

std::optional<uint64_t> HeapInUse() {
#if STASHD_COUNT_HEAP
  int64_t sum = 0;
  for (const Slot& s : g_slots) sum += s.bytes.load(std::memory_order_relaxed);
  return static_cast<uint64_t>(sum > 0 ? sum : 0);
#else
  return std::nullopt;
#endif
}

}  // namespace stashd::server
