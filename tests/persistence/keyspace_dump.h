// Test helpers: a keyspace's whole contents as a comparable map.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "store/keyspace.h"

namespace stashd::test {

struct DumpedValue {
  std::string value;
  int64_t expire_at_ms;
  bool operator==(const DumpedValue& o) const {
    return value == o.value && expire_at_ms == o.expire_at_ms;
  }
};

using Dump = std::map<std::pair<int, std::string>, DumpedValue>;

inline Dump DumpKeyspace(store::Keyspace& ks) {
  Dump out;
  auto locks = ks.Lock(ks.AllShardsMask());
  for (int db = 0; db < ks.databases(); ++db) {
    ks.ForEachKey(db, [&](std::string_view key, const store::ValueView& v) {
      out[{db, std::string(key)}] = DumpedValue{std::string(v.str), v.expire_at_ms};
    });
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& os, const DumpedValue& v) {
  return os << "{" << v.value.substr(0, 40) << " @" << v.expire_at_ms << "}";
}

}  // namespace stashd::test
