// Memory-tight building blocks of the collection encodings.
//
// PackedBuffer: a byte buffer sized exactly to its contents (realloc on
// every change), for the small "listpack" encodings: a std::string would
// keep up to twice the bytes in capacity, and its own 32 bytes.
//
// PackedPair: one heap block holding two length-prefixed strings (a hash's
// field and value), a record of a DenseTable: one 8-byte pointer and one
// allocation per element instead of two std::string headers and blocks.
//
// MallocBytes estimates what glibc's malloc really takes for a request, for
// memory accounting (INFO, MEMORY USAGE, scope statistics).
//
// Thread safety: none; owned by one object, changed under its key's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

#include "store/codec.h"

namespace stashd::store {

// glibc: the request plus an 8-byte header, in 16-byte steps, at least 32.
inline size_t MallocBytes(size_t n) {
  if (n == 0) return 0;
  const size_t chunk = (n + 8 + 15) & ~size_t{15};
  return chunk < 32 ? 32 : chunk;
}

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes v as a LEB128 varint at p; returns the byte after it.
inline char* PutVarintAt(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// Reads a varint written by PutVarintAt (trusted input); advances *p.
inline uint64_t GetVarintAt(const char** p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<uint8_t>(*(*p)++);
    v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return v;
  }
}

class PackedBuffer {
 public:
  PackedBuffer() = default;
  ~PackedBuffer() { std::free(p_); }
  PackedBuffer(const PackedBuffer& o) { Assign(o.view()); }
  PackedBuffer& operator=(const PackedBuffer&) = delete;

  std::string_view view() const { return {data(), size()}; }
  size_t size() const {
    if (p_ == nullptr) return 0;
    uint32_t n;
    std::memcpy(&n, p_, sizeof n);
    return n;
  }
  const char* data() const { return p_ == nullptr ? nullptr : p_ + kHeader; }
  // Bytes malloc holds for the buffer.
  size_t AllocBytes() const { return p_ == nullptr ? 0 : MallocBytes(kHeader + size()); }

  // Replaces bytes [pos, pos + len) with `with` (an insert when len is 0,
  // an erase when `with` is empty).
  void Splice(size_t pos, size_t len, std::string_view with) {
    if (len == 0 && with.empty()) return;  // nothing to do (and maybe no block)
    const size_t old_size = size();
    const size_t new_size = old_size - len + with.size();
    const size_t tail = old_size - pos - len;
    if (with.size() > len) Resize(new_size);
    char* d = p_ + kHeader;
    std::memmove(d + pos + with.size(), d + pos + len, tail);
    if (!with.empty()) std::memcpy(d + pos, with.data(), with.size());
    if (with.size() < len) Resize(new_size);
  }
  void Append(std::string_view bytes) { Splice(size(), 0, bytes); }
  void Assign(std::string_view bytes) { Splice(0, size(), bytes); }
  void Clear() {
    std::free(p_);
    p_ = nullptr;
  }

 private:
  // The size lives in the block, so an empty buffer is one null pointer.
  static constexpr size_t kHeader = sizeof(uint32_t);

  void Resize(size_t n) {
    if (n == 0) {
      Clear();
      return;
    }
    void* p = std::realloc(p_, kHeader + n);
    if (p == nullptr) throw std::bad_alloc();
    p_ = static_cast<char*>(p);
    const auto size = static_cast<uint32_t>(n);  // a compact encoding stays far below 4 GiB
    std::memcpy(p_, &size, sizeof size);
  }

  char* p_ = nullptr;  // uint32 size, then the bytes
};

class PackedPair {
 public:
  PackedPair() = default;
  PackedPair(std::string_view first, std::string_view second) {
    const size_t n =
        VarintSize(first.size()) + first.size() + VarintSize(second.size()) + second.size();
    p_ = static_cast<char*>(std::malloc(n));
    if (p_ == nullptr) throw std::bad_alloc();
    // An empty view may have a null data(): memcpy must not see it.
    char* p = PutVarintAt(p_, first.size());
    if (!first.empty()) std::memcpy(p, first.data(), first.size());
    p = PutVarintAt(p + first.size(), second.size());
    if (!second.empty()) std::memcpy(p, second.data(), second.size());
  }
  ~PackedPair() { std::free(p_); }
  PackedPair(PackedPair&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  PackedPair& operator=(PackedPair&& o) noexcept {
    std::free(p_);
    p_ = std::exchange(o.p_, nullptr);
    return *this;
  }
  PackedPair(const PackedPair&) = delete;
  PackedPair& operator=(const PackedPair&) = delete;

  // The first string: the record's key in a DenseTable.
  std::string_view Key() const {
    const char* p = p_;
    const size_t n = GetVarintAt(&p);
    return {p, n};
  }
  std::string_view Second() const {
    const char* p = p_;
    p += GetVarintAt(&p);
    const size_t n = GetVarintAt(&p);
    return {p, n};
  }
  size_t AllocBytes() const {
    const std::string_view s = Second();
    return MallocBytes(static_cast<size_t>(s.data() + s.size() - p_));
  }

 private:
  char* p_ = nullptr;  // varint length, first, varint length, second
};

}  // namespace stashd::store
