// EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP.
//
// The Lua side is server/scripting/script_engine.h; the dispatcher runs a
// script atomically (RunScript) and checks each of its redis.call lines
// (CallFromScript). EVAL runs on its connection's io thread (kRunsScript);
// once it runs long a helper thread serves that thread's other connections
// (LongRunWatch, server/exec/long_run.h): past busy-reply-threshold they get
// BUSY, and SCRIPT KILL reaches the script from any connection.
#include <algorithm>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/exec/command_runner.h"
#include "server/exec/long_run.h"
#include "server/scripting/function_store.h"
#include "server/scripting/script_engine.h"
#include "server/server_state.h"
#include "store/glob.h"
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
  void Tick() override { LongRunWatch::Tick(); }
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
    // Stored once: a seq_cst store on every call of a loop is not free.
    if (inner_.wrote() && !running_script_wrote.load(std::memory_order_relaxed)) {
      running_script_wrote.store(true);
    }
  }
  std::optional<bool> AclCheck(std::vector<std::string>& args) override {
    return inner_.AclCheck(args);
  }
  void Tick() override { inner_.Tick(); }

 private:
  DispatcherHost& inner_;
};

// The numkeys argument (args[2]) of EVAL and FCALL; replies the error and
// returns nullopt if it is not a valid count. A count that is not an integer
// gets `not_integer` (EVAL and FCALL word it differently in Redis).
std::optional<size_t> NumKeys(CommandContext& ctx, std::string_view not_integer) {
  const Args& args = ctx.args;
  const std::optional<int64_t> parsed = store::ParseInt64(args[2]);
  if (!parsed) {
    ctx.reply.Error(not_integer);
    return std::nullopt;
  }
  if (*parsed < 0) {
    ctx.reply.Error(errors::kNegativeNumKeys);
    return std::nullopt;
  }
  if (*parsed > static_cast<int64_t>(args.size()) - 3) {
    ctx.reply.Error(errors::kTooManyNumKeys);
    return std::nullopt;
  }
  return static_cast<size_t>(*parsed);
}

// Runs `body` (which calls the engine) atomically through the dispatcher,
// tracking whether the script wrote (SCRIPT KILL's UNKILLABLE).
template <typename Body>
void RunAtomically(CommandContext& ctx, Body body) {
  ctx.server.dispatcher().RunScript(ctx, [&] {
    running_script_wrote.store(false);
    body();
    running_script_wrote.store(false);
  });
}

// EVAL script numkeys [key ...] [arg ...], and the EVALSHA / _RO forms.
void Eval(CommandContext& ctx, bool by_sha, bool ro) {
  const Args& args = ctx.args;
  const std::optional<size_t> numkeys = NumKeys(ctx, errors::kNotInteger);
  if (!numkeys) return;
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
  // allow-oom: its writes are not refused over maxmemory.
  if (*flags & kScriptAllowOom) ctx.client.script_oom = false;
  const bool read_only = ro || (*flags & kScriptNoWrites);
  const size_t nkeys = *numkeys;
  std::span<const std::string> keys(args.data() + 3, nkeys);
  std::span<const std::string> argv(args.data() + 3 + nkeys, args.size() - 3 - nkeys);
  DispatcherHost host(ctx, read_only);
  WriteTrackingHost tracking(host);
  RunAtomically(ctx, [&] {
    if (!engine.Run(sha, keys, argv, tracking, ctx.reply)) {
      // Flushed between the lookup and the run (SCRIPT FLUSH from another
      // client): as if it had never been there.
      ctx.reply.Error(errors::kNoScript);
    }
  });
}

// FCALL function numkeys [key ...] [arg ...], and FCALL_RO.
void Fcall(CommandContext& ctx, bool ro) {
  const Args& args = ctx.args;
  ScriptEngine& engine = ctx.server.scripts();
  const std::optional<uint32_t> flags = engine.FunctionFlags(args[1]);
  if (!flags) {
    ctx.reply.Error(errors::kFunctionNotFound);
    return;
  }
  const std::optional<size_t> numkeys = NumKeys(ctx, errors::kBadNumKeys);
  if (!numkeys) return;
  if (ro && !(*flags & kScriptNoWrites)) {
    ctx.reply.Error(errors::kScriptWriteFlagInRo);
    return;
  }
  if (*flags & kScriptAllowOom) ctx.client.script_oom = false;
  const bool read_only = ro || (*flags & kScriptNoWrites);
  std::span<const std::string> keys(args.data() + 3, *numkeys);
  std::span<const std::string> argv(args.data() + 3 + *numkeys, args.size() - 3 - *numkeys);
  DispatcherHost host(ctx, read_only);
  WriteTrackingHost tracking(host);
  RunAtomically(ctx, [&] {
    if (!engine.CallFunction(args[1], keys, argv, args, tracking, ctx.reply)) {
      ctx.reply.Error(errors::kFunctionNotFound);  // deleted meanwhile
    }
  });
}

