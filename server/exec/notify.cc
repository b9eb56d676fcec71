#include "server/exec/notify.h"

#include "server/exec/pubsub.h"

namespace stashd::server {

namespace {

struct Letter {
  char letter;
  uint32_t bits;
};

// The type classes in the order Redis prints them when not all are set.
constexpr Letter kTypeLetters[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew},
};

}  // namespace

std::optional<uint32_t> ParseNotifyClasses(std::string_view letters) {
  uint32_t bits = 0;
  for (char ch : letters) {
    switch (ch) {
      case 'A':
        bits |= kNotifyAll;
        break;
      case 'K':
        bits |= kNotifyKeyspace;
        break;
      case 'E':
        bits |= kNotifyKeyevent;
        break;
      case 'm':
        bits |= kNotifyKeyMiss;
        break;
      default: {
        bool known = false;
        for (const Letter& l : kTypeLetters) {
          if (l.letter == ch) {
            bits |= l.bits;
            known = true;
          }
        }
        if (!known) return std::nullopt;
      }
    }
  }
  return bits;
}

std::string NotifyClassesToString(uint32_t classes) {
  std::string out;
  if ((classes & kNotifyAll) == kNotifyAll) {
    out += 'A';  // Redis 7.0 prints no 'n' after 'A', even when set
  } else {
    for (const Letter& l : kTypeLetters) {
      if (classes & l.bits) out += l.letter;
    }
  }
  if (classes & kNotifyKeyspace) out += 'K';
  if (classes & kNotifyKeyevent) out += 'E';
  if (classes & kNotifyKeyMiss) out += 'm';
  return out;
}

void KeyspaceNotifier::Notify(uint32_t cls, std::string_view event, int db, std::string_view key) {
  const uint32_t classes = classes_.load(std::memory_order_relaxed);
  if ((classes & cls) == 0) return;
  if (classes & kNotifyKeyspace) {
    std::string channel = "__keyspace@" + std::to_string(db) + "__:";
    channel.append(key);
    registry_.Publish(/*shard=*/false, channel, std::string(event));
  }
  if (classes & kNotifyKeyevent) {
    std::string channel = "__keyevent@" + std::to_string(db) + "__:";
    channel.append(event);
    registry_.Publish(/*shard=*/false, channel, std::string(key));
  }
}

void KeyspaceNotifier::OnKeyEvent(store::KeyEvent event, int db, std::string_view key) {
  switch (event) {
    case store::KeyEvent::kNew:
      return Notify(kNotifyNew, "new", db, key);
    case store::KeyEvent::kExpired:
      return Notify(kNotifyExpired, "expired", db, key);
    case store::KeyEvent::kPrefixDeleted:
      return Notify(kNotifyGeneric, "del", db, key);
    case store::KeyEvent::kScopeTtl:
      return Notify(kNotifyGeneric, "expire", db, key);
    case store::KeyEvent::kEmptied:
      return Notify(kNotifyGeneric, "del", db, key);
    case store::KeyEvent::kMissed:
      return Notify(kNotifyKeyMiss, "keymiss", db, key);
    case store::KeyEvent::kEvicted:
      return Notify(kNotifyEvicted, "evicted", db, key);
  }
}

}  // namespace stashd::server
