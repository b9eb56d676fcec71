#include "store/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace stashd::store {
namespace {

using namespace std::string_view_literals;

TEST(GlobTest, Stars) {
  EXPECT_TRUE(GlobMatch("a*", "aaa"));
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("*", "x"));
  EXPECT_TRUE(GlobMatch("**", "xyz"));
  EXPECT_TRUE(GlobMatch("*a", "a"));
  EXPECT_TRUE(GlobMatch("*a*b*", "xxaxxbxx"));
  EXPECT_TRUE(GlobMatch("h*llo", "hllo"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_FALSE(GlobMatch("h*llo", "hellox"));
  EXPECT_FALSE(GlobMatch("a*", "ba"));
  EXPECT_TRUE(GlobMatch("a*b*c", "abbbc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "abbbcb"));
}

TEST(GlobTest, EmptyStringMatchesOnlyEmptyPattern) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("*", ""));  // as Redis: KEYS/SCAN special-case a bare "*"
  EXPECT_FALSE(GlobMatch("**", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobTest, QuestionMark) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h?llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo"));
  EXPECT_FALSE(GlobMatch("h?llo", "heello"));
  EXPECT_FALSE(GlobMatch("a?", "a"));
}

TEST(GlobTest, Classes) {
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hallo"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_FALSE(GlobMatch("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(GlobMatch("[^a-c]", "d"));
  EXPECT_FALSE(GlobMatch("[^a-c]", "b"));
  EXPECT_TRUE(GlobMatch("[a-cx]", "x"));
}

TEST(GlobTest, ReversedRangeIsSwapped) {
  EXPECT_TRUE(GlobMatch("[z-a]", "m"));
  EXPECT_TRUE(GlobMatch("[z-a]", "a"));
  EXPECT_TRUE(GlobMatch("[z-a]", "z"));
  EXPECT_FALSE(GlobMatch("[z-a]", "A"));
}

TEST(GlobTest, Escapes) {
  EXPECT_TRUE(GlobMatch("\\*", "*"));
  EXPECT_FALSE(GlobMatch("\\*", "a"));
  EXPECT_TRUE(GlobMatch("\\[", "["));
  EXPECT_TRUE(GlobMatch("a\\?b", "a?b"));
  EXPECT_FALSE(GlobMatch("a\\?b", "axb"));
  EXPECT_TRUE(GlobMatch("\\a", "a"));
  EXPECT_TRUE(GlobMatch("[\\]]", "]"));
  EXPECT_TRUE(GlobMatch("[\\-]", "-"));
  EXPECT_TRUE(GlobMatch("[a\\-z]", "-"));
  EXPECT_FALSE(GlobMatch("[a\\-z]", "m"));
  EXPECT_TRUE(GlobMatch("x\\", "x\\"));  // trailing backslash is literal
  EXPECT_FALSE(GlobMatch("x\\", "x"));
  EXPECT_TRUE(GlobMatch("[\\", "\\"));  // so is one ending a class
}

TEST(GlobTest, UnterminatedClassRunsToTheEnd) {
  EXPECT_TRUE(GlobMatch("[abc", "a"));
  EXPECT_FALSE(GlobMatch("[abc", "d"));
  EXPECT_FALSE(GlobMatch("[abc", "ab"));
  EXPECT_TRUE(GlobMatch("x[abc", "xb"));
  EXPECT_FALSE(GlobMatch("[", "["));
  EXPECT_TRUE(GlobMatch("[^", "x"));
  EXPECT_TRUE(GlobMatch("*[ab", "zzb"));
}

TEST(GlobTest, ClassEdgeCases) {
  EXPECT_FALSE(GlobMatch("[]", "]"));  // "]" right after '[' closes an empty class
  EXPECT_FALSE(GlobMatch("[]a]", "]"));
  EXPECT_FALSE(GlobMatch("[]a]", "a"));
  EXPECT_TRUE(GlobMatch("[a-]", "]"));  // a range from 'a' down to ']'
  EXPECT_TRUE(GlobMatch("[a-]", "_"));
  EXPECT_FALSE(GlobMatch("[a-]", "b"));
  EXPECT_TRUE(GlobMatch("[-a]", "-"));
}

TEST(GlobTest, NoCase) {
  EXPECT_TRUE(GlobMatch("HELLO", "hello", true));
  EXPECT_FALSE(GlobMatch("HELLO", "hello", false));
  EXPECT_TRUE(GlobMatch("h[A-Z]llo", "hello", true));
  EXPECT_TRUE(GlobMatch("h[E]llo", "hello", true));
  EXPECT_TRUE(GlobMatch("h[^E]llo", "hallo", true));
  EXPECT_FALSE(GlobMatch("h[^E]llo", "hello", true));
  EXPECT_TRUE(GlobMatch("\\H*", "hat", true));
  // Redis folds a range after ordering it, so [Z-a] (90..97) becomes the empty
  // range z..a; and an escaped byte inside a class is compared exactly.
  EXPECT_TRUE(GlobMatch("[Z-a]", "_"));
  EXPECT_FALSE(GlobMatch("[Z-a]", "a", true));
  EXPECT_FALSE(GlobMatch("[\\A]", "a", true));
  EXPECT_TRUE(GlobMatch("[\\A]", "A", true));
}

TEST(GlobTest, BinarySafe) {
  EXPECT_TRUE(GlobMatch("a\0*"sv, "a\0bc"sv));
  EXPECT_FALSE(GlobMatch("a\0*"sv, "a"sv));
  EXPECT_TRUE(GlobMatch("?"sv, "\0"sv));
  EXPECT_TRUE(GlobMatch("[\0]"sv, "\0"sv));
  // Bytes >= 0x80 order as signed chars, like Redis on x86.
  EXPECT_TRUE(GlobMatch("[\x80-\xff]", "\x90"));
  EXPECT_FALSE(GlobMatch("[\x80-\xff]", "a"));
}

TEST(GlobTest, ManyStarsStayFast) {
  const auto start = std::chrono::steady_clock::now();
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "a*";
  std::string subject(20000, 'a');
  EXPECT_FALSE(GlobMatch(pattern + "b", subject));
  EXPECT_TRUE(GlobMatch(pattern + "a", subject));
  std::string stars(5000, '*');
  EXPECT_TRUE(GlobMatch(stars + "x" + stars, subject + "x" + subject));
  EXPECT_FALSE(GlobMatch("*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b", subject));
  std::string alternating;
  for (int i = 0; i < 2000; ++i) alternating += "*a";
  EXPECT_FALSE(GlobMatch(alternating + "*b", subject));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

// An independent transcription of Redis's recursive matcher, without the
// early-out: exponential, so only for short inputs. GlobMatch must agree.
bool ReferenceMatch(std::string_view p, std::string_view s, bool nocase) {
  auto lower = [](int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
  auto eq = [&](char a, char b) {
    return nocase ? lower(static_cast<signed char>(a)) == lower(static_cast<signed char>(b))
                  : a == b;
  };
  size_t pi = 0;
  size_t si = 0;
  while (pi < p.size() && si < s.size()) {
    if (p[pi] == '*') {
      while (pi + 1 < p.size() && p[pi + 1] == '*') ++pi;
      if (pi + 1 == p.size()) return true;
      for (size_t from = si; from < s.size(); ++from) {
        if (ReferenceMatch(p.substr(pi + 1), s.substr(from), nocase)) return true;
      }
      return false;
    }
    if (p[pi] == '?') {
      ++pi;
    } else if (p[pi] == '[') {
      ++pi;
      const bool negate = pi < p.size() && p[pi] == '^';
      if (negate) ++pi;
      bool hit = false;
      for (;;) {
        if (pi == p.size()) break;
        if (p[pi] == '\\' && pi + 1 < p.size()) {
          hit |= p[pi + 1] == s[si];
          pi += 2;
          continue;
        }
        if (p[pi] == ']') {
          ++pi;
          break;
        }
        if (pi + 2 < p.size() && p[pi + 1] == '-') {
          // Signed on purpose: Redis compares x86's signed chars.
          int a = static_cast<signed char>(p[pi]);      // NOLINT(bugprone-signed-char-misuse)
          int b = static_cast<signed char>(p[pi + 2]);  // NOLINT(bugprone-signed-char-misuse)
          int c = static_cast<signed char>(s[si]);      // NOLINT(bugprone-signed-char-misuse)
          if (a > b) std::swap(a, b);
          if (nocase) {
            a = lower(a);
            b = lower(b);
            c = lower(c);
          }
          hit |= a <= c && c <= b;
          pi += 3;
          continue;
        }
        hit |= eq(p[pi], s[si]);
        ++pi;
      }
      if (hit == negate) return false;
    } else {
      if (p[pi] == '\\' && pi + 1 < p.size()) ++pi;
      if (!eq(p[pi], s[si])) return false;
      ++pi;
    }
    ++si;
    if (si == s.size()) {
      while (pi < p.size() && p[pi] == '*') ++pi;
    }
  }
  return pi == p.size() && si == s.size();
}

TEST(GlobTest, AgreesWithReferenceOnRandomInputs) {
  std::mt19937 rng(20240601);
  const std::string pattern_chars = "ab*?[]^-\\A";
  const std::string subject_chars = "abAB]-^\\*";
  for (int iter = 0; iter < 200000; ++iter) {
    std::string p(rng() % 8, ' ');
    for (char& c : p) c = pattern_chars[rng() % pattern_chars.size()];
    std::string s(rng() % 7, ' ');
    for (char& c : s) c = subject_chars[rng() % subject_chars.size()];
    const bool nocase = rng() % 2;
    ASSERT_EQ(GlobMatch(p, s, nocase), ReferenceMatch(p, s, nocase))
        << "pattern=" << p << " subject=" << s << " nocase=" << nocase;
  }
}

TEST(GlobTest, LiteralPrefix) {
  EXPECT_EQ(LiteralPrefix("user:*"), "user:");
  EXPECT_EQ(LiteralPrefix("user:**"), "user:");
  EXPECT_EQ(LiteralPrefix("*"), "");
  EXPECT_EQ(LiteralPrefix("a]^-*"), "a]^-");
  EXPECT_EQ(LiteralPrefix("user:"), std::nullopt);
  EXPECT_EQ(LiteralPrefix(""), std::nullopt);
  EXPECT_EQ(LiteralPrefix("us?r:*"), std::nullopt);
  EXPECT_EQ(LiteralPrefix("u[s]er:*"), std::nullopt);
  EXPECT_EQ(LiteralPrefix("a*b*"), std::nullopt);
  EXPECT_EQ(LiteralPrefix("*a*"), std::nullopt);
  EXPECT_EQ(LiteralPrefix("user\\**"), std::nullopt);  // escapes are not unescaped
}

}  // namespace
}  // namespace stashd::store
