// The bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
// BITFIELD_RO, over strings.
//
// Handlers parse arguments in the order Redis 7.0 does (that order decides
// which error a client sees: BITCOUNT looks the key up before its range,
// BITPOS checks the bit first) and reply; the bit semantics live in
// store/bitmap_ops.h.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/commands/scope_reply.h"
#include "server/exec/command.h"
#include "server/server_state.h"
#include "store/bitmap_ops.h"
#include "store/keyspace.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

using store::OpError;

void ReplyBitError(CommandContext& ctx, OpError error, std::string_view key) {
  if (error == OpError::kScopeLimit) {
    const store::ScopeConfig* scope = ctx.keyspace.ValueTooLarge(key, SIZE_MAX);
    if (scope != nullptr) return ReplyScopeValueTooLarge(ctx.reply, *scope);
  }
  ctx.reply.Error(errors::kWrongType);  // the only other error of these operations
}

uint64_t MaxBytes(CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.server.config().proto_max_bulk_len.load());
}

std::optional<uint64_t> BitOffsetArg(CommandContext& ctx, std::string_view arg,
                                     uint32_t hash_bits = 0) {
  auto offset = store::ParseBitOffset(arg, MaxBytes(ctx), hash_bits);
  if (!offset) ctx.reply.Error(errors::kBitOffset);
  return offset;
}

std::optional<int64_t> IntegerArg(CommandContext& ctx, std::string_view arg) {
  auto v = store::ParseInt64(arg);
  if (!v) ctx.reply.Error(errors::kNotInteger);
  return v;
}

void CmdSetBit(CommandContext& ctx) {
  auto offset = BitOffsetArg(ctx, ctx.args[2]);
  if (!offset) return;
  auto on = store::ParseInt64(ctx.args[3]);
  if (!on || (*on & ~int64_t{1}) != 0) return ctx.reply.Error(errors::kBitValue);
  bool changed = false;
  auto old = store::SetBit(ctx.keyspace, ctx.db(), ctx.args[1], *offset, *on == 1, &changed);
  if (!old.ok()) return ReplyBitError(ctx, old.error(), ctx.args[1]);
  if (changed) ctx.Notify(kNotifyString, "setbit", ctx.args[1]);
  ctx.reply.Integer(old.value() ? 1 : 0);
}

void CmdGetBit(CommandContext& ctx) {
  auto offset = BitOffsetArg(ctx, ctx.args[2]);
  if (!offset) return;
  auto bit = store::GetBit(ctx.keyspace, ctx.db(), ctx.args[1], *offset);
  if (!bit.ok()) return ReplyBitError(ctx, bit.error(), ctx.args[1]);
  ctx.reply.Integer(bit.value() ? 1 : 0);
}

// BYTE or BIT; replies a syntax error otherwise.
std::optional<store::RangeUnit> UnitArg(CommandContext& ctx, std::string_view arg) {
  if (EqualsIgnoreCase(arg, "bit")) return store::RangeUnit::kBit;
  if (EqualsIgnoreCase(arg, "byte")) return store::RangeUnit::kByte;
  ctx.reply.Error(errors::kSyntax);
  return std::nullopt;
}

