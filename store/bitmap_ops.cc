#include "store/bitmap_ops.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace stashd::store {
namespace {

uint8_t Byte(std::string_view s, uint64_t i) {
  return i < s.size() ? static_cast<uint8_t>(s[i]) : 0;
}

// Counts the set bits of n bytes at p, 8 at a time. Built twice: with the
// POPCNT instruction (chosen at run time where the CPU has it) and without.
__attribute__((target("popcnt"))) uint64_t PopcountHw(const unsigned char* p, uint64_t n) {
  uint64_t count = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    count += static_cast<uint64_t>(__builtin_popcountll(w));
  }
  while (n-- > 0) count += static_cast<uint64_t>(__builtin_popcount(*p++));
  return count;
}

uint64_t PopcountSw(const unsigned char* p, uint64_t n) {
  uint64_t count = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    count += static_cast<uint64_t>(std::popcount(w));
  }
  while (n-- > 0) count += static_cast<uint64_t>(std::popcount(*p++));
  return count;
}

// Counts the set bits of bytes [from, to] of `s` (REQUIRES to < s.size()).
uint64_t Popcount(std::string_view s, uint64_t from, uint64_t to) {
  static const bool hw = __builtin_cpu_supports("popcnt");
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + from;
  return hw ? PopcountHw(p, to - from + 1) : PopcountSw(p, to - from + 1);
}

// The first bit equal to `bit` in bits [from, to] of `s` (REQUIRES to <
// 8 * s.size()), or -1.
int64_t SearchBit(std::string_view s, bool bit, uint64_t from, uint64_t to) {
  const uint8_t skip = bit ? 0x00 : 0xff;  // a byte holding no wanted bit
  uint64_t i = from;
  while (i <= to) {
    const uint64_t byte = i >> 3;
    if ((i & 7) == 0 && i + 7 <= to) {
      // Whole bytes: skip those without the bit, a word at a time.
      uint64_t b = byte;
      const uint64_t last_whole = (to + 1) / 8;  // first byte not wholly inside
      const uint64_t skip_word = bit ? 0 : ~uint64_t{0};
      while (b + 8 <= last_whole) {
        uint64_t w;
        std::memcpy(&w, s.data() + b, 8);
        if (w != skip_word) break;
        b += 8;
      }
      while (b < last_whole && static_cast<uint8_t>(s[b]) == skip) ++b;
      if (b >= last_whole) {
        i = last_whole * 8;
        continue;
      }
      const uint8_t v = static_cast<uint8_t>(s[b]);
      const uint8_t wanted = bit ? v : static_cast<uint8_t>(~v);
      return static_cast<int64_t>(b * 8 + static_cast<uint64_t>(std::countl_zero(wanted)));
    }
    const bool v = (static_cast<uint8_t>(s[byte]) & (0x80 >> (i & 7))) != 0;
    if (v == bit) return static_cast<int64_t>(i);
    ++i;
  }
  return -1;
}

// Resolves a BITCOUNT/BITPOS range as Redis does: negative indexes from the
// end, clamped to [0, total - 1]. Returns false for an empty range.
bool ClampRange(int64_t total, int64_t* start, int64_t* end) {
  if (*start < 0) *start += total;
  if (*end < 0) *end += total;
  if (*start < 0) *start = 0;
  if (*end < 0) *end = 0;
  if (*end >= total) *end = total - 1;
  return *start <= *end;
}

// Reads a field MSB first through `byte_at`.
template <typename ByteAt>
uint64_t ReadField(ByteAt byte_at, uint64_t offset, uint32_t bits) {
  uint64_t v = 0;
  for (uint32_t j = 0; j < bits; ++j) {
    const uint64_t i = offset + j;
    const uint64_t b = (byte_at(i >> 3) >> (7 - (i & 7))) & 1;
    v = (v << 1) | b;
  }
  return v;
}

