#include "store/list_ops.h"

namespace stashd::store {
namespace {

ListObject::Op PushOp(ListEnd end) {
  return end == ListEnd::kLeft ? ListObject::kPushLeft : ListObject::kPushRight;
}
ListObject::Op PopOp(ListEnd end) {
  return end == ListEnd::kLeft ? ListObject::kPopLeft : ListObject::kPopRight;
}
WriteEvent PushEvent(ListEnd end) {
  return {notify::kNotifyList, end == ListEnd::kLeft ? "lpush" : "rpush"};
}
WriteEvent PopEvent(ListEnd end) {
  return {notify::kNotifyList, end == ListEnd::kLeft ? "lpop" : "rpop"};
}

}  // namespace

OpResult<int64_t> ListPush(Keyspace& ks, int db, std::string_view key, ListEnd end,
                           std::span<const std::string_view> items, bool only_if_exists) {
  KeyWriter w = ks.Write(db, key, ValueType::kList,
                         only_if_exists ? Keyspace::Missing::kFail : Keyspace::Missing::kCreate);
  if (w.status() == KeyWriter::Status::kWrongType) return OpError::kWrongType;
  if (!w.ok()) return int64_t{0};
  auto& list = w.As<ListObject>();
  size_t payload = list.PayloadBytes();
  for (std::string_view item : items) payload += item.size();
  if (!w.Fits(payload)) return OpError::kScopeLimit;
  for (std::string_view item : items) list.Push(end, item);
  w.Record(PushOp(end), items);
  w.Notify(PushEvent(end));
  return static_cast<int64_t>(list.Size());
}

OpResult<std::optional<std::vector<std::string>>> ListPop(Keyspace& ks, int db,
                                                          std::string_view key, ListEnd end,
                                                          size_t count) {
  KeyWriter w = ks.Write(db, key, ValueType::kList, Keyspace::Missing::kFail);
  if (w.status() == KeyWriter::Status::kWrongType) return OpError::kWrongType;
  if (!w.ok()) return std::optional<std::vector<std::string>>();
  std::vector<std::string> items;
  const size_t popped = w.As<ListObject>().Pop(end, count, &items);
  if (popped > 0) {
    const std::string n = std::to_string(popped);
    const std::string_view arg[] = {n};
    w.Record(PopOp(end), arg);
    w.Notify(PopEvent(end));
  }
  return std::optional<std::vector<std::string>>(std::move(items));
}

OpResult<std::optional<std::string>> ListMove(Keyspace& ks, int db, std::string_view src,
                                              std::string_view dst, ListEnd from, ListEnd to) {
  const std::string_view one[] = {"1"};
  KeyWriter s = ks.Write(db, src, ValueType::kList, Keyspace::Missing::kFail);
  if (s.status() == KeyWriter::Status::kWrongType) return OpError::kWrongType;
  if (!s.ok()) return std::optional<std::string>();
  auto& source = s.As<ListObject>();
  if (src == dst) {
    // A rotation: one writer, a pop then a push; the size never changes.
    std::vector<std::string> item;
    source.Pop(from, 1, &item);
    s.Record(PopOp(from), one);
    source.Push(to, item[0]);
    const std::string_view pushed[] = {item[0]};
    s.Record(PushOp(to), pushed);
    s.Notify(PushEvent(to));  // Redis pushes, then reports the pop
    s.Notify(PopEvent(from));
    return std::optional<std::string>(std::move(item[0]));
  }
  KeyWriter d = ks.Write(db, dst, ValueType::kList, Keyspace::Missing::kCreate);
  if (d.status() == KeyWriter::Status::kWrongType) return OpError::kWrongType;
  auto& target = d.As<ListObject>();
  const std::string_view peek = *source.Index(from == ListEnd::kLeft ? 0 : -1);
  if (!d.Fits(target.PayloadBytes() + peek.size())) return OpError::kScopeLimit;
  std::vector<std::string> item;
  source.Pop(from, 1, &item);
  s.Record(PopOp(from), one);
  target.Push(to, item[0]);
  const std::string_view pushed[] = {item[0]};
  d.Record(PushOp(to), pushed);
  // `d` commits first (destroyed first): "new" and the push on the
  // destination, then the pop (and "del") on the source, as in Redis.
  d.Notify(PushEvent(to));
  s.Notify(PopEvent(from));
  return std::optional<std::string>(std::move(item[0]));
}

}  // namespace stashd::store
