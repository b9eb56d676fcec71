// Client-side caching (CLIENT TRACKING): which clients may cache which keys,
// and the invalidation messages that tell them a key changed.
//
// Default mode: the keys a tracking client's read-only commands name (their
// key specs) are remembered for it in one table, key -> client ids, shared
// by every database as in Redis. When a remembered key is modified (the
// store's ModifiedKeyListener: any write, deletion, expiry, DELPREFIX), each
// client that read it gets one invalidation naming the key, and the key is
// forgotten for all of them. A client turned BCAST instead subscribes to key
// prefixes ("" for all keys): every change of a key under one of its
// prefixes is announced, batched per prefix for each command (a MULTI/EXEC
// or a script is one command; the cron's active expiry one batch per run),
// keys sorted, as Redis batches per event loop iteration. FLUSHDB/FLUSHALL
// send every tracking client a null invalidation and empty the table.
//
// Delivery: to the client itself (RESP3: `>2 invalidate [keys]`; RESP2 gets
// nothing without REDIRECT), or with REDIRECT to another client: a RESP3
// push there too, or a RESP2 message on `__redis__:invalidate` if that
// client has a subscription. A redirection to a client that is gone marks
// the tracking client's redirection broken and sends it (RESP3 only)
// `tracking-redir-broken <id>`. Messages are posted to the receiver's io
// thread (ClientState::deliver_invalidation), in the order they are sent,
// like Pub/Sub messages, never written to another client's socket here.
//
// Invalidations caused by a client's own command, for itself, are held by
// the TrackingScope of that command and follow its reply (after EXEC's
// whole reply), as Redis 7.0 sends them; NOLOOP drops them.
//
// The table holds at most `tracking-table-max-keys` keys (0: no limit):
// beyond it, keys are evicted (their clients invalidated) before the next
// command and by the cron.
//
// Cost without tracking: the keyspace's listener pointer is null while no
// client tracks, so a write pays one atomic load.
//
// Thread safety: every ClientTracking call is safe from any thread unless
// it says otherwise; the table is guarded by one mutex, taken under shard
// locks (lock order: shard locks, then this mutex, then the client
// registry's). The calls that take a ClientState& must run on that
// client's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "store/keyspace.h"
#include "store/string_hash.h"

namespace stashd::protocol {
class ReplyBuilder;
}

namespace stashd::server {

struct ClientState;

// One message for a tracking client (or the client it redirects to).
struct InvalidationMessage {
  enum class Kind : uint8_t {
    kKeys,            // invalidate [keys]
    kFlush,           // invalidate <null>: everything
    kRedirectBroken,  // tracking-redir-broken <id> (RESP3 only)
  };
  Kind kind = Kind::kKeys;
  std::vector<std::string> keys;  // kKeys
  // kFlush: the null is written in the tracking client's protocol even
  // when another client receives it, as Redis does.
  bool null_resp3 = false;
  uint64_t redirect_id = 0;  // kRedirectBroken
  // Sent through a redirection: a RESP2 receiver with subscriptions gets it
  // as a message on __redis__:invalidate.
  bool redirected = false;
};

// The channel RESP2 clients subscribe to for redirected invalidations.
inline constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

// Writes `m` as the receiver should see it: a push in RESP3 (the builder's
// protocol); in RESP2 a Pub/Sub message if it came through a redirection
// and the receiver is `subscribed`. Returns false when it writes nothing.
bool WriteInvalidation(protocol::ReplyBuilder& reply, const InvalidationMessage& m,
                       bool subscribed);

// A client's tracking settings, owned by its thread (ClientState::tracking).
// `on`, `bcast` and `redirect` are also read by CLIENT LIST from other
// threads: the owner writes them under the client registry's mutex.
struct TrackingState {
  bool on = false;
  bool bcast = false;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  // CLIENT CACHING YES (OPTIN) / NO (OPTOUT) for the next command; the
  // dispatcher clears it after any command but CLIENT's, outside MULTI.
  bool caching = false;
  uint64_t redirect = 0;           // 0: none
  std::set<std::string> prefixes;  // BCAST, sorted ("" for every key)
};

// What CLIENT TRACKING ON asks for, once its arguments are valid.
struct TrackingOptions {
  uint64_t redirect = 0;
  bool bcast = false;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  std::vector<std::string> prefixes;
};

// Finds a live client by id and calls fn on it under the client registry's
// mutex; false if there is none (or it is closing).
using ClientLookup = std::function<bool(uint64_t id, absl::FunctionRef<void(ClientState&)> fn)>;

class ClientTracking;

// Brackets one command (or the cron's expiry) on the calling thread: the
// invalidations it causes for its own client are held until Finish(), the
// BCAST announcements it causes are batched until then. Scopes nest (a
// blocked client served inside another client's command): the innermost
// one collects. Without a scope, everything is delivered at once.
class TrackingScope {
 public:
  // `client`: whose command runs (nullptr for the cron); `reply`: where its
  // own invalidations are written at Finish() when they are for itself.
  TrackingScope(ClientTracking& tracking, ClientState* client, protocol::ReplyBuilder* reply);
  ~TrackingScope();
  TrackingScope(const TrackingScope&) = delete;
  TrackingScope& operator=(const TrackingScope&) = delete;

  // Delivers what was held so far: the client's own invalidations (into
  // `reply`, or to its redirection) and the BCAST batches. Also run by the
  // destructor.
  void Finish();

  // The innermost scope of this thread, or nullptr.
  static TrackingScope* Current();

