#include "store/value.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "store/types/hash.h"
#include "store/types/list.h"
#include "store/types/set.h"
#include "store/types/stream.h"
#include "store/types/zset.h"

namespace stashd::store {

std::string_view TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kHash:
      return "hash";
    case ValueType::kStream:
      return "stream";
  }
  return "none";
}

// The types this build can hold. A type added later joins these switches,
// and a file or log naming a type missing here is refused at load.
bool KnownType(uint8_t type) {
  return type == static_cast<uint8_t>(ValueType::kString) ||
         type == static_cast<uint8_t>(ValueType::kHash) ||
         type == static_cast<uint8_t>(ValueType::kList) ||
         type == static_cast<uint8_t>(ValueType::kZSet) ||
         type == static_cast<uint8_t>(ValueType::kSet) ||
         type == static_cast<uint8_t>(ValueType::kStream);
}

Object* NewObject(ValueType type) {
  switch (type) {
    case ValueType::kHash:
      return new HashObject();
    case ValueType::kList:
      return new ListObject();
    case ValueType::kZSet:
      return new ZSetObject();
    case ValueType::kSet:
      return new SetObject();
    case ValueType::kStream:
      return new StreamObject();
    default:
      return nullptr;
  }
}

Object* DeserializeObject(ValueType type, std::string_view data) {
  switch (type) {
    case ValueType::kHash:
      return HashObject::Deserialize(data);
    case ValueType::kList:
      return ListObject::Deserialize(data);
    case ValueType::kZSet:
      return ZSetObject::Deserialize(data);
    case ValueType::kSet:
      return SetObject::Deserialize(data);
    case ValueType::kStream:
      return StreamObject::Deserialize(data);
    default:
      return nullptr;
  }
}

namespace {

class HashBuilder final : public ObjectBuilder {
 public:
  void Add(const ElementView& e) override { hash_->Set(e.member, e.value); }
  Object* Finish() override { return std::exchange(hash_, nullptr); }
  ~HashBuilder() override {
    if (hash_ != nullptr) hash_->Unref();
  }

 private:
  HashObject* hash_ = new HashObject();
};

// Snapshot rows may come in any order: each carries its index, and the
// indexes must be exactly 0..n-1.
class ListBuilder final : public ObjectBuilder {
 public:
  void Add(const ElementView& e) override { items_.emplace_back(e.index, std::string(e.member)); }
  Object* Finish() override {
    std::sort(items_.begin(), items_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].first != static_cast<int64_t>(i)) return nullptr;
    }
    auto* list = new ListObject();
    for (const auto& [index, item] : items_) list->Push(ListObject::End::kRight, item);
    return list;
  }

 private:
  std::vector<std::pair<int64_t, std::string>> items_;
};

// Elements arrive in any order; a NaN score is malformed.
class ZSetBuilder final : public ObjectBuilder {
 public:
  void Add(const ElementView& e) override {
    if (std::isnan(e.score)) {
      malformed_ = true;
      return;
    }
    zset_->Set(e.member, e.score);
  }
  Object* Finish() override { return malformed_ ? nullptr : std::exchange(zset_, nullptr); }
  ~ZSetBuilder() override {
    if (zset_ != nullptr) zset_->Unref();
  }

 private:
  ZSetObject* zset_ = new ZSetObject();
  bool malformed_ = false;
};

class SetBuilder final : public ObjectBuilder {
 public:
  void Add(const ElementView& e) override { set_->Add(e.member); }
  Object* Finish() override { return std::exchange(set_, nullptr); }
  ~SetBuilder() override {
    if (set_ != nullptr) set_->Unref();
  }

 private:
  SetObject* set_ = new SetObject();
};

// Row 0 is the header and groups, rows 1.. the blocks in order; they may
// come in any order and must be exactly 0..n-1.
class StreamBuilder final : public ObjectBuilder {
 public:
  void Add(const ElementView& e) override { rows_.emplace_back(e.index, std::string(e.member)); }
  Object* Finish() override {
    std::sort(rows_.begin(), rows_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> rows;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].first != static_cast<int64_t>(i)) return nullptr;
      rows.push_back(std::move(rows_[i].second));
    }
    return StreamObject::FromRows(rows);
  }

 private:
  std::vector<std::pair<int64_t, std::string>> rows_;
};

}  // namespace

std::unique_ptr<ObjectBuilder> NewObjectBuilder(ValueType type) {
  switch (type) {
    case ValueType::kHash:
      return std::make_unique<HashBuilder>();
    case ValueType::kList:
      return std::make_unique<ListBuilder>();
    case ValueType::kZSet:
      return std::make_unique<ZSetBuilder>();
    case ValueType::kSet:
      return std::make_unique<SetBuilder>();
    case ValueType::kStream:
      return std::make_unique<StreamBuilder>();
    default:
      return nullptr;
  }
}

}  // namespace stashd::store
