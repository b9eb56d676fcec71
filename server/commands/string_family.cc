// The string commands: GET SET SETNX SETEX PSETEX MGET MSET MSETNX GETSET
// GETDEL GETEX APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE
// SUBSTR SETRANGE.
//
// Handlers parse arguments and reply; the string semantics live in
// store/string_ops.h. The dispatcher holds the shards of every key locked for
// the whole call, so a read followed by a write (SET ... GET, GETDEL, MSETNX)
// is atomic. Arguments are checked in the order Redis checks them, because
// that order decides which error (or nil) a client sees.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/command.h"
#include "server/commands/scope_reply.h"
#include "server/server_state.h"
#include "store/keyspace.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

using store::OpError;
using store::SetCondition;

// The key's bot scope refuses values this large (see README "Bot scopes").
void ReplyScopeLimit(CommandContext& ctx, std::string_view key) {
  const store::ScopeConfig* scope = ctx.keyspace.ValueTooLarge(key, SIZE_MAX);
  if (scope == nullptr) return ctx.reply.Error(errors::kSyntax);  // unreachable
  ReplyScopeValueTooLarge(ctx.reply, *scope);
}

void ReplyOpError(CommandContext& ctx, OpError error) {
  switch (error) {
    case OpError::kWrongType:
      return ctx.reply.Error(errors::kWrongType);
    case OpError::kNotInteger:
      return ctx.reply.Error(errors::kNotInteger);
    case OpError::kNotFloat:
      return ctx.reply.Error(errors::kNotFloat);
    case OpError::kOverflow:
      return ctx.reply.Error(errors::kOverflow);
    case OpError::kNanOrInfinity:
      return ctx.reply.Error(errors::kIncrFloatNaN);
    case OpError::kTooLong:
      return ctx.reply.Error(errors::kStringTooLong);
    case OpError::kOffsetOutOfRange:
      return ctx.reply.Error(errors::kOffsetOutOfRange);
    case OpError::kScopeLimit:
      return ReplyScopeLimit(ctx, ctx.args[1]);
  }
}

void ReplyMaybeBulk(CommandContext& ctx, const std::optional<std::string_view>& value) {
  if (value) {
    ctx.reply.Bulk(*value);
  } else {
    ctx.reply.Null();
  }
}

// Parses a signed 64-bit argument; replies the error and returns nullopt if
// it is not one.
std::optional<int64_t> IntegerArg(CommandContext& ctx, std::string_view arg) {
  auto v = store::ParseInt64(arg);
  if (!v) ctx.reply.Error(errors::kNotInteger);
  return v;
}

uint64_t MaxStringLength(CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.server.config().proto_max_bulk_len.load());
}

// ---- Expiry options of SET and GETEX ----

enum class ExpireKind : uint8_t { kNone, kEx, kPx, kExAt, kPxAt };

struct StringOptions {
  SetCondition condition = SetCondition::kAlways;  // NX / XX (SET)
  bool get = false;                                // GET (SET)
  bool keep_ttl = false;                           // KEEPTTL (SET)
  bool persist = false;                            // PERSIST (GETEX)
  ExpireKind expire = ExpireKind::kNone;           // EX PX EXAT PXAT
  std::string_view expire_arg;
};

enum class OptionsOf : uint8_t { kSet, kGetEx };

