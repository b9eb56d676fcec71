#include "server/exec/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "protocol/errors.h"
#include "server/acl/acl.h"
#include "server/base/ascii.h"
#include "server/exec/command_journal.h"
#include "server/exec/latency.h"
#include "server/scripting/script_engine.h"
#include "server/server_state.h"

namespace stashd::server {
namespace {

std::string UnknownCommandError(const Args& args) {
  std::string name = args[0].substr(0, 128);
  std::string rest;
  for (size_t i = 1; i < args.size() && rest.size() < 128; ++i) {
    // Redis prints each one with "%.*s": it ends at its first NUL byte.
    const std::string_view arg(args[i].data(), std::min(args[i].size(), args[i].find('\0')));
    rest += '\'';
    rest += arg.substr(0, 128 - rest.size() + 1);
    rest += "' ";
  }
  return errors::Format(errors::kUnknownCommand, {name, rest});
}

// Set while this thread runs the commands of an EXEC (it holds exec_mutex_
// exclusively).
thread_local bool in_exec = false;

// Brackets a command for the write log: its changes become one record,
// appended by End() while the command's locks are still held.
class LogScope {
 public:
  explicit LogScope(CommandJournal* p) : p_(p) {
    if (p_ != nullptr) p_->BeginCommand();
  }
  ~LogScope() { End(); }
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;
  void End() {
    if (p_ != nullptr) p_->EndCommand();
    p_ = nullptr;
  }

