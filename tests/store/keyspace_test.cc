#include "store/keyspace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/clock.h"
#include "store/types/hash.h"

namespace stashd::store {
namespace {

using namespace std::string_view_literals;
using ::testing::UnorderedElementsAre;
using Lookup = Keyspace::Lookup;

constexpr int64_t kMissing = -3;  // TtlOf() of a missing key

class KeyspaceTest : public ::testing::Test {
 protected:
  int64_t Now() const { return clock_.NowMs(); }

  Keyspace::Locks LockAll() { return ks_.Lock(ks_.AllShardsMask()); }
  Keyspace::Locks LockKeys(std::initializer_list<std::string_view> keys) {
    uint64_t mask = 0;
    for (std::string_view k : keys) mask |= ks_.ShardMaskOf(k);
    return ks_.Lock(mask);
  }

  void Set(std::string_view key, std::string_view value, int64_t expire_at_ms = kNoExpiry,
           int db = 0) {
    auto locks = LockKeys({key});
    ks_.SetString(db, key, value, expire_at_ms);
  }
  std::optional<std::string> Get(std::string_view key, int db = 0) {
    auto locks = LockKeys({key});
    auto v = ks_.Find(db, key, Lookup::kRead);
    if (!v) return std::nullopt;
    return std::string(v->str);
  }
  // The key's deadline, kNoExpiry, or kMissing.
  int64_t TtlOf(std::string_view key, int db = 0) {
    auto locks = LockKeys({key});
    auto v = ks_.Find(db, key);
    return v ? v->expire_at_ms : kMissing;
  }
  uint64_t DbSize(int db = 0) {
    auto locks = LockAll();
    return ks_.DbSize(db);
  }
  // Two keys that live in different shards.
  std::pair<std::string, std::string> KeysInTwoShards() {
    std::string a = "alpha";
    for (int i = 0;; ++i) {
      std::string b = "beta" + std::to_string(i);
      if (ks_.ShardOf(a) != ks_.ShardOf(b)) return {a, b};
    }
  }
  std::vector<std::string> ScanAll(int db, size_t count) {
    std::vector<std::string> keys;
    uint64_t cursor = 0;
    do {
      cursor = ks_.Scan(db, cursor, count,
                        [&](std::string_view k, const ValueView&) { keys.emplace_back(k); });
    } while (cursor != 0);
    return keys;
  }