void CmdBitCount(CommandContext& ctx) {
  auto found = store::GetString(ctx.keyspace, ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyBitError(ctx, found.error(), ctx.args[1]);
  if (!found.value()) return ctx.reply.Integer(0);
  const std::string_view s = *found.value();
  const size_t argc = ctx.args.size();
  if (argc == 2) return ctx.reply.Integer(static_cast<int64_t>(store::CountBits(s, {}, {})));
  if (argc != 4 && argc != 5) return ctx.reply.Error(errors::kSyntax);
  auto start = IntegerArg(ctx, ctx.args[2]);
  if (!start) return;
  auto end = IntegerArg(ctx, ctx.args[3]);
  if (!end) return;
  if (*start < 0 && *end < 0 && *start > *end) return ctx.reply.Integer(0);
  store::RangeUnit unit = store::RangeUnit::kByte;
  if (argc == 5) {
    auto u = UnitArg(ctx, ctx.args[4]);
    if (!u) return;
    unit = *u;
  }
  ctx.reply.Integer(static_cast<int64_t>(store::CountBits(s, {{*start, *end}}, unit)));
}

void CmdBitPos(CommandContext& ctx) {
  auto bit = IntegerArg(ctx, ctx.args[2]);
  if (!bit) return;
  if (*bit != 0 && *bit != 1) return ctx.reply.Error(errors::kBitposBit);
  auto found = store::GetString(ctx.keyspace, ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyBitError(ctx, found.error(), ctx.args[1]);
  if (!found.value()) return ctx.reply.Integer(*bit == 1 ? -1 : 0);
  const size_t argc = ctx.args.size();
  if (argc > 6) return ctx.reply.Error(errors::kSyntax);
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  store::RangeUnit unit = store::RangeUnit::kByte;
  if (argc >= 4) {
    start = IntegerArg(ctx, ctx.args[3]);
    if (!start) return;
    if (argc == 6) {
      auto u = UnitArg(ctx, ctx.args[5]);
      if (!u) return;
      unit = *u;
    }
    if (argc >= 5) {
      end = IntegerArg(ctx, ctx.args[4]);
      if (!end) return;
    }
  }
  ctx.reply.Integer(store::FindBit(*found.value(), *bit == 1, start, end, unit));
}

void CmdBitOp(CommandContext& ctx) {
  const std::string_view name = ctx.args[1];
  store::BitOp op;
  if (EqualsIgnoreCase(name, "and")) {
    op = store::BitOp::kAnd;
  } else if (EqualsIgnoreCase(name, "or")) {
    op = store::BitOp::kOr;
  } else if (EqualsIgnoreCase(name, "xor")) {
    op = store::BitOp::kXor;
  } else if (EqualsIgnoreCase(name, "not")) {
    op = store::BitOp::kNot;
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  if (op == store::BitOp::kNot && ctx.args.size() != 4) {
    return ctx.reply.Error(errors::kBitopNot);
  }
  const std::string_view dest = ctx.args[2];
  std::span<const std::string> sources(ctx.args.data() + 3, ctx.args.size() - 3);
  bool deleted = false;
  auto len = store::BitOpStore(ctx.keyspace, ctx.db(), op, dest, sources, &deleted);
  if (!len.ok()) return ReplyBitError(ctx, len.error(), dest);
  if (len.value() > 0) {
    ctx.Notify(kNotifyString, "set", dest);
  } else if (deleted) {
    ctx.Notify(kNotifyGeneric, "del", dest);
  }
  ctx.reply.Integer(static_cast<int64_t>(len.value()));
}

// BITFIELD and BITFIELD_RO: every subcommand is parsed (and checked) before
// any runs.
void BitfieldGeneric(CommandContext& ctx, bool read_only) {
  std::vector<store::BitfieldOp> ops;
  store::Overflow overflow = store::Overflow::kWrap;
  bool writes = false;
  const size_t argc = ctx.args.size();
  for (size_t j = 2; j < argc; ++j) {
    const size_t remaining = argc - j - 1;
    const std::string_view sub = ctx.args[j];
    store::BitfieldOp op;
    if (EqualsIgnoreCase(sub, "get") && remaining >= 2) {
      op.kind = store::BitfieldOp::Kind::kGet;
    } else if (EqualsIgnoreCase(sub, "set") && remaining >= 3) {
      op.kind = store::BitfieldOp::Kind::kSet;
    } else if (EqualsIgnoreCase(sub, "incrby") && remaining >= 3) {
      op.kind = store::BitfieldOp::Kind::kIncrBy;
    } else if (EqualsIgnoreCase(sub, "overflow") && remaining >= 1) {
      const std::string_view how = ctx.args[++j];
      if (EqualsIgnoreCase(how, "wrap")) {
        overflow = store::Overflow::kWrap;
      } else if (EqualsIgnoreCase(how, "sat")) {
        overflow = store::Overflow::kSat;
      } else if (EqualsIgnoreCase(how, "fail")) {
        overflow = store::Overflow::kFail;
      } else {
        return ctx.reply.Error(errors::kBitfieldOverflow);
      }
      continue;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
    auto type = store::ParseBitfieldType(ctx.args[j + 1]);
    if (!type) return ctx.reply.Error(errors::kBitfieldType);
    op.type = *type;
    auto offset = BitOffsetArg(ctx, ctx.args[j + 2], type->bits);
    if (!offset) return;
    op.offset = *offset;
    op.overflow = overflow;
    if (op.kind != store::BitfieldOp::Kind::kGet) {
      writes = true;
      auto value = IntegerArg(ctx, ctx.args[j + 3]);
      if (!value) return;
      op.value = *value;
    }
    ops.push_back(op);
    j += op.kind == store::BitfieldOp::Kind::kGet ? 2 : 3;
  }
  if (writes && read_only) {
    // Redis looks the key up (WRONGTYPE first) only for a read; a write is
    // refused before.
    return ctx.reply.Error(errors::kBitfieldReadOnly);
  }
  bool changed = false;
  auto results = store::Bitfield(ctx.keyspace, ctx.db(), ctx.args[1], ops, &changed);
  if (!results.ok()) return ReplyBitError(ctx, results.error(), ctx.args[1]);
  if (changed) ctx.Notify(kNotifyString, "setbit", ctx.args[1]);
  ctx.reply.ArrayLen(results.value().size());
  for (const auto& r : results.value()) {
    if (r) {
      ctx.reply.Integer(*r);
    } else {
      ctx.reply.Null();
    }
  }
}

void CmdBitfield(CommandContext& ctx) { BitfieldGeneric(ctx, false); }
void CmdBitfieldRo(CommandContext& ctx) { BitfieldGeneric(ctx, true); }

// BITFIELD reads its key only when every subcommand is a GET (Redis's
// bitfieldGetKeys; a parse error counts as a write).
KeySpecFlags BitfieldKeyFlags(const Args& args) {
  using enum KeySpecFlag;
  for (size_t i = 2; i < args.size(); ++i) {
    const size_t remaining = args.size() - i - 1;
    if (EqualsIgnoreCase(args[i], "get") && remaining >= 2) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "overflow") && remaining >= 1) {
      i += 1;
    } else {
      return kRW | kAccess | kUpdate;
    }
  }
  return kRO | kAccess;
}

CommandArg IndexUnit() {
  return ArgOneOf("index_unit", {ArgToken("byte", "BYTE"), ArgToken("bit", "BIT")})
      .Since("7.0.0")
      .Optional();
}

}  // namespace

void RegisterBitmapFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  constexpr uint32_t kWriteOom = kWrite | kDenyOom;

  r.Register({.name = "setbit",
              .arity = 4,
              .flags = kWriteOom,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSetBit,
              .acl_categories = AclCategory::kBitmap,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Sets or clears the bit at offset in the string value stored at key",
              .since = "2.2.0",
              .group = "bitmap",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgInteger("offset"), ArgInteger("value")}});
  r.Register({.name = "getbit",
              .arity = 3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGetBit,
              .acl_categories = AclCategory::kBitmap,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Returns the bit value at offset in the string value stored at key",
              .since = "2.2.0",
              .group = "bitmap",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgInteger("offset")}});
  r.Register(
      {.name = "bitcount",
       .arity = -2,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdBitCount,
       .acl_categories = AclCategory::kBitmap,
       .key_spec_flags = {kRO | kAccess},
       .summary = "Count set bits in a string",
       .since = "2.6.0",
       .group = "bitmap",
       .complexity = "O(N)",
       .history = {{"7.0.0", "Added the `BYTE|BIT` option."}},
       .arguments = {
           ArgKey("key", 0),
           ArgBlock("index", {ArgInteger("start"), ArgInteger("end"), IndexUnit()}).Optional()}});
  r.Register(
      {.name = "bitpos",
       .arity = -3,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdBitPos,
       .acl_categories = AclCategory::kBitmap,
       .key_spec_flags = {kRO | kAccess},
       .summary = "Find first bit set or clear in a string",
       .since = "2.8.7",
       .group = "bitmap",
       .complexity = "O(N)",
       .history = {{"7.0.0", "Added the `BYTE|BIT` option."}},
       .arguments = {
           ArgKey("key", 0), ArgInteger("bit"),
           ArgBlock("index", {ArgInteger("start"),
                              ArgBlock("end_index", {ArgInteger("end"), IndexUnit()}).Optional()})
               .Optional()}});
  r.Register(
      {.name = "bitop",
       .arity = -4,
       .flags = kWriteOom,
       .first_key = 2,
       .last_key = -1,
       .step = 1,
       .handler = CmdBitOp,
       .acl_categories = AclCategory::kBitmap,
       .key_spec_flags = {kOW | kUpdate, kRO | kAccess},
       .summary = "Perform bitwise operations between strings",
       .since = "2.6.0",
       .group = "bitmap",
       .complexity = "O(N)",
       .arguments = {ArgString("operation"), ArgKey("destkey", 0), ArgKey("key", 1).Multiple()}});
  r.Register(
      {.name = "bitfield",
       .arity = -2,
       .flags = kWriteOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdBitfield,
       .acl_categories = AclCategory::kBitmap,
       .variable_key_flags = BitfieldKeyFlags,
       .key_specs = {KeySpec::Index(1, kRW | kAccess | kUpdate | kVariableFlags)
                         .Notes("This command allows both access and modification of the key")},
       .summary = "Perform arbitrary bitfield integer operations on strings",
       .since = "3.2.0",
       .group = "bitmap",
       .complexity = "O(1) for each subcommand specified",
       .arguments = {
           ArgKey("key", 0),
           ArgOneOf(
               "operation",
               {ArgBlock("encoding_offset", {ArgString("encoding"), ArgInteger("offset")})
                    .Token("GET"),
                ArgBlock("write", {ArgOneOf("wrap_sat_fail",
                                            {ArgToken("wrap", "WRAP"), ArgToken("sat", "SAT"),
                                             ArgToken("fail", "FAIL")})
                                       .Token("OVERFLOW")
                                       .Optional(),
                                   ArgOneOf("write_operation",
                                            {ArgBlock("encoding_offset_value",
                                                      {ArgString("encoding"), ArgInteger("offset"),
                                                       ArgInteger("value")})
                                                 .Token("SET"),
                                             ArgBlock("encoding_offset_increment",
                                                      {ArgString("encoding"), ArgInteger("offset"),
                                                       ArgInteger("increment")})
                                                 .Token("INCRBY")})})})
               .Optional()
               .Multiple()}});
  r.Register({.name = "bitfield_ro",
              .arity = -2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdBitfieldRo,
              .acl_categories = AclCategory::kBitmap,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Perform arbitrary bitfield integer operations on strings. Read-only "
                         "variant of BITFIELD",
              .since = "6.0.0",
              .group = "bitmap",
              .complexity = "O(1) for each subcommand specified",
              .arguments = {ArgKey("key", 0), ArgBlock("encoding_offset", {ArgString("encoding"),
                                                                           ArgInteger("offset")})
                                                  .Token("GET")
                                                  .Optional()
                                                  .Multiple()
                                                  .MultipleToken()}});
}

}  // namespace stashd::server