void CmdFcall(CommandContext& ctx) { Fcall(ctx, /*ro=*/false); }
void CmdFcallRo(CommandContext& ctx) { Fcall(ctx, /*ro=*/true); }

// Every change to the libraries: one at a time, and saved before it is
// acknowledged; a change that cannot be saved is undone.
std::mutex function_change_mu;

// Saves the libraries after a change; on failure restores `before` and
// replies the error (true if the change stands).
bool SaveOrUndo(CommandContext& ctx, const std::vector<ScriptEngine::LibraryInfo>& before) {
  ScriptEngine& engine = ctx.server.scripts();
  auto error = SaveFunctionLibraries(ctx.server.config().dir, engine.Libraries());
  if (!error) return true;
  engine.FlushLibraries();
  for (const auto& lib : before) {
    std::string name;
    engine.LoadLibrary(lib.code, false, &name);
  }
  ctx.reply.Error(errors::Format(errors::kFunctionsNotSaved, {*error}));
  return false;
}

void CmdFunctionLoad(CommandContext& ctx) {
  bool replace = false;
  for (size_t i = 2; i + 1 < ctx.args.size(); ++i) {
    if (ToLower(ctx.args[i]) != "replace") {
      ctx.reply.Error(errors::Format(errors::kFunctionLoadUnknownOption, {ctx.args[i]}));
      return;
    }
    replace = true;
  }
  std::lock_guard lock(function_change_mu);
  ScriptEngine& engine = ctx.server.scripts();
  const auto before = engine.Libraries();
  std::string name;
  if (auto error = engine.LoadLibrary(ctx.args.back(), replace, &name)) {
    ctx.reply.Error(*error);
    return;
  }
  if (SaveOrUndo(ctx, before)) ctx.reply.Bulk(name);
}

void CmdFunctionDelete(CommandContext& ctx) {
  std::lock_guard lock(function_change_mu);
  ScriptEngine& engine = ctx.server.scripts();
  const auto before = engine.Libraries();
  if (!engine.DeleteLibrary(ctx.args[2])) {
    ctx.reply.Error(errors::kLibraryNotFound);
    return;
  }
  if (SaveOrUndo(ctx, before)) ctx.reply.Ok();
}

void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "FUNCTION"}));
    return;
  }
  if (ctx.args.size() == 3) {
    const std::string mode = ToLower(ctx.args[2]);
    if (mode != "sync" && mode != "async") {
      ctx.reply.Error(errors::kFunctionFlushOption);
      return;
    }
  }
  std::lock_guard lock(function_change_mu);
  ScriptEngine& engine = ctx.server.scripts();
  const auto before = engine.Libraries();
  engine.FlushLibraries();
  if (SaveOrUndo(ctx, before)) ctx.reply.Ok();
}

// FUNCTION DUMP: every library as an RDB function record (the library's
// code), in Redis's payload format, so that Redis and stashd restore each
// other's dumps; the code LZF-compressed as Redis compresses it under
// rdbcompression.
void CmdFunctionDump(CommandContext& ctx) {
  namespace rdb = persistence::rdb;
  const bool compress = ctx.server.config().rdbcompression.load();
  ctx.reply.Bulk(
      EncodeFunctionPayload(ctx.server.scripts().Libraries(),
                            compress ? rdb::Compression::kLzf : rdb::Compression::kNone));
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
void CmdFunctionRestore(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "FUNCTION"}));
    return;
  }
  auto policy = ScriptEngine::RestorePolicy::kAppend;
  if (ctx.args.size() == 4) {
    const std::string word = ToLower(ctx.args[3]);
    if (word == "flush") {
      policy = ScriptEngine::RestorePolicy::kFlush;
    } else if (word == "replace") {
      policy = ScriptEngine::RestorePolicy::kReplace;
    } else if (word != "append") {
      ctx.reply.Error(errors::kFunctionRestorePolicy);
      return;
    }
  }
  std::string_view error;
  const std::optional<std::vector<std::string>> codes = DecodeFunctionPayload(ctx.args[2], &error);
  if (!codes) {
    ctx.reply.Error(error);
    return;
  }
  std::lock_guard lock(function_change_mu);
  ScriptEngine& engine = ctx.server.scripts();
  const auto before = engine.Libraries();
  if (auto restore_error = engine.RestoreLibraries(*codes, policy)) {
    ctx.reply.Error(*restore_error);
    return;
  }
  if (SaveOrUndo(ctx, before)) ctx.reply.Ok();
}

