#include "store/string_ops.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace stashd::store {
namespace {

// Redis refuses longer numbers outright (LONG_STR_SIZE, MAX_LONG_DOUBLE_CHARS).
constexpr size_t kMaxIntegerChars = 20;
constexpr size_t kMaxLongDoubleChars = 5 * 1024 - 1;

using StringLookup = OpResult<std::optional<std::string_view>>;

// The string at `key` without touching hit/miss statistics (Redis's
// lookupKeyWrite), for read-modify-write operations.
StringLookup FindForWrite(Keyspace& ks, int db, std::string_view key) {
  auto v = ks.Find(db, key, Keyspace::Lookup::kWrite);
  if (!v) return std::optional<std::string_view>();
  if (v->type != ValueType::kString) return OpError::kWrongType;
  return std::optional<std::string_view>(v->str);
}

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() > kMaxIntegerChars) return std::nullopt;
  if (s == "0") return 0;
  const bool negative = s[0] == '-';
  size_t i = negative ? 1 : 0;
  // The first digit must be 1-9: this rules out "", "-", "-0" and leading zeros.
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > uint64_t{1} << 63) return std::nullopt;
    return static_cast<int64_t>(0 - v);  // two's complement; 2^63 maps to INT64_MIN
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  if (s.empty() || s.size() > kMaxLongDoubleChars) return std::nullopt;
  // strtold skips leading spaces; Redis does not accept them.
  if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  const std::string buf(s);  // NUL-terminated for strtold
  char* end = nullptr;
  errno = 0;
  const long double v = std::strtold(buf.c_str(), &end);
  // Stopping early (including at an embedded NUL) means trailing garbage.
  if (end != buf.c_str() + buf.size()) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  if (errno == EINVAL || std::isnan(v)) return std::nullopt;
  return v;
}

std::string FormatDouble(double score) {
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  char buf[32];
  char* end = std::to_chars(buf, buf + sizeof(buf), score, std::chars_format::general, 17).ptr;
  return std::string(buf, end);
}

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty() || s.size() > 5119 || std::isspace(static_cast<unsigned char>(s[0]))) {
    return std::nullopt;
  }
  const std::string text(s);  // strtod needs a terminator
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) {
    return std::nullopt;
  }
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::string FormatLongDouble(long double v) {
  const int n = std::snprintf(nullptr, 0, "%.17Lf", v);
  std::string out(static_cast<size_t>(n), '\0');
  std::snprintf(out.data(), out.size() + 1, "%.17Lf", v);
  if (out.find('.') != std::string::npos) {
    const size_t last = out.find_last_not_of('0');
    out.resize(out[last] == '.' ? last : last + 1);
  }
  if (out == "-0") out = "0";
  return out;
}

