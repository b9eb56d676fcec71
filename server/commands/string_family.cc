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
#include "server/base/ascii.h"
#include "server/commands/scope_reply.h"
#include "server/exec/command.h"
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
    case OpError::kNotHll:
      return ctx.reply.Error(errors::kNotHll);
    case OpError::kCorruptHll:
      return ctx.reply.Error(errors::kCorruptHll);
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
  if (written) {
    ctx.Notify(kNotifyString, "set", key);
    if (opts.expire != ExpireKind::kNone) ctx.Notify(kNotifyGeneric, "expire", key);
  }
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
    ctx.Notify(kNotifyString, "set", ctx.args[i]);
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
  if (found.value() && ctx.keyspace.Delete(ctx.db(), ctx.args[1])) {
    ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
  }
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
    const bool past = *deadline <= ctx.keyspace.clock().NowMs();
    ctx.keyspace.SetExpire(ctx.db(), key, *deadline);  // deletes if not after now
    ctx.Notify(kNotifyGeneric, past ? "del" : "expire", key);
  } else if (opts.persist) {
    if (ctx.keyspace.Persist(ctx.db(), key)) ctx.Notify(kNotifyGeneric, "persist", key);
  }
}

// ---- APPEND STRLEN GETRANGE SETRANGE ----

void CmdAppend(CommandContext& ctx) {
  auto len = store::Append(ctx.keyspace, ctx.db(), ctx.args[1], ctx.args[2], MaxStringLength(ctx));
  if (!len.ok()) return ReplyOpError(ctx, len.error());
  ctx.Notify(kNotifyString, "append", ctx.args[1]);
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

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the keys'
// types are checked before the options, as in Redis 7.0; a missing key is
// the empty string.
void CmdLcs(CommandContext& ctx) {
  std::string_view strings[2];
  for (int k = 0; k < 2; ++k) {
    auto v = ctx.keyspace.Find(ctx.db(), ctx.args[1 + k], store::Keyspace::Lookup::kRead);
    if (v && v->type != store::ValueType::kString) return ctx.reply.Error(errors::kLcsNotStrings);
    if (v) strings[k] = v->str;
  }
  bool want_len = false;
  bool want_idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    const std::string& opt = ctx.args[j];
    if (EqualsIgnoreCase(opt, "idx")) {
      want_idx = true;
    } else if (EqualsIgnoreCase(opt, "len")) {
      want_len = true;
    } else if (EqualsIgnoreCase(opt, "withmatchlen")) {
      with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "minmatchlen") && j + 1 < ctx.args.size()) {
      auto n = IntegerArg(ctx, ctx.args[++j]);
      if (!n) return;
      min_match_len = std::max<int64_t>(*n, 0);
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (want_len && want_idx) return ctx.reply.Error(errors::kLcsLenAndIdx);
  if (strings[0].size() >= UINT32_MAX - 1 || strings[1].size() >= UINT32_MAX - 1) {
    return ctx.reply.Error(errors::kLcsTooLong);
  }
  if (store::LcsTableBytes(strings[0].size(), strings[1].size()) >
      static_cast<uint64_t>(ctx.server.config().proto_max_bulk_len.load())) {
    return ctx.reply.Error(errors::kLcsTooMuchMemory);
  }
  store::LcsResult lcs = store::Lcs(strings[0], strings[1], !want_len, want_idx);
  if (!want_idx) {
    if (want_len) return ctx.reply.Integer(lcs.length);
    return ctx.reply.Bulk(lcs.common);
  }
  size_t shown = 0;
  for (const store::LcsMatch& m : lcs.ranges) {
    if (m.a_end - m.a_start + 1 >= min_match_len) ++shown;
  }
  ctx.reply.MapLen(2);
  ctx.reply.Bulk("matches");
  ctx.reply.ArrayLen(shown);
  for (const store::LcsMatch& m : lcs.ranges) {
    const int64_t len = m.a_end - m.a_start + 1;
    if (len < min_match_len) continue;
    ctx.reply.ArrayLen(with_match_len ? 3 : 2);
    ctx.reply.ArrayLen(2);
    ctx.reply.Integer(m.a_start);
    ctx.reply.Integer(m.a_end);
    ctx.reply.ArrayLen(2);
    ctx.reply.Integer(m.b_start);
    ctx.reply.Integer(m.b_end);
    if (with_match_len) ctx.reply.Integer(len);
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(lcs.length);
}

void CmdSetRange(CommandContext& ctx) {
  auto offset = IntegerArg(ctx, ctx.args[2]);
  if (!offset) return;
  auto len = store::SetRange(ctx.keyspace, ctx.db(), ctx.args[1], *offset, ctx.args[3],
                             MaxStringLength(ctx));
  if (!len.ok()) return ReplyOpError(ctx, len.error());
  if (!ctx.args[3].empty()) ctx.Notify(kNotifyString, "setrange", ctx.args[1]);
  ctx.reply.Integer(static_cast<int64_t>(len.value()));
}

// ---- INCR DECR INCRBY DECRBY INCRBYFLOAT ----

void IncrGeneric(CommandContext& ctx, int64_t delta) {
  auto result = store::IncrBy(ctx.keyspace, ctx.db(), ctx.args[1], delta);
  if (!result.ok()) return ReplyOpError(ctx, result.error());
  ctx.Notify(kNotifyString, "incrby", ctx.args[1]);
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
  ctx.Notify(kNotifyString, "incrbyfloat", ctx.args[1]);
  ctx.reply.Bulk(result.value());
}

// ---- Registration ----

// SET reads its key only with GET (Redis's setGetKeys).
KeySpecFlags SetKeyFlags(const Args& args) {
  for (size_t i = 3; i < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "get")) {
      return KeySpecFlag::kRW | KeySpecFlag::kAccess | KeySpecFlag::kUpdate;
    }
  }
  return KeySpecFlag::kOW | KeySpecFlag::kUpdate;
}

