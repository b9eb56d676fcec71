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
// Values are compact heap blobs (see entry.h); a write to a string replaces
// the blob rather than mutating it, so a reader holding an old blob (a
// snapshot, later) is never disturbed.
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
#include <string>
#include <string_view>
#include <vector>

#include "store/clock.h"

namespace stashd::store {

enum class ValueType : uint8_t { kString = 0 };

// Name as TYPE reports it ("string").
std::string_view TypeName(ValueType t);

inline constexpr int64_t kNoExpiry = -1;  // the key has no deadline
inline constexpr int64_t kKeepTtl = -2;   // SetString: keep the current deadline

// A read-only view of a live value. Valid while the caller holds the shard
// lock and does not write to that key.
struct ValueView {
  ValueType type = ValueType::kString;
  std::string_view str;  // the string's bytes when type == kString
  int64_t expire_at_ms = kNoExpiry;
};

// Set by the keyspace when a watched key is modified, deleted or expires
// (WATCH/EXEC). Shared between a client and the shards it watches.
struct WatchFlag {
  std::atomic<bool> dirty{false};
};

struct DbStats {
  uint64_t keys = 0;
  uint64_t expires = 0;  // keys with a deadline
};

struct KeyspaceStats {
  std::vector<DbStats> dbs;
  uint64_t expired_keys = 0;  // deleted because their deadline passed
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t changes = 0;  // total number of key modifications since start
};

class Shard;

class Keyspace {
 public:
  struct Options {
    int databases = 16;
    int shard_bits = 4;            // 2^shard_bits shards, at most 64
    const Clock* clock = nullptr;  // required; must outlive the keyspace
  };

  explicit Keyspace(const Options& options);
  ~Keyspace();
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  int databases() const { return databases_; }
  size_t shard_count() const { return shards_.size(); }
  const Clock& clock() const { return *clock_; }

  // Stable across processes and versions: SCAN cursors survive restarts.
  static uint64_t HashKey(std::string_view key);
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

  // How a lookup counts in INFO's keyspace_hits / keyspace_misses.
  enum class Lookup { kRead, kWrite };

  // ---- Per-key operations. REQUIRE the shard of every key locked. ----

  // The live value, or nullopt if absent. An expired key is deleted here.
  std::optional<ValueView> Find(int db, std::string_view key, Lookup mode = Lookup::kWrite);

  // Creates or overwrites a string. `expire_at_ms` is an absolute deadline,
  // kNoExpiry (drop any TTL) or kKeepTtl (keep the existing one).
  void SetString(int db, std::string_view key, std::string_view value, int64_t expire_at_ms);

  // Deletes the key; false if it did not exist (or had expired).
  bool Delete(int db, std::string_view key);

  // Sets an absolute deadline. A deadline not after now deletes the key.
  // False if the key does not exist.
  bool SetExpire(int db, std::string_view key, int64_t expire_at_ms);

  // Removes the deadline; false if the key does not exist or had none.
  bool Persist(int db, std::string_view key);

  // Moves `from` to `to` in the same database, keeping its deadline and
  // replacing `to`. False if `from` does not exist. REQUIRES both shards.
  bool Rename(int db, std::string_view from, std::string_view to);

  // Copies a value (and its deadline) to another key, possibly in another
  // database. Returns false, doing nothing, if `src` is missing or if `dst`
  // exists and !replace, or if src and dst are the same key of the same
  // database (the caller is expected to reject that). REQUIRES both shards.
  bool Copy(int src_db, std::string_view src, int dst_db, std::string_view dst, bool replace);

  // Moves a key to another database; false if it is missing in `src_db` or
  // already exists in `dst_db`.
  bool Move(int src_db, int dst_db, std::string_view key);

  // Registers / removes a watch: any later change to the key sets flag->dirty.
  // Watch first deletes the key if it has already expired (without flagging
  // `flag`). The keyspace holds the flag weakly. A key that expires after
  // WATCH flags its watchers only when it is deleted: EXEC should Find() its
  // watched keys first, as Redis does, to catch a deadline passed meanwhile.
  void Watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag);
  void Unwatch(int db, std::string_view key, const WatchFlag* flag);

  // ---- Whole-database operations. REQUIRE all shards locked. ----

  uint64_t DbSize(int db);
  void FlushDb(int db);
  void FlushAll();
  void SwapDb(int a, int b);
  // A key chosen at random (live keys only), or nullopt if the db is empty.
  std::optional<std::string> RandomKey(int db);
  // Calls fn for every live key of `db`, in no particular order.
  void ForEachKey(int db, absl::FunctionRef<void(std::string_view key, const ValueView&)> fn);

  // ---- Operations that lock by themselves. REQUIRE no shard lock held. ----

  // Visits keys of `db` from `cursor` on, in hash order, until about `count`
  // keys have been visited (keys sharing a hash are never split), calling
  // `visit` for each live one. Returns the cursor to continue from; 0 when the
  // iteration is complete. `visit` runs under the shard lock and must not
  // call into the keyspace. Expired keys met on the way are deleted.
  uint64_t Scan(int db, uint64_t cursor, size_t count,
                absl::FunctionRef<void(std::string_view key, const ValueView&)> visit);

  // Deletes keys whose deadline has passed, at most `budget` of them, across
  // all databases and shards. Returns how many were deleted.
  size_t ActiveExpireCycle(size_t budget);

  KeyspaceStats Stats();

 private:
  friend class Locks;
  Shard& ShardFor(std::string_view key);
  size_t ShardOfHash(uint64_t hash) const;

  int databases_;
  int shard_bits_;
  const Clock* clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
  uint64_t random_state_ = 0;             // RandomKey; guarded by all shard locks
  std::atomic<size_t> expire_cursor_{0};  // where ActiveExpireCycle resumes
};

}  // namespace stashd::store
