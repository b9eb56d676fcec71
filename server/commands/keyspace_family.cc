// The generic (keyspace) commands: DEL UNLINK EXISTS TYPE TOUCH, EXPIRE
// PEXPIRE EXPIREAT PEXPIREAT, TTL PTTL EXPIRETIME PEXPIRETIME, PERSIST, KEYS
// SCAN RANDOMKEY, RENAME RENAMENX COPY MOVE, DBSIZE FLUSHDB FLUSHALL SWAPDB.
//
// Per-key commands run with their keys' shards locked by the dispatcher; the
// whole-database ones carry kLockAll; SCAN is kSelfLocking because
// Keyspace::Scan locks one shard at a time, so a long iteration never holds
// the whole keyspace.
#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/acl.h"
#include "server/command.h"
#include "server/server_state.h"
#include "store/glob.h"
#include "store/keyspace.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

using store::Keyspace;

// ASCII case-insensitive equality, for option names (absl's takes
// absl::string_view, which is not std::string_view on this platform).
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return absl::ascii_tolower(static_cast<unsigned char>(x)) ==
                  absl::ascii_tolower(static_cast<unsigned char>(y));
         });
}

// Redis's getIntFromObject: a 64-bit integer that fits in an int.
bool ParseInt(std::string_view s, int* out) {
  std::optional<int64_t> v = store::ParseInt64(s);
  if (!v || *v < INT_MIN || *v > INT_MAX) return false;
  *out = static_cast<int>(*v);
  return true;
}

// SCAN's cursor is parsed with strtoull as Redis does: a leading '+' or '-'
// is accepted ("-1" wraps to 2^64-1), the empty string is 0, but leading
// spaces, trailing bytes and values beyond 2^64-1 are not.
bool ParseScanCursor(std::string_view s, uint64_t* out) {
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

// A KEYS / SCAN MATCH pattern. A bare "*" matches every key, the empty one
// included (the glob matcher never matches ""), as in Redis.
class KeyPattern {
 public:
  explicit KeyPattern(std::string_view pattern)
      : pattern_(pattern),
        all_(pattern == "*"),
        prefix_(all_ ? std::nullopt : store::LiteralPrefix(pattern)) {}

  // The literal prefix when the pattern is "<literal>*": the keyspace can
  // then visit only the matching keys, in key order.
  const std::optional<std::string_view>& prefix() const { return prefix_; }

  bool Matches(std::string_view key) const {
    if (all_) return true;
    if (prefix_) return !key.empty() && key.starts_with(*prefix_);
    return store::GlobMatch(pattern_, key);
  }

 private:
  std::string_view pattern_;
  bool all_;
  std::optional<std::string_view> prefix_;
};

void ReplyNotInteger(CommandContext& ctx) { ctx.reply.Error(errors::kNotInteger); }

// ---- DEL UNLINK EXISTS TOUCH TYPE ----

// DEL and UNLINK: a key named twice is deleted once.
void CmdDel(CommandContext& ctx) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.keyspace.Delete(ctx.db(), ctx.args[i])) ++deleted;
  }
  ctx.reply.Integer(deleted);
}

// EXISTS and TOUCH: a key named twice counts twice.
void CmdExists(CommandContext& ctx) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.keyspace.Find(ctx.db(), ctx.args[i], Keyspace::Lookup::kRead)) ++found;
  }
  ctx.reply.Integer(found);
}

void CmdType(CommandContext& ctx) {
  auto value = ctx.keyspace.Find(ctx.db(), ctx.args[1], Keyspace::Lookup::kRead);
  ctx.reply.SimpleString(value ? store::TypeName(value->type) : "none");
}

// ---- EXPIRE PEXPIRE EXPIREAT PEXPIREAT ----

enum class TimeUnit { kSeconds, kMilliseconds };
enum class TimeBase { kRelative, kAbsolute };

enum ExpireCondition : unsigned {
  kExpireNx = 1,  // only if the key has no deadline
  kExpireXx = 2,  // only if it has one
  kExpireGt = 4,  // only if the new deadline is later (no deadline = infinite)
  kExpireLt = 8,  // only if the new deadline is earlier
};

