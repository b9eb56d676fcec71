// The maxmemory policies the keyspace can evict by (Keyspace::Evict).
#pragma once
#include <optional>
#include <string_view>

namespace stashd::store {

// Redis's names. stashd keeps no per-key access clock, so it has no LRU or
// LFU policy: only those that need none.
enum class EvictionPolicy : int {
  kNoEviction = 0,      // never evict: writes that may grow memory are refused
  kAllKeysRandom = 1,   // any key, picked at random
  kVolatileRandom = 2,  // a key with a deadline, picked at random
  kVolatileTtl = 3,     // the key with the nearest deadline
};

inline constexpr std::string_view kEvictionPolicyNames[] = {"noeviction", "allkeys-random",
                                                            "volatile-random", "volatile-ttl"};

inline std::string_view EvictionPolicyName(EvictionPolicy p) {
  return kEvictionPolicyNames[static_cast<int>(p)];
}

// `name` must be lowercase.
inline std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kEvictionPolicyNames[i] == name) return static_cast<EvictionPolicy>(i);
  }
  return std::nullopt;
}

}  // namespace stashd::store
