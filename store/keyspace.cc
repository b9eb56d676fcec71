#include "store/keyspace.h"

#include <absl/container/btree_set.h>
#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>

#include "store/entry.h"
#include "store/hash_index.h"
#include "store/string_hash.h"
#include "store/types/packed.h"

namespace stashd::store {

namespace {

// A splitmix64 step: RandomKey's generator.
uint64_t Finalize(uint64_t h) {
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 29;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 32;
  return h;
}

// ---- Indexes ----

// The key index: hash -> entry, owning the entries, in hash order (keys
// sharing a hash sit side by side in insertion order, and SCAN never splits
// them). See store/hash_index.h.
using KeyIndex = HashIndex;

// The slot of `key` in `keys`, or keys.end().
KeyIndex::iterator FindSlot(KeyIndex& keys, uint64_t hash, std::string_view key) {
  for (auto it = keys.lower_bound(hash); it != keys.end() && it->first == hash; ++it) {
    if (it->second->key() == key) return it;
  }
  return keys.end();
}

// An element of the expiry index. The entry pointer breaks ties between equal
// deadlines: it is unique while the entry lives, and an entry is unlinked
// from both indexes before it is freed.
struct ExpirySlot {
  int64_t deadline;
  Entry* entry;
};

struct ExpiryOrder {
  bool operator()(const ExpirySlot& a, const ExpirySlot& b) const {
    if (a.deadline != b.deadline) return a.deadline < b.deadline;
    return reinterpret_cast<uintptr_t>(a.entry) < reinterpret_cast<uintptr_t>(b.entry);
  }
};

using ExpiryIndex = absl::btree_set<ExpirySlot, ExpiryOrder>;

// Deadlines mostly move later (a TTL set again, SET EX of a new key): an
// insert hinted at the end skips the descent when it belongs there.
void IndexDeadline(ExpiryIndex& index, int64_t deadline, Entry* e) {
  index.insert(index.end(), ExpirySlot{deadline, e});
}
// One descent (btree_set::erase(key) makes two, for the key's range).
void UnindexDeadline(ExpiryIndex& index, int64_t deadline, Entry* e) {
  auto it = index.find(ExpirySlot{deadline, e});
  assert(it != index.end());
  index.erase(it);
}

// The key-order index: the same entries sorted by key, for prefix scans and
// deletes. Transparent, so a lookup by string_view allocates nothing.
struct KeyOrder {
  using is_transparent = void;
  static std::string_view K(const Entry* e) { return e->key(); }
  static std::string_view K(std::string_view k) { return k; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return K(a) < K(b);
  }
};
using OrderedIndex = absl::btree_set<Entry*, KeyOrder>;

using WatcherList = std::vector<std::weak_ptr<WatchFlag>>;

using WatchKeyHash = StringViewHash;
using WatchKeyEq = StringViewEq;

// Redis's rule: a key is still alive at its deadline, gone one ms later.
bool Expired(const Entry& e, int64_t now) { return e.has_deadline() && e.expire_at_ms() < now; }

ValueView ViewOf(const Entry& e) {
  if (e.is_object()) return ValueView{e.type(), e.access_clock(), {}, e.expire_at_ms(), e.object()};
  return ValueView{e.type(), e.access_clock(), e.value(), e.expire_at_ms(), nullptr};
}

void FlagAll(WatcherList& watchers, int db, std::string_view key) {
  for (const auto& weak : watchers) {
    if (auto flag = weak.lock()) flag->Touched(db, key);
  }
}

}  // namespace

// The access policy, read by every access without a lock.
struct AccessPolicyCell {
  std::atomic<bool> lfu{false};
  std::atomic<int64_t> lfu_log_factor{10};
  std::atomic<int64_t> lfu_decay_time{1};

  AccessPolicy Load() const {
    return AccessPolicy{.lfu = lfu.load(std::memory_order_relaxed),
                        .lfu_log_factor = lfu_log_factor.load(std::memory_order_relaxed),
                        .lfu_decay_time = lfu_decay_time.load(std::memory_order_relaxed)};
  }
};

// One database's share of a shard.
struct DbShard {
  KeyIndex keys;
  ExpiryIndex expiries;  // the keys that have a deadline
  OrderedIndex ordered;  // the same keys in key order
  // The entries holding collections: a full snapshot cut pins their objects
  // without visiting every string.
  absl::flat_hash_set<Entry*> objects;
  // What changed since the last snapshot cut (see TakeCut), tracked only
  // while the next cut is incremental: the live entries written since
  // (pointers, so that the cut pins them without looking a key up while
  // commands wait), and the keys deleted since and not created again.
  absl::flat_hash_set<const Entry*> dirty;
  absl::flat_hash_set<std::string, WatchKeyHash, WatchKeyEq> gone;
  // Watched keys of this database that hash to this shard. Almost always
  // empty, and checking that is all WATCH costs everybody else.
  absl::flat_hash_map<std::string, WatcherList, WatchKeyHash, WatchKeyEq> watchers;
  // Per scope: keys, expires and bytes of this database's entries (hits and
  // misses are counted per shard). Per database, so that an async flush
  // resets a database's share in O(1).
  std::vector<ScopeStats> scope_counts;

  bool Contains(uint64_t hash, std::string_view key) {
    return FindSlot(keys, hash, key) != keys.end();
  }
};

// A shard: its lock, its data for every database and its counters. Methods
// REQUIRE mu held.
class Shard {
 public:
  using Iter = KeyIndex::iterator;

  Shard(int databases, const std::vector<ScopeConfig>* scopes, ChangeListener* const* listener,
        const std::atomic<KeyEventListener*>* key_events,
        const std::atomic<ModifiedKeyListener*>* modified_keys,
        const std::atomic<bool>* full_cut_needed, const AccessPolicyCell* access,
        const Clock* clock, uint64_t random_seed, int shard_bits, uint64_t shard_index)
      : dbs(static_cast<size_t>(databases)),
        scope_stats(scopes->size()),
        random_state_(random_seed),
        access_(access),
        clock_(clock),
        scopes_(scopes),
        listener_(listener),
        key_events_(key_events),
        modified_keys_(modified_keys),
        full_cut_needed_(full_cut_needed) {
    for (DbShard& d : dbs) {
      d.scope_counts.resize(scopes->size());
      d.keys.Configure(shard_bits, shard_index);
    }
  }
  ~Shard() {
    pinned = false;
    for (DbShard& d : dbs) DestroyAll(d);
    for (Entry* e : retired) Entry::Destroy(e);
    for (auto& d : retired_dbs) FreeDetached(*d);
  }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // The slot of `key` if it is live, else keys.end(). An expired key found
  // here is deleted.
  Iter FindLive(DbShard& d, uint64_t hash, std::string_view key, int64_t now) {
    Iter it = FindSlot(d.keys, hash, key);
    if (it != d.keys.end() && Expired(*it->second, now)) {
      ExpireAt(d, it);
      return d.keys.end();
    }
    return it;
  }

  // Every change to a key goes through Insert, Replace or Unlink, which keep
  // the indexes, the scope counters, the snapshot's dirty set and the change
  // listener in step.

  // `notify`: tell the listener the whole new value (kSet) / the deletion.
  // Key-level operations on collections pass false and report their own
  // change (kExpire, kRename, kMove) instead.

  // The access clock: a new value gets a fresh one (Insert), a value
  // replacing another keeps the old one's (Replace) unless the caller says
  // otherwise (NewClock, Rewritten), an access updates it (Accessed).

  void NewClock(Entry& e) const {
    e.set_access_clock(NewAccessClock(access_->Load(), clock_->NowMs()));
  }
  // A value overwritten by a write: under LRU it is as new (Redis makes a
  // new object), under LFU it keeps its counter (Redis copies it over).
  void Rewritten(Entry& e, int64_t now) const {
    if (!access_->lfu.load(std::memory_order_relaxed)) e.set_access_clock(LruClock(now));
  }
  void Accessed(Entry& e, int64_t now) {
    const AccessPolicy policy = access_->Load();
    e.set_access_clock(
        AccessedClock(e.access_clock(), policy, now, policy.lfu ? NextRandom() : 0.0));
  }

  // Links a new entry whose key is absent, with a fresh access clock.
  void Insert(DbShard& d, uint64_t hash, Entry* e, bool notify = true) {
    NewClock(*e);
    d.keys.emplace(hash, e);
    if (e->has_deadline()) IndexDeadline(d.expiries, e->expire_at_ms(), e);
    // Hinted at the end: keys arriving in key order (a snapshot loading)
    // then cost one or two comparisons instead of a search down the tree;
    // any other key costs one comparison more.
    d.ordered.insert(d.ordered.end(), e);
    if (e->is_object()) d.objects.insert(e);
    if (!d.gone.empty()) d.gone.erase(e->key());
    Account(d, *e, +1);
    Changed(d, *e, notify);
    KeyEvt(KeyEvent::kNew, d, e->key());
  }

  // Puts `fresh` (same key) in place of the entry at `it` and frees the old
  // one. `fresh` takes over the old entry's access clock.
  void Replace(DbShard& d, Iter it, Entry* fresh, bool notify = true) {
    Entry* old = it->second;
    fresh->set_access_clock(old->access_clock());
    if (old->has_deadline()) UnindexDeadline(d.expiries, old->expire_at_ms(), old);
    if (fresh->has_deadline()) IndexDeadline(d.expiries, fresh->expire_at_ms(), fresh);
    it->second = fresh;
    // Same key, same place in key order: swap the pointer in the slot.
    auto ot = d.ordered.find(old->key());
    assert(ot != d.ordered.end());
    const_cast<Entry*&>(*ot) = fresh;
    if (old->is_object()) d.objects.erase(old);
    if (fresh->is_object()) d.objects.insert(fresh);
    d.dirty.erase(old);  // `fresh` takes its place (Changed)
    Account(d, *old, -1);
    Account(d, *fresh, +1);
    Changed(d, *fresh, notify);
    Retire(old);
  }

