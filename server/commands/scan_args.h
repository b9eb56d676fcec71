// The arguments every SCAN-family command shares (SCAN, HSCAN, and later
// SSCAN, ZSCAN): the cursor and the COUNT / MATCH / TYPE options, parsed and
// refused exactly as Redis's scanGenericCommand does.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/errors.h"
#include "server/base/ascii.h"
#include "server/exec/command.h"
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

}  // namespace stashd::server
