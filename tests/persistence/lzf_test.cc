// The LZF compressor and decompressor (persistence/lzf.h): round trips,
// the format's limits (literal runs of 32, matches of 264 bytes, distances
// of 8192), the room rule, and corrupt input. Byte-for-byte agreement with
// redis-server is checked through DUMP in tests/commands/dump_family_test.cc
// and on the FUNCTION DUMP payload in rdb_payload_test.cc.
#include "persistence/lzf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace stashd::persistence::rdb {
namespace {

constexpr size_t kRoomy = 1 << 20;

std::string Random(std::mt19937& rng, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() & 0xff));
  return s;
}

// Text-like data: words from a small vocabulary.
std::string Words(std::mt19937& rng, size_t n) {
  static const char* kWords[] = {"user", ":", "1001", "\"name\"", "redis", " ", "stash", "{", "}"};
  std::string s;
  while (s.size() < n) s += kWords[rng() % 9];
  s.resize(n);
  return s;
}

void ExpectRoundTrip(const std::string& in) {
  const std::optional<std::string> packed = LzfCompress(in, kRoomy);
  ASSERT_TRUE(packed) << in.size();
  EXPECT_EQ(LzfDecompress(*packed, in.size()), in) << in.size();
}

TEST(LzfTest, RoundTripsRandomCompressibleAndIncompressibleData) {
  std::mt19937 rng(16);
  for (int i = 0; i < 300; ++i) {
    const size_t n = 1 + rng() % (i < 200 ? 400 : 70000);
    ExpectRoundTrip(Random(rng, n));
    ExpectRoundTrip(Words(rng, n));
    ExpectRoundTrip(std::string(n, static_cast<char>(rng())));
    std::string two;
    for (size_t k = 0; k < n; ++k) two.push_back((rng() & 1) ? 'a' : 'b');
    ExpectRoundTrip(two);
  }
}

TEST(LzfTest, EdgeLengths) {
  std::mt19937 rng(13);
  for (size_t n : {1, 2, 3, 4, 20, 21, 31, 32, 33, 64, 65, 263, 264, 265, 266, 267, 8192, 8193}) {
    ExpectRoundTrip(Random(rng, n));
    ExpectRoundTrip(std::string(n, 'x'));
    ExpectRoundTrip(Words(rng, n));
  }
  EXPECT_FALSE(LzfCompress("", kRoomy));
}

TEST(LzfTest, LiteralRunsAreAtMost32Bytes) {
  // 40 distinct bytes: a run of 32 and a run of 8, each with its control byte.
  std::string in;
  for (int i = 0; i < 40; ++i) in.push_back(static_cast<char>(i));
  const std::optional<std::string> packed = LzfCompress(in, kRoomy);
  ASSERT_TRUE(packed);
  ASSERT_EQ(packed->size(), 42u);
  EXPECT_EQ((*packed)[0], 31);
  EXPECT_EQ((*packed)[33], 7);
  EXPECT_EQ(LzfDecompress(*packed, in.size()), in);
}

TEST(LzfTest, MatchesAreAtMost264Bytes) {
  // "ab" then 600 x 'a'... : one literal run, then matches of at most 264.
  const std::string in = "b" + std::string(600, 'a');
  const std::optional<std::string> packed = LzfCompress(in, kRoomy);
  ASSERT_TRUE(packed);
  EXPECT_EQ(LzfDecompress(*packed, in.size()), in);
  // A long match is 111ooooo, length-9, offset: length byte 255 is 264.
  bool saw_longest = false;
  for (size_t i = 0; i + 2 < packed->size(); ++i) {
    const auto c = static_cast<uint8_t>((*packed)[i]);
    if ((c >> 5) == 7 && static_cast<uint8_t>((*packed)[i + 1]) == 255) saw_longest = true;
  }
  EXPECT_TRUE(saw_longest);
  EXPECT_LT(packed->size(), 20u);
}

