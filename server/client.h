// Per-connection state seen by command handlers: selected database, protocol
// version, transaction and watch state, names.
//
// Thread safety: a ClientState is owned by its connection and only touched on
// that connection's io thread, except `kill_requested`, which CLIENT KILL sets
// from any thread, and the fields read by CLIENT LIST / INFO, which are read
// under ClientRegistry's mutex (see client_registry.h) and written by the
// owner under the same mutex through ClientRegistry::Update*.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/command.h"
#include "store/keyspace.h"

namespace stashd::server {

struct AclUser;

struct QueuedCommand {
  const CommandSpec* spec;  // the command (or subcommand) to run
  Args args;
};

struct ClientState {
  uint64_t id = 0;
  int db = 0;
  int resp = 2;
  bool authenticated = false;
  std::string user = "default";
  // The ACL rules of `user` as of Acl::version() == acl_version; the
  // dispatcher refreshes them when the ACL changed (see server/acl.h).
  std::shared_ptr<const AclUser> acl_user;
  uint64_t acl_version = 0;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  std::string addr;   // ip:port of the peer
  std::string laddr;  // ip:port of our side
  int fd = -1;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string last_command;  // lowercase full name, for CLIENT LIST cmd=

  // MULTI ... EXEC
  bool in_multi = false;
  bool multi_failed = false;  // a command was rejected while queuing: EXECABORT
  std::vector<QueuedCommand> queued;

  // WATCH
  std::shared_ptr<store::WatchFlag> watch_flag;
  std::vector<std::pair<int, std::string>> watched;  // (db, key)

  // Set by handlers: send the pending replies, then close (QUIT).
  bool close_after_reply = false;
  // Set by CLIENT KILL from another thread.
  std::atomic<bool> kill_requested{false};
  // When the replies being written went over the soft output buffer limit
  // (0: they are not); the server's cron closes the client once that lasts.
  std::atomic<int64_t> output_soft_limit_since_ms{0};
};

}  // namespace stashd::server