// Redis's parseExtendedStringArgumentsOrReply: options in any order; one
// expire option at most, though the same one may repeat (the last wins);
// KEEPTTL and PERSIST exclude any expire option; NX excludes XX. Only the
// syntax is checked here: the expire value is checked later, when Redis
// checks it. Returns false after replying a syntax error.
bool ParseStringOptions(CommandContext& ctx, size_t first, OptionsOf command, StringOptions* out) {
  const bool is_set = command == OptionsOf::kSet;
  for (size_t i = first; i < ctx.args.size(); ++i) {
    const std::string& opt = ctx.args[i];
    ExpireKind kind = ExpireKind::kNone;
    if (absl::EqualsIgnoreCase(opt, "ex")) {
      kind = ExpireKind::kEx;
    } else if (absl::EqualsIgnoreCase(opt, "px")) {
      kind = ExpireKind::kPx;
    } else if (absl::EqualsIgnoreCase(opt, "exat")) {
      kind = ExpireKind::kExAt;
    } else if (absl::EqualsIgnoreCase(opt, "pxat")) {
      kind = ExpireKind::kPxAt;
    }
    bool accepted = false;
    if (kind != ExpireKind::kNone) {
      accepted = i + 1 < ctx.args.size() && !out->keep_ttl && !out->persist &&
                 (out->expire == ExpireKind::kNone || out->expire == kind);
      if (accepted) {
        out->expire = kind;
        out->expire_arg = ctx.args[++i];
      }
    } else if (is_set && absl::EqualsIgnoreCase(opt, "nx")) {
      accepted = out->condition != SetCondition::kIfExists;
      out->condition = SetCondition::kIfMissing;
    } else if (is_set && absl::EqualsIgnoreCase(opt, "xx")) {
      accepted = out->condition != SetCondition::kIfMissing;
      out->condition = SetCondition::kIfExists;
    } else if (is_set && absl::EqualsIgnoreCase(opt, "get")) {
      accepted = true;
      out->get = true;
    } else if (is_set && absl::EqualsIgnoreCase(opt, "keepttl")) {
      accepted = out->expire == ExpireKind::kNone;
      out->keep_ttl = true;
    } else if (!is_set && absl::EqualsIgnoreCase(opt, "persist")) {
      accepted = out->expire == ExpireKind::kNone;
      out->persist = true;
    }
    if (!accepted) {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Redis's getExpireMillisecondsOrReply: the absolute deadline in ms for an
// expire option. The value must be a positive integer, and the deadline must
// fit in 64 bits. Returns nullopt after replying the error; `command` names
// the command in "invalid expire time in '<command>' command".
std::optional<int64_t> ResolveDeadline(CommandContext& ctx, ExpireKind kind, std::string_view arg,
                                       std::string_view command) {
  auto value = IntegerArg(ctx, arg);
  if (!value) return std::nullopt;
  const bool seconds = kind == ExpireKind::kEx || kind == ExpireKind::kExAt;
  const bool relative = kind == ExpireKind::kEx || kind == ExpireKind::kPx;
  int64_t ms = *value;
  bool valid = ms > 0;
  if (valid && seconds) valid = !__builtin_mul_overflow(ms, 1000, &ms);
  if (valid && relative) valid = !__builtin_add_overflow(ms, ctx.keyspace.clock().NowMs(), &ms);
  if (!valid) {
    ctx.reply.Error(errors::Format(errors::kInvalidExpire, {command}));
    return std::nullopt;
  }
  return ms;
}

// ---- GET SET SETNX SETEX PSETEX GETSET ----

void CmdGet(CommandContext& ctx) {
  auto found = store::GetString(ctx.keyspace, ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyOpError(ctx, found.error());
  ReplyMaybeBulk(ctx, found.value());
}

// How a SET-like command answers a write / a write skipped by NX or XX.
enum class SetReplies : uint8_t { kOkOrNil, kOneOrZero };

// The one SET behind SET, SETNX, SETEX, PSETEX and GETSET (Redis's
// setGenericCommand). With GET the reply is the old value, whether or not
// the write happens.
void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const StringOptions& opts, std::string_view command,
                SetReplies replies = SetReplies::kOkOrNil) {
  int64_t expire_at_ms = opts.keep_ttl ? store::kKeepTtl : store::kNoExpiry;
  if (opts.expire != ExpireKind::kNone) {
    auto deadline = ResolveDeadline(ctx, opts.expire, opts.expire_arg, command);
    if (!deadline) return;
    expire_at_ms = *deadline;
  }
  // Checked before GET's reply goes out, so a refused write replies once.
  if (ctx.keyspace.ValueTooLarge(key, value.size()) != nullptr) return ReplyScopeLimit(ctx, key);
  if (opts.get) {
    // Replied before the write, which invalidates the view.
    auto old = store::GetString(ctx.keyspace, ctx.db(), key);
    if (!old.ok()) return ReplyOpError(ctx, old.error());
    ReplyMaybeBulk(ctx, old.value());
  }
  auto set = store::SetIf(ctx.keyspace, ctx.db(), key, value, opts.condition, expire_at_ms);
  if (!set.ok()) return ReplyOpError(ctx, set.error());
  const bool written = set.value();
  if (opts.get) return;
  if (replies == SetReplies::kOneOrZero) {
    ctx.reply.Integer(written ? 1 : 0);
  } else if (written) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Null();
  }
}

void CmdSet(CommandContext& ctx) {
  StringOptions opts;
  if (!ParseStringOptions(ctx, 3, OptionsOf::kSet, &opts)) return;
  SetGeneric(ctx, ctx.args[1], ctx.args[2], opts, "set");
}

void CmdSetNx(CommandContext& ctx) {
  StringOptions opts;
  opts.condition = SetCondition::kIfMissing;
  SetGeneric(ctx, ctx.args[1], ctx.args[2], opts, "setnx", SetReplies::kOneOrZero);
}

// SETEX and PSETEX: key, relative expire, value.
template <ExpireKind kKind>
void CmdSetEx(CommandContext& ctx) {
  StringOptions opts;
  opts.expire = kKind;
  opts.expire_arg = ctx.args[2];
  SetGeneric(ctx, ctx.args[1], ctx.args[3], opts, kKind == ExpireKind::kEx ? "setex" : "psetex");
}

// GETSET is SET key value GET: the old value, and the TTL dropped.
void CmdGetSet(CommandContext& ctx) {
  StringOptions opts;
  opts.get = true;
  SetGeneric(ctx, ctx.args[1], ctx.args[2], opts, "getset");
}

// ---- MGET MSET MSETNX ----

// A key that holds another type reads as nil, never WRONGTYPE.
void CmdMGet(CommandContext& ctx) {
  ctx.reply.ArrayLen(ctx.args.size() - 1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    auto found = store::GetString(ctx.keyspace, ctx.db(), ctx.args[i]);
    ReplyMaybeBulk(ctx, found.ok() ? found.value() : std::nullopt);
  }
}

// MSET and MSETNX. MSETNX writes all the pairs or none: none if any key
// exists. A key named twice takes its last value.
template <bool kOnlyIfNoneExist>
void CmdMSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.reply.Error(errors::Format(errors::kWrongArgs, {kOnlyIfNoneExist ? "msetnx" : "mset"}));
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    if (ctx.keyspace.ValueTooLarge(ctx.args[i], ctx.args[i + 1].size()) != nullptr) {
      return ReplyScopeLimit(ctx, ctx.args[i]);
    }
  }
  if (kOnlyIfNoneExist) {
    for (size_t i = 1; i < ctx.args.size(); i += 2) {
      if (ctx.keyspace.Find(ctx.db(), ctx.args[i], store::Keyspace::Lookup::kWrite)) {
        ctx.reply.Integer(0);
        return;
      }
    }
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    ctx.keyspace.SetString(ctx.db(), ctx.args[i], ctx.args[i + 1], store::kNoExpiry);
  }
  if (kOnlyIfNoneExist) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Ok();
  }
}

