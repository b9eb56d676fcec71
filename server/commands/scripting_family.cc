// EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP.
//
// The Lua side is server/scripting/script_engine.h; the dispatcher runs a
// script atomically (RunScript) and checks each of its redis.call lines
// (CallFromScript). EVAL runs on a background worker (kRunsLong), so the io
// thread of its connection goes on serving the others: past
// busy-reply-threshold they get BUSY, and SCRIPT KILL reaches the script
// from any connection.
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/exec/command_runner.h"
#include "server/scripting/script_engine.h"
#include "server/server_state.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

// Runs a script's redis.call through the dispatcher, as the calling client.
class DispatcherHost final : public ScriptHost {
 public:
  DispatcherHost(CommandContext& ctx, bool read_only) : ctx_(ctx), read_only_(read_only) {}

  void Call(std::vector<std::string>& args, protocol::ReplyBuilder& reply) override {
    if (ctx_.server.dispatcher().CallFromScript(ctx_.client, args, read_only_, reply)) {
      wrote_ = true;
    }
  }
  std::optional<bool> AclCheck(std::vector<std::string>& args) override {
    return ctx_.server.dispatcher().AclAllows(ctx_.client, args);
  }
  bool wrote() const { return wrote_; }

 private:
  CommandContext& ctx_;
  bool read_only_;
  bool wrote_ = false;
};

// Set while a script runs and has written: SCRIPT KILL then refuses
// (UNKILLABLE), since Redis cannot undo the writes either.
std::atomic<bool> running_script_wrote{false};

class WriteTrackingHost final : public ScriptHost {
 public:
  explicit WriteTrackingHost(DispatcherHost& inner) : inner_(inner) {}
  void Call(std::vector<std::string>& args, protocol::ReplyBuilder& reply) override {
    inner_.Call(args, reply);
    if (inner_.wrote()) running_script_wrote.store(true);
  }
  std::optional<bool> AclCheck(std::vector<std::string>& args) override {
    return inner_.AclCheck(args);
  }

 private:
  DispatcherHost& inner_;
};

// EVAL script numkeys [key ...] [arg ...], and the EVALSHA / _RO forms.
void Eval(CommandContext& ctx, bool by_sha, bool ro) {
  const Args& args = ctx.args;
  const std::optional<int64_t> parsed = store::ParseInt64(args[2]);
  if (!parsed) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  const int64_t numkeys = *parsed;
  if (numkeys < 0) {
    ctx.reply.Error(errors::kNegativeNumKeys);
    return;
  }
  if (numkeys > static_cast<int64_t>(args.size()) - 3) {
    ctx.reply.Error(errors::kTooManyNumKeys);
    return;
  }
  ScriptEngine& engine = ctx.server.scripts();
  std::string sha;
  if (by_sha) {
    sha = ToLower(args[1]);
  } else if (auto error = engine.Load(args[1], &sha)) {
    ctx.reply.Error(*error);
    return;
  }
  std::optional<uint32_t> flags = engine.Flags(sha);
  if (!flags) {
    ctx.reply.Error(errors::kNoScript);
    return;
  }
  if (!(*flags & kScriptEvalCompat) && !(*flags & kScriptNoWrites) && ro) {
    ctx.reply.Error(errors::kScriptWriteFlagInRo);
    return;
  }
  const bool read_only = ro || (*flags & kScriptNoWrites);
  const auto nkeys = static_cast<size_t>(numkeys);
  std::span<const std::string> keys(args.data() + 3, nkeys);
  std::span<const std::string> argv(args.data() + 3 + nkeys, args.size() - 3 - nkeys);
  DispatcherHost host(ctx, read_only);
  WriteTrackingHost tracking(host);
  ctx.server.dispatcher().RunScript(ctx, [&] {
    running_script_wrote.store(false);
    if (!engine.Run(sha, keys, argv, tracking, ctx.reply)) {
      // Flushed between the lookup and the run (SCRIPT FLUSH from another
      // client): as if it had never been there.
      ctx.reply.Error(errors::kNoScript);
    }
    running_script_wrote.store(false);
  });
}

void CmdEval(CommandContext& ctx) { Eval(ctx, /*by_sha=*/false, /*ro=*/false); }
void CmdEvalSha(CommandContext& ctx) { Eval(ctx, /*by_sha=*/true, /*ro=*/false); }
void CmdEvalRo(CommandContext& ctx) { Eval(ctx, /*by_sha=*/false, /*ro=*/true); }
void CmdEvalShaRo(CommandContext& ctx) { Eval(ctx, /*by_sha=*/true, /*ro=*/true); }

void CmdScriptLoad(CommandContext& ctx) {
  std::string sha;
  if (auto error = ctx.server.scripts().Load(ctx.args[2], &sha)) {
    ctx.reply.Error(*error);
    return;
  }
  ctx.reply.Bulk(sha);
}

void CmdScriptExists(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripts();
  ctx.reply.ArrayLen(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Integer(engine.Exists(ToLower(ctx.args[i])) ? 1 : 0);
  }
}

void CmdScriptFlush(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::kScriptFlushOption);
    return;
  }
  if (ctx.args.size() == 3) {
    const std::string mode = ToLower(ctx.args[2]);
    if (mode != "sync" && mode != "async") {
      ctx.reply.Error(errors::kScriptFlushOption);
      return;
    }
  }
  // ASYNC frees the old Lua state in the background on Redis; a fresh state
  // is cheap to make and the old one small, so both are synchronous here.
  ctx.server.scripts().Flush();
  ctx.reply.Ok();
}

