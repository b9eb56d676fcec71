// Prefix scans and deletes, bot scopes, and the persistence hooks (change
// listener, snapshot cuts) of the keyspace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/keyspace.h"

namespace stashd::store {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

class PrefixTest : public ::testing::Test {
 protected:
  explicit PrefixTest(int shard_bits = 4) : ks_(Options(shard_bits)) {}

  Keyspace::Options Options(int shard_bits) {
    Keyspace::Options o;
    o.databases = 4;
    o.shard_bits = shard_bits;
    o.clock = &clock_;
    return o;
  }

  void Set(std::string_view k, std::string_view v, int64_t at = kNoExpiry, int db = 0) {
    auto l = ks_.Lock(ks_.ShardMaskOf(k));
    ks_.SetString(db, k, v, at);
  }
  bool Exists(std::string_view k, int db = 0) {
    auto l = ks_.Lock(ks_.ShardMaskOf(k));
    return ks_.Find(db, k).has_value();
  }
  static bool AnyKey(std::string_view) { return true; }

  // Runs a whole prefix scan; returns every key visited.
  std::vector<std::string> ScanAll(std::string_view prefix, size_t count, int* calls = nullptr,
                                   int db = 0) {
    std::vector<std::string> out;
    uint64_t cursor = 0;
    int n = 0;
    do {
      cursor = ks_.ScanPrefix(db, cursor, prefix, count, AnyKey,
                              [&](std::string_view k, const ValueView&) { out.emplace_back(k); });
      ++n;
    } while (cursor != 0 && n < 100000);
    if (calls) *calls = n;
    return out;
  }

  FakeClock clock_;
  Keyspace ks_;
};

TEST_F(PrefixTest, ScanPrefixReturnsOnlyMatchesInOneCallWhenFew) {
  for (int i = 0; i < 5000; ++i) Set("user:bot1:u" + std::to_string(i) + ":age", "1");
  std::vector<std::string> want;
  for (int i = 0; i < 10; ++i) {
    std::string k = "state:bot9:s" + std::to_string(i);
    Set(k, "x");
    want.push_back(k);
  }
  int calls = 0;
  auto got = ScanAll("state:bot9:", 10, &calls);
  EXPECT_THAT(got, UnorderedElementsAreArray(want));
  EXPECT_EQ(calls, 1);  // 10 matches over 16 shards: one round trip
}

// The cursors a filtered prefix scan returns depend only on the keys the
// caller may see: another bot's keys under the prefix change nothing.
TEST_F(PrefixTest, ScanPrefixCursorsIgnoreKeysTheCallerMayNotSee) {
  auto mine = [](std::string_view k) { return k.substr(0, 10) == "user:bot1:"; };
  auto run = [&](std::string_view prefix) {
    std::vector<uint64_t> cursors;
    std::vector<std::string> keys;
    uint64_t cursor = 0;
    do {
      cursor = ks_.ScanPrefix(0, cursor, prefix, 1, mine,
                              [&](std::string_view k, const ValueView&) { keys.emplace_back(k); });
      cursors.push_back(cursor);
    } while (cursor != 0 && cursors.size() < 10000);
    return std::make_pair(cursors, keys);
  };
  for (int i = 0; i < 40; ++i) Set("user:bot1:u" + std::to_string(i), "1");
  const auto alone_user = run("user:");
  const auto alone_bot2 = run("user:bot2:u1");
  EXPECT_EQ(alone_user.second.size(), 40u);
  EXPECT_GT(alone_user.first.size(), 1u);  // COUNT 1 over 40 keys: several calls
  EXPECT_EQ(alone_bot2.first, std::vector<uint64_t>{0});
  for (int i = 0; i < 300; ++i) Set("user:bot2:u1" + std::to_string(i), "secret");
  EXPECT_EQ(run("user:"), alone_user);
  EXPECT_EQ(run("user:bot2:u1"), alone_bot2);
}

TEST_F(PrefixTest, ScanPrefixSkipsExpiredAndOtherDatabases) {
  Set("p:a", "1");
  Set("p:b", "1", clock_.NowMs() + 10);
  Set("p:c", "1", kNoExpiry, /*db=*/1);
  clock_.Advance(11);
  EXPECT_THAT(ScanAll("p:", 10), ElementsAre("p:a"));
  EXPECT_THAT(ScanAll("p:", 10, nullptr, 1), ElementsAre("p:c"));
}

TEST_F(PrefixTest, ScanPrefixGuaranteeUnderConcurrentChanges) {
  // Few shards and many matches, so both the key-order path and the
  // hash-order fallback run.
  std::mt19937_64 rng(42);
  std::set<std::string> stable;
  for (int i = 0; i < 6000; ++i) {
    std::string k = "user:b:" + std::to_string(i);
    Set(k, "v");
    if (i % 3 == 0) stable.insert(k);
  }
  for (int i = 0; i < 3000; ++i) Set("other:" + std::to_string(i), "v");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor =
        ks_.ScanPrefix(0, cursor, "user:b:", 50, AnyKey, [&](std::string_view k, const ValueView&) {
          EXPECT_EQ(k.substr(0, 7), "user:b:");
          seen.emplace(k);
        });
    // Churn: delete non-stable keys, add new ones.
    for (int j = 0; j < 20; ++j) {
      int i = static_cast<int>(rng() % 6000);
      std::string k = "user:b:" + std::to_string(i);
      if (stable.count(k) == 0) {
        auto l = ks_.Lock(ks_.ShardMaskOf(k));
        ks_.Delete(0, k);
      }
      Set("user:b:new" + std::to_string(rng() % 100000), "n");
    }
    ++calls;
  } while (cursor != 0 && calls < 100000);
  ASSERT_EQ(cursor, 0u);
  for (const auto& k : stable) EXPECT_TRUE(seen.count(k)) << k;
}