  // Unlinks the entry at `it` and returns it, still allocated.
  Entry* Unlink(DbShard& d, Iter it, bool notify = true) {
    Entry* e = it->second;
    if (e->has_deadline()) UnindexDeadline(d.expiries, e->expire_at_ms(), e);
    d.ordered.erase(e->key());
    d.keys.erase(it);
    if (e->is_object()) d.objects.erase(e);
    d.dirty.erase(e);
    Account(d, *e, -1);
    Deleted(d, e->key(), notify);
    return e;
  }

  void Erase(DbShard& d, Iter it) { Retire(Unlink(d, it)); }

  // Moves an entry's deadline. In place when nothing pins the entry and its
  // blob has room; otherwise a new entry around the same value.
  // Returns the entry now holding the key.
  Entry* Redeadline(DbShard& d, Iter it, int64_t expire_at_ms, bool notify) {
    Entry* e = it->second;
    if (!pinned && e->has_deadline() && expire_at_ms >= 0) {
      UnindexDeadline(d.expiries, e->expire_at_ms(), e);
      e->SetDeadlineInPlace(expire_at_ms);
      IndexDeadline(d.expiries, expire_at_ms, e);
      Changed(d, *e, notify);
      return e;
    }
    Entry* fresh = Entry::Rebuild(*e, e->key(), expire_at_ms);
    Replace(d, it, fresh, notify);
    return fresh;
  }

  // Tells the key event listener, if any (keyspace notifications).
  void KeyEvt(KeyEvent event, const DbShard& d, std::string_view key) {
    if (KeyEventListener* l = key_events_->load(std::memory_order_acquire)) {
      l->OnKeyEvent(event, DbIndex(d), key);
    }
  }

  void WriteEvt(const WriteEvent& event, const DbShard& d, std::string_view key) {
    if (event.name == nullptr) return;
    if (KeyEventListener* l = key_events_->load(std::memory_order_acquire)) {
      l->OnWriteEvent(event, DbIndex(d), key);
    }
  }

  void Notify(const Change& c) {
    if (ChangeListener* l = *listener_) l->OnChange(c);
  }

  // Reports a collection's new deadline (kNoExpiry: none).
  void NotifyExpire(int db, std::string_view key, int64_t expire_at_ms) {
    Change c;
    c.kind = Change::Kind::kExpire;
    c.db = db;
    c.key = key;
    c.expire_at_ms = expire_at_ms;
    Notify(c);
  }

  // Frees an entry, or keeps it for the snapshot that pinned the shard.
  void Retire(Entry* e) {
    if (pinned) {
      retired.push_back(e);
    } else {
      Entry::Destroy(e);
    }
  }

  int DbIndex(const DbShard& d) const { return static_cast<int>(&d - dbs.data()); }

  // Changes are tracked only while the next cut is incremental: a full cut
  // (before the first snapshot, after a flush) writes everything anyway,
  // and tracking a bulk load would cost memory for nothing.
  bool TrackingChanges() const { return !full_cut_needed_->load(std::memory_order_relaxed); }

  void Changed(DbShard& d, const Entry& e, bool notify = true) {
    if (TrackingChanges()) d.dirty.insert(&e);
    ++changes_since_cut;
    if (ChangeListener* l = *listener_; l != nullptr && notify) {
      Change c;
      c.kind = Change::Kind::kSet;
      c.db = DbIndex(d);
      c.key = e.key();
      c.type = e.type();
      if (e.is_object()) {
        c.object = e.object();
      } else {
        c.value = e.value();
      }
      c.expire_at_ms = e.expire_at_ms();
      l->OnChange(c);
    }
  }

  void Deleted(DbShard& d, std::string_view key, bool notify = true) {
    if (TrackingChanges()) d.gone.emplace(key);
    ++changes_since_cut;
    if (ChangeListener* l = *listener_; l != nullptr && notify) {
      Change c;
      c.kind = Change::Kind::kDelete;
      c.db = DbIndex(d);
      c.key = key;
      l->OnChange(c);
    }
  }

  int ScopeOf(std::string_view key) const {
    for (size_t i = 0; i < scopes_->size(); ++i) {
      const std::string& p = (*scopes_)[i].prefix;
      if (key.size() >= p.size() && std::memcmp(key.data(), p.data(), p.size()) == 0) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  void Account(DbShard& d, const Entry& e, int sign) {
    if (d.scope_counts.empty()) return;
    const int s = ScopeOf(e.key());
    if (s < 0) return;
    ScopeStats& st = d.scope_counts[s];
    st.keys += sign;
    if (e.has_deadline()) st.expires += sign;
    st.bytes += sign * static_cast<int64_t>(e.ByteSize());
  }

  // Deletes a key because its deadline passed.
  void ExpireAt(DbShard& d, Iter it) {
    Touch(d, it->second->key(), /*expired=*/true);
    ++expired_keys;
    Entry* e = Unlink(d, it);
    KeyEvt(KeyEvent::kExpired, d, e->key());
    Retire(e);
  }

  // Tells the ModifiedKeyListener, if any (client-side caching), flags the
  // watchers of `key`, if any, and drops those whose client is gone.
  void Touch(DbShard& d, std::string_view key, bool expired = false) {
    if (ModifiedKeyListener* l = modified_keys_->load(std::memory_order_acquire)) {
      l->OnKeyModified(DbIndex(d), key, expired);
    }
    if (d.watchers.empty()) return;
    auto it = d.watchers.find(key);
    if (it == d.watchers.end()) return;
    FlagAll(it->second, DbIndex(d), key);
    std::erase_if(it->second, [](const std::weak_ptr<WatchFlag>& w) { return w.expired(); });
    if (it->second.empty()) d.watchers.erase(it);
  }

  // Frees every entry of `d` (no change is reported: flushes are reported
  // once by the keyspace); returns how many there were.
  size_t DestroyAll(DbShard& d) {
    const size_t n = d.keys.size();
    for (const auto& [hash, e] : d.keys) {
      Account(d, *e, -1);
      Retire(e);
    }
    d.keys.clear();
    d.expiries.clear();
    d.ordered.clear();
    d.objects.clear();
    d.dirty.clear();
    d.gone.clear();
    return n;
  }

  // Unlinks every entry of `d` in O(1), leaving it empty (its watches stay),
  // and returns them in a DbShard of their own, still allocated: free it
  // with FreeDetached() once nothing reads the entries. No change is
  // reported (flushes are reported once by the keyspace).
  std::unique_ptr<DbShard> Detach(DbShard& d) {
    auto old = std::make_unique<DbShard>();
    old->keys.Configure(d.keys.skip(), d.keys.prefix());  // both keep it through the swap
    std::swap(old->keys, d.keys);
    std::swap(old->expiries, d.expiries);
    std::swap(old->ordered, d.ordered);
    std::swap(old->objects, d.objects);
    std::swap(old->dirty, d.dirty);
    std::swap(old->gone, d.gone);
    for (ScopeStats& st : d.scope_counts) st = ScopeStats{};
    return old;
  }

  // Frees the entries of a detached DbShard (any thread, no lock needed:
  // nothing else reaches them).
  static void FreeDetached(DbShard& d) {
    for (const auto& [hash, e] : d.keys) Entry::Destroy(e);
    d.keys.clear();
  }

  std::mutex mu;
  std::vector<DbShard> dbs;                           // indexed by database number
  std::vector<ScopeStats> scope_stats;                // counts only; names filled by Stats()
  bool pinned = false;                                // a snapshot cut holds views into entries
  std::vector<Entry*> retired;                        // entries unlinked while pinned
  std::vector<std::unique_ptr<DbShard>> retired_dbs;  // async flushes while pinned
  uint64_t changes_since_cut = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t changes = 0;

 private:
  // Uniform in [0, 1): LFU's increments and eviction's samples (splitmix64).
  double NextRandom() {
    random_state_ += 0x9E3779B97F4A7C15ULL;
    return static_cast<double>(Finalize(random_state_) >> 11) * 0x1.0p-53;
  }

  uint64_t random_state_;
  const AccessPolicyCell* access_;
  const Clock* clock_;
  const std::vector<ScopeConfig>* scopes_;
  ChangeListener* const* listener_;
  const std::atomic<KeyEventListener*>* key_events_;
  const std::atomic<ModifiedKeyListener*>* modified_keys_;
  const std::atomic<bool>* full_cut_needed_;
};

// ---- Construction, hashing, locking ----

Keyspace::Keyspace(const Options& options)
    : databases_(options.databases),
      shard_bits_(options.shard_bits),
      seed_(options.hash_seed),
      clock_(options.clock),
      scopes_(options.scopes),
      access_(std::make_unique<AccessPolicyCell>()) {
  assert(clock_ != nullptr);
  assert(databases_ >= 1);
  assert(shard_bits_ >= 0 && shard_bits_ <= 6);  // masks are 64 bits
  const size_t count = size_t{1} << shard_bits_;
  shards_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    shards_.push_back(std::make_unique<Shard>(databases_, &scopes_, &listener_, &key_events_,
                                              &modified_keys_, &full_cut_needed_, access_.get(),
                                              clock_, Finalize(i + 1), shard_bits_, i));
  }
  freer_ = std::make_unique<LazyFreer>();
}

Keyspace::~Keyspace() = default;

void Keyspace::SetHashSeed(const HashSeed& seed) {
  if (seed == seed_) return;
  for (int db = 0; db < databases_; ++db) assert(DbSize(db) == 0);
  seed_ = seed;
}

size_t Keyspace::ShardOfHash(uint64_t hash) const {
  return shard_bits_ == 0 ? 0 : static_cast<size_t>(hash >> (64 - shard_bits_));
}

size_t Keyspace::ShardOf(std::string_view key) const { return ShardOfHash(HashKey(key)); }

uint64_t Keyspace::AllShardsMask() const {
  return shards_.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << shards_.size()) - 1;
}

Shard& Keyspace::ShardFor(std::string_view key) { return *shards_[ShardOf(key)]; }

Keyspace::Locks Keyspace::Lock(uint64_t mask) {
  mask &= AllShardsMask();
  for (size_t i = 0; i < shards_.size(); ++i) {
    if (mask & (uint64_t{1} << i)) shards_[i]->mu.lock();
  }
  Locks locks;
  locks.keyspace_ = this;
  locks.mask_ = mask;
  return locks;
}

Keyspace::Locks::Locks(Locks&& other) noexcept
    : keyspace_(std::exchange(other.keyspace_, nullptr)), mask_(std::exchange(other.mask_, 0)) {}

Keyspace::Locks& Keyspace::Locks::operator=(Locks&& other) noexcept {
  if (this != &other) {
    Release();
    keyspace_ = std::exchange(other.keyspace_, nullptr);
    mask_ = std::exchange(other.mask_, 0);
  }
  return *this;
}

Keyspace::Locks::~Locks() { Release(); }

void Keyspace::Locks::Release() {
  if (keyspace_ != nullptr) {
    for (size_t i = keyspace_->shards_.size(); i-- > 0;) {
      if (mask_ & (uint64_t{1} << i)) keyspace_->shards_[i]->mu.unlock();
    }
  }
  keyspace_ = nullptr;
  mask_ = 0;
}

// ---- Per-key operations ----

namespace {

// Gives the key at `it` a new deadline (kNoExpiry: none). A string is logged
// whole (it is no bigger than the operation); a collection only by its new
// deadline.
void SetDeadline(Shard& shard, DbShard& d, Shard::Iter it, int64_t expire_at_ms) {
  const bool object = it->second->is_object();
  Entry* e = shard.Redeadline(d, it, expire_at_ms, /*notify=*/!object);
  if (object) shard.NotifyExpire(shard.DbIndex(d), e->key(), expire_at_ms);
}

}  // namespace

std::optional<ValueView> Keyspace::Find(int db, std::string_view key, Lookup mode) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  const int64_t now = clock_->NowMs();
  auto it = FindSlot(d.keys, hash, key);
  bool found = it != d.keys.end();
  if (found && Expired(*it->second, now)) {
    if (!ExpiryPaused(now)) shard.ExpireAt(d, it);
    found = false;
  }
  if (found && (mode == Lookup::kRead || mode == Lookup::kWrite)) {
    shard.Accessed(*it->second, now);
  }
  if (mode == Lookup::kRead || mode == Lookup::kReadNoTouch || mode == Lookup::kInspect) {
    ++(found ? shard.hits : shard.misses);
    if (!scopes_.empty()) {
      const int s = shard.ScopeOf(key);
      if (s >= 0) ++(found ? shard.scope_stats[s].hits : shard.scope_stats[s].misses);
    }
    if (!found && mode != Lookup::kInspect) shard.KeyEvt(KeyEvent::kMissed, d, key);
  }
  if (!found) return std::nullopt;
  return ViewOf(*it->second);
}

