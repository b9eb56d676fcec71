#include "store/access_clock.h"

namespace stashd::store {
namespace {

constexpr uint32_t kMinutesMask = 0xFFFF;

uint32_t Minutes(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 60'000) & kMinutesMask; }

}  // namespace

uint32_t LruClock(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 1000) & kAccessClockMax; }

int64_t LruIdleMs(uint32_t clock, int64_t now_ms) {
  const uint32_t now = LruClock(now_ms);
  const uint32_t seconds = now >= clock ? now - clock : now + (kAccessClockMax - clock);
  return int64_t{seconds} * 1000;
}

uint8_t LfuCount(uint32_t clock, int64_t now_ms, int64_t decay_time) {
  const uint32_t count = clock & 0xFF;
  if (decay_time <= 0) return static_cast<uint8_t>(count);
  const uint32_t then = clock >> 8;
  const uint32_t now = Minutes(now_ms);
  // The minutes wrap every ~45 days; a time ahead of now has wrapped.
  const uint32_t elapsed = now >= then ? now - then : kMinutesMask - then + now;
  const uint64_t periods = elapsed / static_cast<uint64_t>(decay_time);
  return static_cast<uint8_t>(periods >= count ? 0 : count - periods);
}

uint32_t LfuClock(uint8_t count, int64_t now_ms) { return (Minutes(now_ms) << 8) | count; }

uint32_t NewAccessClock(const AccessPolicy& policy, int64_t now_ms) {
  return policy.lfu ? LfuClock(kLfuInitialCount, now_ms) : LruClock(now_ms);
}

uint32_t AccessedClock(uint32_t clock, const AccessPolicy& policy, int64_t now_ms, double random) {
  if (!policy.lfu) return LruClock(now_ms);
  uint8_t count = LfuCount(clock, now_ms, policy.lfu_decay_time);
  if (count < 255) {
    // The more accesses counted, the less likely one more is: the counter
    // grows about logarithmically with the access count.
    const double base = count > kLfuInitialCount ? count - kLfuInitialCount : 0;
    const double p = 1.0 / (base * static_cast<double>(policy.lfu_log_factor) + 1.0);
    if (random < p) ++count;
  }
  return LfuClock(count, now_ms);
}

uint64_t EvictionScore(uint32_t clock, const AccessPolicy& policy, int64_t now_ms) {
  if (policy.lfu) return 255 - LfuCount(clock, now_ms, policy.lfu_decay_time);
  return static_cast<uint64_t>(LruIdleMs(clock, now_ms));
}

}  // namespace stashd::store
