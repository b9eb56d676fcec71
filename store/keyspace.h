// The in-memory keyspace: `databases` logical databases, split into shards.
//
// Layout. A key lives in shard `ShardOf(key)`, chosen from the top bits of a
// stable 64-bit hash of the key, independently of the database number (so
// MOVE and COPY between databases stay within one shard). Each shard owns, per
// database, an index ordered by hash (keys sharing a hash kept together) and
// an expiry index ordered by deadline. Ordering by hash makes SCAN's cursor a
// plain number: the cursor is the hash of the next key to visit, and a key
// present for a whole iteration is returned at least once, whatever is
// inserted or deleted meanwhile.
//
// Values are compact heap blobs (see entry.h): a string inline, any other
// type an Object behind a pointer (value.h). While a snapshot has pinned a
// shard, a write to a string replaces the blob, and a write to a collection
// the cut holds copies it first, so the snapshot is never disturbed.
//
// Thread safety. Each shard has a mutex. Every per-key operation REQUIRES the
// shard of each key it touches to be locked by the caller (see Lock()).
// Whole-database operations (DbSize, FlushDb, FlushAll, SwapDb, RandomKey,
// ForEachKey) REQUIRE all shards locked. Scan(), ActiveExpireCycle() and
// Stats() lock shards themselves: the caller must hold no shard lock.
// Several shards are always locked in ascending shard order.
#pragma once

#include <absl/functional/function_ref.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/access_clock.h"
#include "store/clock.h"
#include "store/eviction.h"
#include "store/lazy_free.h"
#include "store/siphash.h"
#include "store/value.h"

namespace stashd::store {

inline constexpr int64_t kKeepTtl = -2;  // SetString: keep the current deadline

// A read-only view of a live value. Valid while the caller holds the shard
// lock and does not write to that key.
struct ValueView {
  ValueType type = ValueType::kString;
  uint32_t access_clock = 0;  // the key's access clock (store/access_clock.h)
  std::string_view str;       // the string's bytes when type == kString
  int64_t expire_at_ms = kNoExpiry;
  const Object* object = nullptr;  // the value when type != kString

  // The object as its concrete type. REQUIRES: type is T's type.
  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*object);
  }
};

// Told by the keyspace when a watched key is modified, deleted or expires.
// Shared between a client and the shards it watches; the keyspace holds it
// weakly. WATCH/EXEC uses the flag as it is; a client blocked on keys
// (BLPOP...) overrides Touched() to learn which key may now serve it.
struct WatchFlag {
  virtual ~WatchFlag() = default;
  // Called with the key's shard locked, on the thread that changed the key:
  // must be quick and must not call into the keyspace. `key` is valid only
  // during the call.
  virtual void Touched(int db, std::string_view key) {
    (void)db;
    (void)key;
    dirty.store(true);
  }
  std::atomic<bool> dirty{false};
};

// A bot scope: keys starting with `prefix` (see README "Bot scopes").
struct ScopeConfig {
  std::string name;             // "state", "user", "global"
  std::string prefix;           // "state:", "user:", "global:"
  int64_t default_ttl_ms = 0;   // applied when a write gives no TTL; 0 = none
  uint64_t max_value_size = 0;  // larger values are refused; 0 = no limit
};

struct ScopeStats {
  std::string name;
  uint64_t keys = 0;
  uint64_t expires = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t bytes = 0;  // heap bytes of the entries (key, value, header)
};

struct DbStats {
  uint64_t keys = 0;
  uint64_t expires = 0;  // keys with a deadline
};

struct KeyspaceStats {
  std::vector<DbStats> dbs;
  uint64_t expired_keys = 0;  // deleted because their deadline passed
  uint64_t evicted_keys = 0;  // deleted by Evict (maxmemory)
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t changes = 0;            // total number of key modifications since start
  std::vector<ScopeStats> scopes;  // in the order of Options::scopes
};

