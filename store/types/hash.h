// The hash type: field -> value, both binary-safe strings.
//
// Two encodings, as in Redis. A small hash is one contiguous buffer of
// (field, value) pairs in insertion order, each string prefixed by its
// varint length, searched linearly, sized exactly (PackedBuffer): a few bytes
// per field instead of a hash table's slots and string headers, and HGETALL
// answers in the order Redis does. Once it has more than
// `hash-max-listpack-entries` fields, or a field or value longer than
// `hash-max-listpack-value` bytes, it becomes a DenseTable of PackedPairs
// for good (Redis never converts back either): one block per field, an
// array slot and a 32-bit index entry. The limits are process-wide
// (HashObject::SetLimits, from the config).
//
// Changes are recorded as two delta ops (KeyWriter::Record): kSet with
// field/value pairs and kDelete with fields. Every hash command reduces to
// them (HINCRBY records the resulting value), so replaying a log never
// depends on the order of fields or on arithmetic.
//
// Thread safety: as any Object (value.h): changed under the key's shard
// lock. SetLimits may be called from any thread.
#pragma once

#include <absl/functional/function_ref.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/types/dense_table.h"
#include "store/types/packed.h"
#include "store/value.h"

namespace stashd::store {

class HashObject final : public Object {
 public:
  enum Op : uint8_t { kSet = 1, kDelete = 2 };

  HashObject() : Object(ValueType::kHash) {}

  // The thresholds of the compact encoding (hash-max-listpack-entries,
  // hash-max-listpack-value); they apply to later writes.
  static void SetLimits(size_t max_entries, size_t max_value);

  // Sets a field; true if it was new. An existing field keeps its place.
  bool Set(std::string_view field, std::string_view value);
  // Removes a field; true if it existed.
  bool Delete(std::string_view field);
  // The value of a field, or nullopt. Valid until the next change.
  std::optional<std::string_view> Get(std::string_view field) const;
  // PayloadBytes() after Set(field, value), without changing anything.
  size_t PayloadAfterSet(std::string_view field, std::string_view value) const;
  // True while the hash uses the compact encoding (OBJECT ENCODING "listpack").
  bool compact() const { return table_ == nullptr; }

  size_t Size() const override { return size_; }
  std::string_view Encoding() const override { return compact() ? "listpack" : "hashtable"; }
  size_t FreeEffort() const override { return compact() ? 1 : Size(); }
  size_t PayloadBytes() const override { return table_ ? table_->payload : compact_payload_; }
  size_t MemoryUsage() const override;
  Object* Clone() const override;
  void Serialize(std::string* out) const override;
  void ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const override;
  bool ApplyDelta(uint8_t op, std::span<const std::string_view> args) override;

  // The field and value at position i (0 <= i < Size()) of iteration order,
  // for a uniformly random pick: O(1) in the table encoding, a walk of the
  // (small) compact one.
  ElementView At(size_t i) const;

  // HSCAN: calls fn(field, value) for about `count` fields from `cursor` on
  // and returns the cursor to continue from (0 when done). As Redis's
  // dictScan: a field present for the whole iteration is returned at least
  // once, even if the table grew or shrank between calls (it may come twice).
  // The compact encoding is returned whole with cursor 0, as Redis returns a
  // listpack. Views are valid until the next change.
  uint64_t Scan(uint64_t cursor, size_t count,
                absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const;

  // Rebuilds a hash from Serialize()'s output; nullptr if malformed.
  static HashObject* Deserialize(std::string_view data);

 private:
  // The large encoding, with what it counts.
  struct Table {
    DenseTable<PackedPair> pairs;
    size_t payload = 0;     // sum of field and value sizes
    size_t heap_bytes = 0;  // the pairs' blocks
  };
  // A pair of the compact buffer: where it starts and its decoded views.
  struct Pair {
    size_t begin = 0;
    size_t end = 0;
    std::string_view field;
    std::string_view value;
  };

  // The pair holding `field` in the compact buffer, if any.
  std::optional<Pair> FindPair(std::string_view field) const;
  // Decodes the pair starting at `pos` of the compact buffer.
  Pair PairAt(size_t pos) const;
  // Moves every pair into a table.
  void ConvertToTable();
  void TableSet(std::string_view field, std::string_view value, bool* inserted);

  // 40 bytes in all: a small hash costs little more than its pairs.
  uint32_t size_ = 0;             // number of fields
  uint32_t compact_payload_ = 0;  // compact: sum of field and value sizes
  PackedBuffer compact_;          // the compact encoding (while table_ is null)
  std::unique_ptr<Table> table_;
};

}  // namespace stashd::store
