// The command table: one row per command, as in Redis's commands.def.
//
//   {name, arity, flags, first_key, last_key, step, handler, acl categories}
//
// Arity follows Redis: a positive number is the exact argument count, a
// negative one the minimum; the command name counts. Key positions follow
// Redis too: first_key/last_key are argument indexes (last_key < 0 counts
// from the end), step the distance between keys; first_key == 0 means the
// command takes no key. The dispatcher uses them to check arity and to lock
// the shards the command touches; handlers never lock.
//
// A family of commands registers its rows with one function, e.g.
// RegisterStringFamily(CommandRegistry&).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/node_hash_map.h"

namespace stashd::protocol {
class ReplyBuilder;
}
namespace stashd::store {
class Keyspace;
}

namespace stashd::server {

struct ClientState;
class ServerState;

// Command flags: the Redis ones we report in COMMAND INFO, then our own.
enum CommandFlag : uint32_t {
  kWrite = 1 << 0,
  kReadonly = 1 << 1,
  kDenyOom = 1 << 2,
  kAdmin = 1 << 3,
  kPubSub = 1 << 4,
  kNoScript = 1 << 5,
  kBlocking = 1 << 6,
  kLoading = 1 << 7,
  kStale = 1 << 8,
  kSkipMonitor = 1 << 9,
  kSkipSlowlog = 1 << 10,
  kFast = 1 << 11,
  kNoAuth = 1 << 12,
  kMayReplicate = 1 << 13,
  kNoMulti = 1 << 14,
  kAllowBusy = 1 << 15,
  kSentinel = 1 << 16,
  kOnlySentinel = 1 << 17,
  kNoAsyncLoading = 1 << 18,
  // stashd-internal, never reported:
  kLockAll = 1 << 24,       // needs every shard locked (KEYS, FLUSHALL, ...)
  kSelfLocking = 1 << 25,   // the handler locks what it needs (SCAN)
  kMultiControl = 1 << 26,  // runs immediately inside MULTI (EXEC, DISCARD, ...)
  kNoExecLock = 1 << 27,    // runs without the exec lock: pauses other commands itself (SAVE)
};

// The arguments of one command, argv[0] being the name as the client sent it.
using Args = std::vector<std::string>;

// Everything a handler may touch while it runs. The shards of the command's
// keys are locked for the whole call.
struct CommandContext {
  const Args& args;
  ClientState& client;
  ServerState& server;
  store::Keyspace& keyspace;
  protocol::ReplyBuilder& reply;
  int db() const;
};

using Handler = void (*)(CommandContext& ctx);

struct CommandSpec {
  std::string name;  // lowercase; "config|get" for a subcommand
  int arity = 0;
  uint32_t flags = 0;
  int first_key = 0;
  int last_key = 0;
  int step = 0;
  Handler handler = nullptr;
  std::vector<std::string> acl_categories;  // beyond those implied by flags, e.g. "@string"
  // COMMAND DOCS
  std::string summary;
  std::string since;
  std::string group;
  std::string complexity;
  // Subcommands (CONFIG GET, CLIENT LIST ...). A command with subcommands
  // dispatches on argv[1]; its own handler is only called when none matches.
  std::vector<CommandSpec> subcommands;
  // COMMAND INFO extras, both optional.
  // Key specs: one entry per Redis key spec, holding its flags as COMMAND
  // INFO prints them, in Redis's order ("RW access delete", "OW update").
  // With one entry the spec covers first_key..last_key by step (GET, MSET,
  // DEL); with several, entry i covers the key at first_key + i * step alone
  // and the last one runs on to last_key (RENAME: {"RW access delete",
  // "OW update"}; SINTERSTORE: {"OW update", "RO access"}). A command with
  // keys and no entry gets one spec with no flags.
  std::vector<std::string> key_spec_flags;
  // Command tips: "nondeterministic_output", "request_policy:all_shards"...
  std::vector<std::string> tips;

  bool HasKeys() const { return first_key > 0; }
  // Appends the key argument indexes of `args` to `out`.
  void KeyIndexes(const Args& args, std::vector<int>* out) const;
  const CommandSpec* FindSubcommand(std::string_view lowercase_name) const;
};

class CommandRegistry {
 public:
  // Adds a row; the name must be lowercase and not registered yet.
  void Register(CommandSpec spec);
  // Case-insensitive lookup; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  const absl::node_hash_map<std::string, CommandSpec>& all() const { return commands_; }

 private:
  // node_hash_map: specs keep their address, the dispatcher and stats hold pointers.
  absl::node_hash_map<std::string, CommandSpec> commands_;
};

// Replies a subcommand HELP text: an array of status lines, as Redis does.
void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines);

// Family registration functions, one per file under server/commands/.
void RegisterStringFamily(CommandRegistry& registry);
void RegisterKeyspaceFamily(CommandRegistry& registry);
void RegisterConnectionFamily(CommandRegistry& registry);
void RegisterServerFamily(CommandRegistry& registry);
void RegisterTransactionFamily(CommandRegistry& registry);
void RegisterPersistenceFamily(CommandRegistry& registry);
void RegisterAclFamily(CommandRegistry& registry);

// All of the above.
void RegisterAllCommands(CommandRegistry& registry);

}  // namespace stashd::server