class PrefixOneShardTest : public PrefixTest {
 protected:
  PrefixOneShardTest() : PrefixTest(0) {}
};

TEST_F(PrefixOneShardTest, HugePrefixFallsBackButReturnsEverything) {
  for (int i = 0; i < 5000; ++i) Set("big:" + std::to_string(i), "v");
  for (int i = 0; i < 100; ++i) Set("zzz:" + std::to_string(i), "v");
  std::set<std::string> seen;
  for (const auto& k : ScanAll("big:", 10)) {
    EXPECT_EQ(k.substr(0, 4), "big:");
    seen.insert(k);
  }
  EXPECT_EQ(seen.size(), 5000u);
}

TEST_F(PrefixTest, DeletePrefixDeletesOnlyLiteralMatchesInItsDb) {
  for (int i = 0; i < 3000; ++i) Set("user:bot1:u" + std::to_string(i), "v");
  Set("user:bot10:u1", "v");  // shares "user:bot1" but not "user:bot1:"
  Set("user:bot1:x", "v", kNoExpiry, /*db=*/1);
  Set("a*b:1", "v");
  Set("axb:1", "v");
  EXPECT_EQ(ks_.DeletePrefix(0, "user:bot1:", /*batch=*/7), 3000u);
  EXPECT_TRUE(Exists("user:bot10:u1"));
  EXPECT_TRUE(Exists("user:bot1:x", 1));
  EXPECT_EQ(ks_.DeletePrefix(0, "a*"), 1u);  // '*' is literal
  EXPECT_TRUE(Exists("axb:1"));
  EXPECT_EQ(ks_.DeletePrefix(0, "nothing:"), 0u);
}

TEST_F(PrefixTest, DeletePrefixCallsBackBetweenBatchesWithNoShardLocked) {
  for (int i = 0; i < 3000; ++i) Set("p:" + std::to_string(i), "v");
  int calls = 0;
  const uint64_t deleted = ks_.DeletePrefix(0, "p:", /*batch=*/100, [&] {
    ++calls;
    // Locking every shard here would deadlock if DeletePrefix held one.
    ks_.Lock(ks_.AllShardsMask()).Release();
    Set("p:during", "v");  // a key written meanwhile may survive
  });
  EXPECT_GE(deleted, 3000u);
  // At least one call per 100 keys deleted (and one after each shard).
  EXPECT_GE(calls, 30);
}

TEST_F(PrefixTest, DeletePrefixDoesNotCountExpiredKeys) {
  Set("s:1", "v");
  Set("s:2", "v", clock_.NowMs() + 5);
  clock_.Advance(6);
  EXPECT_EQ(ks_.DeletePrefix(0, "s:"), 1u);
  EXPECT_FALSE(Exists("s:2"));
}

TEST_F(PrefixTest, DeletePrefixFlagsWatchers) {
  Set("s:1", "v");
  auto flag = std::make_shared<WatchFlag>();
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("s:1"));
    ks_.Watch(0, "s:1", flag);
  }
  ks_.DeletePrefix(0, "s:");
  EXPECT_TRUE(flag->dirty.load());
}

