// The set commands: SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS SPOP
// SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
// SDIFFSTORE SSCAN.
//
// Reads look keys up with Keyspace::Find; a write inside a set goes through
// Keyspace::Write and records what it changed with SetObject's two delta ops
// (SPOP records the members it removed, never "pop something"). The *STORE
// commands build their result as a new set and store it whole
// (StoreCollection → Keyspace::StoreObject: logged as the whole value, as
// Redis replaces the destination; the destination's scope policy applies).
//
// Arguments and keys are checked in the order Redis 7.0 checks them (t_set.c),
// because that order decides which error (or empty reply) a client sees.
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/commands/collection_access.h"
#include "server/commands/scan_args.h"
#include "server/commands/scope_reply.h"
#include "server/exec/command.h"
#include "store/glob.h"
#include "store/keyspace.h"
#include "store/string_ops.h"
#include "store/types/set.h"

namespace stashd::server {
namespace {

using store::Keyspace;
using store::KeyWriter;
using store::SetObject;

std::mt19937_64& Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

size_t RandomBelow(size_t n) { return static_cast<size_t>(Random()() % n); }

// The set at `key` for a read command (counted in keyspace hits/misses):
// nullptr if the key is missing. Sets *wrong_type (and replies WRONGTYPE) if
// it holds another type.
const SetObject* ReadSet(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return ReadCollection<SetObject>(ctx, key, store::ValueType::kSet, wrong_type);
}

// Opens `key` for writing as a set; replies WRONGTYPE and returns false if it
// holds another type (or, with kFail, false without a reply if missing).
bool OpenSet(CommandContext& ctx, KeyWriter& w) { return OpenCollection(ctx, w); }

KeyWriter WriteSet(CommandContext& ctx, std::string_view key, Keyspace::Missing missing) {
  return ctx.keyspace.Write(ctx.db(), key, store::ValueType::kSet, missing);
}

// Members to reply or store, as views: into the sets themselves (stable
// while nothing changes) or, for integers formatted out of an intset, into
// `formatted`.
class MemberList {
 public:
  void Add(const SetObject& s, size_t i) {
    std::string_view m = s.At(i, &buf_);
    if (s.intset()) m = formatted_.emplace_back(m);
    views_.push_back(m);
  }
  const std::vector<std::string_view>& views() const { return views_; }

 private:
  std::string buf_;
  std::deque<std::string> formatted_;
  std::vector<std::string_view> views_;
};

void ReplyMembers(CommandContext& ctx, const std::vector<std::string_view>& members, bool as_set) {
  if (as_set) {
    ctx.reply.SetLen(members.size());
  } else {
    ctx.reply.ArrayLen(members.size());
  }
  for (std::string_view m : members) ctx.reply.Bulk(m);
}

void ReplySet(CommandContext& ctx, const SetObject& s) {
  ctx.reply.SetLen(s.Size());
  s.ForEachMember([&](std::string_view m) { ctx.reply.Bulk(m); });
}

// ---- SADD SREM ----

void CmdSadd(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  KeyWriter w = WriteSet(ctx, key, Keyspace::Missing::kCreate);
  if (!OpenSet(ctx, w)) return;
  auto& s = w.As<SetObject>();
  if (const store::ScopeConfig* scope = ctx.keyspace.ValueTooLarge(key, SIZE_MAX)) {
    // The key's scope limits sizes: count what the new members would add.
    size_t payload = s.PayloadBytes();
    absl::flat_hash_set<std::string_view> seen;
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const std::string_view m = ctx.args[i];
      if (seen.insert(m).second && !s.Contains(m)) payload += m.size();
    }
    if (!w.Fits(payload)) return ReplyScopeValueTooLarge(ctx.reply, *scope);
  }
  std::vector<std::string_view> added;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (s.Add(ctx.args[i])) added.emplace_back(ctx.args[i]);
  }
  if (!added.empty()) w.Record(SetObject::kAdd, added);
  w.Notify({kNotifySet, "sadd"});
  ctx.reply.Integer(static_cast<int64_t>(added.size()));
}

