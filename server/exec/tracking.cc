#include "server/exec/tracking.h"

#include <algorithm>
#include <utility>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/exec/client.h"

namespace stashd::server {
namespace {

thread_local TrackingScope* current_scope = nullptr;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

bool WriteInvalidation(protocol::ReplyBuilder& reply, const InvalidationMessage& m,
                       bool subscribed) {
  using Kind = InvalidationMessage::Kind;
  if (m.kind == Kind::kRedirectBroken) {
    if (!reply.resp3()) return false;
    reply.PushLen(2);
    reply.Bulk("tracking-redir-broken");
    reply.Integer(static_cast<int64_t>(m.redirect_id));
    return true;
  }
  if (reply.resp3()) {
    reply.PushLen(2);
    reply.Bulk("invalidate");
  } else if (m.redirected && subscribed) {
    // RESP2 has no pushes: a redirected invalidation is a Pub/Sub message.
    reply.ArrayLen(3);
    reply.Bulk("message");
    reply.Bulk(kInvalidateChannel);
  } else {
    return false;  // RESP2 without a redirection: nowhere to say it
  }
  if (m.kind == Kind::kFlush) {
    reply.Raw(m.null_resp3 ? "_\r\n" : "$-1\r\n");
  } else {
    reply.ArrayLen(m.keys.size());
    for (const std::string& key : m.keys) reply.Bulk(key);
  }
  return true;
}

// ---- TrackingScope ----

TrackingScope::TrackingScope(ClientTracking& tracking, ClientState* client,
                             protocol::ReplyBuilder* reply)
    : tracking_(tracking),
      client_(client),
      client_id_(client != nullptr ? client->id : 0),
      reply_(reply),
      outer_(current_scope) {
  current_scope = this;
}

TrackingScope::~TrackingScope() {
  Finish();
  current_scope = outer_;
}

TrackingScope* TrackingScope::Current() { return current_scope; }

void TrackingScope::Finish() {
  if (own_.empty() && bcast_.empty()) return;
  std::vector<InvalidationMessage> own = std::move(own_);
  auto bcast = std::move(bcast_);
  own_.clear();
  bcast_.clear();
  std::lock_guard lock(tracking_.mu_);
  if (!own.empty()) {
    auto it = tracking_.clients_.find(client_id_);
    // A client that turned tracking off meanwhile gets nothing more.
    if (it != tracking_.clients_.end()) {
      for (InvalidationMessage& m : own) tracking_.DeliverLocked(it->second, std::move(m), reply_);
    }
  }
  if (!bcast.empty()) tracking_.BroadcastLocked(bcast, client_id_, reply_);
}

// ---- ClientTracking ----

ClientTracking::ClientTracking(store::Keyspace& keyspace, ClientLookup lookup,
                               const std::atomic<int64_t>& max_keys)
    : keyspace_(keyspace), lookup_(std::move(lookup)), max_keys_(max_keys) {}

ClientTracking::~ClientTracking() { keyspace_.SetModifiedKeyListener(nullptr); }

std::optional<std::string> ClientTracking::PrefixConflict(
    const TrackingState& state, const std::vector<std::string>& prefixes) {
  auto overlap = [](std::string_view a, std::string_view b) {
    return StartsWith(a, b) || StartsWith(b, a);
  };
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (state.bcast) {
      for (const std::string& have : state.prefixes) {
        if (overlap(prefixes[i], have)) {
          return errors::Format(errors::kTrackingPrefixOverlapsExisting, {prefixes[i], have});
        }
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (overlap(prefixes[i], prefixes[j])) {
        return errors::Format(errors::kTrackingPrefixOverlapsProvided, {prefixes[i], prefixes[j]});
      }
    }
  }
  return std::nullopt;
}

void ClientTracking::Enable(ClientState& client, const TrackingOptions& options) {
  TrackingState& t = client.tracking;
  std::lock_guard lock(mu_);
  Client& c = clients_[client.id];
  c.state = &client;
  c.redirect = options.redirect;
  c.bcast = options.bcast;
  c.noloop = options.noloop;
  c.resp3 = client.resp == 3;
  t.optin = options.optin;
  t.optout = options.optout;
  t.noloop = options.noloop;
  t.caching = false;
  client.tracking_redir_broken.store(false, std::memory_order_relaxed);
  if (options.bcast) {
    std::vector<std::string> added = options.prefixes;
    // BCAST without PREFIX: every key, through the empty prefix.
    if (added.empty()) added.emplace_back();
    for (std::string& p : added) {
      prefixes_[p].insert(client.id);
      t.prefixes.insert(std::move(p));
    }
  }
  clients_count_.store(static_cast<int64_t>(clients_.size()), std::memory_order_relaxed);
  UpdateListenerLocked();
}

void ClientTracking::Disable(ClientState& client) {
  TrackingState& t = client.tracking;
  std::lock_guard lock(mu_);
  if (clients_.erase(client.id) == 0) return;
  for (const std::string& p : t.prefixes) {
    auto it = prefixes_.find(p);
    if (it == prefixes_.end()) continue;
    it->second.erase(client.id);
    if (it->second.empty()) prefixes_.erase(it);
  }
  t.prefixes.clear();
  t.optin = t.optout = t.noloop = t.caching = false;
  client.tracking_redir_broken.store(false, std::memory_order_relaxed);
  clients_count_.store(static_cast<int64_t>(clients_.size()), std::memory_order_relaxed);
  // The keys it read stay remembered (as in Redis, ids are not cleaned up):
  // a later ON gets their invalidations. With nobody tracking, nobody could.
  if (clients_.empty()) ForgetAllKeysLocked();
  UpdateListenerLocked();
}

void ClientTracking::ProtocolChanged(ClientState& client) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client.id);
  if (it != clients_.end()) it->second.resp3 = client.resp == 3;
}