void Keyspace::SetAccessInfo(int db, std::string_view key, std::optional<int64_t> idle_seconds,
                             std::optional<uint8_t> freq) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  const int64_t now = clock_->NowMs();
  auto it = shard.FindLive(d, hash, key, now);
  if (it == d.keys.end()) return;
  Entry& e = *it->second;
  if (access_->lfu.load(std::memory_order_relaxed)) {
    if (freq) e.set_access_clock(LfuClock(*freq, now));
    return;
  }
  if (!idle_seconds || *idle_seconds < 0) return;
  // The access `idle_seconds` ago on the wrapping seconds clock, so that
  // LruIdleMs gives it back; a longer idle time wraps around (Redis's does
  // too: RESTORE ... IDLETIME 16777216 shows 1).
  const auto idle = static_cast<uint32_t>(*idle_seconds % kAccessClockMax);
  const uint32_t clock_now = LruClock(now);
  e.set_access_clock(clock_now >= idle ? clock_now - idle : clock_now + kAccessClockMax - idle);
}

void Keyspace::SetString(int db, std::string_view key, std::string_view value, int64_t expire_at_ms,
                         size_t room) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  const int64_t now = clock_->NowMs();
  auto it = shard.FindLive(d, hash, key, now);
  const bool exists = it != d.keys.end();
  if (expire_at_ms == kKeepTtl) expire_at_ms = exists ? it->second->expire_at_ms() : kNoExpiry;
  bool by_scope = false;
  expire_at_ms = ArrivalDeadline(key, expire_at_ms, &by_scope);
  if (exists && !shard.pinned) {
    Entry* e = it->second;
    const int64_t old_deadline = e->expire_at_ms();
    const size_t old_size = e->type() == ValueType::kString ? e->value().size() : 0;
    // In place when the blob has room (Entry::OverwriteInPlace): the key's
    // bytes stay where they are, and no index needs a new address.
    if (e->type() == ValueType::kString && e->has_deadline() == (expire_at_ms >= 0)) {
      if (old_size != value.size()) shard.Account(d, *e, -1);
      if (e->OverwriteInPlace(ValueType::kString, value, expire_at_ms)) {
        shard.Touch(d, key);
        if (old_deadline != expire_at_ms) {
          UnindexDeadline(d.expiries, old_deadline, e);
          IndexDeadline(d.expiries, expire_at_ms, e);
        }
        shard.Rewritten(*e, now);
        if (old_size != value.size()) shard.Account(d, *e, +1);
        shard.Changed(d, *e);
        ++shard.changes;
        if (by_scope) shard.KeyEvt(KeyEvent::kScopeTtl, d, key);
        return;
      }
      if (old_size != value.size()) shard.Account(d, *e, +1);  // unchanged after all
    }
  }
  // Built before the old entry is freed: `value` may point into it.
  Entry* fresh = Entry::Make(key, ValueType::kString, value, expire_at_ms, room);
  shard.Touch(d, key);  // before the old blob goes, in case `key` points into it
  if (exists) {
    shard.Replace(d, it, fresh);
    shard.Rewritten(*fresh, now);
  } else {
    shard.Insert(d, hash, fresh);
  }
  ++shard.changes;
  if (by_scope) shard.KeyEvt(KeyEvent::kScopeTtl, d, fresh->key());
}

namespace {

// Grows the string `e` past its end in place (APPEND or SETBIT
// past the end) if nothing pins the shard and its block has the room.
bool ExtendString(Shard& shard, DbShard& d, Entry& e, uint64_t offset, std::string_view patch) {
  if (shard.pinned || patch.empty() || offset + patch.size() <= e.value().size()) return false;
  shard.Account(d, e, -1);
  const bool done = e.ExtendInPlace(offset, patch);
  shard.Account(d, e, +1);
  return done;
}

}  // namespace

void Keyspace::PatchString(int db, std::string_view key, uint64_t offset, std::string_view patch,
                           bool restore) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  auto it = shard.FindLive(d, hash, key, clock_->NowMs());
  const uint64_t end = offset + patch.size();
  if (it == d.keys.end()) {
    // A new key is reported whole (kSet), with the deadline it arrives with.
    std::string value(end, '\0');
    if (!patch.empty()) value.replace(offset, patch.size(), patch);
    bool by_scope = false;
    const int64_t deadline = restore ? kNoExpiry : ArrivalDeadline(key, kNoExpiry, &by_scope);
    Entry* fresh = Entry::Make(key, ValueType::kString, value, deadline);
    shard.Touch(d, key);
    shard.Insert(d, hash, fresh);
    ++shard.changes;
    if (by_scope) shard.KeyEvt(KeyEvent::kScopeTtl, d, fresh->key());
    return;
  }
  Entry* e = it->second;
  assert(e->type() == ValueType::kString);
  shard.Touch(d, key);
  std::string_view old = e->value();
  if (end <= old.size() && !shard.pinned) {
    e->PatchInPlace(offset, patch);
    shard.Changed(d, *e, /*notify=*/false);  // same size: the scope's byte count is unchanged
  } else if (ExtendString(shard, d, *e, offset, patch)) {
    shard.Changed(d, *e, /*notify=*/false);
  } else {
    // Grows (zero-padded) past the block's room, or a snapshot holds the old
    // blob: a new entry. A growing value gets room to grow into, as Redis's
    // strings do, so that a run of APPENDs copies it only now and then.
    const uint64_t size = std::max<uint64_t>(end, old.size());
    std::string value(size, '\0');
    std::memcpy(value.data(), old.data(), old.size());
    if (!patch.empty()) std::memcpy(value.data() + offset, patch.data(), patch.size());
    const size_t room = size > old.size() ? Entry::GrowthRoom(size) : 0;
    e = Entry::Make(key, ValueType::kString, value, e->expire_at_ms(), room);
    shard.Replace(d, it, e, /*notify=*/false);
  }
  Change c;
  c.kind = Change::Kind::kPatch;
  c.db = db;
  c.key = e->key();
  c.type = ValueType::kString;
  c.offset = offset;
  c.value = patch;
  shard.Notify(c);
  ++shard.changes;
}