void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false;
  std::optional<std::string> pattern;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const std::string arg = ToLower(ctx.args[i]);
    if (arg == "withcode" && !with_code) {
      with_code = true;
    } else if (arg == "libraryname" && !pattern) {
      if (i + 1 >= ctx.args.size()) {
        ctx.reply.Error(errors::kFunctionListNoLibraryName);
        return;
      }
      pattern = ctx.args[++i];
    } else {
      ctx.reply.Error(errors::Format(errors::kFunctionListUnknownArg, {ctx.args[i]}));
      return;
    }
  }
  std::vector<ScriptEngine::LibraryInfo> libs = ctx.server.scripts().Libraries();
  if (pattern) {
    std::erase_if(libs, [&](const ScriptEngine::LibraryInfo& lib) {
      return !store::GlobMatch(*pattern, lib.name, /*nocase=*/false);
    });
  }
  ctx.reply.ArrayLen(libs.size());
  for (const auto& lib : libs) {
    ctx.reply.MapLen(with_code ? 4 : 3);
    ctx.reply.Bulk("library_name");
    ctx.reply.Bulk(lib.name);
    ctx.reply.Bulk("engine");
    ctx.reply.Bulk("LUA");
    ctx.reply.Bulk("functions");
    ctx.reply.ArrayLen(lib.functions.size());
    for (const auto& f : lib.functions) {
      ctx.reply.MapLen(3);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(f.name);
      ctx.reply.Bulk("description");
      if (f.description) {
        ctx.reply.Bulk(*f.description);
      } else {
        ctx.reply.Null();
      }
      ctx.reply.Bulk("flags");
      std::vector<std::string_view> names;
      if (f.flags & kScriptNoWrites) names.push_back("no-writes");
      if (f.flags & kScriptAllowOom) names.push_back("allow-oom");
      if (f.flags & kScriptAllowStale) names.push_back("allow-stale");
      if (f.flags & kScriptNoCluster) names.push_back("no-cluster");
      if (f.flags & kScriptAllowCrossSlotKeys) names.push_back("allow-cross-slot-keys");
      ctx.reply.SetLen(names.size());
      for (std::string_view n : names) ctx.reply.SimpleString(n);
    }
    if (with_code) {
      ctx.reply.Bulk("library_code");
      ctx.reply.Bulk(lib.code);
    }
  }
}