void ClientTracking::UpdateListenerLocked() {
  keyspace_.SetModifiedKeyListener(clients_.empty() ? nullptr : this);
}

void ClientTracking::ForgetAllKeysLocked() {
  keys_.clear();
  items_ = 0;
  keys_count_.store(0, std::memory_order_relaxed);
}

void ClientTracking::Remember(const ClientState& client,
                              const std::vector<std::string_view>& keys) {
  if (keys.empty()) return;
  std::lock_guard lock(mu_);
  for (std::string_view key : keys) {
    auto [it, added] = keys_.try_emplace(std::string(key));
    if (it->second.insert(client.id).second) ++items_;
  }
  keys_count_.store(static_cast<int64_t>(keys_.size()), std::memory_order_relaxed);
}

bool ClientTracking::OverLimit() const {
  const int64_t max = max_keys_.load(std::memory_order_relaxed);
  return max > 0 && keys_count_.load(std::memory_order_relaxed) > max;
}

void ClientTracking::EvictExcess(size_t budget) {
  std::lock_guard lock(mu_);
  const int64_t max = max_keys_.load(std::memory_order_relaxed);
  if (max <= 0) return;
  // Which keys go does not matter (Redis picks them at random): the table's
  // own order is as good and costs nothing.
  while (static_cast<int64_t>(keys_.size()) > max && budget-- > 0) {
    const std::string key = keys_.begin()->first;
    InvalidateKeyLocked(key, /*causer=*/0, /*filter_noloop=*/false);
  }
}

int64_t ClientTracking::total_items() const {
  std::lock_guard lock(mu_);
  return items_;
}

int64_t ClientTracking::total_prefixes() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(prefixes_.size());
}

void ClientTracking::OnKeyModified(int /*db*/, std::string_view key, bool expired) {
  TrackingScope* scope = TrackingScope::Current();
  // As Redis 7.0: a key a command finds expired counts as that client's
  // change for the keys it read (NOLOOP drops it), but as nobody's for
  // BCAST (NOLOOP clients hear of it).
  const uint64_t causer = scope == nullptr ? 0 : scope->client_id();
  const uint64_t bcast_causer = expired ? 0 : causer;
  std::lock_guard lock(mu_);
  InvalidateKeyLocked(key, causer, /*filter_noloop=*/true);
  for (const auto& [prefix, ids] : prefixes_) {
    if (!StartsWith(key, prefix)) continue;
    if (scope != nullptr) {
      scope->bcast_[prefix].insert_or_assign(std::string(key), bcast_causer);
    } else {
      std::map<std::string, std::map<std::string, uint64_t>, std::less<>> one;
      one[prefix][std::string(key)] = bcast_causer;
      BroadcastLocked(one, 0, nullptr);
    }
  }
}

