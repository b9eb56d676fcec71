// DenseTable: the large encoding of a collection keyed by strings (a hash's
// fields). Records live in one dense array; an open-addressing index of
// 32-bit positions finds a record by its key without storing the key twice.
// Compared with a hash map of std::string pairs (64-byte slots at a load of
// 0.44 to 0.875) a record costs its own bytes, one array slot and 7 to 13
// index bytes (ProbeIndex: 5-byte slots, 3/8 to 3/4 full); a random record
// is one array access (HRANDFIELD), iteration walks the array, and Scan walks
// the index with a Redis dictScan cursor (HSCAN).
//
// Erasing moves the last record into the hole, so positions and iteration
// order change on erase (Redis's hash table order is unspecified too).
//
// Record must be movable and provide `std::string_view Key() const`.
// The key hash is absl::Hash, seeded per process (store/string_hash.h): keys
// chosen by a client cannot be made to collide on purpose.
//
// Thread safety: none; the owning object is changed under its key's shard lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "store/types/probe_index.h"

namespace stashd::store {

template <typename Record>
class DenseTable {
 public:
  DenseTable() = default;
  // Large and owned through a pointer by its collection: use CopyFrom.
  DenseTable(const DenseTable&) = delete;
  DenseTable& operator=(const DenseTable&) = delete;

  size_t size() const { return records_.size(); }
  const Record& at(size_t i) const { return records_[i]; }
  Record& at(size_t i) { return records_[i]; }

  void reserve(size_t n) {
    records_.reserve(n);
    index_.Reserve(n, KeyOf{this});
  }

  // The record with `key`, or nullptr.
  Record* Find(std::string_view key) {
    const uint32_t* slot = index_.Find(key, KeyOf{this});
    return slot == nullptr ? nullptr : &records_[*slot - 1];
  }
  const Record* Find(std::string_view key) const {
    const uint32_t* slot = index_.Find(key, KeyOf{this});
    return slot == nullptr ? nullptr : &records_[*slot - 1];
  }

  // Adds `r`. REQUIRES: no record has its key.
  Record& Insert(Record r) {
    records_.push_back(std::move(r));
    index_.Insert(static_cast<uint32_t>(records_.size()), records_.back().Key(), KeyOf{this});
    return records_.back();
  }

  // Removes the record with `key`, moving it to *out if given; false if
  // there is none.
  bool Erase(std::string_view key, Record* out = nullptr) {
    const uint32_t slot = index_.Erase(key, KeyOf{this});
    if (slot == 0) return false;
    const uint32_t pos = slot - 1;
    const auto last = static_cast<uint32_t>(records_.size() - 1);
    if (pos != last) {
      // The last record fills the hole: its index slot follows it.
      index_.Replace(records_[last].Key(), last + 1, slot);
    }
    if (out != nullptr) *out = std::move(records_[pos]);
    if (pos != last) records_[pos] = std::move(records_[last]);
    records_.pop_back();
    return true;
  }

  // Makes this table a copy of `other`, with `copy(record)` for each record.
  template <typename CopyFn>
  void CopyFrom(const DenseTable& other, CopyFn copy) {
    index_.Clear();
    records_.clear();
    reserve(other.size());
    for (const Record& r : other.records_) Insert(copy(r));
  }

  // Bytes of the array and the index (not what records point to).
  size_t TableBytes() const { return records_.capacity() * sizeof(Record) + index_.Bytes(); }

  // HSCAN: calls fn(record) for the records from `cursor` on, about `count`
  // of them, and returns the cursor to continue from (0 when done); as
  // Redis's dictScan, a record present for the whole iteration is returned
  // at least once (ProbeIndex::Scan). fn must not change the table.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, const Fn& fn) const {
    return index_.Scan(cursor, count, KeyOf{this}, [&](uint32_t slot) { fn(records_[slot - 1]); });
  }

  auto begin() const { return records_.begin(); }
  auto end() const { return records_.end(); }

 private:
  // A slot of the index: a position in records_ plus one (0 is empty).
  struct KeyOf {
    const DenseTable* table;
    std::string_view operator()(uint32_t slot) const { return table->records_[slot - 1].Key(); }
  };

  std::vector<Record> records_;
  ProbeIndex<uint32_t> index_;
};

}  // namespace stashd::store
