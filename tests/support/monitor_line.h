// MONITOR lines in tests: "+<10-digit seconds>.<6-digit microseconds> rest".
// (Checked by hand: std::regex trips GCC 12's -Wmaybe-uninitialized under
// the sanitizer build's -Werror.)
#pragma once

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace stashd::test {

// What follows the "+seconds.microseconds " prefix of a MONITOR line, or
// nullopt if the line does not start so.
inline std::optional<std::string> AfterMonitorTimestamp(std::string_view line) {
  constexpr size_t kPrefix = 1 + 10 + 1 + 6 + 1;
  if (line.size() < kPrefix || line[0] != '+' || line[11] != '.' || line[18] != ' ') {
    return std::nullopt;
  }
  for (size_t i = 1; i < 18; ++i) {
    if (i != 11 && !std::isdigit(static_cast<unsigned char>(line[i]))) return std::nullopt;
  }
  return std::string(line.substr(kPrefix));
}

}  // namespace stashd::test