  ClientState* client() const { return client_; }
  uint64_t client_id() const { return client_id_; }
  // The reply the client's command is writing (the outer one: a script's or
  // EXEC's, not that of a command they call). Pub/Sub messages for the
  // client itself go here at once (WriteToRunningClient).
  protocol::ReplyBuilder* reply() const { return reply_; }

  // Set by the dispatcher while a script runs inside this scope's command:
  // a read-only command the script calls makes the script's own keys
  // remembered (Redis 7.0), not the keys of that command.
  bool script_running = false;
  bool script_read = false;

 private:
  friend class ClientTracking;
  ClientTracking& tracking_;
  ClientState* client_;
  uint64_t client_id_;
  protocol::ReplyBuilder* reply_;
  TrackingScope* outer_;
  // Invalidations for client_ itself: keys in order, or a flush.
  std::vector<InvalidationMessage> own_;
  // BCAST: prefix -> key -> the id of the client that changed it last (0:
  // expiry), in sorted order as Redis sends them.
  std::map<std::string, std::map<std::string, uint64_t>, std::less<>> bcast_;
};

class ClientTracking final : public store::ModifiedKeyListener {
 public:
  // `max_keys` is the live tracking-table-max-keys setting.
  ClientTracking(store::Keyspace& keyspace, ClientLookup lookup,
                 const std::atomic<int64_t>& max_keys);
  ~ClientTracking() override;
  ClientTracking(const ClientTracking&) = delete;
  ClientTracking& operator=(const ClientTracking&) = delete;

  // CLIENT TRACKING ON (options already checked, see PrefixConflict):
  // (re)starts tracking with these options; prefixes add to those a BCAST
  // client has. REQUIRES: on the client's thread.
  void Enable(ClientState& client, const TrackingOptions& options);
  // CLIENT TRACKING OFF, RESET, and a closing client. REQUIRES: on the
  // client's thread (or once nothing else touches it).
  void Disable(ClientState& client);
  // HELLO changed the client's protocol (a flush's null follows it).
  void ProtocolChanged(ClientState& client);

  // The error CLIENT TRACKING ON BCAST gives when `prefixes` overlap each
  // other or those the client has, with Redis's text; nullopt if none.
  static std::optional<std::string> PrefixConflict(const TrackingState& state,
                                                   const std::vector<std::string>& prefixes);

  // Remembers that `client` may cache `keys`. REQUIRES: the shard locks of
  // the keys held (so no change slips in between the read and this).
  void Remember(const ClientState& client, const std::vector<std::string_view>& keys);

  // tracking-table-max-keys: true if the table holds more keys (one atomic
  // load); EvictExcess() then invalidates and forgets keys until it does
  // not, at most `budget` of them per call.
  bool OverLimit() const;
  void EvictExcess(size_t budget = 1000);

  // INFO: tracking_clients, tracking_total_keys, tracking_total_items,
  // tracking_total_prefixes.
  int64_t clients() const { return clients_count_.load(std::memory_order_relaxed); }
  int64_t total_keys() const { return keys_count_.load(std::memory_order_relaxed); }
  int64_t total_items() const;
  int64_t total_prefixes() const;

  // store::ModifiedKeyListener
  void OnKeyModified(int db, std::string_view key, bool expired) override;
  void OnFlush(int db) override;

 private:
  friend class TrackingScope;

  // What the table knows of a tracking client. `state` stays valid while
  // the entry exists (Disable removes it before the client goes).
  struct Client {
    ClientState* state = nullptr;
    uint64_t redirect = 0;
    bool bcast = false;
    bool noloop = false;
    bool resp3 = false;
  };

  // Sends `m` to client `id` (or its redirection), holding it for the
  // current scope when `id` is that scope's client. REQUIRES: mu_ held.
  void SendLocked(uint64_t id, const Client& c, InvalidationMessage m);
  // Delivers `m` for `c` now: to its redirection, or posted to itself;
  // `self_reply` (on c's thread) takes what c itself receives instead.
  // REQUIRES: mu_ held.
  void DeliverLocked(const Client& c, InvalidationMessage m, protocol::ReplyBuilder* self_reply);
  // Invalidates `key` for every client that remembered it (except `causer`
  // when NOLOOP) and forgets it. REQUIRES: mu_ held.
  void InvalidateKeyLocked(std::string_view key, uint64_t causer, bool filter_noloop);
  // Sends BCAST batches; what client `self_id` receives goes into
  // `self_reply` when given. REQUIRES: mu_ held.
  void BroadcastLocked(
      const std::map<std::string, std::map<std::string, uint64_t>, std::less<>>& batches,
      uint64_t self_id, protocol::ReplyBuilder* self_reply);
  // Installs or removes the keyspace listener, after clients_ changed.
  // REQUIRES: mu_ held.
  void UpdateListenerLocked();
  void ForgetAllKeysLocked();

  store::Keyspace& keyspace_;
  ClientLookup lookup_;
  const std::atomic<int64_t>& max_keys_;

  mutable std::mutex mu_;
  absl::flat_hash_map<uint64_t, Client> clients_;  // guarded by mu_
  absl::flat_hash_map<std::string, absl::flat_hash_set<uint64_t>, store::StringViewHash,
                      store::StringViewEq>
      keys_;
  int64_t items_ = 0;  // sum of the sizes of keys_' sets
  // BCAST prefix -> the clients subscribed to it.
  std::map<std::string, absl::flat_hash_set<uint64_t>, std::less<>> prefixes_;
  // Mirrors for lock-free reads.
  std::atomic<int64_t> clients_count_{0};
  std::atomic<int64_t> keys_count_{0};
};

}  // namespace stashd::server
