#include "protocol/reply_builder.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace stashd::protocol {

namespace {

constexpr std::string_view kCrlf = "\r\n";

// Largest "%.17g" output is 24 characters ("-2.2250738585072014e-308").
constexpr size_t kDoubleBufSize = 32;

}  // namespace

void ReplyBuilder::Prefix(char c, uint64_t n) {
  char tmp[24];  // type char + 20 digits + CRLF
  tmp[0] = c;
  char* end = std::to_chars(tmp + 1, tmp + sizeof(tmp), n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  buf_.append(tmp, end - tmp);
}

void ReplyBuilder::Ok() { buf_.append("+OK\r\n"); }

void ReplyBuilder::SimpleString(std::string_view s) {
  buf_.push_back('+');
  buf_.append(s);
  buf_.append(kCrlf);
}

void ReplyBuilder::Error(std::string_view text) {
  buf_.push_back('-');
  // A newline inside would end the error early and desync the client.
  size_t start = 0;
  for (size_t i = text.find_first_of(kCrlf); i != std::string_view::npos;
       i = text.find_first_of(kCrlf, start)) {
    buf_.append(text.substr(start, i - start));
    buf_.push_back(' ');
    start = i + 1;
  }
  buf_.append(text.substr(start));
  buf_.append(kCrlf);
}

void ReplyBuilder::Integer(int64_t v) {
  char tmp[24];  // ':' + 20 characters of INT64_MIN + CRLF
  tmp[0] = ':';
  char* end = std::to_chars(tmp + 1, tmp + sizeof(tmp), v).ptr;
  *end++ = '\r';
  *end++ = '\n';
  buf_.append(tmp, end - tmp);
}

void ReplyBuilder::Bulk(std::string_view s) {
  Prefix('$', s.size());
  buf_.append(s);
  buf_.append(kCrlf);
}

void ReplyBuilder::Null() { buf_.append(resp3_ ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::NullArray() { buf_.append(resp3_ ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::ArrayLen(size_t n) { Prefix('*', n); }

void ReplyBuilder::MapLen(size_t n) {
  if (resp3_) {
    Prefix('%', n);
  } else {
    Prefix('*', 2 * static_cast<uint64_t>(n));
  }
}

void ReplyBuilder::SetLen(size_t n) { Prefix(resp3_ ? '~' : '*', n); }

void ReplyBuilder::PushLen(size_t n) { Prefix(resp3_ ? '>' : '*', n); }

void ReplyBuilder::HumanDouble(double d) {
  char tmp[128];
  int n = std::snprintf(tmp, sizeof tmp, "%.17Lf", static_cast<long double>(d));
  std::string_view text(tmp, n > 0 ? static_cast<size_t>(n) : 0);
  if (std::isinf(d)) {
    text = d > 0 ? "inf" : "-inf";
  } else if (text.find('.') != std::string_view::npos) {
    while (text.ends_with('0')) text.remove_suffix(1);
    if (text.ends_with('.')) text.remove_suffix(1);
  }
  if (text == "-0") text = "0";
  if (resp3_) {
    buf_.push_back(',');
    buf_.append(text);
    buf_.append(kCrlf);
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::Double(double d) {
  // Redis 7.0 addReplyDouble(): infinities are spelled out explicitly,
  // everything else is "%.17g" (std::to_chars with precision 17 is specified
  // to produce exactly printf's "%.17g", without the locale dependence).
  std::string_view text;
  char tmp[kDoubleBufSize];
  if (std::isinf(d)) {
    text = d > 0 ? "inf" : "-inf";
  } else {
    char* end = std::to_chars(tmp, tmp + sizeof(tmp), d, std::chars_format::general, 17).ptr;
    text = std::string_view(tmp, end - tmp);
  }
  if (resp3_) {
    buf_.push_back(',');
    buf_.append(text);
    buf_.append(kCrlf);
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::Bool(bool b) {
  if (resp3_) {
    buf_.append(b ? "#t\r\n" : "#f\r\n");
  } else {
    buf_.append(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyBuilder::BigNumber(std::string_view s) {
  if (!resp3_) {
    Bulk(s);
    return;
  }
  buf_.push_back('(');
  buf_.append(s);
  buf_.append(kCrlf);
}

void ReplyBuilder::Verbatim(std::string_view s, std::string_view format) {
  if (!resp3_) {
    Bulk(s);
    return;
  }
  Prefix('=', format.size() + 1 + s.size());
  buf_.append(format);
  buf_.push_back(':');
  buf_.append(s);
  buf_.append(kCrlf);
}

void ReplyBuilder::Raw(std::string_view resp) { buf_.append(resp); }

}  // namespace stashd::protocol
