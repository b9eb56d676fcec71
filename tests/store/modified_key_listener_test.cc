// The keyspace's ModifiedKeyListener (client-side caching's hook): told of
// every key whose value may have changed, with expiries marked, and of
// flushes; never of reads or of writes that change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/clock.h"
#include "store/keyspace.h"
#include "store/types/hash.h"

namespace stashd::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class Recorder final : public ModifiedKeyListener {
 public:
  void OnKeyModified(int db, std::string_view key, bool expired) override {
    events.push_back(std::to_string(db) + ":" + std::string(key) + (expired ? " expired" : ""));
  }
  void OnFlush(int db) override { events.push_back("flush " + std::to_string(db)); }
  std::vector<std::string> Take() { return std::exchange(events, {}); }
  std::vector<std::string> events;
};

class ModifiedKeyListenerTest : public ::testing::Test {
 protected:
  ModifiedKeyListenerTest() { ks_.SetModifiedKeyListener(&rec_); }
  Keyspace::Locks LockAll() { return ks_.Lock(ks_.AllShardsMask()); }

  FakeClock clock_;
  Keyspace ks_{Keyspace::Options{.databases = 4, .shard_bits = 2, .clock = &clock_, .scopes = {}}};
  Recorder rec_;
};

TEST_F(ModifiedKeyListenerTest, WritesDeletesAndKeyLevelOperations) {
  auto locks = LockAll();
  ks_.SetString(0, "a", "1", kNoExpiry);
  ks_.SetString(2, "a", "2", kNoExpiry);
  EXPECT_THAT(rec_.Take(), ElementsAre("0:a", "2:a"));
  ks_.Find(0, "a", Keyspace::Lookup::kRead);
  ks_.Find(0, "missing", Keyspace::Lookup::kRead);
  EXPECT_THAT(rec_.Take(), IsEmpty());
  EXPECT_TRUE(ks_.SetExpire(0, "a", clock_.NowMs() + 1000));
  EXPECT_TRUE(ks_.Persist(0, "a"));
  EXPECT_FALSE(ks_.Persist(0, "a"));  // nothing to change
  EXPECT_THAT(rec_.Take(), ElementsAre("0:a", "0:a"));
  EXPECT_TRUE(ks_.Rename(0, "a", "b"));
  EXPECT_THAT(rec_.Take(), ::testing::UnorderedElementsAre("0:a", "0:b"));
  EXPECT_TRUE(ks_.Move(0, 1, "b"));
  EXPECT_THAT(rec_.Take(), ::testing::UnorderedElementsAre("0:b", "1:b"));
  EXPECT_TRUE(ks_.Delete(1, "b"));
  EXPECT_FALSE(ks_.Delete(1, "b"));
  EXPECT_THAT(rec_.Take(), ElementsAre("1:b"));
  {
    KeyWriter w = ks_.Write(0, "h", ValueType::kHash, Keyspace::Missing::kCreate);
    auto& h = w.As<HashObject>();
    h.Set("f", "v");
    const std::string_view pair[] = {"f", "v"};
    w.Record(HashObject::kSet, pair);
  }
  {
    // Opened for writing but nothing recorded: nothing changed.
    KeyWriter w = ks_.Write(0, "h", ValueType::kHash, Keyspace::Missing::kFail);
  }
  EXPECT_THAT(rec_.Take(), ElementsAre("0:h"));
}

TEST_F(ModifiedKeyListenerTest, ExpiriesAreMarked) {
  {
    auto locks = LockAll();
    ks_.SetString(0, "lazy", "1", clock_.NowMs() + 10);
    ks_.SetString(0, "active", "1", clock_.NowMs() + 10);
  }
  rec_.Take();
  clock_.Advance(20);
  {
    auto locks = LockAll();
    EXPECT_FALSE(ks_.Find(0, "lazy").has_value());
  }
  EXPECT_THAT(rec_.Take(), ElementsAre("0:lazy expired"));
  EXPECT_EQ(ks_.ActiveExpireCycle(100), 1u);
  EXPECT_THAT(rec_.Take(), ElementsAre("0:active expired"));
}

TEST_F(ModifiedKeyListenerTest, DeletePrefixAndFlushes) {
  {
    auto locks = LockAll();
    ks_.SetString(0, "p:1", "1", kNoExpiry);
    ks_.SetString(0, "p:2", "1", kNoExpiry);
    ks_.SetString(0, "q", "1", kNoExpiry);
  }
  rec_.Take();
  EXPECT_EQ(ks_.DeletePrefix(0, "p:"), 2u);
  EXPECT_THAT(rec_.Take(), ::testing::UnorderedElementsAre("0:p:1", "0:p:2"));
  auto locks = LockAll();
  ks_.FlushDb(3);
  ks_.FlushAll(/*async=*/true);
  EXPECT_THAT(rec_.Take(), ElementsAre("flush 3", "flush -1"));
  // Cleared: no more calls.
  ks_.SetModifiedKeyListener(nullptr);
  ks_.SetString(0, "q", "2", kNoExpiry);
  EXPECT_THAT(rec_.Take(), IsEmpty());
}

}  // namespace
}  // namespace stashd::store