TEST(LzfTest, BackReferencesReachExactly8192Bytes) {
  std::mt19937 rng(8192);
  // Position 0 is never a match source (as in liblzf), so the repeat starts
  // at byte 1: copying it 8192 bytes later is reachable, 8193 is not.
  const std::string near = Random(rng, 8193);
  const std::string in_reach = near + near.substr(1, 300);
  const std::optional<std::string> a = LzfCompress(in_reach, kRoomy);
  ASSERT_TRUE(a);
  EXPECT_EQ(LzfDecompress(*a, in_reach.size()), in_reach);
  EXPECT_LT(a->size(), in_reach.size());  // the 300 bytes became a few matches

  const std::string far = near + "x";
  const std::string out_of_reach = far + far.substr(1, 300);
  const std::optional<std::string> b = LzfCompress(out_of_reach, kRoomy);
  ASSERT_TRUE(b);
  EXPECT_EQ(LzfDecompress(*b, out_of_reach.size()), out_of_reach);
  EXPECT_GT(b->size(), out_of_reach.size());  // all literals: 1/32 bigger
  // The decoder takes the farthest reference and refuses one step further.
  EXPECT_EQ(LzfDecompress(std::string("\x1f"
                                      "0123456789abcdef0123456789abcdef",
                                      33) +
                              std::string("\x3f\xff", 2),
                          36),
            std::nullopt);  // 8192 back from 32 bytes of output: before the start
}

TEST(LzfTest, GivesUpWhenTheOutputWouldNotFit) {
  std::mt19937 rng(4);
  const std::string noise = Random(rng, 100);
  EXPECT_FALSE(LzfCompress(noise, noise.size() - 4));
  EXPECT_FALSE(LzfCompress(noise, noise.size()));
  const std::string text(100, 'z');
  const std::optional<std::string> packed = LzfCompress(text, text.size() - 4);
  ASSERT_TRUE(packed);
  EXPECT_FALSE(LzfCompress(text, packed->size() - 1));
  // Never more than the room given, whatever the data.
  for (int i = 0; i < 2000; ++i) {
    std::string in = Words(rng, 21 + rng() % 200);
    const size_t capacity = in.size() - 4 - rng() % 10;
    if (const std::optional<std::string> p = LzfCompress(in, capacity)) {
      EXPECT_LE(p->size(), capacity);
      EXPECT_EQ(LzfDecompress(*p, in.size()), in);
    }
  }
}

TEST(LzfTest, OutputDoesNotDependOnEarlierCalls) {
  std::mt19937 rng(99);
  const std::string a = Words(rng, 5000);
  const std::string b = Words(rng, 3000);
  const std::optional<std::string> b_first = LzfCompress(b, kRoomy);
  ASSERT_TRUE(LzfCompress(a, kRoomy));
  EXPECT_EQ(LzfCompress(b, kRoomy), b_first);
  EXPECT_EQ(LzfCompress(b.substr(0, 40), kRoomy), LzfCompress(b.substr(0, 40), kRoomy));
}

TEST(LzfTest, DecompressRejectsCorruptInput) {
  std::mt19937 rng(7);
  const std::string in = Words(rng, 2000);
  const std::optional<std::string> packed = LzfCompress(in, kRoomy);
  ASSERT_TRUE(packed);
  ASSERT_EQ(LzfDecompress(*packed, in.size()), in);
  // Truncated, too long, a wrong declared size.
  for (size_t cut = 1; cut < packed->size(); cut += 7) {
    EXPECT_FALSE(LzfDecompress(packed->substr(0, cut), in.size())) << cut;
  }
  EXPECT_FALSE(LzfDecompress(*packed + std::string("\x00x", 2), in.size()));
  EXPECT_FALSE(LzfDecompress(*packed, in.size() - 1));
  EXPECT_FALSE(LzfDecompress(*packed, in.size() + 1));
  // A reference before the start of the output; a literal run cut short.
  EXPECT_FALSE(LzfDecompress(std::string("\x00"
                                         "a\x20\x01",
                                         4),
                             4));
  EXPECT_FALSE(LzfDecompress(std::string("\x1f"
                                         "abc",
                                         4),
                             32));
  // A long match whose length byte is missing.
  EXPECT_FALSE(LzfDecompress(std::string("\x00"
                                         "a\xe0",
                                         3),
                             20));
}

}  // namespace
}  // namespace stashd::persistence::rdb