int64_t AsFieldValue(BitfieldType type, uint64_t raw) {
  if (type.is_signed && type.bits < 64 && (raw >> (type.bits - 1)) & 1) {
    raw |= ~uint64_t{0} << type.bits;  // sign-extend
  }
  return static_cast<int64_t>(raw);
}

}  // namespace

std::optional<uint64_t> ParseBitOffset(std::string_view arg, uint64_t max_bytes,
                                       uint32_t hash_bits) {
  const bool by_type = hash_bits > 0 && !arg.empty() && arg[0] == '#';
  auto v = ParseInt64(by_type ? arg.substr(1) : arg);
  if (!v) return std::nullopt;
  int64_t offset = *v;
  if (by_type && __builtin_mul_overflow(offset, static_cast<int64_t>(hash_bits), &offset)) {
    return std::nullopt;
  }
  if (offset < 0 || static_cast<uint64_t>(offset >> 3) >= max_bytes) return std::nullopt;
  return static_cast<uint64_t>(offset);
}

std::optional<BitfieldType> ParseBitfieldType(std::string_view arg) {
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u')) return std::nullopt;
  const bool is_signed = arg[0] == 'i';
  auto bits = ParseInt64(arg.substr(1));
  if (!bits || *bits < 1 || *bits > (is_signed ? 64 : 63)) return std::nullopt;
  return BitfieldType{is_signed, static_cast<uint32_t>(*bits)};
}

uint64_t CountBits(std::string_view s, std::optional<std::pair<int64_t, int64_t>> range,
                   RangeUnit unit) {
  if (!range) return s.empty() ? 0 : Popcount(s, 0, s.size() - 1);
  int64_t start = range->first;
  int64_t end = range->second;
  const auto len = static_cast<int64_t>(s.size());
  if (!ClampRange(unit == RangeUnit::kBit ? len * 8 : len, &start, &end)) return 0;
  if (unit == RangeUnit::kByte) {
    return Popcount(s, static_cast<uint64_t>(start), static_cast<uint64_t>(end));
  }
  const auto first = static_cast<uint64_t>(start);
  const auto last = static_cast<uint64_t>(end);
  uint64_t count = Popcount(s, first >> 3, last >> 3);
  // Take out the bits of the edge bytes that lie outside the range.
  const auto outside_first = static_cast<uint8_t>(~(0xffu >> (first & 7)));
  const auto outside_last = static_cast<uint8_t>(0xffu >> ((last & 7) + 1));
  count -=
      static_cast<uint64_t>(std::popcount(static_cast<uint8_t>(s[first >> 3] & outside_first)));
  count -= static_cast<uint64_t>(std::popcount(static_cast<uint8_t>(s[last >> 3] & outside_last)));
  return count;
}

int64_t FindBit(std::string_view s, bool bit, std::optional<int64_t> start,
                std::optional<int64_t> end, RangeUnit unit) {
  const auto len = static_cast<int64_t>(s.size());
  int64_t first = 0;
  int64_t last = len - 1;
  if (start) {
    first = *start;
    last = end ? *end : (unit == RangeUnit::kBit ? len * 8 + 7 : len - 1);
    if (!ClampRange(unit == RangeUnit::kBit ? len * 8 : len, &first, &last)) return -1;
  } else if (first > last) {
    return -1;  // an empty string holds neither a 0 nor a 1
  }
  if (unit == RangeUnit::kByte) {
    first *= 8;
    last = last * 8 + 7;
  }
  const int64_t pos = SearchBit(s, bit, static_cast<uint64_t>(first), static_cast<uint64_t>(last));
  if (pos >= 0 || bit) return pos;
  // Only ones in the range: past an explicit end there is nothing to find;
  // without one the string goes on with zero bits.
  return end ? -1 : last + 1;
}

