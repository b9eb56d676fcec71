// Transparent hash and equality over std::string_view for absl containers
// keyed by std::string (this absl build keeps absl::string_view distinct from
// std::string_view, so its default string hash does not take ours). The hash
// is absl::Hash, seeded per process, so fields chosen by a client cannot be
// made to collide on purpose.
#pragma once

#include <absl/hash/hash.h>

#include <cstddef>
#include <string_view>

namespace stashd::store {

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>()(absl::string_view(s.data(), s.size()));
  }
};

struct StringViewEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

}  // namespace stashd::store
