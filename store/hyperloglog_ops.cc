#include "store/hyperloglog_ops.h"

#include <string>

#include "store/hyperloglog.h"

namespace stashd::store {
namespace {

// The HLL at `key`: nullopt if missing; kWrongType / kNotHll otherwise.
OpResult<std::optional<std::string_view>> FindHll(Keyspace& ks, int db, std::string_view key,
                                                  Keyspace::Lookup mode) {
  auto v = ks.Find(db, key, mode);
  if (!v) return std::optional<std::string_view>();
  if (v->type != ValueType::kString) return OpError::kWrongType;
  if (!hll::IsHll(v->str)) return OpError::kNotHll;
  return std::optional<std::string_view>(v->str);
}

}  // namespace

OpResult<bool> PfAdd(Keyspace& ks, int db, std::string_view key,
                     std::span<const std::string> elements, size_t sparse_max_bytes) {
  auto found = FindHll(ks, db, key, Keyspace::Lookup::kWrite);
  if (!found.ok()) return found.error();
  const std::optional<std::string_view> old = found.value();
  std::string value = old ? std::string(*old) : hll::NewHll();
  bool updated = !old;
  for (std::string_view element : elements) {
    const int r = hll::Add(&value, element, sparse_max_bytes);
    if (r < 0) return OpError::kCorruptHll;
    if (r > 0) updated = true;
  }
  if (!updated) return false;
  hll::InvalidateCache(&value);
  if (auto err = RewriteString(ks, db, key, old, value)) return *err;
  return true;
}

OpResult<uint64_t> PfCount(Keyspace& ks, int db, std::span<const std::string> keys) {
  if (keys.size() == 1) {
    auto found = FindHll(ks, db, keys[0], Keyspace::Lookup::kWrite);
    if (!found.ok()) return found.error();
    if (!found.value()) return uint64_t{0};
    std::string_view current = *found.value();
    if (auto cached = hll::CachedCount(current)) return *cached;
    auto count = hll::Count(current);
    if (!count) return OpError::kCorruptHll;
    std::string value(current);
    hll::SetCachedCount(&value, *count);
    if (auto err = RewriteString(ks, db, keys[0], current, value)) return *err;
    return *count;
  }
  hll::Registers max{};
  for (std::string_view key : keys) {
    auto found = FindHll(ks, db, key, Keyspace::Lookup::kRead);
    if (!found.ok()) return found.error();
    if (!found.value()) continue;
    if (!hll::MergeInto(&max, *found.value())) return OpError::kCorruptHll;
  }
  return hll::CountRegisters(max);
}

std::optional<OpError> PfMerge(Keyspace& ks, int db, std::string_view dest,
                               std::span<const std::string> sources, size_t sparse_max_bytes) {
  hll::Registers max{};
  bool dense = false;
  auto merge = [&](std::string_view key) -> std::optional<OpError> {
    auto found = FindHll(ks, db, key, Keyspace::Lookup::kRead);
    if (!found.ok()) return found.error();
    if (!found.value()) return std::nullopt;
    if (static_cast<uint8_t>((*found.value())[4]) == hll::kDense) dense = true;
    if (!hll::MergeInto(&max, *found.value())) return OpError::kCorruptHll;
    return std::nullopt;
  };
  if (auto err = merge(dest)) return err;
  for (std::string_view key : sources) {
    if (auto err = merge(key)) return err;
  }
  auto found = FindHll(ks, db, dest, Keyspace::Lookup::kWrite);
  if (!found.ok()) return found.error();
  const std::optional<std::string_view> old = found.value();
  std::string value = old ? std::string(*old) : hll::NewHll();
  if (dense && !hll::ToDense(&value)) return OpError::kCorruptHll;
  if (!hll::RaiseTo(&value, max, sparse_max_bytes)) return OpError::kCorruptHll;
  hll::InvalidateCache(&value);
  return RewriteString(ks, db, dest, old, value);
}

}  // namespace stashd::store