// ---- GETDEL GETEX ----

void CmdGetDel(CommandContext& ctx) {
  auto found = store::GetString(ctx.keyspace, ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyOpError(ctx, found.error());
  ReplyMaybeBulk(ctx, found.value());
  if (found.value()) ctx.keyspace.Delete(ctx.db(), ctx.args[1]);
}

// GETEX: a missing key answers nil before the expire value is even parsed.
// An absolute deadline already past deletes the key (after replying it).
void CmdGetEx(CommandContext& ctx) {
  StringOptions opts;
  if (!ParseStringOptions(ctx, 2, OptionsOf::kGetEx, &opts)) return;
  const std::string& key = ctx.args[1];
  auto found = store::GetString(ctx.keyspace, ctx.db(), key);
  if (!found.ok()) return ReplyOpError(ctx, found.error());
  if (!found.value()) return ctx.reply.Null();
  std::optional<int64_t> deadline;
  if (opts.expire != ExpireKind::kNone) {
    deadline = ResolveDeadline(ctx, opts.expire, opts.expire_arg, "getex");
    if (!deadline) return;
  }
  ctx.reply.Bulk(*found.value());  // before the view goes
  if (deadline) {
    ctx.keyspace.SetExpire(ctx.db(), key, *deadline);  // deletes if not after now
  } else if (opts.persist) {
    ctx.keyspace.Persist(ctx.db(), key);
  }
}

// ---- APPEND STRLEN GETRANGE SETRANGE ----

void CmdAppend(CommandContext& ctx) {
  auto len = store::Append(ctx.keyspace, ctx.db(), ctx.args[1], ctx.args[2], MaxStringLength(ctx));
  if (!len.ok()) return ReplyOpError(ctx, len.error());
  ctx.reply.Integer(static_cast<int64_t>(len.value()));
}

void CmdStrLen(CommandContext& ctx) {
  auto len = store::StrLen(ctx.keyspace, ctx.db(), ctx.args[1]);
  if (!len.ok()) return ReplyOpError(ctx, len.error());
  ctx.reply.Integer(static_cast<int64_t>(len.value()));
}

// GETRANGE and SUBSTR: a missing key is the empty string.
void CmdGetRange(CommandContext& ctx) {
  auto start = IntegerArg(ctx, ctx.args[2]);
  if (!start) return;
  auto end = IntegerArg(ctx, ctx.args[3]);
  if (!end) return;
  auto range = store::GetRange(ctx.keyspace, ctx.db(), ctx.args[1], *start, *end);
  if (!range.ok()) return ReplyOpError(ctx, range.error());
  ctx.reply.Bulk(range.value());
}

void CmdSetRange(CommandContext& ctx) {
  auto offset = IntegerArg(ctx, ctx.args[2]);
  if (!offset) return;
  auto len = store::SetRange(ctx.keyspace, ctx.db(), ctx.args[1], *offset, ctx.args[3],
                             MaxStringLength(ctx));
  if (!len.ok()) return ReplyOpError(ctx, len.error());
  ctx.reply.Integer(static_cast<int64_t>(len.value()));
}

// ---- INCR DECR INCRBY DECRBY INCRBYFLOAT ----

void IncrGeneric(CommandContext& ctx, int64_t delta) {
  auto result = store::IncrBy(ctx.keyspace, ctx.db(), ctx.args[1], delta);
  if (!result.ok()) return ReplyOpError(ctx, result.error());
  ctx.reply.Integer(result.value());
}

void CmdIncr(CommandContext& ctx) { IncrGeneric(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrGeneric(ctx, -1); }

void CmdIncrBy(CommandContext& ctx) {
  auto delta = IntegerArg(ctx, ctx.args[2]);
  if (delta) IncrGeneric(ctx, *delta);
}

void CmdDecrBy(CommandContext& ctx) {
  auto delta = IntegerArg(ctx, ctx.args[2]);
  if (!delta) return;
  if (*delta == INT64_MIN) return ctx.reply.Error(errors::kDecrementOverflow);
  IncrGeneric(ctx, -*delta);
}

void CmdIncrByFloat(CommandContext& ctx) {
  auto result = store::IncrByFloat(ctx.keyspace, ctx.db(), ctx.args[1], ctx.args[2]);
  if (!result.ok()) return ReplyOpError(ctx, result.error());
  ctx.reply.Bulk(result.value());
}

// ---- Registration ----

// COMMAND DOCS fields.
struct Docs {
  std::string summary;
  std::string since;
  std::string complexity = "O(1)";
};

// One row; `key_spec` holds the flags of the command's one key spec as
// COMMAND INFO prints them.
CommandSpec Row(std::string name, int arity, uint32_t flags, int first_key, int last_key, int step,
                Handler handler, std::string key_spec, Docs docs,
                std::vector<std::string> tips = {}) {
  CommandSpec spec;
  spec.name = std::move(name);
  spec.arity = arity;
  spec.flags = flags;
  spec.first_key = first_key;
  spec.last_key = last_key;
  spec.step = step;
  spec.handler = handler;
  spec.acl_categories = {"@string"};
  spec.summary = std::move(docs.summary);
  spec.since = std::move(docs.since);
  spec.group = "string";
  spec.complexity = std::move(docs.complexity);
  spec.key_spec_flags = {std::move(key_spec)};
  spec.tips = std::move(tips);
  return spec;
}

constexpr char kGetRangeComplexity[] =
    "O(N) where N is the length of the returned string. The complexity is ultimately determined "
    "by the returned length, but because creating a substring from an existing string is very "
    "cheap, it can be considered O(1) for small strings.";
constexpr char kMultiShard[] = "request_policy:multi_shard";

}  // namespace

void RegisterStringFamily(CommandRegistry& r) {
  constexpr uint32_t kReadFast = kReadonly | kFast;
  constexpr uint32_t kWriteOom = kWrite | kDenyOom;
  constexpr uint32_t kWriteOomFast = kWrite | kDenyOom | kFast;
  constexpr char kReadAccess[] = "RO access";
  constexpr char kReadWriteUpdate[] = "RW access update";

  r.Register(
      Row("get", 2, kReadFast, 1, 1, 1, CmdGet, kReadAccess, {"Get the value of a key", "1.0.0"}));
  r.Register(Row("set", -3, kWriteOom, 1, 1, 1, CmdSet, "RW access update variable_flags",
                 {"Set the string value of a key", "1.0.0"}));
  r.Register(Row("setnx", 3, kWriteOomFast, 1, 1, 1, CmdSetNx, "OW insert",
                 {"Set the value of a key, only if the key does not exist", "1.0.0"}));
  r.Register(Row("setex", 4, kWriteOom, 1, 1, 1, CmdSetEx<ExpireKind::kEx>, "OW update",
                 {"Set the value and expiration of a key", "2.0.0"}));
  r.Register(Row("psetex", 4, kWriteOom, 1, 1, 1, CmdSetEx<ExpireKind::kPx>, "OW update",
                 {"Set the value and expiration in milliseconds of a key", "2.6.0"}));
  r.Register(Row("getset", 3, kWriteOomFast, 1, 1, 1, CmdGetSet, kReadWriteUpdate,
                 {"Set the string value of a key and return its old value", "1.0.0"}));

  r.Register(Row("mget", -2, kReadFast, 1, -1, 1, CmdMGet, kReadAccess,
                 {"Get the values of all the given keys", "1.0.0",
                  "O(N) where N is the number of keys to retrieve."},
                 {kMultiShard}));
  r.Register(Row("mset", -3, kWriteOom, 1, -1, 2, CmdMSet<false>, "OW update",
                 {"Set multiple keys to multiple values", "1.0.1",
                  "O(N) where N is the number of keys to set."},
                 {kMultiShard, "response_policy:all_succeeded"}));
  r.Register(Row("msetnx", -3, kWriteOom, 1, -1, 2, CmdMSet<true>, "OW insert",
                 {"Set multiple keys to multiple values, only if none of the keys exist", "1.0.1",
                  "O(N) where N is the number of keys to set."},
                 {kMultiShard, "response_policy:agg_min"}));

  r.Register(Row("getdel", 2, kWrite | kFast, 1, 1, 1, CmdGetDel, "RW access delete",
                 {"Get the value of a key and delete the key", "6.2.0"}));
  r.Register(Row("getex", -2, kWrite | kFast, 1, 1, 1, CmdGetEx, kReadWriteUpdate,
                 {"Get the value of a key and optionally set its expiration", "6.2.0"}));

  r.Register(Row("append", 3, kWriteOomFast, 1, 1, 1, CmdAppend, "RW insert",
                 {"Append a value to a key", "2.0.0",
                  "O(1). The amortized time complexity is O(1) assuming the appended value is "
                  "small and the already present value is of any size, since the dynamic string "
                  "library used by Redis will double the free space available on every "
                  "reallocation."}));
  r.Register(Row("strlen", 2, kReadFast, 1, 1, 1, CmdStrLen, "RO",
                 {"Get the length of the value stored in a key", "2.2.0"}));
  r.Register(Row("getrange", 4, kReadonly, 1, 1, 1, CmdGetRange, kReadAccess,
                 {"Get a substring of the string stored at a key", "2.4.0", kGetRangeComplexity}));
  r.Register(Row("substr", 4, kReadonly, 1, 1, 1, CmdGetRange, kReadAccess,
                 {"Get a substring of the string stored at a key", "1.0.0", kGetRangeComplexity}));
  r.Register(Row("setrange", 4, kWriteOom, 1, 1, 1, CmdSetRange, "RW update",
                 {"Overwrite part of a string at key starting at the specified offset", "2.2.0",
                  "O(1), not counting the time taken to copy the new string in place. Usually, "
                  "this string is very small so the amortized complexity is O(1). Otherwise, "
                  "complexity is O(M) with M being the length of the value argument."}));

  r.Register(Row("incr", 2, kWriteOomFast, 1, 1, 1, CmdIncr, kReadWriteUpdate,
                 {"Increment the integer value of a key by one", "1.0.0"}));
  r.Register(Row("decr", 2, kWriteOomFast, 1, 1, 1, CmdDecr, kReadWriteUpdate,
                 {"Decrement the integer value of a key by one", "1.0.0"}));
  r.Register(Row("incrby", 3, kWriteOomFast, 1, 1, 1, CmdIncrBy, kReadWriteUpdate,
                 {"Increment the integer value of a key by the given amount", "1.0.0"}));
  r.Register(Row("decrby", 3, kWriteOomFast, 1, 1, 1, CmdDecrBy, kReadWriteUpdate,
                 {"Decrement the integer value of a key by the given number", "1.0.0"}));
  r.Register(Row("incrbyfloat", 3, kWriteOomFast, 1, 1, 1, CmdIncrByFloat, kReadWriteUpdate,
                 {"Increment the float value of a key by the given amount", "2.6.0"}));
}

}  // namespace stashd::server
