// Redis glob patterns, as used by KEYS, SCAN MATCH, PSUBSCRIBE and CONFIG GET.
//
// Syntax (byte-oriented, binary safe):
//   *        any sequence of bytes, including none
//   ?        any one byte
//   [abc]    one byte of the set; [^abc] one byte not in it
//   [a-z]    a range; reversed bounds are swapped ([z-a] == [a-z])
//   \x       the byte x itself, outside or inside brackets; a trailing lone
//            backslash matches a backslash
//
// The quirks of Redis's matcher are reproduced on purpose:
//   - an empty string matches only the empty pattern, so "*" does not match ""
//     (KEYS and SCAN treat a bare "*" as "every key" without matching);
//   - an unterminated class ("[abc") runs to the end of the pattern and still
//     matches one byte; "[a-]" is the range from 'a' to ']';
//   - bytes compare as signed chars in ranges (as Redis does on x86), and
//     `nocase` folds ASCII letters only; an escaped byte inside brackets
//     ignores `nocase`.
// Unlike Redis there is no nesting limit: matching is O(pattern * string),
// whatever the number of stars.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace stashd::store {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// If the pattern is a literal followed by one or more '*' and nothing else
// special ("user:*"), returns the literal ("user:"): the pattern then matches
// exactly the non-empty strings starting with it. Otherwise nullopt.
std::optional<std::string_view> LiteralPrefix(std::string_view pattern);

}  // namespace stashd::store
