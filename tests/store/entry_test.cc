#include "store/entry.h"

#include <gtest/gtest.h>

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
