#include "store/types/hash.h"

#include "store/codec.h"

namespace stashd::store {
namespace {

std::atomic<size_t> max_compact_entries{512};
std::atomic<size_t> max_compact_value{64};

void AppendPair(std::string* out, std::string_view field, std::string_view value) {
  codec::PutBytes(out, field);
  codec::PutBytes(out, value);
}

}  // namespace

void HashObject::SetLimits(size_t max_entries, size_t max_value) {
  max_compact_entries.store(max_entries, std::memory_order_relaxed);
  max_compact_value.store(max_value, std::memory_order_relaxed);
}

HashObject::Pair HashObject::PairAt(size_t pos) const {
  codec::ByteReader in(std::string_view(compact_).substr(pos));
  Pair p;
  p.begin = pos;
  in.Bytes(&p.field);  // the buffer is ours: well formed
  in.Bytes(&p.value);
  p.end = static_cast<size_t>(p.value.data() + p.value.size() - compact_.data());
  return p;
}

std::optional<HashObject::Pair> HashObject::FindPair(std::string_view field) const {
  for (size_t pos = 0; pos < compact_.size();) {
    Pair p = PairAt(pos);
    if (p.field == field) return p;
    pos = p.end;
  }
  return std::nullopt;
}

void HashObject::ConvertToTable() {
  auto table = std::make_unique<Table>();
  table->reserve(size_);
  heap_bytes_ = 0;
  for (size_t pos = 0; pos < compact_.size();) {
    Pair p = PairAt(pos);
    auto [it, inserted] = table->try_emplace(p.field, p.value);
    heap_bytes_ += HeapBytes(it->first) + HeapBytes(it->second);
    pos = p.end;
  }
  table_ = std::move(table);
  std::string().swap(compact_);
}

bool HashObject::Set(std::string_view field, std::string_view value) {
  if (table_ == nullptr) {
    const size_t max_value = max_compact_value.load(std::memory_order_relaxed);
    if (field.size() > max_value || value.size() > max_value) ConvertToTable();
  }
  if (table_ == nullptr) {
    if (auto p = FindPair(field)) {
      // Replaced where it is: the field keeps its place in HGETALL.
      payload_ = payload_ - p->value.size() + value.size();
      std::string pair;
      AppendPair(&pair, field, value);
      compact_.replace(p->begin, p->end - p->begin, pair);
      return false;
    }
    if (size_ + 1 > max_compact_entries.load(std::memory_order_relaxed)) {
      ConvertToTable();
    } else {
      AppendPair(&compact_, field, value);
      ++size_;
      payload_ += field.size() + value.size();
      return true;
    }
  }
  auto [it, inserted] = table_->try_emplace(field);
  if (inserted) {
    payload_ += field.size();
    heap_bytes_ += HeapBytes(it->first);
    ++size_;
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
  if (table_ == nullptr) {
    auto p = FindPair(field);
    if (!p) return false;
    payload_ -= p->field.size() + p->value.size();
    compact_.erase(p->begin, p->end - p->begin);
    --size_;
    return true;
  }
  auto it = table_->find(field);
  if (it == table_->end()) return false;
  payload_ -= it->first.size() + it->second.size();
  heap_bytes_ -= HeapBytes(it->first) + HeapBytes(it->second);
  table_->erase(it);
  --size_;
  return true;
}

std::optional<std::string_view> HashObject::Get(std::string_view field) const {
  if (table_ == nullptr) {
    auto p = FindPair(field);
    if (!p) return std::nullopt;
    return p->value;
  }
  auto it = table_->find(field);
  if (it == table_->end()) return std::nullopt;
  return std::string_view(it->second);
}

size_t HashObject::PayloadAfterSet(std::string_view field, std::string_view value) const {
  auto old = Get(field);
  if (!old) return payload_ + field.size() + value.size();
  return payload_ - old->size() + value.size();
}

size_t HashObject::MemoryUsage() const {
  if (table_ == nullptr) return sizeof(*this) + compact_.capacity();
  using Slot = std::pair<const std::string, std::string>;
  return sizeof(*this) + sizeof(Table) + table_->capacity() * (sizeof(Slot) + 1) + heap_bytes_;
}

Object* HashObject::Clone() const {
  auto* copy = new HashObject();
  copy->compact_ = compact_;
  if (table_ != nullptr) copy->table_ = std::make_unique<Table>(*table_);
  copy->size_ = size_;
  copy->payload_ = payload_;
  copy->heap_bytes_ = heap_bytes_;
  return copy;
}

void HashObject::Serialize(std::string* out) const {
  codec::PutVarint(out, size_);
  if (table_ == nullptr) {
    out->append(compact_);  // the same (field, value) encoding
    return;
  }
  for (const auto& [field, value] : *table_) AppendPair(out, field, value);
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
  if (table_ == nullptr) {
    for (size_t pos = 0; pos < compact_.size();) {
      Pair p = PairAt(pos);
      fn(ElementView{p.field, p.value, 0, 0});
      pos = p.end;
    }
    return;
  }
  for (const auto& [field, value] : *table_) fn(ElementView{field, value, 0, 0});
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
