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
#include "server/acl/acl.h"
#include "server/base/ascii.h"
#include "server/commands/scan_args.h"
#include "server/commands/scope_reply.h"
#include "server/exec/command.h"
#include "server/exec/command_runner.h"
#include "server/server_state.h"
#include "store/access_clock.h"
#include "store/glob.h"
#include "store/keyspace.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

using store::Keyspace;

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
// DEL, and UNLINK (`lazy`: large values are freed in the background).
void DeleteKeys(CommandContext& ctx, bool lazy) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.keyspace.Delete(ctx.db(), ctx.args[i], lazy)) {
      ++deleted;
      ctx.Notify(kNotifyGeneric, "del", ctx.args[i]);
    }
  }
  ctx.reply.Integer(deleted);
}

void CmdDel(CommandContext& ctx) { DeleteKeys(ctx, /*lazy=*/false); }
void CmdUnlink(CommandContext& ctx) { DeleteKeys(ctx, /*lazy=*/true); }

// EXISTS and TOUCH: a key named twice counts twice. TOUCH is an access
// (updates the keys' access clocks), EXISTS is not.
template <Keyspace::Lookup kMode>
void CmdExists(CommandContext& ctx) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.keyspace.Find(ctx.db(), ctx.args[i], kMode)) ++found;
  }
  ctx.reply.Integer(found);
}

void CmdType(CommandContext& ctx) {
  auto value = ctx.keyspace.Find(ctx.db(), ctx.args[1], Keyspace::Lookup::kReadNoTouch);
  ctx.reply.SimpleString(value ? store::TypeName(value->type) : "none");
}

// ---- OBJECT ----

// The encoding Redis would give a string: "int" for a 64-bit integer in
// canonical form of at most 20 characters, "embstr" up to 44 bytes, "raw"
// beyond. (Redis also reports "raw" for a short string that APPEND or
// SETRANGE changed in place; stashd does not track how a string was made.)
std::string_view StringEncoding(std::string_view s) {
  if (s.size() <= 20 && store::ParseInt64(s)) return "int";
  return s.size() <= 44 ? "embstr" : "raw";
}

// OBJECT ENCODING|REFCOUNT|FREQ|IDLETIME key: nil for a missing key. Not an
// access: looking does not change what IDLETIME and FREQ show.
template <char kWhat>
void CmdObjectOf(CommandContext& ctx) {
  auto v = ctx.keyspace.Find(ctx.db(), ctx.args[2], Keyspace::Lookup::kInspect);
  if (!v) return ctx.reply.Null();
  if constexpr (kWhat == 'e') {
    ctx.reply.Bulk(v->type == store::ValueType::kString ? StringEncoding(v->str)
                                                        : v->object->Encoding());
  } else if constexpr (kWhat == 'r') {
    // Redis shares the integers 0..9999 (refcount INT_MAX); every other
    // value has one reference as far as a client can tell.
    const std::optional<int64_t> n =
        v->type == store::ValueType::kString && StringEncoding(v->str) == "int"
            ? store::ParseInt64(v->str)
            : std::nullopt;
    ctx.reply.Integer(n && *n >= 0 && *n < 10000 ? INT32_MAX : 1);
  } else {
    // The access clock holds either the last access time or an access
    // counter, by the maxmemory policy's family.
    const store::AccessPolicy policy = ctx.keyspace.access_policy();
    const int64_t now = ctx.keyspace.clock().NowMs();
    if (kWhat == 'f') {
      if (!policy.lfu) return ctx.reply.Error(errors::kLfuNotSelected);
      ctx.reply.Integer(store::LfuCount(v->access_clock, now, policy.lfu_decay_time));
    } else {
      if (policy.lfu) return ctx.reply.Error(errors::kLfuSelected);
      ctx.reply.Integer(store::LruIdleMs(v->access_clock, now) / 1000);
    }
  }
}

void CmdObjectHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "ENCODING <key>",
             "    Return the kind of internal representation used in order to store the value",
             "    associated with a <key>.", "FREQ <key>",
             "    Return the access frequency index of the <key>. The returned integer is",
             "    proportional to the logarithm of the recent access frequency of the key.",
             "IDLETIME <key>",
             "    Return the idle time of the <key>, that is the approximated number of",
             "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
             "    Return the number of references of the value associated with the specified",
             "    <key>.", "HELP", "    Prints this help."});
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
    ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
  } else {
    ctx.keyspace.SetExpire(ctx.db(), ctx.args[1], when);
    ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  }
  ctx.reply.Integer(1);
}

// ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ----

// -2 if the key is missing, -1 if it has no deadline, else the time left
// (relative) or the deadline (absolute); seconds are rounded to nearest.
template <TimeUnit unit, TimeBase base>
void CmdTtl(CommandContext& ctx) {
  auto value = ctx.keyspace.Find(ctx.db(), ctx.args[1], Keyspace::Lookup::kReadNoTouch);
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
  const bool persisted = ctx.keyspace.Persist(ctx.db(), ctx.args[1]);
  if (persisted) ctx.Notify(kNotifyGeneric, "persist", ctx.args[1]);
  ctx.reply.Integer(persisted ? 1 : 0);
}

// ---- KEYS SCAN RANDOMKEY ----

void ReplyKeys(CommandContext& ctx, const std::vector<std::string>& keys) {
  ctx.reply.ArrayLen(keys.size());
  for (const std::string& key : keys) ctx.reply.Bulk(key);
}

// KEYS, SCAN and RANDOMKEY show a user restricted by key patterns only the
// keys it may read (a deliberate difference from Redis, see server/acl/acl.h).
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
  ScanOptions options;
  if (!ParseScanOptions(ctx, 2, /*allow_type=*/true, &options)) return;
  const int64_t count = options.count;
  std::optional<KeyPattern> pattern;
  if (options.pattern) pattern.emplace(*options.pattern);
  const std::optional<std::string_view> type = options.type;

  const AclUser* acl_filter = AclKeyFilter(ctx.client);
  std::vector<std::string> keys;
  auto readable = [&](std::string_view key) {
    return acl_filter == nullptr || acl_filter->CanReadKey(key);
  };
  auto collect = [&](std::string_view key, const store::ValueView& value) {
    if (pattern && !pattern->Matches(key)) return;
    if (type && !EqualsIgnoreCase(*type, store::TypeName(value.type))) return;
    keys.emplace_back(key);
  };
  // A literal-prefix MATCH visits only matching keys (same cursor space);
  // keys the user may not read do not decide where it stops.
  uint64_t next = pattern && pattern->prefix()
                      ? ctx.keyspace.ScanPrefix(ctx.db(), cursor, *pattern->prefix(),
                                                static_cast<size_t>(count), readable, collect)
                      : ctx.keyspace.Scan(ctx.db(), cursor, static_cast<size_t>(count),
                                          [&](std::string_view key, const store::ValueView& value) {
                                            if (readable(key)) collect(key, value);
                                          });
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(std::to_string(next));
  ReplyKeys(ctx, keys);
}

// DELPREFIX prefix [prefix ...]: deletes every key starting with one of the
// prefixes (glob characters are literal). Runs in bounded batches per shard
// (see Keyspace::DeletePrefix for the exact guarantee), letting a waiting
// EXEC in between batches; kRunsLong keeps it off the io thread.
constexpr size_t kDelPrefixBatch = 1024;

void CmdDelPrefix(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.args[i].empty()) {
      ctx.reply.Error(errors::kEmptyPrefix);
      return;
    }
  }
  uint64_t deleted = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    deleted += ctx.keyspace.DeletePrefix(ctx.db(), ctx.args[i], kDelPrefixBatch,
                                         [&ctx] { ctx.server.dispatcher().LetExecIn(); });
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
  const store::ScopeConfig* refused = nullptr;
  if (!ctx.keyspace.Rename(ctx.db(), from, to, &refused)) {
    return ReplyScopeValueTooLarge(ctx.reply, *refused);
  }
  ctx.Notify(kNotifyGeneric, "rename_from", from);
  ctx.Notify(kNotifyGeneric, "rename_to", to);
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
  const store::ScopeConfig* refused = nullptr;
  bool copied = ctx.keyspace.Copy(ctx.db(), ctx.args[1], dst_db, ctx.args[2], replace, &refused);
  if (refused != nullptr) return ReplyScopeValueTooLarge(ctx.reply, *refused);
  if (copied) ctx.NotifyDb(dst_db, kNotifyGeneric, "copy_to", ctx.args[2]);
  ctx.reply.Integer(copied ? 1 : 0);
}

