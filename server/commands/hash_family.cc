// The hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS
// HINCRBY HINCRBYFLOAT HKEYS HVALS HGETALL HRANDFIELD HSCAN.
//
// Reads look the key up with Keyspace::Find; every write goes through
// Keyspace::Write (WRONGTYPE, scope policy, copy-on-write, accounting, WATCH)
// and records what it changed with HashObject's two delta ops, so the log
// says "HSET field value", never the whole hash: HINCRBY and HINCRBYFLOAT
// record the resulting value, as Redis propagates them as HSET.
//
// Arguments are checked in the order Redis checks them, because that order
// decides which error (or empty reply) a client sees.
#include <absl/container/flat_hash_set.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
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
#include "store/types/hash.h"

namespace stashd::server {
namespace {

using store::HashObject;
using store::Keyspace;
using store::KeyWriter;

// The hash at `key` for a read command (counted in keyspace hits/misses):
// nullptr if the key is missing. Sets *wrong_type (and replies WRONGTYPE) if
// it holds another type.
const HashObject* ReadHash(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return ReadCollection<HashObject>(ctx, key, store::ValueType::kHash, wrong_type);
}

// Opens `key` for writing as a hash; replies WRONGTYPE and returns false if
// it holds another type (or, with kFail, false without a reply if missing).
bool OpenHash(CommandContext& ctx, KeyWriter& w) { return OpenCollection(ctx, w); }

// The payload of `h` once `pairs` (field, value, ...) are set, for the scope
// size check: fields repeated within `pairs` count once, with the last value.
size_t PayloadAfter(const HashObject& h, std::span<const std::string_view> pairs) {
  size_t payload = h.PayloadBytes();
  std::vector<std::pair<std::string_view, std::string_view>> last;  // small: one call's pairs
  for (size_t i = 0; i < pairs.size(); i += 2) {
    bool seen = false;
    for (auto& [f, v] : last) {
      if (f == pairs[i]) {
        v = pairs[i + 1];
        seen = true;
      }
    }
    if (!seen) last.emplace_back(pairs[i], pairs[i + 1]);
  }
  for (const auto& [f, v] : last) payload = payload + h.PayloadAfterSet(f, v) - h.PayloadBytes();
  return payload;
}

// The hash at `key`, opened for writing and created empty if missing (kept
// only if a field is set). Check it with OpenHash.
KeyWriter WriteHash(CommandContext& ctx, std::string_view key) {
  return ctx.keyspace.Write(ctx.db(), key, store::ValueType::kHash, Keyspace::Missing::kCreate);
}

// Sets field/value pairs in the hash `w` holds open (at `key`); replies the
// scope error (changing nothing) if the hash would grow past its scope's
// limit. Returns the number of new fields, or nullopt after an error reply.
std::optional<int64_t> SetFields(CommandContext& ctx, KeyWriter& w, std::string_view key,
                                 std::span<const std::string_view> pairs) {
  auto& h = w.As<HashObject>();
  if (!w.Fits(PayloadAfter(h, pairs))) {
    ReplyScopeValueTooLarge(ctx.reply, *ctx.keyspace.ValueTooLarge(key, SIZE_MAX));
    return std::nullopt;
  }
  int64_t added = 0;
  for (size_t i = 0; i < pairs.size(); i += 2) added += h.Set(pairs[i], pairs[i + 1]) ? 1 : 0;
  w.Record(HashObject::kSet, pairs);
  return added;
}

std::vector<std::string_view> Views(const Args& args, size_t first) {
  std::vector<std::string_view> out;
  out.reserve(args.size() - first);
  for (size_t i = first; i < args.size(); ++i) out.emplace_back(args[i]);
  return out;
}

// ---- HSET HMSET HSETNX ----

// HSET key field value [field value ...]: the number of fields added.
// HMSET is the same write answering OK.
template <bool kReplyOk>
void CmdHset(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 1) {
    ctx.reply.Error(errors::Format(errors::kWrongArgs, {kReplyOk ? "hmset" : "hset"}));
    return;
  }
  const std::vector<std::string_view> pairs = Views(ctx.args, 2);
  KeyWriter w = WriteHash(ctx, ctx.args[1]);
  if (!OpenHash(ctx, w)) return;
  w.Notify({kNotifyHash, "hset"});
  auto added = SetFields(ctx, w, ctx.args[1], pairs);
  if (!added) return;
  if (kReplyOk) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(*added);
  }
}