void CmdSrem(CommandContext& ctx) {
  KeyWriter w = WriteSet(ctx, ctx.args[1], Keyspace::Missing::kFail);
  if (!OpenSet(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Integer(0);
    return;
  }
  auto& s = w.As<SetObject>();
  std::vector<std::string_view> removed;
  for (size_t i = 2; i < ctx.args.size() && s.Size() > 0; ++i) {
    if (s.Remove(ctx.args[i])) removed.emplace_back(ctx.args[i]);
  }
  if (!removed.empty()) w.Record(SetObject::kRemove, removed);
  w.Notify({kNotifySet, "srem"});
  ctx.reply.Integer(static_cast<int64_t>(removed.size()));
}

// ---- SISMEMBER SMISMEMBER SCARD SMEMBERS ----

void CmdSismember(CommandContext& ctx) {
  bool wrong_type;
  const SetObject* s = ReadSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(s != nullptr && s->Contains(ctx.args[2]) ? 1 : 0);
}

void CmdSmismember(CommandContext& ctx) {
  bool wrong_type;
  const SetObject* s = ReadSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.ArrayLen(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Integer(s != nullptr && s->Contains(ctx.args[i]) ? 1 : 0);
  }
}

void CmdScard(CommandContext& ctx) {
  bool wrong_type;
  const SetObject* s = ReadSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(s != nullptr ? static_cast<int64_t>(s->Size()) : 0);
}

// ---- SPOP SRANDMEMBER ----

// SPOP key [count]
void CmdSpop(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  if (argc > 3) return ctx.reply.Error(errors::kSyntax);
  std::optional<int64_t> count;
  if (argc == 3) {
    count = store::ParseInt64(ctx.args[2]);
    if (!count || *count < 0) return ctx.reply.Error(errors::kMustBePositive);
  }
  const std::string_view key = ctx.args[1];
  KeyWriter w = WriteSet(ctx, key, Keyspace::Missing::kFail);
  if (!OpenSet(ctx, w)) {
    if (w.status() != KeyWriter::Status::kMissing) return;
    return count ? ctx.reply.SetLen(0) : ctx.reply.Null();
  }
  auto& s = w.As<SetObject>();
  if (count && *count == 0) return ctx.reply.SetLen(0);
  if (count && static_cast<uint64_t>(*count) >= s.Size()) {
    // Everything: reply the set, then delete the key (logged as a delete,
    // as Redis propagates it).
    ReplySet(ctx, s);
    w.Commit();
    ctx.keyspace.Delete(ctx.db(), key);
    ctx.Notify(kNotifySet, "spop", key);
    ctx.Notify(kNotifyGeneric, "del", key);
    return;
  }
  // Each pick is uniform among the members left: removal keeps positions dense.
  const size_t n = count ? static_cast<size_t>(*count) : 1;
  std::vector<std::string> popped;
  popped.reserve(n);
  std::string buf;
  for (size_t i = 0; i < n; ++i) {
    popped.emplace_back(s.At(RandomBelow(s.Size()), &buf));
    s.Remove(popped.back());
  }
  const std::vector<std::string_view> views(popped.begin(), popped.end());
  w.Record(SetObject::kRemove, views);
  w.Notify({kNotifySet, "spop"});
  if (!count) return ctx.reply.Bulk(popped[0]);
  ReplyMembers(ctx, views, /*as_set=*/true);
}

// SRANDMEMBER key [count]
void CmdSrandmember(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  if (argc > 3) return ctx.reply.Error(errors::kSyntax);
  std::string buf;
  if (argc == 2) {
    bool wrong_type;
    const SetObject* s = ReadSet(ctx, ctx.args[1], &wrong_type);
    if (wrong_type) return;
    if (s == nullptr) return ctx.reply.Null();
    return ctx.reply.Bulk(s->At(RandomBelow(s->Size()), &buf));
  }
  std::optional<int64_t> count = store::ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(errors::kNotInteger);
  if (*count == INT64_MIN) {
    const std::string bound = std::to_string(INT64_MAX);
    return ctx.reply.Error(errors::Format(errors::kOutOfRangeBetween, {"-" + bound, bound}));
  }
  bool wrong_type;
  const SetObject* s = ReadSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  if (s == nullptr || *count == 0) return ctx.reply.ArrayLen(0);
  const size_t size = s->Size();
  if (*count < 0) {
    // Repeats allowed: -count picks, each uniform.
    const auto n = static_cast<uint64_t>(-*count);
    ctx.reply.ArrayLen(n);
    for (uint64_t i = 0; i < n; ++i) ctx.reply.Bulk(s->At(RandomBelow(size), &buf));
    return;
  }
  const auto n = static_cast<uint64_t>(*count);
  ctx.reply.ArrayLen(std::min<uint64_t>(n, size));
  if (n >= size) {
    s->ForEachMember([&](std::string_view m) { ctx.reply.Bulk(m); });
    return;
  }
  if (n * 3 > size) {
    // Many of them: the first n of a partial shuffle of the positions.
    std::vector<uint32_t> pos(size);
    for (size_t i = 0; i < size; ++i) pos[i] = static_cast<uint32_t>(i);
    for (size_t i = 0; i < n; ++i) {
      std::swap(pos[i], pos[i + RandomBelow(size - i)]);
      ctx.reply.Bulk(s->At(pos[i], &buf));
    }
    return;
  }
  // Few of them: draw positions until n distinct ones came up.
  absl::flat_hash_set<size_t> picked;
  while (picked.size() < n) {
    const size_t i = RandomBelow(size);
    if (picked.insert(i).second) ctx.reply.Bulk(s->At(i, &buf));
  }
}

// ---- SMOVE ----

void CmdSmove(CommandContext& ctx) {
  const std::string_view src = ctx.args[1];
  const std::string_view dst = ctx.args[2];
  const std::string_view member = ctx.args[3];
  KeyWriter from = WriteSet(ctx, src, Keyspace::Missing::kFail);
  if (from.status() == KeyWriter::Status::kMissing) return ctx.reply.Integer(0);
  if (!OpenSet(ctx, from)) return;
  auto& s = from.As<SetObject>();
  if (src == dst) return ctx.reply.Integer(s.Contains(member) ? 1 : 0);
  auto to = ctx.keyspace.Find(ctx.db(), dst);
  if (to && to->type != store::ValueType::kSet) return ctx.reply.Error(errors::kWrongType);
  if (!s.Contains(member)) return ctx.reply.Integer(0);
  // The destination's scope is checked before anything changes.
  const SetObject* d = to ? &to->As<SetObject>() : nullptr;
  const size_t payload =
      d == nullptr ? member.size() : d->PayloadBytes() + (d->Contains(member) ? 0 : member.size());
  if (const store::ScopeConfig* scope = ctx.keyspace.ValueTooLarge(dst, payload)) {
    return ReplyScopeValueTooLarge(ctx.reply, *scope);
  }
  s.Remove(member);
  const std::string_view one[] = {member};
  from.Record(SetObject::kRemove, one);
  from.Notify({kNotifySet, "srem"});
  from.Commit();
  KeyWriter into = WriteSet(ctx, dst, Keyspace::Missing::kCreate);
  if (into.As<SetObject>().Add(member)) into.Record(SetObject::kAdd, one);
  into.Notify({kNotifySet, "sadd"});
  ctx.reply.Integer(1);
}

// ---- SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE ----

// The sets named by args[first, last) in order (nullptr for a missing key),
// or nullopt after replying WRONGTYPE: every key is looked up first, as
// Redis does, so a wrong type anywhere wins over a missing key.
std::optional<std::vector<const SetObject*>> ReadSets(CommandContext& ctx, size_t first,
                                                      size_t last) {
  std::vector<const SetObject*> sets;
  sets.reserve(last - first);
  for (size_t i = first; i < last; ++i) {
    bool wrong_type;
    sets.push_back(ReadSet(ctx, ctx.args[i], &wrong_type));
    if (wrong_type) return std::nullopt;
  }
  return sets;
}

// Members of the intersection, iterating the smallest set; stops after
// `limit` members (0: no limit). Empty if any set is missing.
MemberList Intersect(std::vector<const SetObject*> sets, size_t limit) {
  MemberList out;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return out;
  std::sort(sets.begin(), sets.end(),
            [](const SetObject* a, const SetObject* b) { return a->Size() < b->Size(); });
  const SetObject& smallest = *sets[0];
  std::string buf;
  for (size_t i = 0; i < smallest.Size(); ++i) {
    const std::string_view m = smallest.At(i, &buf);
    bool everywhere = true;
    for (size_t j = 1; j < sets.size() && everywhere; ++j) {
      everywhere = sets[j] == sets[0] || sets[j]->Contains(m);
    }
    if (!everywhere) continue;
    out.Add(smallest, i);
    if (limit != 0 && out.views().size() >= limit) break;
  }
  return out;
}

enum class SetOp : uint8_t { kUnion, kDiff };

// The union, or the first set minus the others, as a new set (one reference).
SetObject* Combine(const std::vector<const SetObject*>& sets, SetOp op) {
  auto* result = new SetObject();
  if (op == SetOp::kUnion) {
    for (const SetObject* s : sets) {
      if (s == nullptr) continue;
      s->ForEachMember([&](std::string_view m) { result->Add(m); });
    }
    return result;
  }
  if (sets[0] == nullptr) return result;
  sets[0]->ForEachMember([&](std::string_view m) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != nullptr && sets[j]->Contains(m)) return;
    }
    result->Add(m);
  });
  return result;
}