  FakeClock clock_;
  Keyspace ks_{Keyspace::Options{.databases = 16, .shard_bits = 4, .clock = &clock_, .scopes = {}}};
};

// ---- Basics ----

TEST_F(KeyspaceTest, SetGetOverwriteDelete) {
  EXPECT_EQ(Get("k"), std::nullopt);
  Set("k", "v1");
  EXPECT_EQ(Get("k"), "v1");
  Set("k", "v2");
  EXPECT_EQ(Get("k"), "v2");
  EXPECT_EQ(DbSize(), 1u);
  {
    auto locks = LockKeys({"k"});
    EXPECT_TRUE(ks_.Delete(0, "k"));
    EXPECT_FALSE(ks_.Delete(0, "k"));
  }
  EXPECT_EQ(Get("k"), std::nullopt);
  EXPECT_EQ(DbSize(), 0u);
}

TEST_F(KeyspaceTest, DatabasesAreSeparate) {
  Set("k", "zero", kNoExpiry, 0);
  Set("k", "one", kNoExpiry, 1);
  EXPECT_EQ(Get("k", 0), "zero");
  EXPECT_EQ(Get("k", 1), "one");
  EXPECT_EQ(Get("k", 2), std::nullopt);
}

TEST_F(KeyspaceTest, BinaryKeysAndValues) {
  Set("a\0b"sv, "x\0y"sv);
  Set("a\0c"sv, "2");
  Set("a", "3");
  Set("", "empty key");
  EXPECT_EQ(Get("a\0b"sv), "x\0y"sv);
  EXPECT_EQ(Get("a\0c"sv), "2");
  EXPECT_EQ(Get("a"), "3");
  EXPECT_EQ(Get(""), "empty key");
  EXPECT_EQ(Get("a\0"sv), std::nullopt);
  EXPECT_EQ(DbSize(), 4u);
}

TEST_F(KeyspaceTest, LargeValue) {
  const std::string big(1 << 20, 'x');
  Set("big", big);
  EXPECT_EQ(Get("big"), big);
}

TEST_F(KeyspaceTest, TypeName) { EXPECT_EQ(TypeName(ValueType::kString), "string"); }

TEST_F(KeyspaceTest, ValueViewReportsTypeAndDeadline) {
  Set("k", "v", Now() + 5000);
  auto locks = LockKeys({"k"});
  auto v = ks_.Find(0, "k");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, ValueType::kString);
  EXPECT_EQ(v->str, "v");
  EXPECT_EQ(v->expire_at_ms, Now() + 5000);
}

// ---- Hashing and shards ----

TEST_F(KeyspaceTest, HashIsKeyedAndStableUnderItsSeed) {
  // SCAN cursors outlive processes: under one seed (kept in the snapshot)
  // these values never change; under another seed every hash differs, so a
  // client cannot compute them.
  EXPECT_EQ(ks_.hash_seed(), HashSeed{});
  EXPECT_EQ(ks_.HashKey(""), SipHash13({}, ""));
  const HashSeed seed{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  EXPECT_EQ(SipHash13(seed, ""), SipHash13(seed, ""));
  EXPECT_NE(ks_.HashKey("a"), ks_.HashKey("a\0"sv));
  Keyspace::Options o;
  o.clock = &clock_;
  o.hash_seed = seed;
  Keyspace other(o);
  int equal = 0;
  for (std::string_view k : {"", "foo", "user:bot1:u123456:age", "a", "k42"}) {
    EXPECT_EQ(other.HashKey(k), SipHash13(seed, k));
    equal += other.HashKey(k) == ks_.HashKey(k) ? 1 : 0;
  }
  EXPECT_EQ(equal, 0);
  // Every bit of the seed matters.
  for (int bit = 0; bit < 128; ++bit) {
    HashSeed s = seed;
    (bit < 64 ? s.k0 : s.k1) ^= uint64_t{1} << (bit % 64);
    EXPECT_NE(SipHash13(s, "user:bot2:u1:age"), SipHash13(seed, "user:bot2:u1:age")) << bit;
  }
}

TEST_F(KeyspaceTest, ShardIsTopBitsOfHash) {
  EXPECT_EQ(ks_.shard_count(), 16u);
  EXPECT_EQ(ks_.AllShardsMask(), 0xffffu);
  std::set<size_t> used;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key:" + std::to_string(i);
    EXPECT_EQ(ks_.ShardOf(key), ks_.HashKey(key) >> 60);
    EXPECT_EQ(ks_.ShardMaskOf(key), uint64_t{1} << ks_.ShardOf(key));
    used.insert(ks_.ShardOf(key));
  }
  EXPECT_EQ(used.size(), 16u);
}

TEST_F(KeyspaceTest, HashSpreadsEvenly) {
  // 64k similar keys over 256 buckets of the top byte: every bucket is near
  // its mean of 256 (a bad mix leaves some empty and others doubled).
  std::vector<int> buckets(256);
  for (int i = 0; i < 65536; ++i) ++buckets[ks_.HashKey("k" + std::to_string(i)) >> 56];
  for (int n : buckets) {
    EXPECT_GT(n, 256 - 80);
    EXPECT_LT(n, 256 + 80);
  }
}

TEST_F(KeyspaceTest, LocksMoveAndRelease) {
  Keyspace::Locks a = ks_.Lock(0b101);
  EXPECT_EQ(a.mask(), 0b101u);
  Keyspace::Locks b = std::move(a);
  EXPECT_EQ(a.mask(), 0u);  // NOLINT: a moved-from Locks is empty, by contract
  EXPECT_EQ(b.mask(), 0b101u);
  Keyspace::Locks c;
  c = std::move(b);
  EXPECT_EQ(c.mask(), 0b101u);
  c.Release();
  EXPECT_EQ(c.mask(), 0u);
  // Everything was released: locking all shards again does not deadlock.
  Keyspace::Locks all = LockAll();
  EXPECT_EQ(all.mask(), 0xffffu);
}

// ---- Expiry ----

TEST_F(KeyspaceTest, LazyExpiry) {
  Set("k", "v", Now() + 100);
  clock_.Advance(100);
  EXPECT_EQ(Get("k"), "v");  // alive at its deadline, as in Redis
  clock_.Advance(1);
  EXPECT_EQ(DbSize(), 1u);  // not reaped until touched
  EXPECT_EQ(Get("k"), std::nullopt);
  EXPECT_EQ(DbSize(), 0u);
  KeyspaceStats stats = ks_.Stats();
  EXPECT_EQ(stats.expired_keys, 1u);
  EXPECT_EQ(stats.dbs[0].expires, 0u);
}

TEST_F(KeyspaceTest, ExpiredKeyIsAbsentForEveryOperation) {
  Set("k", "v", Now() + 10);
  clock_.Advance(11);
  auto locks = LockAll();
  EXPECT_FALSE(ks_.Delete(0, "k"));
  EXPECT_FALSE(ks_.SetExpire(0, "k", Now() + 1000));
  EXPECT_FALSE(ks_.Persist(0, "k"));
  EXPECT_FALSE(ks_.Rename(0, "k", "k2"));
  EXPECT_FALSE(ks_.Copy(0, "k", 0, "k2", true));
  EXPECT_FALSE(ks_.Move(0, 1, "k"));
  EXPECT_EQ(ks_.RandomKey(0), std::nullopt);
  ks_.SetString(0, "k", "new", kKeepTtl);  // the expired TTL is not kept
  EXPECT_EQ(ks_.Find(0, "k")->expire_at_ms, kNoExpiry);
}

TEST_F(KeyspaceTest, ActiveExpiry) {
  for (int i = 0; i < 150; ++i) {
    Set("t" + std::to_string(i), "v", Now() + 10 + i, 0);
    Set("t" + std::to_string(i), "v", Now() + 10 + i, 3);
    Set("p" + std::to_string(i), "v", kNoExpiry, 0);
  }
  EXPECT_EQ(ks_.ActiveExpireCycle(1000), 0u);  // nothing due yet
  clock_.Advance(10 + 150);
  EXPECT_EQ(ks_.ActiveExpireCycle(50), 50u);
  EXPECT_EQ(ks_.ActiveExpireCycle(1000), 250u);
  EXPECT_EQ(ks_.ActiveExpireCycle(1000), 0u);
  KeyspaceStats stats = ks_.Stats();
  EXPECT_EQ(stats.expired_keys, 300u);
  EXPECT_EQ(stats.dbs[0].keys, 150u);
  EXPECT_EQ(stats.dbs[0].expires, 0u);
  EXPECT_EQ(stats.dbs[3].keys, 0u);
  EXPECT_EQ(ks_.ActiveExpireCycle(0), 0u);
}

TEST_F(KeyspaceTest, ActiveExpiryOnlyTakesDueKeys) {
  Set("soon", "v", Now() + 10);
  Set("later", "v", Now() + 1000);
  clock_.Advance(500);
  EXPECT_EQ(ks_.ActiveExpireCycle(100), 1u);
  EXPECT_EQ(Get("later"), "v");
}

TEST_F(KeyspaceTest, ActiveExpiryVisitsShardsRoundRobin) {
  // 20 expired keys in each shard; budget 5 per cycle. After 16 cycles every
  // shard has given up exactly 5: none is starved by the one before it.
  std::map<size_t, int> per_shard;
  for (int i = 0; per_shard.size() < 16 || std::any_of(per_shard.begin(), per_shard.end(),
                                                       [](auto& p) { return p.second < 20; });
       ++i) {
    const std::string key = "x" + std::to_string(i);
    int& n = per_shard[ks_.ShardOf(key)];
    if (n == 20) continue;
    ++n;
    Set(key, "v", Now() + 1);
  }
  const int64_t before = Now();
  clock_.Advance(2);
  for (int cycle = 0; cycle < 16; ++cycle) EXPECT_EQ(ks_.ActiveExpireCycle(5), 5u);
  // Turn the clock back so that the survivors are visible, and count them.
  clock_.Set(before);
  std::map<size_t, int> left;
  auto locks = LockAll();
  ks_.ForEachKey(0, [&](std::string_view k, const ValueView&) { ++left[ks_.ShardOf(k)]; });
  for (size_t s = 0; s < 16; ++s) EXPECT_EQ(left[s], 15) << "shard " << s;
}

TEST_F(KeyspaceTest, KeepTtl) {
  Set("k", "v1", Now() + 1000);
  Set("k", "v2", kKeepTtl);
  EXPECT_EQ(Get("k"), "v2");
  EXPECT_EQ(TtlOf("k"), Now() + 1000);
  Set("k", "v3", kNoExpiry);
  EXPECT_EQ(TtlOf("k"), kNoExpiry);
  Set("fresh", "v", kKeepTtl);
  EXPECT_EQ(TtlOf("fresh"), kNoExpiry);
  EXPECT_EQ(ks_.Stats().dbs[0].expires, 0u);
}

TEST_F(KeyspaceTest, SetExpireAndPersist) {
  Set("k", "v");
  auto locks = LockAll();
  EXPECT_TRUE(ks_.SetExpire(0, "k", Now() + 500));
  EXPECT_EQ(ks_.Find(0, "k")->expire_at_ms, Now() + 500);
  EXPECT_TRUE(ks_.SetExpire(0, "k", Now() + 700));  // moved in the expiry index
  EXPECT_EQ(ks_.Find(0, "k")->expire_at_ms, Now() + 700);
  EXPECT_TRUE(ks_.Persist(0, "k"));
  EXPECT_FALSE(ks_.Persist(0, "k"));  // no TTL any more
  EXPECT_EQ(ks_.Find(0, "k")->expire_at_ms, kNoExpiry);
  EXPECT_EQ(ks_.Find(0, "k")->str, "v");
  EXPECT_FALSE(ks_.SetExpire(0, "missing", Now() + 500));
  EXPECT_FALSE(ks_.Persist(0, "missing"));
  locks.Release();
  EXPECT_EQ(ks_.Stats().dbs[0].expires, 0u);
}

TEST_F(KeyspaceTest, SetExpireNotAfterNowDeletes) {
  Set("past", "v");
  Set("now", "v");
  auto locks = LockAll();
  EXPECT_TRUE(ks_.SetExpire(0, "past", Now() - 1));
  EXPECT_TRUE(ks_.SetExpire(0, "now", Now()));
  EXPECT_EQ(ks_.Find(0, "past"), std::nullopt);
  EXPECT_EQ(ks_.Find(0, "now"), std::nullopt);
  EXPECT_EQ(ks_.DbSize(0), 0u);
  locks.Release();
  EXPECT_EQ(ks_.Stats().expired_keys, 0u);  // deleted, not expired
}

// ---- Rename, Copy, Move ----

TEST_F(KeyspaceTest, RenameAcrossShardsKeepsTtl) {
  auto [from, to] = KeysInTwoShards();
  Set(from, "v", Now() + 1000);
  auto locks = LockKeys({from, to});
  EXPECT_TRUE(ks_.Rename(0, from, to));
  EXPECT_EQ(ks_.Find(0, from), std::nullopt);
  auto v = ks_.Find(0, to);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str, "v");
  EXPECT_EQ(v->expire_at_ms, Now() + 1000);
  locks.Release();
  KeyspaceStats stats = ks_.Stats();
  EXPECT_EQ(stats.dbs[0].keys, 1u);
  EXPECT_EQ(stats.dbs[0].expires, 1u);
  // The TTL still works at the new name.
  clock_.Advance(1001);
  EXPECT_EQ(ks_.ActiveExpireCycle(10), 1u);
}