// One change to the dataset, as a ChangeListener sees it. Views point into
// the keyspace and are valid only during the callback.
//
// A string's changes are whole values (kSet), except a write into part of an
// existing string (SETBIT, BITFIELD, PFADD on a dense HyperLogLog), which is
// a kPatch: the bytes written and where, so a one-bit change to a large
// bitmap logs a byte, not the bitmap. A collection is never logged whole except when it is
// created whole (COPY, a restore): a change inside it is a kUpdate (one
// delta op of its type, e.g. HashObject::kSet with field/value pairs) and a
// key-level operation on it is kExpire / kRename / kMove.
struct Change {
  enum class Kind {
    kSet,       // `key` now holds `value` (a string) or `object`, deadline `expire_at_ms`
    kDelete,    // `key` was deleted (by a command or because it expired)
    kFlushDb,   // every key of `db` was deleted
    kFlushAll,  // every key of every database was deleted
    kSwapDb,    // databases `db` and `db2` were swapped
    kUpdate,    // delta `op` with `args` applied to the `type` collection at `key`
                // (created empty first if missing)
    kExpire,    // the deadline of `key` is now `expire_at_ms` (kNoExpiry: none)
    kRename,    // `key` was renamed to `key2` in `db`, replacing it, deadline kept
    kMove,      // `key` moved from `db` to `db2`
    kPatch,     // the string at `key` now has `value` at byte `offset` (zero-padded
                // if it was shorter; created without a deadline if missing)
  };
  Kind kind = Kind::kSet;
  int db = 0;
  int db2 = 0;
  std::string_view key;
  std::string_view key2;
  ValueType type = ValueType::kString;
  std::string_view value;
  const Object* object = nullptr;  // kSet of a collection
  int64_t expire_at_ms = kNoExpiry;
  uint8_t op = 0;                          // kUpdate
  std::span<const std::string_view> args;  // kUpdate
  uint64_t offset = 0;                     // kPatch
};

// Receives every change, in the order changes are applied to each key: it is
// called while the shard lock of the key (all shard locks for flushes and
// swaps) is held, so it must be quick and must not call into the keyspace.
// Changes of different shards may arrive concurrently from several threads.
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void OnChange(const Change& change) = 0;
  // Called by the operations that lock by themselves (Scan, DeletePrefix,
  // ActiveExpireCycle) just before they release a shard lock, after changes
  // made under it: whatever the listener buffered must be ordered now.
  virtual void OnUnlock() {}
};

namespace notify {
// The classes of `notify-keyspace-events`, one bit per letter.
enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K: publish on __keyspace@<db>__:<key>
  kNotifyKeyevent = 1u << 1,  // E: publish on __keyevent@<db>__:<event>
  kNotifyGeneric = 1u << 2,   // g: DEL, EXPIRE, RENAME, ...
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x: a key expired
  kNotifyEvicted = 1u << 9,   // e: a key evicted (maxmemory)
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m: a read found no key
  kNotifyModule = 1u << 12,   // d: module events (stashd has no modules)
  kNotifyNew = 1u << 13,      // n: a key was created
  // A: every type class, as in Redis 7.0 ("g$lshzxetd", not m or n).
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

}  // namespace notify

// Events the keyspace causes by itself, for keyspace notifications (the
// commands report their own).
enum class KeyEvent : uint8_t {
  kNew,            // a key was created (by any write, RENAME, COPY, MOVE, restore)
  kExpired,        // a key was deleted because its deadline passed (on access or by the sweep)
  kPrefixDeleted,  // DeletePrefix deleted a key
  kScopeTtl,       // a key got its scope's default TTL
  kEmptied,        // a collection emptied by a KeyWriter was deleted
  kMissed,         // a read (Find with Lookup::kRead) found no key
  kEvicted,        // a key was deleted to bring memory under maxmemory (Evict)
};

// A command's name for its write, as keyspace notifications publish it:
// the server's notification class bit and Redis's event name ("hset").
// The store only carries it from KeyWriter::Notify to the listener.
struct WriteEvent {
  uint32_t cls = 0;            // notify::NotifyClass bits
  const char* name = nullptr;  // a string literal
};

// Receives KeyEvents while the key's shard lock is held (like
// ChangeListener: be quick, do not call into the keyspace). Not called while
// loading a snapshot or replaying the log.
class KeyEventListener {
 public:
  virtual ~KeyEventListener() = default;
  virtual void OnKeyEvent(KeyEvent event, int db, std::string_view key) = 0;
  virtual void OnWriteEvent(const WriteEvent& event, int db, std::string_view key) = 0;
};