constexpr char kMultiShard[] = "request_policy:multi_shard";

}  // namespace

void RegisterStringFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  constexpr uint32_t kReadFast = kReadonly | kFast;
  constexpr uint32_t kWriteOom = kWrite | kDenyOom;
  constexpr uint32_t kWriteOomFast = kWrite | kDenyOom | kFast;

  r.Register({.name = "get",
              .arity = 2,
              .flags = kReadFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGet,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get the value of a key",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register(
      {.name = "set",
       .arity = -3,
       .flags = kWriteOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdSet,
       .acl_categories = AclCategory::kString,
       .key_spec_flags = {kRW | kAccess | kUpdate | kVariableFlags},
       .variable_key_flags = SetKeyFlags,
       .summary = "Set the string value of a key",
       .since = "1.0.0",
       .group = "string",
       .complexity = "O(1)",
       .history = {{"2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."},
                   {"6.0.0", "Added the `KEEPTTL` option."},
                   {"6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."},
                   {"7.0.0", "Allowed the `NX` and `GET` options to be used together."}},
       .arguments = {ArgKey("key", 0), ArgString("value"),
                     ArgOneOf("condition", {ArgToken("nx", "NX"), ArgToken("xx", "XX")})
                         .Since("2.6.12")
                         .Optional(),
                     ArgToken("get", "GET").Since("6.2.0").Optional(),
                     ArgOneOf("expiration",
                              {ArgInteger("seconds").Token("EX").Since("2.6.12"),
                               ArgInteger("milliseconds").Token("PX").Since("2.6.12"),
                               ArgUnixTime("unix-time-seconds").Token("EXAT").Since("6.2.0"),
                               ArgUnixTime("unix-time-milliseconds").Token("PXAT").Since("6.2.0"),
                               ArgToken("keepttl", "KEEPTTL").Since("6.0.0")})
                         .Optional()}});
  r.Register({.name = "setnx",
              .arity = 3,
              .flags = kWriteOomFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSetNx,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kOW | kInsert},
              .summary = "Set the value of a key, only if the key does not exist",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("value")}});
  r.Register({.name = "setex",
              .arity = 4,
              .flags = kWriteOom,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSetEx<ExpireKind::kEx>,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kOW | kUpdate},
              .summary = "Set the value and expiration of a key",
              .since = "2.0.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgInteger("seconds"), ArgString("value")}});
  r.Register({.name = "psetex",
              .arity = 4,
              .flags = kWriteOom,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSetEx<ExpireKind::kPx>,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kOW | kUpdate},
              .summary = "Set the value and expiration in milliseconds of a key",
              .since = "2.6.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgInteger("milliseconds"), ArgString("value")}});
  r.Register({.name = "getset",
              .arity = 3,
              .flags = kWriteOomFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGetSet,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Set the string value of a key and return its old value",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(1)",
              .deprecated = true,
              .deprecated_since = "6.2.0",
              .replaced_by = "`SET` with the `!GET` argument",
              .arguments = {ArgKey("key", 0), ArgString("value")}});
  r.Register({.name = "mget",
              .arity = -2,
              .flags = kReadFast,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdMGet,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRO | kAccess},
              .tips = {kMultiShard},
              .summary = "Get the values of all the given keys",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(N) where N is the number of keys to retrieve.",
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register(
      {.name = "mset",
       .arity = -3,
       .flags = kWriteOom,
       .first_key = 1,
       .last_key = -1,
       .step = 2,
       .handler = CmdMSet<false>,
       .acl_categories = AclCategory::kString,
       .key_spec_flags = {kOW | kUpdate},
       .tips = {kMultiShard, "response_policy:all_succeeded"},
       .summary = "Set multiple keys to multiple values",
       .since = "1.0.1",
       .group = "string",
       .complexity = "O(N) where N is the number of keys to set.",
       .arguments = {ArgBlock("key_value", {ArgKey("key", 0), ArgString("value")}).Multiple()}});
  r.Register(
      {.name = "msetnx",
       .arity = -3,
       .flags = kWriteOom,
       .first_key = 1,
       .last_key = -1,
       .step = 2,
       .handler = CmdMSet<true>,
       .acl_categories = AclCategory::kString,
       .key_spec_flags = {kOW | kInsert},
       .tips = {kMultiShard, "response_policy:agg_min"},
       .summary = "Set multiple keys to multiple values, only if none of the keys exist",
       .since = "1.0.1",
       .group = "string",
       .complexity = "O(N) where N is the number of keys to set.",
       .arguments = {ArgBlock("key_value", {ArgKey("key", 0), ArgString("value")}).Multiple()}});
  r.Register({.name = "getdel",
              .arity = 2,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGetDel,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .summary = "Get the value of a key and delete the key",
              .since = "6.2.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register(
      {.name = "getex",
       .arity = -2,
       .flags = kWrite | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdGetEx,
       .acl_categories = AclCategory::kString,
       .key_spec_flags = {kRW | kAccess | kUpdate},
       .summary = "Get the value of a key and optionally set its expiration",
       .since = "6.2.0",
       .group = "string",
       .complexity = "O(1)",
       .arguments = {ArgKey("key", 0),
                     ArgOneOf("expiration", {ArgInteger("seconds").Token("EX"),
                                             ArgInteger("milliseconds").Token("PX"),
                                             ArgUnixTime("unix-time-seconds").Token("EXAT"),
                                             ArgUnixTime("unix-time-milliseconds").Token("PXAT"),
                                             ArgToken("persist", "PERSIST")})
                         .Optional()}});
  r.Register(
      {.name = "append",
       .arity = 3,
       .flags = kWriteOomFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdAppend,
       .acl_categories = AclCategory::kString,
       .key_spec_flags = {kRW | kInsert},
       .summary = "Append a value to a key",
       .since = "2.0.0",
       .group = "string",
       .complexity =
           "O(1). The amortized time complexity is O(1) assuming the appended value is small and "
           "the already present value is of any size, since the dynamic string library used by "
           "Redis will double the free space available on every reallocation.",
       .arguments = {ArgKey("key", 0), ArgString("value")}});
  r.Register({.name = "strlen",
              .arity = 2,
              .flags = kReadFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdStrLen,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRO},
              .summary = "Get the length of the value stored in a key",
              .since = "2.2.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "lcs",
              .arity = -3,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .handler = CmdLcs,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Find longest common substring",
              .since = "7.0.0",
              .group = "string",
              .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively",
              .arguments = {ArgKey("key1", 0), ArgKey("key2", 0), ArgToken("len", "LEN").Optional(),
                            ArgToken("idx", "IDX").Optional(),
                            ArgInteger("len").Token("MINMATCHLEN").Optional(),
                            ArgToken("withmatchlen", "WITHMATCHLEN").Optional()}});
  r.Register({.name = "getrange",
              .arity = 4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGetRange,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get a substring of the string stored at a key",
              .since = "2.4.0",
              .group = "string",
              .complexity =
                  "O(N) where N is the length of the returned string. The complexity is ultimately "
                  "determined by the returned length, but because creating a substring from an "
                  "existing string is very cheap, it can be considered O(1) for small strings.",
              .arguments = {ArgKey("key", 0), ArgInteger("start"), ArgInteger("end")}});
  r.Register({.name = "substr",
              .arity = 4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGetRange,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get a substring of the string stored at a key",
              .since = "1.0.0",
              .group = "string",
              .complexity =
                  "O(N) where N is the length of the returned string. The complexity is ultimately "
                  "determined by the returned length, but because creating a substring from an "
                  "existing string is very cheap, it can be considered O(1) for small strings.",
              .deprecated = true,
              .deprecated_since = "2.0.0",
              .replaced_by = "`GETRANGE`",
              .arguments = {ArgKey("key", 0), ArgInteger("start"), ArgInteger("end")}});
  r.Register({.name = "setrange",
              .arity = 4,
              .flags = kWriteOom,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSetRange,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Overwrite part of a string at key starting at the specified offset",
              .since = "2.2.0",
              .group = "string",
              .complexity =
                  "O(1), not counting the time taken to copy the new string in place. Usually, "
                  "this string is very small so the amortized complexity is O(1). Otherwise, "
                  "complexity is O(M) with M being the length of the value argument.",
              .arguments = {ArgKey("key", 0), ArgInteger("offset"), ArgString("value")}});
  r.Register({.name = "incr",
              .arity = 2,
              .flags = kWriteOomFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdIncr,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Increment the integer value of a key by one",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "decr",
              .arity = 2,
              .flags = kWriteOomFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdDecr,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Decrement the integer value of a key by one",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "incrby",
              .arity = 3,
              .flags = kWriteOomFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdIncrBy,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Increment the integer value of a key by the given amount",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgInteger("increment")}});
  r.Register({.name = "decrby",
              .arity = 3,
              .flags = kWriteOomFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdDecrBy,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Decrement the integer value of a key by the given number",
              .since = "1.0.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgInteger("decrement")}});
  r.Register({.name = "incrbyfloat",
              .arity = 3,
              .flags = kWriteOomFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdIncrByFloat,
              .acl_categories = AclCategory::kString,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Increment the float value of a key by the given amount",
              .since = "2.6.0",
              .group = "string",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgDouble("increment")}});
}

}  // namespace stashd::server