TEST_F(KeyspaceTest, RenameReplacesDestinationAndItsTtl) {
  Set("src", "s");
  Set("dst", "d", Now() + 1000);
  auto locks = LockKeys({"src", "dst"});
  EXPECT_TRUE(ks_.Rename(0, "src", "dst"));
  EXPECT_EQ(ks_.Find(0, "dst")->str, "s");
  EXPECT_EQ(ks_.Find(0, "dst")->expire_at_ms, kNoExpiry);
  EXPECT_EQ(ks_.DbSize(0), 1u);
  locks.Release();
  EXPECT_EQ(ks_.Stats().dbs[0].expires, 0u);
}

TEST_F(KeyspaceTest, RenameOntoItselfKeepsTheKey) {
  Set("k", "v", Now() + 1000);
  auto locks = LockKeys({"k"});
  EXPECT_TRUE(ks_.Rename(0, "k", "k"));
  EXPECT_EQ(ks_.Find(0, "k")->str, "v");
  EXPECT_EQ(ks_.Find(0, "k")->expire_at_ms, Now() + 1000);
  EXPECT_FALSE(ks_.Rename(0, "missing", "missing"));
  EXPECT_FALSE(ks_.Rename(0, "missing", "k"));
  EXPECT_EQ(ks_.Find(0, "k")->str, "v");
}

TEST_F(KeyspaceTest, CopyAcrossShardsAndDatabasesKeepsTtl) {
  auto [src, dst] = KeysInTwoShards();
  Set(src, "v", Now() + 1000);
  auto locks = LockKeys({src, dst});
  EXPECT_TRUE(ks_.Copy(0, src, 5, dst, false));
  EXPECT_EQ(ks_.Find(0, src)->str, "v");
  EXPECT_EQ(ks_.Find(5, dst)->str, "v");
  EXPECT_EQ(ks_.Find(5, dst)->expire_at_ms, Now() + 1000);
  EXPECT_TRUE(ks_.Copy(0, src, 1, src, false));  // same key, other database
  EXPECT_EQ(ks_.Find(1, src)->expire_at_ms, Now() + 1000);
}

TEST_F(KeyspaceTest, CopyReplaceRules) {
  Set("src", "new");
  Set("dst", "old", Now() + 50);
  auto locks = LockKeys({"src", "dst"});
  EXPECT_FALSE(ks_.Copy(0, "src", 0, "dst", false));
  EXPECT_EQ(ks_.Find(0, "dst")->str, "old");
  EXPECT_TRUE(ks_.Copy(0, "src", 0, "dst", true));
  EXPECT_EQ(ks_.Find(0, "dst")->str, "new");
  EXPECT_EQ(ks_.Find(0, "dst")->expire_at_ms, kNoExpiry);
  EXPECT_FALSE(ks_.Copy(0, "missing", 0, "dst", true));
  // Same key, same database: rejected by the server; here a harmless no-op.
  EXPECT_FALSE(ks_.Copy(0, "src", 0, "src", true));
  EXPECT_EQ(ks_.Find(0, "src")->str, "new");
}

TEST_F(KeyspaceTest, MoveBetweenDatabasesKeepsTtl) {
  Set("k", "v", Now() + 1000, 0);
  auto locks = LockKeys({"k"});
  EXPECT_TRUE(ks_.Move(0, 7, "k"));
  EXPECT_EQ(ks_.Find(0, "k"), std::nullopt);
  EXPECT_EQ(ks_.Find(7, "k")->str, "v");
  EXPECT_EQ(ks_.Find(7, "k")->expire_at_ms, Now() + 1000);
  EXPECT_FALSE(ks_.Move(0, 7, "k"));  // gone from db 0
  ks_.SetString(0, "k", "other", kNoExpiry);
  EXPECT_FALSE(ks_.Move(0, 7, "k"));  // exists in db 7
  EXPECT_EQ(ks_.Find(0, "k")->str, "other");
  EXPECT_EQ(ks_.Find(7, "k")->str, "v");
  EXPECT_FALSE(ks_.Move(7, 7, "k"));
  locks.Release();
  KeyspaceStats stats = ks_.Stats();
  EXPECT_EQ(stats.dbs[0].expires, 0u);
  EXPECT_EQ(stats.dbs[7].expires, 1u);
}

// ---- Whole-database operations ----

