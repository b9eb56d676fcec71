#include "protocol/reply_reader.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace stashd::protocol {
namespace {

bool ParseInt(std::string_view s, int64_t* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

bool ReplyReader::Line(std::string_view* line) {
  size_t end = in_.find("\r\n", pos_);
  if (end == std::string_view::npos) return false;
  *line = in_.substr(pos_, end - pos_);
  pos_ = end + 2;
  return true;
}

bool ReplyReader::Next(ReplyItem* item) {
  if (pos_ >= in_.size()) return false;
  const char type = in_[pos_++];
  std::string_view line;
  if (!Line(&line)) return false;
  using Kind = ReplyItem::Kind;
  *item = ReplyItem{};
  int64_t n = 0;
  switch (type) {
    case '+':
      item->kind = Kind::kSimple;
      item->str = line;
      return true;
    case '-':
      item->kind = Kind::kError;
      item->str = line;
      return true;
    case ':':
      item->kind = Kind::kInteger;
      return ParseInt(line, &item->integer);
    case '_':
      item->kind = Kind::kNull;
      return true;
    case '#':
      item->kind = Kind::kBool;
      item->integer = line == "t" ? 1 : 0;
      return true;
    case '(':
      item->kind = Kind::kBigNumber;
      item->str = line;
      return true;
    case ',': {
      item->kind = Kind::kDouble;
      if (line == "inf") {
        item->dbl = std::numeric_limits<double>::infinity();
      } else if (line == "-inf") {
        item->dbl = -std::numeric_limits<double>::infinity();
      } else if (line == "nan") {
        item->dbl = std::nan("");
      } else {
        std::string s(line);
        char* end = nullptr;
        item->dbl = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size()) return false;
      }
      return true;
    }
    case '$':
    case '=': {
      if (!ParseInt(line, &n)) return false;
      if (n < 0) {
        item->kind = Kind::kNullBulk;
        return true;
      }
      const auto len = static_cast<size_t>(n);
      if (in_.size() - pos_ < len + 2) return false;
      item->str = in_.substr(pos_, len);
      pos_ += len + 2;
      item->kind = Kind::kBulk;
      if (type == '=') {
        if (item->str.size() < 4) return false;
        item->kind = Kind::kVerbatim;
        item->format = item->str.substr(0, 3);
        item->str.remove_prefix(4);
      }
      return true;
    }
    case '*':
    case '>':
    case '%':
    case '~':
    case '|':
      if (!ParseInt(line, &n)) return false;
      if (n < 0) {
        item->kind = Kind::kNullArray;
        return true;
      }
      item->len = static_cast<size_t>(n);
      item->kind = type == '%'   ? Kind::kMap
                   : type == '~' ? Kind::kSet
                   : type == '|' ? Kind::kAttribute
                                 : Kind::kArray;
      return true;
    default:
      return false;
  }
}

}  // namespace stashd::protocol