std::string_view SubstringOf(std::string_view s, int64_t start, int64_t end) {
  const auto len = static_cast<int64_t>(s.size());
  // Both negative and inverted: empty, even where clamping would make them meet.
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return {};
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

StringLookup GetString(Keyspace& ks, int db, std::string_view key) {
  auto v = ks.Find(db, key, Keyspace::Lookup::kRead);
  if (!v) return std::optional<std::string_view>();
  if (v->type != ValueType::kString) return OpError::kWrongType;
  return std::optional<std::string_view>(v->str);
}

std::optional<OpError> StoreString(Keyspace& ks, int db, std::string_view key,
                                   std::string_view value, int64_t expire_at_ms, size_t room) {
  if (ks.ValueTooLarge(key, value.size()) != nullptr) return OpError::kScopeLimit;
  ks.SetString(db, key, value, expire_at_ms, room);
  return std::nullopt;
}

std::optional<OpError> RewriteString(Keyspace& ks, int db, std::string_view key,
                                     std::optional<std::string_view> old,
                                     std::string_view updated) {
  if (!old || old->size() != updated.size()) {
    const size_t room = old && updated.size() > old->size() ? Entry::GrowthRoom(updated.size()) : 0;
    return StoreString(ks, db, key, updated, old ? kKeepTtl : kNoExpiry, room);
  }
  // Runs of differing bytes, found before writing (a patch in place changes
  // what `old` views); runs closer than a record's overhead are joined.
  constexpr size_t kJoinGap = 16;
  std::vector<std::pair<size_t, size_t>> runs;  // [begin, end)
  const size_t n = updated.size();
  for (size_t i = 0; i < n;) {
    if ((*old)[i] == updated[i]) {
      // Skip equal stretches a block at a time (a dense HLL is 12 KB with a
      // few bytes changed).
      constexpr size_t kBlock = 64;
      while (i + kBlock <= n && std::memcmp(old->data() + i, updated.data() + i, kBlock) == 0) {
        i += kBlock;
      }
      while (i < n && (*old)[i] == updated[i]) ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < n && (*old)[j] != updated[j]) ++j;
    if (!runs.empty() && i - runs.back().second <= kJoinGap) {
      runs.back().second = j;
    } else {
      runs.emplace_back(i, j);
    }
    i = j;
  }
  for (auto [begin, end] : runs) {
    ks.PatchString(db, key, begin, updated.substr(begin, end - begin));
  }
  return std::nullopt;
}

OpResult<bool> SetIf(Keyspace& ks, int db, std::string_view key, std::string_view value,
                     SetCondition condition, int64_t expire_at_ms) {
  if (condition != SetCondition::kAlways) {
    const bool found = ks.Find(db, key, Keyspace::Lookup::kWrite).has_value();
    if (found != (condition == SetCondition::kIfExists)) return false;
  }
  if (auto err = StoreString(ks, db, key, value, expire_at_ms)) return *err;
  // Redis stores the value and lets it expire; deleting at once is the same
  // to every observer (watchers are told by the write) and frees the memory.
  if (expire_at_ms >= 0 && expire_at_ms < ks.clock().NowMs()) ks.Delete(db, key);
  return true;
}

OpResult<int64_t> IncrBy(Keyspace& ks, int db, std::string_view key, int64_t delta) {
  auto found = FindForWrite(ks, db, key);
  if (!found.ok()) return found.error();
  int64_t value = 0;
  if (found.value()) {
    auto parsed = ParseInt64(*found.value());
    if (!parsed) return OpError::kNotInteger;
    value = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(value, delta, &result)) return OpError::kOverflow;
  if (auto err = StoreString(ks, db, key, std::to_string(result), kKeepTtl)) return *err;
  return result;
}

OpResult<std::string> IncrByFloat(Keyspace& ks, int db, std::string_view key,
                                  std::string_view delta) {
  auto found = FindForWrite(ks, db, key);
  if (!found.ok()) return found.error();
  long double value = 0;
  if (found.value()) {
    auto parsed = ParseLongDouble(*found.value());
    if (!parsed) return OpError::kNotFloat;
    value = *parsed;
  }
  auto incr = ParseLongDouble(delta);
  if (!incr) return OpError::kNotFloat;
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) return OpError::kNanOrInfinity;
  std::string formatted = FormatLongDouble(value);
  if (auto err = StoreString(ks, db, key, formatted, kKeepTtl)) return *err;
  return formatted;
}

OpResult<uint64_t> Append(Keyspace& ks, int db, std::string_view key, std::string_view suffix,
                          uint64_t max_len) {
  auto found = FindForWrite(ks, db, key);
  if (!found.ok()) return found.error();
  if (!found.value()) {
    // A new key is just the argument, which the protocol already bounded.
    if (auto err = StoreString(ks, db, key, suffix, kNoExpiry)) return *err;
    return uint64_t{suffix.size()};
  }
  const size_t old_size = found.value()->size();
  if (suffix.size() > max_len || old_size > max_len - suffix.size()) return OpError::kTooLong;
  // A patch past the end: no copy of the value (in place while its block
  // has room), and the write log records only the suffix.
  if (ks.ValueTooLarge(key, old_size + suffix.size()) != nullptr) return OpError::kScopeLimit;
  ks.PatchString(db, key, old_size, suffix);  // an empty one still touches the key, as in Redis
  return uint64_t{old_size + suffix.size()};
}

