#include "store/types/hash.h"

#include "store/codec.h"

namespace stashd::store {

bool HashObject::Set(std::string_view field, std::string_view value) {
  auto [it, inserted] = map_.try_emplace(field);
  if (inserted) {
    payload_ += field.size();
    heap_bytes_ += HeapBytes(it->first);
  } else {
    payload_ -= it->second.size();
    heap_bytes_ -= HeapBytes(it->second);
  }
  it->second.assign(value.data(), value.size());
  payload_ += value.size();
  heap_bytes_ += HeapBytes(it->second);
  return inserted;
}

bool HashObject::Delete(std::string_view field) {
  auto it = map_.find(field);
  if (it == map_.end()) return false;
  payload_ -= it->first.size() + it->second.size();
  heap_bytes_ -= HeapBytes(it->first) + HeapBytes(it->second);
  map_.erase(it);
  return true;
}

std::optional<std::string_view> HashObject::Get(std::string_view field) const {
  auto it = map_.find(field);
  if (it == map_.end()) return std::nullopt;
  return std::string_view(it->second);
}

size_t HashObject::PayloadAfterSet(std::string_view field, std::string_view value) const {
  auto it = map_.find(field);
  if (it == map_.end()) return payload_ + field.size() + value.size();
  return payload_ - it->second.size() + value.size();
}

size_t HashObject::MemoryUsage() const {
  using Slot = std::pair<const std::string, std::string>;
  return sizeof(*this) + map_.capacity() * (sizeof(Slot) + 1) + heap_bytes_;
}

Object* HashObject::Clone() const {
  auto* copy = new HashObject();
  copy->map_ = map_;
  copy->payload_ = payload_;
  copy->heap_bytes_ = heap_bytes_;
  return copy;
}

void HashObject::Serialize(std::string* out) const {
  codec::PutVarint(out, map_.size());
  for (const auto& [field, value] : map_) {
    codec::PutBytes(out, field);
    codec::PutBytes(out, value);
  }
}

HashObject* HashObject::Deserialize(std::string_view data) {
  codec::ByteReader in(data);
  uint64_t n = 0;
  if (!in.Varint(&n)) return nullptr;
  auto* h = new HashObject();
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view field, value;
    if (!in.Bytes(&field) || !in.Bytes(&value)) {
      h->Unref();
      return nullptr;
    }
    h->Set(field, value);
  }
  if (!in.done()) {
    h->Unref();
    return nullptr;
  }
  return h;
}

void HashObject::ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const {
  for (const auto& [field, value] : map_) fn(ElementView{field, value, 0, 0});
}

bool HashObject::ApplyDelta(uint8_t op, std::span<const std::string_view> args) {
  switch (op) {
    case kSet:
      if (args.empty() || args.size() % 2 != 0) return false;
      for (size_t i = 0; i < args.size(); i += 2) Set(args[i], args[i + 1]);
      return true;
    case kDelete:
      for (std::string_view field : args) Delete(field);
      return true;
    default:
      return false;
  }
}

}  // namespace stashd::store
