// Keyspace notifications: the events Redis publishes on
// __keyspace@<db>__:<key> (payload: the event) and __keyevent@<db>__:<event>
// (payload: the key) when `notify-keyspace-events` asks for them.
//
// Where Redis 7.0 calls notifyKeyspaceEvent, stashd reports the same event
// name, in one of two ways:
//  - a write through a store::KeyWriter names itself with
//    `w.Notify({kNotifyHash, "hset"})`; the commit publishes it if the key was
//    created or changed, after the key's "new" and before the "del" of a
//    collection it emptied, as Redis orders them;
//  - any other change: CommandContext::Notify(class, event, key) after it.
// The keyspace reports the events it causes by itself through
// store::KeyEventListener: "new" (a key created), "expired" (lazy and active
// expiry), "del" for each key DELPREFIX removes and for an emptied
// collection, and "expire" for a key that got its scope's default TTL.
//
// Thread safety: every call is safe from any thread. Messages are posted to
// the subscribers' threads (PubSubRegistry::Publish), never written into the
// reply being built, so a client subscribed to its own events receives them
// after the reply of the command that caused them.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/keyspace.h"

namespace stashd::server {

class PubSubRegistry;

// The classes (kNotifyHash ...) are store::notify's: the store carries them
// in WriteEvents.
using namespace store::notify;  // NOLINT(google-build-using-namespace)

// "KEA" → bits; nullopt for a letter Redis does not know.
std::optional<uint32_t> ParseNotifyClasses(std::string_view letters);
// Bits → letters in Redis's order ("AKE", "xnKEm", "").
std::string NotifyClassesToString(uint32_t classes);

class KeyspaceNotifier final : public store::KeyEventListener {
 public:
  // `classes` is the live notify-keyspace-events setting.
  KeyspaceNotifier(PubSubRegistry& registry, const std::atomic<uint32_t>& classes)
      : registry_(registry), classes_(classes) {}

  // Whether an event of class `cls` would be published: check before
  // building anything costly (one atomic load).
  bool Wants(uint32_t cls) const {
    const uint32_t c = classes_.load(std::memory_order_relaxed);
    return (c & cls) != 0 && (c & (kNotifyKeyspace | kNotifyKeyevent)) != 0;
  }

  // Publishes `event` for `key` of database `db` on the channels the
  // setting asks for (nothing unless Wants(cls)).
  void Notify(uint32_t cls, std::string_view event, int db, std::string_view key);

  // store::KeyEventListener
  void OnKeyEvent(store::KeyEvent event, int db, std::string_view key) override;
  void OnWriteEvent(const store::WriteEvent& event, int db, std::string_view key) override {
    Notify(event.cls, event.name, db, key);
  }

 private:
  PubSubRegistry& registry_;
  const std::atomic<uint32_t>& classes_;
};

}  // namespace stashd::server