// Parses the NX XX GT LT options from args[3] on; false after replying an error.
bool ParseExpireConditions(CommandContext& ctx, unsigned* conditions) {
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string& opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "nx")) {
      *conditions |= kExpireNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      *conditions |= kExpireXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      *conditions |= kExpireGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      *conditions |= kExpireLt;
    } else {
      ctx.reply.Error(errors::Format(errors::kUnsupportedOption, {opt}));
      return false;
    }
  }
  if ((*conditions & kExpireNx) && (*conditions & (kExpireXx | kExpireGt | kExpireLt))) {
    ctx.reply.Error(errors::kExpireNxConflict);
    return false;
  }
  if ((*conditions & kExpireGt) && (*conditions & kExpireLt)) {
    ctx.reply.Error(errors::kExpireGtLtConflict);
    return false;
  }
  return true;
}

// Whether the conditions allow replacing `current` (kNoExpiry if none) by `when`.
bool ExpireAllowed(unsigned conditions, int64_t current, int64_t when) {
  bool has = current != store::kNoExpiry;
  if ((conditions & kExpireNx) && has) return false;
  if ((conditions & kExpireXx) && !has) return false;
  if ((conditions & kExpireGt) && (!has || when <= current)) return false;
  if ((conditions & kExpireLt) && has && when >= current) return false;
  return true;
}

template <TimeUnit unit, TimeBase base>
void CmdExpire(CommandContext& ctx) {
  unsigned conditions = 0;
  if (!ParseExpireConditions(ctx, &conditions)) return;
  std::optional<int64_t> parsed = store::ParseInt64(ctx.args[2]);
  if (!parsed) return ReplyNotInteger(ctx);
  int64_t when = *parsed;

  // Negative times are allowed (they delete the key), overflow is not.
  const int64_t now = ctx.keyspace.clock().NowMs();
  bool overflow = false;
  if (unit == TimeUnit::kSeconds) {
    overflow = when > INT64_MAX / 1000 || when < INT64_MIN / 1000;
    if (!overflow) when *= 1000;
  }
  const int64_t basetime = base == TimeBase::kRelative ? now : 0;
  if (overflow || when > INT64_MAX - basetime) {
    ctx.reply.Error(errors::Format(errors::kInvalidExpire, {absl::AsciiStrToLower(ctx.args[0])}));
    return;
  }
  when += basetime;

  auto value = ctx.keyspace.Find(ctx.db(), ctx.args[1]);
  if (!value || !ExpireAllowed(conditions, value->expire_at_ms, when)) {
    ctx.reply.Integer(0);
    return;
  }
  if (when <= now) {
    ctx.keyspace.Delete(ctx.db(), ctx.args[1]);
  } else {
    ctx.keyspace.SetExpire(ctx.db(), ctx.args[1], when);
  }
  ctx.reply.Integer(1);
}

// ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ----

// -2 if the key is missing, -1 if it has no deadline, else the time left
// (relative) or the deadline (absolute); seconds are rounded to nearest.
template <TimeUnit unit, TimeBase base>
void CmdTtl(CommandContext& ctx) {
  auto value = ctx.keyspace.Find(ctx.db(), ctx.args[1], Keyspace::Lookup::kRead);
  if (!value) {
    ctx.reply.Integer(-2);
    return;
  }
  if (value->expire_at_ms == store::kNoExpiry) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t ms = value->expire_at_ms;
  if (base == TimeBase::kRelative) ms -= ctx.keyspace.clock().NowMs();
  if (ms < 0) ms = 0;
  if (unit == TimeUnit::kMilliseconds) {
    ctx.reply.Integer(ms);
  } else {
    // Unsigned, so that a deadline near INT64_MAX rounds up as in Redis.
    ctx.reply.Integer(static_cast<int64_t>((static_cast<uint64_t>(ms) + 500) / 1000));
  }
}

void CmdPersist(CommandContext& ctx) {
  ctx.reply.Integer(ctx.keyspace.Persist(ctx.db(), ctx.args[1]) ? 1 : 0);
}

// ---- KEYS SCAN RANDOMKEY ----

void ReplyKeys(CommandContext& ctx, const std::vector<std::string>& keys) {
  ctx.reply.ArrayLen(keys.size());
  for (const std::string& key : keys) ctx.reply.Bulk(key);
}