bool Keyspace::Delete(int db, std::string_view key, bool lazy) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  auto it = shard.FindLive(d, hash, key, clock_->NowMs());
  if (it == d.keys.end()) return false;
  shard.Touch(d, key);
  const Entry* e = it->second;
  if (lazy && !shard.pinned && e->is_object() && e->object()->refs() == 1 &&
      e->object()->FreeEffort() > kLazyFreeThreshold) {
    Entry* detached = shard.Unlink(d, it);
    freer_->Free([detached] { Entry::Destroy(detached); }, 1);
  } else {
    shard.Erase(d, it);
  }
  ++shard.changes;
  return true;
}

bool Keyspace::SetExpire(int db, std::string_view key, int64_t expire_at_ms) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  const int64_t now = clock_->NowMs();
  auto it = shard.FindLive(d, hash, key, now);
  if (it == d.keys.end()) return false;
  shard.Touch(d, key);
  ++shard.changes;
  if (expire_at_ms <= now) {
    shard.Erase(d, it);
    return true;
  }
  SetDeadline(shard, d, it, expire_at_ms);
  return true;
}

bool Keyspace::Persist(int db, std::string_view key) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  const int64_t now = clock_->NowMs();
  auto it = shard.FindLive(d, hash, key, now);
  if (it == d.keys.end()) return false;
  shard.Accessed(*it->second, now);  // PERSIST looks the key up for writing
  if (!it->second->has_deadline()) return false;
  shard.Touch(d, key);
  SetDeadline(shard, d, it, kNoExpiry);
  ++shard.changes;
  return true;
}

int64_t Keyspace::ArrivalDeadline(std::string_view key, int64_t expire_at_ms,
                                  bool* by_scope) const {
  if (expire_at_ms != kNoExpiry || scopes_.empty()) return expire_at_ms;
  const int s = ScopeOf(key);
  if (s >= 0 && scopes_[s].default_ttl_ms > 0) {
    if (by_scope != nullptr) *by_scope = true;
    return clock_->NowMs() + scopes_[s].default_ttl_ms;
  }
  return expire_at_ms;
}

namespace {
size_t PayloadOf(const Entry& e) {
  return e.is_object() ? e.object()->PayloadBytes() : e.value().size();
}
}  // namespace

size_t Keyspace::PayloadSize(int db, std::string_view key) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  auto it = shard.FindLive(d, hash, key, clock_->NowMs());
  return it == d.keys.end() ? 0 : PayloadOf(*it->second);
}

std::optional<size_t> Keyspace::MemoryUsage(int db, std::string_view key) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  const int64_t now = clock_->NowMs();
  auto it = ExpiryPaused(now) ? FindSlot(d.keys, hash, key) : shard.FindLive(d, hash, key, now);
  if (it == d.keys.end() || Expired(*it->second, now)) return std::nullopt;
  // The entry as malloc sizes it (a collection's ByteSize counts its
  // object's own blocks already), and its slots in the key indexes.
  constexpr size_t kIndexBytes = 24;
  const Entry& e = *it->second;
  const size_t own = e.is_object() ? e.ByteSize() - e.object()->MemoryUsage() : e.ByteSize();
  return MallocBytes(own) + (e.is_object() ? e.object()->MemoryUsage() : 0) + kIndexBytes;
}

bool Keyspace::Rename(int db, std::string_view from, std::string_view to,
                      const ScopeConfig** refused) {
  const int64_t now = clock_->NowMs();
  const uint64_t from_hash = HashKey(from);
  Shard& from_shard = *shards_[ShardOfHash(from_hash)];
  DbShard& from_db = from_shard.dbs[db];
  auto it = from_shard.FindLive(from_db, from_hash, from, now);
  if (it == from_db.keys.end()) return false;
  if (from == to) return true;  // Redis leaves the key untouched
  if (const ScopeConfig* scope = ValueTooLarge(to, PayloadOf(*it->second))) {
    if (refused != nullptr) *refused = scope;
    return false;
  }

  // The key is part of the blob, so the value moves into a new one (a
  // collection's object is shared, not copied).
  const Entry& old = *it->second;
  const bool object = old.is_object();
  bool by_scope = false;
  const int64_t deadline = ArrivalDeadline(to, old.expire_at_ms(), &by_scope);
  Entry* fresh = Entry::Rebuild(old, to, deadline);
  const uint32_t access_clock = old.access_clock();  // the value keeps it (Redis moves the object)
  from_shard.Touch(from_db, from);
  from_shard.Retire(from_shard.Unlink(from_db, it, /*notify=*/!object));

  const uint64_t to_hash = HashKey(to);
  Shard& to_shard = *shards_[ShardOfHash(to_hash)];
  DbShard& to_db = to_shard.dbs[db];
  auto jt = to_shard.FindLive(to_db, to_hash, to, now);
  to_shard.Touch(to_db, to);
  if (jt != to_db.keys.end()) {
    to_shard.Replace(to_db, jt, fresh, /*notify=*/!object);
    to_shard.KeyEvt(KeyEvent::kNew, to_db, to);  // Redis deletes, then adds
  } else {
    to_shard.Insert(to_db, to_hash, fresh, /*notify=*/!object);
  }
  fresh->set_access_clock(access_clock);
  if (object) {
    Change c;
    c.kind = Change::Kind::kRename;
    c.db = db;
    c.key = from;
    c.key2 = to;
    to_shard.Notify(c);
    // The deadline it arrived with, whatever the scope rules are at replay.
    to_shard.NotifyExpire(db, to, deadline);
  }
  if (by_scope) to_shard.KeyEvt(KeyEvent::kScopeTtl, to_db, to);
  ++from_shard.changes;
  return true;
}

bool Keyspace::Copy(int src_db, std::string_view src, int dst_db, std::string_view dst,
                    bool replace, const ScopeConfig** refused) {
  if (src_db == dst_db && src == dst) return false;  // the caller rejects this
  const int64_t now = clock_->NowMs();
  const uint64_t src_hash = HashKey(src);
  Shard& src_shard = *shards_[ShardOfHash(src_hash)];
  DbShard& src_d = src_shard.dbs[src_db];
  auto it = src_shard.FindLive(src_d, src_hash, src, now);
  if (it == src_d.keys.end()) return false;
  src_shard.Accessed(*it->second, now);  // COPY reads the source
  // Keep the entry, not the iterator: the lookup of dst may erase an expired
  // key from the same index, which invalidates iterators.
  const Entry* source = it->second;

  const uint64_t dst_hash = HashKey(dst);
  Shard& dst_shard = *shards_[ShardOfHash(dst_hash)];
  DbShard& dst_d = dst_shard.dbs[dst_db];
  auto jt = dst_shard.FindLive(dst_d, dst_hash, dst, now);
  const bool exists = jt != dst_d.keys.end();
  if (exists && !replace) return false;
  if (const ScopeConfig* scope = ValueTooLarge(dst, PayloadOf(*source))) {
    if (refused != nullptr) *refused = scope;
    return false;
  }
  bool by_scope = false;
  const int64_t deadline = ArrivalDeadline(dst, source->expire_at_ms(), &by_scope);
  Entry* fresh;
  if (source->is_object()) {
    // A copy is a new value: the two keys change independently from now on.
    Object* copy = source->object()->Clone();
    fresh = Entry::MakeObject(dst, copy, deadline);
    copy->Unref();
  } else {
    fresh = Entry::Make(dst, source->type(), source->value(), deadline);
  }
  dst_shard.Touch(dst_d, dst);
  if (exists) {
    dst_shard.Replace(dst_d, jt, fresh);
    dst_shard.NewClock(*fresh);                    // a copy is a new value
    dst_shard.KeyEvt(KeyEvent::kNew, dst_d, dst);  // Redis deletes, then adds
  } else {
    dst_shard.Insert(dst_d, dst_hash, fresh);
  }
  if (by_scope) dst_shard.KeyEvt(KeyEvent::kScopeTtl, dst_d, dst);
  ++dst_shard.changes;
  return true;
}

bool Keyspace::Move(int src_db, int dst_db, std::string_view key) {
  if (src_db == dst_db) return false;  // the key "already exists" in dst_db
  const int64_t now = clock_->NowMs();
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& src = shard.dbs[src_db];
  DbShard& dst = shard.dbs[dst_db];
  auto it = shard.FindLive(src, hash, key, now);
  if (it == src.keys.end()) return false;
  shard.Accessed(*it->second, now);  // MOVE looks the key up for writing
  // Another index: `it` stays valid if an expired key is reaped there.
  if (shard.FindLive(dst, hash, key, now) != dst.keys.end()) return false;
  // The blob does not record its database: relink the same one.
  const bool object = it->second->is_object();
  Entry* e = shard.Unlink(src, it, /*notify=*/!object);
  const uint32_t access_clock = e->access_clock();
  shard.Insert(dst, hash, e, /*notify=*/!object);
  e->set_access_clock(access_clock);
  if (object) {
    Change c;
    c.kind = Change::Kind::kMove;
    c.db = src_db;
    c.db2 = dst_db;
    c.key = e->key();
    shard.Notify(c);
  }
  shard.Touch(src, key);
  shard.Touch(dst, key);
  ++shard.changes;
  return true;
}

void Keyspace::RestoreObject(int db, std::string_view key, Object* object, int64_t expire_at_ms) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  auto it = shard.FindLive(d, hash, key, clock_->NowMs());
  Entry* fresh = Entry::MakeObject(key, object, expire_at_ms);
  shard.Touch(d, key);
  if (it != d.keys.end()) {
    shard.Replace(d, it, fresh);
    shard.NewClock(*fresh);
  } else {
    shard.Insert(d, hash, fresh);
  }
  ++shard.changes;
}

