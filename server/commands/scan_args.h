// The arguments every SCAN-family command shares (SCAN, SSCAN, HSCAN,
// ZSCAN): the cursor and the COUNT / MATCH / TYPE options, parsed and
// refused exactly as Redis's scanGenericCommand does; and the one body of
// SSCAN, HSCAN and ZSCAN (ScanCollection).
#pragma once

#include <absl/functional/function_ref.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "server/base/ascii.h"
#include "server/commands/collection_access.h"
#include "server/exec/command.h"
#include "store/glob.h"
#include "store/string_ops.h"

namespace stashd::server {

// Redis's parseScanCursorOrReply: an unsigned 64-bit number (strtoull, so a
// leading '-' wraps around); the empty string is 0.
inline bool ParseScanCursor(std::string_view s, uint64_t* out) {
  if (s.empty()) {
    *out = 0;
    return true;
  }
  bool negative = s[0] == '-';
  if (s[0] == '-' || s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] < '0' || s[0] > '9') return false;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  *out = negative ? ~v + 1 : v;
  return true;
}

struct ScanOptions {
  int64_t count = 10;
  std::optional<std::string_view> pattern;  // MATCH
  std::optional<std::string_view> type;     // TYPE (SCAN only)
};

// Parses the options from args[first] on; `allow_type` for SCAN. Replies the
// error and returns false on a bad option, count or a COUNT below 1.
inline bool ParseScanOptions(CommandContext& ctx, size_t first, bool allow_type, ScanOptions* out) {
  for (size_t i = first; i < ctx.args.size(); i += 2) {
    const auto& opt = ctx.args[i];
    const bool has_value = i + 1 < ctx.args.size();
    if (has_value && EqualsIgnoreCase(opt, "count")) {
      std::optional<int64_t> parsed = store::ParseInt64(ctx.args[i + 1]);
      if (!parsed) {
        ctx.reply.Error(errors::kNotInteger);
        return false;
      }
      out->count = *parsed;
      if (out->count < 1) {
        ctx.reply.Error(errors::kSyntax);
        return false;
      }
    } else if (has_value && EqualsIgnoreCase(opt, "match")) {
      out->pattern = ctx.args[i + 1];
    } else if (allow_type && has_value && EqualsIgnoreCase(opt, "type")) {
      out->type = ctx.args[i + 1];
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// What a collection's scan hands ScanCollection for each element it walks:
// its name (a member or field: what MATCH tests) and the value that follows
// it in the reply (a hash's value, a sorted set's score text; none for a set).
using ScanEmit =
    absl::FunctionRef<void(std::string_view name, std::optional<std::string_view> value)>;

// SSCAN, HSCAN and ZSCAN: `key cursor [MATCH pattern] [COUNT count]` over a
// collection of type T, as Redis's scanGenericCommand for one object. Replies
// "invalid cursor", WRONGTYPE, an empty scan for a missing key (before the
// options are looked at, as Redis), or [next cursor, elements], where
// `scan(object, cursor, count, emit)` runs the type's Scan, calls emit for
// each element and returns the next cursor. As in Redis, MATCH filters after
// the walk (COUNT bounds the elements walked, not those returned, so a call
// may return none with a non-zero cursor) and drops a value with its name.
template <typename T, typename ScanFn>
void ScanCollection(CommandContext& ctx, store::ValueType type, ScanFn scan) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.args[2], &cursor)) return ctx.reply.Error(errors::kInvalidCursor);
  bool wrong_type;
  const T* object = ReadCollection<T>(ctx, ctx.args[1], type, &wrong_type);
  if (wrong_type) return;
  if (object == nullptr) {
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk("0");
    ctx.reply.ArrayLen(0);
    return;
  }
  ScanOptions options;
  if (!ParseScanOptions(ctx, 3, /*allow_type=*/false, &options)) return;
  const bool match_all = !options.pattern || *options.pattern == "*";
  std::vector<std::string> items;  // names and values, as replied
  const uint64_t next = scan(*object, cursor, static_cast<size_t>(options.count),
                             [&](std::string_view name, std::optional<std::string_view> value) {
                               if (!match_all && !store::GlobMatch(*options.pattern, name)) return;
                               items.emplace_back(name);
                               if (value) items.emplace_back(*value);
                             });
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayLen(items.size());
  for (const std::string& item : items) ctx.reply.Bulk(item);
}

}  // namespace stashd::server