// KEYS, SCAN and RANDOMKEY show a user restricted by key patterns only the
// keys it may read (a deliberate difference from Redis, see server/acl.h).
void CmdKeys(CommandContext& ctx) {
  KeyPattern pattern(ctx.args[1]);
  const AclUser* acl_filter = AclKeyFilter(ctx.client);
  std::vector<std::string> keys;
  auto collect = [&](std::string_view key, const store::ValueView&) {
    if (!pattern.Matches(key)) return;
    if (acl_filter != nullptr && !acl_filter->CanReadKey(key)) return;
    keys.emplace_back(key);
  };
  if (pattern.prefix()) {
    ctx.keyspace.ForEachKeyWithPrefix(ctx.db(), *pattern.prefix(), collect);
  } else {
    ctx.keyspace.ForEachKey(ctx.db(), collect);
  }
  ReplyKeys(ctx, keys);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]; a repeated option
// takes its last value.
void CmdScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.args[1], &cursor)) {
    ctx.reply.Error(errors::kInvalidCursor);
    return;
  }
  int64_t count = 10;
  std::optional<KeyPattern> pattern;
  std::optional<std::string_view> type;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    const std::string& opt = ctx.args[i];
    bool has_value = i + 1 < ctx.args.size();
    if (has_value && EqualsIgnoreCase(opt, "count")) {
      std::optional<int64_t> parsed = store::ParseInt64(ctx.args[i + 1]);
      if (!parsed) return ReplyNotInteger(ctx);
      count = *parsed;
      if (count < 1) {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    } else if (has_value && EqualsIgnoreCase(opt, "match")) {
      pattern.emplace(ctx.args[i + 1]);
    } else if (has_value && EqualsIgnoreCase(opt, "type")) {
      type = ctx.args[i + 1];
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }

  const AclUser* acl_filter = AclKeyFilter(ctx.client);
  std::vector<std::string> keys;
  auto collect = [&](std::string_view key, const store::ValueView& value) {
    if (pattern && !pattern->Matches(key)) return;
    if (type && !EqualsIgnoreCase(*type, store::TypeName(value.type))) return;
    if (acl_filter != nullptr && !acl_filter->CanReadKey(key)) return;
    keys.emplace_back(key);
  };
  // A literal-prefix MATCH visits only matching keys (same cursor space).
  uint64_t next = pattern && pattern->prefix()
                      ? ctx.keyspace.ScanPrefix(ctx.db(), cursor, *pattern->prefix(),
                                                static_cast<size_t>(count), collect)
                      : ctx.keyspace.Scan(ctx.db(), cursor, static_cast<size_t>(count), collect);
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(std::to_string(next));
  ReplyKeys(ctx, keys);
}

// DELPREFIX prefix [prefix ...]: deletes every key starting with one of the
// prefixes (glob characters are literal). Runs in bounded batches per shard
// (see Keyspace::DeletePrefix for the exact guarantee).
void CmdDelPrefix(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.args[i].empty()) {
      ctx.reply.Error(errors::kEmptyPrefix);
      return;
    }
  }
  uint64_t deleted = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    deleted += ctx.keyspace.DeletePrefix(ctx.db(), ctx.args[i]);
  }
  ctx.reply.Integer(static_cast<int64_t>(deleted));
}

// How many random keys RANDOMKEY draws for a user restricted by key patterns
// before giving up with nil: its cost stays a few microseconds even when the
// user can read none of a million keys.
constexpr int kRandomKeyAclSamples = 100;

void CmdRandomKey(CommandContext& ctx) {
  std::optional<std::string> key = ctx.keyspace.RandomKey(ctx.db());
  if (const AclUser* acl_filter = AclKeyFilter(ctx.client); acl_filter != nullptr) {
    for (int tries = 1; key && !acl_filter->CanReadKey(*key); ++tries) {
      key = tries < kRandomKeyAclSamples ? ctx.keyspace.RandomKey(ctx.db()) : std::nullopt;
    }
  }
  if (key) {
    ctx.reply.Bulk(*key);
  } else {
    ctx.reply.Null();
  }
}

// ---- RENAME RENAMENX COPY MOVE ----

enum class RenameMode { kReplace, kOnlyIfAbsent };

template <RenameMode mode>
void CmdRename(CommandContext& ctx) {
  const std::string& from = ctx.args[1];
  const std::string& to = ctx.args[2];
  constexpr bool nx = mode == RenameMode::kOnlyIfAbsent;
  if (!ctx.keyspace.Find(ctx.db(), from)) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  // Renaming a key to itself changes nothing, but RENAMENX still says 0.
  if (from == to || (nx && ctx.keyspace.Find(ctx.db(), to))) {
    if (nx) {
      ctx.reply.Integer(0);
    } else {
      ctx.reply.Ok();
    }
    return;
  }
  ctx.keyspace.Rename(ctx.db(), from, to);
  if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Ok();
  }
}