const ScopeConfig* Keyspace::StoreObject(int db, std::string_view key, Object* object) {
  if (object->Empty()) {
    Delete(db, key);
    return nullptr;
  }
  if (const ScopeConfig* scope = ValueTooLarge(key, object->PayloadBytes())) return scope;
  bool by_scope = false;
  RestoreObject(db, key, object, ArrivalDeadline(key, kNoExpiry, &by_scope));
  if (by_scope) {
    Shard& shard = ShardFor(key);
    shard.KeyEvt(KeyEvent::kScopeTtl, shard.dbs[db], key);
  }
  return nullptr;
}

const ScopeConfig* Keyspace::StoreArrival(int db, std::string_view key, std::string_view str,
                                          Object* object, int64_t expire_at_ms) {
  const size_t payload = object != nullptr ? object->PayloadBytes() : str.size();
  if (const ScopeConfig* scope = ValueTooLarge(key, payload)) return scope;
  bool by_scope = false;
  const int64_t deadline = ArrivalDeadline(key, expire_at_ms, &by_scope);
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  auto it = shard.FindLive(d, hash, key, clock_->NowMs());
  Entry* fresh = object != nullptr ? Entry::MakeObject(key, object, deadline)
                                   : Entry::Make(key, ValueType::kString, str, deadline);
  shard.Touch(d, key);
  if (it != d.keys.end()) {
    shard.Replace(d, it, fresh);
    shard.NewClock(*fresh);
    shard.KeyEvt(KeyEvent::kNew, d, fresh->key());  // Redis deletes, then adds
  } else {
    shard.Insert(d, hash, fresh);
  }
  if (by_scope) shard.KeyEvt(KeyEvent::kScopeTtl, d, fresh->key());
  ++shard.changes;
  return nullptr;
}

// ---- The collection write path ----

KeyWriter Keyspace::Write(int db, std::string_view key, ValueType type, Missing missing,
                          bool restore) {
  KeyWriter w;
  w.keyspace_ = this;
  w.db_ = db;
  w.key_ = key;
  w.hash_ = HashKey(key);
  w.restore_ = restore;
  Shard& shard = *shards_[ShardOfHash(w.hash_)];
  DbShard& d = shard.dbs[db];
  w.shard_ = &shard;
  w.d_ = &d;
  const int64_t now = clock_->NowMs();
  auto it = shard.FindLive(d, w.hash_, key, now);
  if (it == d.keys.end()) {
    if (missing == Missing::kFail) {
      w.status_ = KeyWriter::Status::kMissing;
      return w;
    }
    w.object_ = NewObject(type);
    assert(w.object_ != nullptr);
    w.created_ = true;
  } else {
    Entry* e = it->second;
    shard.Accessed(*e, now);
    if (e->type() != type) {
      w.status_ = KeyWriter::Status::kWrongType;
      return w;
    }
    // Copy-on-write: another holder (a snapshot cut, or an old entry a cut
    // pinned) must keep seeing the value as it was.
    if (e->object()->refs() > 1) {
      Object* copy = e->object()->Clone();
      Entry* fresh = Entry::MakeObject(e->key(), copy, e->expire_at_ms());
      copy->Unref();
      shard.Replace(d, it, fresh, /*notify=*/false);
      e = fresh;
    }
    shard.Account(d, *e, -1);  // re-added by Commit with the new size
    w.entry_ = e;
    w.object_ = e->object();
  }
  w.status_ = KeyWriter::Status::kOk;
  w.done_ = false;
  return w;
}

KeyWriter::KeyWriter(KeyWriter&& o) noexcept
    : keyspace_(o.keyspace_),
      shard_(o.shard_),
      d_(o.d_),
      db_(o.db_),
      key_(o.key_),
      hash_(o.hash_),
      entry_(o.entry_),
      object_(o.object_),
      status_(o.status_),
      created_(o.created_),
      restore_(o.restore_),
      recorded_(o.recorded_),
      done_(std::exchange(o.done_, true)) {
  o.object_ = nullptr;
  o.status_ = Status::kMissing;
}

bool KeyWriter::Fits(size_t payload_bytes) const {
  return restore_ || keyspace_->ValueTooLarge(key_, payload_bytes) == nullptr;
}

void KeyWriter::Record(uint8_t op, std::span<const std::string_view> args) {
  recorded_ = true;
  Change c;
  c.kind = Change::Kind::kUpdate;
  c.db = db_;
  c.key = key_;
  c.type = object_->type();
  c.op = op;
  c.args = args;
  shard_->Notify(c);
}

void KeyWriter::Commit() {
  if (done_) return;
  done_ = true;
  Shard& shard = *shard_;
  DbShard& d = *d_;
  if (created_) {
    Object* object = std::exchange(object_, nullptr);
    if (object->Empty()) {
      object->Unref();  // nothing was added: the key never existed
      return;
    }
    bool by_scope = false;
    const int64_t deadline =
        restore_ ? kNoExpiry : keyspace_->ArrivalDeadline(key_, kNoExpiry, &by_scope);
    Entry* e = Entry::MakeObject(key_, object, deadline);
    object->Unref();
    shard.Touch(d, key_);
    shard.Insert(d, hash_, e, /*notify=*/false);
    ++shard.changes;
    if (deadline != kNoExpiry) shard.NotifyExpire(db_, e->key(), deadline);
    for (const WriteEvent& ev : events_) shard.WriteEvt(ev, d, e->key());
    if (by_scope) shard.KeyEvt(KeyEvent::kScopeTtl, d, e->key());
    return;
  }
  shard.Account(d, *entry_, +1);
  if (!recorded_) return;
  shard.Touch(d, key_);
  ++shard.changes;
  for (const WriteEvent& ev : events_) shard.WriteEvt(ev, d, entry_->key());
  if (object_->Empty()) {
    Entry* gone = shard.Unlink(d, FindSlot(d.keys, hash_, entry_->key()));
    shard.KeyEvt(KeyEvent::kEmptied, d, gone->key());
    shard.Retire(gone);
  } else {
    shard.Changed(d, *entry_, /*notify=*/false);
  }
}

void Keyspace::Watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag) {
  const uint64_t hash = HashKey(key);
  Shard& shard = *shards_[ShardOfHash(hash)];
  DbShard& d = shard.dbs[db];
  // A key already expired is deleted now, so its later reaping does not look
  // like a change made after WATCH (not while expiry is paused).
  const int64_t now = clock_->NowMs();
  if (!ExpiryPaused(now)) shard.FindLive(d, hash, key, now);
  auto it = d.watchers.find(key);
  if (it == d.watchers.end()) it = d.watchers.emplace(std::string(key), WatcherList()).first;
  for (const auto& weak : it->second) {
    if (weak.lock() == flag) return;
  }
  it->second.push_back(flag);
}

void Keyspace::Unwatch(int db, std::string_view key, const WatchFlag* flag) {
  DbShard& d = ShardFor(key).dbs[db];
  auto it = d.watchers.find(key);
  if (it == d.watchers.end()) return;
  std::erase_if(it->second, [flag](const std::weak_ptr<WatchFlag>& weak) {
    auto strong = weak.lock();
    return strong == nullptr || strong.get() == flag;
  });
  if (it->second.empty()) d.watchers.erase(it);
}

std::vector<std::shared_ptr<WatchFlag>> Keyspace::Watchers(int db, std::string_view key) {
  std::vector<std::shared_ptr<WatchFlag>> live;
  DbShard& d = ShardFor(key).dbs[db];
  auto it = d.watchers.find(key);
  if (it == d.watchers.end()) return live;
  live.reserve(it->second.size());
  for (const auto& weak : it->second) {
    if (auto flag = weak.lock()) live.push_back(std::move(flag));
  }
  return live;
}

// ---- Whole-database operations ----

uint64_t Keyspace::DbSize(int db) {
  uint64_t n = 0;
  for (auto& shard : shards_) n += shard->dbs[db].keys.size();
  return n;
}

void Keyspace::FlushShards(int db, bool async) {
  std::vector<std::unique_ptr<DbShard>> detached;
  uint64_t detached_entries = 0;
  for (auto& shard : shards_) {
    DbShard& d = shard->dbs[db];
    for (auto& [key, watchers] : d.watchers) {
      if (d.Contains(HashKey(key), key)) FlagAll(watchers, db, key);
    }
    size_t n;
    if (async) {
      n = d.keys.size();
      if (n == 0) continue;
      std::unique_ptr<DbShard> old = shard->Detach(d);
      if (shard->pinned) {
        shard->retired_dbs.push_back(std::move(old));  // the cut reads them
      } else {
        detached.push_back(std::move(old));
        detached_entries += n;
      }
    } else {
      n = shard->DestroyAll(d);
    }
    shard->changes += n;
    shard->changes_since_cut += n;
  }
  full_cut_needed_.store(true);
  if (!detached.empty()) {
    // std::function needs a copyable job.
    auto dbs = std::make_shared<std::vector<std::unique_ptr<DbShard>>>(std::move(detached));
    freer_->Free(
        [dbs] {
          for (auto& d : *dbs) Shard::FreeDetached(*d);
          dbs->clear();
        },
        detached_entries);
  }
}

uint64_t Keyspace::LazyFreePending() const { return freer_->Pending(); }

void Keyspace::WaitLazyFree() { freer_->WaitIdle(); }

uint64_t Keyspace::LazyFreed() const { return freer_->Freed(); }

void Keyspace::ResetLazyFreed() { freer_->ResetFreed(); }

