// Pub/Sub: who is subscribed to what, and delivery of published messages.
//
// The registry maps each channel, pattern and shard channel to its
// subscribers in subscription order. PUBLISH looks the subscribers up under
// a shared lock and hands each one the message through its client's
// `deliver` (ClientState), which posts it to the subscriber's io thread: the
// posts of one publisher reach one subscriber in publish order, whatever
// thread each connection lives on. The connection builds the message in the
// protocol its client speaks when the post runs (RESP2 array, RESP3 push).
//
// A client's own subscription sets (ClientState::channels ...) are changed
// only on its thread, together with the registry, by the calls below.
//
// Thread safety: every PubSubRegistry call is safe from any thread.
// Subscribe/Unsubscribe/UnsubscribeAll for a client must run on that
// client's thread (or once nothing else can touch it, at close).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"

namespace stashd::protocol {
class ReplyBuilder;
}

namespace stashd::server {

struct ClientState;

enum class PubSubKind : uint8_t { kChannel, kPattern, kShard };

// One message as one subscriber receives it.
struct PubSubMessage {
  struct Body {
    std::string channel;
    std::string payload;
  };
  PubSubKind kind = PubSubKind::kChannel;  // message, pmessage, smessage
  std::string pattern;                     // kPattern: the pattern that matched
  std::shared_ptr<const Body> body;        // shared by every receiver
};

// Writes `m` as Redis sends it: ["message", channel, payload],
// ["pmessage", pattern, channel, payload] or ["smessage", channel, payload],
// an array in RESP2 and a push in RESP3 (the builder's protocol).
void WriteMessage(protocol::ReplyBuilder& reply, const PubSubMessage& m);

class PubSubRegistry {
 public:
  PubSubRegistry() = default;
  PubSubRegistry(const PubSubRegistry&) = delete;
  PubSubRegistry& operator=(const PubSubRegistry&) = delete;

  // Adds `name` to the client's subscriptions of `kind`; false if it was
  // there already. REQUIRES: on the client's thread.
  bool Subscribe(PubSubKind kind, const std::string& name, ClientState& client);
  // Removes it; false if the client was not subscribed.
  bool Unsubscribe(PubSubKind kind, const std::string& name, ClientState& client);
  // Drops every subscription of the client (closing, RESET), without
  // replies.
  void UnsubscribeAll(ClientState& client);

  // Delivers `payload` to the subscribers of `channel` (then to the clients
  // whose patterns match it, unless `shard`) and returns how many receive
  // it. A subscriber whose command this thread is running (PUBLISH, or a
  // write that fires a keyspace event it listens to) gets the message
  // written into its reply at once, as Redis writes it into the client's
  // output: before the command's reply, inside EXEC's array, before a
  // script's result. The others get it posted to their io thread.
  int64_t Publish(bool shard, const std::string& channel, const std::string& payload);

  // Calls fn(client, kind, name) for every subscription of every client,
  // under the registry's shared lock (fn must not subscribe or publish).
  void ForEachSubscription(
      absl::FunctionRef<void(const ClientState* client, PubSubKind kind, const std::string& name)>
          fn) const;

  // PUBSUB CHANNELS / SHARDCHANNELS: the channels with subscribers that
  // match `pattern` (all without one).
  std::vector<std::string> Channels(bool shard, std::optional<std::string_view> pattern) const;
  // PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one channel.
  int64_t NumSub(bool shard, const std::string& channel) const;
  // PUBSUB NUMPAT: patterns with subscribers. Also INFO pubsub_patterns.
  int64_t NumPat() const;
  // INFO pubsub_channels / pubsubshard_channels.
  int64_t ChannelCount(bool shard) const;

 private:
  using Subscribers = std::vector<ClientState*>;
  using Map = absl::flat_hash_map<std::string, Subscribers>;
  Map& MapOf(PubSubKind kind);
  const Map& MapOf(PubSubKind kind) const;

  mutable std::shared_mutex mu_;
  Map channels_;  // guarded by mu_
  Map patterns_;
  Map shard_channels_;
};

}  // namespace stashd::server
