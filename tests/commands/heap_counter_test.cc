#include "server/base/heap_counter.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace stashd::server {
namespace {

TEST(HeapCounterTest, CountsWhatMallocHandsOutAndFreeTakesBack) {
  const std::optional<uint64_t> before = HeapInUse();
  if (!before) GTEST_SKIP() << "a sanitizer build keeps the sanitizer's allocator";
  void* big = std::malloc(10 << 20);
  ASSERT_NE(big, nullptr);
  EXPECT_GE(*HeapInUse(), *before + (10 << 20));
  big = std::realloc(big, 20 << 20);
  EXPECT_GE(*HeapInUse(), *before + (20 << 20));
  std::free(big);
  EXPECT_EQ(*HeapInUse(), *before);
  void* aligned = nullptr;
  ASSERT_EQ(posix_memalign(&aligned, 4096, 1 << 20), 0);
  EXPECT_GE(*HeapInUse(), *before + (1 << 20));
  std::free(aligned);
  auto vec = std::make_unique<std::vector<int>>(1 << 20);
  EXPECT_GE(*HeapInUse(), *before + (4 << 20));
  vec.reset();
  EXPECT_EQ(*HeapInUse(), *before);
}

// glibc's own functions that allocate (strdup, open_memstream...) go through
// the same malloc: freeing what they return leaves the count where it was.
TEST(HeapCounterTest, AllocationsInsideTheCLibraryAreCountedToo) {
  const std::optional<uint64_t> before = HeapInUse();
  if (!before) GTEST_SKIP() << "a sanitizer build keeps the sanitizer's allocator";
  for (int i = 0; i < 10000; ++i) std::free(strdup("a string copied by glibc"));
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  ASSERT_NE(f, nullptr);
  for (int i = 0; i < 10000; ++i) std::fputs("grow the stream's buffer ", f);
  std::fclose(f);
  std::free(buf);
  EXPECT_EQ(*HeapInUse(), *before);
}

// The count agrees with glibc's own in-use figure (which adds 8 bytes of
// chunk header a block): no allocation path goes around it.
TEST(HeapCounterTest, AgreesWithMallinfo) {
  if (!HeapInUse()) GTEST_SKIP() << "a sanitizer build keeps the sanitizer's allocator";
  std::vector<std::string> strings;
  for (int i = 0; i < 100000; ++i) strings.push_back(std::string(40 + i % 50, 'x'));
  const struct mallinfo2 mi = mallinfo2();
  const double glibc = static_cast<double>(mi.uordblks + mi.hblkhd);
  const double counted = static_cast<double>(*HeapInUse());
  EXPECT_GT(counted, glibc * 0.85);
  EXPECT_LT(counted, glibc * 1.01);
}

}  // namespace
}  // namespace stashd::server
