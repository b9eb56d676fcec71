// Keyspace::PatchString, the write path of SETBIT, BITFIELD and PFADD: in
// place while nothing pins the entry, a new entry while a snapshot cut holds
// the old one (which must not change), and the changes reported to
// persistence (a patch of the bytes written, a whole value for a new key).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/bitmap_ops.h"
#include "store/clock.h"
#include "store/hyperloglog.h"
#include "store/keyspace.h"

namespace stashd::store {
namespace {

using ::testing::ElementsAre;

class PatchRecorder : public ChangeListener {
 public:
  void OnChange(const Change& c) override {
    switch (c.kind) {
      case Change::Kind::kSet:
        log.push_back("set " + std::string(c.key) + " " + std::to_string(c.value.size()) + "B");
        break;
      case Change::Kind::kPatch:
        log.push_back("patch " + std::string(c.key) + " @" + std::to_string(c.offset) + " " +
                      std::to_string(c.value.size()) + "B");
        break;
      default:
        log.push_back("other");
    }
  }
  std::vector<std::string> log;
};

class PatchStringTest : public ::testing::Test {
 protected:
  PatchStringTest() : clock_(1'000'000) {
    Keyspace::Options o;
    o.clock = &clock_;
    ks_ = std::make_unique<Keyspace>(o);
    auto locks = All();
    ks_->SetChangeListener(&rec_);
  }
  ~PatchStringTest() override {
    auto locks = All();
    ks_->SetChangeListener(nullptr);
  }
  Keyspace::Locks All() { return ks_->Lock(ks_->AllShardsMask()); }
  std::string Get(std::string_view key) {
    auto v = ks_->Find(0, key);
    return v ? std::string(v->str) : "<missing>";
  }

  FakeClock clock_;
  std::unique_ptr<Keyspace> ks_;
  PatchRecorder rec_;
};

TEST_F(PatchStringTest, CreatesGrowsAndPatchesInPlace) {
  auto locks = All();
  ks_->PatchString(0, "k", 2, "ab");
  EXPECT_EQ(Get("k"), std::string("\0\0ab", 4));
  ks_->SetExpire(0, "k", 2'000'000);  // a string's deadline is logged with its value
  const char* before = ks_->Find(0, "k")->str.data();
  ks_->PatchString(0, "k", 0, "xy");
  EXPECT_EQ(Get("k"), "xyab");
  EXPECT_EQ(ks_->Find(0, "k")->str.data(), before);  // same blob: no copy
  ks_->PatchString(0, "k", 6, "z");                  // grows, zero-padded
  EXPECT_EQ(Get("k"), std::string("xyab\0\0z", 7));
  EXPECT_EQ(ks_->Find(0, "k")->expire_at_ms, 2'000'000);  // the TTL stays
  EXPECT_THAT(rec_.log, ElementsAre("set k 4B", "set k 4B", "patch k @0 2B", "patch k @6 1B"));
}

TEST_F(PatchStringTest, SnapshotCutKeepsTheOldBytes) {
  {
    auto locks = All();
    ks_->SetString(0, "k", "abcd", kNoExpiry);
  }
  SnapshotCut cut;
  {
    auto locks = All();
    cut = ks_->TakeCut(/*full=*/true);
    ks_->PatchString(0, "k", 1, "X");
    EXPECT_EQ(Get("k"), "aXcd");
  }
  ASSERT_EQ(cut.upserts.size(), 1u);
  EXPECT_EQ(cut.upserts[0].value, "abcd");
  ks_->ReleaseCut(cut, true);
}

TEST_F(PatchStringTest, SetBitChangesOneByte) {
  auto locks = All();
  ks_->SetString(0, "b", std::string(1 << 20, '\0'), kNoExpiry);
  rec_.log.clear();
  bool changed = false;
  auto old = SetBit(*ks_, 0, "b", 8 * 1000 + 1, true, &changed);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old.value());
  EXPECT_TRUE(changed);
  old = SetBit(*ks_, 0, "b", 8 * 1000 + 1, true, &changed);
  EXPECT_TRUE(old.value());
  EXPECT_FALSE(changed);
  EXPECT_THAT(rec_.log, ElementsAre("patch b @1000 1B"));
}

TEST(BitfieldResultTest, WrapSaturateFail) {
  const BitfieldType i8{true, 8}, u8{false, 8}, i64{true, 64}, u63{false, 63};
  EXPECT_EQ(BitfieldResult(i8, 127, 1, Overflow::kWrap), -128);
  EXPECT_EQ(BitfieldResult(i8, 127, 1, Overflow::kSat), 127);
  EXPECT_EQ(BitfieldResult(i8, 127, 1, Overflow::kFail), std::nullopt);
  EXPECT_EQ(BitfieldResult(u8, 0, -1, Overflow::kWrap), 255);
  EXPECT_EQ(BitfieldResult(u8, 0, -1, Overflow::kSat), 0);
  EXPECT_EQ(BitfieldResult(u8, -1, 0, Overflow::kSat), 255);  // SET u8 -1: a huge unsigned
  EXPECT_EQ(BitfieldResult(i64, INT64_MAX, 1, Overflow::kWrap), INT64_MIN);
  EXPECT_EQ(BitfieldResult(i64, INT64_MIN, -1, Overflow::kSat), INT64_MIN);
  EXPECT_EQ(BitfieldResult(u63, INT64_MAX, 1, Overflow::kWrap), 0);
}

TEST(HyperLogLogFormatTest, NewHllIsRedisEmptySparse) {
  const std::string h = hll::NewHll();
  EXPECT_EQ(h, std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18));
  EXPECT_TRUE(hll::IsHll(h));
  EXPECT_EQ(hll::Count(h), 0u);
  std::string d = h;
  ASSERT_TRUE(hll::ToDense(&d));
  EXPECT_EQ(d.size(), hll::kDenseSize);
  EXPECT_EQ(hll::Count(d), 0u);
}

}  // namespace
}  // namespace stashd::store
