#include "protocol/resp_parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "protocol/errors.h"

namespace stashd::protocol {

namespace {

// Redis string2ll(): an optional '-' then digits, no leading zeros ("0"
// alone is fine, "-0" is not), no '+', no spaces, must fit in a long long.
bool ParseStrictInt(std::string_view s, long long* v) {
  if (s == "0") {
    *v = 0;
    return true;
  }
  size_t first_digit = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (first_digit >= s.size() || s[first_digit] < '1' || s[first_digit] > '9') return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// isspace() in the "C" locale, which Redis keeps for LC_CTYPE.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits an inline command line the way Redis sdssplitargs() does. That
// function walks a NUL-terminated C string, so At() returns '\0' past the end
// and every rule below is phrased in terms of it. Returns false on unbalanced
// quotes (including a closing quote glued to the next token).
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* args) {
  auto at = [line](size_t i) { return i < line.size() ? line[i] : '\0'; };
  size_t i = 0;
  while (true) {
    while (at(i) != '\0' && IsSpace(at(i))) ++i;
    if (at(i) == '\0') return true;

    std::string current;
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      char c = at(i);
      if (in_double) {
        if (c == '\\' && at(i + 1) == 'x' && HexValue(at(i + 2)) >= 0 && HexValue(at(i + 3)) >= 0) {
          current.push_back(static_cast<char>(HexValue(at(i + 2)) * 16 + HexValue(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          switch (at(i)) {
            case 'n':
              current.push_back('\n');
              break;
            case 'r':
              current.push_back('\r');
              break;
            case 't':
              current.push_back('\t');
              break;
            case 'b':
              current.push_back('\b');
              break;
            case 'a':
              current.push_back('\a');
              break;
            default:
              current.push_back(at(i));
              break;
          }
        } else if (c == '"') {
          if (at(i + 1) != '\0' && !IsSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          current.push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          current.push_back('\'');
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !IsSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          current.push_back(c);
        }
      } else {
        // Unlike the skip loop above, only these end a token: "\v" and "\f"
        // are kept inside it, as in Redis.
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            current.push_back(c);
            break;
        }
      }
      if (at(i) != '\0') ++i;
    }
    args->push_back(std::move(current));
  }
}

// Below this size a bulk string's buffer is allocated at once; above it, it
// grows with the bytes that actually arrive, so a client announcing a huge
// length without sending it cannot make us allocate it.
constexpr size_t kEagerReserve = 1 << 20;

}  // namespace

std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::vector<std::string> args;
  if (!SplitInlineArgs(line, &args)) return std::nullopt;
  return args;
}

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}

void RequestParser::Reset() {
  state_ = State::kStart;
  remaining_args_ = 0;
  bulk_len_ = -1;
  crlf_left_ = 0;
  args_.clear();
  partial_bytes_ = 0;
  line_scanned_ = 0;
}

ParseStatus RequestParser::Fail(ParseStatus status) {
  Reset();
  return status;
}

RequestParser::LineEnd RequestParser::FindLineEnd(std::string_view in, size_t start, char term,
                                                  size_t* end) {
  // Guards against a caller that hands us less than last time.
  if (start + line_scanned_ > in.size()) line_scanned_ = 0;
  const char* base = in.data() + start;
  size_t len = in.size() - start;
  // Redis finds line ends with strchr(), which stops at a NUL byte: a NUL
  // before `term` means "no line end yet". The scan resumes at that NUL on
  // the next call, so the line stays unterminated, as in Redis.
  const void* t = std::memchr(base + line_scanned_, term, len - line_scanned_);
  size_t limit = t ? static_cast<const char*>(t) - base : len;
  const void* nul = std::memchr(base + line_scanned_, '\0', limit - line_scanned_);
  if (nul) {
    line_scanned_ = static_cast<const char*>(nul) - base;
    return LineEnd::kPending;
  }
  line_scanned_ = limit;
  if (!t) return LineEnd::kPending;
  *end = start + limit;
  return LineEnd::kFound;
}

ParseStatus RequestParser::Parse(std::span<const char> input, size_t* consumed,
                                 std::vector<std::string>* out) {
  const std::string_view in(input.data(), input.size());
  size_t pos = 0;
  *consumed = 0;

  while (true) {
    switch (state_) {
      case State::kStart: {
        if (pos == in.size()) return ParseStatus::kInputPending;

        if (in[pos] != '*') {
          size_t newline;
          if (FindLineEnd(in, pos, '\n', &newline) == LineEnd::kPending) {
            if (in.size() - pos > limits_.max_inline_len) {
              return Fail(ParseStatus::kTooBigInlineRequest);
            }
            return ParseStatus::kInputPending;
          }
          line_scanned_ = 0;
          size_t line_end = newline;
          if (line_end > pos && in[line_end - 1] == '\r') --line_end;
          args_.clear();
          if (!SplitInlineArgs(in.substr(pos, line_end - pos), &args_)) {
            return Fail(ParseStatus::kUnbalancedQuotes);
          }
          pos = newline + 1;
          *consumed = pos;
          if (args_.empty()) continue;
          out->swap(args_);
          args_.clear();
          return ParseStatus::kOk;
        }

        // "*<count>\r\n". As in Redis, the line ends at '\r' and the byte
        // after it is skipped without being checked.
        size_t cr;
        if (FindLineEnd(in, pos, '\r', &cr) == LineEnd::kPending) {
          if (in.size() - pos > limits_.max_inline_len) {
            return Fail(ParseStatus::kTooBigMbulkCount);
          }
          return ParseStatus::kInputPending;
        }
        if (cr + 1 >= in.size()) return ParseStatus::kInputPending;
        line_scanned_ = 0;
        long long count;
        if (!ParseStrictInt(in.substr(pos + 1, cr - pos - 1), &count) ||
            count > static_cast<long long>(limits_.max_multibulk_len)) {
          return Fail(ParseStatus::kInvalidMultibulkLength);
        }
        if (!authenticated_ &&
            count > static_cast<long long>(limits_.max_unauthenticated_multibulk_len)) {
          return Fail(ParseStatus::kUnauthenticatedMultibulkLength);
        }
        pos = cr + 2;
        *consumed = pos;
        if (count <= 0) continue;
        remaining_args_ = count;
        args_.clear();
        args_.reserve(static_cast<size_t>(std::min(count, 1024LL)));
        state_ = State::kArrayElement;
        break;
      }

      case State::kArrayElement: {
        size_t cr;
        if (FindLineEnd(in, pos, '\r', &cr) == LineEnd::kPending) {
          if (in.size() - pos > limits_.max_inline_len) {
            return Fail(ParseStatus::kTooBigBulkCount);
          }
          return ParseStatus::kInputPending;
        }
        if (cr + 1 >= in.size()) return ParseStatus::kInputPending;
        line_scanned_ = 0;
        if (in[pos] != '$') {
          bad_char_ = in[pos];
          return Fail(ParseStatus::kExpectedDollar);
        }
        long long len;
        if (!ParseStrictInt(in.substr(pos + 1, cr - pos - 1), &len) || len < 0 ||
            static_cast<unsigned long long>(len) > limits_.max_bulk_len) {
          return Fail(ParseStatus::kInvalidBulkLength);
        }
        if (!authenticated_ &&
            static_cast<unsigned long long>(len) > limits_.max_unauthenticated_bulk_len) {
          return Fail(ParseStatus::kUnauthenticatedBulkLength);
        }
        pos = cr + 2;
        *consumed = pos;
        bulk_len_ = len;
        crlf_left_ = 2;
        args_.emplace_back().reserve(std::min<size_t>(len, kEagerReserve));
        state_ = State::kBulkBody;
        break;
      }

      case State::kBulkBody: {
        std::string& arg = args_.back();
        const size_t want = static_cast<size_t>(bulk_len_) - arg.size();
        const size_t take = std::min(want, in.size() - pos);
        if (take > 0) {
          if (arg.size() + take > arg.capacity()) {
            // Geometric growth keeps copying linear; capping at the declared
            // length keeps the final string exactly sized. The bytes move to
            // a fresh string because libstdc++'s reserve() on a non-empty
            // string rounds up to twice the old capacity (a 190 MB value would
            // take 256 MB).
            std::string grown;
            grown.reserve(
                std::min<size_t>(bulk_len_, std::max(2 * arg.capacity(), arg.size() + take)));
            grown.append(arg);
            arg.swap(grown);
          }
          arg.append(in.data() + pos, take);
          partial_bytes_ += take;
          pos += take;
        }
        if (arg.size() == static_cast<size_t>(bulk_len_)) {
          // Redis skips the two bytes after the body without looking at them.
          const size_t skip = std::min(crlf_left_, in.size() - pos);
          pos += skip;
          crlf_left_ -= skip;
        }
        *consumed = pos;
        if (arg.size() < static_cast<size_t>(bulk_len_) || crlf_left_ > 0) {
          return ParseStatus::kInputPending;
        }
        bulk_len_ = -1;
        if (--remaining_args_ > 0) {
          state_ = State::kArrayElement;
          break;
        }
        state_ = State::kStart;
        out->swap(args_);
        args_.clear();
        partial_bytes_ = 0;
        return ParseStatus::kOk;
      }
    }
  }
}

std::string RequestParser::ErrorText(ParseStatus status) const {
  switch (status) {
    case ParseStatus::kOk:
    case ParseStatus::kInputPending:
      return {};
    case ParseStatus::kInvalidMultibulkLength:
      return std::string(errors::kProtoInvalidMultibulk);
    case ParseStatus::kInvalidBulkLength:
      return std::string(errors::kProtoInvalidBulk);
    case ParseStatus::kExpectedDollar: {
      // Redis turns newlines in an error into spaces to keep the reply valid.
      const char c = (bad_char_ == '\r' || bad_char_ == '\n') ? ' ' : bad_char_;
      return errors::Format(errors::kProtoExpectedDollar, {std::string_view(&c, 1)});
    }
    case ParseStatus::kTooBigInlineRequest:
      return std::string(errors::kProtoTooBigInline);
    case ParseStatus::kTooBigMbulkCount:
      return std::string(errors::kProtoTooBigMbulk);
    case ParseStatus::kTooBigBulkCount:
      return std::string(errors::kProtoTooBigBulk);
    case ParseStatus::kUnbalancedQuotes:
      return std::string(errors::kProtoUnbalancedQuotes);
    case ParseStatus::kUnauthenticatedMultibulkLength:
      return std::string(errors::kProtoUnauthenticatedMultibulk);
    case ParseStatus::kUnauthenticatedBulkLength:
      return std::string(errors::kProtoUnauthenticatedBulk);
  }
  return {};
}

}  // namespace stashd::protocol
