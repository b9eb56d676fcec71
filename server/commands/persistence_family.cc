// SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE and SHUTDOWN: thin handlers over
// server/durability/persistence.h.
//
// SAVE, BGSAVE, BGREWRITEAOF and SHUTDOWN are flagged kNoExecLock: they take
// a snapshot cut, which pauses every command, so they must not run under the
// exec lock themselves. BGREWRITEAOF takes a snapshot: after it the write
// log starts afresh, which is what rewriting the AOF achieves in Redis.
#include <string_view>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/durability/persistence.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/exec/dispatcher.h"
#include "server/scripting/script_engine.h"
#include "server/server_state.h"

namespace stashd::server {
namespace {

Persistence* Need(CommandContext& ctx) {
  Persistence* p = ctx.server.persistence();
  if (p == nullptr) ctx.reply.Error(errors::kPersistenceUnavailable);
  return p;
}

void CmdSave(CommandContext& ctx) {
  Persistence* p = Need(ctx);
  if (p == nullptr) return;
  switch (p->Save()) {
    case Persistence::SaveResult::kOk:
      ctx.reply.Ok();
      break;
    case Persistence::SaveResult::kInProgress:
      ctx.reply.Error(errors::kBgsaveInProgress);
      break;
    case Persistence::SaveResult::kFailed:
      ctx.reply.Error(errors::kSaveFailed);
      break;
  }
}

// BGSAVE [SCHEDULE]. Inside EXEC every command is paused already, so the
// save is scheduled, as Redis does.
void CmdBgsave(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && ToLower(ctx.args[1]) != "schedule")) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  Persistence* p = Need(ctx);
  if (p == nullptr) return;
  if (p->saving()) {
    ctx.reply.Error(errors::kBgsaveInProgress);
    return;
  }
  if (Dispatcher::InExec()) {
    p->ScheduleBackgroundSave();
    ctx.reply.SimpleString("Background saving scheduled");
    return;
  }
  if (p->BackgroundSave() == Persistence::BgsaveResult::kInProgress) {
    ctx.reply.Error(errors::kBgsaveInProgress);
    return;
  }
  ctx.reply.SimpleString("Background saving started");
}

void CmdBgrewriteaof(CommandContext& ctx) {
  Persistence* p = Need(ctx);
  if (p == nullptr) return;
  if (Dispatcher::InExec() || p->saving() ||
      p->BackgroundSave() == Persistence::BgsaveResult::kInProgress) {
    p->ScheduleBackgroundSave();
    ctx.reply.SimpleString("Background append only file rewriting scheduled");
    return;
  }
  ctx.reply.SimpleString("Background append only file rewriting started");
}

void CmdLastsave(CommandContext& ctx) {
  Persistence* p = ctx.server.persistence();
  ctx.reply.Integer(p != nullptr ? p->last_save_s() : ctx.server.start_ms() / 1000);
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. On success the client gets
// no reply: its connection closes as the server goes down.
void CmdShutdown(CommandContext& ctx) {
  bool nosave = false;
  bool save = false;
  bool now = false;
  bool force = false;
  bool abort = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string arg = ToLower(ctx.args[i]);
    if (arg == "nosave") {
      nosave = true;
    } else if (arg == "save") {
      save = true;
    } else if (arg == "now") {
      now = true;  // there are no replicas to wait for anyway
    } else if (arg == "force") {
      force = true;
    } else if (arg == "abort") {
      abort = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (abort) {
    // A shutdown never waits (there are no replicas): none can be pending.
    ctx.reply.Error(errors::kNoShutdownInProgress);
    return;
  }
  // During a busy script: only SHUTDOWN NOSAVE, which stops the script
  // even if it wrote (as Redis does).
  if (ctx.server.scripts().BusyFor(ctx.server.config().busy_reply_threshold_ms.load())) {
    if (!nosave) {
      ctx.reply.Error(ctx.server.scripts().RunningAFunction() ? errors::kBusyFunction
                                                              : errors::kBusyScript);
      return;
    }
    ctx.server.scripts().RequestKill();
  }
  if (Persistence* p = ctx.server.persistence()) {
    auto mode = save     ? Persistence::ShutdownMode::kSave
                : nosave ? Persistence::ShutdownMode::kNoSave
                         : Persistence::ShutdownMode::kDefault;
    if (!p->PrepareShutdown(mode, force).ok()) {
      ctx.reply.Error(errors::kShutdownFailed);
      return;
    }
  }
  ctx.client.close_after_reply = true;
  if (ctx.server.request_shutdown) ctx.server.request_shutdown();
}

}  // namespace

void RegisterPersistenceFamily(CommandRegistry& r) {
  constexpr uint32_t kAdminNoScript = kAdmin | kNoScript;
  r.Register({.name = "save",
              .arity = 1,
              .flags = kAdminNoScript | kNoAsyncLoading | kNoMulti | kNoExecLock,
              .handler = CmdSave,
              .summary = "Synchronously save the dataset to disk",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(N) where N is the total number of keys in all databases"});
  r.Register({.name = "bgsave",
              .arity = -1,
              .flags = kAdminNoScript | kNoAsyncLoading | kNoExecLock,
              .handler = CmdBgsave,
              .summary = "Asynchronously save the dataset to disk",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(1)",
              .history = {{"3.2.2", "Added the `SCHEDULE` option."}},
              .arguments = {ArgToken("schedule", "SCHEDULE").Since("3.2.2").Optional()}});
  r.Register({.name = "bgrewriteaof",
              .arity = 1,
              .flags = kAdminNoScript | kNoAsyncLoading | kNoExecLock,
              .handler = CmdBgrewriteaof,
              .summary = "Asynchronously rewrite the append-only file",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(1)"});
  r.Register({.name = "lastsave",
              .arity = 1,
              .flags = kLoading | kStale | kFast,
              .handler = CmdLastsave,
              .acl_categories = AclCategory::kAdmin | AclCategory::kDangerous,
              .tips = {"nondeterministic_output"},
              .summary = "Get the UNIX time stamp of the last successful save to disk",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(1)"});
  r.Register({.name = "shutdown",
              .arity = -1,
              .flags = kAdminNoScript | kLoading | kStale | kNoMulti | kAllowBusy | kNoExecLock,
              .handler = CmdShutdown,
              .summary = "Synchronously save the dataset to disk and then shut down the server",
              .since = "1.0.0",
              .group = "server",
              .complexity = "O(N) when saving, where N is the total number of keys in all "
                            "databases when saving data, otherwise O(1)",
              .history = {{"7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."}},
              .arguments = {
                  ArgOneOf("nosave_save", {ArgToken("nosave", "NOSAVE"), ArgToken("save", "SAVE")})
                      .Optional(),
                  ArgToken("now", "NOW").Since("7.0.0").Optional(),
                  ArgToken("force", "FORCE").Since("7.0.0").Optional(),
                  ArgToken("abort", "ABORT").Since("7.0.0").Optional()}});
}

}  // namespace stashd::server
