#include "support/resp_value.h"

#include <charconv>

namespace stashd::test {
namespace {

std::optional<std::string_view> Line(std::string_view in, size_t* pos) {
  size_t end = in.find("\r\n", *pos);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view line = in.substr(*pos, end - *pos);
  *pos = end + 2;
  return line;
}

std::optional<int64_t> Int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<RespValue> ParseResp(std::string_view in, size_t* pos) {
  if (*pos >= in.size()) return std::nullopt;
  char type = in[*pos];
  ++*pos;
  auto line = Line(in, pos);
  if (!line) return std::nullopt;
  RespValue v;
  using K = RespValue::Kind;
  auto aggregate = [&](K kind, int64_t n) -> std::optional<RespValue> {
    v.kind = kind;
    for (int64_t i = 0; i < n; ++i) {
      auto e = ParseResp(in, pos);
      if (!e) return std::nullopt;
      v.elems.push_back(std::move(*e));
    }
    return v;
  };
  switch (type) {
    case '+':
      v.kind = K::kSimple;
      v.str = *line;
      return v;
    case '-':
      v.kind = K::kError;
      v.str = *line;
      return v;
    case ':': {
      auto n = Int(*line);
      if (!n) return std::nullopt;
      v.kind = K::kInteger;
      v.integer = *n;
      return v;
    }
    case ',':
      v.kind = K::kDouble;
      v.str = *line;
      return v;
    case '(':
      v.kind = K::kBigNumber;
      v.str = *line;
      return v;
    case '#':
      v.kind = K::kBool;
      v.integer = (*line == "t");
      return v;
    case '_':
      v.kind = K::kNil;
      return v;
    case '$':
    case '=': {
      auto n = Int(*line);
      if (!n) return std::nullopt;
      if (*n < 0) {
        v.kind = K::kNil;
        return v;
      }
      if (*pos + *n + 2 > in.size()) return std::nullopt;
      v.kind = type == '$' ? K::kBulk : K::kVerbatim;
      v.str = in.substr(*pos, *n);
      if (type == '=') v.str = v.str.substr(4);
      *pos += *n + 2;
      return v;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      auto n = Int(*line);
      if (!n) return std::nullopt;
      if (*n < 0) {
        v.kind = K::kNil;
        return v;
      }
      if (type == '*') return aggregate(K::kArray, *n);
      if (type == '~') return aggregate(K::kSet, *n);
      if (type == '>') return aggregate(K::kPush, *n);
      return aggregate(K::kMap, *n * 2);
    }
    default:
      return std::nullopt;
  }
}

std::string DebugString(const RespValue& v) {
  using K = RespValue::Kind;
  switch (v.kind) {
    case K::kSimple:
      return "+" + v.str;
    case K::kError:
      return "-" + v.str;
    case K::kInteger:
      return ":" + std::to_string(v.integer);
    case K::kBulk:
      return "\"" + v.str + "\"";
    case K::kVerbatim:
      return "verbatim\"" + v.str + "\"";
    case K::kNil:
      return "(nil)";
    case K::kDouble:
      return "," + v.str;
    case K::kBigNumber:
      return "(" + v.str;
    case K::kBool:
      return v.integer ? "#t" : "#f";
    default: {
      std::string open = v.kind == K::kMap    ? "%{"
                         : v.kind == K::kSet  ? "~{"
                         : v.kind == K::kPush ? ">["
                                              : "[";
      std::string s = open;
      for (size_t i = 0; i < v.elems.size(); ++i) {
        if (i) s += ", ";
        s += DebugString(v.elems[i]);
      }
      return s + (v.kind == K::kMap || v.kind == K::kSet ? "}" : "]");
    }
  }
}

}  // namespace stashd::test