// ---- Scopes ----

class ScopeTest : public ::testing::Test {
 protected:
  ScopeTest() : ks_(Opts()) {}
  Keyspace::Options Opts() {
    Keyspace::Options o;
    o.clock = &clock_;
    o.scopes = {
        {"state", "state:", 1000, 0}, {"user", "user:", 0, 10}, {"global", "global:", 0, 0}};
    return o;
  }
  void Set(std::string_view k, std::string_view v, int64_t at = kNoExpiry) {
    auto l = ks_.Lock(ks_.ShardMaskOf(k));
    ks_.SetString(0, k, v, at);
  }
  std::optional<ValueView> Get(std::string_view k) {
    auto l = ks_.Lock(ks_.ShardMaskOf(k));
    return ks_.Find(0, k, Keyspace::Lookup::kRead);
  }
  FakeClock clock_;
  Keyspace ks_;
};

TEST_F(ScopeTest, ScopeOfMatchesPrefixes) {
  EXPECT_EQ(ks_.ScopeOf("state:b:s"), 0);
  EXPECT_EQ(ks_.ScopeOf("user:b:u:v"), 1);
  EXPECT_EQ(ks_.ScopeOf("global:b:v"), 2);
  EXPECT_EQ(ks_.ScopeOf("users"), -1);
  EXPECT_EQ(ks_.ScopeOf("plain"), -1);
}

TEST_F(ScopeTest, DefaultTtlAppliesWhenWriteGivesNone) {
  Set("state:b:s1", "x");
  EXPECT_EQ(Get("state:b:s1")->expire_at_ms, clock_.NowMs() + 1000);
  Set("state:b:s2", "x", clock_.NowMs() + 50);  // explicit TTL wins
  EXPECT_EQ(Get("state:b:s2")->expire_at_ms, clock_.NowMs() + 50);
  Set("state:b:s3", "x", kKeepTtl);  // new key, no TTL to keep: default
  EXPECT_EQ(Get("state:b:s3")->expire_at_ms, clock_.NowMs() + 1000);
  Set("global:b:v", "x");
  EXPECT_EQ(Get("global:b:v")->expire_at_ms, kNoExpiry);
  clock_.Advance(1001);
  EXPECT_FALSE(Get("state:b:s1").has_value());
}

TEST_F(ScopeTest, ValueTooLarge) {
  EXPECT_EQ(ks_.ValueTooLarge("user:b:u:v", 10), nullptr);
  const ScopeConfig* s = ks_.ValueTooLarge("user:b:u:v", 11);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "user");
  EXPECT_EQ(ks_.ValueTooLarge("global:x", 1 << 20), nullptr);
}

TEST_F(ScopeTest, StatsCountKeysExpiresHitsMissesBytes) {
  Set("state:b:s1", "x");
  Set("user:b:u1:age", "31");
  Set("user:b:u2:age", "32", clock_.NowMs() + 100);
  Get("user:b:u1:age");
  Get("user:b:nope");
  KeyspaceStats st = ks_.Stats();
  ASSERT_EQ(st.scopes.size(), 3u);
  EXPECT_EQ(st.scopes[0].name, "state");
  EXPECT_EQ(st.scopes[0].keys, 1u);
  EXPECT_EQ(st.scopes[0].expires, 1u);
  EXPECT_EQ(st.scopes[1].keys, 2u);
  EXPECT_EQ(st.scopes[1].expires, 1u);
  EXPECT_EQ(st.scopes[1].hits, 1u);
  EXPECT_EQ(st.scopes[1].misses, 1u);
  EXPECT_GT(st.scopes[1].bytes, 2 * std::string("user:b:u1:age31").size());
  EXPECT_EQ(st.scopes[2].keys, 0u);
  ks_.DeletePrefix(0, "user:");
  st = ks_.Stats();
  EXPECT_EQ(st.scopes[1].keys, 0u);
  EXPECT_EQ(st.scopes[1].expires, 0u);
  EXPECT_EQ(st.scopes[1].bytes, 0u);
}

// ---- Persistence hooks ----