void Keyspace::FlushDb(int db, bool async) {
  FlushShards(db, async);
  if (ModifiedKeyListener* l = modified_keys_.load(std::memory_order_acquire)) l->OnFlush(db);
  if (listener_ != nullptr) {
    Change c;
    c.kind = Change::Kind::kFlushDb;
    c.db = db;
    listener_->OnChange(c);
  }
}

void Keyspace::FlushAll(bool async) {
  for (int db = 0; db < databases_; ++db) FlushShards(db, async);
  if (ModifiedKeyListener* l = modified_keys_.load(std::memory_order_acquire)) l->OnFlush(-1);
  if (listener_ != nullptr) {
    Change c;
    c.kind = Change::Kind::kFlushAll;
    listener_->OnChange(c);
  }
}

void Keyspace::SwapDb(int a, int b) {
  if (a == b) return;
  for (auto& shard : shards_) {
    DbShard& da = shard->dbs[a];
    DbShard& db = shard->dbs[b];
    // Watches stay with the database number; the data under them changes if
    // the key exists on either side.
    for (DbShard* watched : {&da, &db}) {
      for (auto& [key, watchers] : watched->watchers) {
        const uint64_t h = HashKey(key);
        if (da.Contains(h, key) || db.Contains(h, key)) {
          FlagAll(watchers, watched == &da ? a : b, key);
        }
      }
    }
    std::swap(da.keys, db.keys);
    std::swap(da.expiries, db.expiries);
    std::swap(da.ordered, db.ordered);
    std::swap(da.objects, db.objects);
    std::swap(da.scope_counts, db.scope_counts);
    for (DbShard* x : {&da, &db}) {
      x->dirty.clear();
      x->gone.clear();
    }
  }
  ++shards_[0]->changes;
  ++shards_[0]->changes_since_cut;
  full_cut_needed_.store(true);
  if (listener_ != nullptr) {
    Change c;
    c.kind = Change::Kind::kSwapDb;
    c.db = a;
    c.db2 = b;
    listener_->OnChange(c);
  }
}

std::optional<std::string> Keyspace::RandomKey(int db) {
  uint64_t remaining = DbSize(db);
  const int64_t now = clock_->NowMs();
  // Every failed attempt deletes an expired key, so this ends; the deletions
  // are work active expiry would have done anyway. While expiry is paused
  // they are left in place, and a hundred failed attempts more are allowed
  // before giving up (Redis 7.0 would spin forever on a database of
  // expired keys).
  const bool paused = ExpiryPaused(now);
  if (paused && remaining > 0) remaining += 100;
  while (remaining > 0) {
    // splitmix64: the callers hold every shard lock, so the state is ours.
    random_state_ += 0x9E3779B97F4A7C15ULL;
    const uint64_t target = Finalize(random_state_);
    size_t s = ShardOfHash(target);
    Shard* shard = shards_[s].get();
    DbShard* d = &shard->dbs[db];
    auto it = d->keys.lower_bound(target);
    while (it == d->keys.end()) {  // wrap to the first key of the next shards
      s = (s + 1) % shards_.size();
      shard = shards_[s].get();
      d = &shard->dbs[db];
      it = d->keys.begin();
    }
    if (!Expired(*it->second, now)) return std::string(it->second->key());
    if (!paused) shard->ExpireAt(*d, it);
    --remaining;
  }
  return std::nullopt;
}

void Keyspace::ForEachKey(int db,
                          absl::FunctionRef<void(std::string_view key, const ValueView&)> fn) {
  const int64_t now = clock_->NowMs();
  for (auto& shard : shards_) {
    for (const auto& [hash, e] : shard->dbs[db].keys) {
      if (!Expired(*e, now)) fn(e->key(), ViewOf(*e));
    }
  }
}

void Keyspace::ForEachKeyWithPrefix(
    int db, std::string_view prefix,
    absl::FunctionRef<void(std::string_view key, const ValueView&)> fn) {
  const int64_t now = clock_->NowMs();
  for (auto& shard : shards_) {
    const OrderedIndex& ordered = shard->dbs[db].ordered;
    for (auto it = ordered.lower_bound(prefix); it != ordered.end(); ++it) {
      const Entry& e = **it;
      if (e.key().substr(0, prefix.size()) != prefix) break;
      if (!Expired(e, now)) fn(e.key(), ViewOf(e));
    }
  }
}

// ---- Operations that lock by themselves ----

uint64_t Keyspace::Scan(int db, uint64_t cursor, size_t count,
                        absl::FunctionRef<void(std::string_view key, const ValueView&)> visit) {
  if (count == 0) count = 1;
  size_t visited = 0;
  size_t s = ShardOfHash(cursor);
  std::vector<Entry*> expired;
  while (true) {
    Shard& shard = *shards_[s];
    std::lock_guard<std::mutex> lock(shard.mu);
    DbShard& d = shard.dbs[db];
    const int64_t now = clock_->NowMs();
    const bool paused = ExpiryPaused(now);
    uint64_t last_hash = 0;
    auto it = d.keys.lower_bound(cursor);
    for (; it != d.keys.end(); ++it) {
      // Stop only between two hashes: the cursor cannot point inside a group
      // of keys sharing one.
      if (visited >= count && it->first != last_hash) break;
      if (Expired(*it->second, now)) {
        if (!paused) expired.push_back(it->second);
      } else {
        visit(it->second->key(), ViewOf(*it->second));
      }
      last_hash = it->first;
      ++visited;
    }
    const bool shard_done = it == d.keys.end();
    // Reaped after the walk, which erasing would have invalidated.
    for (Entry* e : expired) {
      shard.ExpireAt(d, FindSlot(d.keys, HashKey(e->key()), e->key()));
    }
    if (!expired.empty() && listener_ != nullptr) listener_->OnUnlock();
    expired.clear();
    // Some key with a larger hash follows, so last_hash + 1 cannot wrap to 0.
    if (!shard_done) return last_hash + 1;
    if (s + 1 == shards_.size()) return 0;
    ++s;
    cursor = uint64_t{s} << (64 - shard_bits_);  // first hash of shard s
    if (visited >= count) return cursor;
  }
}

size_t Keyspace::ActiveExpireCycle(size_t budget) {
  // Work is spread over (shard, database) cells, each cycle starting at the
  // cell after the one where the previous cycle ran out of budget, so a cell
  // full of expired keys cannot starve the others. Locks are dropped every
  // kBatch deletions to bound latency. A shard another thread holds is
  // skipped until the next cycle, not waited for: a DELPREFIX relocking it
  // batch after batch would hold the cycle (and the io thread whose cron
  // runs it) for most of its run, as std::mutex lets the holder take it
  // again before a woken waiter does (0.4 s of PING latency during a
  // DELPREFIX of 2,000,000 keys).
  constexpr size_t kBatch = 128;
  const size_t dbs = static_cast<size_t>(databases_);
  const size_t cells = shards_.size() * dbs;
  if (budget == 0 || ExpiryPaused(clock_->NowMs())) return 0;
  const size_t start = expire_cursor_.load(std::memory_order_relaxed) % cells;
  size_t deleted = 0;
  for (size_t i = 0; i < cells; ++i) {
    const size_t cell = (start + i) % cells;
    Shard& shard = *shards_[cell / dbs];
    const int db = static_cast<int>(cell % dbs);
    bool more = true;
    while (more && deleted < budget) {
      std::unique_lock<std::mutex> lock(shard.mu, std::try_to_lock);
      if (!lock.owns_lock()) break;
      DbShard& d = shard.dbs[db];
      const int64_t now = clock_->NowMs();
      size_t batch = 0;
      while (true) {
        if (d.expiries.empty() || d.expiries.begin()->deadline >= now) {
          more = false;
          break;
        }
        if (batch == kBatch || deleted == budget) break;
        Entry* e = d.expiries.begin()->entry;
        shard.ExpireAt(d, FindSlot(d.keys, HashKey(e->key()), e->key()));
        ++batch;
        ++deleted;
      }
      if (batch > 0 && listener_ != nullptr) listener_->OnUnlock();
    }
    if (deleted == budget) {
      expire_cursor_.store(cell + 1, std::memory_order_relaxed);
      return deleted;
    }
  }
  expire_cursor_.store(start + 1, std::memory_order_relaxed);
  return deleted;
}

size_t Keyspace::EvictEntry(Shard& shard, DbShard& d, Entry* victim) {
  auto slot = FindSlot(d.keys, HashKey(victim->key()), victim->key());
  const size_t bytes = MallocBytes(victim->ByteSize()) + 24;
  if (Expired(*victim, clock_->NowMs())) {
    shard.ExpireAt(d, slot);
  } else {
    shard.Touch(d, victim->key());
    Entry* gone = shard.Unlink(d, slot);
    ++shard.evicted_keys;
    ++shard.changes;
    shard.KeyEvt(KeyEvent::kEvicted, d, gone->key());
    shard.Retire(gone);
  }
  if (listener_ != nullptr) listener_->OnUnlock();
  return bytes;
}

int Keyspace::NextEvictionDb(bool volatile_only) {
  // The next non-empty database, in turn (Redis takes them round robin too).
  const size_t dbs = static_cast<size_t>(databases_);
  const size_t first_db = evict_db_.fetch_add(1, std::memory_order_relaxed) % dbs;
  for (size_t i = 0; i < dbs; ++i) {
    const size_t candidate = (first_db + i) % dbs;
    for (auto& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard->mu);
      const DbShard& d = shard->dbs[candidate];
      if (volatile_only ? !d.expiries.empty() : !d.keys.empty()) return static_cast<int>(candidate);
    }
  }
  return -1;
}

uint64_t Keyspace::EvictionRandom() {
  const uint64_t state = evict_state_.fetch_add(0x9E3779B97F4A7C15ULL, std::memory_order_relaxed);
  return Finalize(state + 0x9E3779B97F4A7C15ULL);
}