 private:
  CommandJournal* p_;
};

// Redis refuses these while persistence is failing (MISCONF): writes, EXEC
// of a transaction with a write, and PING.
bool DeniedOnDiskError(const CommandSpec& spec, const ClientState& client) {
  if (spec.flags & (kWrite | kDeniedOnDiskError)) return true;
  if ((spec.flags & kRunsQueued) && client.in_multi) {
    for (const QueuedCommand& q : client.queued) {
      if (q.spec->flags & kWrite) return true;
    }
  }
  return false;
}

// The shebang flags of a script run (EVAL*, FCALL*), or nullopt for any
// other command and for a script without them (Redis's evalGetCommandFlags).
std::optional<uint32_t> DeclaredScriptFlags(const CommandSpec& spec, const Args& args,
                                            ScriptEngine& engine) {
  std::optional<uint32_t> flags;
  if (spec.name == "fcall" || spec.name == "fcall_ro") {
    flags = engine.FunctionFlags(args[1]);
  } else if (spec.name == "evalsha" || spec.name == "evalsha_ro") {
    flags = engine.Flags(ToLower(args[1]));
  } else if (spec.name == "eval" || spec.name == "eval_ro") {
    uint32_t parsed = 0;
    size_t len = 0;
    if (!ParseShebang(args[1], &parsed, &len)) flags = parsed;
  }
  if (flags && (*flags & kScriptEvalCompat)) return std::nullopt;
  return flags;
}

// As Redis's scriptFlagsToCmdFlags: a script with a shebang and neither
// no-writes nor allow-oom may grow memory; one without a shebang is checked
// at its first write instead (CallFromScript).
bool ScriptDeniedOnOom(const CommandSpec& spec, const Args& args, ScriptEngine& engine) {
  std::optional<uint32_t> flags = DeclaredScriptFlags(spec, args, engine);
  return flags && !(*flags & (kScriptNoWrites | kScriptAllowOom));
}

// Redis refuses these while used memory stays over maxmemory: commands that
// may grow memory (denyoom), EXEC of a transaction holding one, scripts
// flagged so, and, inside MULTI, anything but EXEC, DISCARD, QUIT and RESET
// (queuing takes memory too).
bool DeniedOnOom(const CommandSpec& spec, const ClientState& client, const Args& args,
                 ScriptEngine& engine) {
  if (spec.flags & kDenyOom) return true;
  if (spec.flags & kRunsQueued) {
    if (!client.in_multi) return false;
    for (const QueuedCommand& q : client.queued) {
      if (q.spec->flags & kDenyOom) return true;
      if (ScriptDeniedOnOom(*q.spec, q.args, engine)) return true;
    }
    return false;
  }
  if (client.in_multi && spec.name != "discard" && spec.name != "quit" && spec.name != "reset") {
    return true;
  }
  return ScriptDeniedOnOom(spec, args, engine);
}

// What CLIENT PAUSE WRITE holds: writes, what may replicate (EVAL, PUBLISH,
// PFCOUNT ...), and EXEC of a transaction holding one.
// A script with a shebang is held unless it declares no-writes (Redis
// drops may_replicate for scripts that declare their flags).
bool MayReplicate(const CommandSpec& spec, const Args& args, ScriptEngine& engine) {
  if (std::optional<uint32_t> flags = DeclaredScriptFlags(spec, args, engine)) {
    return !(*flags & kScriptNoWrites);
  }
  return (spec.flags & (kWrite | kMayReplicate)) != 0;
}

bool MayReplicate(const CommandSpec& spec, const ClientState& client, const Args& args,
                  ScriptEngine& engine) {
  if ((spec.flags & kRunsQueued) && client.in_multi) {
    for (const QueuedCommand& q : client.queued) {
      if (MayReplicate(*q.spec, q.args, engine)) return true;
    }
    return false;
  }
  return MayReplicate(spec, args, engine);
}

// What Redis refuses from a replica, so from a client in MONITOR mode: a
// command that reads or writes keys or may replicate, and EXEC of a
// transaction holding one.
bool TouchesKeyspace(const CommandSpec& spec, const ClientState& client, const Args& args,
                     ScriptEngine& engine) {
  if (spec.flags & kReadonly) return true;
  if ((spec.flags & kRunsQueued) && client.in_multi) {
    for (const QueuedCommand& q : client.queued) {
      if (q.spec->flags & kReadonly) return true;
    }
  }
  return MayReplicate(spec, client, args, engine);
}

// What a subscribed RESP2 client may run (Redis's processCommand).
bool AllowedWhileSubscribed(const CommandSpec& spec) {
  static constexpr std::string_view kAllowed[] = {"ping",         "subscribe",    "ssubscribe",
                                                  "unsubscribe",  "sunsubscribe", "psubscribe",
                                                  "punsubscribe", "quit",         "reset"};
  return std::find(std::begin(kAllowed), std::end(kAllowed), spec.name) != std::end(kAllowed);
}

bool ArityOk(const CommandSpec& spec, size_t argc) {
  int n = static_cast<int>(argc);
  return spec.arity >= 0 ? n == spec.arity : n >= -spec.arity;
}

}  // namespace

void Dispatcher::Execute(ClientState& client, Args& args, protocol::ReplyBuilder& reply) {
  ClientTracking& tracking = server_.tracking();
  // Invalidations this command causes for its own client follow its reply.
  TrackingScope tracking_scope(tracking, &client, &reply);
  if (tracking.OverLimit()) {
    // tracking-table-max-keys lowered, or passed by the last command: the
    // evicted keys' invalidations go before this command's reply, as Redis.
    tracking.EvictExcess();
    tracking_scope.Finish();
  }
  const size_t reply_start = reply.size();
  const CommandSpec* spec = ExecuteCommand(client, args, reply);
  // CONFIG SET maxmemory evicts at once (Redis's updateMaxmemory), here
  // where no shard lock is held (not inside EXEC).
  if (server_.TakeEvictionRequest() && !server_.scripts().Running()) {
    OverMaxmemory(server_.config(), server_.keyspace(), server_.memory());
  }
  if (client.postponed.load(std::memory_order_relaxed)) return;  // no reply yet: runs again
  // CLIENT REPLY OFF / SKIP: the reply goes, the Pub/Sub pushes stay.
  if (client.replies_muted()) {
    reply.buffer().resize(reply_start);
    reply.Raw(client.kept_pushes);
  }
  client.kept_pushes.clear();
  client.reply_skip = client.reply_skip_next;
  client.reply_skip_next = false;
  // CLIENT CACHING yes/no holds for one command (a whole transaction).
  if (client.tracking.caching && !client.in_multi &&
      (spec == nullptr || !(spec->flags & kKeepsCaching))) {
    client.tracking.caching = false;
  }
  tracking_scope.Finish();
}

void Dispatcher::RememberTracked(const CommandSpec& spec, ClientState& client, const Args& args) {
  const TrackingState& t = client.tracking;
  if (!t.on || t.bcast) return;
  // OPTIN: only after CLIENT CACHING yes; OPTOUT: unless CLIENT CACHING no.
  if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
  std::vector<std::string_view> keys;
  ForEachKeyArg(spec, args, [&](int index, KeySpecFlags) { keys.push_back(args[index]); });
  server_.tracking().Remember(client, keys);
}

const CommandSpec* Dispatcher::ExecuteCommand(ClientState& client, Args& args,
                                              protocol::ReplyBuilder& reply) {
  ServerStats& stats = server_.stats();
  const CommandSpec* spec = server_.commands().Find(args[0]);
  auto reject = [&](std::string_view error) {
    if (spec != nullptr && (spec->flags & kRunsQueued)) {
      // As Redis's execCommandAbort: a refused EXEC (wrong arity, NOAUTH,
      // NOPERM...) discards the transaction and says why, in or out of MULTI.
      DiscardTransaction(client);
      if (error.starts_with("ERR ")) error.remove_prefix(4);
      const std::string abort = errors::Format(errors::kExecAbortBecause, {error});
      stats.CountErrorReply(abort);
      reply.Error(abort);
      return;
    }
    stats.CountErrorReply(error);
    reply.Error(error);
    if (client.in_multi) client.multi_failed = true;
  };
  if (spec == nullptr) {
    reject(UnknownCommandError(args));
    return spec;
  }
  // A container command (CONFIG, CLIENT, COMMAND) dispatches on its second
  // word; alone, it is checked against its own arity (COMMAND runs, CONFIG
  // is "wrong number of arguments").
  if (!spec->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* sub = spec->FindSubcommand(ToLower(args[1]));
    if (sub == nullptr && spec->handler == nullptr) {
      std::string upper = ToUpper(spec->name);
      reject(errors::Format(errors::kUnknownSubcommand, {args[1].substr(0, 128), upper}));
      return spec;
    }
    if (sub != nullptr) spec = sub;
  }
  if (!ArityOk(*spec, args.size())) {
    reject(errors::Format(errors::kWrongArgs, {spec->name}));
    server_.command_stats(spec).rejected_calls.fetch_add(1, std::memory_order_relaxed);
    return spec;
  }
  Acl& acl = server_.acl();
  if (client.acl_version != acl.version() && !RefreshUser(client)) {
    // Its user was deleted: the connection is being closed.
    client.close_after_reply = true;
    reject(errors::kNoAuth);
    return spec;
  }
  if (!client.authenticated && !(spec->flags & kNoAuth)) {
    if (acl.DefaultUserIsOpen()) {
      client.authenticated = true;
    } else {
      reject(errors::kNoAuth);
      server_.command_stats(spec).rejected_calls.fetch_add(1, std::memory_order_relaxed);
      return spec;
    }
  }
  if (auto denied = AclDenial(*spec, client, args, /*in_exec=*/false)) {
    reject(*denied);
    server_.command_stats(spec).rejected_calls.fetch_add(1, std::memory_order_relaxed);
    return spec;
  }
  // maxmemory: evict, and refuse what may grow memory if that was not
  // enough (Redis's processCommand). Not while a script holds the gate.
  if (server_.config().maxmemory.load(std::memory_order_relaxed) > 0) {
    const bool oom = !server_.scripts().Running() &&
                     OverMaxmemory(server_.config(), server_.keyspace(), server_.memory());
    // Invalidations of evicted keys go before this command's reply, as Redis.
    if (TrackingScope* scope = TrackingScope::Current()) scope->Finish();
    client.script_oom = oom;
    if (oom && DeniedOnOom(*spec, client, args, server_.scripts())) {
      server_.command_stats(spec).rejected_calls.fetch_add(1, std::memory_order_relaxed);
      reject(errors::kOom);  // EXEC: the transaction is discarded, and says why
      return spec;
    }
  } else {
    client.script_oom = false;
  }
  if (CommandJournal* p = server_.command_journal();
      p != nullptr && p->refusing_writes() && DeniedOnDiskError(*spec, client)) {
    if (auto error = p->WriteRefusal()) {
      server_.command_stats(spec).rejected_calls.fetch_add(1, std::memory_order_relaxed);
      reject(*error);  // EXEC: the transaction is discarded, and says why
      return spec;
    }
  }
  // A RESP2 client with subscriptions reads messages from its connection:
  // only the commands whose replies fit in that stream may run.
  if (client.resp == 2 && client.subscribed() && !AllowedWhileSubscribed(*spec)) {
    reject(errors::Format(errors::kSubscribedContext, {spec->name}));
    return spec;
  }
  // A script past busy-reply-threshold: only the commands Redis allows then
  // (SCRIPT KILL, MULTI, AUTH ...) run; inside MULTI the refusal makes EXEC
  // fail, as in Redis.
  if (!(spec->flags & kAllowBusy) && ScriptBusy()) {
    reject(BusyError());
    return spec;
  }
  if (client.monitor.load(std::memory_order_relaxed) &&
      TouchesKeyspace(*spec, client, args, server_.scripts())) {
    reject(errors::kReplicaKeyspace);
    return spec;
  }
  // CLIENT PAUSE: the command waits, without a reply, for the pause's end
  // (the connection runs it again then). Inside MULTI the queuing waits too.
  if (server_.pause().MayBeActive()) {
    const ClientPause::Mode mode = server_.pause().Active(server_.clock().NowMs());
    if (mode == ClientPause::Mode::kAll || (mode == ClientPause::Mode::kWrite &&
                                            MayReplicate(*spec, client, args, server_.scripts()))) {
      client.postponed.store(true, std::memory_order_relaxed);
      return spec;
    }
  }
  if (client.in_multi && !(spec->flags & kMultiControl)) {
    if (spec->flags & kNoMulti) {
      reject(errors::kCommandNotAllowedInMulti);
      return spec;
    }
    client.queued.push_back({spec, std::move(args)});
    reply.SimpleString("QUEUED");
    return spec;
  }
  std::shared_lock exec_lock(exec_mutex_, std::defer_lock);
  // kNoExecLock commands take the gate themselves: EXEC exclusively, SAVE
  // and the like to pause every other command when they need to.
  if (!(spec->flags & kNoExecLock)) {
    switch (EnterGate(*spec)) {
      case GateResult::kEntered:
        exec_lock = std::shared_lock(exec_mutex_, std::adopt_lock);
        break;
      case GateResult::kBesideScript:
        break;
      case GateResult::kBusy:
        reject(BusyError());
        return spec;
    }
  }
  ReadyKeys& ready = ReadyKeys::ThisThread();
  ready.Collecting(true);
  Call(*spec, client, args, reply);
  if (!ready.empty()) {
    if (!exec_lock.owns_lock()) exec_lock.lock();
    ServeBlocked();
  }
  ready.Collecting(false);
  return spec;
}

std::string_view Dispatcher::BusyError() {
  return server_.scripts().RunningAFunction() ? errors::kBusyFunction : errors::kBusyScript;
}

bool Dispatcher::ScriptBusy() {
  return server_.scripts().BusyFor(server_.config().busy_reply_threshold_ms.load());
}

Dispatcher::GateResult Dispatcher::EnterGate(const CommandSpec& spec) {
  ScriptEngine& scripts = server_.scripts();
  while (!exec_mutex_.try_lock_shared()) {
    if (!scripts.Running()) {
      std::this_thread::yield();
      continue;
    }
    // A script holds the gate. The commands Redis serves during a busy
    // script touch no data (MULTI, WATCH, AUTH ...): they run beside it.
    // The others wait, and past busy-reply-threshold get BUSY.
    if (spec.flags & kAllowBusy) return GateResult::kBesideScript;
    if (ScriptBusy()) return GateResult::kBusy;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return GateResult::kEntered;
}

void Dispatcher::RunScript(CommandContext& ctx, absl::FunctionRef<void()> script) {
  ClientState& client = ctx.client;
  const int db = client.db;
  const bool nested = in_exec;  // EVAL inside EXEC: already exclusive
  std::unique_lock exec_lock(exec_mutex_, std::defer_lock);
  if (!nested) {
    // As a command waits at the gate (EnterGate): a script that another
    // script keeps out past busy-reply-threshold gets BUSY, instead of
    // holding its thread (an io thread: kRunsScript) until that one ends.
    while (!exec_mutex_.try_lock()) {
      if (ScriptBusy()) {
        ctx.reply.Error(BusyError());
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    exec_lock = std::unique_lock(exec_mutex_, std::adopt_lock);
  }
  in_exec = true;
  LogScope log_scope(nested ? nullptr : server_.command_journal());
  struct ScriptEnd {
    bool nested;
    ClientState& client;
    ~ScriptEnd() {
      if (!nested) in_exec = false;
      client.in_script = false;
    }
  } script_end{nested, client};
  client.in_script = true;
  if (!nested) client.script_wrote = false;
  TrackingScope* tracking_scope = TrackingScope::Current();
  if (tracking_scope != nullptr) {
    tracking_scope->script_running = true;
    tracking_scope->script_read = false;
  }
  // As in Redis, time stands still for the script: its keys cannot expire
  // halfway through it.
  store::ClockFreeze freeze(server_.clock());
  script();
  // Client-side caching, as Redis 7.0: a script that read anything makes
  // its declared keys remembered (not those of the commands it called),
  // while it still holds the gate.
  if (tracking_scope != nullptr && tracking_scope->script_read) {
    tracking_scope->script_read = false;
    if (const CommandSpec* spec = LookupForScript(ctx.args))
      RememberTracked(*spec, client, ctx.args);
  }
  if (client.db != db) {
    std::lock_guard lock(server_.clients().mutex());
    client.db = db;
  }
}

const CommandSpec* Dispatcher::LookupForScript(const Args& args) {
  const CommandSpec* spec = server_.commands().Find(args[0]);
  if (spec == nullptr) return nullptr;
  if (!spec->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* sub = spec->FindSubcommand(ToLower(args[1]));
    if (sub != nullptr) return sub;
    if (spec->handler == nullptr) return nullptr;
  }
  return spec;
}

bool Dispatcher::CallFromScript(ClientState& client, Args& args, bool read_only,
                                protocol::ReplyBuilder& reply) {
  const CommandSpec* spec = LookupForScript(args);
  if (spec == nullptr) {
    reply.Error(errors::kScriptUnknownCommand);
    return false;
  }
  if (!ArityOk(*spec, args.size())) {
    reply.Error(errors::kScriptWrongArgs);
    return false;
  }
  if (spec->flags & kNoScript) {
    reply.Error(errors::kScriptCommandNotAllowed);
    return false;
  }
  if (const AclUser* user = client.acl_user.get(); user != nullptr && !user->unrestricted) {
    int denied_arg = 0;
    AclResult result = server_.acl().Check(*user, *spec, args, &denied_arg);
    if (result != AclResult::kOk) {
      const bool key = result == AclResult::kDeniedKey;
      const bool channel = result == AclResult::kDeniedChannel;
      Acl::LogEntry entry;
      entry.reason = key       ? Acl::LogReason::kKey
                     : channel ? Acl::LogReason::kChannel
                               : Acl::LogReason::kCommand;
      entry.context = Acl::LogContext::kLua;
      entry.object = key || channel ? args[denied_arg] : spec->name;
      entry.username = client.user;
      entry.ctime_ms = server_.clock().NowMs();
      entry.client_info = ClientInfoLine(client, entry.ctime_ms, /*self=*/true, "eval");
      server_.acl().AddLogEntry(std::move(entry),
                                static_cast<size_t>(server_.config().acllog_max_len.load()));
      reply.Error(key       ? errors::kScriptNoPermKey
                  : channel ? errors::kScriptNoPermChannel
                            : errors::kScriptNoPermCommand);
      return false;
    }
  }
  // A read-only script may not write, nor run what may replicate (PUBLISH,
  // PFCOUNT ...), as Redis 7.0: so it can run during CLIENT PAUSE WRITE.
  if (read_only && (spec->flags & (kWrite | kMayReplicate))) {
    reply.Error(errors::kScriptWriteInReadOnly);
    return false;
  }
  if (spec->flags & kWrite) {
    if (CommandJournal* p = server_.command_journal(); p != nullptr && p->refusing_writes()) {
      if (auto error = p->WriteRefusal()) {
        reply.Error(*error);
        return false;
      }
    }
  }
  // As Redis's scriptVerifyOOM: memory was over maxmemory when the script
  // started and it has not written yet: it may not start growing memory.
  if ((spec->flags & kDenyOom) && client.script_oom && !client.script_wrote) {
    server_.command_stats(spec).rejected_calls.fetch_add(1, std::memory_order_relaxed);
    reply.Error(errors::kOom);
    return false;
  }
  Call(*spec, client, args, reply);
  if (spec->flags & kWrite) client.script_wrote = true;
  return (spec->flags & kWrite) != 0;
}

std::optional<bool> Dispatcher::AclAllows(ClientState& client, const Args& args) {
  const CommandSpec* spec = LookupForScript(args);
  if (spec == nullptr) return std::nullopt;
  const AclUser* user = client.acl_user.get();
  if (user == nullptr || user->unrestricted) return true;
  int denied_arg = 0;
  return server_.acl().Check(*user, *spec, args, &denied_arg) == AclResult::kOk;
}

uint64_t Dispatcher::ShardMaskOf(const CommandSpec& spec, const Args& args) {
  store::Keyspace& keyspace = server_.keyspace();
  uint64_t mask = 0;
  ForEachKeyArg(spec, args,
                [&](int index, KeySpecFlags) { mask |= keyspace.ShardMaskOf(args[index]); });
  return mask;
}

void Dispatcher::Call(const CommandSpec& spec, ClientState& client, const Args& args,
                      protocol::ReplyBuilder& reply) {
  store::Keyspace& keyspace = server_.keyspace();
  store::Keyspace::Locks locks;
  if (spec.flags & kLockAll) {
    locks = keyspace.Lock(keyspace.AllShardsMask());
  } else if (spec.HasKeys() && !(spec.flags & kSelfLocking)) {
    locks = keyspace.Lock(ShardMaskOf(spec, args));
  }
  size_t reply_start = reply.size();
  auto start = std::chrono::steady_clock::now();
  CommandContext ctx{args, client, server_, keyspace, reply};
  // EXEC brackets its commands itself, inside its exclusive lock.
  LogScope log_scope((spec.flags & kOwnLogRecord) ? nullptr : server_.command_journal());
  // Client-side caching: a command a script calls (`from_script`) remembers
  // no keys of its own; if it reads, the script's keys are (RunScript).
  const bool from_script = client.in_script;
  TrackingScope* tracking_scope = client.tracking.on ? TrackingScope::Current() : nullptr;
  if (tracking_scope != nullptr && !from_script) tracking_scope->script_running = false;
  // MONITOR (server/exec/monitor.h): a script runner is shown before the
  // commands its script calls, any other command once it ran.
  MonitorFeed& monitors = server_.monitors();
  const bool feed_first = (spec.flags & kSkipMonitor) != 0;
  if (feed_first && monitors.Active()) monitors.Feed(spec, client, client.db, args);
  spec.handler(ctx);
  if (!feed_first && monitors.Active()) monitors.Feed(spec, client, client.db, args);
  if (tracking_scope != nullptr && (spec.flags & kReadonly)) {
    if (from_script) {
      tracking_scope->script_read = true;
    } else if (!tracking_scope->script_running) {
      RememberTracked(spec, client, args);  // under the locks: no change slips in before
    }
  }
  auto usec = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  log_scope.End();  // before the locks go: the log's order is the apply order
  const bool blocked = ctx.block.has_value();
  if (blocked) Block(spec, client, args, reply, std::move(*ctx.block), usec);
  locks.Release();

  CommandStats& cs = server_.command_stats(&spec);
  // A blocked call counts when its block ends (EndBlock, ServeClient); it
  // is timed and slow-logged when served (ServeClient).
  if (!blocked) {
    cs.calls.fetch_add(1, std::memory_order_relaxed);
    RecordCommandTime(server_, spec, cs, client, args, usec);
  }
  cs.usec.fetch_add(static_cast<uint64_t>(usec), std::memory_order_relaxed);
  ServerStats& stats = server_.stats();
  stats.total_commands_processed.fetch_add(1, std::memory_order_relaxed);
  // A reply that is a top-level error counts as a failed call (EXEC's
  // array of replies does not).
  if (reply.size() > reply_start && reply.buffer()[reply_start] == '-') {
    cs.failed_calls.fetch_add(1, std::memory_order_relaxed);
    stats.CountErrorReply(std::string_view(reply.buffer()).substr(reply_start, 64));
  }
  if (client.last_command != spec.name) {
    std::lock_guard lock(server_.clients().mutex());
    client.last_command = spec.name;
  }
}

void Dispatcher::ExecTransaction(CommandContext& ctx) {
  ClientState& client = ctx.client;
  if (!client.in_multi) {
    ctx.reply.Error(errors::kExecWithoutMulti);
    return;
  }
  std::vector<QueuedCommand> queued = std::move(client.queued);
  bool failed = client.multi_failed;
  client.queued.clear();
  client.in_multi = false;
  client.multi_failed = false;
  if (failed) {
    UnwatchAll(client);
    ctx.reply.Error(errors::kExecAbort);
    return;
  }
  std::unique_lock exec_lock(exec_mutex_);
  in_exec = true;
  // The whole transaction is one log record, appended before the lock goes.
  LogScope log_scope(server_.command_journal());
  struct ExecEnd {
    ~ExecEnd() { in_exec = false; }
  } exec_end;
  // A watched key that expired since WATCH counts as modified: looking it up
  // deletes it, which sets the flag.
  if (client.watch_flag) {
    for (const auto& [db, key] : client.watched) {
      auto locks = ctx.keyspace.Lock(ctx.keyspace.ShardMaskOf(key));
      ctx.keyspace.Find(db, key, store::Keyspace::Lookup::kPeek);
    }
  }
  bool dirty = client.watch_flag && client.watch_flag->dirty.load();
  UnwatchAll(client);
  if (dirty) {
    ctx.reply.NullArray();
    return;
  }
  ctx.reply.ArrayLen(queued.size());
  for (QueuedCommand& q : queued) {
    // The ACL may have changed since the command was queued.
    if (client.acl_version != server_.acl().version() && !RefreshUser(client)) {
      client.close_after_reply = true;
      ctx.reply.Error(errors::kNoAuth);
      server_.stats().CountErrorReply(errors::kNoAuth);
      continue;
    }
    if (auto denied = AclDenial(*q.spec, client, q.args, /*in_exec=*/true)) {
      ctx.reply.Error(*denied);
      server_.stats().CountErrorReply(*denied);
      continue;
    }
    Call(*q.spec, client, q.args, ctx.reply);
  }
}

void Dispatcher::DiscardTransaction(ClientState& client) {
  client.queued.clear();
  client.in_multi = false;
  client.multi_failed = false;
  UnwatchAll(client);
}

bool Dispatcher::RefreshUser(ClientState& client) {
  Acl& acl = server_.acl();
  acl.Refresh(client);
  if (client.acl_user != nullptr) return true;
  // The user was deleted (its connections are being closed): back to the
  // default user, not authenticated, as Redis does.
  {
    std::lock_guard lock(server_.clients().mutex());
    client.user = "default";
  }
  client.authenticated = false;
  acl.Refresh(client);
  return false;
}

std::optional<std::string> Dispatcher::AclDenial(const CommandSpec& spec, ClientState& client,
                                                 const Args& args, bool in_exec) {
  const AclUser* user = client.acl_user.get();
  if (user == nullptr || user->unrestricted) return std::nullopt;
  int denied_arg = 0;
  AclResult result = server_.acl().Check(*user, spec, args, &denied_arg);
  if (result == AclResult::kOk) return std::nullopt;
  const bool key = result == AclResult::kDeniedKey;
  const bool channel = result == AclResult::kDeniedChannel;
  Acl::LogEntry entry;
  entry.reason = key       ? Acl::LogReason::kKey
                 : channel ? Acl::LogReason::kChannel
                           : Acl::LogReason::kCommand;
  entry.context = in_exec || client.in_multi ? Acl::LogContext::kMulti : Acl::LogContext::kToplevel;
  entry.object = key || channel ? args[denied_arg] : spec.name;
  entry.username = client.user;
  entry.ctime_ms = server_.clock().NowMs();
  entry.client_info = ClientInfoLine(client, entry.ctime_ms, /*self=*/true, spec.name);
  server_.acl().AddLogEntry(std::move(entry),
                            static_cast<size_t>(server_.config().acllog_max_len.load()));
  if (in_exec) {
    return errors::Format(errors::kNoPermExecChanged,
                          {key       ? errors::kNoPermExecKeyReason
                           : channel ? errors::kNoPermExecChannelReason
                                     : errors::kNoPermExecCommandReason});
  }
  if (key) return std::string(errors::kNoPermKey);
  if (channel) return std::string(errors::kNoPermChannel);
  return errors::Format(errors::kNoPermCommand, {spec.name});
}

CommandRunner::Placement Dispatcher::Place(const ClientState& client, const Args& args) {
  const CommandSpec* spec = server_.commands().Find(args[0]);
  if (spec == nullptr) return Placement::kHere;
  if (client.in_multi && !(spec->flags & kMultiControl)) return Placement::kHere;  // only queued
  if (spec->flags & kRunsLong) return Placement::kWorker;
  if (spec->flags & kRunsScript) return Placement::kScript;
  if ((spec->flags & kRunsQueued) && client.in_multi &&
      std::any_of(client.queued.begin(), client.queued.end(), [](const QueuedCommand& q) {
        return q.spec->flags & (kRunsLong | kRunsScript);
      })) {
    return Placement::kWorker;
  }
  return Placement::kHere;
}

void Dispatcher::LetExecIn() {
  if (in_exec) return;
  // A writer waiting on the gate has raised its flag: lock_shared() backs
  // off until it is done, so the EXEC (or cut) runs here.
  exec_mutex_.unlock_shared();
  exec_mutex_.lock_shared();
}

std::unique_lock<ExecGate> Dispatcher::PauseCommands() {
  return std::unique_lock<ExecGate>(exec_mutex_);
}

bool Dispatcher::InExec() { return in_exec; }

void Dispatcher::Block(const CommandSpec& spec, ClientState& client, const Args& args,
                       const protocol::ReplyBuilder& reply, BlockRequest request, int64_t usec) {
  auto w = std::make_shared<BlockedClient>();
  w->spec = &spec;
  w->usec = usec;
  // Served, it is slow-logged with the line the client sent.
  if (request.rerun_args) w->sent_args = args;
  w->args = request.rerun_args ? std::move(*request.rerun_args) : args;
  w->client = &client;
  w->db = client.db;
  w->keys = std::move(request.keys);
  w->lock_mask = ShardMaskOf(spec, args);
  w->type = request.type;
  w->timeout_reply = request.timeout_reply;
  w->deadline_ms = request.deadline_ms;
  w->reply.set_resp3(reply.resp3());
  w->wake = client.wake;
  for (const std::string& key : w->keys) server_.keyspace().Watch(w->db, key, w);
  server_.stats().blocked_clients.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(server_.clients().mutex());
  client.blocked = std::move(w);
}

void Dispatcher::ServeBlocked() {
  ReadyKeys& ready = ReadyKeys::ThisThread();
  std::pair<int, std::string> key;
  for (size_t i = 0; ready.Next(i, &key); ++i) ServeKey(key.first, key.second);
}

void Dispatcher::ServeKey(int db, const std::string& key) {
  store::Keyspace& keyspace = server_.keyspace();
  // A stream is read, not popped: every client waiting for a stream on
  // this key is offered it once, in arrival order (each wants entries after
  // its own ID, so one served with nothing does not mean the next finds
  // nothing). They are offered it also when the key was deleted or holds
  // another type now: the handler decides (XREADGROUP fails, XREAD waits on).
  bool is_stream = false;
  {
    std::vector<std::shared_ptr<store::WatchFlag>> waiting;
    {
      auto locks = keyspace.Lock(keyspace.ShardMaskOf(key));
      std::optional<store::ValueView> v = keyspace.Find(db, key, store::Keyspace::Lookup::kPeek);
      is_stream = v && v->type == store::ValueType::kStream;
      for (auto& flag : keyspace.Watchers(db, key)) {
        auto* w = dynamic_cast<BlockedClient*>(flag.get());
        if (w != nullptr && w->type == store::ValueType::kStream &&
            w->state.load() == BlockedClient::State::kWaiting) {
          waiting.push_back(flag);
        }
      }
    }
    for (auto& flag : waiting) ServeClient(static_cast<BlockedClient&>(*flag), key);
  }
  if (is_stream) return;
  while (true) {
    std::shared_ptr<store::WatchFlag> next;
    {
      auto locks = keyspace.Lock(keyspace.ShardMaskOf(key));
      std::optional<store::ValueView> v = keyspace.Find(db, key, store::Keyspace::Lookup::kPeek);
      if (!v) return;
      // The first client waiting for this type: a BZPOPMIN client is not
      // served by a list, and stays blocked (Redis 7.0).
      for (auto& flag : keyspace.Watchers(db, key)) {
        auto* w = dynamic_cast<BlockedClient*>(flag.get());
        if (w != nullptr && w->type == v->type &&
            w->state.load() == BlockedClient::State::kWaiting) {
          next = std::move(flag);
          break;
        }
      }
    }
    if (next == nullptr) return;
    if (!ServeClient(static_cast<BlockedClient&>(*next), key)) return;
  }
}

bool Dispatcher::ServeClient(BlockedClient& w, const std::string& key) {
  store::Keyspace& keyspace = server_.keyspace();
  CommandJournal* journal = server_.command_journal();
  const uint64_t log_before = journal != nullptr ? journal->ThreadLogPosition() : 0;
  // The served client's own invalidations follow its reply (Redis serves
  // it as its current client).
  TrackingScope tracking_scope(server_.tracking(), w.client, &w.reply);
  auto locks = keyspace.Lock(w.lock_mask);
  // Ended meanwhile (timeout, CLIENT UNBLOCK, closed): the next one, then.
  if (w.state.load() != BlockedClient::State::kWaiting) return true;
  auto start = std::chrono::steady_clock::now();
  CommandContext ctx{w.args, *w.client, server_, keyspace, w.reply};
  ctx.serving_key = &key;
  {
    LogScope log_scope(journal);
    w.spec->handler(ctx);
  }
  if (w.reply.size() == 0) return false;
  const int64_t usec = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  // As Redis's updateStatsOnUnblock: the time it ran, when blocking and now
  // (not the time it waited). Done while it is still waiting (its client
  // cannot go before the locks are released).
  CommandStats& cs = server_.command_stats(w.spec);
  RecordCommandTime(server_, *w.spec, cs, *w.client, w.sent_args.empty() ? w.args : w.sent_args,
                    w.usec + usec);
  auto waiting = BlockedClient::State::kWaiting;
  w.state.compare_exchange_strong(waiting, BlockedClient::State::kServed);
  for (const std::string& k : w.keys) keyspace.Unwatch(w.db, k, &w);
  locks.Release();
  server_.stats().blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  cs.calls.fetch_add(1, std::memory_order_relaxed);
  cs.usec.fetch_add(static_cast<uint64_t>(usec), std::memory_order_relaxed);
  if (w.reply.buffer()[0] == '-') {
    cs.failed_calls.fetch_add(1, std::memory_order_relaxed);
    server_.stats().CountErrorReply(std::string_view(w.reply.buffer()).substr(0, 64));
  }
  tracking_scope.Finish();
  if (w.wake) w.wake(log_before);
  return true;
}

std::unique_ptr<CommandRunner> NewDispatcher(ServerState& server) {
  return std::make_unique<Dispatcher>(server);
}

void Dispatcher::UnwatchAll(ClientState& client) {
  if (!client.watch_flag) return;
  store::Keyspace& keyspace = server_.keyspace();
  for (const auto& [db, key] : client.watched) {
    auto locks = keyspace.Lock(keyspace.ShardMaskOf(key));
    keyspace.Unwatch(db, key, client.watch_flag.get());
  }
  client.watched.clear();
  client.watch_flag.reset();
}

}  // namespace stashd::server
