// Per-connection state seen by command handlers: selected database, protocol
// version, transaction and watch state, names.
//
// Thread safety: a ClientState is owned by its connection and only touched on
// that connection's io thread, except `kill_requested` and
// `output_soft_limit_since_ms`, atomics set from other threads, and the fields
// CLIENT LIST / INFO read from other connections (name, lib_name, lib_ver,
// user, db, last_command): their owner writes those under ClientRegistry's
// mutex (server_state.h), and readers hold that mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "server/exec/args.h"
#include "server/exec/tracking.h"
#include "store/keyspace.h"

namespace stashd::server {

struct AclUser;
class BlockedClient;
struct CommandSpec;
struct PubSubMessage;
struct MonitorLine;

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
  // dispatcher refreshes them when the ACL changed (see server/acl/acl.h).
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

  // Set while a script (EVAL) this client runs calls commands.
  bool in_script = false;
  // maxmemory, as Redis: whether memory was over the limit when the client's
  // last command started (a script's first write is then refused), and
  // whether the running script has written yet.
  bool script_oom = false;
  bool script_wrote = false;

  // Set by the dispatcher when CLIENT PAUSE holds the client's command (no
  // reply written): the connection keeps it and runs it again once the
  // pause ends. CLIENT LIST shows such a client as blocked (flag b).
  std::atomic<bool> postponed{false};
  // CLIENT NO-EVICT: shown as flag e; such a client is never closed for
  // maxmemory-clients (the server's cron, server/net/server.cc).
  std::atomic<bool> no_evict{false};

  // WATCH
  std::shared_ptr<store::WatchFlag> watch_flag;
  std::vector<std::pair<int, std::string>> watched;  // (db, key)

  // Set while the client waits in a blocking command (server/exec/blocking.h)
  // by the dispatcher, cleared by the connection once the block ended; both
  // on the owner's thread, under the registry mutex (CLIENT LIST, CLIENT
  // UNBLOCK and the idle-timeout cron read it from other threads).
  std::shared_ptr<BlockedClient> blocked;
  // Hands a block that ended on any thread to this client's connection
  // (see BlockedClient::wake). Set once before the first command.
  std::function<void(uint64_t log_before)> wake;

  // Pub/Sub (server/exec/pubsub.h): the channels, patterns and shard
  // channels this client is subscribed to, owned by its thread; the counts
  // are mirrored in atomics for CLIENT LIST / INFO from other threads.
  absl::flat_hash_set<std::string> channels;
  absl::flat_hash_set<std::string> patterns;
  absl::flat_hash_set<std::string> shard_channels;
  std::atomic<uint32_t> sub_count{0};
  std::atomic<uint32_t> psub_count{0};
  std::atomic<uint32_t> ssub_count{0};
  // Hands a published message to this client's connection, in call order;
  // called on the publisher's thread (any thread). Set once before the
  // first command.
  std::function<void(PubSubMessage message)> deliver;
  // True while the client has a subscription of any kind: in RESP2 only the
  // subscription commands, PING, QUIT and RESET may run.
  bool subscribed() const {
    return !channels.empty() || !patterns.empty() || !shard_channels.empty();
  }

  // Client-side caching (server/exec/tracking.h): the CLIENT TRACKING
  // settings, owned by this client's thread (CLIENT LIST reads `on`,
  // `bcast` and `redirect` under the registry mutex); whether the client it
  // redirects to went away, set by any thread; and how invalidation
  // messages reach this client's connection (like `deliver`, from any
  // thread, in call order; set once before the first command).
  TrackingState tracking;
  std::atomic<bool> tracking_redir_broken{false};
  std::function<void(InvalidationMessage message)> deliver_invalidation;
  // Set once the connection is closing (QUIT, CLIENT KILL, the peer left):
  // from then on it is no longer a client others can redirect to.
  std::atomic<bool> closing{false};

  // MONITOR (server/exec/monitor.h): set while the client is in monitor
  // mode, by its own thread under MonitorFeed's mutex (CLIENT LIST reads it,
  // flag O); the lines of the commands others run reach its connection
  // through `deliver_monitor` (like `deliver`, from any thread, in call
  // order; set once before the first command).
  std::atomic<bool> monitor{false};
  std::function<void(MonitorLine line)> deliver_monitor;

  // CLIENT REPLY: OFF drops every reply, SKIP the reply of the next command
  // (reply_skip_next becomes reply_skip for it). Pub/Sub confirmations and
  // messages are still sent, as Redis's pushes are: handlers write them to
  // `kept_pushes` while replies_muted(), and the dispatcher keeps those.
  bool reply_off = false;
  bool reply_skip = false;
  bool reply_skip_next = false;
  std::string kept_pushes;
  bool replies_muted() const { return reply_off || reply_skip; }

  // The connection's buffers as its io thread last published them (CLIENT
  // LIST qbuf ... omem and tot-mem, MEMORY STATS clients.normal).
  struct Buffers {
    std::atomic<uint64_t> qbuf{0};       // input read and not yet parsed
    std::atomic<uint64_t> qbuf_free{0};  // room left in the input buffer
    std::atomic<uint64_t> argv_mem{0};   // the arguments of the command parsed last
    std::atomic<uint64_t> rbs{0};        // the reply buffer's size (allocated)
    std::atomic<uint64_t> rbp{0};        // the most reply bytes it held at once
    std::atomic<uint64_t> obl{0};        // reply bytes waiting in it
    std::atomic<uint64_t> oll{0};        // writes on their way to the socket (0 or 1)
    std::atomic<uint64_t> omem{0};       // bytes of those writes
  } buffers;

  // Set by handlers: send the pending replies, then close (QUIT).
  bool close_after_reply = false;
  // Set by CLIENT KILL from another thread.
  std::atomic<bool> kill_requested{false};
  // When the replies being written went over the soft output buffer limit
  // (0: they are not); the server's cron closes the client once that lasts.
  std::atomic<int64_t> output_soft_limit_since_ms{0};
};

// Bytes the client takes: its state, the strings it owns and its buffers
// (CLIENT LIST tot-mem).
size_t ClientMemory(const ClientState& c);

// The one-line description of a client that CLIENT LIST, CLIENT INFO and
// ACL LOG show ("id=7 addr=127.0.0.1:50000 laddr=... cmd=get user=bot1 ..."),
// fields in Redis 7.2's order (7.0's plus lib-name and lib-ver). `self` is
// the connection running the command `current_cmd`: its transaction state
// and current command are shown as Redis does. REQUIRES: the client registry
// mutex held when `c` is another connection.
std::string ClientInfoLine(const ClientState& c, int64_t now_ms, bool self,
                           std::string_view current_cmd);

}  // namespace stashd::server