namespace {

// The first key with a deadline at or after a deadline drawn at random
// between the nearest and the farthest of `d` (not empty).
ExpiryIndex::const_iterator RandomDeadline(const DbShard& d, uint64_t random) {
  const int64_t lo = d.expiries.begin()->deadline;
  const int64_t hi = d.expiries.rbegin()->deadline;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  const int64_t pick = span == 0 ? lo : lo + static_cast<int64_t>(random % span);
  auto it = d.expiries.lower_bound(ExpirySlot{pick, nullptr});
  return it == d.expiries.end() ? d.expiries.begin() : it;
}

Entry* RandomVolatile(const DbShard& d, uint64_t random) {
  return RandomDeadline(d, random)->entry;
}

// Any key of `d` (not empty): the first at or after hash `random`.
Entry* RandomAny(const DbShard& d, uint64_t random) {
  auto it = d.keys.lower_bound(random);
  if (it == d.keys.end()) it = d.keys.begin();
  return it->second;
}

}  // namespace

size_t Keyspace::EvictSampled(EvictionPolicy policy, int samples) {
  const bool volatile_only =
      policy == EvictionPolicy::kVolatileLru || policy == EvictionPolicy::kVolatileLfu;
  AccessPolicy scoring = access_->Load();
  scoring.lfu = IsLfuPolicy(policy);
  const size_t nshards = shards_.size();
  const size_t want = static_cast<size_t>(std::max(samples, 1));
  // The sample is `samples` keys in a row from a random point: in hash
  // order (which is random with respect to the keys) for the allkeys
  // policies, in deadline order from a random deadline for the volatile
  // ones. Each shard is locked while it is read; the best key is
  // remembered by name and looked up again under its shard's lock to be
  // deleted. It may have been deleted by another client meanwhile: sample
  // again then, a few times.
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int db = NextEvictionDb(volatile_only);
    if (db < 0) return 0;
    const uint64_t target = EvictionRandom();
    const size_t first = ShardOfHash(target);
    bool found = false;
    size_t best_shard = 0;
    uint64_t best_score = 0;
    std::string best_key;
    size_t seen = 0;
    auto consider = [&](size_t s, const Entry& e, int64_t now) {
      // An expired key is the best pick of all: deleting it loses nothing.
      const uint64_t score =
          Expired(e, now) ? UINT64_MAX : EvictionScore(e.access_clock(), scoring, now);
      if (!found || score > best_score) {
        found = true;
        best_shard = s;
        best_score = score;
        best_key.assign(e.key());
      }
      ++seen;
    };
    // Every shard from the random point on, then the first one again up to
    // that point.
    for (size_t step = 0; step <= nshards && seen < want; ++step) {
      const size_t s = (first + step) % nshards;
      Shard& shard = *shards_[s];
      std::lock_guard<std::mutex> lock(shard.mu);
      const DbShard& d = shard.dbs[db];
      const int64_t now = clock_->NowMs();
      if (volatile_only) {
        if (d.expiries.empty()) continue;
        const auto from = RandomDeadline(d, target);
        auto it = step == 0 ? from : d.expiries.begin();
        for (; it != d.expiries.end() && seen < want; ++it) {
          if (step == nshards && it == from) break;
          consider(s, *it->entry, now);
        }
      } else {
        auto it = step == 0 ? d.keys.lower_bound(target) : d.keys.begin();
        for (; it != d.keys.end() && seen < want; ++it) {
          if (step == nshards && it->first >= target) break;
          consider(s, *it->second, now);
        }
      }
    }
    if (!found) return 0;
    Shard& shard = *shards_[best_shard];
    std::lock_guard<std::mutex> lock(shard.mu);
    DbShard& d = shard.dbs[db];
    auto it = FindSlot(d.keys, HashKey(best_key), best_key);
    if (it != d.keys.end()) return EvictEntry(shard, d, it->second);
  }
  return 0;
}

size_t Keyspace::Evict(EvictionPolicy policy, int samples) {
  switch (policy) {
    case EvictionPolicy::kNoEviction:
      return 0;
    case EvictionPolicy::kAllKeysLru:
    case EvictionPolicy::kVolatileLru:
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return EvictSampled(policy, samples);
    default:
      break;
  }
  const size_t dbs = static_cast<size_t>(databases_);
  const size_t nshards = shards_.size();
  // The victim's place: shard and database, and how to find it there.
  size_t shard_index = 0;
  int db = 0;
  uint64_t target = 0;
  if (policy == EvictionPolicy::kVolatileTtl) {
    // The nearest deadline of all: one short lock per shard to look, then
    // the victim's shard again to delete it (re-read under that lock).
    int64_t best = INT64_MAX;
    bool found = false;
    for (size_t s = 0; s < nshards; ++s) {
      std::lock_guard<std::mutex> lock(shards_[s]->mu);
      for (size_t i = 0; i < dbs; ++i) {
        const DbShard& d = shards_[s]->dbs[i];
        if (!d.expiries.empty() && d.expiries.begin()->deadline < best) {
          best = d.expiries.begin()->deadline;
          shard_index = s;
          db = static_cast<int>(i);
          found = true;
        }
      }
    }
    if (!found) return 0;
  } else {
    // A random point of the hash space in the next non-empty database.
    target = EvictionRandom();
    db = NextEvictionDb(policy != EvictionPolicy::kAllKeysRandom);
    if (db < 0) return 0;
    shard_index = ShardOfHash(target);
  }
  for (size_t tries = 0; tries < nshards; ++tries) {
    Shard& shard = *shards_[(shard_index + tries) % nshards];
    std::lock_guard<std::mutex> lock(shard.mu);
    DbShard& d = shard.dbs[db];
    Entry* victim = nullptr;
    if (policy == EvictionPolicy::kAllKeysRandom) {
      if (d.keys.empty()) continue;
      victim = RandomAny(d, target);
    } else {
      if (d.expiries.empty()) continue;
      victim = policy == EvictionPolicy::kVolatileRandom ? RandomVolatile(d, target)
                                                         : d.expiries.begin()->entry;
    }
    return EvictEntry(shard, d, victim);
  }
  return 0;
}

void Keyspace::SetAccessPolicy(const AccessPolicy& policy) {
  access_->lfu.store(policy.lfu, std::memory_order_relaxed);
  access_->lfu_log_factor.store(policy.lfu_log_factor, std::memory_order_relaxed);
  access_->lfu_decay_time.store(policy.lfu_decay_time, std::memory_order_relaxed);
}

AccessPolicy Keyspace::access_policy() const { return access_->Load(); }

void Keyspace::PauseExpiry(int64_t until_ms) {
  expiry_paused_until_.store(until_ms, std::memory_order_relaxed);
}

bool Keyspace::ExpiryPaused(int64_t now_ms) const {
  const int64_t until = expiry_paused_until_.load(std::memory_order_relaxed);
  return until != 0 && now_ms < until;
}

// The bytes of a B-tree of `n` values of `size` bytes: absl's nodes are
// about three quarters full on average, plus their headers.
uint64_t BtreeBytes(uint64_t n, size_t size) { return n * size * 4 / 3 + n / 8 * 16; }

std::vector<Keyspace::DbOverhead> Keyspace::Overheads() {
  std::vector<DbOverhead> out(static_cast<size_t>(databases_));
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    for (int db = 0; db < databases_; ++db) {
      const DbShard& d = shard->dbs[db];
      DbOverhead& o = out[db];
      o.keys += d.keys.size();
      o.expires += d.expiries.size();
      o.main_bytes += d.keys.MemoryBytes() + BtreeBytes(d.ordered.size(), sizeof(Entry*)) +
                      d.objects.capacity() * (sizeof(Entry*) + 1);
      o.expires_bytes += BtreeBytes(d.expiries.size(), sizeof(ExpirySlot));
    }
  }
  return out;
}

KeyspaceStats Keyspace::Stats() {
  KeyspaceStats stats;
  stats.dbs.resize(static_cast<size_t>(databases_));
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    for (int db = 0; db < databases_; ++db) {
      stats.dbs[db].keys += shard->dbs[db].keys.size();
      stats.dbs[db].expires += shard->dbs[db].expiries.size();
    }
    stats.expired_keys += shard->expired_keys;
    stats.evicted_keys += shard->evicted_keys;
    stats.keyspace_hits += shard->hits;
    stats.keyspace_misses += shard->misses;
    stats.changes += shard->changes;
    if (stats.scopes.empty()) stats.scopes.resize(scopes_.size());
    for (size_t i = 0; i < scopes_.size(); ++i) {
      ScopeStats& to = stats.scopes[i];
      to.hits += shard->scope_stats[i].hits;
      to.misses += shard->scope_stats[i].misses;
      for (const DbShard& d : shard->dbs) {
        const ScopeStats& from = d.scope_counts[i];
        to.keys += from.keys;
        to.expires += from.expires;
        to.bytes += from.bytes;
      }
    }
  }
  for (size_t i = 0; i < scopes_.size(); ++i) stats.scopes[i].name = scopes_[i].name;
  return stats;
}

// ---- Scopes and prefixes ----

int Keyspace::ScopeOf(std::string_view key) const {
  return scopes_.empty() ? -1 : shards_[0]->ScopeOf(key);
}

const ScopeConfig* Keyspace::ValueTooLarge(std::string_view key, size_t size) const {
  const int s = ScopeOf(key);
  if (s < 0 || scopes_[s].max_value_size == 0 || size <= scopes_[s].max_value_size) {
    return nullptr;
  }
  return &scopes_[s];
}

