#include "server/exec/pubsub.h"

#include <algorithm>
#include <mutex>

#include "protocol/reply_builder.h"
#include "server/exec/client.h"
#include "server/exec/tracking.h"
#include "store/glob.h"

namespace stashd::server {
namespace {

absl::flat_hash_set<std::string>& SetOf(ClientState& c, PubSubKind kind) {
  switch (kind) {
    case PubSubKind::kChannel:
      return c.channels;
    case PubSubKind::kPattern:
      return c.patterns;
    case PubSubKind::kShard:
      break;
  }
  return c.shard_channels;
}

std::atomic<uint32_t>& CountOf(ClientState& c, PubSubKind kind) {
  switch (kind) {
    case PubSubKind::kChannel:
      return c.sub_count;
    case PubSubKind::kPattern:
      return c.psub_count;
    case PubSubKind::kShard:
      break;
  }
  return c.ssub_count;
}

}  // namespace

void WriteMessage(protocol::ReplyBuilder& reply, const PubSubMessage& m) {
  switch (m.kind) {
    case PubSubKind::kChannel:
      reply.PushLen(3);
      reply.Bulk("message");
      break;
    case PubSubKind::kPattern:
      reply.PushLen(4);
      reply.Bulk("pmessage");
      reply.Bulk(m.pattern);
      break;
    case PubSubKind::kShard:
      reply.PushLen(3);
      reply.Bulk("smessage");
      break;
  }
  reply.Bulk(m.body->channel);
  reply.Bulk(m.body->payload);
}

PubSubRegistry::Map& PubSubRegistry::MapOf(PubSubKind kind) {
  return const_cast<Map&>(static_cast<const PubSubRegistry*>(this)->MapOf(kind));
}

const PubSubRegistry::Map& PubSubRegistry::MapOf(PubSubKind kind) const {
  switch (kind) {
    case PubSubKind::kChannel:
      return channels_;
    case PubSubKind::kPattern:
      return patterns_;
    case PubSubKind::kShard:
      break;
  }
  return shard_channels_;
}

bool PubSubRegistry::Subscribe(PubSubKind kind, const std::string& name, ClientState& client) {
  if (!SetOf(client, kind).insert(name).second) return false;
  CountOf(client, kind).fetch_add(1, std::memory_order_relaxed);
  std::unique_lock lock(mu_);
  MapOf(kind)[name].push_back(&client);
  return true;
}

bool PubSubRegistry::Unsubscribe(PubSubKind kind, const std::string& name, ClientState& client) {
  if (SetOf(client, kind).erase(name) == 0) return false;
  CountOf(client, kind).fetch_sub(1, std::memory_order_relaxed);
  std::unique_lock lock(mu_);
  Map& map = MapOf(kind);
  auto it = map.find(name);
  if (it != map.end()) {
    Subscribers& subs = it->second;
    subs.erase(std::find(subs.begin(), subs.end(), &client));
    if (subs.empty()) map.erase(it);
  }
  return true;
}

void PubSubRegistry::UnsubscribeAll(ClientState& client) {
  for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kPattern, PubSubKind::kShard}) {
    std::vector<std::string> names(SetOf(client, kind).begin(), SetOf(client, kind).end());
    for (const std::string& name : names) Unsubscribe(kind, name, client);
  }
}

namespace {

// Writes `m` into the reply of `c`'s command when this thread is running
// it; false otherwise. Under CLIENT REPLY OFF/SKIP the message is kept while
// the reply is dropped (Dispatcher::Execute puts kept_pushes back).
bool WriteToRunningClient(ClientState& c, const PubSubMessage& m) {
  TrackingScope* scope = TrackingScope::Current();
  if (scope == nullptr || scope->client() != &c || scope->reply() == nullptr) return false;
  if (c.replies_muted()) {
    protocol::ReplyBuilder kept;
    kept.set_resp3(scope->reply()->resp3());
    WriteMessage(kept, m);
    c.kept_pushes += kept.buffer();
  } else {
    WriteMessage(*scope->reply(), m);
  }
  return true;
}

}  // namespace

int64_t PubSubRegistry::Publish(bool shard, const std::string& channel,
                                const std::string& payload) {
  auto body = std::make_shared<const PubSubMessage::Body>(PubSubMessage::Body{channel, payload});
  int64_t receivers = 0;
  auto deliver = [&](ClientState* c, PubSubMessage m) {
    ++receivers;
    if (!WriteToRunningClient(*c, m) && c->deliver) c->deliver(std::move(m));
  };
  std::shared_lock lock(mu_);
  const Map& map = shard ? shard_channels_ : channels_;
  if (auto it = map.find(channel); it != map.end()) {
    for (ClientState* c : it->second) {
      deliver(c, PubSubMessage{shard ? PubSubKind::kShard : PubSubKind::kChannel, {}, body});
    }
  }
  if (shard) return receivers;
  for (const auto& [pattern, subs] : patterns_) {
    if (!store::GlobMatch(pattern, channel)) continue;
    for (ClientState* c : subs) deliver(c, PubSubMessage{PubSubKind::kPattern, pattern, body});
  }
  return receivers;
}

void PubSubRegistry::ForEachSubscription(
    absl::FunctionRef<void(const ClientState*, PubSubKind, const std::string&)> fn) const {
  std::shared_lock lock(mu_);
  for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kPattern, PubSubKind::kShard}) {
    for (const auto& [name, subs] : MapOf(kind)) {
      for (const ClientState* c : subs) fn(c, kind, name);
    }
  }
}

std::vector<std::string> PubSubRegistry::Channels(bool shard,
                                                  std::optional<std::string_view> pattern) const {
  std::vector<std::string> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, subs] : shard ? shard_channels_ : channels_) {
    if (!pattern || store::GlobMatch(*pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t PubSubRegistry::NumSub(bool shard, const std::string& channel) const {
  std::shared_lock lock(mu_);
  const Map& map = shard ? shard_channels_ : channels_;
  auto it = map.find(channel);
  return it == map.end() ? 0 : static_cast<int64_t>(it->second.size());
}

int64_t PubSubRegistry::NumPat() const {
  std::shared_lock lock(mu_);
  return static_cast<int64_t>(patterns_.size());
}

int64_t PubSubRegistry::ChannelCount(bool shard) const {
  std::shared_lock lock(mu_);
  return static_cast<int64_t>((shard ? shard_channels_ : channels_).size());
}

}  // namespace stashd::server
