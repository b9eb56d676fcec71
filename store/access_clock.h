// The per-key access clock: 24 bits kept in each entry (Redis's robj `lru`
// field), read by LRU/LFU eviction, OBJECT IDLETIME and OBJECT FREQ.
//
// Its meaning depends on the maxmemory policy, as in Redis:
//  - LRU (every policy but the LFU ones): the time of the last access in
//    seconds, modulo 2^24 (the clock wraps about every 194 days).
//  - LFU (allkeys-lfu, volatile-lfu): the high 16 bits are the time in
//    minutes (modulo 2^16) the counter was last updated, the low 8 bits a
//    logarithmic access counter. A new key starts at kLfuInitialCount so it
//    is not evicted before it had a chance to be used. An access first
//    decays the counter by one per `lfu_decay_time` minutes elapsed, then
//    increments it with probability 1 / ((counter - kLfuInitialCount) *
//    lfu_log_factor + 1) (always while at or below the initial count), up
//    to 255.
// Switching policy at run time leaves the old clocks in place: they read as
// garbage under the other meaning until keys are accessed again (Redis's
// OBJECT IDLETIME/FREQ errors say so).
//
// All functions are pure; `now_ms` is the keyspace clock's time.
#pragma once

#include <cstdint>

namespace stashd::store {

inline constexpr uint32_t kAccessClockMax = (1u << 24) - 1;
inline constexpr uint8_t kLfuInitialCount = 5;  // Redis's LFU_INIT_VAL

// How accesses update the clock: the maxmemory policy's family and the LFU
// tunables (`lfu-log-factor`, `lfu-decay-time`).
struct AccessPolicy {
  bool lfu = false;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;  // minutes per counter decrement; 0: never decays
};

// LRU: the clock value for an access at `now_ms`.
uint32_t LruClock(int64_t now_ms);
// LRU: milliseconds since the access `clock` recorded (1 s resolution; a
// clock ahead of now is taken as having wrapped).
int64_t LruIdleMs(uint32_t clock, int64_t now_ms);

// LFU: the counter `clock` holds, decayed to `now_ms` (what OBJECT FREQ
// shows; the stored clock is not changed).
uint8_t LfuCount(uint32_t clock, int64_t now_ms, int64_t decay_time);
// LFU: a clock holding `count` as of `now_ms`.
uint32_t LfuClock(uint8_t count, int64_t now_ms);

// The clock of a value created at `now_ms`.
uint32_t NewAccessClock(const AccessPolicy& policy, int64_t now_ms);
// The clock after an access at `now_ms`. `random` is uniform in [0, 1): the
// LFU increment's draw.
uint32_t AccessedClock(uint32_t clock, const AccessPolicy& policy, int64_t now_ms, double random);

// How good an eviction victim a key with `clock` is under `policy` (larger
// is better): the idle time for LRU, 255 minus the decayed counter for LFU.
uint64_t EvictionScore(uint32_t clock, const AccessPolicy& policy, int64_t now_ms);

}  // namespace stashd::store
