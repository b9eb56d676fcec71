// Entry: one key and its value in a single heap block.
//
// A string's bytes are stored inline. Any other type is an Object (value.h)
// owned through a pointer stored in the value field (8 bytes): the entry
// holds one reference to it, so a key-level operation (EXPIRE, RENAME, MOVE)
// builds a new entry around the same object without copying it.
//
// Memory is the point of this type. A keyspace holds millions of small keys,
// so each key costs one malloc and nothing else: indexes hold an `Entry*`.
// Layout, little overhead first:
//
//   byte 0       tag: bits 0-1 width code w (lengths take 1, 2, 4 or 8 bytes),
//                bit 2 set if a deadline follows, bits 4-7 the ValueType
//   1            access clock, 3 bytes (24 bits, little endian; see
//                store/access_clock.h): Redis's per-object `lru` field
//   4            key length   (2^w bytes, native byte order)
//   4 + 2^w      value length (2^w bytes)
//   4 + 2*2^w    deadline, 8 bytes, only if the tag says so
//   ...          key bytes, then value bytes
//
// For `user:bot1:u123456:age` -> `123456` that is 6 + 21 + 6 = 33 bytes, one
// 48-byte glibc chunk. The clock's 3 bytes cost a larger chunk only when the
// blob ended within 3 bytes of its chunk's end (glibc rounds to 16 bytes),
// so about 3 bytes a key on average.
//
// An Entry is immutable while anything outside the shard may hold it (the
// access clock excepted, which no reader outside the shard looks at): when a
// snapshot has pinned the shard, writers build a new one and swap the
// pointer, so the snapshot never sees it change. Otherwise an overwrite with
// a value of the same size reuses the blob in place (OverwriteInPlace), which
// spares SET a malloc, a free and the key-ordered index update.
//
// Thread safety: an Entry is immutable, so concurrent reads are safe; freeing
// it is the owner's business (the keyspace, under the shard lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/value.h"

namespace stashd::store {

class Entry {
 public:
  // Allocates an entry. `expire_at_ms` < 0 (kNoExpiry) means no deadline.
  // `room`: bytes to allocate past the value, for OverwriteInPlace to grow
  // into (keep it within a quarter of the entry, or OverwriteInPlace gives
  // the block up at the first write).
  // Throws std::bad_alloc if memory is exhausted.
  static Entry* Make(std::string_view key, ValueType type, std::string_view value,
                     int64_t expire_at_ms, size_t room = 0);
  // Allocates an entry holding `object` (not a string), taking a new
  // reference to it. Throws std::bad_alloc if memory is exhausted.
  static Entry* MakeObject(std::string_view key, Object* object, int64_t expire_at_ms);
  // The same key and value with another deadline: the object is shared
  // (see MakeObject), a string's bytes are copied.
  static Entry* Rebuild(const Entry& from, std::string_view key, int64_t expire_at_ms);
  // Frees an entry made by Make(). Accepts nullptr.
  static void Destroy(Entry* entry);

  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  ValueType type() const { return static_cast<ValueType>(tag_ >> 4); }
  bool has_deadline() const { return (tag_ & kDeadlineBit) != 0; }
  // The absolute deadline in ms, or kNoExpiry.
  int64_t expire_at_ms() const;
  std::string_view key() const;
  // The string's bytes. REQUIRES: type() == kString.
  std::string_view value() const;
  bool is_object() const { return type() != ValueType::kString; }
  // The object of a non-string entry (nullptr for a string).
  Object* object() const;
  // Replaces the deadline in place if the entry already has one and
  // `expire_at_ms` is a deadline too; false (changing nothing) otherwise.
  // REQUIRES: nothing else holds a view of this entry.
  bool SetDeadlineInPlace(int64_t expire_at_ms);
  // Replaces value and deadline in place if the blob allows it: same type,
  // a deadline present in both or neither, and a value of the same size or
  // of one that fits the block malloc gave (its usable size: glibc rounds
  // to 16 bytes, and Make may have added room) with the lengths keeping
  // their width and at most max(kMaxSlack, a quarter of the entry) of the
  // block left unused. So a value that grows or shrinks by a few bytes (a
  // counter, a JSON state, a sparse HyperLogLog) keeps its entry, and no
  // index needs to learn a new address. Returns
  // false (changing nothing) otherwise. `value` may alias the old value.
  // REQUIRES: nothing else holds a view of this entry's value.
  bool OverwriteInPlace(ValueType type, std::string_view value, int64_t expire_at_ms);
  static constexpr size_t kMaxSlack = 32;
  // The room an edit that grows a string to `size` bytes asks of Make (an
  // eighth: OverwriteInPlace keeps a block up to a quarter unused, so
  // malloc's rounding on top still fits), so that the edits after it
  // (APPEND, SETBIT past the end, PFADD on a sparse HLL) are made in place, as Redis's
  // strings grow with room to spare.
  static constexpr size_t GrowthRoom(size_t size) { return size / 8; }
  // Overwrites the string's bytes from `offset` on with `patch`.
  // REQUIRES: type() == kString, offset + patch.size() <= value().size(),
  // and nothing else holds a view of this entry's value.
  void PatchInPlace(size_t offset, std::string_view patch);
  // PatchInPlace past the end: the value grows to offset + patch.size()
  // (zero bytes between its old end and `offset`) if the block malloc gave
  // has the room and the lengths keep their width; false (changing
  // nothing) otherwise. REQUIRES: type() == kString, offset +
  // patch.size() > value().size(), and nothing else holds a view of this
  // entry's value.
  bool ExtendInPlace(size_t offset, std::string_view patch);
  // The 24-bit access clock (store/access_clock.h); 0 in a new entry. It
  // is metadata, not value: set_access_clock is allowed on a pinned entry
  // (under the shard lock), since a snapshot never reads it.
  uint32_t access_clock() const;
  void set_access_clock(uint32_t clock);
  // Bytes requested from malloc for this entry (header, key and value),
  // plus the memory of its object, if any.
  size_t ByteSize() const;

 private:
  static constexpr uint8_t kWidthMask = 0x3;
  static constexpr uint8_t kDeadlineBit = 0x4;
  static constexpr size_t kClockAt = 1;    // the access clock's first byte
  static constexpr size_t kLengthsAt = 4;  // the key length's first byte

  explicit Entry(uint8_t tag) : tag_(tag) {}
  ~Entry() = default;

  size_t width() const { return size_t{1} << (tag_ & kWidthMask); }
  size_t key_size() const;
  size_t value_size() const;
  size_t header_size() const { return kLengthsAt + 2 * width() + (has_deadline() ? 8 : 0); }
  const char* bytes() const { return reinterpret_cast<const char*>(this); }

  uint8_t tag_;
  // Followed by the variable-size part described above.
};

}  // namespace stashd::store
