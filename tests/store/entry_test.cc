#include "store/entry.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <memory>
#include <string>

namespace stashd::store {
namespace {

using namespace std::string_view_literals;

struct EntryDeleter {
  void operator()(Entry* e) const { Entry::Destroy(e); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

EntryPtr Make(std::string_view key, std::string_view value, int64_t expire_at_ms = kNoExpiry) {
  return EntryPtr(Entry::Make(key, ValueType::kString, value, expire_at_ms));
}

TEST(EntryTest, SmallEntryIsCompact) {
  EntryPtr e = Make("user:bot1:u123456:age", "123456");
  EXPECT_EQ(e->key(), "user:bot1:u123456:age");
  EXPECT_EQ(e->value(), "123456");
  EXPECT_EQ(e->type(), ValueType::kString);
  EXPECT_FALSE(e->has_deadline());
  EXPECT_EQ(e->expire_at_ms(), kNoExpiry);
  EXPECT_EQ(e->ByteSize(), 6u + 21u + 6u);  // a 6-byte header: tag, access clock, lengths
}

TEST(EntryTest, AccessClockHoldsTwentyFourBitsBesideTheRest) {
  EntryPtr e = Make("key", "value", 1'700'000'000'123);
  EXPECT_EQ(e->access_clock(), 0u);
  e->set_access_clock(0xABCDEF);
  EXPECT_EQ(e->access_clock(), 0xABCDEFu);
  EXPECT_EQ(e->key(), "key");
  EXPECT_EQ(e->value(), "value");
  EXPECT_EQ(e->expire_at_ms(), 1'700'000'000'123);
  e->set_access_clock(0x1000001);  // only 24 bits are kept
  EXPECT_EQ(e->access_clock(), 1u);
  EXPECT_TRUE(e->OverwriteInPlace(ValueType::kString, "VALUE", 5));
  EXPECT_EQ(e->access_clock(), 1u);  // an overwrite in place keeps it
}

// A value of another size is written in place when malloc's block has the
// room and little would be wasted; otherwise the caller builds a new entry.
TEST(EntryTest, OverwriteInPlaceTakesAnotherSizeThatFitsTheBlock) {
  EntryPtr e = Make("user:bot1:counter", std::string(40, 'a'), 1'700'000'000'123);
  const size_t room = malloc_usable_size(e.get());
  const size_t used = e->ByteSize();
  ASSERT_GE(room, used);
  // Grows into the block's rounding (glibc: up to 15 more bytes, and at
  // least the 8 of the next chunk's size field that a chunk in use owns).
  const std::string grown(40 + (room - used), 'b');
  ASSERT_TRUE(e->OverwriteInPlace(ValueType::kString, grown, 1'700'000'000'999));
  EXPECT_EQ(e->value(), grown);
  EXPECT_EQ(e->key(), "user:bot1:counter");
  EXPECT_EQ(e->expire_at_ms(), 1'700'000'000'999);
  EXPECT_EQ(malloc_usable_size(e.get()), room);
  // One byte more does not fit: nothing changes.
  EXPECT_FALSE(e->OverwriteInPlace(ValueType::kString, grown + "c", 1'700'000'000'999));
  EXPECT_EQ(e->value(), grown);
  // Shrinking a little is in place; leaving most of the block unused is not.
  ASSERT_TRUE(e->OverwriteInPlace(ValueType::kString, std::string(35, 'd'), 1'700'000'000'999));
  EXPECT_EQ(e->value(), std::string(35, 'd'));
  EXPECT_FALSE(e->OverwriteInPlace(ValueType::kString, "x", 1'700'000'000'999));
  // A value may come from the entry's own bytes.
  const std::string_view own = e->value().substr(0, 30);
  ASSERT_TRUE(e->OverwriteInPlace(ValueType::kString, own, 1'700'000'000'999));
  EXPECT_EQ(e->value(), std::string(30, 'd'));
  // Room asked for at Make is grown into by later writes.
  EntryPtr roomy(Entry::Make("log", ValueType::kString, std::string(200, 'a'), kNoExpiry, 25));
  ASSERT_GE(malloc_usable_size(roomy.get()), 6u + 3u + 200u + 25u);
  for (size_t n = 201; n <= 225; ++n) {
    ASSERT_TRUE(roomy->OverwriteInPlace(ValueType::kString, std::string(n, 'b'), kNoExpiry)) << n;
  }
  EXPECT_EQ(roomy->value(), std::string(225, 'b'));
  // The lengths' width must not change (255 -> 256 bytes needs 2-byte lengths).
  EntryPtr w = Make("k", std::string(250, 'a'));
  EXPECT_FALSE(w->OverwriteInPlace(ValueType::kString, std::string(256, 'b'), kNoExpiry));
  EXPECT_EQ(w->value(), std::string(250, 'a'));
  // A deadline appearing or going away changes the layout.
  EXPECT_FALSE(w->OverwriteInPlace(ValueType::kString, std::string(251, 'b'), 5));
}

TEST(EntryTest, DeadlineAddsEightBytes) {
  EntryPtr e = Make("k", "v", 1'700'000'000'123);
  EXPECT_TRUE(e->has_deadline());
  EXPECT_EQ(e->expire_at_ms(), 1'700'000'000'123);
  EXPECT_EQ(e->key(), "k");
  EXPECT_EQ(e->value(), "v");
  EXPECT_EQ(e->ByteSize(), 6u + 8u + 2u);
  EXPECT_EQ(Make("k", "v", 0)->expire_at_ms(), 0);
}

TEST(EntryTest, EmptyAndBinary) {
  EntryPtr empty = Make("", "");
  EXPECT_EQ(empty->key(), "");
  EXPECT_EQ(empty->value(), "");
  EntryPtr binary = Make("a\0b"sv, "\0\xff\0"sv);
  EXPECT_EQ(binary->key(), "a\0b"sv);
  EXPECT_EQ(binary->value(), "\0\xff\0"sv);
}

TEST(EntryTest, WideLengths) {
  for (size_t size : {255u, 256u, 65535u, 65536u, 300000u}) {
    const std::string key(size / 3 + 1, 'k');
    const std::string value(size, 'v');
    EntryPtr e = Make(key, value, 42);
    EXPECT_EQ(e->key(), key) << size;
    EXPECT_EQ(e->value(), value) << size;
    EXPECT_EQ(e->expire_at_ms(), 42) << size;
  }
}

TEST(EntryTest, DestroyNullIsFine) { Entry::Destroy(nullptr); }

}  // namespace
}  // namespace stashd::store