std::string CombineBits(BitOp op, std::span<const std::string_view> sources) {
  size_t max_len = 0;
  for (std::string_view s : sources) max_len = std::max(max_len, s.size());
  std::string out(max_len, '\0');
  if (max_len == 0) return out;
  if (op == BitOp::kNot) {
    for (size_t i = 0; i < max_len; ++i) out[i] = static_cast<char>(~sources[0][i]);
    return out;
  }
  // The first source as it is (zero-padded), then each further one folded in.
  std::memcpy(out.data(), sources[0].data(), sources[0].size());
  for (size_t k = 1; k < sources.size(); ++k) {
    std::string_view s = sources[k];
    switch (op) {
      case BitOp::kAnd:
        for (size_t i = 0; i < s.size(); ++i) out[i] = static_cast<char>(out[i] & s[i]);
        std::memset(out.data() + s.size(), 0, max_len - s.size());
        break;
      case BitOp::kOr:
        for (size_t i = 0; i < s.size(); ++i) out[i] = static_cast<char>(out[i] | s[i]);
        break;
      case BitOp::kXor:
        for (size_t i = 0; i < s.size(); ++i) out[i] = static_cast<char>(out[i] ^ s[i]);
        break;
      case BitOp::kNot:
        break;
    }
  }
  return out;
}

uint64_t ReadBits(std::string_view s, uint64_t offset, uint32_t bits) {
  return ReadField([s](uint64_t i) { return Byte(s, i); }, offset, bits);
}

std::optional<int64_t> BitfieldResult(BitfieldType type, int64_t value, int64_t incr,
                                      Overflow overflow) {
  __int128 lo;
  __int128 hi;
  __int128 sum;
  if (type.is_signed) {
    hi = (static_cast<__int128>(1) << (type.bits - 1)) - 1;
    lo = -hi - 1;
    sum = static_cast<__int128>(value) + incr;
  } else {
    hi = (static_cast<__int128>(1) << type.bits) - 1;
    lo = 0;
    sum = static_cast<__int128>(static_cast<uint64_t>(value)) + incr;
  }
  if (sum >= lo && sum <= hi) return static_cast<int64_t>(sum);
  switch (overflow) {
    case Overflow::kFail:
      return std::nullopt;
    case Overflow::kSat:
      return static_cast<int64_t>(sum > hi ? hi : lo);
    case Overflow::kWrap:
      break;
  }
  // Keep the low `bits` bits (two's complement), sign-extended if signed.
  auto raw = static_cast<uint64_t>(sum);
  if (type.bits < 64) raw &= ~(~uint64_t{0} << type.bits);
  return type.is_signed ? AsFieldValue(type, raw) : static_cast<int64_t>(raw);
}

OpResult<bool> SetBit(Keyspace& ks, int db, std::string_view key, uint64_t offset, bool on,
                      bool* changed) {
  *changed = false;
  auto v = ks.Find(db, key, Keyspace::Lookup::kWrite);
  if (v && v->type != ValueType::kString) return OpError::kWrongType;
  const std::string_view s = v ? v->str : std::string_view();
  const uint64_t byte = offset >> 3;
  const auto mask = static_cast<uint8_t>(0x80 >> (offset & 7));
  const bool grows = !v || byte >= s.size();
  const uint8_t old = Byte(s, byte);
  const bool was = (old & mask) != 0;
  if (!grows && was == on) return was;
  if (grows && ks.ValueTooLarge(key, byte + 1) != nullptr) return OpError::kScopeLimit;
  const auto updated = static_cast<char>(on ? old | mask : old & ~mask);
  ks.PatchString(db, key, byte, std::string_view(&updated, 1));
  *changed = true;
  return was;
}

OpResult<bool> GetBit(Keyspace& ks, int db, std::string_view key, uint64_t offset) {
  auto found = GetString(ks, db, key);
  if (!found.ok()) return found.error();
  if (!found.value()) return false;
  return (Byte(*found.value(), offset >> 3) & (0x80 >> (offset & 7))) != 0;
}

