// The HyperLogLog commands: PFADD PFCOUNT PFMERGE, over strings in Redis's
// HLL representation (store/hyperloglog.h, store/hyperloglog_ops.h).
// PFDEBUG and PFSELFTEST (Redis's debugging aids) are not implemented.
#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/commands/scope_reply.h"
#include "server/exec/command.h"
#include "server/server_state.h"
#include "store/hyperloglog_ops.h"
#include "store/keyspace.h"

namespace stashd::server {
namespace {

using store::OpError;

void ReplyHllError(CommandContext& ctx, OpError error, std::string_view key) {
  switch (error) {
    case OpError::kNotHll:
      return ctx.reply.Error(errors::kNotHll);
    case OpError::kCorruptHll:
      return ctx.reply.Error(errors::kCorruptHll);
    case OpError::kScopeLimit:
      if (const store::ScopeConfig* scope = ctx.keyspace.ValueTooLarge(key, SIZE_MAX)) {
        return ReplyScopeValueTooLarge(ctx.reply, *scope);
      }
      [[fallthrough]];
    default:
      return ctx.reply.Error(errors::kWrongType);
  }
}

size_t SparseMaxBytes(CommandContext& ctx) {
  return static_cast<size_t>(ctx.server.config().hll_sparse_max_bytes.load());
}

std::span<const std::string> ArgsFrom(CommandContext& ctx, size_t first) {
  return {ctx.args.data() + first, ctx.args.size() - first};
}

void CmdPfAdd(CommandContext& ctx) {
  auto updated =
      store::PfAdd(ctx.keyspace, ctx.db(), ctx.args[1], ArgsFrom(ctx, 2), SparseMaxBytes(ctx));
  if (!updated.ok()) return ReplyHllError(ctx, updated.error(), ctx.args[1]);
  if (updated.value()) ctx.Notify(kNotifyString, "pfadd", ctx.args[1]);
  ctx.reply.Integer(updated.value() ? 1 : 0);
}

void CmdPfCount(CommandContext& ctx) {
  auto count = store::PfCount(ctx.keyspace, ctx.db(), ArgsFrom(ctx, 1));
  if (!count.ok()) return ReplyHllError(ctx, count.error(), ctx.args[1]);
  ctx.reply.Integer(static_cast<int64_t>(count.value()));
}

void CmdPfMerge(CommandContext& ctx) {
  if (auto err = store::PfMerge(ctx.keyspace, ctx.db(), ctx.args[1], ArgsFrom(ctx, 2),
                                SparseMaxBytes(ctx))) {
    return ReplyHllError(ctx, *err, ctx.args[1]);
  }
  // Redis names PFMERGE's event "pfadd" too.
  ctx.Notify(kNotifyString, "pfadd", ctx.args[1]);
  ctx.reply.Ok();
}

}  // namespace

void RegisterHyperLogLogFamily(CommandRegistry& r) {
  using enum KeySpecFlag;

  r.Register({.name = "pfadd",
              .arity = -2,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPfAdd,
              .acl_categories = AclCategory::kHyperLogLog,
              .key_spec_flags = {kRW | kInsert},
              .summary = "Adds the specified elements to the specified HyperLogLog.",
              .since = "2.8.9",
              .group = "hyperloglog",
              .complexity = "O(1) to add every element.",
              .arguments = {ArgKey("key", 0), ArgString("element").Optional().Multiple()}});
  r.Register(
      {.name = "pfcount",
       .arity = -2,
       .flags = kReadonly | kMayReplicate,
       .first_key = 1,
       .last_key = -1,
       .step = 1,
       .handler = CmdPfCount,
       .acl_categories = AclCategory::kHyperLogLog,
       .key_specs = {KeySpec::Index(1, kRW | kAccess)
                         .Range(-1, 1, 0)
                         .Notes("RW because it may change the internal representation of the key, "
                                "and propagate to replicas")},
       .summary = "Return the approximated cardinality of the set(s) observed by the "
                  "HyperLogLog at key(s).",
       .since = "2.8.9",
       .group = "hyperloglog",
       .complexity = "O(1) with a very small average constant time when called with a single "
                     "key. O(N) with N being the number of keys, and much bigger constant times, "
                     "when called with multiple keys.",
       .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register({.name = "pfmerge",
              .arity = -2,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdPfMerge,
              .acl_categories = AclCategory::kHyperLogLog,
              .key_spec_flags = {kRW | kAccess | kInsert, kRO | kAccess},
              .summary = "Merge N different HyperLogLogs into a single one.",
              .since = "2.8.9",
              .group = "hyperloglog",
              .complexity = "O(N) to merge N HyperLogLogs, but with high constant times.",
              .arguments = {ArgKey("destkey", 0), ArgKey("sourcekey", 1).Multiple()}});
}

}  // namespace stashd::server
