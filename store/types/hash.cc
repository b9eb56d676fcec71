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
  codec::ByteReader in(compact_.view().substr(pos));
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
  table->pairs.reserve(size_);
  for (size_t pos = 0; pos < compact_.size();) {
    Pair p = PairAt(pos);
    const PackedPair& r = table->pairs.Insert(PackedPair(p.field, p.value));
    table->heap_bytes += r.AllocBytes();
    pos = p.end;
  }
  table->payload = compact_payload_;
  table_ = std::move(table);
  compact_.Clear();
  compact_payload_ = 0;
}

void HashObject::TableSet(std::string_view field, std::string_view value, bool* inserted) {
  Table& t = *table_;
  PackedPair* r = t.pairs.Find(field);
  *inserted = r == nullptr;
  if (r != nullptr) {
    t.payload -= r->Second().size();
    t.heap_bytes -= r->AllocBytes();
    *r = PackedPair(field, value);
  } else {
    t.payload += field.size();
    r = &t.pairs.Insert(PackedPair(field, value));
  }
  t.payload += value.size();
  t.heap_bytes += r->AllocBytes();
}

bool HashObject::Set(std::string_view field, std::string_view value) {
  if (table_ == nullptr) {
    const size_t max_value = max_compact_value.load(std::memory_order_relaxed);
    if (field.size() > max_value || value.size() > max_value) ConvertToTable();
  }
  if (table_ == nullptr) {
    std::string pair;
    AppendPair(&pair, field, value);
    if (auto p = FindPair(field)) {
      // Replaced where it is: the field keeps its place in HGETALL.
      compact_payload_ = static_cast<uint32_t>(compact_payload_ - p->value.size() + value.size());
      compact_.Splice(p->begin, p->end - p->begin, pair);
      return false;
    }
    if (size_ + 1 <= max_compact_entries.load(std::memory_order_relaxed)) {
      compact_.Append(pair);
      ++size_;
      compact_payload_ += static_cast<uint32_t>(field.size() + value.size());
      return true;
    }
    ConvertToTable();
  }
  bool inserted;
  TableSet(field, value, &inserted);
  if (inserted) ++size_;
  return inserted;
}

bool HashObject::Delete(std::string_view field) {
  if (table_ == nullptr) {
    auto p = FindPair(field);
    if (!p) return false;
    compact_payload_ -= static_cast<uint32_t>(p->field.size() + p->value.size());
    compact_.Splice(p->begin, p->end - p->begin, {});
    --size_;
    return true;
  }
  PackedPair removed;
  if (!table_->pairs.Erase(field, &removed)) return false;
  table_->payload -= removed.Key().size() + removed.Second().size();
  table_->heap_bytes -= removed.AllocBytes();
  --size_;
  return true;
}

std::optional<std::string_view> HashObject::Get(std::string_view field) const {
  if (table_ == nullptr) {
    auto p = FindPair(field);
    if (!p) return std::nullopt;
    return p->value;
  }
  const PackedPair* r = table_->pairs.Find(field);
  if (r == nullptr) return std::nullopt;
  return r->Second();
}

ElementView HashObject::At(size_t i) const {
  if (table_ != nullptr) {
    const PackedPair& r = table_->pairs.at(i);
    return ElementView{r.Key(), r.Second(), 0, 0};
  }
  size_t pos = 0;
  for (; i > 0; --i) pos = PairAt(pos).end;
  Pair p = PairAt(pos);
  return ElementView{p.field, p.value, 0, 0};
}

uint64_t HashObject::Scan(
    uint64_t cursor, size_t count,
    absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const {
  if (table_ != nullptr) {
    return table_->pairs.Scan(cursor, count, [&](const PackedPair& r) { fn(r.Key(), r.Second()); });
  }
  for (size_t pos = 0; pos < compact_.size();) {
    Pair p = PairAt(pos);
    fn(p.field, p.value);
    pos = p.end;
  }
  return 0;
}

size_t HashObject::PayloadAfterSet(std::string_view field, std::string_view value) const {
  auto old = Get(field);
  if (!old) return PayloadBytes() + field.size() + value.size();
  return PayloadBytes() - old->size() + value.size();
}

size_t HashObject::MemoryUsage() const {
  if (table_ == nullptr) return sizeof(*this) + compact_.AllocBytes();
  return sizeof(*this) + sizeof(Table) + table_->pairs.TableBytes() + table_->heap_bytes;
}

Object* HashObject::Clone() const {
  auto* copy = new HashObject();
  copy->size_ = size_;
  copy->compact_payload_ = compact_payload_;
  copy->compact_.Assign(compact_.view());
  if (table_ != nullptr) {
    copy->table_ = std::make_unique<Table>();
    copy->table_->pairs.CopyFrom(
        table_->pairs, [](const PackedPair& r) { return PackedPair(r.Key(), r.Second()); });
    copy->table_->payload = table_->payload;
    copy->table_->heap_bytes = table_->heap_bytes;
  }
  return copy;
}

void HashObject::Serialize(std::string* out) const {
  codec::PutVarint(out, size_);
  if (table_ == nullptr) {
    out->append(compact_.view());  // the same (field, value) encoding
    return;
  }
  for (const PackedPair& r : table_->pairs) AppendPair(out, r.Key(), r.Second());
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
  for (const PackedPair& r : table_->pairs) fn(ElementView{r.Key(), r.Second(), 0, 0});
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