void CmdHsetnx(CommandContext& ctx) {
  KeyWriter w = WriteHash(ctx, ctx.args[1]);
  if (!OpenHash(ctx, w)) return;
  if (w.As<HashObject>().Get(ctx.args[2])) {
    ctx.reply.Integer(0);
    return;
  }
  const std::string_view pair[] = {ctx.args[2], ctx.args[3]};
  w.Notify({kNotifyHash, "hset"});
  if (SetFields(ctx, w, ctx.args[1], pair)) ctx.reply.Integer(1);
}

// ---- HGET HMGET HSTRLEN HEXISTS HLEN ----

void CmdHget(CommandContext& ctx) {
  bool wrong_type;
  const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  std::optional<std::string_view> v = h ? h->Get(ctx.args[2]) : std::nullopt;
  if (v) {
    ctx.reply.Bulk(*v);
  } else {
    ctx.reply.Null();
  }
}

void CmdHmget(CommandContext& ctx) {
  bool wrong_type;
  const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.ArrayLen(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<std::string_view> v = h ? h->Get(ctx.args[i]) : std::nullopt;
    if (v) {
      ctx.reply.Bulk(*v);
    } else {
      ctx.reply.Null();
    }
  }
}

void CmdHstrlen(CommandContext& ctx) {
  bool wrong_type;
  const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  std::optional<std::string_view> v = h ? h->Get(ctx.args[2]) : std::nullopt;
  ctx.reply.Integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void CmdHexists(CommandContext& ctx) {
  bool wrong_type;
  const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(h && h->Get(ctx.args[2]) ? 1 : 0);
}

void CmdHlen(CommandContext& ctx) {
  bool wrong_type;
  const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(h ? static_cast<int64_t>(h->Size()) : 0);
}

// ---- HDEL ----

void CmdHdel(CommandContext& ctx) {
  KeyWriter w =
      ctx.keyspace.Write(ctx.db(), ctx.args[1], store::ValueType::kHash, Keyspace::Missing::kFail);
  if (!OpenHash(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Integer(0);
    return;
  }
  auto& h = w.As<HashObject>();
  std::vector<std::string_view> removed;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (h.Delete(ctx.args[i])) removed.emplace_back(ctx.args[i]);
  }
  if (!removed.empty()) w.Record(HashObject::kDelete, removed);
  w.Notify({kNotifyHash, "hdel"});
  ctx.reply.Integer(static_cast<int64_t>(removed.size()));
}

// ---- HINCRBY HINCRBYFLOAT ----

void CmdHincrby(CommandContext& ctx) {
  std::optional<int64_t> incr = store::ParseInt64(ctx.args[3]);
  if (!incr) return ctx.reply.Error(errors::kNotInteger);
  KeyWriter w = WriteHash(ctx, ctx.args[1]);
  if (!OpenHash(ctx, w)) return;
  int64_t value = 0;
  if (auto old = w.As<HashObject>().Get(ctx.args[2])) {
    std::optional<int64_t> parsed = store::ParseInt64(*old);
    if (!parsed) return ctx.reply.Error(errors::kHashNotInteger);
    value = *parsed;
  }
  if (__builtin_add_overflow(value, *incr, &value)) return ctx.reply.Error(errors::kOverflow);
  const std::string formatted = std::to_string(value);
  const std::string_view pair[] = {ctx.args[2], formatted};
  w.Notify({kNotifyHash, "hincrby"});
  if (SetFields(ctx, w, ctx.args[1], pair)) ctx.reply.Integer(value);
}

void CmdHincrbyfloat(CommandContext& ctx) {
  std::optional<long double> incr = store::ParseLongDouble(ctx.args[3]);
  if (!incr) return ctx.reply.Error(errors::kNotFloat);
  if (std::isnan(*incr) || std::isinf(*incr)) return ctx.reply.Error(errors::kNanOrInfinityArg);
  KeyWriter w = WriteHash(ctx, ctx.args[1]);
  if (!OpenHash(ctx, w)) return;
  long double value = 0;
  if (auto old = w.As<HashObject>().Get(ctx.args[2])) {
    std::optional<long double> parsed = store::ParseLongDouble(*old);
    if (!parsed) return ctx.reply.Error(errors::kHashNotFloat);
    value = *parsed;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) return ctx.reply.Error(errors::kIncrFloatNaN);
  const std::string formatted = store::FormatLongDouble(value);
  const std::string_view pair[] = {ctx.args[2], formatted};
  w.Notify({kNotifyHash, "hincrbyfloat"});
  if (SetFields(ctx, w, ctx.args[1], pair)) ctx.reply.Bulk(formatted);
}

// ---- HKEYS HVALS HGETALL ----

enum class Parts : uint8_t { kFields, kValues, kBoth };

template <Parts kParts>
void CmdHgetall(CommandContext& ctx) {
  bool wrong_type;
  const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  const size_t n = h ? h->Size() : 0;
  if (kParts == Parts::kBoth) {
    ctx.reply.MapLen(n);
  } else {
    ctx.reply.ArrayLen(n);
  }
  if (h == nullptr) return;
  h->ForEachElement([&](const store::ElementView& e) {
    if (kParts != Parts::kValues) ctx.reply.Bulk(e.member);
    if (kParts != Parts::kFields) ctx.reply.Bulk(e.value);
  });
}

// ---- HRANDFIELD ----

std::mt19937_64& Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHrandfield(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  if (argc == 2) {
    bool wrong_type;
    const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
    if (wrong_type) return;
    if (h == nullptr) return ctx.reply.Null();
    ctx.reply.Bulk(h->At(Random()() % h->Size()).member);
    return;
  }
  const bool with_values = argc == 4 && EqualsIgnoreCase(ctx.args[3], "withvalues");
  if (argc > 4 || (argc == 4 && !with_values)) return ctx.reply.Error(errors::kSyntax);
  std::optional<int64_t> count = store::ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(errors::kNotInteger);
  if (*count == INT64_MIN) {
    const std::string bound = std::to_string(INT64_MAX);
    return ctx.reply.Error(errors::Format(errors::kOutOfRangeBetween, {"-" + bound, bound}));
  }
  // Redis refuses what would overflow its reply length with values.
  if (with_values && *count < -(INT64_MAX / 2)) return ctx.reply.Error(errors::kOutOfRange);
  bool wrong_type;
  const HashObject* h = ReadHash(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  const bool resp3_pairs = with_values && ctx.reply.resp3();
  auto reply_len = [&](size_t n) { ctx.reply.ArrayLen(resp3_pairs || !with_values ? n : 2 * n); };
  auto reply_one = [&](const store::ElementView& e) {
    if (resp3_pairs) ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(e.member);
    if (with_values) ctx.reply.Bulk(e.value);
  };
  if (h == nullptr || *count == 0) return ctx.reply.ArrayLen(0);
  const size_t size = h->Size();
  if (*count < 0) {
    // Repeats allowed: -count picks, each uniform.
    const auto n = static_cast<size_t>(-*count);
    reply_len(n);
    if (!h->compact()) {
      for (size_t i = 0; i < n; ++i) reply_one(h->At(Random()() % size));
      return;
    }
    std::vector<store::ElementView> all;
    all.reserve(size);
    h->ForEachElement([&](const store::ElementView& e) { all.push_back(e); });
    for (size_t i = 0; i < n; ++i) reply_one(all[Random()() % size]);
    return;
  }
  const auto n = std::min(static_cast<size_t>(*count), size);
  if (!h->compact() && n * 4 < size) {
    // A few distinct fields of a large hash: drawn by position, without
    // visiting the rest.
    absl::flat_hash_set<size_t> picked;
    reply_len(n);
    while (picked.size() < n) {
      const size_t i = Random()() % size;
      if (picked.insert(i).second) reply_one(h->At(i));
    }
    return;
  }
  std::vector<store::ElementView> all;
  all.reserve(size);
  h->ForEachElement([&](const store::ElementView& e) { all.push_back(e); });
  if (n < all.size()) {
    // Distinct fields: the first n of a partial shuffle.
    for (size_t i = 0; i < n; ++i) {
      std::swap(all[i], all[i + Random()() % (all.size() - i)]);
    }
  }
  reply_len(n);
  for (size_t i = 0; i < n; ++i) reply_one(all[i]);
}

// ---- HSCAN ----

// HSCAN key cursor [MATCH pattern] [COUNT count], field and value pairs. The
// compact encoding is returned whole with cursor 0, as Redis returns a
// listpack; the table is walked with a real cursor (HashObject::Scan), about
// COUNT fields at a time.
void CmdHscan(CommandContext& ctx) {
  ScanCollection<HashObject>(
      ctx, store::ValueType::kHash,
      [](const HashObject& h, uint64_t cursor, size_t count, ScanEmit emit) {
        return h.Scan(cursor, count,
                      [&](std::string_view field, std::string_view value) { emit(field, value); });
      });
}

}  // namespace

void RegisterHashFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  r.Register({.name = "hdel",
              .arity = -3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHdel,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRW | kDelete},
              .summary = "Delete one or more hash fields",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(N) where N is the number of fields to be removed.",
              .history = {{"2.4.0", "Accepts multiple `field` arguments."}},
              .arguments = {ArgKey("key", 0), ArgString("field").Multiple()}});
  r.Register({.name = "hexists",
              .arity = 3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHexists,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO},
              .summary = "Determine if a hash field exists",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("field")}});
  r.Register({.name = "hget",
              .arity = 3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHget,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get the value of a hash field",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("field")}});
  r.Register({.name = "hgetall",
              .arity = 2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHgetall<Parts::kBoth>,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output_order"},
              .summary = "Get all the fields and values in a hash",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(N) where N is the size of the hash.",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "hincrby",
              .arity = 4,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHincrby,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Increment the integer value of a hash field by the given number",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("field"), ArgInteger("increment")}});
  r.Register({.name = "hincrbyfloat",
              .arity = 4,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHincrbyfloat,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Increment the float value of a hash field by the given amount",
              .since = "2.6.0",
              .group = "hash",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("field"), ArgDouble("increment")}});
  r.Register({.name = "hkeys",
              .arity = 2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHgetall<Parts::kFields>,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output_order"},
              .summary = "Get all the fields in a hash",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(N) where N is the size of the hash.",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "hlen",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHlen,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO},
              .summary = "Get the number of fields in a hash",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "hmget",
              .arity = -3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHmget,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get the values of all the given hash fields",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(N) where N is the number of fields being requested.",
              .arguments = {ArgKey("key", 0), ArgString("field").Multiple()}});
  r.Register({.name = "hmset",
              .arity = -4,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHset<true>,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Set multiple hash fields to multiple values",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(N) where N is the number of fields being set.",
              .deprecated = true,
              .deprecated_since = "4.0.0",
              .replaced_by = "`HSET` with multiple field-value pairs",
              .arguments = {
                  ArgKey("key", 0),
                  ArgBlock("field_value", {ArgString("field"), ArgString("value")}).Multiple()}});
  r.Register({.name = "hrandfield",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHrandfield,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output"},
              .summary = "Get one or multiple random fields from a hash",
              .since = "6.2.0",
              .group = "hash",
              .complexity = "O(N) where N is the number of fields returned",
              .arguments = {ArgKey("key", 0),
                            ArgBlock("options", {ArgInteger("count"),
                                                 ArgToken("withvalues", "WITHVALUES").Optional()})
                                .Optional()}});
  r.Register(
      {.name = "hscan",
       .arity = -3,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdHscan,
       .acl_categories = AclCategory::kHash,
       .key_spec_flags = {kRO | kAccess},
       .tips = {"nondeterministic_output"},
       .summary = "Incrementally iterate hash fields and associated values",
       .since = "2.8.0",
       .group = "hash",
       .complexity =
           "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
           "the cursor to return back to 0. N is the number of elements inside the collection..",
       .arguments = {ArgKey("key", 0), ArgInteger("cursor"),
                     ArgPattern("pattern").Token("MATCH").Optional(),
                     ArgInteger("count").Token("COUNT").Optional()}});
  r.Register({.name = "hset",
              .arity = -4,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHset<false>,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Set the string value of a hash field",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value "
                            "pairs when the command is called with multiple field/value pairs.",
              .history = {{"4.0.0", "Accepts multiple `field` and `value` arguments."}},
              .arguments = {
                  ArgKey("key", 0),
                  ArgBlock("field_value", {ArgString("field"), ArgString("value")}).Multiple()}});
  r.Register({.name = "hsetnx",
              .arity = 4,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHsetnx,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRW | kInsert},
              .summary = "Set the value of a hash field, only if the field does not exist",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("field"), ArgString("value")}});
  r.Register({.name = "hstrlen",
              .arity = 3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHstrlen,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO},
              .summary = "Get the length of the value of a hash field",
              .since = "3.2.0",
              .group = "hash",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("field")}});
  r.Register({.name = "hvals",
              .arity = 2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdHgetall<Parts::kValues>,
              .acl_categories = AclCategory::kHash,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output_order"},
              .summary = "Get all the values in a hash",
              .since = "2.0.0",
              .group = "hash",
              .complexity = "O(N) where N is the size of the hash.",
              .arguments = {ArgKey("key", 0)}});
}

}  // namespace stashd::server
