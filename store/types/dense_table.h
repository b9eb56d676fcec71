// DenseTable: the large encoding of a collection keyed by strings (a hash's
// fields). Records live in one dense array; an open-addressing index of
// 32-bit positions finds a record by its key without storing the key twice.
// Compared with a hash map of std::string pairs (64-byte slots at a load of
// 0.44 to 0.875) a record costs its own bytes, one array slot and about 8
// index bytes; a random record is one array access (HRANDFIELD, SPOP), and
// iteration walks the array.
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

#include <absl/container/flat_hash_set.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "store/string_hash.h"

namespace stashd::store {

template <typename Record>
class DenseTable {
 public:
  DenseTable() : index_(0, Hash{&records_}, Eq{&records_}) {}
  // The index refers to records_ by address: neither copied nor moved (a
  // collection holds its table through a pointer). Use CopyFrom.
  DenseTable(const DenseTable&) = delete;
  DenseTable& operator=(const DenseTable&) = delete;

  size_t size() const { return records_.size(); }
  const Record& at(size_t i) const { return records_[i]; }
  Record& at(size_t i) { return records_[i]; }

  void reserve(size_t n) {
    records_.reserve(n);
    index_.reserve(n);
  }

  // The record with `key`, or nullptr.
  Record* Find(std::string_view key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &records_[*it];
  }
  const Record* Find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &records_[*it];
  }

  // Adds `r`. REQUIRES: no record has its key.
  Record& Insert(Record r) {
    records_.push_back(std::move(r));
    index_.insert(static_cast<uint32_t>(records_.size() - 1));
    return records_.back();
  }

  // Removes the record with `key`, moving it to *out if given; false if
  // there is none.
  bool Erase(std::string_view key, Record* out = nullptr) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    const uint32_t pos = *it;
    index_.erase(it);
    const auto last = static_cast<uint32_t>(records_.size() - 1);
    if (out != nullptr) *out = std::move(records_[pos]);
    if (pos != last) {
      // The last record fills the hole: its index entry follows it.
      index_.erase(index_.find(records_[last].Key()));
      records_[pos] = std::move(records_[last]);
      index_.insert(pos);
    }
    records_.pop_back();
    return true;
  }

  // Makes this table a copy of `other`, with `copy(record)` for each record.
  template <typename CopyFn>
  void CopyFrom(const DenseTable& other, CopyFn copy) {
    index_.clear();
    records_.clear();
    reserve(other.size());
    for (const Record& r : other.records_) Insert(copy(r));
  }

  // Bytes of the array and the index (not what records point to).
  size_t TableBytes() const {
    return records_.capacity() * sizeof(Record) + index_.capacity() * (sizeof(uint32_t) + 1);
  }

  auto begin() const { return records_.begin(); }
  auto end() const { return records_.end(); }

 private:
  struct Hash {
    using is_transparent = void;
    const std::vector<Record>* records;
    size_t operator()(uint32_t pos) const { return StringViewHash()((*records)[pos].Key()); }
    size_t operator()(std::string_view key) const { return StringViewHash()(key); }
  };
  struct Eq {
    using is_transparent = void;
    const std::vector<Record>* records;
    std::string_view KeyOf(uint32_t pos) const { return (*records)[pos].Key(); }
    std::string_view KeyOf(std::string_view key) const { return key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return KeyOf(a) == KeyOf(b);
    }
  };

  std::vector<Record> records_;
  absl::flat_hash_set<uint32_t, Hash, Eq> index_;
};

}  // namespace stashd::store
