#include "store/siphash.h"

#include <bit>
#include <cstring>

namespace stashd::store {
namespace {

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

struct State {
  uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void Absorb(uint64_t m) {
    v3 ^= m;
    Round();  // c = 1 compression round
    v0 ^= m;
  }
};

}  // namespace

uint64_t SipHash13(const HashSeed& seed, std::string_view data) {
  State s{seed.k0 ^ 0x736f6d6570736575ULL, seed.k1 ^ 0x646f72616e646f6dULL,
          seed.k0 ^ 0x6c7967656e657261ULL, seed.k1 ^ 0x7465646279746573ULL};
  const char* p = data.data();
  size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) s.Absorb(Load64(p));
  uint64_t last = static_cast<uint64_t>(data.size()) << 56;
  for (size_t i = 0; i < n; ++i) last |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  s.Absorb(last);
  s.v2 ^= 0xff;
  s.Round();  // d = 3 finalization rounds
  s.Round();
  s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace stashd::store