void CmdMove(CommandContext& ctx) {
  int dst_db;
  if (!ParseDbIndex(ctx, ctx.args[2], &dst_db)) return;
  if (dst_db == ctx.db()) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  const bool moved = ctx.keyspace.Move(ctx.db(), dst_db, ctx.args[1]);
  if (moved) {
    ctx.Notify(kNotifyGeneric, "move_from", ctx.args[1]);
    ctx.NotifyDb(dst_db, kNotifyGeneric, "move_to", ctx.args[1]);
  }
  ctx.reply.Integer(moved ? 1 : 0);
}

// ---- DBSIZE FLUSHDB FLUSHALL SWAPDB ----

void CmdDbSize(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.keyspace.DbSize(ctx.db())));
}

// FLUSHDB / FLUSHALL take an optional ASYNC or SYNC. SYNC (and no option)
// frees every entry under the shard locks; ASYNC unlinks the data in
// O(shards) and a background thread frees it, so other clients wait for
// the unlinking only. Either way the keys are gone when the reply is sent.
// Returns nullopt (having replied the error) on a bad option.
std::optional<bool> ParseFlushAsync(CommandContext& ctx) {
  if (ctx.args.size() == 1) return false;
  if (ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "sync")) return false;
  if (ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "async")) return true;
  ctx.reply.Error(errors::kSyntax);
  return std::nullopt;
}

void CmdFlushDb(CommandContext& ctx) {
  std::optional<bool> async = ParseFlushAsync(ctx);
  if (!async) return;
  ctx.keyspace.FlushDb(ctx.db(), *async);
  ctx.reply.Ok();
}

void CmdFlushAll(CommandContext& ctx) {
  std::optional<bool> async = ParseFlushAsync(ctx);
  if (!async) return;
  ctx.keyspace.FlushAll(*async);
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

// EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT's last argument.
CommandArg ExpireConditionArg() {
  return ArgOneOf("condition", {ArgToken("nx", "NX"), ArgToken("xx", "XX"), ArgToken("gt", "GT"),
                                ArgToken("lt", "LT")})
      .Since("7.0.0")
      .Optional();
}

}  // namespace

