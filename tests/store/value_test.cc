// The value model: collections through the one write path (KeyWriter),
// copy-on-write while a snapshot cut holds a value, key-level operations
// that never copy, scope policy and the changes reported to persistence.
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

class Recorder : public ChangeListener {
 public:
  void OnChange(const Change& c) override {
    std::string s;
    switch (c.kind) {
      case Change::Kind::kSet:
        s = "set " + std::string(c.key) + (c.object != nullptr ? " <object>" : "");
        break;
      case Change::Kind::kDelete:
        s = "del " + std::string(c.key);
        break;
      case Change::Kind::kUpdate:
        s = "update " + std::string(c.key) + " op" + std::to_string(c.op);
        for (std::string_view a : c.args) s += " " + std::string(a);
        break;
      case Change::Kind::kExpire:
        s = "expire " + std::string(c.key) + " " + std::to_string(c.expire_at_ms);
        break;
      case Change::Kind::kRename:
        s = "rename " + std::string(c.key) + " " + std::string(c.key2);
        break;
      case Change::Kind::kMove:
        s = "move " + std::string(c.key) + " " + std::to_string(c.db) + "->" +
            std::to_string(c.db2);
        break;
      default:
        s = "other";
    }
    log.push_back(s);
  }
  std::vector<std::string> log;
};

