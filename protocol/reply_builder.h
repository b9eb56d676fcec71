// The only writer of RESP replies. Appends RESP2 or RESP3 (after HELLO 3) to
// an in-memory buffer that the connection sends in one write.
//
// In RESP2 the RESP3-only types degrade as Redis does: a map is an array of
// 2*n elements, a set an array, a double a bulk string, a null `$-1` (or
// `*-1` for NullArray), a boolean an integer 0/1, a verbatim string a bulk,
// a push an array.
//
// Thread safety: one builder per connection; no internal locking.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stashd::protocol {

class ReplyBuilder {
 public:
  ReplyBuilder() = default;

  void set_resp3(bool on) { resp3_ = on; }
  bool resp3() const { return resp3_; }

  void Ok();                              // +OK
  void SimpleString(std::string_view s);  // +s  REQUIRES: no '\r' or '\n' in s
  // -text; `text` is a full error such as "ERR unknown command ...".
  // Newlines in it are replaced by spaces, as Redis does.
  void Error(std::string_view text);
  void Integer(int64_t v);        // :v
  void Bulk(std::string_view s);  // $len\r\ns
  void Null();                    // $-1 / _
  void NullArray();               // *-1 / _
  void ArrayLen(size_t n);        // *n
  void MapLen(size_t n);          // %n / *2n  (n key-value pairs)
  void SetLen(size_t n);          // ~n / *n
  void PushLen(size_t n);         // >n / *n
  void Double(double d);          // ,d / bulk (formatted like Redis %.17g)
  // ,d / bulk, formatted as Redis's addReplyHumanLongDouble: "%.17Lf"
  // without trailing zeros (GEOPOS coordinates: "13.36138933897018433").
  void HumanDouble(double d);
  void Bool(bool b);  // #t / :1
  // (digits / bulk. REQUIRES: no '\r' or '\n' in s.
  void BigNumber(std::string_view s);
  // =len\r\ntxt:s / bulk. REQUIRES: format is 3 characters ("txt", "mkd").
  void Verbatim(std::string_view s, std::string_view format = "txt");
  // Appends bytes that are already valid RESP (e.g. a reply captured earlier).
  void Raw(std::string_view resp);

  std::string& buffer() { return buf_; }
  const std::string& buffer() const { return buf_; }
  size_t size() const { return buf_.size(); }
  void Clear() { buf_.clear(); }

 private:
  void Prefix(char c, uint64_t n);
  std::string buf_;
  bool resp3_ = false;
};

}  // namespace stashd::protocol
