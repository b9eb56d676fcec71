// The bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD) as
// operations over strings, apart from argument parsing and replies, which
// stay in server/commands/bitmap_family.cc.
//
// Bits are numbered from the most significant bit of the first byte: bit 0
// is 0x80 of byte 0, bit 9 is 0x40 of byte 1. A string is an infinite run of
// zero bits past its end. Writes go through Keyspace::PatchString, which
// changes the string in place when it does not grow (no copy of a large
// bitmap per SETBIT) and logs only the bytes written.
//
// Thread safety: as string_ops.h (the shard of every key locked by the
// caller); the range and bit-field helpers are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/keyspace.h"
#include "store/string_ops.h"

namespace stashd::store {

// ---- Pure helpers ----

// Redis's bit offset argument: a non-negative integer whose byte (offset / 8)
// is below `max_bytes` (proto-max-bulk-len). With `hash_bits` > 0, "#N"
// means N * hash_bits (BITFIELD's typed offsets). nullopt if invalid.
std::optional<uint64_t> ParseBitOffset(std::string_view arg, uint64_t max_bytes,
                                       uint32_t hash_bits = 0);

// A BITFIELD type: "i1".."i64" or "u1".."u63" (lower case).
struct BitfieldType {
  bool is_signed = false;
  uint32_t bits = 0;
};
std::optional<BitfieldType> ParseBitfieldType(std::string_view arg);

enum class RangeUnit : uint8_t { kByte, kBit };

// BITCOUNT over `s` from `start` to `end` inclusive (negative counting from
// the end, clamped), in bytes or bits; the whole string without a range.
uint64_t CountBits(std::string_view s, std::optional<std::pair<int64_t, int64_t>> range,
                   RangeUnit unit);

// BITPOS: the first bit equal to `bit` within the range (the whole string
// if `start` is absent; to the end if `end` is absent), or -1. Looking for a
// 0 with no end given finds the first bit past the string when the range
// holds only ones, as the string continues with zeros.
int64_t FindBit(std::string_view s, bool bit, std::optional<int64_t> start,
                std::optional<int64_t> end, RangeUnit unit);

enum class BitOp : uint8_t { kAnd, kOr, kXor, kNot };
// BITOP's result over `sources` (missing keys as empty strings): as long as
// the longest source, shorter ones padded with zeros.
std::string CombineBits(BitOp op, std::span<const std::string_view> sources);

// Reads `bits` bits from `offset` (zeros past the end of `s`), as unsigned.
uint64_t ReadBits(std::string_view s, uint64_t offset, uint32_t bits);

enum class Overflow : uint8_t { kWrap, kSat, kFail };

// The value a field of `type` takes for `value + incr` computed exactly:
// in range, or wrapped / saturated per `overflow`; nullopt for kFail on
// overflow. `value` is the field's current value (signed or unsigned per
// the type, in int64 bits), `incr` a signed increment; SET passes its
// argument as `value` and 0.
std::optional<int64_t> BitfieldResult(BitfieldType type, int64_t value, int64_t incr,
                                      Overflow overflow);

// ---- Operations. REQUIRE the shard of every key locked. ----

// SETBIT: sets bit `offset` of the string at `key` to `on` (growing it with
// zero bytes, creating the key), returns the previous bit and sets *changed
// when the string changed (a new key, a longer string or a different bit).
OpResult<bool> SetBit(Keyspace& ks, int db, std::string_view key, uint64_t offset, bool on,
                      bool* changed);

// GETBIT: bit `offset` of the string at `key` (0 past its end or if missing).
OpResult<bool> GetBit(Keyspace& ks, int db, std::string_view key, uint64_t offset);

// BITOP: stores CombineBits of the sources at `dest` (dropping its TTL), or
// deletes `dest` when the result is empty. Returns the result's length and
// sets *deleted when an existing `dest` was deleted.
OpResult<uint64_t> BitOpStore(Keyspace& ks, int db, BitOp op, std::string_view dest,
                              std::span<const std::string> sources, bool* deleted);

// One BITFIELD subcommand.
struct BitfieldOp {
  enum class Kind : uint8_t { kGet, kSet, kIncrBy } kind = Kind::kGet;
  BitfieldType type;
  uint64_t offset = 0;
  int64_t value = 0;  // kSet: the new value; kIncrBy: the increment
  Overflow overflow = Overflow::kWrap;
};

// BITFIELD: runs `ops` in order on the string at `key`. If any op writes,
// the string is first grown (or created) to hold the furthest written bit.
// One result per op: the value read (kGet), the old value (kSet), the new
// value (kIncrBy), nullopt for a write refused by OVERFLOW FAIL. Sets
// *changed if the string changed (created, grown, or a field written with a
// different value).
OpResult<std::vector<std::optional<int64_t>>> Bitfield(Keyspace& ks, int db, std::string_view key,
                                                       std::span<const BitfieldOp> ops,
                                                       bool* changed);

}  // namespace stashd::store
