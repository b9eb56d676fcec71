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

  // True if `args` is a command the connection should run on a background
  // worker (see kRunsLong in command.h): one flagged kRunsLong, or an EXEC
  // whose queued transaction holds one. False for a command that would only
  // be queued (inside MULTI) or be refused before it runs.
  virtual bool RunsLong(const ClientState& client, const Args& args) = 0;

  // Called by a long handler between its batches, holding no shard lock:
  // briefly leaves the shared exec gate, so that an EXEC or snapshot cut
  // waiting for it runs now instead of after the whole command. Does
  // nothing inside an EXEC (which must stay atomic). REQUIRES: called from
  // a handler the dispatcher runs, whose row is not kNoExecLock.
  virtual void LetExecIn() = 0;

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
