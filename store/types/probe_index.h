// ProbeIndex: the hash index of the large collection encodings (a set's
// members, a hash's fields, a sorted set's skip list nodes). An
// open-addressing table of small slots: a 32-bit position into the owner's
// dense array, or a node pointer. Linear probing under the keyed process
// hash (StringViewHash), backward-shift deletion (no tombstones, so runs stay
// short), a power-of-two capacity kept between 3/8 and 3/4 full (16 slots at
// least once anything was added). Beside each slot a one-byte tag (seven
// more bits of the hash, or 0 for an empty slot) lets a probe pass over
// other keys without reading them, as SwissTable's control bytes do: a slot
// costs sizeof(Slot) + 1 bytes.
//
// The index stores no keys: every call that needs a slot's key takes the
// owner's `key_of(Slot) -> std::string_view`, and full hashes are recomputed
// from keys when needed (growth, deletion, Scan).
//
// Scan walks the home buckets with Redis's dictScan cursor (reverse binary
// increments over the bits of the mask), so a key present for a whole
// iteration is returned at least once even if the index grew or shrank
// between calls; a key may be returned more than once.
//
// Slot must be trivially copyable, and Slot{} (0, nullptr) is never a slot
// value (Erase returns it for "none").
//
// Thread safety: none; the owning object is changed under its key's shard lock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>

#include "store/string_hash.h"

namespace stashd::store {

template <typename Slot>
class ProbeIndex {
  static_assert(std::is_trivially_copyable_v<Slot>);

 public:
  size_t size() const { return size_; }
  // Bytes of the slot and tag arrays.
  size_t Bytes() const { return capacity_ * (sizeof(Slot) + 1); }

  // The slot whose key is `key`, or nullptr. The owner may overwrite it with
  // a slot of the same key (a record that moved).
  template <typename KeyOf>
  Slot* Find(std::string_view key, const KeyOf& key_of) {
    if (capacity_ == 0) return nullptr;
    const size_t mask = capacity_ - 1;
    const size_t hash = Hash(key);
    const uint8_t tag = TagOf(hash);
    for (size_t s = hash & mask; tags()[s] != kEmpty; s = (s + 1) & mask) {
      if (tags()[s] == tag && key_of(slots()[s]) == key) return &slots()[s];
    }
    return nullptr;
  }
  template <typename KeyOf>
  const Slot* Find(std::string_view key, const KeyOf& key_of) const {
    return const_cast<ProbeIndex*>(this)->Find(key, key_of);
  }

  // Adds `slot`, whose key is `key`, unless a slot with that key is there:
  // then adds nothing and returns false. `key_of` is only called for slots
  // already in the index.
  template <typename KeyOf>
  bool Insert(Slot slot, std::string_view key, const KeyOf& key_of) {
    if ((size_ + 1) * 4 > capacity_ * 3) Rehash(std::max<size_t>(16, capacity_ * 2), key_of);
    const size_t mask = capacity_ - 1;
    const size_t hash = Hash(key);
    const uint8_t tag = TagOf(hash);
    size_t s = hash & mask;
    for (; tags()[s] != kEmpty; s = (s + 1) & mask) {
      if (tags()[s] == tag && key_of(slots()[s]) == key) return false;
    }
    slots()[s] = slot;
    tags()[s] = tag;
    ++size_;
    return true;
  }

  // Removes the slot whose key is `key` and returns it; Slot{} if there is
  // none. May shrink the index: every remaining slot's key must still be
  // readable through `key_of` during the call.
  template <typename KeyOf>
  Slot Erase(std::string_view key, const KeyOf& key_of) {
    Slot* found = Find(key, key_of);
    if (found == nullptr) return Slot{};
    const Slot removed = *found;
    EraseSlot(static_cast<size_t>(found - slots()), key_of);
    --size_;
    if (capacity_ > 16 && size_ * 8 < capacity_) Rehash(capacity_ / 2, key_of);
    return removed;
  }

  // Rewrites the slot holding `from` (whose key is `key`) to `to`: the
  // owner moved that record. REQUIRES: `from` is in the index under `key`.
  void Replace(std::string_view key, Slot from, Slot to) {
    const size_t mask = capacity_ - 1;
    size_t s = Hash(key) & mask;
    while (tags()[s] == kEmpty || slots()[s] != from) s = (s + 1) & mask;
    slots()[s] = to;
  }