// Told of every key whose value may have changed, at the moment WATCH flags
// are touched (Redis's signalModifiedKey): any write, deletion, expiry (lazy
// or active), RENAME/MOVE/COPY on either key, DELPREFIX; and of flushes.
// Called with the key's shard lock held (all shard locks for a flush), on
// the thread that changed the key: be quick, do not call into the keyspace.
// Client-side caching (server/exec/tracking.h) is the listener.
class ModifiedKeyListener {
 public:
  virtual ~ModifiedKeyListener() = default;
  // `expired`: the key was deleted because its deadline passed (no client
  // caused it). The key may be in any database.
  virtual void OnKeyModified(int db, std::string_view key, bool expired) = 0;
  // FLUSHDB (`db`) or FLUSHALL (`db` < 0).
  virtual void OnFlush(int db) = 0;
};

// A live value pinned for a snapshot: the views stay valid until
// Keyspace::ReleaseCut(), however the key is changed or deleted meanwhile.
struct PinnedValue {
  int db;
  std::string_view key;
  ValueType type;
  std::string_view value;  // a string's bytes
  int64_t expire_at_ms;
  const Object* object = nullptr;  // a collection (held unchanged until ReleaseCut)
};

// What a snapshot must write to bring the previous one up to date: a
// point-in-time view of every key changed since the previous cut.
class Entry;

struct SnapshotCut {
  bool full = false;  // rewrite everything: upserts holds every key
  std::vector<PinnedValue> upserts;
  std::vector<std::pair<int, std::string>> deletes;  // (db, key) gone since the last cut
  // Pinned entries whose views are not built yet (TakeCut with
  // resolve=false); Keyspace::ResolveCut turns them into `upserts`.
  std::vector<std::pair<int, const Entry*>> unresolved;
  // For a full cut: `unresolved` is sorted runs, each in (db, key) order
  // (one per shard and database); run i ends at unresolved[run_ends[i]].
  // Empty: no order is known (an incremental cut lists changed entries as
  // they come).
  std::vector<size_t> run_ends;
  // Collections pinned by the cut: each holds a reference, so a writer
  // copies it before changing it (copy-on-write) until ReleaseCut.
  std::vector<Object*> pinned_objects;
  // The keyspace's hash seed, written into the snapshot's meta.
  HashSeed hash_seed;
};

class Keyspace;
class Shard;
struct DbShard;
struct AccessPolicyCell;

// Mutable access to one collection key, from Keyspace::Write() to Commit():
// the one path every write to a collection takes. Write() applies WRONGTYPE
// and copy-on-write; the caller changes object() through its type's API and
// reports each change with Record(); Commit() (also run by the destructor)
// applies the scope's default TTL to a new key, updates memory accounting,
// flags WATCHers, marks the key for the next snapshot, and deletes the key
// if the collection is left empty.
//
// REQUIRES: the key's shard locked for the writer's whole life, and no other
// keyspace call on the same key meanwhile.
class KeyWriter {
 public:
  enum class Status : uint8_t {
    kOk,         // object() is the key's value (possibly created empty)
    kMissing,    // the key does not exist and creation was not asked for
    kWrongType,  // the key holds a value of another type
  };

  KeyWriter(KeyWriter&& other) noexcept;
  KeyWriter& operator=(KeyWriter&&) = delete;
  KeyWriter(const KeyWriter&) = delete;
  KeyWriter& operator=(const KeyWriter&) = delete;
  ~KeyWriter() { Commit(); }

  Status status() const { return status_; }
  bool ok() const { return status_ == Status::kOk; }
  // True if the key did not exist: it exists once Commit() finds it non-empty.
  bool created() const { return created_; }
  Object* object() const { return object_; }
  template <typename T>
  T& As() const {
    return static_cast<T&>(*object_);
  }

  // False if the key's scope limits value sizes (max-value-size) and a
  // collection of `payload_bytes` would exceed it. Check before changing.
  bool Fits(size_t payload_bytes) const;

  // Reports one change made to object(): what the write log records and
  // what replay hands to Object::ApplyDelta. Call after the change.
  void Record(uint8_t op, std::span<const std::string_view> args);

  // Names the write for keyspace notifications. Commit reports it to the
  // KeyEventListener if the key was created or a change recorded: after the
  // key's kNew, before its kEmptied, as Redis orders "new", "hset", "del".
  // At most two per write, reported in call order (LMOVE of a list onto
  // itself: "lpush" then "rpop").
  void Notify(WriteEvent event) { events_[events_[0].name == nullptr ? 0 : 1] = event; }

  // Finishes the write (see above). Idempotent.
  void Commit();

