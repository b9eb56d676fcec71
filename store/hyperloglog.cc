#include "store/hyperloglog.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace stashd::store::hll {
namespace {

constexpr int kIndexBits = 14;  // log2(kRegisters)
constexpr int kHashBits = 50;   // the hash bits left once the index is taken
constexpr uint64_t kSeed = 0xadc83b19ULL;
constexpr int kValMax = 32;                            // the largest value a sparse VAL can hold
constexpr int kValMaxRun = 4;                          // the longest run of a VAL
constexpr int kZeroMaxRun = 64;                        // the longest run of a ZERO (XZERO beyond)
constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)

// ---- sparse opcodes ----
bool IsZero(uint8_t b) { return (b & 0xc0) == 0x00; }
bool IsXZero(uint8_t b) { return (b & 0xc0) == 0x40; }
int ZeroRun(uint8_t b) { return (b & 0x3f) + 1; }
int XZeroRun(uint8_t b0, uint8_t b1) { return (((b0 & 0x3f) << 8) | b1) + 1; }
int ValValue(uint8_t b) { return ((b >> 2) & 0x1f) + 1; }
int ValRun(uint8_t b) { return (b & 0x3) + 1; }
char Val(int value, int run) { return static_cast<char>(0x80 | ((value - 1) << 2) | (run - 1)); }

// Appends the shortest zero-run opcode for `run` registers (at most 16384).
void PutZeros(std::string* out, int run) {
  if (run > kZeroMaxRun) {
    out->push_back(static_cast<char>(0x40 | ((run - 1) >> 8)));
    out->push_back(static_cast<char>((run - 1) & 0xff));
  } else {
    out->push_back(static_cast<char>(run - 1));
  }
}

// ---- dense registers ----
uint8_t* Regs(std::string* hll) { return reinterpret_cast<uint8_t*>(hll->data()) + kHeaderSize; }
const uint8_t* Regs(std::string_view hll) {
  return reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
}

uint8_t DenseGet(const uint8_t* regs, size_t i) {
  const size_t bit = i * 6;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  unsigned v = regs[byte] >> shift;
  if (shift > 2) v |= static_cast<unsigned>(regs[byte + 1]) << (8 - shift);
  return static_cast<uint8_t>(v & 63);
}

void DenseSet(uint8_t* regs, size_t i, uint8_t value) {
  const size_t bit = i * 6;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(63u << shift)) | (unsigned{value} << shift));
  if (shift > 2) {
    const unsigned rest = 8 - shift;  // bits in the next byte: 6 - rest
    regs[byte + 1] =
        static_cast<uint8_t>((regs[byte + 1] & ~(63u >> rest)) | (unsigned{value} >> rest));
  }
}

// The register an element goes to and the value it offers.
std::pair<size_t, uint8_t> Locate(std::string_view element) {
  uint64_t h = MurmurHash64A(element, kSeed);
  const size_t index = h & (kRegisters - 1);
  h >>= kIndexBits;
  h |= uint64_t{1} << kHashBits;  // at most kHashBits + 1
  return {index, static_cast<uint8_t>(std::countr_zero(h) + 1)};
}

// Calls fn(value, run) for each opcode of a sparse HLL, in register order;
// false if the opcodes do not cover exactly kRegisters registers (a VAL
// running past the end stops the walk).
template <typename Fn>
bool WalkSparse(std::string_view hll, Fn fn) {
  const auto* p = reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
  const auto* end = reinterpret_cast<const uint8_t*>(hll.data()) + hll.size();
  size_t index = 0;
  while (p < end) {
    if (IsZero(*p)) {
      const int run = ZeroRun(*p);
      fn(index, 0, run);
      index += static_cast<size_t>(run);
      p += 1;
    } else if (IsXZero(*p)) {
      if (p + 1 >= end) return false;
      const int run = XZeroRun(p[0], p[1]);
      fn(index, 0, run);
      index += static_cast<size_t>(run);
      p += 2;
    } else {
      const int run = ValRun(*p);
      if (index + static_cast<size_t>(run) > kRegisters) return false;
      fn(index, ValValue(*p), run);
      index += static_cast<size_t>(run);
      p += 1;
    }
    if (index > kRegisters) return false;
  }
  return index == kRegisters;
}

// Ertl's sigma and tau, as in the paper (and in Redis, operation for
// operation, so that estimates agree to the last digit).
double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prev;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prev;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prev != z);
  return z / 3;
}