  // Makes room for `n` slots in total without growing again.
  template <typename KeyOf>
  void Reserve(size_t n, const KeyOf& key_of) {
    size_t capacity = 16;
    while (n * 4 > capacity * 3) capacity *= 2;
    if (capacity > capacity_) Rehash(capacity, key_of);
  }

  void Clear() {
    block_.reset();
    capacity_ = 0;
    size_ = 0;
  }

  // SSCAN / HSCAN / ZSCAN: calls fn(slot) for the slots of the home buckets
  // from `cursor` on, in reverse binary order, until at least `count` slots
  // were returned or 10 * count buckets were visited (Redis's
  // scanGenericCommand bound), and returns the cursor to continue from (0
  // when the walk is complete). fn must not change the index.
  template <typename KeyOf, typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, const KeyOf& key_of, const Fn& fn) const {
    if (size_ == 0) return 0;
    const size_t mask = capacity_ - 1;
    const size_t max_visits = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
    size_t emitted = 0;
    size_t visits = 0;
    uint64_t v = cursor;
    do {
      const size_t bucket = v & mask;
      // Every slot whose home is `bucket` lies in the run of full slots
      // starting there: linear probing leaves no hole in between.
      for (size_t s = bucket; tags()[s] != kEmpty; s = (s + 1) & mask) {
        if ((Hash(key_of(slots()[s])) & mask) == bucket) {
          fn(slots()[s]);
          ++emitted;
        }
      }
      // Increment the bits of the mask from the top down.
      v |= ~static_cast<uint64_t>(mask);
      v = Reverse(v);
      ++v;
      v = Reverse(v);
    } while (v != 0 && emitted < count && ++visits < max_visits);
    return v;
  }

 private:
  static constexpr uint8_t kEmpty = 0;

  static size_t Hash(std::string_view key) { return StringViewHash()(key); }
  // The top seven bits, which the home bucket (the low bits) rarely uses.
  static uint8_t TagOf(size_t hash) {
    return static_cast<uint8_t>(0x80 | (hash >> (sizeof(size_t) * 8 - 7)));
  }

  static uint64_t Reverse(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
  }

  template <typename KeyOf>
  void EraseSlot(size_t hole, const KeyOf& key_of) {
    const size_t mask = capacity_ - 1;
    for (size_t j = (hole + 1) & mask; tags()[j] != kEmpty; j = (j + 1) & mask) {
      const size_t home = Hash(key_of(slots()[j])) & mask;
      // The slot at j may move back to the hole unless its home lies
      // cyclically in (hole, j].
      const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      slots()[hole] = slots()[j];
      tags()[hole] = tags()[j];
      hole = j;
    }
    tags()[hole] = kEmpty;
  }

  template <typename KeyOf>
  void Rehash(size_t capacity, const KeyOf& key_of) {
    // One block: the slots, then their tags (capacity is a power of two of
    // at least 16, so the tags fill whole Slot-sized units).
    std::unique_ptr<Slot[]> fresh(new Slot[capacity + capacity / sizeof(Slot)]);
    Slot* fresh_slots = fresh.get();
    auto* fresh_tags = reinterpret_cast<uint8_t*>(fresh_slots + capacity);
    std::memset(fresh_tags, kEmpty, capacity);
    const size_t mask = capacity - 1;
    for (size_t i = 0; i < capacity_; ++i) {
      if (tags()[i] == kEmpty) continue;
      size_t s = Hash(key_of(slots()[i])) & mask;
      while (fresh_tags[s] != kEmpty) s = (s + 1) & mask;
      fresh_slots[s] = slots()[i];
      fresh_tags[s] = tags()[i];
    }
    block_ = std::move(fresh);
    capacity_ = capacity;
  }

  Slot* slots() const { return block_.get(); }
  // kEmpty, or 0x80 | seven bits of the slot's hash.
  uint8_t* tags() const { return reinterpret_cast<uint8_t*>(block_.get() + capacity_); }

  std::unique_ptr<Slot[]> block_;  // capacity_ slots, then capacity_ tags
  size_t capacity_ = 0;            // 0, or a power of two >= 16
  size_t size_ = 0;
};

}  // namespace stashd::store