class RecordingListener : public ChangeListener {
 public:
  void OnChange(const Change& c) override {
    std::string s;
    switch (c.kind) {
      case Change::Kind::kSet:
        s = "set " + std::to_string(c.db) + " " + std::string(c.key) + "=" + std::string(c.value) +
            (c.expire_at_ms == kNoExpiry ? "" : " @" + std::to_string(c.expire_at_ms));
        break;
      case Change::Kind::kDelete:
        s = "del " + std::to_string(c.db) + " " + std::string(c.key);
        break;
      case Change::Kind::kFlushDb:
        s = "flushdb " + std::to_string(c.db);
        break;
      case Change::Kind::kFlushAll:
        s = "flushall";
        break;
      case Change::Kind::kSwapDb:
        s = "swapdb " + std::to_string(c.db) + " " + std::to_string(c.db2);
        break;
      case Change::Kind::kUpdate: {
        s = "update " + std::to_string(c.db) + " " + std::string(c.key) + " op" +
            std::to_string(c.op);
        for (std::string_view a : c.args) s += " " + std::string(a);
        break;
      }
      case Change::Kind::kExpire:
        s = "expire " + std::to_string(c.db) + " " + std::string(c.key) +
            (c.expire_at_ms == kNoExpiry ? " none" : " @" + std::to_string(c.expire_at_ms));
        break;
      case Change::Kind::kRename:
        s = "rename " + std::to_string(c.db) + " " + std::string(c.key) + " " + std::string(c.key2);
        break;
      case Change::Kind::kMove:
        s = "move " + std::to_string(c.db) + " " + std::string(c.key) + " " + std::to_string(c.db2);
        break;
      case Change::Kind::kPatch:
        s = "patch " + std::to_string(c.db) + " " + std::string(c.key) + " @" +
            std::to_string(c.offset);
        break;
    }
    log.push_back(s);
  }
  void OnUnlock() override { log.push_back("unlock"); }
  std::vector<std::string> log;
};

class PersistenceHooksTest : public PrefixTest {
 protected:
  Keyspace::Locks All() { return ks_.Lock(ks_.AllShardsMask()); }
  std::vector<std::string> CutKeys(const SnapshotCut& cut) {
    std::vector<std::string> v;
    for (const auto& p : cut.upserts) v.push_back(std::string(p.key) + "=" + std::string(p.value));
    for (const auto& [db, k] : cut.deletes) v.push_back("-" + k);
    std::sort(v.begin(), v.end());
    return v;
  }
};

TEST_F(PersistenceHooksTest, ListenerSeesEveryChangeInOrder) {
  RecordingListener l;
  {
    auto all = All();
    ks_.SetChangeListener(&l);
  }
  const int64_t t = clock_.NowMs();
  Set("a", "1");
  Set("a", "2", t + 100);
  {
    auto lk = ks_.Lock(ks_.ShardMaskOf("a") | ks_.ShardMaskOf("b"));
    ks_.Rename(0, "a", "b");
    ks_.Persist(0, "b");
    ks_.Move(0, 1, "b");
  }
  {
    auto all = All();
    ks_.SwapDb(0, 1);
    ks_.FlushDb(0);
    ks_.FlushAll();
  }
  EXPECT_THAT(l.log, ElementsAre("set 0 a=1", "set 0 a=2 @" + std::to_string(t + 100), "del 0 a",
                                 "set 0 b=2 @" + std::to_string(t + 100), "set 0 b=2", "del 0 b",
                                 "set 1 b=2", "swapdb 0 1", "flushdb 0", "flushall"));
  auto all = All();
  ks_.SetChangeListener(nullptr);
}

TEST_F(PersistenceHooksTest, ExpiryDeletionsAreReportedAndUnlockSignalled) {
  RecordingListener l;
  {
    auto all = All();
    ks_.SetChangeListener(&l);
  }
  Set("t", "1", clock_.NowMs() + 1);
  clock_.Advance(5);
  EXPECT_EQ(ks_.ActiveExpireCycle(100), 1u);
  EXPECT_THAT(l.log, ElementsAre(::testing::StartsWith("set 0 t=1"), "del 0 t", "unlock"));
  auto all = All();
  ks_.SetChangeListener(nullptr);
}

TEST_F(PersistenceHooksTest, FirstCutIsFullThenIncremental) {
  Set("a", "1");
  Set("b", "2");
  SnapshotCut cut;
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  EXPECT_TRUE(cut.full);
  EXPECT_THAT(CutKeys(cut), ElementsAre("a=1", "b=2"));
  ks_.ReleaseCut(cut, true);
  EXPECT_EQ(ks_.ChangesSinceCut(), 0u);

  Set("a", "10");
  Set("c", "3");
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("b"));
    ks_.Delete(0, "b");
  }
  EXPECT_EQ(ks_.ChangesSinceCut(), 3u);
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  EXPECT_FALSE(cut.full);
  EXPECT_THAT(CutKeys(cut), ElementsAre("-b", "a=10", "c=3"));
  ks_.ReleaseCut(cut, true);
}

