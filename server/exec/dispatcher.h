// The one place that looks up commands and checks arity, authentication and
// transaction state before a handler runs, and that locks the shards of the
// command's keys around it.
//
// Atomicity: every command holds `exec_mutex_` shared while it runs; EXEC
// holds it exclusively, so a transaction never interleaves with another
// client's command. Multi-key commands are atomic through their shard locks.
// A long command that works in batches (DELPREFIX) leaves the gate between
// its batches (LetExecIn), so a waiting EXEC, and the commands queued behind
// that EXEC, wait at most one batch.
//
// Thread safety: Execute() may be called concurrently from any io thread,
// each call with its own client.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "protocol/reply_builder.h"
#include "server/exec/blocking.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/exec/command_runner.h"
#include "server/exec/exec_gate.h"

namespace stashd::server {

class ServerState;

// The calls are documented on CommandRunner (server/exec/command_runner.h).
class Dispatcher final : public CommandRunner {
 public:
  explicit Dispatcher(ServerState& server) : server_(server) {}
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Execute(ClientState& client, Args& args, protocol::ReplyBuilder& reply) override;
  void ExecTransaction(CommandContext& ctx) override;
  Placement Place(const ClientState& client, const Args& args) override;
  void LetExecIn() override;
  void RunScript(CommandContext& ctx, absl::FunctionRef<void()> script) override;
  bool CallFromScript(ClientState& client, Args& args, bool read_only,
                      protocol::ReplyBuilder& reply) override;
  std::optional<bool> AclAllows(ClientState& client, const Args& args) override;
  void UnwatchAll(ClientState& client) override;
  std::unique_lock<ExecGate> PauseCommands() override;

  // True while the calling thread runs the commands of an EXEC.
  static bool InExec();

 private:
  // Execute() without CLIENT REPLY's muting and tracking's scope. Returns
  // the row that ran or refused the command (nullptr if unknown).
  const CommandSpec* ExecuteCommand(ClientState& client, Args& args, protocol::ReplyBuilder& reply);
  // Client-side caching: remembers the keys of `args` for `client` if it
  // tracks them (default mode, OPTIN/OPTOUT allowing). REQUIRES: the keys'
  // shard locks (or the exec gate exclusively) held.
  void RememberTracked(const CommandSpec& spec, ClientState& client, const Args& args);
  // The row that runs `args`: the subcommand of a container command when
  // there is one. nullptr if unknown (an unknown subcommand of a container
  // without a handler of its own too).
  const CommandSpec* LookupForScript(const Args& args);
  // True while a script has run longer than busy-reply-threshold.
  bool ScriptBusy();
  // The BUSY error for the running script (SCRIPT KILL or FUNCTION KILL).
  std::string_view BusyError();
  // Takes the exec gate shared for `spec` (kEntered). While a script holds
  // it: a kAllowBusy command runs without it (kBesideScript); another waits,
  // or gets kBusy (reply BUSY) once the script is past the threshold.
  enum class GateResult { kEntered, kBesideScript, kBusy };
  GateResult EnterGate(const CommandSpec& spec);
  // Locks the command's shards, calls the handler, records statistics.
  void Call(const CommandSpec& spec, ClientState& client, const Args& args,
            protocol::ReplyBuilder& reply);
  // The shards of every key of the command line.
  uint64_t ShardMaskOf(const CommandSpec& spec, const Args& args);

  // Blocking (server/exec/blocking.h). Block: registers the client on the
  // keys of `request`; REQUIRES the command's shard locks held.
  void Block(const CommandSpec& spec, ClientState& client, const Args& args,
             const protocol::ReplyBuilder& reply, BlockRequest request, int64_t usec);
  // Serves the clients blocked on the keys this thread's command made
  // ready. REQUIRES: the exec gate held shared, no shard lock held.
  void ServeBlocked();
  // Serves the clients blocked on one key while it can serve them.
  void ServeKey(int db, const std::string& key);
  // Re-runs w's command for `key`: false if it found nothing to take.
  bool ServeClient(BlockedClient& w, const std::string& key);

  // Points the client at the current version of its ACL user. False if the
  // user was deleted: the client is then the default user, unauthenticated.
  bool RefreshUser(ClientState& client);
  // Leaves MULTI: drops the queued commands and the watched keys.
  void DiscardTransaction(ClientState& client);
  // The error to reply if the ACL denies the command (after recording it in
  // ACL LOG), or nullopt. `in_exec`: checked again when EXEC runs it.
  std::optional<std::string> AclDenial(const CommandSpec& spec, ClientState& client,
                                       const Args& args, bool in_exec);

  ServerState& server_;
  ExecGate exec_mutex_;
};

}  // namespace stashd::server