void ClientTracking::OnFlush(int /*db*/) {
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : clients_) {
    InvalidationMessage m;
    m.kind = InvalidationMessage::Kind::kFlush;
    m.null_resp3 = c.resp3;
    SendLocked(id, c, std::move(m));
  }
  // As Redis: the whole table goes, whichever database was flushed.
  ForgetAllKeysLocked();
}

void ClientTracking::InvalidateKeyLocked(std::string_view key, uint64_t causer,
                                         bool filter_noloop) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return;
  for (uint64_t id : it->second) {
    auto ct = clients_.find(id);
    // Gone, tracking off, or BCAST now: its old keys mean nothing.
    if (ct == clients_.end() || ct->second.bcast) continue;
    if (filter_noloop && ct->second.noloop && id == causer) continue;
    InvalidationMessage m;
    m.keys.emplace_back(key);
    SendLocked(id, ct->second, std::move(m));
  }
  items_ -= static_cast<int64_t>(it->second.size());
  keys_.erase(it);
  keys_count_.store(static_cast<int64_t>(keys_.size()), std::memory_order_relaxed);
}

void ClientTracking::BroadcastLocked(
    const std::map<std::string, std::map<std::string, uint64_t>, std::less<>>& batches,
    uint64_t self_id, protocol::ReplyBuilder* self_reply) {
  for (const auto& [prefix, keys] : batches) {
    auto pt = prefixes_.find(prefix);
    if (pt == prefixes_.end()) continue;
    for (uint64_t id : pt->second) {
      auto ct = clients_.find(id);
      if (ct == clients_.end()) continue;
      const Client& c = ct->second;
      InvalidationMessage m;
      for (const auto& [key, causer] : keys) {
        if (c.noloop && causer == id) continue;
        m.keys.push_back(key);
      }
      if (m.keys.empty()) continue;
      DeliverLocked(c, std::move(m), id == self_id ? self_reply : nullptr);
    }
  }
}

void ClientTracking::SendLocked(uint64_t id, const Client& c, InvalidationMessage m) {
  TrackingScope* scope = TrackingScope::Current();
  if (scope != nullptr && scope->client_ != nullptr && scope->client_id_ == id) {
    scope->own_.push_back(std::move(m));
    return;
  }
  DeliverLocked(c, std::move(m), nullptr);
}

void ClientTracking::DeliverLocked(const Client& c, InvalidationMessage m,
                                   protocol::ReplyBuilder* self_reply) {
  ClientState& self = *c.state;
  if (c.redirect == 0) {
    if (self_reply != nullptr) {
      WriteInvalidation(*self_reply, m, self.subscribed());
    } else if (self.deliver_invalidation) {
      self.deliver_invalidation(std::move(m));
    }
    return;
  }
  m.redirected = true;
  const bool found = lookup_(c.redirect, [&](ClientState& target) {
    if (&target == &self && self_reply != nullptr) {
      WriteInvalidation(*self_reply, m, self.subscribed());
    } else if (target.deliver_invalidation) {
      target.deliver_invalidation(std::move(m));
    }
  });
  if (found) return;
  // The client it redirects to is gone: say so to the tracking client.
  self.tracking_redir_broken.store(true, std::memory_order_relaxed);
  InvalidationMessage broken;
  broken.kind = InvalidationMessage::Kind::kRedirectBroken;
  broken.redirect_id = c.redirect;
  if (self_reply != nullptr) {
    WriteInvalidation(*self_reply, broken, false);
  } else if (self.deliver_invalidation) {
    self.deliver_invalidation(std::move(broken));
  }
}

}  // namespace stashd::server