void RegisterKeyspaceFamily(CommandRegistry& r) {
  using enum KeySpecFlag;

  r.Register({.name = "del",
              .arity = -2,
              .flags = kWrite,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdDel,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRM | kDelete},
              .tips = {kMultiShard, kAggSum},
              .summary = "Delete a key",
              .since = "1.0.0",
              .group = "generic",
              .complexity =
                  "O(N) where N is the number of keys that will be removed. When a key to "
                  "remove holds a value other than a string, the individual complexity for this "
                  "key is O(M) where M is the number of elements in the list, set, sorted set "
                  "or hash. Removing a single key that holds a string value is O(1).",
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register(
      {.name = "unlink",
       .arity = -2,
       .flags = kWrite | kFast,
       .first_key = 1,
       .last_key = -1,
       .step = 1,
       .handler = CmdUnlink,
       .acl_categories = AclCategory::kKeyspace,
       .key_spec_flags = {kRM | kDelete},
       .tips = {kMultiShard, kAggSum},
       .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but "
                  "non blocking.",
       .since = "4.0.0",
       .group = "generic",
       .complexity = "O(1) for each key removed regardless of its size. Then the command does O(N) "
                     "work in a different thread in order to reclaim memory, where N is the number "
                     "of allocations the deleted objects where composed of.",
       .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register({.name = "exists",
              .arity = -2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdExists<Keyspace::Lookup::kReadNoTouch>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO},
              .tips = {kMultiShard, kAggSum},
              .summary = "Determine if a key exists",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(N) where N is the number of keys to check.",
              .history = {{"3.0.3", "Accepts multiple `key` arguments."}},
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register({.name = "touch",
              .arity = -2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdExists<Keyspace::Lookup::kRead>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO},
              .tips = {kMultiShard, kAggSum},
              .summary = "Alters the last access time of a key(s). Returns the number of existing "
                         "keys specified.",
              .since = "3.2.1",
              .group = "generic",
              .complexity = "O(N) where N is the number of keys that will be touched.",
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register(
      {.name = "object",
       .arity = -2,
       .summary = "A container for object introspection commands",
       .since = "2.2.3",
       .group = "generic",
       .complexity = "Depends on subcommand.",
       .subcommands = {{.name = "object|encoding",
                        .arity = 3,
                        .flags = kReadonly,
                        .first_key = 2,
                        .last_key = 2,
                        .step = 1,
                        .handler = CmdObjectOf<'e'>,
                        .acl_categories = AclCategory::kKeyspace,
                        .key_spec_flags = {kRO},
                        .tips = {"nondeterministic_output"},
                        .summary = "Inspect the internal encoding of a Redis object",
                        .since = "2.2.3",
                        .group = "generic",
                        .complexity = "O(1)",
                        .arguments = {ArgKey("key", 0)}},
                       {.name = "object|freq",
                        .arity = 3,
                        .flags = kReadonly,
                        .first_key = 2,
                        .last_key = 2,
                        .step = 1,
                        .handler = CmdObjectOf<'f'>,
                        .acl_categories = AclCategory::kKeyspace,
                        .key_spec_flags = {kRO},
                        .tips = {"nondeterministic_output"},
                        .summary = "Get the logarithmic access frequency counter of a Redis object",
                        .since = "4.0.0",
                        .group = "generic",
                        .complexity = "O(1)",
                        .arguments = {ArgKey("key", 0)}},
                       {.name = "object|idletime",
                        .arity = 3,
                        .flags = kReadonly,
                        .first_key = 2,
                        .last_key = 2,
                        .step = 1,
                        .handler = CmdObjectOf<'i'>,
                        .acl_categories = AclCategory::kKeyspace,
                        .key_spec_flags = {kRO},
                        .tips = {"nondeterministic_output"},
                        .summary = "Get the time since a Redis object was last accessed",
                        .since = "2.2.3",
                        .group = "generic",
                        .complexity = "O(1)",
                        .arguments = {ArgKey("key", 0)}},
                       {.name = "object|refcount",
                        .arity = 3,
                        .flags = kReadonly,
                        .first_key = 2,
                        .last_key = 2,
                        .step = 1,
                        .handler = CmdObjectOf<'r'>,
                        .acl_categories = AclCategory::kKeyspace,
                        .key_spec_flags = {kRO},
                        .tips = {"nondeterministic_output"},
                        .summary = "Get the number of references to the value of the key",
                        .since = "2.2.3",
                        .group = "generic",
                        .complexity = "O(1)",
                        .arguments = {ArgKey("key", 0)}},
                       {.name = "object|help",
                        .arity = 2,
                        .flags = kLoading | kStale,
                        .handler = CmdObjectHelp,
                        .acl_categories = AclCategory::kKeyspace,
                        .summary = "Show helpful text about the different subcommands",
                        .since = "6.2.0",
                        .group = "generic",
                        .complexity = "O(1)"}}});
  r.Register({.name = "type",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdType,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO},
              .summary = "Determine the type stored at key",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "expire",
              .arity = -3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdExpire<kSec, kRel>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Set a key's time to live in seconds",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .history = {{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
              .arguments = {ArgKey("key", 0), ArgInteger("seconds"), ExpireConditionArg()}});
  r.Register({.name = "pexpire",
              .arity = -3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdExpire<kMs, kRel>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Set a key's time to live in milliseconds",
              .since = "2.6.0",
              .group = "generic",
              .complexity = "O(1)",
              .history = {{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
              .arguments = {ArgKey("key", 0), ArgInteger("milliseconds"), ExpireConditionArg()}});
  r.Register(
      {.name = "expireat",
       .arity = -3,
       .flags = kWrite | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdExpire<kSec, kAbs>,
       .acl_categories = AclCategory::kKeyspace,
       .key_spec_flags = {kRW | kUpdate},
       .summary = "Set the expiration for a key as a UNIX timestamp",
       .since = "1.2.0",
       .group = "generic",
       .complexity = "O(1)",
       .history = {{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
       .arguments = {ArgKey("key", 0), ArgUnixTime("unix-time-seconds"), ExpireConditionArg()}});
  r.Register(
      {.name = "pexpireat",
       .arity = -3,
       .flags = kWrite | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdExpire<kMs, kAbs>,
       .acl_categories = AclCategory::kKeyspace,
       .key_spec_flags = {kRW | kUpdate},
       .summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
       .since = "2.6.0",
       .group = "generic",
       .complexity = "O(1)",
       .history = {{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
       .arguments = {ArgKey("key", 0), ArgUnixTime("unix-time-milliseconds"),
                     ExpireConditionArg()}});
  r.Register({.name = "ttl",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdTtl<kSec, kRel>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO | kAccess},
              .tips = {kNondeterministic},
              .summary = "Get the time to live for a key in seconds",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .history = {{"2.8.0", "Added the -2 reply."}},
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "pttl",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdTtl<kMs, kRel>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO | kAccess},
              .tips = {kNondeterministic},
              .summary = "Get the time to live for a key in milliseconds",
              .since = "2.6.0",
              .group = "generic",
              .complexity = "O(1)",
              .history = {{"2.8.0", "Added the -2 reply."}},
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "expiretime",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdTtl<kSec, kAbs>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get the expiration Unix timestamp for a key",
              .since = "7.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "pexpiretime",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdTtl<kMs, kAbs>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get the expiration Unix timestamp for a key in milliseconds",
              .since = "7.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "persist",
              .arity = 2,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPersist,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Remove the expiration from a key",
              .since = "2.2.0",
              .group = "generic",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "keys",
              .arity = 2,
              .flags = kReadonly | kLockAll,
              .handler = CmdKeys,
              .acl_categories = AclCategory::kKeyspace | AclCategory::kDangerous,
              .tips = {kAllShards, "nondeterministic_output_order"},
              .summary = "Find all keys matching the given pattern",
              .since = "1.0.0",
              .group = "generic",
              .complexity =
                  "O(N) with N being the number of keys in the database, under the assumption that "
                  "the key names in the database and the given pattern have limited length.",
              .arguments = {ArgPattern("pattern")}});
  r.Register(
      {.name = "scan",
       .arity = -2,
       .flags = kReadonly | kSelfLocking,
       .handler = CmdScan,
       .acl_categories = AclCategory::kKeyspace,
       .tips = {kNondeterministic, "request_policy:special"},
       .summary = "Incrementally iterate the keys space",
       .since = "2.8.0",
       .group = "generic",
       .complexity =
           "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
           "the cursor to return back to 0. N is the number of elements inside the collection.",
       .history = {{"6.0.0", "Added the `TYPE` subcommand."}},
       .arguments = {ArgInteger("cursor"), ArgPattern("pattern").Token("MATCH").Optional(),
                     ArgInteger("count").Token("COUNT").Optional(),
                     ArgString("type").Token("TYPE").Since("6.0.0").Optional()}});
  r.Register(
      {.name = "delprefix",
       .arity = -2,
       .flags = kWrite | kSelfLocking | kKeyPrefixArgs | kRunsLong,
       .handler = CmdDelPrefix,
       .acl_categories = AclCategory::kKeyspace | AclCategory::kDangerous,
       .summary = "Delete every key starting with one of the given prefixes (stashd extension)",
       .since = "stashd 0.1.0",
       .group = "generic",
       .complexity = "O(log(N) + M) per shard, where M is the number of keys deleted. Runs in "
                     "batches of at most 1024 keys per shard lock.",
       .arguments = {ArgString("prefix").Multiple()}});
  r.Register({.name = "randomkey",
              .arity = 1,
              .flags = kReadonly | kLockAll,
              .handler = CmdRandomKey,
              .acl_categories = AclCategory::kKeyspace,
              .tips = {kAllShards, kNondeterministic},
              .summary = "Return a random key from the keyspace",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(1)"});
  r.Register({.name = "rename",
              .arity = 3,
              .flags = kWrite,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .handler = CmdRename<RenameMode::kReplace>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRW | kAccess | kDelete, kOW | kUpdate},
              .summary = "Rename a key",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgKey("newkey", 1)}});
  r.Register({.name = "renamenx",
              .arity = 3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .handler = CmdRename<RenameMode::kOnlyIfAbsent>,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRW | kAccess | kDelete, kOW | kInsert},
              .summary = "Rename a key, only if the new key does not exist",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .history = {{"3.2.0",
                           "The command no longer returns an error when source and destination "
                           "names are the same."}},
              .arguments = {ArgKey("key", 0), ArgKey("newkey", 1)}});
  r.Register({.name = "copy",
              .arity = -3,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .handler = CmdCopy,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO | kAccess, kOW | kUpdate},
              .summary = "Copy a key",
              .since = "6.2.0",
              .group = "generic",
              .complexity = "O(N) worst case for collections, where N is the number of nested "
                            "items. O(1) for string values.",
              .arguments = {ArgKey("source", 0), ArgKey("destination", 1),
                            ArgInteger("destination-db").Token("DB").Optional(),
                            ArgToken("replace", "REPLACE").Optional()}});
  r.Register({.name = "move",
              .arity = 3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdMove,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Move a key to another database",
              .since = "1.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgInteger("db")}});
  r.Register({.name = "dbsize",
              .arity = 1,
              .flags = kReadonly | kFast | kLockAll,
              .handler = CmdDbSize,
              .acl_categories = AclCategory::kKeyspace,
              .tips = {kAllShards, kAggSum},
              .summary = "Return the number of keys in the selected database",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(1)"});
  r.Register({.name = "flushdb",
              .arity = -1,
              .flags = kWrite | kLockAll,
              .handler = CmdFlushDb,
              .acl_categories = AclCategory::kKeyspace | AclCategory::kDangerous,
              .tips = {kAllShards, kAllSucceeded},
              .summary = "Remove all keys from the current database",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(N) where N is the number of keys in the selected database",
              .history = {{"4.0.0", "Added the `ASYNC` flushing mode modifier."},
                          {"6.2.0", "Added the `SYNC` flushing mode modifier."}},
              .arguments = {ArgOneOf("async", {ArgToken("async", "ASYNC").Since("4.0.0"),
                                               ArgToken("sync", "SYNC").Since("6.2.0")})
                                .Optional()}});
  r.Register({.name = "flushall",
              .arity = -1,
              .flags = kWrite | kLockAll,
              .handler = CmdFlushAll,
              .acl_categories = AclCategory::kKeyspace | AclCategory::kDangerous,
              .tips = {kAllShards, kAllSucceeded},
              .summary = "Remove all keys from all databases",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(N) where N is the total number of keys in all databases",
              .history = {{"4.0.0", "Added the `ASYNC` flushing mode modifier."},
                          {"6.2.0", "Added the `SYNC` flushing mode modifier."}},
              .arguments = {ArgOneOf("async", {ArgToken("async", "ASYNC").Since("4.0.0"),
                                               ArgToken("sync", "SYNC").Since("6.2.0")})
                                .Optional()}});
  r.Register(
      {.name = "swapdb",
       .arity = 3,
       .flags = kWrite | kFast | kLockAll,
       .handler = CmdSwapDb,
       .acl_categories = AclCategory::kKeyspace | AclCategory::kDangerous,
       .summary = "Swaps two Redis databases",
       .since = "4.0.0",
       .group = "server",
       .complexity =
           "O(N) where N is the count of clients watching or blocking on keys from both databases.",
       .arguments = {ArgInteger("index1"), ArgInteger("index2")}});
}

}  // namespace stashd::server