// The incremental cut knows changed keys by their entry and deleted keys by
// name: every way a key can change between two cuts must land in exactly
// one of the two, with the value it has at the cut.
TEST_F(PersistenceHooksTest, IncrementalCutHoldsEachChangedKeyOnceWithItsLastValue) {
  for (const char* k : {"same", "grow", "dead", "back", "ttl", "moved", "keep"}) Set(k, "1");
  SnapshotCut cut;
  {
    auto all = All();
    cut = ks_.TakeCut(true);
  }
  ks_.ReleaseCut(cut, true);

  Set("same", "2");    // same size: overwritten in place
  Set("grow", "22");   // a new entry replaces the old one
  Set("grow", "333");  // ... twice
  Set("new", "1");
  Set("brief", "1");  // created and deleted between the cuts: not in the snapshot file
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("dead") | ks_.ShardMaskOf("back") | ks_.ShardMaskOf("brief"));
    ks_.Delete(0, "dead");
    ks_.Delete(0, "back");
    ks_.Delete(0, "brief");
  }
  Set("back", "again");  // deleted, then created again: an upsert only
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("ttl"));
    ASSERT_TRUE(ks_.SetExpire(0, "ttl", clock_.NowMs() + 100000));
  }
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("moved") | ks_.ShardMaskOf("there"));
    ks_.Rename(0, "moved", "there");
  }
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  ASSERT_FALSE(cut.full);
  EXPECT_THAT(CutKeys(cut), ElementsAre("-brief", "-dead", "-moved", "back=again", "grow=333",
                                        "new=1", "same=2", "there=1", "ttl=1"));
  ks_.ReleaseCut(cut, true);

  // Nothing changed since: the next cut is empty.
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  EXPECT_THAT(CutKeys(cut), ElementsAre());
  ks_.ReleaseCut(cut, true);
}

TEST_F(PersistenceHooksTest, PinnedValuesSurviveOverwriteAndDelete) {
  std::string big(1000, 'x');
  Set("k", big);
  Set("gone", big);
  SnapshotCut cut;
  {
    auto all = All();
    cut = ks_.TakeCut(true);
  }
  Set("k", "overwritten");
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("gone"));
    ks_.Delete(0, "gone");
  }
  {
    auto all = All();
    ks_.FlushAll();
  }
  // The views still read the values as they were at the cut (ASan would
  // catch a use after free here).
  ASSERT_EQ(cut.upserts.size(), 2u);
  for (const auto& p : cut.upserts) EXPECT_EQ(p.value, big);
  ks_.ReleaseCut(cut, true);
}

TEST_F(PersistenceHooksTest, FailedSnapshotMakesNextCutFull) {
  Set("a", "1");
  SnapshotCut cut;
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  ks_.ReleaseCut(cut, true);
  Set("b", "2");
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  ks_.ReleaseCut(cut, /*written=*/false);
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  EXPECT_TRUE(cut.full);
  EXPECT_THAT(CutKeys(cut), ElementsAre("a=1", "b=2"));
  ks_.ReleaseCut(cut, true);
}

TEST_F(PersistenceHooksTest, FlushForcesFullCutAndResetForgetsChanges) {
  Set("a", "1");
  {
    auto all = All();
    ks_.ResetChangeTracking();
  }
  EXPECT_EQ(ks_.ChangesSinceCut(), 0u);
  SnapshotCut cut;
  {
    auto all = All();
    cut = ks_.TakeCut(false);
  }
  EXPECT_FALSE(cut.full);
  EXPECT_TRUE(cut.upserts.empty());
  ks_.ReleaseCut(cut, true);
  {
    auto all = All();
    ks_.FlushDb(0);
    cut = ks_.TakeCut(false);
  }
  EXPECT_TRUE(cut.full);
  ks_.ReleaseCut(cut, true);
}

}  // namespace
}  // namespace stashd::store

