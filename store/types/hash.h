// The hash type: field -> value, both binary-safe strings.
//
// Changes are recorded as two delta ops (KeyWriter::Record): kSet with
// field/value pairs and kDelete with fields. Every hash command reduces to
// them (HINCRBY records the resulting value), so replaying a log never
// depends on the order of fields or on arithmetic.
//
// Thread safety: as any Object (value.h): changed under the key's shard lock.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <optional>
#include <string>
#include <string_view>

#include "store/string_hash.h"
#include "store/value.h"

namespace stashd::store {

class HashObject final : public Object {
 public:
  enum Op : uint8_t { kSet = 1, kDelete = 2 };

  HashObject() : Object(ValueType::kHash) {}

  // Sets a field; true if it was new.
  bool Set(std::string_view field, std::string_view value);
  // Removes a field; true if it existed.
  bool Delete(std::string_view field);
  // The value of a field, or nullopt. Valid until the next change.
  std::optional<std::string_view> Get(std::string_view field) const;
  // PayloadBytes() after Set(field, value), without changing anything.
  size_t PayloadAfterSet(std::string_view field, std::string_view value) const;

  size_t Size() const override { return map_.size(); }
  size_t PayloadBytes() const override { return payload_; }
  size_t MemoryUsage() const override;
  Object* Clone() const override;
  void Serialize(std::string* out) const override;
  void ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const override;
  bool ApplyDelta(uint8_t op, std::span<const std::string_view> args) override;

  // Rebuilds a hash from Serialize()'s output; nullptr if malformed.
  static HashObject* Deserialize(std::string_view data);

 private:
  static size_t HeapBytes(const std::string& s) { return s.size() > 15 ? s.capacity() + 1 : 0; }

  absl::flat_hash_map<std::string, std::string, StringViewHash, StringViewEq> map_;
  size_t payload_ = 0;     // sum of field and value sizes
  size_t heap_bytes_ = 0;  // heap blocks of strings too long for the inline buffer
};

}  // namespace stashd::store