class ValueTest : public ::testing::Test {
 protected:
  ValueTest() : clock_(1'000'000) {
    Keyspace::Options o;
    o.clock = &clock_;
    o.scopes = {{"state", "state:", 60'000, 0}, {"user", "user:", 0, 10}};
    ks_ = std::make_unique<Keyspace>(o);
  }

  Keyspace::Locks All() { return ks_->Lock(ks_->AllShardsMask()); }

  // HSET through the write path; returns the number of new fields, or -1
  // for WRONGTYPE, -2 when the scope refuses the size.
  int HSet(std::string_view key, std::vector<std::string_view> pairs, int db = 0) {
    auto locks = All();
    KeyWriter w = ks_->Write(db, key, ValueType::kHash, Keyspace::Missing::kCreate);
    if (w.status() == KeyWriter::Status::kWrongType) return -1;
    auto& h = w.As<HashObject>();
    size_t payload = h.PayloadBytes();  // fields of one call are distinct here
    for (size_t i = 0; i < pairs.size(); i += 2) {
      payload += h.PayloadAfterSet(pairs[i], pairs[i + 1]) - h.PayloadBytes();
    }
    if (!w.Fits(payload)) return -2;
    int added = 0;
    for (size_t i = 0; i < pairs.size(); i += 2) added += h.Set(pairs[i], pairs[i + 1]) ? 1 : 0;
    w.Record(HashObject::kSet, pairs);
    return added;
  }

  int HDel(std::string_view key, std::vector<std::string_view> fields) {
    auto locks = All();
    KeyWriter w = ks_->Write(0, key, ValueType::kHash, Keyspace::Missing::kFail);
    if (!w.ok()) return w.status() == KeyWriter::Status::kMissing ? 0 : -1;
    int removed = 0;
    for (auto f : fields) removed += w.As<HashObject>().Delete(f) ? 1 : 0;
    if (removed > 0) w.Record(HashObject::kDelete, fields);
    return removed;
  }

  std::string HGet(std::string_view key, std::string_view field, int db = 0) {
    auto locks = All();
    auto v = ks_->Find(db, key);
    if (!v) return "(nil key)";
    if (v->type != ValueType::kHash) return "(wrong type)";
    auto f = v->As<HashObject>().Get(field);
    return f ? std::string(*f) : "(nil)";
  }

  const Object* ObjectOf(std::string_view key, int db = 0) {
    auto locks = All();
    auto v = ks_->Find(db, key);
    return v ? v->object : nullptr;
  }

  int64_t Deadline(std::string_view key) {
    auto locks = All();
    auto v = ks_->Find(0, key);
    return v ? v->expire_at_ms : -100;
  }

  FakeClock clock_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(ValueTest, WriterCreatesChangesAndDeletesAnEmptiedCollection) {
  EXPECT_EQ(HSet("h", {"a", "1", "b", "2"}), 2);
  EXPECT_EQ(HSet("h", {"a", "10", "c", "3"}), 1);
  EXPECT_EQ(HGet("h", "a"), "10");
  EXPECT_EQ(HGet("h", "c"), "3");
  {
    auto locks = All();
    EXPECT_EQ(ks_->DbSize(0), 1u);
    EXPECT_EQ(TypeName(ks_->Find(0, "h")->type), "hash");
  }
  EXPECT_EQ(HDel("h", {"a", "b", "zz"}), 2);
  EXPECT_EQ(HDel("h", {"c"}), 1);
  auto locks = All();
  EXPECT_FALSE(ks_->Find(0, "h").has_value());  // empty: gone, as in Redis
  EXPECT_EQ(ks_->DbSize(0), 0u);
}

TEST_F(ValueTest, MissingKeyWithoutCreateAndWrongType) {
  EXPECT_EQ(HDel("nothing", {"a"}), 0);
  {
    auto locks = All();
    ks_->SetString(0, "s", "string", kNoExpiry);
    KeyWriter w = ks_->Write(0, "s", ValueType::kHash, Keyspace::Missing::kCreate);
    EXPECT_EQ(w.status(), KeyWriter::Status::kWrongType);
  }
  EXPECT_EQ(HSet("s", {"a", "1"}), -1);
  EXPECT_EQ(HGet("s", "a"), "(wrong type)");
  // A writer that adds nothing leaves no key behind.
  {
    auto locks = All();
    KeyWriter w = ks_->Write(0, "empty", ValueType::kHash, Keyspace::Missing::kCreate);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w.created());
  }
  auto locks = All();
  EXPECT_FALSE(ks_->Find(0, "empty").has_value());
}

TEST_F(ValueTest, ScopePolicyAppliesToCollections) {
  // state: default TTL on creation only.
  EXPECT_EQ(HSet("state:b:s", {"step", "1"}), 1);
  EXPECT_EQ(Deadline("state:b:s"), clock_.NowMs() + 60'000);
  clock_.Advance(1000);
  EXPECT_EQ(HSet("state:b:s", {"step", "2"}), 0);
  EXPECT_EQ(Deadline("state:b:s"), clock_.NowMs() - 1000 + 60'000);
  // user: max-value-size 10 bytes for the whole collection.
  EXPECT_EQ(HSet("user:b:u", {"name", "Joe"}), 1);          // 7 bytes
  EXPECT_EQ(HSet("user:b:u", {"lang", "fr"}), -2);          // 13 bytes: refused
  EXPECT_EQ(HGet("user:b:u", "lang"), "(nil)");             // nothing changed
  EXPECT_EQ(HSet("user:b:u", {"name", "Jo", "x", ""}), 1);  // 7 bytes
}

TEST_F(ValueTest, KeyLevelOperationsMoveTheObjectWithoutCopying) {
  ASSERT_EQ(HSet("h", {"a", "1"}), 1);
  const Object* o = ObjectOf("h");
  {
    auto locks = All();
    EXPECT_TRUE(ks_->SetExpire(0, "h", clock_.NowMs() + 5000));
    EXPECT_TRUE(ks_->SetExpire(0, "h", clock_.NowMs() + 9000));
    EXPECT_TRUE(ks_->Persist(0, "h"));
    EXPECT_TRUE(ks_->Rename(0, "h", "h2"));
    EXPECT_TRUE(ks_->Move(0, 3, "h2"));
  }
  EXPECT_EQ(ObjectOf("h2", 3), o);
  EXPECT_EQ(o->refs(), 1u);
  EXPECT_EQ(HGet("h2", "a", 3), "1");
  // COPY makes an independent value.
  {
    auto locks = All();
    EXPECT_TRUE(ks_->Copy(3, "h2", 0, "c", false));
  }
  EXPECT_NE(ObjectOf("c"), o);
  EXPECT_EQ(HSet("c", {"a", "changed"}), 0);
  EXPECT_EQ(HGet("h2", "a", 3), "1");
  EXPECT_EQ(HGet("c", "a"), "changed");
}

TEST_F(ValueTest, ACutKeepsTheValueAsItWasWhileWritersCopyOnWrite) {
  ASSERT_EQ(HSet("h", {"a", "1"}), 1);
  SnapshotCut cut;
  {
    auto locks = All();
    cut = ks_->TakeCut(/*full=*/true);
  }
  ASSERT_EQ(cut.upserts.size(), 1u);
  const Object* pinned = cut.upserts[0].object;
  ASSERT_NE(pinned, nullptr);
  EXPECT_EQ(HSet("h", {"a", "2", "b", "3"}), 1);  // copies first
  const Object* live = ObjectOf("h");
  EXPECT_NE(live, pinned);
  EXPECT_EQ(static_cast<const HashObject*>(pinned)->Get("a"), "1");
  EXPECT_EQ(pinned->Size(), 1u);
  EXPECT_EQ(HSet("h", {"c", "4"}), 1);  // the copy is ours: changed in place
  EXPECT_EQ(ObjectOf("h"), live);
  // EXPIRE while pinned shares the object; the next write copies again.
  {
    auto locks = All();
    ks_->SetExpire(0, "h", clock_.NowMs() + 100);
  }
  ks_->ReleaseCut(cut, true);
  EXPECT_EQ(HGet("h", "a"), "2");
  EXPECT_EQ(HGet("h", "c"), "4");
}

TEST_F(ValueTest, ChangesReportedArePerElementAndPerKeyOperation) {
  Recorder r;
  {
    auto locks = All();
    ks_->SetChangeListener(&r);
  }
  HSet("state:b:h", {"f", "v"});
  HDel("state:b:h", {"nope"});  // no change, no record
  {
    auto locks = All();
    ks_->SetExpire(0, "state:b:h", 2'000'000);
    ks_->Rename(0, "state:b:h", "x");
    ks_->Move(0, 1, "x");
    ks_->Copy(1, "x", 0, "y", false);
  }
  HDel("y", {"f"});
  const std::string ttl = std::to_string(clock_.NowMs() + 60'000);
  EXPECT_THAT(r.log,
              ElementsAre("update state:b:h op1 f v", "expire state:b:h " + ttl,
                          "expire state:b:h 2000000", "rename state:b:h x", "expire x 2000000",
                          "move x 0->1", "set y <object>", "update y op2 f", "del y"));
  auto locks = All();
  ks_->SetChangeListener(nullptr);
}

TEST_F(ValueTest, WatchersAreFlaggedByACommittedChangeOnly) {
  HSet("h", {"a", "1"});
  auto flag = std::make_shared<WatchFlag>();
  {
    auto locks = All();
    ks_->Watch(0, "h", flag);
  }
  HDel("h", {"missing"});
  EXPECT_FALSE(flag->dirty.load());
  HSet("h", {"b", "2"});
  EXPECT_TRUE(flag->dirty.load());
}

TEST_F(ValueTest, ScopeBytesFollowTheCollection) {
  HSet("state:b:h", {"a", "1"});
  const uint64_t small = ks_->Stats().scopes[0].bytes;
  EXPECT_GT(small, 0u);
  HSet("state:b:h", {"long field name", std::string(200, 'v')});
  EXPECT_GT(ks_->Stats().scopes[0].bytes, small + 200);
  HDel("state:b:h", {"a", "long field name"});
  EXPECT_EQ(ks_->Stats().scopes[0].bytes, 0u);
  EXPECT_EQ(ks_->Stats().scopes[0].keys, 0u);
}

TEST(HashObjectTest, SerializeRoundTripsAndRejectsGarbage) {
  HashObject h;
  h.Set("a", "1");
  h.Set(std::string("b\0", 2), std::string(300, 'x'));
  std::string bytes;
  h.Serialize(&bytes);
  Object* back = DeserializeObject(ValueType::kHash, bytes);
  ASSERT_NE(back, nullptr);
  auto* hb = static_cast<HashObject*>(back);
  EXPECT_EQ(hb->Size(), 2u);
  EXPECT_EQ(hb->Get(std::string("b\0", 2)), std::string(300, 'x'));
  EXPECT_EQ(hb->PayloadBytes(), h.PayloadBytes());
  back->Unref();
  EXPECT_EQ(DeserializeObject(ValueType::kHash, bytes.substr(0, bytes.size() - 1)), nullptr);
  EXPECT_EQ(DeserializeObject(ValueType::kHash, bytes + "x"), nullptr);
  EXPECT_EQ(DeserializeObject(ValueType::kStream, bytes), nullptr);  // not in this build
}

}  // namespace
}  // namespace stashd::store

namespace stashd::store {
namespace {

std::vector<std::string> Fields(const HashObject& h) {
  std::vector<std::string> out;
  h.ForEachElement([&](const ElementView& e) { out.emplace_back(e.member); });
  return out;
}

TEST(HashObjectTest, SmallHashesAreCompactAndKeepInsertionOrder) {
  HashObject h;
  EXPECT_TRUE(h.Set("b", "1"));
  EXPECT_TRUE(h.Set("a", "2"));
  EXPECT_TRUE(h.Set("c", "3"));
  EXPECT_FALSE(h.Set("a", "a longer value"));  // replaced in place
  EXPECT_TRUE(h.compact());
  EXPECT_THAT(Fields(h), ElementsAre("b", "a", "c"));
  EXPECT_EQ(h.Get("a"), "a longer value");
  EXPECT_TRUE(h.Delete("b"));
  EXPECT_FALSE(h.Delete("b"));
  EXPECT_THAT(Fields(h), ElementsAre("a", "c"));
  EXPECT_EQ(h.Size(), 2u);
  EXPECT_EQ(h.PayloadBytes(), 1u + 14u + 1u + 1u);
  EXPECT_LT(h.MemoryUsage(), 128u);
}

TEST(HashObjectTest, ConvertsToATableAboveTheLimits) {
  HashObject::SetLimits(4, 8);
  HashObject by_count, by_value;
  for (int i = 0; i < 4; ++i) by_count.Set("f" + std::to_string(i), "v");
  EXPECT_TRUE(by_count.compact());
  by_count.Set("f4", "v");
  EXPECT_FALSE(by_count.compact());
  by_value.Set("a", "12345678");
  EXPECT_TRUE(by_value.compact());
  by_value.Set("b", "123456789");
  EXPECT_FALSE(by_value.compact());
  HashObject::SetLimits(512, 64);
  // Contents survive the conversion, a copy and a round trip either way.
  EXPECT_EQ(by_count.Size(), 5u);
  EXPECT_EQ(by_count.Get("f2"), "v");
  EXPECT_EQ(by_value.Get("a"), "12345678");
  for (HashObject* h : {&by_count, &by_value}) {
    std::string bytes;
    h->Serialize(&bytes);
    Object* back = DeserializeObject(ValueType::kHash, bytes);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->Size(), h->Size());
    EXPECT_EQ(back->PayloadBytes(), h->PayloadBytes());
    back->Unref();
    Object* copy = h->Clone();
    EXPECT_EQ(static_cast<HashObject*>(copy)->compact(), h->compact());
    EXPECT_EQ(copy->Size(), h->Size());
    copy->Unref();
  }
}

}  // namespace
}  // namespace stashd::store