TEST_F(KeyspaceTest, FlushDbAndFlushAll) {
  for (int i = 0; i < 100; ++i) {
    Set("k" + std::to_string(i), "v", Now() + 1000, 0);
    Set("k" + std::to_string(i), "v", kNoExpiry, 1);
    Set("k" + std::to_string(i), "v", kNoExpiry, 2);
  }
  auto locks = LockAll();
  ks_.FlushDb(0);
  EXPECT_EQ(ks_.DbSize(0), 0u);
  EXPECT_EQ(ks_.DbSize(1), 100u);
  ks_.FlushAll();
  EXPECT_EQ(ks_.DbSize(1), 0u);
  EXPECT_EQ(ks_.DbSize(2), 0u);
  locks.Release();
  EXPECT_EQ(ks_.Stats().dbs[0].expires, 0u);
  Set("k1", "again");  // still usable
  EXPECT_EQ(Get("k1"), "again");
}

TEST_F(KeyspaceTest, SwapDb) {
  Set("a", "in0", Now() + 1000, 0);
  Set("b", "in1", kNoExpiry, 1);
  {
    auto locks = LockAll();
    ks_.SwapDb(0, 1);
    ks_.SwapDb(2, 2);
  }
  EXPECT_EQ(Get("a", 1), "in0");
  EXPECT_EQ(TtlOf("a", 1), Now() + 1000);
  EXPECT_EQ(Get("b", 0), "in1");
  EXPECT_EQ(Get("a", 0), std::nullopt);
  KeyspaceStats stats = ks_.Stats();
  EXPECT_EQ(stats.dbs[0].expires, 0u);
  EXPECT_EQ(stats.dbs[1].expires, 1u);
  clock_.Advance(1001);
  EXPECT_EQ(ks_.ActiveExpireCycle(10), 1u);
  EXPECT_EQ(DbSize(1), 0u);
}

TEST_F(KeyspaceTest, ForEachKeySkipsExpired) {
  Set("live", "1");
  Set("dead", "2", Now() + 1);
  clock_.Advance(2);
  std::vector<std::string> seen;
  auto locks = LockAll();
  ks_.ForEachKey(0, [&](std::string_view k, const ValueView&) { seen.emplace_back(k); });
  EXPECT_THAT(seen, UnorderedElementsAre("live"));
}

TEST_F(KeyspaceTest, RandomKey) {
  {
    auto locks = LockAll();
    EXPECT_EQ(ks_.RandomKey(0), std::nullopt);
  }
  for (int i = 0; i < 200; ++i) Set("k" + std::to_string(i), "v");
  std::set<std::string> seen;
  auto locks = LockAll();
  for (int i = 0; i < 4000; ++i) {
    auto k = ks_.RandomKey(0);
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(k->substr(0, 1), "k");
    seen.insert(*k);
  }
  EXPECT_GT(seen.size(), 150u);
  EXPECT_EQ(ks_.RandomKey(1), std::nullopt);
}

TEST_F(KeyspaceTest, RandomKeySkipsAndReapsExpired) {
  for (int i = 0; i < 300; ++i) Set("dead" + std::to_string(i), "v", Now() + 1);
  Set("live", "v");
  clock_.Advance(2);
  auto locks = LockAll();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(ks_.RandomKey(0), "live");
  ASSERT_TRUE(ks_.Delete(0, "live"));
  EXPECT_EQ(ks_.RandomKey(0), std::nullopt);  // all expired: none returned
  EXPECT_EQ(ks_.DbSize(0), 0u);
}

TEST_F(KeyspaceTest, Stats) {
  Set("a", "1");
  Set("b", "2", Now() + 10);
  Set("c", "3", kNoExpiry, 4);
  Get("a");
  Get("a");
  Get("missing");
  {
    auto locks = LockKeys({"a"});
    ks_.Find(0, "a", Lookup::kWrite);  // not counted
    ks_.Find(0, "nope", Lookup::kWrite);
  }
  KeyspaceStats stats = ks_.Stats();
  ASSERT_EQ(stats.dbs.size(), 16u);
  EXPECT_EQ(stats.dbs[0].keys, 2u);
  EXPECT_EQ(stats.dbs[0].expires, 1u);
  EXPECT_EQ(stats.dbs[4].keys, 1u);
  EXPECT_EQ(stats.keyspace_hits, 2u);
  EXPECT_EQ(stats.keyspace_misses, 1u);
  EXPECT_EQ(stats.changes, 3u);
  EXPECT_EQ(stats.expired_keys, 0u);
  clock_.Advance(11);
  EXPECT_EQ(Get("b"), std::nullopt);
  stats = ks_.Stats();
  EXPECT_EQ(stats.expired_keys, 1u);
  EXPECT_EQ(stats.keyspace_misses, 2u);
  {
    auto locks = LockAll();
    EXPECT_TRUE(ks_.Delete(0, "a"));
    EXPECT_FALSE(ks_.Delete(0, "a"));  // no change
    ks_.FlushDb(4);                    // one key removed
  }
  EXPECT_EQ(ks_.Stats().changes, 5u);
}

// ---- WATCH ----

class WatchTest : public KeyspaceTest {
 protected:
  // Watches `key` in `db`, runs `op` with every shard locked and says whether
  // the flag was set.
  bool Flagged(std::string_view key, int db, const std::function<void()>& op) {
    auto flag = std::make_shared<WatchFlag>();
    {
      auto locks = LockAll();
      ks_.Watch(db, key, flag);
    }
    {
      auto locks = LockAll();
      op();
    }
    const bool dirty = flag->dirty.load();
    auto locks = LockAll();
    ks_.Unwatch(db, key, flag.get());
    return dirty;
  }
};

TEST_F(WatchTest, WritesFlagTheKey) {
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.SetString(0, "w", "v", kNoExpiry); }));  // created
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.SetString(0, "w", "v2", kKeepTtl); }));  // overwritten
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.SetExpire(0, "w", Now() + 100); }));
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.Persist(0, "w"); }));
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.SetExpire(0, "w", Now() - 1); }));  // deleted
  Set("w", "v");
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.Delete(0, "w"); }));
}

TEST_F(WatchTest, RenameCopyMoveFlagBothEnds) {
  Set("src", "v");
  EXPECT_TRUE(Flagged("src", 0, [&] { ks_.Rename(0, "src", "dst"); }));
  EXPECT_TRUE(Flagged("src", 0, [&] { ks_.Rename(0, "dst", "src"); }));  // as destination
  EXPECT_TRUE(Flagged("copy", 3, [&] { ks_.Copy(0, "src", 3, "copy", false); }));
  EXPECT_TRUE(Flagged("src", 0, [&] { ks_.Move(0, 2, "src"); }));  // source side
  EXPECT_TRUE(Flagged("src", 0, [&] { ks_.Move(2, 0, "src"); }));  // destination side
}