void CmdScriptKill(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripts();
  if (!engine.Running()) {
    ctx.reply.Error(errors::kNotBusy);
    return;
  }
  if (running_script_wrote.load()) {
    ctx.reply.Error(errors::kUnkillable);
    return;
  }
  engine.RequestKill();
  ctx.reply.Ok();
}

void CmdScriptHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "EXISTS <sha1> [<sha1> ...]",
                     "    Return information about the existence of the scripts in the script "
                     "cache.",
                     "FLUSH [ASYNC|SYNC]",
                     "    Flush the Lua scripts cache. Very dangerous on replicas.",
                     "    When called without the optional mode argument, the behavior is "
                     "determined by the",
                     "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                     "    * ASYNC: Asynchronously flush the scripts cache.",
                     "    * SYNC: Synchronously flush the scripts cache.",
                     "KILL",
                     "    Kill the currently executing Lua script.",
                     "LOAD <script>",
                     "    Load a script into the scripts cache without executing it.",
                     "HELP",
                     "    Prints this help.",
                 });
}

CommandSpec EvalRow(std::string name, Handler handler, bool ro, std::string summary,
                    std::string complexity, bool by_sha) {
  // Run atomically by the dispatcher (RunScript), on a background worker.
  uint32_t flags = kNoScript | kSkipMonitor | kStale | kNoMandatoryKeys | kNoExecLock |
                   kOwnLogRecord | kSelfLocking | kRunsLong;
  if (ro) flags |= kReadonly;
  KeySpec keys = KeySpec::Index(2, ro ? (KeySpecFlag::kRO | KeySpecFlag::kAccess)
                                      : (KeySpecFlag::kRW | KeySpecFlag::kAccess |
                                         KeySpecFlag::kUpdate))
                     .Keynum(0, 1, 1);
  if (!by_sha) {
    keys = std::move(keys).Notes(
        ro ? "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
           : "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE");
  }
  return {.name = std::move(name),
          .arity = -3,
          .flags = flags,
          .handler = handler,
          .acl_categories = AclCategory::kScripting,
          .key_specs = {std::move(keys)},
          .summary = std::move(summary),
          .since = ro ? "7.0.0" : (by_sha ? "2.6.0" : "2.6.0"),
          .group = "scripting",
          .complexity = std::move(complexity),
          .arguments = {ArgString(by_sha ? "sha1" : "script"), ArgInteger("numkeys"),
                        ArgKey("key", 0).Optional().Multiple(),
                        ArgString("arg").Optional().Multiple()}};
}

}  // namespace

void RegisterScriptingFamily(CommandRegistry& r) {
  r.Register(EvalRow("eval", CmdEval, false, "Execute a Lua script server side",
                     "Depends on the script that is executed.", false));
  r.Register(EvalRow("evalsha", CmdEvalSha, false, "Execute a Lua script server side",
                     "Depends on the script that is executed.", true));
  r.Register(EvalRow("eval_ro", CmdEvalRo, true, "Execute a read-only Lua script server side",
                     "Depends on the script that is executed.", false));
  r.Register(EvalRow("evalsha_ro", CmdEvalShaRo, true,
                     "Execute a read-only Lua script server side",
                     "Depends on the script that is executed.", true));

  constexpr uint32_t kScriptSub = kNoScript;
  r.Register(
      {.name = "script",
       .arity = -2,
       .acl_categories = AclCategory::kScripting,
       .summary = "A container for Lua scripts management commands",
       .since = "2.6.0",
       .group = "scripting",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "script|exists",
            .arity = -3,
            .flags = kScriptSub,
            .handler = CmdScriptExists,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_shards", "response_policy:agg_logical_and"},
            .summary = "Check existence of scripts in the script cache.",
            .since = "2.6.0",
            .group = "scripting",
            .complexity = "O(N) with N being the number of scripts to check (so checking a "
                          "single script is an O(1) operation).",
            .arguments = {ArgString("sha1").Multiple()}},
           {.name = "script|flush",
            .arity = -2,
            .flags = kScriptSub,
            .handler = CmdScriptFlush,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
            .summary = "Remove all the scripts from the script cache.",
            .since = "2.6.0",
            .group = "scripting",
            .complexity = "O(N) with N being the number of scripts in cache",
            .history = {{"6.2.0",
                         "Added the `ASYNC` and `SYNC` flushing mode modifiers."}},
            .arguments = {ArgOneOf("flush-type", {ArgToken("async", "ASYNC"),
                                                  ArgToken("sync", "SYNC")})
                              .Optional()
                              .Since("6.2.0")}},
           {.name = "script|help",
            .arity = 2,
            .flags = kLoading | kStale,
            .handler = CmdScriptHelp,
            .acl_categories = AclCategory::kScripting,
            .summary = "Show helpful text about the different subcommands",
            .since = "5.0.0",
            .group = "scripting",
            .complexity = "O(1)"},
           {.name = "script|kill",
            .arity = 2,
            .flags = kScriptSub | kAllowBusy | kNoExecLock,
            .handler = CmdScriptKill,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_shards", "response_policy:one_succeeded"},
            .summary = "Kill the script currently in execution.",
            .since = "2.6.0",
            .group = "scripting",
            .complexity = "O(1)"},
           {.name = "script|load",
            .arity = 3,
            .flags = kScriptSub | kStale,
            .handler = CmdScriptLoad,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
            .summary = "Load the specified Lua script into the script cache.",
            .since = "2.6.0",
            .group = "scripting",
            .complexity = "O(N) with N being the length in bytes of the script body.",
            .arguments = {ArgString("script")}},
       }});
}

}  // namespace stashd::server