OpResult<uint64_t> SetRange(Keyspace& ks, int db, std::string_view key, int64_t offset,
                            std::string_view patch, uint64_t max_len) {
  if (offset < 0) return OpError::kOffsetOutOfRange;
  auto found = FindForWrite(ks, db, key);
  if (!found.ok()) return found.error();
  std::string_view old = found.value().value_or(std::string_view());
  // Writing nothing reports the current length without checking the limit.
  if (patch.empty()) return uint64_t{old.size()};
  const auto start = static_cast<uint64_t>(offset);
  if (patch.size() > max_len || start > max_len - patch.size()) return OpError::kTooLong;
  std::string updated(old);
  if (updated.size() < start + patch.size()) updated.resize(start + patch.size(), '\0');
  updated.replace(start, patch.size(), patch);
  if (auto err = StoreString(ks, db, key, updated, found.value() ? kKeepTtl : kNoExpiry)) {
    return *err;
  }
  return uint64_t{updated.size()};
}

OpResult<std::string_view> GetRange(Keyspace& ks, int db, std::string_view key, int64_t start,
                                    int64_t end) {
  auto found = GetString(ks, db, key);
  if (!found.ok()) return found.error();
  if (!found.value()) return std::string_view();
  return SubstringOf(*found.value(), start, end);
}

uint64_t LcsTableBytes(size_t a_len, size_t b_len) {
  const unsigned __int128 cells = static_cast<unsigned __int128>(a_len + 1) * (b_len + 1);
  const unsigned __int128 bytes = cells * sizeof(uint32_t);
  return bytes > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(bytes);
}

LcsResult Lcs(std::string_view a, std::string_view b, bool want_common, bool want_ranges) {
  const size_t rows = a.size() + 1;
  const size_t cols = b.size() + 1;
  // table[i * cols + j]: the LCS length of a[0, i) and b[0, j).
  std::vector<uint32_t> table(rows * cols, 0);
  for (size_t i = 1; i < rows; ++i) {
    uint32_t* row = &table[i * cols];
    const uint32_t* up = row - cols;
    for (size_t j = 1; j < cols; ++j) {
      row[j] = a[i - 1] == b[j - 1] ? up[j - 1] + 1 : std::max(up[j], row[j - 1]);
    }
  }
  LcsResult result;
  result.length = table.back();
  if (!want_common && !want_ranges) return result;
  if (want_common) result.common.assign(result.length, '\0');
  // Walk back from the end: a match extends the current range backwards;
  // any step that is not a match closes it.
  size_t i = a.size();
  size_t j = b.size();
  size_t fill = result.length;
  bool open = false;
  LcsMatch range{};
  auto close = [&] {
    if (open && want_ranges) result.ranges.push_back(range);
    open = false;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      if (want_common) result.common[--fill] = a[i - 1];
      const auto ai = static_cast<uint32_t>(i - 1);
      const auto bj = static_cast<uint32_t>(j - 1);
      if (open && range.a_start == ai + 1 && range.b_start == bj + 1) {
        range.a_start = ai;
        range.b_start = bj;
      } else {
        close();
        range = LcsMatch{ai, ai, bj, bj};
        open = true;
      }
      --i;
      --j;
    } else {
      if (table[(i - 1) * cols + j] > table[i * cols + j - 1]) {
        --i;
      } else {
        --j;
      }
      close();
    }
  }
  close();
  return result;
}

OpResult<uint64_t> StrLen(Keyspace& ks, int db, std::string_view key) {
  auto found = GetString(ks, db, key);
  if (!found.ok()) return found.error();
  return uint64_t{found.value() ? found.value()->size() : 0};
}

}  // namespace stashd::store
