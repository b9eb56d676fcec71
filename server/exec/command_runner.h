// What the rest of the server asks of the dispatcher: run a command, run a
// transaction, forget watched keys, pause every command. ServerState owns the
// dispatcher through this interface, and server-side persistence pauses
// commands through it, so neither includes server/exec/dispatcher.h (which
// includes them). Implemented by Dispatcher.
//
// Thread safety: as Dispatcher's (server/exec/dispatcher.h).
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "absl/functional/function_ref.h"
#include "server/exec/args.h"
#include "server/exec/exec_gate.h"

namespace stashd::protocol {
class ReplyBuilder;
}

namespace stashd::server {

struct ClientState;
struct CommandContext;
class ServerState;

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;

  // Runs one command (args[0] is its name) and appends its reply.
  virtual void Execute(ClientState& client, Args& args, protocol::ReplyBuilder& reply) = 0;

  // EXEC: runs the client's queued commands atomically, or replies a null
  // array when a watched key changed. REQUIRES: called from a handler.
  virtual void ExecTransaction(CommandContext& ctx) = 0;

  // Where a connection runs `args`:
  //  kHere    on its io thread, as most commands;
  //  kWorker  on a background worker (see kRunsLong in command.h): one
  //           flagged kRunsLong, or an EXEC whose queued transaction holds
  //           one or a script;
  //  kScript  on its io thread, with a helper thread standing in for that
  //           thread once the script runs long (kRunsScript; LongRunWatch).
  // kHere too for a command that would only be queued (inside MULTI) or
  // be refused before it runs.
  enum class Placement { kHere, kWorker, kScript };
  virtual Placement Place(const ClientState& client, const Args& args) = 0;

  // Called by a long handler between its batches, holding no shard lock:
  // briefly leaves the shared exec gate, so that an EXEC or snapshot cut
  // waiting for it runs now instead of after the whole command. Does
  // nothing inside an EXEC (which must stay atomic). REQUIRES: called from
  // a handler the dispatcher runs, whose row is not kNoExecLock.
  virtual void LetExecIn() = 0;

  // EVAL: runs `script` atomically. No other client's command runs
  // meanwhile (the exec gate is held exclusively, unless this already runs
  // inside an EXEC), blocking commands the script calls do not block, all
  // its changes form one write-log record, and a SELECT inside it does not
  // change the caller's database. REQUIRES: called from a handler whose row
  // is kNoExecLock | kOwnLogRecord | kSelfLocking.
  virtual void RunScript(CommandContext& ctx, absl::FunctionRef<void()> script) = 0;

  // One redis.call of a script run by RunScript: looks the command up and
  // checks it as Redis checks a script's calls (arity, not allowed from
  // scripts, ACL, writes from a read-only script, MISCONF), then runs it.
  // Every refusal is an error reply. Returns true if the command was a
  // write that ran.
  virtual bool CallFromScript(ClientState& client, Args& args, bool read_only,
                              protocol::ReplyBuilder& reply) = 0;

  // redis.acl_check_cmd: whether the client's user may run `args`; nullopt
  // if there is no such command.
  virtual std::optional<bool> AclAllows(ClientState& client, const Args& args) = 0;

  // Forgets the client's watched keys (UNWATCH, EXEC, DISCARD, RESET, close).
  virtual void UnwatchAll(ClientState& client) = 0;

  // Waits for every running command to finish and keeps new ones from
  // starting until the lock is released (a snapshot cut). REQUIRES: the
  // calling thread runs no command, or one flagged kNoExecLock.
  virtual std::unique_lock<ExecGate> PauseCommands() = 0;
};

// The dispatcher of `server` (defined in dispatcher.cc).
std::unique_ptr<CommandRunner> NewDispatcher(ServerState& server);

}  // namespace stashd::server