namespace {
bool HasPrefix(std::string_view key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::memcmp(key.data(), prefix.data(), prefix.size()) == 0;
}
}  // namespace

uint64_t Keyspace::ScanPrefix(int db, uint64_t cursor, std::string_view prefix, size_t count,
                              absl::FunctionRef<bool(std::string_view)> keep,
                              absl::FunctionRef<void(std::string_view, const ValueView&)> visit) {
  if (count == 0) count = 1;
  // How many keys of one shard a call may walk in key order before it falls
  // back to a hash-order Scan() for that shard.
  const size_t walk_limit = std::max<size_t>(1024, count * 16);
  size_t s = ShardOfHash(cursor);
  size_t returned = 0;
  std::vector<const Entry*> found;
  std::vector<Entry*> expired;
  while (true) {
    bool fallback = false;
    {
      Shard& shard = *shards_[s];
      std::lock_guard<std::mutex> lock(shard.mu);
      DbShard& d = shard.dbs[db];
      const int64_t now = clock_->NowMs();
      size_t walked = 0;
      found.clear();
      for (auto it = d.ordered.lower_bound(prefix); it != d.ordered.end(); ++it) {
        Entry* e = *it;
        if (!HasPrefix(e->key(), prefix)) break;
        if (++walked > walk_limit) {
          fallback = true;
          break;
        }
        if (HashKey(e->key()) < cursor) continue;  // visited by an earlier call
        if (Expired(*e, now)) {
          if (!ExpiryPaused(now)) expired.push_back(e);
        } else if (keep(e->key())) {
          found.push_back(e);
        }
      }
      // Enough returned already: stop before a shard that has more, but
      // skip empty ones (cheap), so a small prefix takes one call.
      const bool stop = returned >= count && (fallback || !found.empty());
      if (!fallback && !stop) {
        for (const Entry* e : found) visit(e->key(), ViewOf(*e));
        returned += found.size();
      }
      if (!fallback) {
        for (Entry* e : expired) {
          shard.ExpireAt(d, FindSlot(d.keys, HashKey(e->key()), e->key()));
        }
        if (!expired.empty() && listener_ != nullptr) listener_->OnUnlock();
      }
      expired.clear();
      if (stop) return cursor;
    }
    if (fallback) {
      // Scan() filters nothing: the caller's visit applies the pattern. Keep
      // the hash-order walk inside this shard so the cursor stays exact.
      const uint64_t next =
          Scan(db, cursor, walk_limit, [&](std::string_view k, const ValueView& v) {
            if (HasPrefix(k, prefix) && keep(k)) visit(k, v);
          });
      return next;
    }
    if (s + 1 == shards_.size()) return 0;
    ++s;
    cursor = uint64_t{s} << (64 - shard_bits_);
  }
}

uint64_t Keyspace::DeletePrefix(int db, std::string_view prefix, size_t batch) {
  return DeletePrefix(db, prefix, batch, [] {});
}

uint64_t Keyspace::DeletePrefix(int db, std::string_view prefix, size_t batch,
                                absl::FunctionRef<void()> between_batches) {
  if (batch == 0) batch = 1;
  uint64_t deleted = 0;
  std::vector<Entry*> victims;
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    bool more = true;
    for (bool first = true; more; first = false) {
      if (!first) between_batches();
      std::lock_guard<std::mutex> lock(shard.mu);
      DbShard& d = shard.dbs[db];
      const int64_t now = clock_->NowMs();
      victims.clear();
      for (auto it = d.ordered.lower_bound(prefix);
           it != d.ordered.end() && HasPrefix((*it)->key(), prefix); ++it) {
        if (victims.size() == batch) break;
        victims.push_back(*it);
      }
      more = victims.size() == batch;
      for (Entry* e : victims) {
        auto slot = FindSlot(d.keys, HashKey(e->key()), e->key());
        if (Expired(*e, now)) {
          shard.ExpireAt(d, slot);
          continue;
        }
        shard.Touch(d, e->key());
        Entry* gone = shard.Unlink(d, slot);
        shard.KeyEvt(KeyEvent::kPrefixDeleted, d, gone->key());
        shard.Retire(gone);
        ++shard.changes;
        ++deleted;
      }
      if (!victims.empty() && listener_ != nullptr) listener_->OnUnlock();
    }
    between_batches();
  }
  return deleted;
}

// ---- Persistence support ----

void Keyspace::SetChangeListener(ChangeListener* listener) { listener_ = listener; }

void Keyspace::SetKeyEventListener(KeyEventListener* listener) {
  key_events_.store(listener, std::memory_order_release);
}

void Keyspace::SetModifiedKeyListener(ModifiedKeyListener* listener) {
  modified_keys_.store(listener, std::memory_order_release);
}

PinnedValue Keyspace::Resolve(int db, const Entry* e) {
  if (e->is_object()) {
    return PinnedValue{db, e->key(), e->type(), {}, e->expire_at_ms(), e->object()};
  }
  return PinnedValue{db, e->key(), e->type(), e->value(), e->expire_at_ms(), nullptr};
}

void Keyspace::ResolveCut(SnapshotCut& cut) {
  cut.upserts.reserve(cut.upserts.size() + cut.unresolved.size());
  for (const auto& [db, e] : cut.unresolved) cut.upserts.push_back(Resolve(db, e));
  cut.unresolved.clear();
  cut.unresolved.shrink_to_fit();
  cut.run_ends.clear();
}

SnapshotCut Keyspace::PrepareCut(bool full) {
  full = full || full_cut_needed_.load();
  size_t n = 0;
  for (auto& shard_ptr : shards_) {
    std::lock_guard<std::mutex> lock(shard_ptr->mu);
    for (const DbShard& d : shard_ptr->dbs) n += full ? d.keys.size() : d.dirty.size();
  }
  n += n / 8 + 1024;  // for what is written until the cut
  SnapshotCut cut;
  cut.unresolved.resize(n);  // writes every page once
  cut.unresolved.clear();    // keeps the capacity
  return cut;
}

SnapshotCut Keyspace::TakeCut(bool full, bool resolve, SnapshotCut prepared) {
  SnapshotCut cut = std::move(prepared);
  cut.unresolved.clear();
  cut.run_ends.clear();
  cut.hash_seed = seed_;
  cut.full = full || full_cut_needed_.load();
  // Sized first: growing by doubling while every shard is locked would
  // lengthen the pause clients see (no-op if PrepareCut made room).
  size_t n = 0;
  for (auto& shard_ptr : shards_) {
    for (const DbShard& d : shard_ptr->dbs) n += cut.full ? d.keys.size() : d.dirty.size();
  }
  cut.unresolved.reserve(n);
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    assert(!shard.pinned);
    shard.pinned = true;
    for (DbShard& d : shard.dbs) {
      const int db = shard.DbIndex(d);
      auto pin_object = [&](const Entry& e) {
        e.object()->Ref();
        cut.pinned_objects.push_back(e.object());
      };
      auto pin = [&](const Entry& e) { cut.unresolved.emplace_back(db, &e); };
      if (cut.full) {
        // In key order: the writer merges these runs instead of sorting
        // every key.
        for (const Entry* e : d.ordered) pin(*e);
        const size_t run_begin = cut.run_ends.empty() ? 0 : cut.run_ends.back();
        if (cut.unresolved.size() > run_begin) cut.run_ends.push_back(cut.unresolved.size());
        // Only the collections are visited: strings are never changed in
        // place while the shard is pinned.
        for (const Entry* e : d.objects) pin_object(*e);
      } else {
        // The changed entries are known by pointer: no key is looked up
        // while commands wait. Whether one holds a collection needs its
        // blob, so those are read with a prefetch a few entries ahead.
        const size_t from = cut.unresolved.size();
        for (const Entry* e : d.dirty) pin(*e);
        constexpr size_t kAhead = 8;
        for (size_t i = from; i < cut.unresolved.size(); ++i) {
          if (i + kAhead < cut.unresolved.size()) {
            __builtin_prefetch(cut.unresolved[i + kAhead].second);
          }
          const Entry& e = *cut.unresolved[i].second;
          if (e.is_object()) pin_object(e);
        }
        for (const std::string& key : d.gone) cut.deletes.emplace_back(db, key);
      }
      d.dirty.clear();
      d.gone.clear();
    }
    shard.changes_since_cut = 0;
  }
  full_cut_needed_.store(false);
  if (resolve) ResolveCut(cut);
  return cut;
}

void Keyspace::ReleaseCut(SnapshotCut& cut, bool written) {
  for (Object* o : cut.pinned_objects) o->Unref();
  cut.pinned_objects.clear();
  cut.upserts.clear();
  cut.unresolved.clear();
  cut.deletes.clear();
  if (!written) full_cut_needed_.store(true);
  std::vector<Entry*> to_free;
  std::vector<std::unique_ptr<DbShard>> dbs_to_free;
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    {
      std::lock_guard<std::mutex> lock(shard.mu);
      shard.pinned = false;
      to_free.swap(shard.retired);
      dbs_to_free.swap(shard.retired_dbs);
    }
    for (Entry* e : to_free) Entry::Destroy(e);  // unreachable now: no lock needed
    to_free.clear();
    for (auto& d : dbs_to_free) Shard::FreeDetached(*d);
    dbs_to_free.clear();
  }
}

void Keyspace::ResetChangeTracking() {
  for (auto& shard : shards_) {
    for (DbShard& d : shard->dbs) {
      d.dirty.clear();
      d.gone.clear();
    }
    shard->changes_since_cut = 0;
  }
  full_cut_needed_.store(false);
}

uint64_t Keyspace::ChangesSinceCut() {
  uint64_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    n += shard->changes_since_cut;
  }
  return n;
}

}  // namespace stashd::store