TEST_F(WatchTest, ExpiryFlagsTheKey) {
  Set("lazy", "v", Now() + 10);
  Set("stale", "v", Now() + 10);
  EXPECT_TRUE(Flagged("lazy", 0, [&] {
    clock_.Advance(11);
    ks_.Find(0, "lazy");
  }));
  auto flag = std::make_shared<WatchFlag>();
  {
    auto locks = LockAll();
    ks_.Watch(0, "stale", flag);  // already expired: reaped now, not flagged
    EXPECT_EQ(ks_.Find(0, "stale"), std::nullopt);
  }
  EXPECT_FALSE(flag->dirty.load());
  auto active = std::make_shared<WatchFlag>();
  Set("active2", "v", Now() + 10);
  {
    auto locks = LockAll();
    ks_.Watch(0, "active2", active);
  }
  clock_.Advance(11);
  EXPECT_GE(ks_.ActiveExpireCycle(100), 1u);
  EXPECT_TRUE(active->dirty.load());
  // Scan reaps and flags too.
  auto scanned = std::make_shared<WatchFlag>();
  Set("s2", "v", Now() + 10);
  {
    auto locks = LockAll();
    ks_.Watch(0, "s2", scanned);
  }
  clock_.Advance(11);
  ScanAll(0, 100);
  EXPECT_TRUE(scanned->dirty.load());
}

TEST_F(WatchTest, WholeDatabaseOperationsFlagExistingKeys) {
  Set("w", "v", kNoExpiry, 0);
  EXPECT_FALSE(Flagged("absent", 0, [&] { ks_.FlushDb(0); }));
  Set("w", "v", kNoExpiry, 0);
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.FlushDb(0); }));
  Set("w", "v", kNoExpiry, 0);
  EXPECT_TRUE(Flagged("w", 0, [&] { ks_.FlushAll(); }));
  // SWAPDB: the watched key changes if it exists on either side.
  Set("only1", "v", kNoExpiry, 1);
  EXPECT_TRUE(Flagged("only1", 0, [&] { ks_.SwapDb(0, 1); }));
  EXPECT_TRUE(Flagged("only1", 0, [&] { ks_.SwapDb(1, 0); }));
  EXPECT_FALSE(Flagged("nowhere", 0, [&] { ks_.SwapDb(0, 1); }));
  EXPECT_FALSE(Flagged("only1", 5, [&] { ks_.SwapDb(0, 1); }));
}

TEST_F(WatchTest, ReadsAndNoOpsDoNotFlag) {
  Set("w", "v");
  Set("other", "v");
  EXPECT_FALSE(Flagged("w", 0, [&] {
    ks_.Find(0, "w", Lookup::kRead);
    ks_.Find(0, "w", Lookup::kWrite);
    ks_.DbSize(0);
    ks_.RandomKey(0);
    ks_.ForEachKey(0, [](std::string_view, const ValueView&) {});
    ks_.Persist(0, "w");  // no TTL: nothing changes
    ks_.Rename(0, "w", "w");
    ks_.Copy(0, "other", 0, "w", false);  // refused
    ks_.Move(0, 0, "w");
    ks_.SetString(0, "other", "x", kNoExpiry);
    ks_.SetString(1, "w", "x", kNoExpiry);  // same name, other database
    ks_.Delete(0, "missing");
  }));
  // Scan locks by itself, so it runs outside Flagged's locks.
  auto flag = std::make_shared<WatchFlag>();
  {
    auto locks = LockAll();
    ks_.Watch(0, "w", flag);
  }
  ScanAll(0, 1);
  EXPECT_FALSE(flag->dirty.load());
  ks_.Stats();
  ks_.ActiveExpireCycle(100);
  EXPECT_FALSE(flag->dirty.load());
}

TEST_F(WatchTest, UnwatchAndDroppedFlags) {
  auto kept = std::make_shared<WatchFlag>();
  auto unwatched = std::make_shared<WatchFlag>();
  auto dropped = std::make_shared<WatchFlag>();
  {
    auto locks = LockAll();
    ks_.Watch(0, "w", kept);
    ks_.Watch(0, "w", kept);  // twice is once
    ks_.Watch(0, "w", unwatched);
    ks_.Watch(0, "w", dropped);
    ks_.Unwatch(0, "w", unwatched.get());
  }
  dropped.reset();  // a client gone without UNWATCH
  Set("w", "v");
  EXPECT_TRUE(kept->dirty.load());
  EXPECT_FALSE(unwatched->dirty.load());
  auto locks = LockAll();
  ks_.Unwatch(0, "w", kept.get());
  ks_.Unwatch(0, "never", kept.get());
  kept->dirty = false;
  ks_.SetString(0, "w", "v2", kNoExpiry);
  EXPECT_FALSE(kept->dirty.load());
}

// ---- SCAN ----

TEST_F(KeyspaceTest, ScanReturnsEveryKeyOnce) {
  for (int i = 0; i < 1000; ++i) Set("k" + std::to_string(i), "v");
  int calls = 0;
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  do {
    ++calls;
    cursor = ks_.Scan(0, cursor, 10, [&](std::string_view k, const ValueView& v) {
      EXPECT_EQ(v.str, "v");
      seen.emplace(k);
    });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1000u);
  EXPECT_GE(calls, 100);
  EXPECT_LE(calls, 101);
  EXPECT_EQ(ks_.Scan(1, 0, 10, [](std::string_view, const ValueView&) {}), 0u);
}

TEST_F(KeyspaceTest, ScanCursorIsAHash) {
  for (int i = 0; i < 100; ++i) Set("k" + std::to_string(i), "v");
  // Restarting from the hash of a key visits that key first.
  const uint64_t cursor = ks_.HashKey("k42");
  std::string first;
  ks_.Scan(0, cursor, 1, [&](std::string_view k, const ValueView&) {
    if (first.empty()) first = k;
  });
  EXPECT_EQ(first, "k42");
  // A cursor at the very end of the hash space finishes without overflow.
  EXPECT_EQ(ks_.Scan(0, ~uint64_t{0}, 10, [](std::string_view, const ValueView&) {}), 0u);
}

TEST_F(KeyspaceTest, ScanSkipsAndReapsExpired) {
  for (int i = 0; i < 50; ++i) Set("live" + std::to_string(i), "v");
  for (int i = 0; i < 50; ++i) Set("dead" + std::to_string(i), "v", Now() + 1);
  clock_.Advance(2);
  std::vector<std::string> keys = ScanAll(0, 7);
  EXPECT_EQ(keys.size(), 50u);
  for (const auto& k : keys) EXPECT_EQ(k.substr(0, 4), "live");
  EXPECT_EQ(DbSize(), 50u);
  EXPECT_EQ(ks_.Stats().expired_keys, 50u);
}