// SINTER key [key ...] (and SMEMBERS key)
void CmdSinter(CommandContext& ctx) {
  auto sets = ReadSets(ctx, 1, ctx.args.size());
  if (!sets) return;
  if (sets->size() == 1) {
    if ((*sets)[0] == nullptr) return ctx.reply.SetLen(0);
    return ReplySet(ctx, *(*sets)[0]);
  }
  MemberList members = Intersect(*sets, 0);
  ReplyMembers(ctx, members.views(), /*as_set=*/true);
}

// SINTERSTORE destination key [key ...]
void CmdSinterstore(CommandContext& ctx) {
  auto sets = ReadSets(ctx, 2, ctx.args.size());
  if (!sets) return;
  MemberList members = Intersect(*sets, 0);
  auto* result = new SetObject();
  result->Reserve(members.views().size());
  for (std::string_view m : members.views()) result->Add(m);
  StoreCollection(ctx, ctx.args[1], result, {kNotifySet, "sinterstore"});
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSintercard(CommandContext& ctx) {
  std::optional<int64_t> numkeys = store::ParseInt64(ctx.args[1]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error(errors::kNumkeysNotPositive);
  if (static_cast<uint64_t>(*numkeys) > ctx.args.size() - 2) {
    return ctx.reply.Error(errors::kNumkeysTooMany);
  }
  const size_t end = 2 + static_cast<size_t>(*numkeys);
  int64_t limit = 0;
  for (size_t i = end; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "limit") && i + 1 < ctx.args.size()) {
      std::optional<int64_t> parsed = store::ParseInt64(ctx.args[++i]);
      if (!parsed || *parsed < 0) return ctx.reply.Error(errors::kLimitNegative);
      limit = *parsed;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  auto sets = ReadSets(ctx, 2, end);
  if (!sets) return;
  ctx.reply.Integer(
      static_cast<int64_t>(Intersect(*sets, static_cast<size_t>(limit)).views().size()));
}

// SUNION / SDIFF key [key ...]
template <SetOp kOp>
void CmdCombine(CommandContext& ctx) {
  auto sets = ReadSets(ctx, 1, ctx.args.size());
  if (!sets) return;
  SetObject* result = Combine(*sets, kOp);
  ReplySet(ctx, *result);
  result->Unref();
}

// SUNIONSTORE / SDIFFSTORE destination key [key ...]
template <SetOp kOp>
void CmdCombineStore(CommandContext& ctx) {
  auto sets = ReadSets(ctx, 2, ctx.args.size());
  if (!sets) return;
  StoreCollection(ctx, ctx.args[1], Combine(*sets, kOp),
                  {kNotifySet, kOp == SetOp::kUnion ? "sunionstore" : "sdiffstore"});
}

// ---- SSCAN ----

// SSCAN key cursor [MATCH pattern] [COUNT count]. An intset is returned
// whole with cursor 0, as Redis does; a hashtable is walked with a real
// cursor over the buckets of its index (SetObject::Scan), about COUNT
// members at a time.
void CmdSscan(CommandContext& ctx) {
  ScanCollection<SetObject>(ctx, store::ValueType::kSet,
                            [](const SetObject& s, uint64_t cursor, size_t count, ScanEmit emit) {
                              return s.Scan(cursor, count,
                                            [&](std::string_view m) { emit(m, std::nullopt); });
                            });
}

}  // namespace

void RegisterSetFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  r.Register({.name = "sadd",
              .arity = -3,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSadd,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRW | kInsert},
              .summary = "Add one or more members to a set",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                            "command is called with multiple arguments.",
              .history = {{"2.4.0", "Accepts multiple `member` arguments."}},
              .arguments = {ArgKey("key", 0), ArgString("member").Multiple()}});
  r.Register({.name = "srem",
              .arity = -3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSrem,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRW | kDelete},
              .summary = "Remove one or more members from a set",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N) where N is the number of members to be removed.",
              .history = {{"2.4.0", "Accepts multiple `member` arguments."}},
              .arguments = {ArgKey("key", 0), ArgString("member").Multiple()}});
  r.Register({.name = "sismember",
              .arity = 3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSismember,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO},
              .summary = "Determine if a given value is a member of a set",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("member")}});
  r.Register({.name = "smismember",
              .arity = -3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSmismember,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Returns the membership associated with the given elements for a set",
              .since = "6.2.0",
              .group = "set",
              .complexity = "O(N) where N is the number of elements being checked for membership",
              .arguments = {ArgKey("key", 0), ArgString("member").Multiple()}});
  r.Register({.name = "scard",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdScard,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO},
              .summary = "Get the number of members in a set",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "smembers",
              .arity = 2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSinter,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output_order"},
              .summary = "Get all the members in a set",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N) where N is the set cardinality.",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "spop",
              .arity = -2,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSpop,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .tips = {"nondeterministic_output"},
              .summary = "Remove and return one or multiple random members from a set",
              .since = "1.0.0",
              .group = "set",
              .complexity = "Without the count argument O(1), otherwise O(N) where N is the value "
                            "of the passed count.",
              .history = {{"3.2.0", "Added the `count` argument."}},
              .arguments = {ArgKey("key", 0), ArgInteger("count").Since("3.2.0").Optional()}});
  r.Register({.name = "srandmember",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSrandmember,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output"},
              .summary = "Get one or multiple random members from a set",
              .since = "1.0.0",
              .group = "set",
              .complexity = "Without the count argument O(1), otherwise O(N) where N is the "
                            "absolute value of the passed count.",
              .history = {{"2.6.0", "Added the optional `count` argument."}},
              .arguments = {ArgKey("key", 0), ArgInteger("count").Since("2.6.0").Optional()}});
  r.Register({.name = "smove",
              .arity = 4,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .handler = CmdSmove,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRW | kAccess | kDelete, kRW | kInsert},
              .summary = "Move a member from one set to another",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(1)",
              .arguments = {ArgKey("source", 0), ArgKey("destination", 1), ArgString("member")}});
  r.Register({.name = "sinter",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdSinter,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output_order"},
              .summary = "Intersect multiple sets",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and "
                            "M is the number of sets.",
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register({.name = "sintercard",
              .arity = -3,
              .flags = kReadonly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .handler = CmdSintercard,
              .acl_categories = AclCategory::kSet,
              .key_specs = {KeySpec::Index(1, kRO | kAccess).Keynum(0, 1, 1)},
              .summary = "Intersect multiple sets and return the cardinality of the result",
              .since = "7.0.0",
              .group = "set",
              .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and "
                            "M is the number of sets.",
              .arguments = {ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                            ArgInteger("limit").Token("LIMIT").Optional()}});
  r.Register({.name = "sinterstore",
              .arity = -3,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdSinterstore,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRW | kUpdate, kRO | kAccess},
              .summary = "Intersect multiple sets and store the resulting set in a key",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and "
                            "M is the number of sets.",
              .arguments = {ArgKey("destination", 0), ArgKey("key", 1).Multiple()}});
  r.Register({.name = "sunion",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdCombine<SetOp::kUnion>,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output_order"},
              .summary = "Add multiple sets",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N) where N is the total number of elements in all given sets.",
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register({.name = "sunionstore",
              .arity = -3,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdCombineStore<SetOp::kUnion>,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kOW | kUpdate, kRO | kAccess},
              .summary = "Add multiple sets and store the resulting set in a key",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N) where N is the total number of elements in all given sets.",
              .arguments = {ArgKey("destination", 0), ArgKey("key", 1).Multiple()}});
  r.Register({.name = "sdiff",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdCombine<SetOp::kDiff>,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output_order"},
              .summary = "Subtract multiple sets",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N) where N is the total number of elements in all given sets.",
              .arguments = {ArgKey("key", 0).Multiple()}});
  r.Register({.name = "sdiffstore",
              .arity = -3,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdCombineStore<SetOp::kDiff>,
              .acl_categories = AclCategory::kSet,
              .key_spec_flags = {kOW | kUpdate, kRO | kAccess},
              .summary = "Subtract multiple sets and store the resulting set in a key",
              .since = "1.0.0",
              .group = "set",
              .complexity = "O(N) where N is the total number of elements in all given sets.",
              .arguments = {ArgKey("destination", 0), ArgKey("key", 1).Multiple()}});
  r.Register(
      {.name = "sscan",
       .arity = -3,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdSscan,
       .acl_categories = AclCategory::kSet,
       .key_spec_flags = {kRO | kAccess},
       .tips = {"nondeterministic_output"},
       .summary = "Incrementally iterate Set elements",
       .since = "2.8.0",
       .group = "set",
       .complexity =
           "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
           "the cursor to return back to 0. N is the number of elements inside the collection..",
       .arguments = {ArgKey("key", 0), ArgInteger("cursor"),
                     ArgPattern("pattern").Token("MATCH").Optional(),
                     ArgInteger("count").Token("COUNT").Optional()}});
}

}  // namespace stashd::server
