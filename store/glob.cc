#include "store/glob.h"

#include <cstddef>
#include <utility>

namespace stashd::store {
namespace {

// Redis compares `char` values promoted to int; on x86 they are signed.
// Making that explicit keeps ranges over bytes >= 0x80 identical everywhere.
int ByteValue(char c) { return static_cast<signed char>(c); }

// tolower() in the C locale: only ASCII letters fold.
int Fold(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

bool SameByte(char a, char b, bool nocase) {
  return nocase ? Fold(ByteValue(a)) == Fold(ByteValue(b)) : a == b;
}

// Matches the class whose '[' is at pattern[pos] against c. Sets *next to the
// position after the class. Where the class ends depends only on the pattern,
// never on c: this is what lets GlobMatch treat every non-star element as
// consuming exactly one byte.
bool MatchClass(std::string_view pattern, size_t pos, char c, bool nocase, size_t* next) {
  const size_t end = pattern.size();
  size_t i = pos + 1;
  bool negate = false;
  if (i < end && pattern[i] == '^') {
    negate = true;
    ++i;
  }
  bool match = false;
  while (true) {
    if (i >= end) {  // unterminated: the class swallows the rest of the pattern
      *next = end;
      break;
    }
    if (pattern[i] == '\\' && i + 1 < end) {
      // Redis compares an escaped byte exactly, even with nocase.
      if (pattern[i + 1] == c) match = true;
      i += 2;
    } else if (pattern[i] == ']') {
      *next = i + 1;
      break;
    } else if (i + 2 < end && pattern[i + 1] == '-') {
      int lo = ByteValue(pattern[i]);
      int hi = ByteValue(pattern[i + 2]);
      int v = ByteValue(c);
      if (lo > hi) std::swap(lo, hi);
      // Folding after the swap, as Redis does: [Z-a] with nocase is empty.
      if (nocase) {
        lo = Fold(lo);
        hi = Fold(hi);
        v = Fold(v);
      }
      if (v >= lo && v <= hi) match = true;
      i += 3;
    } else {
      if (SameByte(pattern[i], c, nocase)) match = true;
      ++i;
    }
  }
  return negate ? !match : match;
}

// Matches the single-byte element at pattern[pos] (anything but '*') against
// c, setting *next past the element.
bool MatchElement(std::string_view pattern, size_t pos, char c, bool nocase, size_t* next) {
  switch (pattern[pos]) {
    case '?':
      *next = pos + 1;
      return true;
    case '[':
      return MatchClass(pattern, pos, c, nocase, next);
    case '\\':
      if (pos + 1 < pattern.size()) {
        *next = pos + 2;
        return SameByte(pattern[pos + 1], c, nocase);
      }
      break;  // a trailing backslash is a literal backslash
    default:
      break;
  }
  *next = pos + 1;
  return SameByte(pattern[pos], c, nocase);
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  const size_t m = pattern.size();
  const size_t n = str.size();
  if (n == 0) return m == 0;

  // Every element but '*' consumes exactly one byte, so when the pattern
  // after the latest star fails, letting that star absorb one more byte is
  // the only retry that can help: earlier stars could only shift the tail to
  // positions the latest star also reaches. One backtrack point, no
  // recursion, O(m * n).
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t p = 0;
  size_t s = 0;
  size_t star_p = kNone;  // pattern position just after the latest star run
  size_t star_s = 0;      // where that star's match currently ends in str
  while (s < n) {
    if (p < m && pattern[p] == '*') {
      while (p < m && pattern[p] == '*') ++p;
      if (p == m) return true;
      star_p = p;
      star_s = s;
      continue;
    }
    size_t next;
    if (p < m && MatchElement(pattern, p, str[s], nocase, &next)) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == kNone) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < m && pattern[p] == '*') ++p;
  return p == m;
}

std::optional<std::string_view> LiteralPrefix(std::string_view pattern) {
  size_t end = pattern.size();
  if (end == 0 || pattern[end - 1] != '*') return std::nullopt;
  while (end > 0 && pattern[end - 1] == '*') --end;
  std::string_view prefix = pattern.substr(0, end);
  if (prefix.find_first_of("*?[\\") != std::string_view::npos) return std::nullopt;
  return prefix;
}

}  // namespace stashd::store
