// HashIndex: a shard's key index, hash -> Entry*, kept in hash order.
//
// An open-addressing table with linear probing whose slots stay sorted by
// hash: a hash's home slot is taken from the hash's bits below the shard's
// own (the bits that chose the shard), an insert shifts the rest of its run
// one slot right to make room in order, an erase shifts the run back. So
// the table is both a hash table (a lookup reads one or two cache lines
// from the home slot on) and an ordered sequence (SCAN's cursor is a hash:
// lower_bound is a lookup; iteration is array order), which the
// absl::btree_multimap it replaces gave at the price of a tree walk, four
// or five cache misses per lookup (30% of the time of a GET -P 16).
//
// Keys sharing a hash sit side by side in insertion order, as in a multimap.
// There is no wrap-around: a run that would leave the end of the array
// gets more overflow slots there. The load stays at most 4/5; the table
// doubles past it and halves when below 1/8 (not below 16 slots).
//
// Iterators are invalidated by any insert or erase.
//
// Thread safety: none; the owner (a shard, under its lock) serializes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace stashd::store {

class Entry;

class HashIndex {
 public:
  struct Slot {
    uint64_t first = 0;       // the hash
    Entry* second = nullptr;  // nullptr: a free slot
  };
  using value_type = Slot;

  template <typename S>
  class Iterator {
   public:
    Iterator() = default;
    Iterator(S* p, S* end) : p_(p), end_(end) { Settle(); }
    S& operator*() const { return *p_; }
    S* operator->() const { return p_; }
    Iterator& operator++() {
      ++p_;
      Settle();
      return *this;
    }
    bool operator==(const Iterator& o) const { return p_ == o.p_; }
    S* slot() const { return p_; }

   private:
    void Settle() {
      while (p_ != end_ && p_->second == nullptr) ++p_;
    }
    S* p_ = nullptr;
    S* end_ = nullptr;
  };
  using iterator = Iterator<Slot>;
  using const_iterator = Iterator<const Slot>;

  HashIndex() = default;
  HashIndex(HashIndex&& other) noexcept { swap(other); }
  HashIndex& operator=(HashIndex&& other) noexcept {
    swap(other);
    return *this;
  }
  HashIndex(const HashIndex&) = delete;
  HashIndex& operator=(const HashIndex&) = delete;

  // The shard's hashes all start with the `skip` bits `prefix`: the table
  // indexes by the bits after them. Call before the first insert.
  void Configure(int skip, uint64_t prefix) {
    skip_ = skip;
    prefix_ = prefix;
  }
  int skip() const { return skip_; }
  uint64_t prefix() const { return prefix_; }

  iterator begin() { return {slots_.get(), End()}; }
  iterator end() { return {End(), End()}; }
  const_iterator begin() const { return {slots_.get(), End()}; }
  const_iterator end() const { return {End(), End()}; }

  // The first slot whose hash is >= `hash`.
  iterator lower_bound(uint64_t hash);
  const_iterator lower_bound(uint64_t hash) const;
  // Adds (hash, e) after any slot of the same hash. Returns its place.
  iterator emplace(uint64_t hash, Entry* e);
  void erase(iterator it);
  void clear();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t MemoryBytes() const { return slot_count_ * sizeof(Slot); }

  void swap(HashIndex& o) noexcept {
    std::swap(slots_, o.slots_);
    std::swap(slot_count_, o.slot_count_);
    std::swap(bits_, o.bits_);
    std::swap(size_, o.size_);
    std::swap(skip_, o.skip_);
    std::swap(prefix_, o.prefix_);
  }

 private:
  Slot* End() const { return slots_.get() + slot_count_; }
  size_t Home(uint64_t hash) const;
  size_t LowerBoundIndex(uint64_t hash) const;
  // Rebuilds the table with 2^bits home slots and at least `min_overflow`
  // slots after them (more if the runs need it: hashes that crowd together
  // lengthen the runs, never the table).
  void Rehash(int bits, size_t min_overflow);

  std::unique_ptr<Slot[]> slots_;
  size_t slot_count_ = 0;  // home slots plus the overflow at the end
  int bits_ = 0;           // log2 of the home slots; 0 when there is no table
  size_t size_ = 0;
  int skip_ = 0;
  uint64_t prefix_ = 0;
};

}  // namespace stashd::store