 private:
  friend class Keyspace;
  KeyWriter() = default;

  Keyspace* keyspace_ = nullptr;
  Shard* shard_ = nullptr;
  DbShard* d_ = nullptr;
  int db_ = 0;
  std::string_view key_;
  uint64_t hash_ = 0;
  Entry* entry_ = nullptr;    // the live entry, or nullptr while created_
  Object* object_ = nullptr;  // owned by the writer while created_
  Status status_ = Status::kMissing;
  bool created_ = false;
  bool restore_ = false;   // replay: no scope policy
  bool recorded_ = false;  // Record() was called
  bool done_ = true;
  WriteEvent events_[2];
};

class Keyspace {
 public:
  struct Options {
    int databases = 16;
    int shard_bits = 4;               // 2^shard_bits shards, at most 64
    const Clock* clock = nullptr;     // required; must outlive the keyspace
    std::vector<ScopeConfig> scopes;  // prefixes must not be prefixes of one another
    // The key of the key hash. The server draws a random one for a new data
    // directory (and keeps the snapshot's otherwise); tests use a fixed one.
    HashSeed hash_seed = {};
  };

  explicit Keyspace(const Options& options);
  ~Keyspace();
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  int databases() const { return databases_; }
  size_t shard_count() const { return shards_.size(); }
  const Clock& clock() const { return *clock_; }

  // The keyed hash of a key (SipHash-1-3 under hash_seed()): it orders the
  // index and is the SCAN cursor. Clients cannot predict it, so they cannot
  // make keys collide or test for the existence of keys they cannot read.
  // The seed is kept in snapshots: cursors and shards survive restarts.
  uint64_t HashKey(std::string_view key) const { return SipHash13(seed_, key); }
  const HashSeed& hash_seed() const { return seed_; }
  // Replaces the seed. REQUIRES: the keyspace is empty (before loading a
  // snapshot written with that seed) and all shards locked.
  void SetHashSeed(const HashSeed& seed);
  size_t ShardOf(std::string_view key) const;
  uint64_t ShardMaskOf(std::string_view key) const { return uint64_t{1} << ShardOf(key); }
  uint64_t AllShardsMask() const;

  // Holds the mutexes of a set of shards; releases them on destruction.
  class Locks {
   public:
    Locks() = default;
    Locks(Locks&& other) noexcept;
    Locks& operator=(Locks&& other) noexcept;
    Locks(const Locks&) = delete;
    Locks& operator=(const Locks&) = delete;
    ~Locks();
    void Release();
    uint64_t mask() const { return mask_; }

   private:
    friend class Keyspace;
    Keyspace* keyspace_ = nullptr;
    uint64_t mask_ = 0;
  };

  // Locks every shard in `mask` in ascending order. The caller must hold no
  // shard lock already.
  Locks Lock(uint64_t mask);

  // How a lookup counts in INFO's keyspace_hits / keyspace_misses, and
  // whether it is an access (updates the key's access clock, as Redis's
  // lookupKey unless LOOKUP_NOTOUCH).
  enum class Lookup {
    kRead,         // a read: counts as a hit or miss (a miss is a KeyEvent::kMissed); an access
    kWrite,        // a lookup before a write: not counted; an access
    kReadNoTouch,  // TYPE, TTL, EXISTS: counted like kRead, not an access
    kInspect,      // OBJECT: counted, but neither an access nor a kMissed event
    kPeek,         // the server's own look (WATCH, EXEC, serving blocked clients): neither
  };

  // ---- Per-key operations. REQUIRE the shard of every key locked. ----

  // The live value, or nullopt if absent. An expired key is deleted here,
  // unless expiry is paused (PauseExpiry): then it only looks absent.
  std::optional<ValueView> Find(int db, std::string_view key, Lookup mode = Lookup::kWrite);

  // Sets the access clock of `key` as RESTORE's IDLETIME / FREQ ask: under
  // an LFU policy the counter is set to `freq` if given, otherwise the last
  // access is put `idle_seconds` back if given (the option the policy does
  // not track is ignored, as in Redis). Not an access itself. No-op if the
  // key is missing.
  void SetAccessInfo(int db, std::string_view key, std::optional<int64_t> idle_seconds,
                     std::optional<uint8_t> freq);

  // The scope `key` belongs to (index into Options::scopes), or -1.
  int ScopeOf(std::string_view key) const;
  const std::vector<ScopeConfig>& scopes() const { return scopes_; }

