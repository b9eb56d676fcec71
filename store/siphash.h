// SipHash-1-3 (Aumasson and Bernstein): a keyed 64-bit hash. Without the
// 128-bit key nobody can predict hashes or make keys collide on purpose,
// which is what protects the keyspace's hash-ordered index (and SCAN
// cursors) from clients who choose their key names.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>

namespace stashd::store {

struct HashSeed {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
  bool operator==(const HashSeed&) const = default;
};

uint64_t SipHash13(const HashSeed& seed, std::string_view data);

}  // namespace stashd::store