// Parses a database index for COPY DB / MOVE as Redis's getIntFromObject
// does, then checks it names a database; false after replying an error.
bool ParseDbIndex(CommandContext& ctx, std::string_view arg, int* db) {
  std::optional<int64_t> v = store::ParseInt64(arg);
  if (!v) {
    ReplyNotInteger(ctx);
    return false;
  }
  if (*v < INT_MIN || *v > INT_MAX) {
    ctx.reply.Error(errors::Format(errors::kValueOutOfRange,
                                   {std::to_string(INT_MIN), std::to_string(INT_MAX)}));
    return false;
  }
  if (*v < 0 || *v >= ctx.keyspace.databases()) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return false;
  }
  *db = static_cast<int>(*v);
  return true;
}

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CommandContext& ctx) {
  int dst_db = ctx.db();
  bool replace = false;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string& opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(opt, "db") && i + 1 < ctx.args.size()) {
      if (!ParseDbIndex(ctx, ctx.args[++i], &dst_db)) return;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (dst_db == ctx.db() && ctx.args[1] == ctx.args[2]) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  bool copied = ctx.keyspace.Copy(ctx.db(), ctx.args[1], dst_db, ctx.args[2], replace);
  ctx.reply.Integer(copied ? 1 : 0);
}

void CmdMove(CommandContext& ctx) {
  int dst_db;
  if (!ParseDbIndex(ctx, ctx.args[2], &dst_db)) return;
  if (dst_db == ctx.db()) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  ctx.reply.Integer(ctx.keyspace.Move(ctx.db(), dst_db, ctx.args[1]) ? 1 : 0);
}

// ---- DBSIZE FLUSHDB FLUSHALL SWAPDB ----

void CmdDbSize(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.keyspace.DbSize(ctx.db())));
}

// FLUSHDB / FLUSHALL take an optional ASYNC or SYNC. Both free memory at
// once: ASYNC only changes how Redis frees it, not what the client sees.
bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.args.size() == 1) return true;
  if (ctx.args.size() == 2 &&
      (EqualsIgnoreCase(ctx.args[1], "sync") || EqualsIgnoreCase(ctx.args[1], "async"))) {
    return true;
  }
  ctx.reply.Error(errors::kSyntax);
  return false;
}

void CmdFlushDb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.keyspace.FlushDb(ctx.db());
  ctx.reply.Ok();
}

void CmdFlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.keyspace.FlushAll();
  ctx.reply.Ok();
}

void CmdSwapDb(CommandContext& ctx) {
  int a, b;
  if (!ParseInt(ctx.args[1], &a)) {
    ctx.reply.Error(errors::kInvalidFirstDbIndex);
    return;
  }
  if (!ParseInt(ctx.args[2], &b)) {
    ctx.reply.Error(errors::kInvalidSecondDbIndex);
    return;
  }
  int n = ctx.keyspace.databases();
  if (a < 0 || a >= n || b < 0 || b >= n) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  ctx.keyspace.SwapDb(a, b);
  ctx.reply.Ok();
}

// ---- Registration ----

struct Docs {
  std::string summary;
  std::string since;
  std::string complexity;
};

// COMMAND INFO's key specs and tips, and the rest that is not the default.
struct Info {
  std::vector<std::string> key_specs = {};
  std::vector<std::string> tips = {};
  std::string group = "generic";
  std::vector<std::string> acl = {"@keyspace"};
};

CommandSpec Row(std::string name, int arity, uint32_t flags, int first, int last, int step,
                Handler handler, Docs docs, Info info) {
  CommandSpec s;
  s.name = std::move(name);
  s.arity = arity;
  s.flags = flags;
  s.first_key = first;
  s.last_key = last;
  s.step = step;
  s.handler = handler;
  s.acl_categories = std::move(info.acl);
  s.summary = std::move(docs.summary);
  s.since = std::move(docs.since);
  s.group = std::move(info.group);
  s.complexity = std::move(docs.complexity);
  s.key_spec_flags = std::move(info.key_specs);
  s.tips = std::move(info.tips);
  return s;
}

constexpr auto kSec = TimeUnit::kSeconds;
constexpr auto kMs = TimeUnit::kMilliseconds;
constexpr auto kRel = TimeBase::kRelative;
constexpr auto kAbs = TimeBase::kAbsolute;

