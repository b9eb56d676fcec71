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

// A string's bytes; a collection as "<type>{member=value,...}" in member
// order, so equal contents compare equal whatever the internal order.
inline std::string Describe(const store::ValueView& v) {
  if (v.object == nullptr) return std::string(v.str);
  std::map<std::string, std::string> elements;
  v.object->ForEachElement(
      [&](const store::ElementView& e) { elements[std::string(e.member)] = std::string(e.value); });
  std::string out = std::string(store::TypeName(v.type)) + "{";
  for (const auto& [m, val] : elements) out += m + "=" + val + ",";
  return out + "}";
}

inline Dump DumpKeyspace(store::Keyspace& ks) {
  Dump out;
  auto locks = ks.Lock(ks.AllShardsMask());
  for (int db = 0; db < ks.databases(); ++db) {
    ks.ForEachKey(db, [&](std::string_view key, const store::ValueView& v) {
      out[{db, std::string(key)}] = DumpedValue{Describe(v), v.expire_at_ms};
    });
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& os, const DumpedValue& v) {
  return os << "{" << v.value.substr(0, 40) << " @" << v.expire_at_ms << "}";
}

}  // namespace stashd::test
