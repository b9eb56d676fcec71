// MULTI EXEC DISCARD WATCH UNWATCH.
//
// Queuing happens in the dispatcher (a command inside MULTI is checked for
// arity and then queued); these commands carry kMultiControl so they run at
// once even inside MULTI. EXEC's atomicity is the dispatcher's exec mutex.
#include <memory>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/client.h"
#include "server/command.h"
#include "server/dispatcher.h"
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
    ctx.keyspace.Find(ctx.db(), key);
    ctx.keyspace.Watch(ctx.db(), key, client.watch_flag);
    client.watched.emplace_back(ctx.db(), key);
  }
  ctx.reply.Ok();
}

void CmdUnwatch(CommandContext& ctx) {
  ctx.server.dispatcher().UnwatchAll(ctx.client);
  ctx.reply.Ok();
}

CommandSpec Row(std::string name, int arity, uint32_t flags, int first, int last, int step,
                Handler h, std::string summary, std::string complexity) {
  CommandSpec s;
  s.name = std::move(name);
  s.arity = arity;
  s.flags = flags | kNoScript | kLoading | kStale | kMultiControl;
  s.first_key = first;
  s.last_key = last;
  s.step = step;
  s.handler = h;
  s.acl_categories = {"@transaction"};
  s.summary = std::move(summary);
  s.since = s.name == "unwatch" || s.name == "watch" ? "2.2.0" : "1.2.0";
  s.group = "transactions";
  s.complexity = std::move(complexity);
  return s;
}

}  // namespace

void RegisterTransactionFamily(CommandRegistry& r) {
  r.Register(
      Row("multi", 1, kFast | kAllowBusy, 0, 0, 0, CmdMulti, "Start a transaction block", "O(1)"));
  r.Register(Row("exec", 1, kSkipSlowlog, 0, 0, 0, CmdExec,
                 "Execute all commands issued after MULTI",
                 "Depends on commands in the transaction"));
  r.Register(Row("discard", 1, kFast | kAllowBusy, 0, 0, 0, CmdDiscard,
                 "Discard all commands issued after MULTI",
                 "O(N), when N is the number of queued commands"));
  r.Register(Row("watch", -2, kFast | kAllowBusy, 1, -1, 1, CmdWatch,
                 "Watch the given keys to determine execution of the MULTI/EXEC block",
                 "O(1) for every key."));
  r.Register(Row("unwatch", 1, kFast | kAllowBusy, 0, 0, 0, CmdUnwatch,
                 "Forget about all watched keys", "O(1)"));
}

}  // namespace stashd::server