  // If the key's scope limits value sizes and `size` exceeds the limit,
  // returns the scope; else nullptr. Writers check this before writing.
  const ScopeConfig* ValueTooLarge(std::string_view key, size_t size) const;

  // Creates or overwrites a string. `expire_at_ms` is an absolute deadline,
  // kNoExpiry (drop any TTL) or kKeepTtl (keep the existing one). When the
  // write gives no deadline (kNoExpiry, or kKeepTtl on a new key) and the
  // key's scope has a default TTL, that TTL applies. `room`: bytes to
  // allocate past the value if a new entry is made (Entry::Make).
  void SetString(int db, std::string_view key, std::string_view value, int64_t expire_at_ms,
                 size_t room = 0);

  // Writes `patch` into the string at `key` from byte `offset` on, padding
  // with zero bytes if the string is shorter than `offset`. A missing key is
  // created (reported as kSet, with its scope's default TTL unless
  // `restore`); an existing one keeps its deadline and the change is reported
  // as kPatch. In place (no copy of the string) when no snapshot pins the
  // shard and the string does not grow, or grows within its malloc block; a
  // string that outgrows it gets an eighth more room, so that a run of
  // APPENDs copies it only now and then. The caller checks max-value-size
  // first.
  // REQUIRES: the key is missing or holds a string.
  void PatchString(int db, std::string_view key, uint64_t offset, std::string_view patch,
                   bool restore = false);

  // How Write() treats a missing key.
  enum class Missing { kCreate, kFail };
  // Opens `key` for writing as a collection of `type` (see KeyWriter). A
  // missing key is created empty with kCreate (inserted at Commit, with its
  // scope's default TTL). `restore`: replaying a log, so no scope policy
  // applies (the log says which deadline the key had).
  KeyWriter Write(int db, std::string_view key, ValueType type, Missing missing,
                  bool restore = false);

  // Stores `object` (taking a reference) at `key` with `expire_at_ms`
  // exactly, replacing any value: a restore from a snapshot or a log, or
  // the destination of a copy. No scope policy applies.
  void RestoreObject(int db, std::string_view key, Object* object, int64_t expire_at_ms);

  // Stores a collection computed whole (the result of SINTERSTORE,
  // ZUNIONSTORE, GEOSEARCHSTORE, SORT ... STORE) at `key`, replacing any
  // value and its TTL; the key's scope applies as to any new value: its
  // max-value-size refuses a result too large (nullptr returned only on
  // success, else the refusing scope, nothing changed) and its default TTL
  // is given. An empty `object` deletes the key instead. Takes a reference.
  const ScopeConfig* StoreObject(int db, std::string_view key, Object* object);

  // Stores a value arriving whole from outside (RESTORE): a string's bytes
  // when `object` is null, else `object` (taking a reference), with deadline
  // `expire_at_ms`, or the scope's default TTL if that is kNoExpiry.
  // Replaces any value; a replaced key is reported kNew as well, since Redis
  // deletes it and then adds the new one. The scope's max-value-size applies:
  // returns the refusing scope (nothing changed), else nullptr.
  const ScopeConfig* StoreArrival(int db, std::string_view key, std::string_view str,
                                  Object* object, int64_t expire_at_ms);

  // Payload size of the key's value (string bytes, or the collection's
  // PayloadBytes()), or 0 if it is missing: what max-value-size limits.
  size_t PayloadSize(int db, std::string_view key);

  // Bytes the key and its value take in memory (its entry as malloc sizes
  // it, a collection's object, its index slots), or nullopt if missing.
  // Not counted as a keyspace hit or miss (MEMORY USAGE).
  std::optional<size_t> MemoryUsage(int db, std::string_view key);

  // Deletes the key; false if it did not exist (or had expired). With
  // `lazy` (UNLINK) a value whose FreeEffort() passes kLazyFreeThreshold
  // leaves the keyspace at once and is freed by the background thread.
  bool Delete(int db, std::string_view key, bool lazy = false);

  // Sets an absolute deadline. A deadline not after now deletes the key.
  // False if the key does not exist.
  bool SetExpire(int db, std::string_view key, int64_t expire_at_ms);

  // Removes the deadline; false if the key does not exist or had none.
  bool Persist(int db, std::string_view key);

