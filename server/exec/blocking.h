// Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX
// BZMPOP, and WAIT): how a client waits for a key, and how it is served.
//
// A blocking handler first does what its non-blocking form does. When none
// of its keys can serve it, it calls BlockOrTimeout(): inside MULTI/EXEC
// that replies the timeout reply at once (Redis's CLIENT_DENY_BLOCKING);
// otherwise it leaves a BlockRequest in the context and no reply. The
// dispatcher then, still holding the command's shard locks (so no push can
// slip in between), registers a BlockedClient as a watcher of each key
// (store::WatchFlag) and the connection stops running that client's input
// until the block ends. A waiting client costs nothing: no thread polls.
//
// Any change to a watched key calls BlockedClient::Touched on the changing
// thread, which notes the key as ready. When that thread's command (a whole
// EXEC: a key pushed and popped inside it wakes nobody) is done, the
// dispatcher serves the ready keys (Dispatcher::ServeBlocked): for each, the
// clients blocked on it whose type the key holds, first come first served,
// each re-running its own handler restricted to that key
// (CommandContext::serving_key) under the shard locks of all its keys,
// until one finds nothing to take. Each serve is its own write-log record:
// the pop it is. A served BLMOVE pushes to its destination, which makes
// that key ready in turn, so chains of BLMOVE wake each other.
//
// Across threads the push and the serve are not one atomic step: a command
// another thread runs at the same moment may take the element first (it is
// then as if it had run just before the push). A client that waits for the
// push's reply before sending its own command always finds the blocked
// client served first, because serving ends before the push's reply is
// sent.
//
// A block ends exactly once, by whoever moves its state away from kWaiting
// (an atomic compare-and-swap, done holding the shard locks of all its
// keys): served, timed out (the connection's timer), CLIENT UNBLOCK, or the
// connection closing. The winner writes the reply (none when closing) and
// calls wake(), which hands it to the connection's thread.
//
// Thread safety: a BlockedClient's fields are fixed once it is registered,
// except `state` (atomic) and `reply`, which only the thread that ended the
// block writes, before calling wake().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_builder.h"
#include "server/exec/args.h"
#include "server/exec/command.h"
#include "store/keyspace.h"

namespace stashd::server {

class ServerState;

class BlockedClient final : public store::WatchFlag {
 public:
  enum class State : uint8_t { kWaiting, kServed, kTimedOut, kUnblocked, kClosed };

  // Notes (db, key) as ready on this thread, if this thread runs a command.
  void Touched(int db, std::string_view key) override;

  std::atomic<State> state{State::kWaiting};
  const CommandSpec* spec = nullptr;
  Args args;                      // the command line, re-run to serve it
  Args sent_args;                 // the line as sent, if `args` was rewritten
  int64_t usec = 0;               // the time its first run took (slow log)
  ClientState* client = nullptr;  // valid while state is kWaiting
  int db = 0;
  std::vector<std::string> keys;  // the keys it waits on (none: WAIT)
  uint64_t lock_mask = 0;         // the shards of every key of the command
  store::ValueType type = store::ValueType::kList;
  TimeoutReply timeout_reply = TimeoutReply::kNullArray;
  int64_t deadline_ms = 0;  // on the server clock; 0: none
  protocol::ReplyBuilder reply;
  // Hands the ended block to the connection; called once, on the thread
  // that ended it. `log_before` is that thread's write-log position before
  // the serve (what the reply acknowledges must reach the log first).
  std::function<void(uint64_t log_before)> wake;
};

// Parses a blocking command's timeout as Redis 7.0 does (seconds, a float;
// `in_ms`: WAIT's integer milliseconds) into a deadline on the server clock
// (0: forever). Replies the error and returns false if it is not valid.
bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, bool in_ms, int64_t* deadline_ms);

// True if the handler runs to serve a blocked client and `key` is not the
// one serving it: the handler skips it.
inline bool SkipWhileServing(const CommandContext& ctx, std::string_view key) {
  return ctx.serving_key != nullptr && *ctx.serving_key != key;
}

// Called by a blocking handler that found nothing to serve it. Serving a
// blocked client: does nothing (no reply: still waiting). Inside MULTI/EXEC:
// replies at once what the non-blocking form would, `in_multi` if given
// (BLMOVE: LMOVE's nil), else `timeout_reply`. Otherwise asks the
// dispatcher to block the client on `keys` (see above); a block that times
// out replies `timeout_reply` (Redis: a nil array for every keyed block,
// BLMOVE's included). `rerun_args`: the command line to re-run when served,
// if not the one given.
void BlockOrTimeout(CommandContext& ctx, std::vector<std::string> keys, int64_t deadline_ms,
                    store::ValueType type, TimeoutReply timeout_reply,
                    std::optional<TimeoutReply> in_multi = std::nullopt,
                    std::optional<Args> rerun_args = std::nullopt);

// The ready keys of this thread, noted by Touched() while the thread runs a
// command (Collecting(true)); the dispatcher serves them when the command is
// done, taking them in order with Next(). A key is not noted again while it
// is pending or being served (its serving loop goes on anyway); a key
// served earlier in the same round is (a BLMOVE chain may come back to it).
class ReadyKeys {
 public:
  static ReadyKeys& ThisThread();
  void Collecting(bool on) { collecting_ = on; }
  bool empty() const { return keys_.empty(); }
  void Add(int db, std::string_view key);
  // Copies the key at `i` (the one now served) into *out; past the end,
  // clears the list and returns false.
  bool Next(size_t i, std::pair<int, std::string>* out);

 private:
  bool collecting_ = false;
  std::vector<std::pair<int, std::string>> keys_;
  size_t serving_ = 0;  // keys_[serving_..] are being served or pending
};

// Ends the block of `w` unless it ended already: writes the reply (the
// timeout reply, or the UNBLOCKED error; none when closing), unregisters it
// and updates the statistics. Returns true if this call ended it; the caller
// then calls w.wake() (unless closing). REQUIRES: no shard lock held.
bool EndBlock(ServerState& server, BlockedClient& w, BlockedClient::State why);

}  // namespace stashd::server
