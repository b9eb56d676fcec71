// A decoded RESP reply for tests, with matchers:
//   EXPECT_EQ(Run({"set", "k", "v"}), "OK");          // simple or bulk string
//   EXPECT_THAT(Run({"get", "nope"}), IsNil());
//   EXPECT_THAT(Run({"incr", "n"}), IsInt(1));
//   EXPECT_THAT(Run({"get"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
//   EXPECT_THAT(Run({"mget", "a", "b"}), ElementsAre("1", IsNil()));  // via .elems
#pragma once

#include <gmock/gmock.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace stashd::test {

struct RespValue {
  enum class Kind {
    kSimple,
    kError,
    kInteger,
    kBulk,
    kNil,
    kArray,
    kMap,
    kSet,
    kPush,
    kDouble,
    kBool,
    kVerbatim,
    kBigNumber
  };
  Kind kind = Kind::kNil;
  std::string str;  // simple, error, bulk, verbatim (without "txt:"), double text
  int64_t integer = 0;
  std::vector<RespValue> elems;  // array, set, push; map: key, value, key, value ...

  bool IsString() const {
    return kind == Kind::kSimple || kind == Kind::kBulk || kind == Kind::kVerbatim;
  }
  size_t size() const { return elems.size(); }
  const RespValue& operator[](size_t i) const { return elems.at(i); }
  // Map lookup by string key (maps, or RESP2 flat arrays of pairs).
  const RespValue* Get(std::string_view key) const {
    for (size_t i = 0; i + 1 < elems.size(); i += 2) {
      if (elems[i].IsString() && elems[i].str == key) return &elems[i + 1];
    }
    return nullptr;
  }
  std::vector<std::string> Strings() const {
    std::vector<std::string> out;
    for (const auto& e : elems) out.push_back(e.str);
    return out;
  }
};

// Parses one reply from `in` at *pos; nullopt if incomplete or malformed.
std::optional<RespValue> ParseResp(std::string_view in, size_t* pos);
std::string DebugString(const RespValue& v);

inline bool operator==(const RespValue& v, std::string_view s) {
  return v.IsString() && v.str == s;
}
inline bool operator==(const RespValue& v, const char* s) { return v == std::string_view(s); }
inline bool operator==(const RespValue& v, const std::string& s) {
  return v == std::string_view(s);
}
inline void PrintTo(const RespValue& v, std::ostream* os) { *os << DebugString(v); }

MATCHER(IsNil, "is a null reply") { return arg.kind == RespValue::Kind::kNil; }
MATCHER_P(IsInt, n, "is the integer " + testing::PrintToString(n)) {
  return arg.kind == RespValue::Kind::kInteger && arg.integer == static_cast<int64_t>(n);
}
MATCHER_P(ErrorIs, text, "is the error " + testing::PrintToString(text)) {
  return arg.kind == RespValue::Kind::kError && arg.str == text;
}
MATCHER_P(ErrorStartsWith, text, "is an error starting with " + testing::PrintToString(text)) {
  return arg.kind == RespValue::Kind::kError && arg.str.rfind(text, 0) == 0;
}
MATCHER_P(ArrayOfSize, n, "is an array of " + testing::PrintToString(n) + " elements") {
  return (arg.kind == RespValue::Kind::kArray || arg.kind == RespValue::Kind::kSet) &&
         arg.elems.size() == static_cast<size_t>(n);
}
// An array whose elements are exactly these strings, in order.
MATCHER_P(StrArray, strs, "is the array " + testing::PrintToString(strs)) {
  if (arg.kind != RespValue::Kind::kArray) return false;
  std::vector<std::string> want(strs.begin(), strs.end());
  return arg.Strings() == want;
}
// Same, in any order.
MATCHER_P(StrSet, strs, "is (in any order) " + testing::PrintToString(strs)) {
  if (arg.kind != RespValue::Kind::kArray && arg.kind != RespValue::Kind::kSet) return false;
  std::vector<std::string> got = arg.Strings();
  std::vector<std::string> want(strs.begin(), strs.end());
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  return got == want;
}

}  // namespace stashd::test