  // Scope policy for RENAME and COPY: a value that arrives in a scope obeys
  // it as a new write would. If `to`'s scope limits sizes below the value's
  // PayloadSize, the operation does nothing, returns false and sets
  // *refused to the scope. If the value has no deadline and `to`'s scope has
  // a default TTL, that TTL applies. (MOVE keeps the key, and so its scope.)

  // Moves `from` to `to` in the same database, keeping its deadline and
  // replacing `to`. False if `from` does not exist, or the scope refuses
  // it (see above). The value is not copied. REQUIRES both shards.
  bool Rename(int db, std::string_view from, std::string_view to,
              const ScopeConfig** refused = nullptr);

  // Copies a value (and its deadline) to another key, possibly in another
  // database. Returns false, doing nothing, if `src` is missing or if `dst`
  // exists and !replace, if src and dst are the same key of the same
  // database (the caller is expected to reject that), or if the scope
  // refuses it (see above). REQUIRES both shards.
  bool Copy(int src_db, std::string_view src, int dst_db, std::string_view dst, bool replace,
            const ScopeConfig** refused = nullptr);

  // Moves a key to another database; false if it is missing in `src_db` or
  // already exists in `dst_db`. The value is not copied.
  bool Move(int src_db, int dst_db, std::string_view key);

