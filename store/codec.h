// Byte encodings shared by every serialized form: LEB128 varints and
// length-prefixed byte strings (persistence/FORMAT.md). Used by the value
// types (Object::Serialize) and by the write log's record payloads.
//
// Thread safety: pure functions; a ByteReader is used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stashd::store::codec {

inline void PutVarint(std::string* out, uint64_t v) {
  char b[10];
  size_t n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out->append(b, n);
}

inline void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

// Reads fields in order; any read past the end fails (returns false).
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }
  bool Byte(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63 && !in_.empty(); shift += 7) {
      auto byte = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      result |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Bytes(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (in_.size() < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= uint64_t{static_cast<unsigned char>(in_[i])} << (8 * i);
    in_.remove_prefix(8);
    *v = r;
    return true;
  }

 private:
  std::string_view in_;
};

}  // namespace stashd::store::codec
