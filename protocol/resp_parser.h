// Incremental parser for client requests: RESP multibulk arrays
// (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline commands (`GET k\r\n`, as
// telnet and redis-cli send them). No sockets: it reads bytes handed to it.
//
// Usage: append received bytes to a buffer, call Parse() in a loop. Each call
// consumes a prefix of the input (*consumed bytes, which the caller drops)
// and keeps partial state between calls, so a large bulk string arriving in
// many reads is not re-scanned. kOk means `*out` holds one complete command.
// kInputPending means more bytes are needed. Any other status is a protocol
// error: the connection must reply ErrorText(status) and close.
//
// Framing follows Redis 7.0 (networking.c) byte for byte, quirks included:
// numbers are strict (no '+', spaces or leading zeros); `*n` with n <= 0 is
// an empty command; a header line ends at the first '\r' and the byte after
// it is skipped unchecked, as are the two bytes after a bulk body; an inline
// line ends at '\n' (a '\r' before it is dropped) and is split like
// sdssplitargs(); and, since Redis looks for line ends with strchr(), a NUL
// byte before the end of a header or inline line hides the line end (the
// parser waits, then fails with the "too big" error).
//
// Thread safety: a parser belongs to one connection; no internal locking.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stashd::protocol {

enum class ParseStatus {
  kOk,
  kInputPending,
  kInvalidMultibulkLength,  // "*abc", "*01" or more than max_multibulk_len arguments
  kInvalidBulkLength,       // "$abc", negative or above max_bulk_len
  kExpectedDollar,          // an array element that does not start with '$'
  // The "too big" errors: more than max_inline_len bytes are waiting and the
  // current line has no end among them.
  kTooBigInlineRequest,  // inline command line
  kTooBigMbulkCount,     // "*<n>" header line
  kTooBigBulkCount,      // "$<len>" header line
  kUnbalancedQuotes,     // inline command with an unterminated quote
  // Limits for a client that has not authenticated (set_authenticated(false)),
  // checked after the two above: more arguments than
  // max_unauthenticated_multibulk_len, or a bulk string longer than
  // max_unauthenticated_bulk_len.
  kUnauthenticatedMultibulkLength,
  kUnauthenticatedBulkLength,
};

struct ParserLimits {
  size_t max_bulk_len = 512ull * 1024 * 1024;  // proto-max-bulk-len
  size_t max_inline_len = 64 * 1024;           // Redis PROTO_INLINE_MAX_SIZE
  // Largest accepted `*<n>`; Redis 7.0 rejects n > INT_MAX (measured on
  // 7.0.15: `*2147483647` waits for elements, `*2147483648` is an error).
  size_t max_multibulk_len = 2147483647;
  // While the client is not authenticated (Redis 7.0: at most 10 arguments
  // and 16 KiB per bulk string), so that a stranger cannot make the server
  // hold a large command.
  size_t max_unauthenticated_multibulk_len = 10;
  size_t max_unauthenticated_bulk_len = 16384;
};

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {});

  // Parses from `in`. Sets *consumed to the number of bytes of `in` used
  // (also on kInputPending: partial state is kept inside the parser).
  // On kOk, *out is replaced by the command's arguments (never empty); on
  // any other status *out is left alone. An empty inline line or
  // `*0\r\n` / `*-1\r\n` yields no command: it is consumed and parsing goes on.
  //
  // REQUIRES: `in` starts with the first byte not consumed by the previous
  // call, i.e. the caller drops *consumed bytes and appends new ones. The
  // parser relies on this to never rescan bytes: the body of a bulk string is
  // copied out as it arrives, so reading a big value is O(size) overall.
  //
  // On an error, *consumed counts the bytes before the offending line, the
  // partial command is dropped, and ErrorText() describes the error.
  ParseStatus Parse(std::span<const char> in, size_t* consumed, std::vector<std::string>* out);

  // The error reply text for `status`, as returned by the last Parse(),
  // without "-" and "\r\n", e.g. "ERR Protocol error: invalid bulk length".
  // kExpectedDollar gets the offending character filled in ('\r' and '\n'
  // become spaces, as in Redis). Empty for kOk and kInputPending.
  std::string ErrorText(ParseStatus status) const;

  // Forgets any partial command (the caller must also drop its unconsumed
  // input).
  void Reset();

  // Bytes of the command being read that Parse() has already copied out of
  // the input (bulk bodies): with the unconsumed input, the client's query
  // buffer (client-query-buffer-limit).
  size_t partial_command_bytes() const { return partial_bytes_; }

  // Whether the client has authenticated (the default: yes). While not, the
  // max_unauthenticated_* limits apply to the headers parsed next. The
  // connection sets it before each Parse() call, since a command (AUTH) may
  // change it between two commands of one pipeline.
  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }

  const ParserLimits& limits() const { return limits_; }
  void set_limits(const ParserLimits& limits) { limits_ = limits; }

 private:
  enum class LineEnd { kFound, kPending };
  // Looks for `term` in the line starting at in[start], resuming where the
  // previous call for the same line stopped. Sets *end to its index.
  LineEnd FindLineEnd(std::string_view in, size_t start, char term, size_t* end);
  ParseStatus Fail(ParseStatus status);

  ParserLimits limits_;
  // Partial state of a multibulk command being read.
  enum class State { kStart, kArrayElement, kBulkBody } state_ = State::kStart;
  long long remaining_args_ = 0;   // array elements not yet complete
  long long bulk_len_ = -1;        // declared length of the bulk being read
  size_t crlf_left_ = 0;           // bytes after the bulk body still to skip
  std::vector<std::string> args_;  // elements read so far
  size_t partial_bytes_ = 0;       // bytes of bulk bodies in args_
  // Bytes of the current unfinished line already searched for its end.
  size_t line_scanned_ = 0;
  char bad_char_ = 0;
  bool authenticated_ = true;
};

// Splits a line into arguments as Redis's sdssplitargs does (used for inline
// commands and config files): whitespace separates, "double quotes" take
// \n \r \t \b \a \\ \" \xHH escapes, 'single quotes' take \'. nullopt if a
// quote is unbalanced or a closing quote is glued to the next token.
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);

}  // namespace stashd::protocol