  // Registers / removes a watch: any later change to the key sets flag->dirty.
  // Watch first deletes the key if it has already expired (without flagging
  // `flag`). The keyspace holds the flag weakly. A key that expires after
  // WATCH flags its watchers only when it is deleted: EXEC should Find() its
  // watched keys first, as Redis does, to catch a deadline passed meanwhile.
  void Watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag);
  void Unwatch(int db, std::string_view key, const WatchFlag* flag);
  // The live watchers of a key, in the order they started watching.
  std::vector<std::shared_ptr<WatchFlag>> Watchers(int db, std::string_view key);

  // ---- Whole-database operations. REQUIRE all shards locked. ----

  uint64_t DbSize(int db);
  // Delete every key of `db` / of every database. With `async` (FLUSHDB
  // ASYNC) the indexes are unlinked in O(shards) and the entries freed by a
  // background thread; a shard pinned by a snapshot cut keeps them until
  // ReleaseCut() instead. Either way the keyspace and Stats() are empty at
  // once; only the memory comes back later.
  void FlushDb(int db, bool async = false);
  void FlushAll(bool async = false);
  void SwapDb(int a, int b);
  // A key chosen at random (live keys only), or nullopt if the db is empty.
  std::optional<std::string> RandomKey(int db);
  // Calls fn for every live key of `db`, in no particular order.
  void ForEachKey(int db, absl::FunctionRef<void(std::string_view key, const ValueView&)> fn);
  // Calls fn for every live key of `db` starting with `prefix`, through the
  // key-ordered index: O(log n + matches) per shard.
  void ForEachKeyWithPrefix(int db, std::string_view prefix,
                            absl::FunctionRef<void(std::string_view key, const ValueView&)> fn);

  // ---- Operations that lock by themselves. REQUIRE no shard lock held. ----

  // Visits keys of `db` from `cursor` on, in hash order, until about `count`
  // keys have been visited (keys sharing a hash are never split), calling
  // `visit` for each live one. Returns the cursor to continue from; 0 when the
  // iteration is complete. `visit` runs under the shard lock and must not
  // call into the keyspace. Expired keys met on the way are deleted.
  uint64_t Scan(int db, uint64_t cursor, size_t count,
                absl::FunctionRef<void(std::string_view key, const ValueView&)> visit);

  // SCAN with a literal-prefix MATCH: the same cursor space and guarantee as
  // Scan(), but visiting only keys that start with `prefix`, found through the
  // key-ordered index in O(log n + matches) per shard. A shard whose matches
  // are few is returned whole in one call; one with very many falls back to
  // Scan() over that stretch (with a larger count), so one call never walks
  // far without returning.
  //
  // `keep` says which keys the caller may see (an ACL key filter): the others
  // are walked (they count towards the walking bound) but never visited nor
  // counted, and where a call stops depends only on kept keys — so the
  // cursor tells nothing about keys the caller may not see beyond "more than
  // a walk's worth share this prefix in one shard".
  uint64_t ScanPrefix(int db, uint64_t cursor, std::string_view prefix, size_t count,
                      absl::FunctionRef<bool(std::string_view key)> keep,
                      absl::FunctionRef<void(std::string_view key, const ValueView&)> visit);

  // Deletes every key of `db` starting with `prefix` (glob characters are
  // literal), shard by shard, in batches of at most `batch` keys per lock
  // hold, so other clients wait at most one batch. Atomic per batch, not as a
  // whole: a key created under the prefix while it runs may survive. Returns
  // how many keys were deleted.
  uint64_t DeletePrefix(int db, std::string_view prefix, size_t batch = 1024);
  // The same, calling `between_batches` after each batch, with no shard lock
  // held (the dispatcher lets a waiting EXEC or snapshot cut in there).
  uint64_t DeletePrefix(int db, std::string_view prefix, size_t batch,
                        absl::FunctionRef<void()> between_batches);

  // Deletes keys whose deadline has passed, at most `budget` of them, across
  // all databases and shards. Returns how many were deleted.
  size_t ActiveExpireCycle(size_t budget);

  // Deletes one key chosen by `policy` (never kNoEviction) to free memory:
  // allkeys-random any key, volatile-random a key with a deadline, both from
  // a random place of a database taken in turn; volatile-ttl the key with the
  // nearest deadline of all databases; the LRU and LFU policies the best of
  // `samples` keys (any key, or keys with a deadline) taken at random places
  // of a database taken in turn: the longest idle, or the lowest access
  // counter (Redis's approximation by sampling, maxmemory-samples). The
  // key's watchers and trackers are told, KeyEvent::kEvicted reported and
  // the deletion logged. An expired key met on the way is expired instead.
  // Returns the bytes the deleted key took (MemoryUsage), or 0 if there was
  // nothing to evict.
  size_t Evict(EvictionPolicy policy, int samples = 5);

  // How accesses update the keys' access clocks (the maxmemory policy's
  // family and the LFU tunables). Takes effect for the accesses that follow;
  // clocks already set keep their meaning until the keys are accessed.
  // Needs no lock.
  void SetAccessPolicy(const AccessPolicy& policy);
  AccessPolicy access_policy() const;

  // While clients are paused (CLIENT PAUSE), keys do not expire: until
  // `until_ms` (keyspace clock; 0 ends it now) a lookup of a key past its
  // deadline finds it absent but leaves it in place, and
  // ActiveExpireCycle deletes nothing (Redis 7.0 keeps the dataset static
  // during a pause). Needs no lock.
  void PauseExpiry(int64_t until_ms);
  bool ExpiryPaused(int64_t now_ms) const;

  // Per database: how many keys, and how many with a deadline, and the bytes
  // of the indexes that hold them (MEMORY STATS's hashtable overheads).
  struct DbOverhead {
    uint64_t keys = 0;
    uint64_t expires = 0;
    uint64_t main_bytes = 0;     // the key index and the key-ordered index
    uint64_t expires_bytes = 0;  // the expiry index
  };
  std::vector<DbOverhead> Overheads();

  KeyspaceStats Stats();

  // Entries an async flush detached and the background thread has not freed
  // yet (INFO's lazyfree_pending_objects). Needs no lock.
  uint64_t LazyFreePending() const;
  // Entries freed by the background thread since start or ResetLazyFreed()
  // (INFO's lazyfreed_objects). Need no lock.
  uint64_t LazyFreed() const;
  void ResetLazyFreed();
  // Waits until the entries detached so far are freed. Needs no lock.
  void WaitLazyFree();

  // ---- Persistence support ----

  // Sets (or clears, with nullptr) the listener told of every change. The
  // listener must outlive the keyspace or be cleared first. REQUIRES all
  // shards locked.
  void SetChangeListener(ChangeListener* listener);
  // Sets (or clears) the listener told of KeyEvents. Safe while commands
  // run; set it after loading, so that recovery reports nothing.
  void SetKeyEventListener(KeyEventListener* listener);
  // Sets (or clears, with nullptr) the ModifiedKeyListener. Safe while
  // commands run; while it is null a write pays one atomic load for it.
  void SetModifiedKeyListener(ModifiedKeyListener* listener);

  // Takes the changes since the previous cut (everything if `full`, after a
  // flush or swap, or before the first cut) and pins their values. Until
  // ReleaseCut(), entries replaced or deleted are kept alive instead of freed.
  // A cut is point in time when no command runs meanwhile (the caller holds
  // the dispatcher's exec lock exclusively). REQUIRES all shards locked.
  // With `resolve` false, only the entry pointers are gathered (no entry is
  // read under the locks, which keeps the pause short for a full cut); call
  // ResolveCut() after releasing the locks. `prepared`: from PrepareCut().
  // A full cut lists each shard's entries of each database in key order
  // (see SnapshotCut::run_ends), so the writer merges instead of sorting.
  SnapshotCut TakeCut(bool full, bool resolve = true, SnapshotCut prepared = SnapshotCut());

  // A cut whose pointer list already has room for the next TakeCut(full),
  // its pages touched: allocating and faulting in 16 bytes a key (16 MB for
  // 1M keys) is most of a full cut's pause otherwise. Locks one shard at a
  // time: REQUIRES no shard lock held. The room is a guess (writes go on);
  // TakeCut grows the list if it falls short.
  SnapshotCut PrepareCut(bool full);

  // Builds `upserts` from a cut's pinned entries. Needs no lock: pinned
  // entries are neither changed nor freed until ReleaseCut().
  static void ResolveCut(SnapshotCut& cut);
  // The view of one pinned entry of `cut.unresolved`, for a writer that
  // resolves entries as it goes instead of building every view at once.
  // Needs no lock (as ResolveCut).
  static PinnedValue Resolve(int db, const Entry* e);

  // Unpins the cut's values and frees what was kept alive for it. If the
  // snapshot failed (`written` false), the next cut is a full one. Locks
  // shards itself: REQUIRES no shard lock held.
  void ReleaseCut(SnapshotCut& cut, bool written);

  // Forgets changes made so far and starts tracking changed keys for an
  // incremental next cut: call it after loading a snapshot file, when memory
  // equals the file (without a file, the first cut must be full: don't call
  // it). Until then, and whenever a full cut is pending, changed keys are
  // not tracked. REQUIRES all shards locked.
  void ResetChangeTracking();

  // Number of key changes not yet taken by a cut (rdb_changes_since_last_save).
  // Locks shards itself: REQUIRES no shard lock held.
  uint64_t ChangesSinceCut();

 private:
  friend class Locks;
  friend class KeyWriter;
  // Deadline for a value arriving at `key` with `expire_at_ms`: the scope's
  // default TTL if it has none.
  // `by_scope`, if given, is set when the scope's default TTL was applied.
  int64_t ArrivalDeadline(std::string_view key, int64_t expire_at_ms,
                          bool* by_scope = nullptr) const;
  Shard& ShardFor(std::string_view key);
  size_t ShardOfHash(uint64_t hash) const;
  // Empties `db` in every shard without telling the listener; `async`:
  // detaches its indexes and queues them on freer_.
  void FlushShards(int db, bool async);
  // Eviction (see Evict). EvictEntry REQUIRES the shard's lock; the others
  // lock by themselves.
  size_t EvictEntry(Shard& shard, DbShard& d, Entry* victim);
  size_t EvictSampled(EvictionPolicy policy, int samples);
  // The next database, in turn, holding keys (with a deadline if
  // `volatile_only`), or -1 if none does.
  int NextEvictionDb(bool volatile_only);
  uint64_t EvictionRandom();

  int databases_;
  int shard_bits_;
  HashSeed seed_;
  const Clock* clock_;
  std::vector<ScopeConfig> scopes_;
  ChangeListener* listener_ = nullptr;  // set under all shard locks
  std::atomic<KeyEventListener*> key_events_{nullptr};
  std::atomic<ModifiedKeyListener*> modified_keys_{nullptr};
  std::atomic<bool> full_cut_needed_{true};
  std::vector<std::unique_ptr<Shard>> shards_;
  // After shards_: destroyed first, freeing what it still holds.
  std::unique_ptr<LazyFreer> freer_;
  uint64_t random_state_ = 0;                    // RandomKey; guarded by all shard locks
  std::atomic<uint64_t> evict_state_{0};         // Evict's random numbers
  std::atomic<size_t> evict_db_{0};              // the database Evict looks in first
  std::atomic<size_t> expire_cursor_{0};         // where ActiveExpireCycle resumes
  std::atomic<int64_t> expiry_paused_until_{0};  // PauseExpiry
  // SetAccessPolicy; read by every access (see AccessPolicyCell).
  std::unique_ptr<AccessPolicyCell> access_;
};

}  // namespace stashd::store
