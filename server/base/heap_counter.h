// The bytes the process holds from malloc, counted as they are handed out
// and given back (Redis's zmalloc used_memory): malloc, free and the rest of
// the family are replaced here by wrappers around glibc's own allocator that
// add or subtract the block's usable size in a per-thread slot.
//
// Why not glibc's mallinfo2(): it walks every free chunk of every arena
// with the arena locked, so its cost grows with fragmentation. While
// DELPREFIX freed half of 1,000,000 keys, one call took 100-370 ms, stalling
// the io thread whose cron asked for used_memory, and the clients it serves.
//
// Thread safety: any thread. A sanitizer build keeps the sanitizer's
// allocator: HeapInUse() then reports nothing.
#pragma once

#include <cstdint>
#include <optional>

namespace stashd::server {

// The bytes in use (usable sizes of the live blocks), or nullopt when the
// allocator is not counted (a sanitizer build).
std::optional<uint64_t> HeapInUse();

}  // namespace stashd::server