void CmdFunctionStats(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripts();
  if (engine.Running() && !engine.RunningAFunction()) {
    ctx.reply.Error(errors::kBusyScript);
    return;
  }
  ctx.reply.MapLen(2);
  ctx.reply.Bulk("running_script");
  if (auto running = engine.CurrentFunction()) {
    ctx.reply.MapLen(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(running->name);
    ctx.reply.Bulk("command");
    ctx.reply.ArrayLen(running->command.size());
    for (const std::string& a : running->command) ctx.reply.Bulk(a);
    ctx.reply.Bulk("duration_ms");
    ctx.reply.Integer(running->duration_ms);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("engines");
  ctx.reply.MapLen(1);
  ctx.reply.Bulk("LUA");
  ctx.reply.MapLen(2);
  ctx.reply.Bulk("libraries_count");
  ctx.reply.Integer(static_cast<int64_t>(engine.LibraryCount()));
  ctx.reply.Bulk("functions_count");
  ctx.reply.Integer(static_cast<int64_t>(engine.FunctionCount()));
}

void CmdFunctionKill(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripts();
  if (!engine.Running()) {
    ctx.reply.Error(errors::kNotBusy);
    return;
  }
  if (!engine.RunningAFunction()) {
    ctx.reply.Error(errors::kBusyScript);
    return;
  }
  if (running_script_wrote.load()) {
    ctx.reply.Error(errors::kUnkillable);
    return;
  }
  engine.RequestKill();
  ctx.reply.Ok();
}

void CmdFunctionHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {
                "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using "
                "LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is "
                "determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be "
                "restored using FUNCTION RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to "
                "give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On "
                "collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On "
                "collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there "
                "is a chance of failure",
                "      in case of functions name collision with another library).",
                "HELP",
                "    Prints this help.",
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
  if (engine.RunningAFunction()) {
    ctx.reply.Error(errors::kBusyFunction);
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
  // Run atomically by the dispatcher (RunScript), on the io thread.
  uint32_t flags = kNoScript | kSkipMonitor | kStale | kNoMandatoryKeys | kNoExecLock |
                   kOwnLogRecord | kSelfLocking | kRunsScript;
  // As Redis: EVAL, EVALSHA and FCALL may replicate (CLIENT PAUSE WRITE
  // holds them), the _RO forms do not.
  flags |= ro ? kReadonly : kMayReplicate;
  KeySpec keys =
      KeySpec::Index(2, ro ? (KeySpecFlag::kRO | KeySpecFlag::kAccess)
                           : (KeySpecFlag::kRW | KeySpecFlag::kAccess | KeySpecFlag::kUpdate))
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
  r.Register(EvalRow("evalsha_ro", CmdEvalShaRo, true, "Execute a read-only Lua script server side",
                     "Depends on the script that is executed.", true));

  r.Register(EvalRow("fcall", CmdFcall, false, "Invoke a function",
                     "Depends on the function that is executed.", false));
  r.Register(EvalRow("fcall_ro", CmdFcallRo, true, "Invoke a read-only function",
                     "Depends on the function that is executed.", false));
  r.Register(
      {.name = "function",
       .arity = -2,
       .summary = "A container for function commands",
       .since = "7.0.0",
       .group = "scripting",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "function|delete",
            .arity = 3,
            .flags = kWrite | kNoScript,
            .handler = CmdFunctionDelete,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
            .summary = "Delete a function by name",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(1)",
            .arguments = {ArgString("library-name")}},
           {.name = "function|dump",
            .arity = 2,
            .flags = kNoScript,
            .handler = CmdFunctionDump,
            .acl_categories = AclCategory::kScripting,
            .summary = "Dump all functions into a serialized binary payload",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(N) where N is the number of functions"},
           {.name = "function|flush",
            .arity = -2,
            .flags = kWrite | kNoScript,
            .handler = CmdFunctionFlush,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
            .summary = "Deleting all functions",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(N) where N is the number of functions deleted",
            .arguments = {ArgOneOf("flush-type",
                                   {ArgToken("async", "ASYNC"), ArgToken("sync", "SYNC")})
                              .Optional()}},
           {.name = "function|help",
            .arity = 2,
            .flags = kLoading | kStale,
            .handler = CmdFunctionHelp,
            .acl_categories = AclCategory::kScripting,
            .summary = "Show helpful text about the different subcommands",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(1)"},
           {.name = "function|kill",
            .arity = 2,
            .flags = kNoScript | kAllowBusy | kNoExecLock,
            .handler = CmdFunctionKill,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_shards", "response_policy:one_succeeded"},
            .summary = "Kill the function currently in execution.",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(1)"},
           {.name = "function|list",
            .arity = -2,
            .flags = kNoScript,
            .handler = CmdFunctionList,
            .acl_categories = AclCategory::kScripting,
            .tips = {"nondeterministic_output_order"},
            .summary = "List information about all the functions",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(N) where N is the number of functions",
            .arguments = {ArgString("library-name-pattern").Token("LIBRARYNAME").Optional(),
                          ArgToken("withcode", "WITHCODE").Optional()}},
           {.name = "function|load",
            .arity = -3,
            .flags = kWrite | kDenyOom | kNoScript,
            .handler = CmdFunctionLoad,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
            .summary = "Create a function with the given arguments (name, code, description)",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(1) (considering compilation time is redundant)",
            .arguments = {ArgToken("replace", "REPLACE").Optional(), ArgString("function-code")}},
           {.name = "function|restore",
            .arity = -3,
            .flags = kWrite | kDenyOom | kNoScript,
            .handler = CmdFunctionRestore,
            .acl_categories = AclCategory::kScripting,
            .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
            .summary = "Restore all the functions on the given payload",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(N) where N is the number of functions on the payload",
            .arguments = {ArgString("serialized-value"),
                          ArgOneOf("policy",
                                   {ArgToken("flush", "FLUSH"), ArgToken("append", "APPEND"),
                                    ArgToken("replace", "REPLACE")})
                              .Optional()}},
           {.name = "function|stats",
            .arity = 2,
            .flags = kNoScript | kAllowBusy | kNoExecLock,
            .handler = CmdFunctionStats,
            .acl_categories = AclCategory::kScripting,
            .tips = {"nondeterministic_output", "request_policy:all_shards",
                     "response_policy:special"},
            .summary = "Return information about the function currently running (name, "
                       "description, duration)",
            .since = "7.0.0",
            .group = "scripting",
            .complexity = "O(1)"},
       }});

  constexpr uint32_t kScriptSub = kNoScript;
  r.Register({.name = "script",
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
                   .history = {{"6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."}},
                   .arguments = {ArgOneOf("flush-type",
                                          {ArgToken("async", "ASYNC"), ArgToken("sync", "SYNC")})
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