uint64_t Estimate(const int (&histogram)[64]) {
  const double m = kRegisters;
  double z = m * Tau((m - histogram[kHashBits + 1]) / m);
  for (int j = kHashBits; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * Sigma(histogram[0] / m);
  return static_cast<uint64_t>(std::llroundl(kAlphaInf * m * m / z));
}

// Sets register `index` of a sparse HLL to `count` if that raises it,
// rewriting the opcode that covers it and then merging equal neighbours;
// turns the value dense when the register cannot be sparse or the value
// would outgrow `sparse_max_bytes`. 1 if changed, 0 if not, -1 if corrupt.
int SparseSet(std::string* hll, size_t index, uint8_t count, size_t sparse_max_bytes);

int Promote(std::string* hll, size_t index, uint8_t count) {
  if (!ToDense(hll)) return -1;
  uint8_t* regs = Regs(hll);
  if (DenseGet(regs, index) >= count) return 0;  // not reached: a register needed raising
  DenseSet(regs, index, count);
  return 1;
}

int SparseSet(std::string* hll, size_t index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kValMax) return Promote(hll, index, count);
  std::string& s = *hll;
  const size_t end = s.size();
  size_t pos = kHeaderSize;
  size_t prev = 0;  // the opcode before `pos`; 0 = none
  size_t first = 0;
  size_t span = 0;
  while (pos < end) {
    const auto b = static_cast<uint8_t>(s[pos]);
    size_t oplen = 1;
    if (IsZero(b)) {
      span = static_cast<size_t>(ZeroRun(b));
    } else if (!IsXZero(b)) {
      span = static_cast<size_t>(ValRun(b));
    } else {
      if (pos + 1 >= end) return -1;
      span = static_cast<size_t>(XZeroRun(b, static_cast<uint8_t>(s[pos + 1])));
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = pos;
    pos += oplen;
    first += span;
  }
  if (span == 0 || pos >= end) return -1;

  const auto op = static_cast<uint8_t>(s[pos]);
  const bool is_xzero = IsXZero(op);
  const bool is_zero = IsZero(op);
  const bool is_val = !is_xzero && !is_zero;
  if (is_val && count <= ValValue(op)) return 0;
  if (span == 1 && (is_val || is_zero)) {
    s[pos] = Val(count, 1);
  } else {
    // Split the run into: before `index`, `index` itself, after it.
    const size_t last = first + span - 1;
    std::string seq;
    if (is_val) {
      const int value = ValValue(op);
      if (index != first) seq.push_back(Val(value, static_cast<int>(index - first)));
      seq.push_back(Val(count, 1));
      if (index != last) seq.push_back(Val(value, static_cast<int>(last - index)));
    } else {
      if (index != first) PutZeros(&seq, static_cast<int>(index - first));
      seq.push_back(Val(count, 1));
      if (index != last) PutZeros(&seq, static_cast<int>(last - index));
    }
    const size_t oldlen = is_xzero ? 2 : 1;
    if (seq.size() > oldlen && s.size() + seq.size() - oldlen > sparse_max_bytes) {
      return Promote(hll, index, count);
    }
    s.replace(pos, oldlen, seq);
  }

  // Merge adjacent VALs of equal value, looking at up to 5 opcodes from the
  // one before the change (what Redis does, hence the same bytes).
  size_t p = prev != 0 ? prev : kHeaderSize;
  int scan = 5;
  while (p < s.size() && scan-- > 0) {
    const auto b = static_cast<uint8_t>(s[p]);
    if (IsXZero(b)) {
      p += 2;
      continue;
    }
    if (IsZero(b)) {
      p += 1;
      continue;
    }
    if (p + 1 < s.size()) {
      const auto next = static_cast<uint8_t>(s[p + 1]);
      if (!IsZero(next) && !IsXZero(next) && ValValue(b) == ValValue(next)) {
        const int run = ValRun(b) + ValRun(next);
        if (run <= kValMaxRun) {
          s[p + 1] = Val(ValValue(b), run);
          s.erase(p, 1);
          continue;
        }
      }
    }
    ++p;
  }
  return 1;
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  const size_t len = data.size();
  uint64_t h = seed ^ (len * m);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const auto* end = p + (len - (len & 7));
  for (; p != end; p += 8) {
    uint64_t k = 0;
    for (int i = 0; i < 8; ++i) k |= uint64_t{p[i]} << (8 * i);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t tail = len & 7;
  if (tail > 0) {
    for (size_t i = tail; i-- > 0;) h ^= uint64_t{p[i]} << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

bool IsHll(std::string_view s) {
  if (s.size() < kHeaderSize || s.substr(0, 4) != "HYLL") return false;
  const auto encoding = static_cast<uint8_t>(s[4]);
  if (encoding > kSparse) return false;
  return encoding != kDense || s.size() == kDenseSize;
}

std::string NewHll() {
  std::string s("HYLL", 4);
  s.push_back(static_cast<char>(kSparse));
  s.append(11, '\0');
  PutZeros(&s, static_cast<int>(kRegisters));
  return s;
}

int Add(std::string* hll, std::string_view element, size_t sparse_max_bytes) {
  const auto [index, count] = Locate(element);
  if (static_cast<uint8_t>((*hll)[4]) == kSparse) {
    return SparseSet(hll, index, count, sparse_max_bytes);
  }
  uint8_t* regs = Regs(hll);
  if (DenseGet(regs, index) >= count) return 0;
  DenseSet(regs, index, count);
  return 1;
}

std::optional<uint64_t> CachedCount(std::string_view hll) {
  if (static_cast<uint8_t>(hll[15]) & 0x80) return std::nullopt;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(hll[8 + i])} << (8 * i);
  return v;
}

void SetCachedCount(std::string* hll, uint64_t count) {
  for (int i = 0; i < 8; ++i) (*hll)[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
}

void InvalidateCache(std::string* hll) { (*hll)[15] = static_cast<char>((*hll)[15] | 0x80); }

std::optional<uint64_t> Count(std::string_view hll) {
  int histogram[64] = {0};
  if (static_cast<uint8_t>(hll[4]) == kDense) {
    const uint8_t* regs = Regs(hll);
    for (size_t i = 0; i < kRegisters; ++i) ++histogram[DenseGet(regs, i)];
  } else if (!WalkSparse(hll, [&](size_t, int value, int run) { histogram[value] += run; })) {
    return std::nullopt;
  }
  return Estimate(histogram);
}

uint64_t CountRegisters(const Registers& registers) {
  // A union of small HLLs leaves most registers at 0: eight of them are
  // counted with one 64-bit test, instead of eight increments of the same
  // histogram slot, each waiting for the one before it (PFCOUNT of several
  // keys spent 60% of its CPU here).
  int histogram[64] = {0};
  for (size_t i = 0; i < kRegisters; i += 8) {
    uint64_t word;
    std::memcpy(&word, registers.data() + i, sizeof word);
    if (word == 0) {
      histogram[0] += 8;
      continue;
    }
    for (size_t j = i; j < i + 8; ++j) ++histogram[registers[j] & 63];
  }
  return Estimate(histogram);
}

bool MergeInto(Registers* max, std::string_view hll) {
  if (static_cast<uint8_t>(hll[4]) == kDense) {
    const uint8_t* regs = Regs(hll);
    for (size_t i = 0; i < kRegisters; ++i) {
      (*max)[i] = std::max((*max)[i], DenseGet(regs, i));
    }
    return true;
  }
  return WalkSparse(hll, [&](size_t index, int value, int run) {
    if (value == 0) return;
    for (int j = 0; j < run; ++j) {
      uint8_t& r = (*max)[index + static_cast<size_t>(j)];
      r = std::max(r, static_cast<uint8_t>(value));
    }
  });
}

bool ToDense(std::string* hll) {
  if (static_cast<uint8_t>((*hll)[4]) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), hll->data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = static_cast<char>(kDense);
  uint8_t* regs = Regs(&dense);
  const bool ok = WalkSparse(*hll, [&](size_t index, int value, int run) {
    if (value == 0) return;
    for (int j = 0; j < run; ++j) {
      DenseSet(regs, index + static_cast<size_t>(j), static_cast<uint8_t>(value));
    }
  });
  if (!ok) return false;
  *hll = std::move(dense);
  return true;
}

bool RaiseTo(std::string* hll, const Registers& registers, size_t sparse_max_bytes) {
  for (size_t i = 0; i < kRegisters; ++i) {
    if (registers[i] == 0) continue;
    if (static_cast<uint8_t>((*hll)[4]) == kDense) {
      uint8_t* regs = Regs(hll);
      if (DenseGet(regs, i) < registers[i]) DenseSet(regs, i, registers[i]);
    } else if (SparseSet(hll, i, registers[i], sparse_max_bytes) < 0) {
      return false;
    }
  }
  return true;
}

}  // namespace stashd::store::hll