namespace stashd::store {
namespace {

// Same-size overwrites reuse the blob; the indexes must stay right.
TEST_F(PrefixTest, SameSizeOverwriteKeepsIndexesConsistent) {
  const int64_t t = clock_.NowMs();
  Set("k", "aaa", t + 100);
  Set("k", "bbb", t + 50);  // same size, new deadline
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("k"));
    auto v = ks_.Find(0, "k");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->str, "bbb");
    EXPECT_EQ(v->expire_at_ms, t + 50);
  }
  Set("k", "ccc", kKeepTtl);
  EXPECT_THAT(ScanAll("k", 10), ElementsAre("k"));
  clock_.Advance(51);
  EXPECT_EQ(ks_.ActiveExpireCycle(10), 1u);  // the expiry index saw the new deadline
  EXPECT_FALSE(Exists("k"));
  Set("p", "xy");
  Set("p", "zw");
  EXPECT_EQ(ks_.DeletePrefix(0, "p"), 1u);
  EXPECT_EQ(ks_.Stats().dbs[0].keys, 0u);
}

}  // namespace
}  // namespace stashd::store

namespace stashd::store {
namespace {

// The persistence path: pointers only under the locks, views built later.
TEST_F(PersistenceHooksTest, UnresolvedCutReadsValuesAsOfTheCut) {
  Set("a", "old");
  Set("b", "gone");
  SnapshotCut cut;
  {
    auto all = All();
    cut = ks_.TakeCut(true, /*resolve=*/false);
  }
  EXPECT_TRUE(cut.upserts.empty());
  EXPECT_EQ(cut.unresolved.size(), 2u);
  Set("a", "new");  // same size, but the shard is pinned: a new blob
  {
    auto l = ks_.Lock(ks_.ShardMaskOf("b"));
    ks_.Delete(0, "b");
  }
  Keyspace::ResolveCut(cut);
  EXPECT_TRUE(cut.unresolved.empty());
  EXPECT_THAT(CutKeys(cut), ElementsAre("a=old", "b=gone"));
  ks_.ReleaseCut(cut, true);
  auto l = ks_.Lock(ks_.ShardMaskOf("a"));
  EXPECT_EQ(ks_.Find(0, "a")->str, "new");
}

// A full cut lists every entry once, as sorted runs (one per shard and
// database holding keys) that the snapshot writer merges instead of sorting.
TEST_F(PersistenceHooksTest, FullCutListsEntriesAsSortedRuns) {
  std::mt19937 rnd(15);
  std::set<std::pair<int, std::string>> want;
  for (int i = 0; i < 3000; ++i) {
    const int db = static_cast<int>(rnd() % 3);
    const std::string key = "k" + std::to_string(rnd() % 100000);
    auto l = ks_.Lock(ks_.ShardMaskOf(key));
    ks_.SetString(db, key, "v", kNoExpiry);
    want.emplace(db, key);
  }
  SnapshotCut cut;
  {
    auto all = All();
    cut = ks_.TakeCut(/*full=*/true, /*resolve=*/false);
  }
  ASSERT_EQ(cut.unresolved.size(), want.size());
  ASSERT_FALSE(cut.run_ends.empty());
  EXPECT_EQ(cut.run_ends.back(), cut.unresolved.size());
  EXPECT_LE(cut.run_ends.size(), 16u * 3u);  // 16 shards, 3 databases with keys
  std::set<std::pair<int, std::string>> got;
  size_t begin = 0;
  for (size_t end : cut.run_ends) {
    ASSERT_LT(begin, end);  // no empty run
    for (size_t i = begin; i < end; ++i) {
      const PinnedValue v = Keyspace::Resolve(cut.unresolved[i].first, cut.unresolved[i].second);
      got.emplace(v.db, std::string(v.key));
      if (i > begin) {
        const PinnedValue prev =
            Keyspace::Resolve(cut.unresolved[i - 1].first, cut.unresolved[i - 1].second);
        EXPECT_EQ(prev.db, v.db);
        EXPECT_LT(prev.key, v.key);
      }
    }
    begin = end;
  }
  EXPECT_EQ(got, want);
  // An incremental cut gives no order.
  ks_.ReleaseCut(cut, true);
  Set("k1", "changed");
  {
    auto all = All();
    cut = ks_.TakeCut(/*full=*/false, /*resolve=*/false);
  }
  EXPECT_EQ(cut.unresolved.size(), 1u);
  EXPECT_TRUE(cut.run_ends.empty());
  ks_.ReleaseCut(cut, true);
}

}  // namespace
}  // namespace stashd::store
