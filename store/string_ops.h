// The semantics of the string commands (GET, SET, INCR, APPEND, SETRANGE ...)
// as operations over a Keyspace, apart from argument parsing and replies,
// which stay in server/commands/string_family.cc.
//
// Each operation returns a value or an OpError; the caller turns the error
// into Redis's text. Operations that fail change nothing.
//
// Thread safety: every function taking a Keyspace REQUIRES the shard of `key`
// locked by the caller (see keyspace.h). The parsing and formatting helpers
// are pure.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "store/entry.h"
#include "store/keyspace.h"

namespace stashd::store {

enum class OpError : uint8_t {
  kWrongType,         // the key holds a value that is not a string
  kNotInteger,        // the stored value is not a 64-bit integer
  kNotFloat,          // the stored value or the increment is not a valid float
  kOverflow,          // an integer increment would leave the 64-bit range
  kNanOrInfinity,     // a float increment would produce NaN or an infinity
  kTooLong,           // the result would be longer than the size limit
  kOffsetOutOfRange,  // a negative SETRANGE offset
  kScopeLimit,        // the value is larger than its bot scope allows (Keyspace::ValueTooLarge)
  kNotHll,            // a string that is not a HyperLogLog (PFADD, PFCOUNT, PFMERGE)
  kCorruptHll,        // a HyperLogLog whose sparse opcodes do not add up
};

// A value of type T or an OpError.
template <typename T>
class OpResult {
 public:
  OpResult(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  OpResult(OpError error) : v_(error) {}       // NOLINT

  bool ok() const { return v_.index() == 0; }
  // REQUIRES: ok()
  const T& value() const {
    assert(ok());
    return std::get<0>(v_);
  }
  // REQUIRES: !ok()
  OpError error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, OpError> v_;
};

// ---- Parsing and formatting, exactly as Redis does it. ----

// Redis's string2ll: an optional '-' then decimal digits, without leading
// zeros, '+', spaces or "-0"; at most 20 bytes; within the int64 range.
std::optional<int64_t> ParseInt64(std::string_view s);

// Redis's string2ld: what strtold accepts (decimal, hex, "inf", "infinity"),
// consuming every byte, with no leading space; rejects "nan", overflow, and
// underflow to zero; at most 5119 bytes.
std::optional<long double> ParseLongDouble(std::string_view s);

// Redis's human-friendly long double format (INCRBYFLOAT): "%.17Lf" with the
// trailing zeros and a trailing '.' removed, "-0" written "0". REQUIRES: v is
// finite.
std::string FormatLongDouble(long double v);

// Redis's getDoubleFromObject: strtod over the whole text, no leading space,
// "inf"/"-inf" accepted; nullopt for NaN, overflow, underflow to zero or
// garbage (the sorted set scores, ZADD, ZINCRBY, WEIGHTS).
std::optional<double> ParseDouble(std::string_view s);

// Redis's addReplyDouble text: "inf", "-inf", otherwise "%.17g" (which
// ParseDouble reads back to the same double). REQUIRES: !isnan(v).
std::string FormatDouble(double v);

// GETRANGE's index math: the bytes of `s` from `start` to `end` inclusive,
// negative indexes counting from the end, clamped to the string.
std::string_view SubstringOf(std::string_view s, int64_t start, int64_t end);

// ---- Operations. REQUIRE the shard of `key` locked. ----

// The string at `key` (counted as a read in keyspace hits/misses); nullopt if
// the key is missing. The view is valid until the key is next written.
OpResult<std::optional<std::string_view>> GetString(Keyspace& ks, int db, std::string_view key);

enum class SetCondition : uint8_t { kAlways, kIfMissing, kIfExists };

// Every string write goes through this: kScopeLimit (and nothing written) if
// the key's scope refuses a value that large, else Keyspace::SetString.
// `room`: see Keyspace::SetString (edits that grow a value pass
// Entry::GrowthRoom).
std::optional<OpError> StoreString(Keyspace& ks, int db, std::string_view key,
                                   std::string_view value, int64_t expire_at_ms, size_t room = 0);

// Stores `updated` at `key`, which holds the string `old` (nullopt: the key
// is missing), keeping its TTL: when the length is unchanged only the runs of
// bytes that differ are written (Keyspace::PatchString: in place, and the log
// records those bytes), otherwise the whole value. kScopeLimit (nothing
// written) if the key's scope refuses the new size. `old` may view the live
// value.
std::optional<OpError> RewriteString(Keyspace& ks, int db, std::string_view key,
                                     std::optional<std::string_view> old, std::string_view updated);

// SET's write: stores `value` unless `condition` says otherwise, with
// `expire_at_ms` an absolute deadline, kNoExpiry or kKeepTtl. A deadline
// already past leaves the key deleted, as if it had expired at once. Returns
// whether the value was written.
OpResult<bool> SetIf(Keyspace& ks, int db, std::string_view key, std::string_view value,
                     SetCondition condition, int64_t expire_at_ms);

// INCRBY: adds `delta` to the integer at `key` (0 if missing) and returns the
// result. Keeps the key's TTL.
OpResult<int64_t> IncrBy(Keyspace& ks, int db, std::string_view key, int64_t delta);

// INCRBYFLOAT: adds the float in `delta` to the float at `key` (0 if missing)
// and returns the new value as stored. The stored value is checked before
// `delta`. Keeps the key's TTL.
OpResult<std::string> IncrByFloat(Keyspace& ks, int db, std::string_view key,
                                  std::string_view delta);

// APPEND: appends `suffix` (creating the key if missing) and returns the new
// length. kTooLong if the result would exceed `max_len`. Keeps the TTL.
OpResult<uint64_t> Append(Keyspace& ks, int db, std::string_view key, std::string_view suffix,
                          uint64_t max_len);

// SETRANGE: overwrites the string from `offset` on with `patch`, padding with
// zero bytes, and returns the new length. An empty patch changes nothing (and
// creates no key). kTooLong if the result would exceed `max_len`. Keeps the TTL.
OpResult<uint64_t> SetRange(Keyspace& ks, int db, std::string_view key, int64_t offset,
                            std::string_view patch, uint64_t max_len);

// GETRANGE: SubstringOf the string at `key`; empty if the key is missing.
OpResult<std::string_view> GetRange(Keyspace& ks, int db, std::string_view key, int64_t start,
                                    int64_t end);

// LCS: the longest common subsequence of `a` and `b` by the classic dynamic
// program, walked back from the end as Redis 7.0 walks it, so that the
// string and the matched ranges are the ones Redis picks.
struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;  // inclusive positions
};
struct LcsResult {
  uint32_t length = 0;
  std::string common;            // with `want_common`
  std::vector<LcsMatch> ranges;  // with `want_ranges`: from the end backwards
};
// The bytes the table takes for strings of these lengths (LCS refuses more
// than proto-max-bulk-len, as Redis does); UINT64_MAX if it overflows.
uint64_t LcsTableBytes(size_t a_len, size_t b_len);
LcsResult Lcs(std::string_view a, std::string_view b, bool want_common, bool want_ranges);

// STRLEN: the length of the string at `key`; 0 if missing.
OpResult<uint64_t> StrLen(Keyspace& ks, int db, std::string_view key);

}  // namespace stashd::store
