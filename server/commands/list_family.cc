// The list commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX
// LSET LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH LMPOP, and the blocking
// BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (server/exec/blocking.h: a blocking
// handler is its non-blocking form plus BlockOrTimeout()).
//
// Reads look the key up with Keyspace::Find. Pushes, pops and moves are the
// store operations of store/list_ops.h (what a blocking layer will call as
// well); the other writes go through Keyspace::Write here and record
// ListObject's element-level delta ops: LSET the index it set, LINSERT the
// index it inserted at, so the log never repeats a search.
//
// Arguments are checked in the order Redis 7.0 checks them (t_list.c),
// because that order decides which error (or empty reply) a client sees:
// LRANGE, LTRIM and LREM parse their numbers before looking the key up,
// LINDEX and LSET after.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/commands/collection_access.h"
#include "server/commands/scope_reply.h"
#include "server/exec/blocking.h"
#include "server/exec/command.h"
#include "store/keyspace.h"
#include "store/list_ops.h"
#include "store/string_ops.h"
#include "store/types/list.h"

namespace stashd::server {
namespace {

using store::Keyspace;
using store::KeyWriter;
using store::ListEnd;
using store::ListObject;
using store::OpError;

// The list at `key` for a read command (counted in keyspace hits/misses):
// nullptr if the key is missing. Sets *wrong_type (and replies WRONGTYPE) if
// it holds another type.
const ListObject* ReadList(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return ReadCollection<ListObject>(ctx, key, store::ValueType::kList, wrong_type);
}

// Opens an existing list for writing (kFail): false if missing or of another
// type (WRONGTYPE replied).
bool OpenList(CommandContext& ctx, KeyWriter& w) { return OpenCollection(ctx, w); }

KeyWriter WriteList(CommandContext& ctx, std::string_view key) {
  return ctx.keyspace.Write(ctx.db(), key, store::ValueType::kList, Keyspace::Missing::kFail);
}

void ReplyOpError(CommandContext& ctx, OpError e, std::string_view key) {
  if (e == OpError::kScopeLimit) {
    ReplyScopeValueTooLarge(ctx.reply, *ctx.keyspace.ValueTooLarge(key, SIZE_MAX));
  } else {
    ctx.reply.Error(errors::kWrongType);
  }
}

void ReplyScopeError(CommandContext& ctx, std::string_view key) {
  ReplyOpError(ctx, OpError::kScopeLimit, key);
}

std::optional<ListEnd> ParseEnd(std::string_view s) {
  if (EqualsIgnoreCase(s, "left")) return ListEnd::kLeft;
  if (EqualsIgnoreCase(s, "right")) return ListEnd::kRight;
  return std::nullopt;
}

void ReplyItems(CommandContext& ctx, const std::vector<std::string>& items) {
  ctx.reply.ArrayLen(items.size());
  for (const std::string& item : items) ctx.reply.Bulk(item);
}

// ---- LPUSH RPUSH LPUSHX RPUSHX ----

template <ListEnd kEnd, bool kOnlyIfExists>
void CmdPush(CommandContext& ctx) {
  std::vector<std::string_view> items(ctx.args.begin() + 2, ctx.args.end());
  auto r = store::ListPush(ctx.keyspace, ctx.db(), ctx.args[1], kEnd, items, kOnlyIfExists);
  if (!r.ok()) return ReplyOpError(ctx, r.error(), ctx.args[1]);
  ctx.reply.Integer(r.value());
}

// ---- LPOP RPOP ----

// LPOP key [count]: a bulk (nil if missing) without count, an array (a nil
// array if missing) with it.
template <ListEnd kEnd>
void CmdPop(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    return ctx.reply.Error(
        errors::Format(errors::kWrongArgs, {kEnd == ListEnd::kLeft ? "lpop" : "rpop"}));
  }
  const bool has_count = ctx.args.size() == 3;
  size_t count = 1;
  if (has_count) {
    std::optional<int64_t> n = store::ParseInt64(ctx.args[2]);
    if (!n || *n < 0) return ctx.reply.Error(errors::kMustBePositive);
    count = static_cast<size_t>(*n);
  }
  auto r = store::ListPop(ctx.keyspace, ctx.db(), ctx.args[1], kEnd, count);
  if (!r.ok()) return ReplyOpError(ctx, r.error(), ctx.args[1]);
  const auto& items = r.value();
  if (!has_count) {
    if (!items) return ctx.reply.Null();
    return ctx.reply.Bulk(items->front());
  }
  if (!items) return ctx.reply.NullArray();
  ReplyItems(ctx, *items);
}

// ---- LLEN LRANGE LINDEX LPOS ----

void CmdLlen(CommandContext& ctx) {
  bool wrong_type;
  const ListObject* l = ReadList(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(l ? static_cast<int64_t>(l->Size()) : 0);
}

void CmdLrange(CommandContext& ctx) {
  std::optional<int64_t> start = store::ParseInt64(ctx.args[2]);
  std::optional<int64_t> stop = store::ParseInt64(ctx.args[3]);
  if (!start || !stop) return ctx.reply.Error(errors::kNotInteger);
  bool wrong_type;
  const ListObject* l = ReadList(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  if (l == nullptr) return ctx.reply.ArrayLen(0);
  const auto len = static_cast<int64_t>(l->Size());
  int64_t s = *start < 0 ? *start + len : *start;
  int64_t e = *stop < 0 ? *stop + len : *stop;
  if (s < 0) s = 0;
  if (s > e || s >= len) return ctx.reply.ArrayLen(0);
  if (e >= len) e = len - 1;
  const auto n = static_cast<size_t>(e - s + 1);
  ctx.reply.ArrayLen(n);
  size_t sent = 0;
  l->Walk(static_cast<size_t>(s), true, [&](std::string_view item, size_t) {
    ctx.reply.Bulk(item);
    return ++sent < n;
  });
}

void CmdLindex(CommandContext& ctx) {
  bool wrong_type;
  const ListObject* l = ReadList(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  if (l == nullptr) return ctx.reply.Null();
  std::optional<int64_t> index = store::ParseInt64(ctx.args[2]);
  if (!index) return ctx.reply.Error(errors::kNotInteger);
  std::optional<std::string_view> item = l->Index(*index);
  if (!item) return ctx.reply.Null();
  ctx.reply.Bulk(*item);
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLpos(CommandContext& ctx) {
  int64_t rank = 1;
  int64_t count = -1;  // no COUNT: one index or nil
  int64_t maxlen = 0;  // 0: the whole list
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    const bool more = j + 1 < ctx.args.size();
    const std::string& opt = ctx.args[j];
    if (more && EqualsIgnoreCase(opt, "rank")) {
      std::optional<int64_t> v = store::ParseInt64(ctx.args[++j]);
      if (!v) return ctx.reply.Error(errors::kNotInteger);
      if (*v == 0) return ctx.reply.Error(errors::kListRankZero);
      rank = *v;
    } else if (more && EqualsIgnoreCase(opt, "count")) {
      std::optional<int64_t> v = store::ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) return ctx.reply.Error(errors::kListPosCountNegative);
      count = *v;
    } else if (more && EqualsIgnoreCase(opt, "maxlen")) {
      std::optional<int64_t> v = store::ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) return ctx.reply.Error(errors::kListPosMaxlenNegative);
      maxlen = *v;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  bool wrong_type;
  const ListObject* l = ReadList(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  if (l == nullptr) return count != -1 ? ctx.reply.ArrayLen(0) : ctx.reply.Null();
  const bool forward = rank > 0;
  // Redis negates the rank in a long: LONG_MIN stays negative and then
  // every match qualifies, as with a rank of -1.
  const int64_t first = rank > 0 ? rank : (rank == INT64_MIN ? 1 : -rank);
  std::vector<int64_t> found;
  int64_t matches = 0;
  int64_t visited = 0;
  const std::string& element = ctx.args[2];
  l->Walk(forward ? 0 : l->Size() - 1, forward, [&](std::string_view item, size_t index) {
    if (maxlen != 0 && visited >= maxlen) return false;
    ++visited;
    if (item != element || ++matches < first) return true;
    found.push_back(static_cast<int64_t>(index));
    if (count == -1) return false;
    return count == 0 || matches - first + 1 < count;
  });
  if (count != -1) {
    ctx.reply.ArrayLen(found.size());
    for (int64_t i : found) ctx.reply.Integer(i);
    return;
  }
  if (found.empty()) return ctx.reply.Null();
  ctx.reply.Integer(found[0]);
}

// ---- LSET LREM LTRIM LINSERT ----

void CmdLset(CommandContext& ctx) {
  KeyWriter w = WriteList(ctx, ctx.args[1]);
  if (!OpenList(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  std::optional<int64_t> index = store::ParseInt64(ctx.args[2]);
  if (!index) return ctx.reply.Error(errors::kNotInteger);
  auto& l = w.As<ListObject>();
  const auto len = static_cast<int64_t>(l.Size());
  const int64_t i = *index < 0 ? *index + len : *index;
  if (i < 0 || i >= len) return ctx.reply.Error(errors::kListIndexOutOfRange);
  const std::string& value = ctx.args[3];
  if (!w.Fits(l.PayloadBytes() - l.Index(i)->size() + value.size())) {
    return ReplyScopeError(ctx, ctx.args[1]);
  }
  l.Set(i, value);
  const std::string at = std::to_string(i);
  const std::string_view args[] = {at, value};
  w.Record(ListObject::kSet, args);
  w.Notify({kNotifyList, "lset"});
  ctx.reply.Ok();
}

void CmdLrem(CommandContext& ctx) {
  std::optional<int64_t> count = store::ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(errors::kNotInteger);
  KeyWriter w = WriteList(ctx, ctx.args[1]);
  if (!OpenList(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Integer(0);
    return;
  }
  const size_t removed = w.As<ListObject>().Remove(*count, ctx.args[3]);
  if (removed > 0) {
    const std::string_view args[] = {ctx.args[2], ctx.args[3]};
    w.Record(ListObject::kRemove, args);
    w.Notify({kNotifyList, "lrem"});
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void CmdLtrim(CommandContext& ctx) {
  std::optional<int64_t> start = store::ParseInt64(ctx.args[2]);
  std::optional<int64_t> stop = store::ParseInt64(ctx.args[3]);
  if (!start || !stop) return ctx.reply.Error(errors::kNotInteger);
  KeyWriter w = WriteList(ctx, ctx.args[1]);
  if (!OpenList(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Ok();
    return;
  }
  w.As<ListObject>().Trim(*start, *stop);
  // Recorded even when nothing was cut: Redis signals the key modified
  // (WATCH fails) after any LTRIM of an existing list.
  const std::string_view args[] = {ctx.args[2], ctx.args[3]};
  w.Record(ListObject::kTrim, args);
  w.Notify({kNotifyList, "ltrim"});
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element: the new length, -1 if the pivot
// is not there, 0 if the key is missing.
void CmdLinsert(CommandContext& ctx) {
  const bool before = EqualsIgnoreCase(ctx.args[2], "before");
  if (!before && !EqualsIgnoreCase(ctx.args[2], "after")) return ctx.reply.Error(errors::kSyntax);
  KeyWriter w = WriteList(ctx, ctx.args[1]);
  if (!OpenList(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Integer(0);
    return;
  }
  auto& l = w.As<ListObject>();
  const int64_t pivot = l.Find(ctx.args[3]);
  if (pivot < 0) return ctx.reply.Integer(-1);
  const std::string& element = ctx.args[4];
  if (!w.Fits(l.PayloadBytes() + element.size())) return ReplyScopeError(ctx, ctx.args[1]);
  const int64_t at = before ? pivot : pivot + 1;
  l.Insert(static_cast<size_t>(at), element);
  const std::string index = std::to_string(at);
  const std::string_view args[] = {index, element};
  w.Record(ListObject::kInsert, args);
  w.Notify({kNotifyList, "linsert"});
  ctx.reply.Integer(static_cast<int64_t>(l.Size()));
}

// ---- LMOVE RPOPLPUSH LMPOP ----

// LMOVE / RPOPLPUSH, and with `timeout_arg` (an argument index, 0 for
// none) BLMOVE / BRPOPLPUSH: these block on the source while it is missing.
void Move(CommandContext& ctx, ListEnd from, ListEnd to, size_t timeout_arg = 0) {
  int64_t deadline = 0;
  if (timeout_arg != 0 && !ParseBlockTimeout(ctx, ctx.args[timeout_arg], false, &deadline)) return;
  auto r = store::ListMove(ctx.keyspace, ctx.db(), ctx.args[1], ctx.args[2], from, to);
  if (!r.ok()) return ReplyOpError(ctx, r.error(), ctx.args[2]);
  if (r.value()) return ctx.reply.Bulk(*r.value());
  if (timeout_arg == 0) return ctx.reply.Null();
  // Timed out, Redis replies a nil array; inside MULTI, LMOVE's nil.
  BlockOrTimeout(ctx, {ctx.args[1]}, deadline, store::ValueType::kList, TimeoutReply::kNullArray,
                 TimeoutReply::kNull);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT, and BLMOVE ... timeout.
template <bool kBlocking>
void CmdLmove(CommandContext& ctx) {
  std::optional<ListEnd> from = ParseEnd(ctx.args[3]);
  std::optional<ListEnd> to = ParseEnd(ctx.args[4]);
  if (!from || !to) return ctx.reply.Error(errors::kSyntax);
  Move(ctx, *from, *to, kBlocking ? 5 : 0);
}

void CmdRpoplpush(CommandContext& ctx) { Move(ctx, ListEnd::kRight, ListEnd::kLeft); }
void CmdBrpoplpush(CommandContext& ctx) { Move(ctx, ListEnd::kRight, ListEnd::kLeft, 3); }

// BLPOP / BRPOP key [key ...] timeout: [key, item] from the first non-empty
// list (WRONGTYPE if a key before it holds another type), else blocks.
template <ListEnd kEnd>
void CmdBpop(CommandContext& ctx) {
  int64_t deadline;
  if (!ParseBlockTimeout(ctx, ctx.args.back(), false, &deadline)) return;
  const size_t last = ctx.args.size() - 1;
  for (size_t k = 1; k < last; ++k) {
    const std::string& key = ctx.args[k];
    if (SkipWhileServing(ctx, key)) continue;
    auto r = store::ListPop(ctx.keyspace, ctx.db(), key, kEnd, 1);
    if (!r.ok()) return ReplyOpError(ctx, r.error(), key);
    if (!r.value()) continue;
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(r.value()->front());
    return;
  }
  BlockOrTimeout(ctx, std::vector<std::string>(ctx.args.begin() + 1, ctx.args.begin() + last),
                 deadline, store::ValueType::kList, TimeoutReply::kNullArray);
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the first
// non-empty list; [key, [items]] or a nil array. BLMPOP timeout numkeys ...
// (kBlocking) blocks instead; its timeout is checked last, as in Redis.
template <bool kBlocking>
void CmdLmpop(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  const size_t numkeys_at = kBlocking ? 2 : 1;
  std::optional<int64_t> numkeys = store::ParseInt64(ctx.args[numkeys_at]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error(errors::kNumkeysNotPositive);
  if (static_cast<uint64_t>(*numkeys) >= argc - numkeys_at - 1) {
    return ctx.reply.Error(errors::kSyntax);
  }
  const size_t where_at = static_cast<size_t>(*numkeys) + numkeys_at + 1;
  std::optional<ListEnd> end = ParseEnd(ctx.args[where_at]);
  if (!end) return ctx.reply.Error(errors::kSyntax);
  int64_t count = -1;
  for (size_t j = where_at + 1; j < argc; ++j) {
    if (count == -1 && j + 1 < argc && EqualsIgnoreCase(ctx.args[j], "count")) {
      std::optional<int64_t> v = store::ParseInt64(ctx.args[++j]);
      if (!v || *v < 1) return ctx.reply.Error(errors::kListPopCountNotPositive);
      count = *v;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (count == -1) count = 1;
  int64_t deadline = 0;
  if (kBlocking && !ParseBlockTimeout(ctx, ctx.args[1], false, &deadline)) return;
  for (size_t k = numkeys_at + 1; k < where_at; ++k) {
    if (SkipWhileServing(ctx, ctx.args[k])) continue;
    auto r = store::ListPop(ctx.keyspace, ctx.db(), ctx.args[k], *end, static_cast<size_t>(count));
    if (!r.ok()) return ReplyOpError(ctx, r.error(), ctx.args[k]);
    if (!r.value()) continue;
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(ctx.args[k]);
    return ReplyItems(ctx, *r.value());
  }
  if (!kBlocking) return ctx.reply.NullArray();
  BlockOrTimeout(ctx,
                 std::vector<std::string>(ctx.args.begin() + static_cast<int64_t>(numkeys_at) + 1,
                                          ctx.args.begin() + static_cast<int64_t>(where_at)),
                 deadline, store::ValueType::kList, TimeoutReply::kNullArray);
}

}  // namespace

void RegisterListFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  r.Register(
      {.name = "blmove",
       .arity = 6,
       .flags = kWrite | kDenyOom | kNoScript | kBlocking,
       .first_key = 1,
       .last_key = 2,
       .step = 1,
       .handler = CmdLmove<true>,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kAccess | kDelete, kRW | kInsert},
       .summary = "Pop an element from a list, push it to another list and return it; or block "
                  "until one is available",
       .since = "6.2.0",
       .group = "list",
       .complexity = "O(1)",
       .arguments = {ArgKey("source", 0), ArgKey("destination", 1),
                     ArgOneOf("wherefrom", {ArgToken("left", "LEFT"), ArgToken("right", "RIGHT")}),
                     ArgOneOf("whereto", {ArgToken("left", "LEFT"), ArgToken("right", "RIGHT")}),
                     ArgDouble("timeout")}});
  r.Register(
      {.name = "blmpop",
       .arity = -5,
       .flags = kWrite | kBlocking,
       .first_key = 0,
       .last_key = 0,
       .step = 0,
       .handler = CmdLmpop<true>,
       .acl_categories = AclCategory::kList,
       .key_specs = {KeySpec::Index(2, kRW | kAccess | kDelete).Keynum(0, 1, 1)},
       .summary = "Pop elements from a list, or block until one is available",
       .since = "7.0.0",
       .group = "list",
       .complexity = "O(N+M) where N is the number of provided keys and M is the number of "
                     "elements returned.",
       .arguments = {ArgDouble("timeout"), ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                     ArgOneOf("where", {ArgToken("left", "LEFT"), ArgToken("right", "RIGHT")}),
                     ArgInteger("count").Token("COUNT").Optional()}});
  r.Register(
      {.name = "blpop",
       .arity = -3,
       .flags = kWrite | kNoScript | kBlocking,
       .first_key = 1,
       .last_key = -2,
       .step = 1,
       .handler = CmdBpop<ListEnd::kLeft>,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kAccess | kDelete},
       .summary = "Remove and get the first element in a list, or block until one is available",
       .since = "2.0.0",
       .group = "list",
       .complexity = "O(N) where N is the number of provided keys.",
       .history = {{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
       .arguments = {ArgKey("key", 0).Multiple(), ArgDouble("timeout")}});
  r.Register(
      {.name = "brpop",
       .arity = -3,
       .flags = kWrite | kNoScript | kBlocking,
       .first_key = 1,
       .last_key = -2,
       .step = 1,
       .handler = CmdBpop<ListEnd::kRight>,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kAccess | kDelete},
       .summary = "Remove and get the last element in a list, or block until one is available",
       .since = "2.0.0",
       .group = "list",
       .complexity = "O(N) where N is the number of provided keys.",
       .history = {{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
       .arguments = {ArgKey("key", 0).Multiple(), ArgDouble("timeout")}});
  r.Register({.name = "brpoplpush",
              .arity = 4,
              .flags = kWrite | kDenyOom | kNoScript | kBlocking,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .handler = CmdBrpoplpush,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kAccess | kDelete, kRW | kInsert},
              .summary = "Pop an element from a list, push it to another list and return it; or "
                         "block until one is available",
              .since = "2.2.0",
              .group = "list",
              .complexity = "O(1)",
              .deprecated = true,
              .deprecated_since = "6.2.0",
              .replaced_by = "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
              .history = {{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
              .arguments = {ArgKey("source", 0), ArgKey("destination", 1), ArgDouble("timeout")}});
  r.Register({.name = "lindex",
              .arity = 3,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdLindex,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get an element from a list by its index",
              .since = "1.0.0",
              .group = "list",
              .complexity =
                  "O(N) where N is the number of elements to traverse to get to the element at "
                  "index. This makes asking for the first or the last element of the list O(1).",
              .arguments = {ArgKey("key", 0), ArgInteger("index")}});
  r.Register(
      {.name = "linsert",
       .arity = 5,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdLinsert,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kInsert},
       .summary = "Insert an element before or after another element in a list",
       .since = "2.2.0",
       .group = "list",
       .complexity =
           "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
           "means that inserting somewhere on the left end on the list (head) can be considered "
           "O(1) and inserting somewhere on the right end (tail) is O(N).",
       .arguments = {ArgKey("key", 0),
                     ArgOneOf("where", {ArgToken("before", "BEFORE"), ArgToken("after", "AFTER")}),
                     ArgString("pivot"), ArgString("element")}});
  r.Register({.name = "llen",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdLlen,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRO},
              .summary = "Get the length of a list",
              .since = "1.0.0",
              .group = "list",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register(
      {.name = "lmpop",
       .arity = -4,
       .flags = kWrite,
       .first_key = 0,
       .last_key = 0,
       .step = 0,
       .handler = CmdLmpop<false>,
       .acl_categories = AclCategory::kList,
       .key_specs = {KeySpec::Index(1, kRW | kAccess | kDelete).Keynum(0, 1, 1)},
       .summary = "Pop elements from a list",
       .since = "7.0.0",
       .group = "list",
       .complexity = "O(N+M) where N is the number of provided keys and M is the number of "
                     "elements returned.",
       .arguments = {ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                     ArgOneOf("where", {ArgToken("left", "LEFT"), ArgToken("right", "RIGHT")}),
                     ArgInteger("count").Token("COUNT").Optional()}});
  r.Register(
      {.name = "lmove",
       .arity = 5,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 2,
       .step = 1,
       .handler = CmdLmove<false>,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kAccess | kDelete, kRW | kInsert},
       .summary = "Pop an element from a list, push it to another list and return it",
       .since = "6.2.0",
       .group = "list",
       .complexity = "O(1)",
       .arguments = {ArgKey("source", 0), ArgKey("destination", 1),
                     ArgOneOf("wherefrom", {ArgToken("left", "LEFT"), ArgToken("right", "RIGHT")}),
                     ArgOneOf("whereto", {ArgToken("left", "LEFT"), ArgToken("right", "RIGHT")})}});
  r.Register({.name = "lpop",
              .arity = -2,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPop<ListEnd::kLeft>,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .summary = "Remove and get the first elements in a list",
              .since = "1.0.0",
              .group = "list",
              .complexity = "O(N) where N is the number of elements returned",
              .history = {{"6.2.0", "Added the `count` argument."}},
              .arguments = {ArgKey("key", 0), ArgInteger("count").Since("6.2.0").Optional()}});
  r.Register({.name = "lpos",
              .arity = -3,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdLpos,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Return the index of matching elements on a list",
              .since = "6.0.6",
              .group = "list",
              .complexity =
                  "O(N) where N is the number of elements in the list, for the average case. "
                  "When searching for elements near the head or the tail of the list, or when "
                  "the MAXLEN option is provided, the command may run in constant time.",
              .arguments = {ArgKey("key", 0), ArgString("element"),
                            ArgInteger("rank").Token("RANK").Optional(),
                            ArgInteger("num-matches").Token("COUNT").Optional(),
                            ArgInteger("len").Token("MAXLEN").Optional()}});
  r.Register({.name = "lpush",
              .arity = -3,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPush<ListEnd::kLeft, false>,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kInsert},
              .summary = "Prepend one or multiple elements to a list",
              .since = "1.0.0",
              .group = "list",
              .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                            "command is called with multiple arguments.",
              .history = {{"2.4.0", "Accepts multiple `element` arguments."}},
              .arguments = {ArgKey("key", 0), ArgString("element").Multiple()}});
  r.Register({.name = "lpushx",
              .arity = -3,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPush<ListEnd::kLeft, true>,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kInsert},
              .summary = "Prepend an element to a list, only if the list exists",
              .since = "2.2.0",
              .group = "list",
              .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                            "command is called with multiple arguments.",
              .history = {{"4.0.0", "Accepts multiple `element` arguments."}},
              .arguments = {ArgKey("key", 0), ArgString("element").Multiple()}});
  r.Register({.name = "lrange",
              .arity = 4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdLrange,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get a range of elements from a list",
              .since = "1.0.0",
              .group = "list",
              .complexity = "O(S+N) where S is the distance of start offset from HEAD for small "
                            "lists, from nearest end (HEAD or TAIL) for large lists; and N is the "
                            "number of elements in the specified range.",
              .arguments = {ArgKey("key", 0), ArgInteger("start"), ArgInteger("stop")}});
  r.Register(
      {.name = "lrem",
       .arity = 4,
       .flags = kWrite,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdLrem,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kDelete},
       .summary = "Remove elements from a list",
       .since = "1.0.0",
       .group = "list",
       .complexity =
           "O(N+M) where N is the length of the list and M is the number of elements removed.",
       .arguments = {ArgKey("key", 0), ArgInteger("count"), ArgString("element")}});
  r.Register({.name = "lset",
              .arity = 4,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdLset,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Set the value of an element in a list by its index",
              .since = "1.0.0",
              .group = "list",
              .complexity = "O(N) where N is the length of the list. Setting either the first or "
                            "the last element of the list is O(1).",
              .arguments = {ArgKey("key", 0), ArgInteger("index"), ArgString("element")}});
  r.Register(
      {.name = "ltrim",
       .arity = 4,
       .flags = kWrite,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdLtrim,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kDelete},
       .summary = "Trim a list to the specified range",
       .since = "1.0.0",
       .group = "list",
       .complexity = "O(N) where N is the number of elements to be removed by the operation.",
       .arguments = {ArgKey("key", 0), ArgInteger("start"), ArgInteger("stop")}});
  r.Register({.name = "rpop",
              .arity = -2,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPop<ListEnd::kRight>,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .summary = "Remove and get the last elements in a list",
              .since = "1.0.0",
              .group = "list",
              .complexity = "O(N) where N is the number of elements returned",
              .history = {{"6.2.0", "Added the `count` argument."}},
              .arguments = {ArgKey("key", 0), ArgInteger("count").Since("6.2.0").Optional()}});
  r.Register(
      {.name = "rpoplpush",
       .arity = 3,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 2,
       .step = 1,
       .handler = CmdRpoplpush,
       .acl_categories = AclCategory::kList,
       .key_spec_flags = {kRW | kAccess | kDelete, kRW | kInsert},
       .summary = "Remove the last element in a list, prepend it to another list and return it",
       .since = "1.2.0",
       .group = "list",
       .complexity = "O(1)",
       .deprecated = true,
       .deprecated_since = "6.2.0",
       .replaced_by = "`LMOVE` with the `RIGHT` and `LEFT` arguments",
       .arguments = {ArgKey("source", 0), ArgKey("destination", 1)}});
  r.Register({.name = "rpush",
              .arity = -3,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPush<ListEnd::kRight, false>,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kInsert},
              .summary = "Append one or multiple elements to a list",
              .since = "1.0.0",
              .group = "list",
              .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                            "command is called with multiple arguments.",
              .history = {{"2.4.0", "Accepts multiple `element` arguments."}},
              .arguments = {ArgKey("key", 0), ArgString("element").Multiple()}});
  r.Register({.name = "rpushx",
              .arity = -3,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdPush<ListEnd::kRight, true>,
              .acl_categories = AclCategory::kList,
              .key_spec_flags = {kRW | kInsert},
              .summary = "Append an element to a list, only if the list exists",
              .since = "2.2.0",
              .group = "list",
              .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                            "command is called with multiple arguments.",
              .history = {{"4.0.0", "Accepts multiple `element` arguments."}},
              .arguments = {ArgKey("key", 0), ArgString("element").Multiple()}});
}

}  // namespace stashd::server
