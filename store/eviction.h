// The maxmemory policies the keyspace can evict by (Keyspace::Evict).
#pragma once
#include <iterator>
#include <optional>
#include <string_view>

namespace stashd::store {

// Redis's names. The LRU and LFU policies read the keys' access clocks
// (store/access_clock.h).
enum class EvictionPolicy : int {
  kNoEviction = 0,      // never evict: writes that may grow memory are refused
  kAllKeysRandom = 1,   // any key, picked at random
  kVolatileRandom = 2,  // a key with a deadline, picked at random
  kVolatileTtl = 3,     // the key with the nearest deadline
  kAllKeysLru = 4,      // the least recently used key (approximated by sampling)
  kVolatileLru = 5,     // the same among keys with a deadline
  kAllKeysLfu = 6,      // the least frequently used key (approximated by sampling)
  kVolatileLfu = 7,     // the same among keys with a deadline
};

inline constexpr std::string_view kEvictionPolicyNames[] = {
    "noeviction",  "allkeys-random", "volatile-random", "volatile-ttl",
    "allkeys-lru", "volatile-lru",   "allkeys-lfu",     "volatile-lfu"};

inline std::string_view EvictionPolicyName(EvictionPolicy p) {
  return kEvictionPolicyNames[static_cast<int>(p)];
}

// True for the policies that count accesses (the access clock then holds an
// LFU counter instead of the last access time).
inline bool IsLfuPolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

// `name` must be lowercase.
inline std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  for (int i = 0; i < static_cast<int>(std::size(kEvictionPolicyNames)); ++i) {
    if (kEvictionPolicyNames[i] == name) return static_cast<EvictionPolicy>(i);
  }
  return std::nullopt;
}

}  // namespace stashd::store
