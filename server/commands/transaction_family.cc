// MULTI EXEC DISCARD WATCH UNWATCH.
//
// Queuing happens in the dispatcher (a command inside MULTI is checked for
// arity and then queued); these commands carry kMultiControl so they run at
// once even inside MULTI. EXEC's atomicity is the dispatcher's exec mutex.
#include <memory>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/exec/dispatcher.h"
#include "server/server_state.h"

namespace stashd::server {
namespace {

void CmdMulti(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error(errors::kMultiNested);
    return;
  }
  ctx.client.in_multi = true;
  ctx.client.multi_failed = false;
  ctx.client.queued.clear();
  ctx.reply.Ok();
}

void CmdExec(CommandContext& ctx) { ctx.server.dispatcher().ExecTransaction(ctx); }

void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.reply.Error(errors::kDiscardWithoutMulti);
    return;
  }
  ctx.client.in_multi = false;
  ctx.client.multi_failed = false;
  ctx.client.queued.clear();
  ctx.server.dispatcher().UnwatchAll(ctx.client);
  ctx.reply.Ok();
}

// The dispatcher has locked the shards of every key.
void CmdWatch(CommandContext& ctx) {
  ClientState& client = ctx.client;
  if (client.in_multi) {
    ctx.reply.Error(errors::kWatchInMulti);
    return;
  }
  if (!client.watch_flag) client.watch_flag = std::make_shared<store::WatchFlag>();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& key = ctx.args[i];
    bool already = false;
    for (const auto& [db, k] : client.watched) {
      if (db == ctx.db() && k == key) {
        already = true;
        break;
      }
    }
    if (already) continue;
    // A key that is already logically expired is deleted now, so that its
    // deletion is not mistaken for a change made after WATCH.
    ctx.keyspace.Find(ctx.db(), key, store::Keyspace::Lookup::kPeek);
    ctx.keyspace.Watch(ctx.db(), key, client.watch_flag);
    client.watched.emplace_back(ctx.db(), key);
  }
  ctx.reply.Ok();
}

void CmdUnwatch(CommandContext& ctx) {
  ctx.server.dispatcher().UnwatchAll(ctx.client);
  ctx.reply.Ok();
}

}  // namespace

void RegisterTransactionFamily(CommandRegistry& r) {
  // Every transaction command runs at once inside MULTI.
  constexpr uint32_t kAlways = kNoScript | kLoading | kStale | kMultiControl;

  r.Register({.name = "multi",
              .arity = 1,
              .flags = kAlways | kFast | kAllowBusy,
              .handler = CmdMulti,
              .acl_categories = AclCategory::kTransaction,
              .summary = "Mark the start of a transaction block",
              .since = "1.2.0",
              .group = "transactions",
              .complexity = "O(1)"});
  r.Register({.name = "exec",
              .arity = 1,
              .flags = kAlways | kSkipSlowlog | kNoExecLock | kOwnLogRecord | kRunsQueued,
              .handler = CmdExec,
              .acl_categories = AclCategory::kTransaction,
              .summary = "Execute all commands issued after MULTI",
              .since = "1.2.0",
              .group = "transactions",
              .complexity = "Depends on commands in the transaction"});
  r.Register({.name = "discard",
              .arity = 1,
              .flags = kAlways | kFast | kAllowBusy,
              .handler = CmdDiscard,
              .acl_categories = AclCategory::kTransaction,
              .summary = "Discard all commands issued after MULTI",
              .since = "2.0.0",
              .group = "transactions",
              .complexity = "O(N), when N is the number of queued commands"});
  r.Register({.name = "watch",
              .arity = -2,
              .flags = kAlways | kFast | kAllowBusy,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdWatch,
              .acl_categories = AclCategory::kTransaction,
              .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
              .since = "2.2.0",
              .group = "transactions",
              .complexity = "O(1) for every key.",
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register({.name = "unwatch",
              .arity = 1,
              .flags = kAlways | kFast | kAllowBusy,
              .handler = CmdUnwatch,
              .acl_categories = AclCategory::kTransaction,
              .summary = "Forget about all watched keys",
              .since = "2.2.0",
              .group = "transactions",
              .complexity = "O(1)"});
}

}  // namespace stashd::server
