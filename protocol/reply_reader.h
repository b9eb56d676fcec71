// Reads RESP2/RESP3 replies back into values, one element at a time: the
// replies a command wrote with ReplyBuilder, for a caller that consumes them
// inside the server (a Lua script's redis.call). Aggregates yield their
// header (kind and element count) and then their elements, in order, as the
// bytes are laid out; a map of n pairs is followed by 2n elements.
//
//   ReplyReader r(reply.buffer());
//   ReplyItem item;
//   while (r.Next(&item)) { ... }
//
// The input is trusted to be well-formed (it comes from ReplyBuilder); a
// malformed or truncated one makes Next() return false.
//
// Thread safety: none needed; a reader is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stashd::protocol {

struct ReplyItem {
  enum class Kind : uint8_t {
    kSimple,     // +text           str
    kError,      // -text           str (without '-')
    kInteger,    // :n              integer
    kBulk,       // $len            str
    kNullBulk,   // $-1
    kNullArray,  // *-1
    kNull,       // _ (RESP3)
    kArray,      // *n / >n (push)  len elements follow
    kMap,        // %n              2 * len elements follow
    kSet,        // ~n              len elements follow
    kAttribute,  // |n              2 * len elements follow, then the reply
    kDouble,     // ,d              dbl
    kBool,       // #t / #f         integer 1 / 0
    kBigNumber,  // (digits         str
    kVerbatim,   // =len fmt:text   str (text), format
  };
  Kind kind = Kind::kNull;
  std::string_view str;
  std::string_view format;
  int64_t integer = 0;
  double dbl = 0;
  size_t len = 0;
};

class ReplyReader {
 public:
  explicit ReplyReader(std::string_view input) : in_(input) {}

  // The next element; false at the end of the input or on malformed input.
  bool Next(ReplyItem* item);
  bool AtEnd() const { return pos_ >= in_.size(); }

 private:
  // The line starting at pos_ without its "\r\n"; advances past it.
  bool Line(std::string_view* line);

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace stashd::protocol
