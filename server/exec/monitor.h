// MONITOR: every command the server runs, shown as a line to each client in
// monitor mode, as Redis 7.0 does:
//
//   +1700000000.123456 [0 127.0.0.1:50000] "set" "foo" "bar"
//
// The dispatcher feeds a command after it ran (so SELECT shows the database
// it selected), except the script runners (EVAL*, FCALL*, flagged
// kSkipMonitor), fed before their script so that the commands the script
// calls ("[0 lua] ...") follow them. Commands flagged kAdmin are never shown
// (CONFIG, CLIENT LIST, DEBUG ...), nor commands refused before they ran
// (unknown, wrong arity, NOAUTH ...). Passwords (AUTH, HELLO AUTH, MIGRATE
// AUTH) show as "(redacted)", from the row's `redact`.
//
// A line is built once and handed to every monitor through its client's
// `deliver_monitor`, which posts it to the monitor's io thread (the
// connection's PushMailbox, as Pub/Sub messages are).
//
// Cost: with no monitor attached, Active() is one relaxed atomic load.
//
// Thread safety: every call is safe from any thread. Add/Remove for a client
// run on that client's thread (or once nothing else can touch it, at close).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/exec/args.h"

namespace stashd::server {

struct ClientState;
struct CommandSpec;

// One monitor line, shared by every monitor it goes to.
struct MonitorLine {
  std::shared_ptr<const std::string> text;  // "+<time> [<db> <origin>] ...\r\n"
};

// The line for a command: `now_us` microseconds since the epoch, `origin`
// the client's address or "lua", each argument quoted as Redis's sdscatrepr
// (\n \r \t \a \b \" \\ escaped, other bytes outside 0x20..0x7e as \xhh),
// those `redacted` marks (one entry per argument, or empty) as
// "(redacted)".
std::string FormatMonitorLine(int64_t now_us, int db, std::string_view origin, const Args& args,
                              const std::vector<bool>& redacted);

class MonitorFeed {
 public:
  MonitorFeed() = default;
  MonitorFeed(const MonitorFeed&) = delete;
  MonitorFeed& operator=(const MonitorFeed&) = delete;

  // True while at least one client monitors: the dispatcher formats lines
  // only then.
  bool Active() const { return count_.load(std::memory_order_relaxed) > 0; }

  // Puts the client in monitor mode (sets client.monitor); false if it was
  // already. REQUIRES: on the client's thread.
  bool Add(ClientState& client);
  // Takes it out of monitor mode (RESET, closing); no-op if it was not.
  void Remove(ClientState& client);

  // Shows `spec`'s command line `args`, run by `client` in database `db`,
  // to every monitor, unless the row is kAdmin.
  void Feed(const CommandSpec& spec, const ClientState& client, int db, const Args& args);

  // How many clients monitor.
  size_t Count() const { return static_cast<size_t>(count_.load(std::memory_order_relaxed)); }

 private:
  mutable std::mutex mu_;
  std::vector<ClientState*> monitors_;  // guarded by mu_, in MONITOR order
  std::atomic<int> count_{0};           // monitors_.size(), read without the lock
};

}  // namespace stashd::server