TEST(KeyspaceSingleShardTest, ScanAndLockWithOneShard) {
  FakeClock clock;
  Keyspace ks(Keyspace::Options{.databases = 1, .shard_bits = 0, .clock = &clock, .scopes = {}});
  EXPECT_EQ(ks.shard_count(), 1u);
  EXPECT_EQ(ks.AllShardsMask(), 1u);
  {
    auto locks = ks.Lock(ks.AllShardsMask());
    for (int i = 0; i < 100; ++i) ks.SetString(0, "k" + std::to_string(i), "v", kNoExpiry);
    EXPECT_TRUE(ks.RandomKey(0).has_value());
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = ks.Scan(0, cursor, 3, [&](std::string_view k, const ValueView&) { seen.emplace(k); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(ks.ActiveExpireCycle(10), 0u);
}

TEST(KeyspaceManyShardsTest, SixtyFourShards) {
  FakeClock clock;
  Keyspace ks(Keyspace::Options{.databases = 2, .shard_bits = 6, .clock = &clock, .scopes = {}});
  EXPECT_EQ(ks.shard_count(), 64u);
  EXPECT_EQ(ks.AllShardsMask(), ~uint64_t{0});
  {
    auto locks = ks.Lock(ks.AllShardsMask());
    for (int i = 0; i < 500; ++i) ks.SetString(1, "k" + std::to_string(i), "v", kNoExpiry);
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = ks.Scan(1, cursor, 5, [&](std::string_view k, const ValueView&) { seen.emplace(k); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 500u);
}

// The SCAN guarantee under churn: between calls, random keys are created and
// deleted; every key present for the whole iteration must come back, and the
// iteration must end.
TEST_F(KeyspaceTest, ScanGuaranteeUnderChurn) {
  std::mt19937_64 rng(7);
  std::set<std::string> stable;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "stable:" + std::to_string(i);
    Set(key, "v");
    stable.insert(key);
  }
  std::vector<std::string> churn;
  int next_churn = 0;
  std::set<std::string> deleted_stable;
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor =
        ks_.Scan(0, cursor, 10, [&](std::string_view k, const ValueView&) { seen.emplace(k); });
    ++calls;
    ASSERT_LT(calls, 5000) << "scan does not terminate";
    // Churn: add 8 keys, delete 6 random churn keys and, sometimes, a stable one.
    auto locks = LockAll();
    for (int i = 0; i < 8; ++i) {
      churn.push_back("churn:" + std::to_string(next_churn++));
      ks_.SetString(0, churn.back(), "c", kNoExpiry);
    }
    for (int i = 0; i < 6 && !churn.empty(); ++i) {
      const size_t at = rng() % churn.size();
      ks_.Delete(0, churn[at]);
      churn[at] = churn.back();
      churn.pop_back();
    }
    if (rng() % 4 == 0) {
      const std::string key = "stable:" + std::to_string(rng() % 5000);
      if (ks_.Delete(0, key)) deleted_stable.insert(key);
    }
  } while (cursor != 0);
  size_t checked = 0;
  for (const std::string& key : stable) {
    if (deleted_stable.count(key)) continue;
    ++checked;
    EXPECT_TRUE(seen.count(key)) << key << " was never returned";
  }
  EXPECT_GT(checked, 4800u);
  EXPECT_GT(calls, 400);
}

// ---- Concurrency smoke test ----

TEST(KeyspaceConcurrencyTest, LockedWritersAndAScanner) {
  FakeClock clock;
  Keyspace ks(Keyspace::Options{.databases = 2, .shard_bits = 4, .clock = &clock, .scopes = {}});
  constexpr int kKeys = 2000;
  constexpr int kOpsPerThread = 30000;
  std::atomic<bool> writers_done{false};
  std::atomic<uint64_t> finds{0};

  auto writer = [&](int seed) {
    std::mt19937 rng(seed);
    for (int i = 0; i < kOpsPerThread; ++i) {
      const std::string key = "key:" + std::to_string(rng() % kKeys);
      const std::string other = "key:" + std::to_string(rng() % kKeys);
      switch (rng() % 6) {
        case 0:
        case 1: {
          auto locks = ks.Lock(ks.ShardMaskOf(key));
          ks.SetString(0, key, "value-" + std::to_string(i),
                       clock.NowMs() + static_cast<int64_t>(rng() % 50));
          break;
        }
        case 2: {
          auto locks = ks.Lock(ks.ShardMaskOf(key));
          ks.Delete(0, key);
          break;
        }
        case 3: {  // a two-shard operation
          auto locks = ks.Lock(ks.ShardMaskOf(key) | ks.ShardMaskOf(other));
          ks.Rename(0, key, other);
          break;
        }
        default: {
          auto locks = ks.Lock(ks.ShardMaskOf(key));
          if (auto v = ks.Find(0, key, Keyspace::Lookup::kRead)) {
            EXPECT_EQ(v->str.substr(0, 6), "value-");
          }
          finds.fetch_add(1);
          break;
        }
      }
    }
  };
  std::thread scanner([&] {
    while (!writers_done.load()) {
      uint64_t cursor = 0;
      do {
        cursor = ks.Scan(0, cursor, 16, [&](std::string_view k, const ValueView& v) {
          EXPECT_EQ(k.substr(0, 4), "key:");
          EXPECT_EQ(v.str.substr(0, 6), "value-");
        });
      } while (cursor != 0);
      ks.ActiveExpireCycle(64);
      ks.Stats();
      clock.Advance(1);
    }
  });
  std::vector<std::thread> writers;
  writers.reserve(3);
  for (int t = 0; t < 3; ++t) writers.emplace_back(writer, t + 1);
  for (auto& t : writers) t.join();
  writers_done = true;
  scanner.join();
  KeyspaceStats stats = ks.Stats();
  EXPECT_EQ(stats.keyspace_hits + stats.keyspace_misses, finds.load());
}

// ---- Access clock and LRU/LFU eviction ----

class KeyspaceAccessTest : public KeyspaceTest {
 protected:
  uint32_t ClockOf(std::string_view key, int db = 0) {
    auto locks = LockKeys({key});
    auto v = ks_.Find(db, key, Lookup::kPeek);
    EXPECT_TRUE(v.has_value()) << key;
    return v ? v->access_clock : 0;
  }
  int64_t IdleSeconds(std::string_view key, int db = 0) {
    return LruIdleMs(ClockOf(key, db), Now()) / 1000;
  }
  int Freq(std::string_view key) {
    return LfuCount(ClockOf(key), Now(), ks_.access_policy().lfu_decay_time);
  }
  size_t Evict(EvictionPolicy policy, int samples) { return ks_.Evict(policy, samples); }
};

TEST_F(KeyspaceAccessTest, LookupsTouchUnlessAskedNotTo) {
  Set("k", "v");
  clock_.Advance(5000);
  EXPECT_EQ(IdleSeconds("k"), 5);
  for (Lookup mode : {Lookup::kReadNoTouch, Lookup::kInspect, Lookup::kPeek}) {
    auto locks = LockKeys({"k"});
    EXPECT_TRUE(ks_.Find(0, "k", mode).has_value());
  }
  EXPECT_EQ(IdleSeconds("k"), 5);
  Get("k");
  EXPECT_EQ(IdleSeconds("k"), 0);
  clock_.Advance(3000);
  TtlOf("k");  // a lookup for writing is an access too
  EXPECT_EQ(IdleSeconds("k"), 0);
}

TEST_F(KeyspaceAccessTest, KeyLevelOperationsKeepTheClockAndCopiesStartAfresh) {
  Set("k", "v", Now() + 100'000);
  clock_.Advance(7000);
  {
    auto locks = LockKeys({"k"});
    ks_.SetExpire(0, "k", Now() + 200'000);  // EXPIRE looks the key up first
  }
  EXPECT_EQ(IdleSeconds("k"), 7);
  auto [a, b] = KeysInTwoShards();
  Set(a, "v");
  clock_.Advance(4000);
  {
    auto locks = LockKeys({a, b});
    ASSERT_TRUE(ks_.Rename(0, a, b));
  }
  EXPECT_EQ(IdleSeconds(b), 4);  // the value moved with its clock
  {
    auto locks = LockKeys({b});
    ASSERT_TRUE(ks_.Move(0, 1, b));  // MOVE is an access
  }
  EXPECT_EQ(IdleSeconds(b, 1), 0);
  clock_.Advance(2000);
  {
    auto locks = LockKeys({"k", "copy"});
    ASSERT_TRUE(ks_.Copy(0, "k", 0, "copy", false));
  }
  EXPECT_EQ(IdleSeconds("k"), 0);  // COPY reads its source
  EXPECT_EQ(IdleSeconds("copy"), 0);
}

TEST_F(KeyspaceAccessTest, OverwriteIsNewUnderLruAndKeepsTheCounterUnderLfu) {
  Set("k", "v");
  clock_.Advance(3000);
  Set("k", "w");  // same size: in place
  EXPECT_EQ(IdleSeconds("k"), 0);
  clock_.Advance(3000);
  Set("k", "longer");  // a new blob
  EXPECT_EQ(IdleSeconds("k"), 0);

  ks_.SetAccessPolicy({.lfu = true, .lfu_log_factor = 0, .lfu_decay_time = 1});
  Set("f", "v");
  EXPECT_EQ(Freq("f"), kLfuInitialCount);
  for (int i = 0; i < 3; ++i) Get("f");
  EXPECT_EQ(Freq("f"), 8);  // factor 0: every access counts
  Set("f", "w");
  Set("f", "longer");
  EXPECT_EQ(Freq("f"), 8);
  clock_.Advance(2 * 60'000);
  EXPECT_EQ(Freq("f"), 6);  // decayed, one per minute
  Get("f");
  EXPECT_EQ(Freq("f"), 7);
}

TEST_F(KeyspaceAccessTest, SetAccessInfoFollowsThePolicy) {
  Set("k", "v");
  {
    auto locks = LockKeys({"k"});
    ks_.SetAccessInfo(0, "k", 1000, std::nullopt);
  }
  EXPECT_EQ(IdleSeconds("k"), 1000);
  {
    auto locks = LockKeys({"k"});
    ks_.SetAccessInfo(0, "k", std::nullopt, 100);  // FREQ: not tracked under LRU
  }
  EXPECT_EQ(IdleSeconds("k"), 1000);
  ks_.SetAccessPolicy({.lfu = true});
  {
    auto locks = LockKeys({"k"});
    ks_.SetAccessInfo(0, "k", std::nullopt, 100);
  }
  EXPECT_EQ(Freq("k"), 100);
  {
    auto locks = LockKeys({"k"});
    ks_.SetAccessInfo(0, "k", 5, std::nullopt);  // IDLETIME: not tracked under LFU
  }
  EXPECT_EQ(Freq("k"), 100);
}

TEST_F(KeyspaceAccessTest, LruEvictionTakesTheIdlestSampledKey) {
  constexpr int kKeys = 8;
  for (int i = 0; i < kKeys; ++i) Set("k" + std::to_string(i), "v");
  // k0 idle longest, then k1, ...: each Get after a second.
  for (int i = 1; i < kKeys; ++i) {
    clock_.Advance(1000);
    for (int j = i; j < kKeys; ++j) Get("k" + std::to_string(j));
  }
  // With many samples every key is seen: they go in idle order.
  for (int i = 0; i < kKeys; ++i) {
    EXPECT_GT(Evict(EvictionPolicy::kAllKeysLru, 200), 0u);
    EXPECT_FALSE(Get("k" + std::to_string(i)).has_value()) << i;
    // Get touches the others; their order stays the same.
  }
  EXPECT_EQ(DbSize(), 0u);
  EXPECT_EQ(Evict(EvictionPolicy::kAllKeysLru, 5), 0u);
}

TEST_F(KeyspaceAccessTest, LfuEvictionTakesTheLeastUsedAndVolatileOnlyKeysWithATtl) {
  ks_.SetAccessPolicy({.lfu = true, .lfu_log_factor = 0, .lfu_decay_time = 1});
  Set("rare", "v", Now() + 100'000);
  Set("often", "v", Now() + 100'000);
  Set("persistent", "v");  // never accessed, but has no TTL
  for (int i = 0; i < 20; ++i) Get("often");
  Get("rare");
  EXPECT_GT(Evict(EvictionPolicy::kVolatileLfu, 200), 0u);
  {
    auto locks = LockKeys({"rare", "often", "persistent"});
    EXPECT_FALSE(ks_.Find(0, "rare", Lookup::kPeek).has_value());
    EXPECT_TRUE(ks_.Find(0, "often", Lookup::kPeek).has_value());
  }
  EXPECT_GT(Evict(EvictionPolicy::kVolatileLfu, 200), 0u);
  EXPECT_EQ(Evict(EvictionPolicy::kVolatileLru, 200), 0u);  // no key with a TTL left
  EXPECT_EQ(DbSize(), 1u);
  EXPECT_EQ(ks_.Stats().evicted_keys, 2u);
}

TEST_F(KeyspaceAccessTest, PausedExpiryLeavesExpiredKeysInPlace) {
  Set("gone", "v", Now() + 10);
  Set("kept", "v");
  ks_.PauseExpiry(Now() + 1000);
  clock_.Advance(20);
  EXPECT_FALSE(Get("gone").has_value());  // looks absent
  EXPECT_EQ(DbSize(), 2u);                // but stays
  EXPECT_EQ(ScanAll(0, 10), std::vector<std::string>{"kept"});
  EXPECT_EQ(ks_.ActiveExpireCycle(100), 0u);
  {
    auto all = LockAll();
    for (int i = 0; i < 20; ++i) EXPECT_EQ(ks_.RandomKey(0), "kept");
  }
  EXPECT_EQ(ks_.Stats().expired_keys, 0u);
  clock_.Advance(1000);  // the pause is over
  EXPECT_EQ(ks_.ActiveExpireCycle(100), 1u);
  EXPECT_EQ(ks_.Stats().expired_keys, 1u);
  Set("again", "v", Now() + 10);
  ks_.PauseExpiry(Now() + 1000);
  clock_.Advance(20);
  ks_.PauseExpiry(0);  // ended early (UNPAUSE)
  EXPECT_FALSE(Get("again").has_value());
  EXPECT_EQ(DbSize(), 1u);
}

// ---- Memory ----

// Prints heap bytes per key for the shape the memory budget is set against
// (Redis: ~100 bytes/key of RSS). Informational: it asserts nothing.
TEST(KeyspaceMemoryTest, PrintsBytesPerKey) {
  constexpr int kKeys = 200'000;
  FakeClock clock;
  const size_t before = mallinfo2().uordblks;
  {
    Keyspace ks(Keyspace::Options{.clock = &clock, .scopes = {}});
    for (int i = 1; i <= kKeys; ++i) {
      const std::string key = "user:bot1:u" + std::to_string(i) + ":age";
      auto locks = ks.Lock(ks.ShardMaskOf(key));
      ks.SetString(0, key, std::to_string(i), kNoExpiry);
    }
    const size_t after = mallinfo2().uordblks;
    std::printf("[ memory   ] %d keys: %.1f heap bytes/key\n", kKeys,
                static_cast<double>(after - before) / kKeys);
  }
}

}  // namespace
}  // namespace stashd::store

// ---- FLUSHDB / FLUSHALL ASYNC ----

namespace stashd::store {
namespace {

class AsyncFlushTest : public ::testing::Test {
 protected:
  void Set(std::string_view key, std::string_view value, int db = 0) {
    auto l = ks_.Lock(ks_.ShardMaskOf(key));
    ks_.SetString(db, key, value, kNoExpiry);
  }
  void SetHash(std::string_view key, int db = 0) {
    auto l = ks_.Lock(ks_.ShardMaskOf(key));
    KeyWriter w = ks_.Write(db, key, ValueType::kHash, Keyspace::Missing::kCreate);
    w.As<HashObject>().Set("f", "v");
    std::string_view args[] = {"f", "v"};
    w.Record(HashObject::kSet, args);
  }
  const ScopeStats& UserScope(const KeyspaceStats& s) { return s.scopes[0]; }

  FakeClock clock_;
  Keyspace ks_{Keyspace::Options{.databases = 4,
                                 .shard_bits = 4,
                                 .clock = &clock_,
                                 .scopes = {ScopeConfig{.name = "user", .prefix = "user:"}}}};
};

TEST_F(AsyncFlushTest, FlushDbAsyncEmptiesOneDbAndKeepsScopeStatsRight) {
  for (int i = 0; i < 3000; ++i) Set("user:" + std::to_string(i), "v");
  for (int i = 0; i < 10; ++i) SetHash("user:h" + std::to_string(i));
  for (int i = 0; i < 5; ++i) Set("user:" + std::to_string(i), "in-db1", /*db=*/1);
  Set("plain", "v", /*db=*/1);
  const uint64_t db1_bytes = [&] {
    KeyspaceStats s = ks_.Stats();
    return UserScope(s).bytes;
  }();
  {
    auto all = ks_.Lock(ks_.AllShardsMask());
    ks_.FlushDb(0, /*async=*/true);
    EXPECT_EQ(ks_.DbSize(0), 0u);  // gone at once
    EXPECT_EQ(ks_.DbSize(1), 6u);
  }
  KeyspaceStats s = ks_.Stats();
  EXPECT_EQ(s.dbs[0].keys, 0u);
  EXPECT_EQ(s.dbs[1].keys, 6u);
  EXPECT_EQ(UserScope(s).keys, 5u);  // db 1's user keys only
  EXPECT_LT(UserScope(s).bytes, db1_bytes);
  EXPECT_GT(UserScope(s).bytes, 0u);
  ks_.WaitLazyFree();
  EXPECT_EQ(ks_.LazyFreePending(), 0u);
  // The database is usable again.
  Set("user:0", "again");
  EXPECT_EQ(ks_.Stats().dbs[0].keys, 1u);
  EXPECT_EQ(UserScope(ks_.Stats()).keys, 6u);
}

TEST_F(AsyncFlushTest, FlushAllAsyncAndSwapDbKeepScopeStatsRight) {
  for (int i = 0; i < 100; ++i) Set("user:" + std::to_string(i), "v", /*db=*/2);
  {
    auto all = ks_.Lock(ks_.AllShardsMask());
    ks_.SwapDb(2, 3);
  }
  EXPECT_EQ(UserScope(ks_.Stats()).keys, 100u);
  {
    auto all = ks_.Lock(ks_.AllShardsMask());
    ks_.FlushDb(2, /*async=*/true);  // empty now: the keys are in db 3
  }
  EXPECT_EQ(UserScope(ks_.Stats()).keys, 100u);
  {
    auto all = ks_.Lock(ks_.AllShardsMask());
    ks_.FlushAll(/*async=*/true);
  }
  KeyspaceStats s = ks_.Stats();
  EXPECT_EQ(UserScope(s).keys, 0u);
  EXPECT_EQ(UserScope(s).bytes, 0u);
  for (const DbStats& d : s.dbs) EXPECT_EQ(d.keys, 0u);
  ks_.WaitLazyFree();
  EXPECT_EQ(ks_.LazyFreePending(), 0u);
}

TEST_F(AsyncFlushTest, FlushWhileACutIsPinnedKeepsItsValuesUntilRelease) {
  for (int i = 0; i < 500; ++i) Set("k" + std::to_string(i), "value" + std::to_string(i));
  SetHash("h");
  SnapshotCut cut;
  {
    auto all = ks_.Lock(ks_.AllShardsMask());
    cut = ks_.TakeCut(/*full=*/true, /*resolve=*/false);
    ks_.FlushDb(0, /*async=*/true);
    EXPECT_EQ(ks_.DbSize(0), 0u);
  }
  EXPECT_EQ(ks_.LazyFreePending(), 0u);  // retired for the cut, not queued
  Keyspace::ResolveCut(cut);
  ASSERT_EQ(cut.upserts.size(), 501u);
  size_t strings = 0;
  for (const PinnedValue& v : cut.upserts) {
    if (v.type == ValueType::kString) {
      ++strings;
      EXPECT_EQ(v.value, "value" + std::string(v.key.substr(1)));
    } else {
      EXPECT_EQ(static_cast<const HashObject*>(v.object)->Get("f"),
                std::optional<std::string_view>("v"));
    }
  }
  EXPECT_EQ(strings, 500u);
  ks_.ReleaseCut(cut, /*written=*/true);
  EXPECT_EQ(ks_.Stats().dbs[0].keys, 0u);
}

}  // namespace
}  // namespace stashd::store
