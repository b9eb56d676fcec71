#include "store/access_clock.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace stashd::store {
namespace {

constexpr int64_t kT0 = 1'699'999'980'000;  // a whole minute
constexpr int64_t kMinute = 60'000;

TEST(AccessClockTest, LruClockCountsSecondsAndIdleTimeWraps) {
  const uint32_t c = LruClock(kT0);
  EXPECT_EQ(LruIdleMs(c, kT0), 0);
  EXPECT_EQ(LruIdleMs(c, kT0 + 999), 0);  // one-second resolution
  EXPECT_EQ(LruIdleMs(c, kT0 + 1000), 1000);
  EXPECT_EQ(LruIdleMs(c, kT0 + 86'400'000), 86'400'000);
  // A clock "ahead" of now is an access from before the 24-bit wrap.
  EXPECT_EQ(LruIdleMs(kAccessClockMax - 10, 5'000), (5 + 10) * 1000);
}

TEST(AccessClockTest, NewValuesStartFreshOrAtTheInitialCount) {
  EXPECT_EQ(NewAccessClock(AccessPolicy{}, kT0), LruClock(kT0));
  const uint32_t lfu = NewAccessClock(AccessPolicy{.lfu = true}, kT0);
  EXPECT_EQ(lfu & 0xFF, kLfuInitialCount);
  EXPECT_EQ(LfuCount(lfu, kT0, 1), kLfuInitialCount);
}

TEST(AccessClockTest, LfuCounterDecaysOnePerDecayTimeElapsed) {
  const uint32_t c = LfuClock(10, kT0);
  EXPECT_EQ(LfuCount(c, kT0 + kMinute - 1, 1), 10);
  EXPECT_EQ(LfuCount(c, kT0 + 3 * kMinute, 1), 7);
  EXPECT_EQ(LfuCount(c, kT0 + 3 * kMinute, 2), 9);   // 1 period of 2 minutes
  EXPECT_EQ(LfuCount(c, kT0 + 3 * kMinute, 0), 10);  // 0: never decays
  EXPECT_EQ(LfuCount(c, kT0 + 60 * kMinute, 1), 0);  // not below zero
  // The 16-bit minutes wrap: a time "ahead" of now elapsed across the wrap.
  const uint32_t before_wrap = (0xFFFEu << 8) | 10;  // minute 65534
  EXPECT_EQ(LfuCount(before_wrap, 2 * kMinute, 1), 10 - 3);
}

TEST(AccessClockTest, LfuIncrementIsLogarithmic) {
  const AccessPolicy policy{.lfu = true, .lfu_log_factor = 10, .lfu_decay_time = 1};
  // At or below the initial count an access always counts.
  uint32_t c = LfuClock(kLfuInitialCount, kT0);
  c = AccessedClock(c, policy, kT0, 0.999);
  EXPECT_EQ(LfuCount(c, kT0, 1), 6);
  // Above it, with probability 1 / ((count - 5) * factor + 1): 1/11 at 6.
  EXPECT_EQ(LfuCount(AccessedClock(c, policy, kT0, 0.09), kT0, 1), 7);
  EXPECT_EQ(LfuCount(AccessedClock(c, policy, kT0, 0.091), kT0, 1), 6);
  // Factor 0: every access counts, up to 255.
  const AccessPolicy linear{.lfu = true, .lfu_log_factor = 0, .lfu_decay_time = 1};
  c = LfuClock(254, kT0);
  c = AccessedClock(c, linear, kT0, 0.5);
  EXPECT_EQ(LfuCount(c, kT0, 1), 255);
  c = AccessedClock(c, linear, kT0, 0.0);
  EXPECT_EQ(LfuCount(c, kT0, 1), 255);
  // An access decays first, and restamps the time.
  c = AccessedClock(LfuClock(10, kT0), linear, kT0 + 4 * kMinute, 0.5);
  EXPECT_EQ(LfuCount(c, kT0 + 4 * kMinute, 1), 10 - 4 + 1);
  EXPECT_EQ(c >> 8, LfuClock(0, kT0 + 4 * kMinute) >> 8);
}

TEST(AccessClockTest, LruAccessStampsNow) {
  EXPECT_EQ(AccessedClock(LruClock(kT0), AccessPolicy{}, kT0 + 5000, 0.5), LruClock(kT0 + 5000));
}

TEST(AccessClockTest, EvictionScorePrefersIdleOrRarelyUsedKeys) {
  const AccessPolicy lru{};
  EXPECT_GT(EvictionScore(LruClock(kT0), lru, kT0 + 10'000),
            EvictionScore(LruClock(kT0 + 5000), lru, kT0 + 10'000));
  const AccessPolicy lfu{.lfu = true};
  EXPECT_GT(EvictionScore(LfuClock(3, kT0), lfu, kT0), EvictionScore(LfuClock(30, kT0), lfu, kT0));
  EXPECT_EQ(EvictionScore(LfuClock(255, kT0), lfu, kT0), 0u);
}

}  // namespace
}  // namespace stashd::store