OpResult<uint64_t> BitOpStore(Keyspace& ks, int db, BitOp op, std::string_view dest,
                              std::span<const std::string> sources, bool* deleted) {
  *deleted = false;
  std::vector<std::string_view> values;
  values.reserve(sources.size());
  for (std::string_view key : sources) {
    auto found = GetString(ks, db, key);
    if (!found.ok()) return found.error();
    values.push_back(found.value().value_or(std::string_view()));
  }
  // The views stay valid: nothing is written until the result is built.
  std::string result = CombineBits(op, values);
  if (result.empty()) {
    *deleted = ks.Delete(db, dest);
    return uint64_t{0};
  }
  if (auto err = StoreString(ks, db, dest, result, kNoExpiry)) return *err;
  return uint64_t{result.size()};
}

OpResult<std::vector<std::optional<int64_t>>> Bitfield(Keyspace& ks, int db, std::string_view key,
                                                       std::span<const BitfieldOp> ops,
                                                       bool* changed) {
  *changed = false;
  uint64_t lo = UINT64_MAX;  // the bytes the writes touch: [lo, hi]
  uint64_t hi = 0;
  for (const BitfieldOp& op : ops) {
    if (op.kind == BitfieldOp::Kind::kGet) continue;
    lo = std::min(lo, op.offset >> 3);
    hi = std::max(hi, (op.offset + op.type.bits - 1) >> 3);
  }
  const bool writes = lo != UINT64_MAX;
  auto v = ks.Find(db, key, writes ? Keyspace::Lookup::kWrite : Keyspace::Lookup::kRead);
  if (v && v->type != ValueType::kString) return OpError::kWrongType;
  const std::string_view s = v ? v->str : std::string_view();
  // Created or grown: Redis counts that as a change for every write.
  const bool grows = writes && (!v || hi >= s.size());
  if (grows && ks.ValueTooLarge(key, hi + 1) != nullptr) return OpError::kScopeLimit;

  // The written bytes are edited in a window; reads see the window's bytes.
  std::string window;
  if (writes) {
    window.assign(hi - lo + 1, '\0');
    for (uint64_t i = lo; i <= hi && i < s.size(); ++i) window[i - lo] = s[i];
  }
  auto byte_at = [&](uint64_t i) -> uint8_t {
    if (writes && i >= lo && i <= hi) return static_cast<uint8_t>(window[i - lo]);
    return Byte(s, i);
  };
  std::vector<std::optional<int64_t>> results;
  results.reserve(ops.size());
  for (const BitfieldOp& op : ops) {
    const int64_t old = AsFieldValue(op.type, ReadField(byte_at, op.offset, op.type.bits));
    if (op.kind == BitfieldOp::Kind::kGet) {
      results.emplace_back(old);
      continue;
    }
    const bool incr = op.kind == BitfieldOp::Kind::kIncrBy;
    auto next = incr ? BitfieldResult(op.type, old, op.value, op.overflow)
                     : BitfieldResult(op.type, op.value, 0, op.overflow);
    if (!next) {
      results.emplace_back(std::nullopt);
      continue;
    }
    results.emplace_back(incr ? *next : old);
    for (uint32_t j = 0; j < op.type.bits; ++j) {
      const uint64_t i = op.offset + j;
      const bool bit = (static_cast<uint64_t>(*next) >> (op.type.bits - 1 - j)) & 1;
      char& b = window[(i >> 3) - lo];
      const auto mask = static_cast<char>(0x80 >> (i & 7));
      b = static_cast<char>(bit ? b | mask : b & ~mask);
    }
    if (grows || *next != old) *changed = true;
  }
  if (grows || (writes && std::string_view(window) !=
                              s.substr(std::min<uint64_t>(lo, s.size()), hi - lo + 1))) {
    ks.PatchString(db, key, lo, window);
  }
  return results;
}

}  // namespace stashd::store