// Tips, as Redis 7.0 lists them.
const char kMultiShard[] = "request_policy:multi_shard";
const char kAllShards[] = "request_policy:all_shards";
const char kAggSum[] = "response_policy:agg_sum";
const char kAllSucceeded[] = "response_policy:all_succeeded";
const char kNondeterministic[] = "nondeterministic_output";

}  // namespace

void RegisterKeyspaceFamily(CommandRegistry& r) {
  const std::vector<std::string> dangerous = {"@keyspace", "@dangerous"};

  r.Register(Row("del", -2, kWrite, 1, -1, 1, CmdDel,
                 {"Delete a key", "1.0.0",
                  "O(N) where N is the number of keys that will be removed. When a key to remove "
                  "holds a value other than a string, the individual complexity for this key is "
                  "O(M) where M is the number of elements in the list, set, sorted set or hash. "
                  "Removing a single key that holds a string value is O(1)."},
                 {.key_specs = {"RM delete"}, .tips = {kMultiShard, kAggSum}}));
  r.Register(Row("unlink", -2, kWrite | kFast, 1, -1, 1, CmdDel,
                 {"Delete a key asynchronously in another thread. Otherwise it is just as DEL, "
                  "but non blocking.",
                  "4.0.0",
                  "O(1) for each key removed regardless of its size. Then the command does O(N) "
                  "work in a different thread in order to reclaim memory, where N is the number "
                  "of allocations the deleted objects where composed of."},
                 {.key_specs = {"RM delete"}, .tips = {kMultiShard, kAggSum}}));
  r.Register(
      Row("exists", -2, kReadonly | kFast, 1, -1, 1, CmdExists,
          {"Determine if a key exists", "1.0.0", "O(N) where N is the number of keys to check."},
          {.key_specs = {"RO"}, .tips = {kMultiShard, kAggSum}}));
  r.Register(Row("touch", -2, kReadonly | kFast, 1, -1, 1, CmdExists,
                 {"Alters the last access time of a key(s). Returns the number of existing keys "
                  "specified.",
                  "3.2.1", "O(N) where N is the number of keys that will be touched."},
                 {.key_specs = {"RO"}, .tips = {kMultiShard, kAggSum}}));
  r.Register(Row("type", 2, kReadonly | kFast, 1, 1, 1, CmdType,
                 {"Determine the type stored at key", "1.0.0", "O(1)"}, {.key_specs = {"RO"}}));

  const Info expire_info = {.key_specs = {"RW update"}};
  r.Register(Row("expire", -3, kWrite | kFast, 1, 1, 1, CmdExpire<kSec, kRel>,
                 {"Set a key's time to live in seconds", "1.0.0", "O(1)"}, expire_info));
  r.Register(Row("pexpire", -3, kWrite | kFast, 1, 1, 1, CmdExpire<kMs, kRel>,
                 {"Set a key's time to live in milliseconds", "2.6.0", "O(1)"}, expire_info));
  r.Register(Row("expireat", -3, kWrite | kFast, 1, 1, 1, CmdExpire<kSec, kAbs>,
                 {"Set the expiration for a key as a UNIX timestamp", "1.2.0", "O(1)"},
                 expire_info));
  r.Register(Row("pexpireat", -3, kWrite | kFast, 1, 1, 1, CmdExpire<kMs, kAbs>,
                 {"Set the expiration for a key as a UNIX timestamp specified in milliseconds",
                  "2.6.0", "O(1)"},
                 expire_info));
  r.Register(Row("ttl", 2, kReadonly | kFast, 1, 1, 1, CmdTtl<kSec, kRel>,
                 {"Get the time to live for a key in seconds", "1.0.0", "O(1)"},
                 {.key_specs = {"RO access"}, .tips = {kNondeterministic}}));
  r.Register(Row("pttl", 2, kReadonly | kFast, 1, 1, 1, CmdTtl<kMs, kRel>,
                 {"Get the time to live for a key in milliseconds", "2.6.0", "O(1)"},
                 {.key_specs = {"RO access"}, .tips = {kNondeterministic}}));
  r.Register(Row("expiretime", 2, kReadonly | kFast, 1, 1, 1, CmdTtl<kSec, kAbs>,
                 {"Get the expiration Unix timestamp for a key", "7.0.0", "O(1)"},
                 {.key_specs = {"RO access"}}));
  r.Register(Row("pexpiretime", 2, kReadonly | kFast, 1, 1, 1, CmdTtl<kMs, kAbs>,
                 {"Get the expiration Unix timestamp for a key in milliseconds", "7.0.0", "O(1)"},
                 {.key_specs = {"RO access"}}));
  r.Register(Row("persist", 2, kWrite | kFast, 1, 1, 1, CmdPersist,
                 {"Remove the expiration from a key", "2.2.0", "O(1)"},
                 {.key_specs = {"RW update"}}));

  r.Register(Row("keys", 2, kReadonly | kLockAll, 0, 0, 0, CmdKeys,
                 {"Find all keys matching the given pattern", "1.0.0",
                  "O(N) with N being the number of keys in the database, under the assumption "
                  "that the key names in the database and the given pattern have limited length."},
                 {.tips = {kAllShards, "nondeterministic_output_order"}, .acl = dangerous}));
  r.Register(Row("scan", -2, kReadonly | kSelfLocking, 0, 0, 0, CmdScan,
                 {"Incrementally iterate the keys space", "2.8.0",
                  "O(1) for every call. O(N) for a complete iteration, including enough command "
                  "calls for the cursor to return back to 0. N is the number of elements inside "
                  "the collection."},
                 {.tips = {kNondeterministic, "request_policy:special"}}));
  r.Register(Row("delprefix", -2, kWrite | kSelfLocking, 0, 0, 0, CmdDelPrefix,
                 {"Delete every key starting with one of the given prefixes (stashd extension)",
                  "stashd 0.1.0",
                  "O(log(N) + M) per shard, where M is the number of keys deleted. Runs in "
                  "batches of at most 1024 keys per shard lock."},
                 {.acl = dangerous}));
  r.Register(Row("randomkey", 1, kReadonly | kLockAll, 0, 0, 0, CmdRandomKey,
                 {"Return a random key from the keyspace", "1.0.0", "O(1)"},
                 {.tips = {kAllShards, kNondeterministic}}));

  r.Register(Row("rename", 3, kWrite, 1, 2, 1, CmdRename<RenameMode::kReplace>,
                 {"Rename a key", "1.0.0", "O(1)"},
                 {.key_specs = {"RW access delete", "OW update"}}));
  r.Register(Row("renamenx", 3, kWrite | kFast, 1, 2, 1, CmdRename<RenameMode::kOnlyIfAbsent>,
                 {"Rename a key, only if the new key does not exist", "1.0.0", "O(1)"},
                 {.key_specs = {"RW access delete", "OW insert"}}));
  r.Register(Row("copy", -3, kWrite | kDenyOom, 1, 2, 1, CmdCopy,
                 {"Copy a key", "6.2.0",
                  "O(N) worst case for collections, where N is the number of nested items. O(1) "
                  "for string values."},
                 {.key_specs = {"RO access", "OW update"}}));
  r.Register(Row("move", 3, kWrite | kFast, 1, 1, 1, CmdMove,
                 {"Move a key to another database", "1.0.0", "O(1)"},
                 {.key_specs = {"RW access update"}}));

  r.Register(Row("dbsize", 1, kReadonly | kFast | kLockAll, 0, 0, 0, CmdDbSize,
                 {"Return the number of keys in the selected database", "1.0.0", "O(1)"},
                 {.tips = {kAllShards, kAggSum}, .group = "server"}));
  r.Register(Row("flushdb", -1, kWrite | kLockAll, 0, 0, 0, CmdFlushDb,
                 {"Remove all keys from the current database", "1.0.0",
                  "O(N) where N is the number of keys in the selected database"},
                 {.tips = {kAllShards, kAllSucceeded}, .group = "server", .acl = dangerous}));
  r.Register(Row("flushall", -1, kWrite | kLockAll, 0, 0, 0, CmdFlushAll,
                 {"Remove all keys from all databases", "1.0.0",
                  "O(N) where N is the total number of keys in all databases"},
                 {.tips = {kAllShards, kAllSucceeded}, .group = "server", .acl = dangerous}));
  r.Register(Row("swapdb", 3, kWrite | kFast | kLockAll, 0, 0, 0, CmdSwapDb,
                 {"Swaps two Redis databases", "4.0.0",
                  "O(N) where N is the count of clients watching or blocking on keys from both "
                  "databases."},
                 {.group = "server", .acl = dangerous}));
}

}  // namespace stashd::server
