// The stream commands: XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID XREAD
// XREADGROUP XGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO.
//
// Reads look the key up with Keyspace::Find; every write goes through
// Keyspace::Write and records StreamObject's delta ops with their results
// (the ID an XADD got, the ID a trim went through, delivery times), so
// replaying the log never depends on the clock.
//
// Arguments are checked in the order Redis 7.0 checks them, because that
// order decides which error a client sees.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/commands/collection_access.h"
#include "server/exec/blocking.h"
#include "server/exec/command.h"
#include "server/exec/notify.h"
#include "server/server_state.h"
#include "store/keyspace.h"
#include "store/string_ops.h"
#include "store/types/stream.h"

namespace stashd::server {
namespace {

using store::KeyWriter;
using store::StreamEntry;
using store::StreamID;
using store::StreamObject;
using Group = StreamObject::Group;

bool Is(std::string_view a, std::string_view b) { return EqualsIgnoreCase(a, b); }

int64_t Now(CommandContext& ctx) { return ctx.server.clock().NowMs(); }

// ---- Parsing ----

// A strict ID ("-" and "+" refused); replies the error if invalid.
bool ParseStrictId(CommandContext& ctx, std::string_view arg, StreamID* id) {
  if (arg.size() > 127 || arg == "-" || arg == "+") {
    ctx.reply.Error(errors::kStreamBadId);
    return false;
  }
  auto v = StreamID::Parse(arg, 0);
  if (!v) {
    ctx.reply.Error(errors::kStreamBadId);
    return false;
  }
  *id = *v;
  return true;
}

// An ID with "-" / "+" and a missing sequence; `exclusive` set by "(".
bool ParseIntervalId(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, StreamID* id,
                     bool* exclusive) {
  if (exclusive != nullptr) *exclusive = false;
  if (exclusive != nullptr && arg.size() > 1 && arg[0] == '(') {
    *exclusive = true;
    arg.remove_prefix(1);
    if (arg == "-" || arg == "+") {
      ctx.reply.Error(errors::kStreamBadId);
      return false;
    }
  }
  if (arg == "-") {
    *id = {0, 0};
    return true;
  }
  if (arg == "+") {
    *id = StreamID::Max();
    return true;
  }
  auto v = arg.size() > 127 ? std::nullopt : StreamID::Parse(arg, missing_seq);
  if (!v) {
    ctx.reply.Error(errors::kStreamBadId);
    return false;
  }
  *id = *v;
  return true;
}

bool ParseInt(CommandContext& ctx, std::string_view arg, int64_t* v,
              std::string_view error = errors::kNotInteger) {
  auto r = store::ParseInt64(arg);
  if (!r) {
    ctx.reply.Error(error);
    return false;
  }
  *v = *r;
  return true;
}

// ---- Replies ----

void ReplyEntry(protocol::ReplyBuilder& reply, const StreamEntry& e) {
  reply.ArrayLen(2);
  reply.Bulk(e.id.ToString());
  reply.ArrayLen(e.fields_values.size());
  for (std::string_view s : e.fields_values) reply.Bulk(s);
}

// Entries as owned copies (a reply may be written after the stream changes
// within the same handler).
struct OwnedEntry {
  StreamID id;
  std::vector<std::string> fv;
  bool missing = false;  // a pending ID whose entry is gone (history reads)
};

OwnedEntry Own(const StreamEntry& e) {
  OwnedEntry o{e.id, {}, false};
  o.fv.assign(e.fields_values.begin(), e.fields_values.end());
  return o;
}

void ReplyOwned(protocol::ReplyBuilder& reply, const OwnedEntry& e) {
  reply.ArrayLen(2);
  reply.Bulk(e.id.ToString());
  if (e.missing) return reply.NullArray();
  reply.ArrayLen(e.fv.size());
  for (const std::string& s : e.fv) reply.Bulk(s);
}

const StreamObject* ReadStream(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return ReadCollection<StreamObject>(ctx, key, store::ValueType::kStream, wrong_type);
}

KeyWriter WriteStream(CommandContext& ctx, std::string_view key, bool create) {
  return ctx.keyspace.Write(
      ctx.db(), key, store::ValueType::kStream,
      create ? store::Keyspace::Missing::kCreate : store::Keyspace::Missing::kFail);
}

void RecordStrings(KeyWriter& w, uint8_t op, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  w.Record(op, views);
}

// ---- XADD / XTRIM ----

struct TrimArgs {
  enum Strategy { kNone, kMaxLen, kMinId } strategy = kNone;
  bool approx = false;
  bool limit_given = false;
  int64_t limit = 0;
  int64_t maxlen = 0;
  StreamID minid;
  // XADD
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamID id;
};

// Redis's streamParseAddOrTrimArgsOrReply: the index of the first
// field (XADD) or -1 after an error reply.
int ParseAddOrTrim(CommandContext& ctx, TrimArgs* a, bool xadd) {
  const auto& args = ctx.args;
  const int argc = static_cast<int>(args.size());
  int i = 2;
  for (; i < argc; ++i) {
    const int moreargs = argc - 1 - i;
    std::string_view opt = args[i];
    if (xadd && opt == "*") {
      break;
    } else if (Is(opt, "maxlen") && moreargs) {
      a->approx = false;
      std::string_view next = args[i + 1];
      if (moreargs >= 2 && next == "~") {
        a->approx = true;
        ++i;
      } else if (moreargs >= 2 && next == "=") {
        ++i;
      }
      if (!ParseInt(ctx, args[i + 1], &a->maxlen)) return -1;
      if (a->maxlen < 0) {
        ctx.reply.Error(errors::kStreamMaxlenNegative);
        return -1;
      }
      ++i;
      a->strategy = TrimArgs::kMaxLen;
    } else if (Is(opt, "minid") && moreargs) {
      a->approx = false;
      std::string_view next = args[i + 1];
      if (moreargs >= 2 && next == "~") {
        a->approx = true;
        ++i;
      } else if (moreargs >= 2 && next == "=") {
        ++i;
      }
      if (!ParseStrictId(ctx, args[i + 1], &a->minid)) return -1;
      ++i;
      a->strategy = TrimArgs::kMinId;
    } else if (Is(opt, "limit") && moreargs) {
      if (!ParseInt(ctx, args[i + 1], &a->limit)) return -1;
      if (a->limit < 0) {
        ctx.reply.Error(errors::kStreamLimitNegative);
        return -1;
      }
      a->limit_given = true;
      ++i;
    } else if (xadd && Is(opt, "nomkstream")) {
      a->nomkstream = true;
    } else if (xadd) {
      // The ID: "ms-seq", "ms" or "ms-*".
      std::string_view s = opt;
      if (s.size() > 127 || s == "-" || s == "+") {
        ctx.reply.Error(errors::kStreamBadId);
        return -1;
      }
      std::optional<StreamID> id;
      if (s.size() >= 2 && s.substr(s.size() - 2) == "-*") {
        id = StreamID::Parse(s.substr(0, s.size() - 2), 0);
        a->seq_given = false;
      } else {
        id = StreamID::Parse(s, 0);
      }
      if (!id) {
        ctx.reply.Error(errors::kStreamBadId);
        return -1;
      }
      a->id = *id;
      a->id_given = true;
      break;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return -1;
    }
  }
  if (a->limit_given && a->strategy == TrimArgs::kNone) {
    ctx.reply.Error(errors::kStreamLimitNoStrategy);
    return -1;
  }
  if (!xadd && a->strategy == TrimArgs::kNone) {
    ctx.reply.Error(errors::kStreamTrimNoStrategy);
    return -1;
  }
  if (a->limit_given) {
    if (!a->approx) {
      ctx.reply.Error(errors::kStreamLimitNoApprox);
      return -1;
    }
  } else if (a->approx) {
    a->limit = 100 * static_cast<int64_t>(ctx.server.config().stream_node_max_entries.load());
    if (a->limit <= 0 || a->limit > 1000000) a->limit = 10000;
  } else {
    a->limit = 0;
  }
  return i;
}

// Trims and records what was removed; returns the count.
size_t Trim(StreamObject& s, KeyWriter& w, const TrimArgs& a) {
  StreamID through;
  size_t n = 0;
  const auto limit = static_cast<uint64_t>(a.limit);
  if (a.strategy == TrimArgs::kMaxLen) {
    n = s.TrimMaxLen(static_cast<uint64_t>(a.maxlen), a.approx, limit, &through);
  } else if (a.strategy == TrimArgs::kMinId) {
    n = s.TrimMinId(a.minid, a.approx, limit, &through);
  }
  if (n > 0) RecordStrings(w, StreamObject::kTrim, {through.ToString()});
  return n;
}

void CmdXadd(CommandContext& ctx) {
  TrimArgs a;
  const int field_pos = ParseAddOrTrim(ctx, &a, true);
  if (field_pos < 0) return;
  const size_t nfields = ctx.args.size() - static_cast<size_t>(field_pos);
  // "*" is at field_pos when auto: fields start after it.
  const size_t first_field = static_cast<size_t>(field_pos) + 1;
  const size_t fv_count = ctx.args.size() - first_field;
  (void)nfields;
  if (fv_count < 2 || fv_count % 2 == 1) {
    return ctx.reply.Error(errors::Format(errors::kWrongArgs, {"xadd"}));
  }
  if (a.id_given && a.seq_given && a.id.IsZero()) return ctx.reply.Error(errors::kStreamIdZero);
  std::string_view key = ctx.args[1];
  KeyWriter w = WriteStream(ctx, key, !a.nomkstream);
  if (w.status() == KeyWriter::Status::kWrongType) return ctx.reply.Error(errors::kWrongType);
  if (!w.ok()) return ctx.reply.Null();
  auto& s = w.As<StreamObject>();
  const StreamID last = s.last_id();
  if (last == StreamID::Max()) return ctx.reply.Error(errors::kStreamExhausted);
  StreamID id;
  if (!a.id_given) {
    const auto now = static_cast<uint64_t>(Now(ctx));
    if (now > last.ms) {
      id = {now, 0};
    } else {
      last.Incr(&id);
    }
  } else if (!a.seq_given) {
    if (last.ms == a.id.ms) {
      if (last.seq == UINT64_MAX) return ctx.reply.Error(errors::kStreamIdTooSmall);
      id = {last.ms, last.seq + 1};
    } else {
      id = {a.id.ms, 0};
    }
  } else {
    id = a.id;
  }
  if (id <= last) return ctx.reply.Error(errors::kStreamIdTooSmall);
  std::vector<std::string_view> rec;
  rec.reserve(fv_count + 1);
  const std::string id_text = id.ToString();
  rec.push_back(id_text);
  for (size_t i = first_field; i < ctx.args.size(); ++i) rec.push_back(ctx.args[i]);
  s.Append(id, std::span<const std::string_view>(rec).subspan(1));
  w.Record(StreamObject::kAdd, rec);
  w.Notify({kNotifyStream, "xadd"});
  if (a.strategy != TrimArgs::kNone && Trim(s, w, a) > 0) w.Notify({kNotifyStream, "xtrim"});
  ctx.reply.Bulk(id_text);
}

void CmdXtrim(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  bool wrong = false;
  if (ReadStream(ctx, key, &wrong) == nullptr) {
    if (!wrong) ctx.reply.Integer(0);
    return;
  }
  TrimArgs a;
  const int end = ParseAddOrTrim(ctx, &a, false);
  if (end < 0) return;
  KeyWriter w = WriteStream(ctx, key, false);
  if (!w.ok()) return ctx.reply.Integer(0);
  auto& s = w.As<StreamObject>();
  const size_t n = Trim(s, w, a);
  if (n > 0) w.Notify({kNotifyStream, "xtrim"});
  ctx.reply.Integer(static_cast<int64_t>(n));
}

// ---- XRANGE XREVRANGE XLEN XDEL XSETID ----

template <bool kRev>
void CmdXrange(CommandContext& ctx) {
  const std::string_view start_arg = ctx.args[kRev ? 3 : 2];
  const std::string_view end_arg = ctx.args[kRev ? 2 : 3];
  StreamID start, end;
  bool startex = false, endex = false;
  if (!ParseIntervalId(ctx, start_arg, 0, &start, &startex)) return;
  if (startex && !StreamID(start).Incr(&start)) return ctx.reply.Error(errors::kStreamBadStart);
  if (!ParseIntervalId(ctx, end_arg, UINT64_MAX, &end, &endex)) return;
  if (endex && !StreamID(end).Decr(&end)) return ctx.reply.Error(errors::kStreamBadEnd);
  int64_t count = -1;
  for (size_t j = 4; j < ctx.args.size(); ++j) {
    if (Is(ctx.args[j], "count") && j + 1 < ctx.args.size()) {
      if (!ParseInt(ctx, ctx.args[j + 1], &count)) return;
      if (count < 0) count = 0;
      ++j;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  bool wrong = false;
  const StreamObject* s = ReadStream(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (s == nullptr) return ctx.reply.ArrayLen(0);
  if (count == 0) return ctx.reply.NullArray();
  std::vector<StreamEntry> out;
  s->Range(start, end, kRev, [&](const StreamEntry& e) {
    out.push_back(e);
    return count < 0 || static_cast<int64_t>(out.size()) < count;
  });
  ctx.reply.ArrayLen(out.size());
  for (const StreamEntry& e : out) ReplyEntry(ctx.reply, e);
}

void CmdXlen(CommandContext& ctx) {
  bool wrong = false;
  const StreamObject* s = ReadStream(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(s == nullptr ? 0 : static_cast<int64_t>(s->Size()));
}

void CmdXdel(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  KeyWriter w = WriteStream(ctx, key, false);
  if (!OpenCollection(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Integer(0);
    return;
  }
  std::vector<StreamID> ids;
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    StreamID id;
    if (!ParseStrictId(ctx, ctx.args[j], &id)) return;
    ids.push_back(id);
  }
  auto& s = w.As<StreamObject>();
  std::vector<std::string> removed;
  for (StreamID id : ids) {
    if (s.Delete(id)) removed.push_back(id.ToString());
  }
  if (!removed.empty()) {
    RecordStrings(w, StreamObject::kDelete, removed);
    w.Notify({kNotifyStream, "xdel"});
  }
  ctx.reply.Integer(static_cast<int64_t>(removed.size()));
}

void CmdXsetid(CommandContext& ctx) {
  StreamID id, max_deleted;
  int64_t entries_added = -1;
  if (!ParseStrictId(ctx, ctx.args[2], &id)) return;
  for (size_t i = 3; i < ctx.args.size();) {
    const bool more = i + 1 < ctx.args.size();
    if (Is(ctx.args[i], "entriesadded") && more) {
      if (!ParseInt(ctx, ctx.args[i + 1], &entries_added)) return;
      if (entries_added < 0) return ctx.reply.Error(errors::kXsetidEntriesNegative);
      i += 2;
    } else if (Is(ctx.args[i], "maxdeletedid") && more) {
      if (!ParseStrictId(ctx, ctx.args[i + 1], &max_deleted)) return;
      if (id < max_deleted) return ctx.reply.Error(errors::kXsetidBelowGivenMaxDeleted);
      i += 2;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  KeyWriter w = WriteStream(ctx, ctx.args[1], false);
  if (!OpenCollection(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  auto& s = w.As<StreamObject>();
  if (id < s.max_deleted()) return ctx.reply.Error(errors::kXsetidBelowMaxDeleted);
  if (s.Size() > 0) {
    if (id < *s.LastEntryId()) return ctx.reply.Error(errors::kXsetidTooSmall);
    if (entries_added != -1 && s.Size() > static_cast<uint64_t>(entries_added)) {
      return ctx.reply.Error(errors::kXsetidEntriesAdded);
    }
  }
  const uint64_t added =
      entries_added != -1 ? static_cast<uint64_t>(entries_added) : s.entries_added();
  const StreamID maxdel = max_deleted.IsZero() ? s.max_deleted() : max_deleted;
  s.SetId(id, added, maxdel);
  RecordStrings(w, StreamObject::kSetId, {id.ToString(), std::to_string(added), maxdel.ToString()});
  w.Notify({kNotifyStream, "xsetid"});
  ctx.reply.Ok();
}

// ---- XREAD / XREADGROUP ----

constexpr int64_t kBlockedDefaultCount = 1000;

// Delivers new entries (after the group's last ID) to `consumer`, records
// the deliveries; returns the entries.
std::vector<OwnedEntry> DeliverNew(CommandContext& ctx, KeyWriter& w, StreamObject& s,
                                   std::string_view group_name, std::string_view consumer,
                                   int64_t count, bool noack) {
  Group* g = s.FindGroup(group_name);
  std::vector<OwnedEntry> out;
  StreamID start;
  if (!g->last_id.Incr(&start)) return out;
  s.Range(start, StreamID::Max(), false, [&](const StreamEntry& e) {
    out.push_back(Own(e));
    return count <= 0 || static_cast<int64_t>(out.size()) < count;
  });
  if (out.empty()) return out;
  const int64_t now = Now(ctx);
  for (const OwnedEntry& e : out) {
    if (e.id > g->last_id) {
      if (g->entries_read != StreamObject::kInvalidEntriesRead && !s.RangeHasTombstones(e.id)) {
        g->entries_read++;
      } else if (s.entries_added() != 0) {
        g->entries_read = s.EstimateEntriesRead(e.id);
      }
      g->last_id = e.id;
    }
  }
  RecordStrings(w, StreamObject::kGroupSetId,
                {std::string(group_name), g->last_id.ToString(), std::to_string(g->entries_read)});
  if (!noack) {
    std::vector<std::string> rec = {std::string(group_name), std::string(consumer),
                                    std::to_string(now)};
    for (const OwnedEntry& e : out) {
      s.SetPending(*g, consumer, e.id, now, 1);
      rec.push_back(e.id.ToString());
      rec.push_back("1");
    }
    RecordStrings(w, StreamObject::kPending, rec);
  }
  return out;
}

// The consumer's pending entries from `start` on (history read).
std::vector<OwnedEntry> DeliverHistory(CommandContext& ctx, KeyWriter& w, StreamObject& s,
                                       std::string_view group_name, std::string_view consumer,
                                       StreamID start, int64_t count) {
  Group* g = s.FindGroup(group_name);
  std::vector<OwnedEntry> out;
  auto c = g->consumers.find(consumer);
  if (c == g->consumers.end()) return out;
  const int64_t now = Now(ctx);
  std::vector<std::string> rec = {std::string(group_name), std::string(consumer),
                                  std::to_string(now)};
  std::vector<StreamID> ids;
  for (auto it = c->second.pending.lower_bound(start); it != c->second.pending.end(); ++it) {
    if (count > 0 && static_cast<int64_t>(ids.size()) >= count) break;
    ids.push_back(*it);
  }
  for (StreamID id : ids) {
    std::optional<StreamEntry> e = s.Get(id);
    if (!e) {
      out.push_back(OwnedEntry{id, {}, true});
      continue;
    }
    out.push_back(Own(*e));
    auto& p = g->pel[id];
    const uint64_t n = p.delivery_count + 1;
    s.SetPending(*g, consumer, id, now, n);
    rec.push_back(id.ToString());
    rec.push_back(std::to_string(n));
  }
  if (rec.size() > 3) RecordStrings(w, StreamObject::kPending, rec);
  return out;
}

void ReplyStreams(CommandContext& ctx,
                  const std::vector<std::pair<std::string, std::vector<OwnedEntry>>>& streams) {
  if (ctx.reply.resp3()) {
    ctx.reply.MapLen(streams.size());
  } else {
    ctx.reply.ArrayLen(streams.size());
  }
  for (const auto& [key, entries] : streams) {
    if (!ctx.reply.resp3()) ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(key);
    ctx.reply.ArrayLen(entries.size());
    for (const OwnedEntry& e : entries) ReplyOwned(ctx.reply, e);
  }
}

template <bool kGroup>
void CmdXread(CommandContext& ctx) {
  const auto& args = ctx.args;
  const size_t argc = args.size();
  int64_t count = 0;
  std::optional<int64_t> deadline;
  size_t streams_arg = 0, streams_count = 0;
  std::string_view group_name, consumer_name;
  bool have_group = false, noack = false;
  for (size_t i = 1; i < argc; ++i) {
    const size_t moreargs = argc - i - 1;
    std::string_view o = args[i];
    if (Is(o, "block") && moreargs) {
      if (ctx.client.in_script) {
        return ctx.reply.Error(errors::Format(errors::kXreadBlockInScript, {ToLower(args[0])}));
      }
      ++i;
      int64_t d = 0;
      if (!ParseBlockTimeout(ctx, args[i], true, &d)) return;
      deadline = d;
    } else if (Is(o, "count") && moreargs) {
      ++i;
      if (!ParseInt(ctx, args[i], &count)) return;
      if (count < 0) count = 0;
    } else if (Is(o, "streams") && moreargs) {
      streams_arg = i + 1;
      streams_count = argc - streams_arg;
      if (streams_count % 2 != 0) {
        return ctx.reply.Error(errors::Format(
            errors::kXreadUnbalanced, {kGroup ? "xreadgroup" : "xread", kGroup ? ">" : "$"}));
      }
      streams_count /= 2;
      break;
    } else if (Is(o, "group") && moreargs >= 2) {
      if (!kGroup) return ctx.reply.Error(errors::kXreadGroupOption);
      group_name = args[i + 1];
      consumer_name = args[i + 2];
      have_group = true;
      i += 2;
    } else if (Is(o, "noack")) {
      if (!kGroup) return ctx.reply.Error(errors::kXreadNoackOption);
      noack = true;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (streams_arg == 0) return ctx.reply.Error(errors::kSyntax);
  if (kGroup && !have_group) return ctx.reply.Error(errors::kXreadgroupMissingGroup);
  const bool serving = ctx.serving_key != nullptr;
  if (serving && count == 0) count = kBlockedDefaultCount;
  // IDs ("new only" for ">"), resolved per key.
  struct Target {
    std::string_view key;
    StreamID gt;
    bool newest = false;  // ">"
  };
  std::vector<Target> targets(streams_count);
  std::optional<Args> rerun;  // with "$" replaced, if any
  for (size_t k = 0; k < streams_count; ++k) {
    Target& t = targets[k];
    t.key = args[streams_arg + k];
    std::string_view id_arg = args[streams_arg + streams_count + k];
    auto v = ctx.keyspace.Find(ctx.db(), t.key, store::Keyspace::Lookup::kRead);
    if (serving && *ctx.serving_key == t.key && (!v || v->type != store::ValueType::kStream)) {
      // The key this client waits on was deleted or replaced: a group
      // reader fails, a plain reader waits on (Redis 7.0).
      if (kGroup) return ctx.reply.Error(errors::kStreamKeyGone);
      return;
    }
    if (v && v->type != store::ValueType::kStream) return ctx.reply.Error(errors::kWrongType);
    const StreamObject* s = v ? &v->template As<StreamObject>() : nullptr;
    if (kGroup) {
      if (s == nullptr || s->FindGroup(group_name) == nullptr) {
        if (serving && *ctx.serving_key == t.key) {
          return ctx.reply.Error(errors::kXreadgroupGroupGone);
        }
        return ctx.reply.Error(errors::Format(errors::kXreadgroupNoGroup, {t.key, group_name}));
      }
    }
    if (id_arg == "$") {
      if (kGroup) return ctx.reply.Error(errors::kXreadgroupDollar);
      t.gt = s != nullptr ? s->last_id() : StreamID{0, 0};
      if (!rerun) rerun = args;
      (*rerun)[streams_arg + streams_count + k] = t.gt.ToString();
      continue;
    }
    if (id_arg == ">") {
      if (!kGroup) return ctx.reply.Error(errors::kXreadGreater);
      t.newest = true;
      continue;
    }
    if (!ParseStrictId(ctx, id_arg, &t.gt)) return;
  }
  std::vector<std::pair<std::string, std::vector<OwnedEntry>>> out;
  for (Target& t : targets) {
    if (SkipWhileServing(ctx, t.key)) continue;
    if (!kGroup) {
      auto v = ctx.keyspace.Find(ctx.db(), t.key, store::Keyspace::Lookup::kRead);
      if (!v) continue;
      const auto& s = v->template As<StreamObject>();
      if (s.Size() == 0 || !(*s.LastEntryId() > t.gt)) continue;
      StreamID start;
      t.gt.Incr(&start);
      std::vector<OwnedEntry> entries;
      s.Range(start, StreamID::Max(), false, [&](const StreamEntry& e) {
        entries.push_back(Own(e));
        return count <= 0 || static_cast<int64_t>(entries.size()) < count;
      });
      out.emplace_back(std::string(t.key), std::move(entries));
      continue;
    }
    KeyWriter w = WriteStream(ctx, t.key, false);
    if (!w.ok()) continue;
    auto& s = w.As<StreamObject>();
    Group* g = s.FindGroup(group_name);
    bool serve = false, history = false;
    if (!t.newest) {
      serve = history = true;
    } else if (s.Size() > 0 && *s.LastEntryId() > g->last_id) {
      serve = true;
    }
    const int64_t now = Now(ctx);
    bool created = false;
    s.CreateConsumer(*g, consumer_name, now, &created);
    RecordStrings(w, StreamObject::kConsumerSeen,
                  {std::string(group_name), std::string(consumer_name), std::to_string(now)});
    if (created) ctx.Notify(kNotifyStream, "xgroup-createconsumer", t.key);
    g->consumers.find(consumer_name)->second.seen_time = now;
    if (!serve) continue;
    std::vector<OwnedEntry> entries;
    if (history) {
      StreamID start;
      t.gt.Incr(&start);
      entries = DeliverHistory(ctx, w, s, group_name, consumer_name, start, count);
    } else {
      entries = DeliverNew(ctx, w, s, group_name, consumer_name, count, noack);
    }
    out.emplace_back(std::string(t.key), std::move(entries));
  }
  if (!out.empty()) return ReplyStreams(ctx, out);
  if (!deadline) {
    if (!serving) ctx.reply.NullArray();
    return;
  }
  std::vector<std::string> keys;
  for (const Target& t : targets) keys.emplace_back(t.key);
  BlockOrTimeout(ctx, std::move(keys), *deadline, store::ValueType::kStream,
                 TimeoutReply::kNullArray, std::nullopt, std::move(rerun));
}

// ---- XGROUP ----

// The group subcommands' shared prelude (Redis's xgroupCommand): options
// of CREATE / SETID, the key and the group. Returns false after a reply.
struct GroupArgs {
  bool mkstream = false;
  int64_t entries_read = StreamObject::kInvalidEntriesRead;
};

bool ParseGroupOptions(CommandContext& ctx, bool create, GroupArgs* g) {
  for (size_t i = 5; i < ctx.args.size();) {
    if (create && Is(ctx.args[i], "mkstream")) {
      g->mkstream = true;
      ++i;
    } else if (ctx.args.size() - i >= 2 && Is(ctx.args[i], "entriesread")) {
      if (!ParseInt(ctx, ctx.args[i + 1], &g->entries_read)) return false;
      if (g->entries_read < 0 && g->entries_read != StreamObject::kInvalidEntriesRead) {
        ctx.reply.Error(errors::kXgroupEntriesRead);
        return false;
      }
      i += 2;
    } else {
      ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "XGROUP"}));
      return false;
    }
  }
  return true;
}

// Opens the stream for an XGROUP subcommand; replies the missing-key or
// missing-group error unless `mkstream` / `need_group` allow.
bool OpenForGroup(CommandContext& ctx, KeyWriter& w, bool need_group) {
  if (w.status() == KeyWriter::Status::kWrongType) {
    ctx.reply.Error(errors::kWrongType);
    return false;
  }
  if (!w.ok()) {
    ctx.reply.Error(errors::kXgroupNoKey);
    return false;
  }
  if (need_group && w.As<StreamObject>().FindGroup(ctx.args[3]) == nullptr) {
    ctx.reply.Error(errors::Format(errors::kStreamNoGroup, {ctx.args[3], ctx.args[2]}));
    return false;
  }
  return true;
}

void CmdXgroupCreate(CommandContext& ctx) {
  GroupArgs ga;
  if (!ParseGroupOptions(ctx, true, &ga)) return;
  std::string_view key = ctx.args[2];
  std::string_view group = ctx.args[3];
  // Look first: MKSTREAM creates the key only once nothing can fail.
  auto v = ctx.keyspace.Find(ctx.db(), key, store::Keyspace::Lookup::kWrite);
  if (v && v->type != store::ValueType::kStream) return ctx.reply.Error(errors::kWrongType);
  if (!v && !ga.mkstream) return ctx.reply.Error(errors::kXgroupNoKey);
  StreamID id;
  if (ctx.args[4] == "$") {
    id = v ? v->template As<StreamObject>().last_id() : StreamID{0, 0};
  } else if (!ParseStrictId(ctx, ctx.args[4], &id)) {
    return;
  }
  if (v && v->template As<StreamObject>().FindGroup(group) != nullptr) {
    return ctx.reply.Error(errors::kXgroupBusy);
  }
  KeyWriter w = WriteStream(ctx, key, true);
  auto& s = w.As<StreamObject>();
  s.CreateGroup(group, id, ga.entries_read);
  RecordStrings(w, StreamObject::kGroupCreate,
                {std::string(group), id.ToString(), std::to_string(ga.entries_read)});
  w.Notify({kNotifyStream, "xgroup-create"});
  ctx.reply.Ok();
}

void CmdXgroupSetid(CommandContext& ctx) {
  if (ctx.args.size() != 5 && ctx.args.size() != 7) {
    return ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "XGROUP"}));
  }
  GroupArgs ga;
  if (!ParseGroupOptions(ctx, false, &ga)) return;
  KeyWriter w = WriteStream(ctx, ctx.args[2], false);
  if (!OpenForGroup(ctx, w, true)) return;
  auto& s = w.As<StreamObject>();
  StreamID id;
  if (ctx.args[4] == "$") {
    id = s.last_id();
  } else if (!ParseIntervalId(ctx, ctx.args[4], 0, &id, nullptr)) {
    return;
  }
  Group* g = s.FindGroup(ctx.args[3]);
  g->last_id = id;
  g->entries_read = ga.entries_read;
  RecordStrings(w, StreamObject::kGroupSetId,
                {ctx.args[3], id.ToString(), std::to_string(ga.entries_read)});
  w.Notify({kNotifyStream, "xgroup-setid"});
  ctx.reply.Ok();
}

void CmdXgroupDestroy(CommandContext& ctx) {
  KeyWriter w = WriteStream(ctx, ctx.args[2], false);
  if (!OpenForGroup(ctx, w, false)) return;
  auto& s = w.As<StreamObject>();
  if (!s.DestroyGroup(ctx.args[3])) return ctx.reply.Integer(0);
  RecordStrings(w, StreamObject::kGroupDestroy, {ctx.args[3]});
  w.Notify({kNotifyStream, "xgroup-destroy"});
  ctx.reply.Integer(1);
}

void CmdXgroupCreateConsumer(CommandContext& ctx) {
  KeyWriter w = WriteStream(ctx, ctx.args[2], false);
  if (!OpenForGroup(ctx, w, true)) return;
  auto& s = w.As<StreamObject>();
  Group* g = s.FindGroup(ctx.args[3]);
  bool created = false;
  const int64_t now = Now(ctx);
  s.CreateConsumer(*g, ctx.args[4], now, &created);
  if (created) {
    RecordStrings(w, StreamObject::kConsumerCreate,
                  {ctx.args[3], ctx.args[4], std::to_string(now)});
    w.Notify({kNotifyStream, "xgroup-createconsumer"});
  }
  ctx.reply.Integer(created ? 1 : 0);
}

void CmdXgroupDelConsumer(CommandContext& ctx) {
  KeyWriter w = WriteStream(ctx, ctx.args[2], false);
  if (!OpenForGroup(ctx, w, true)) return;
  auto& s = w.As<StreamObject>();
  Group* g = s.FindGroup(ctx.args[3]);
  const bool existed = g->consumers.find(ctx.args[4]) != g->consumers.end();
  const size_t pending = s.DeleteConsumer(*g, ctx.args[4]);
  if (existed) {
    RecordStrings(w, StreamObject::kConsumerDelete, {ctx.args[3], ctx.args[4]});
    w.Notify({kNotifyStream, "xgroup-delconsumer"});
  }
  ctx.reply.Integer(static_cast<int64_t>(pending));
}

void CmdXgroupHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx,
      {"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
       "CREATE <key> <groupname> <id|$> [option]",
       "    Create a new consumer group. Options are:", "    * MKSTREAM",
       "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
       "      Set the group's entries_read counter (internal use).",
       "CREATECONSUMER <key> <groupname> <consumer>",
       "    Create a new consumer in the specified group.",
       "DELCONSUMER <key> <groupname> <consumer>", "    Remove the specified consumer.",
       "DESTROY <key> <groupname>", "    Remove the specified group.",
       "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
       "    Set the current group ID and entries_read counter.", "HELP", "    Prints this help."});
}

// ---- XACK XPENDING XCLAIM XAUTOCLAIM ----

void CmdXack(CommandContext& ctx) {
  KeyWriter w = WriteStream(ctx, ctx.args[1], false);
  if (w.status() == KeyWriter::Status::kWrongType) return ctx.reply.Error(errors::kWrongType);
  Group* g = w.ok() ? w.As<StreamObject>().FindGroup(ctx.args[2]) : nullptr;
  if (g == nullptr) return ctx.reply.Integer(0);
  std::vector<StreamID> ids;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    StreamID id;
    if (!ParseStrictId(ctx, ctx.args[j], &id)) return;
    ids.push_back(id);
  }
  auto& s = w.As<StreamObject>();
  std::vector<std::string> rec = {ctx.args[2]};
  for (StreamID id : ids) {
    if (s.Ack(*g, id)) rec.push_back(id.ToString());
  }
  if (rec.size() > 1) RecordStrings(w, StreamObject::kAck, rec);
  ctx.reply.Integer(static_cast<int64_t>(rec.size() - 1));
}

void CmdXpending(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  const bool justinfo = argc == 3;
  if (argc != 3 && (argc < 6 || argc > 9)) return ctx.reply.Error(errors::kSyntax);
  StreamID start, end;
  int64_t count = -1, minidle = 0;
  std::string_view consumer;
  bool has_consumer = false;
  if (argc >= 6) {
    size_t startidx = 3;
    if (Is(ctx.args[3], "idle")) {
      if (!ParseInt(ctx, ctx.args[4], &minidle)) return;
      if (argc < 8) return ctx.reply.Error(errors::kSyntax);
      startidx += 2;
    }
    if (!ParseInt(ctx, ctx.args[startidx + 2], &count)) return;
    if (count < 0) count = 0;
    bool startex = false, endex = false;
    if (!ParseIntervalId(ctx, ctx.args[startidx], 0, &start, &startex)) return;
    if (startex && !StreamID(start).Incr(&start)) return ctx.reply.Error(errors::kStreamBadStart);
    if (!ParseIntervalId(ctx, ctx.args[startidx + 1], UINT64_MAX, &end, &endex)) return;
    if (endex && !StreamID(end).Decr(&end)) return ctx.reply.Error(errors::kStreamBadEnd);
    if (startidx + 3 < argc) {
      consumer = ctx.args[startidx + 3];
      has_consumer = true;
    }
  }
  bool wrong = false;
  const StreamObject* s = ReadStream(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  const Group* g = s != nullptr ? s->FindGroup(ctx.args[2]) : nullptr;
  if (g == nullptr) {
    return ctx.reply.Error(errors::Format(errors::kStreamNoKeyOrGroup, {ctx.args[1], ctx.args[2]}));
  }
  if (justinfo) {
    ctx.reply.ArrayLen(4);
    ctx.reply.Integer(static_cast<int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      ctx.reply.Null();
      ctx.reply.Null();
      ctx.reply.NullArray();
      return;
    }
    ctx.reply.Bulk(g->pel.begin()->first.ToString());
    ctx.reply.Bulk(g->pel.rbegin()->first.ToString());
    size_t n = 0;
    for (const auto& [name, c] : g->consumers) n += c.pending.empty() ? 0 : 1;
    ctx.reply.ArrayLen(n);
    for (const auto& [name, c] : g->consumers) {
      if (c.pending.empty()) continue;
      ctx.reply.ArrayLen(2);
      ctx.reply.Bulk(name);
      ctx.reply.Bulk(std::to_string(c.pending.size()));
    }
    return;
  }
  const int64_t now = Now(ctx);
  std::vector<std::pair<StreamID, const StreamObject::PendingEntry*>> out;
  auto visit = [&](StreamID id) {
    const auto& p = g->pel.at(id);
    if (minidle && now - p.delivery_time < minidle) return;
    out.emplace_back(id, &p);
    --count;
  };
  if (has_consumer) {
    auto c = g->consumers.find(consumer);
    if (c == g->consumers.end()) return ctx.reply.ArrayLen(0);
    for (auto it = c->second.pending.lower_bound(start);
         count > 0 && it != c->second.pending.end() && *it <= end; ++it) {
      visit(*it);
    }
  } else {
    for (auto it = g->pel.lower_bound(start); count > 0 && it != g->pel.end() && it->first <= end;
         ++it) {
      visit(it->first);
    }
  }
  ctx.reply.ArrayLen(out.size());
  for (const auto& [id, p] : out) {
    ctx.reply.ArrayLen(4);
    ctx.reply.Bulk(id.ToString());
    ctx.reply.Bulk(p->consumer);
    ctx.reply.Integer(now - p->delivery_time);
    ctx.reply.Integer(static_cast<int64_t>(p->delivery_count));
  }
}

// Opens the stream and group of XCLAIM / XAUTOCLAIM; replies NOGROUP.
Group* OpenClaim(CommandContext& ctx, KeyWriter& w) {
  if (w.status() == KeyWriter::Status::kWrongType) {
    ctx.reply.Error(errors::kWrongType);
    return nullptr;
  }
  Group* g = w.ok() ? w.As<StreamObject>().FindGroup(ctx.args[2]) : nullptr;
  if (g == nullptr) {
    ctx.reply.Error(errors::Format(errors::kStreamNoKeyOrGroup, {ctx.args[1], ctx.args[2]}));
  }
  return g;
}

// A consumer looked up by a claim: created if missing (with its
// notification), its seen-time refreshed; recorded.
void TouchConsumer(CommandContext& ctx, KeyWriter& w, StreamObject& s, Group& g,
                   std::string_view name, int64_t now) {
  bool created = false;
  s.CreateConsumer(g, name, now, &created);
  g.consumers.find(name)->second.seen_time = now;
  RecordStrings(w, StreamObject::kConsumerSeen,
                {ctx.args[2], std::string(name), std::to_string(now)});
  if (created) ctx.Notify(kNotifyStream, "xgroup-createconsumer", ctx.args[1]);
}

void CmdXclaim(CommandContext& ctx) {
  KeyWriter w = WriteStream(ctx, ctx.args[1], false);
  Group* g = OpenClaim(ctx, w);
  if (g == nullptr) return;
  auto& s = w.As<StreamObject>();
  int64_t minidle = 0;
  if (!ParseInt(ctx, ctx.args[4], &minidle, errors::kXclaimMinIdle)) return;
  if (minidle < 0) minidle = 0;
  std::vector<StreamID> ids;
  size_t j = 5;
  for (; j < ctx.args.size(); ++j) {
    std::string_view a = ctx.args[j];
    if (a == "-" || a == "+" || a.size() > 127) break;
    auto id = StreamID::Parse(a, 0);
    if (!id) break;
    ids.push_back(*id);
  }
  const int64_t now = Now(ctx);
  int64_t deliverytime = -1, retrycount = -1;
  bool force = false, justid = false;
  StreamID lastid;
  for (; j < ctx.args.size(); ++j) {
    const bool more = j + 1 < ctx.args.size();
    std::string_view opt = ctx.args[j];
    if (Is(opt, "force")) {
      force = true;
    } else if (Is(opt, "justid")) {
      justid = true;
    } else if (Is(opt, "idle") && more) {
      if (!ParseInt(ctx, ctx.args[++j], &deliverytime, errors::kXclaimIdle)) return;
      deliverytime = now - deliverytime;
    } else if (Is(opt, "time") && more) {
      if (!ParseInt(ctx, ctx.args[++j], &deliverytime, errors::kXclaimTime)) return;
    } else if (Is(opt, "retrycount") && more) {
      if (!ParseInt(ctx, ctx.args[++j], &retrycount, errors::kXclaimRetry)) return;
    } else if (Is(opt, "lastid") && more) {
      if (!ParseStrictId(ctx, ctx.args[++j], &lastid)) return;
    } else {
      return ctx.reply.Error(errors::Format(errors::kXclaimUnknownOption, {opt}));
    }
  }
  if (lastid > g->last_id) {
    g->last_id = lastid;
    RecordStrings(w, StreamObject::kGroupSetId,
                  {ctx.args[2], g->last_id.ToString(), std::to_string(g->entries_read)});
  }
  if (deliverytime != -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else {
    deliverytime = now;
  }
  std::string_view name = ctx.args[3];
  bool consumer_touched = false;
  std::vector<OwnedEntry> out;
  std::vector<std::string> acked = {ctx.args[2]};
  for (StreamID id : ids) {
    auto p = g->pel.find(id);
    std::optional<StreamEntry> e = s.Get(id);
    if (!e) {
      if (p != g->pel.end()) {
        s.Ack(*g, id);
        acked.push_back(id.ToString());
      }
      continue;
    }
    uint64_t count = 0;
    if (p == g->pel.end()) {
      if (!force) continue;
    } else {
      if (minidle && now - p->second.delivery_time < minidle) continue;
      count = p->second.delivery_count;
    }
    if (!consumer_touched) {
      TouchConsumer(ctx, w, s, *g, name, now);
      consumer_touched = true;
    }
    if (retrycount >= 0) {
      count = static_cast<uint64_t>(retrycount);
    } else if (!justid) {
      ++count;
    }
    s.SetPending(*g, name, id, deliverytime, count);
    RecordStrings(w, StreamObject::kPending,
                  {ctx.args[2], std::string(name), std::to_string(deliverytime), id.ToString(),
                   std::to_string(count)});
    if (justid) {
      out.push_back(OwnedEntry{id, {}, false});
    } else {
      out.push_back(Own(*e));
    }
  }
  if (acked.size() > 1) RecordStrings(w, StreamObject::kAck, acked);
  ctx.reply.ArrayLen(out.size());
  for (const OwnedEntry& e : out) {
    if (justid) {
      ctx.reply.Bulk(e.id.ToString());
    } else {
      ReplyOwned(ctx.reply, e);
    }
  }
}

void CmdXautoclaim(CommandContext& ctx) {
  int64_t minidle = 0;
  if (!ParseInt(ctx, ctx.args[4], &minidle, errors::kXautoclaimMinIdle)) return;
  if (minidle < 0) minidle = 0;
  StreamID start;
  if (!ParseIntervalId(ctx, ctx.args[5], 0, &start, nullptr)) return;
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < ctx.args.size(); ++j) {
    const bool more = j + 1 < ctx.args.size();
    if (Is(ctx.args[j], "count") && more) {
      auto v = store::ParseInt64(ctx.args[j + 1]);
      if (!v || *v < 1 || *v > INT64_MAX / 10 / 16) {
        return ctx.reply.Error(v ? errors::kXautoclaimCount : errors::kNotInteger);
      }
      count = *v;
      ++j;
    } else if (Is(ctx.args[j], "justid")) {
      justid = true;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  // Unlike XCLAIM, the key and group are looked up after the arguments.
  KeyWriter w = WriteStream(ctx, ctx.args[1], false);
  Group* g = OpenClaim(ctx, w);
  if (g == nullptr) return;
  auto& s = w.As<StreamObject>();
  int64_t attempts = count * 10;
  const int64_t now = Now(ctx);
  std::string_view name = ctx.args[3];
  bool consumer_touched = false;
  std::vector<OwnedEntry> out;
  std::vector<std::string> deleted = {ctx.args[2]};
  auto it = g->pel.lower_bound(start);
  while (attempts-- > 0 && count > 0 && it != g->pel.end()) {
    const StreamID id = it->first;
    std::optional<StreamEntry> e = s.Get(id);
    ++it;
    if (!e) {
      s.Ack(*g, id);
      deleted.push_back(id.ToString());
      --count;
      continue;
    }
    auto& p = g->pel[id];
    if (minidle && now - p.delivery_time < minidle) continue;
    if (!consumer_touched) {
      TouchConsumer(ctx, w, s, *g, name, now);
      consumer_touched = true;
    }
    const uint64_t n = justid ? p.delivery_count : p.delivery_count + 1;
    s.SetPending(*g, name, id, now, n);
    RecordStrings(
        w, StreamObject::kPending,
        {ctx.args[2], std::string(name), std::to_string(now), id.ToString(), std::to_string(n)});
    out.push_back(justid ? OwnedEntry{id, {}, false} : Own(*e));
    --count;
  }
  const StreamID next = it == g->pel.end() ? StreamID{0, 0} : it->first;
  if (deleted.size() > 1) RecordStrings(w, StreamObject::kAck, deleted);
  ctx.reply.ArrayLen(3);
  ctx.reply.Bulk(next.ToString());
  ctx.reply.ArrayLen(out.size());
  for (const OwnedEntry& e : out) {
    if (justid) {
      ctx.reply.Bulk(e.id.ToString());
    } else {
      ReplyOwned(ctx.reply, e);
    }
  }
  ctx.reply.ArrayLen(deleted.size() - 1);
  for (size_t i = 1; i < deleted.size(); ++i) ctx.reply.Bulk(deleted[i]);
}

// ---- XINFO ----

const StreamObject* InfoStream(CommandContext& ctx, std::string_view key) {
  bool wrong = false;
  const StreamObject* s = ReadStream(ctx, key, &wrong);
  if (s == nullptr && !wrong) ctx.reply.Error(errors::kNoSuchKey);
  return s;
}

void ReplyOptionalEntry(CommandContext& ctx, const StreamObject& s, bool first) {
  std::optional<StreamEntry> e;
  s.Range({0, 0}, StreamID::Max(), !first, [&](const StreamEntry& x) {
    e = x;
    return false;
  });
  if (!e) return ctx.reply.Null();
  ReplyEntry(ctx.reply, *e);
}

void ReplyNullableInt(CommandContext& ctx, std::optional<int64_t> v) {
  if (v) return ctx.reply.Integer(*v);
  ctx.reply.Null();
}

void CmdXinfoStream(CommandContext& ctx) {
  bool full = false;
  int64_t count = 10;
  const size_t argc = ctx.args.size();
  if (argc > 3) {
    if (!Is(ctx.args[3], "full")) return ctx.reply.Error(errors::kSyntax);
    full = true;
    if (argc > 4) {
      if (argc != 6 || !Is(ctx.args[4], "count")) return ctx.reply.Error(errors::kSyntax);
      if (!ParseInt(ctx, ctx.args[5], &count)) return;
      if (count < 0) count = 10;
    }
  }
  const StreamObject* s = InfoStream(ctx, ctx.args[2]);
  if (s == nullptr) return;
  auto& r = ctx.reply;
  r.MapLen(full ? 9 : 10);
  r.Bulk("length");
  r.Integer(static_cast<int64_t>(s->Size()));
  r.Bulk("radix-tree-keys");
  r.Integer(static_cast<int64_t>(s->blocks()));
  r.Bulk("radix-tree-nodes");
  r.Integer(static_cast<int64_t>(s->blocks() == 0 ? 1 : s->blocks() + 1));
  r.Bulk("last-generated-id");
  r.Bulk(s->last_id().ToString());
  r.Bulk("max-deleted-entry-id");
  r.Bulk(s->max_deleted().ToString());
  r.Bulk("entries-added");
  r.Integer(static_cast<int64_t>(s->entries_added()));
  r.Bulk("recorded-first-entry-id");
  r.Bulk(s->FirstId().value_or(StreamID{0, 0}).ToString());
  if (!full) {
    r.Bulk("groups");
    r.Integer(static_cast<int64_t>(s->groups().size()));
    r.Bulk("first-entry");
    ReplyOptionalEntry(ctx, *s, true);
    r.Bulk("last-entry");
    ReplyOptionalEntry(ctx, *s, false);
    return;
  }
  std::vector<StreamEntry> entries;
  s->Range({0, 0}, StreamID::Max(), false, [&](const StreamEntry& e) {
    entries.push_back(e);
    return count == 0 || static_cast<int64_t>(entries.size()) < count;
  });
  r.Bulk("entries");
  r.ArrayLen(entries.size());
  for (const StreamEntry& e : entries) ReplyEntry(r, e);
  r.Bulk("groups");
  r.ArrayLen(s->groups().size());
  for (const auto& [name, g] : s->groups()) {
    r.MapLen(7);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("last-delivered-id");
    r.Bulk(g.last_id.ToString());
    r.Bulk("entries-read");
    ReplyNullableInt(ctx, g.entries_read == StreamObject::kInvalidEntriesRead
                              ? std::nullopt
                              : std::optional<int64_t>(g.entries_read));
    r.Bulk("lag");
    ReplyNullableInt(ctx, s->Lag(g));
    r.Bulk("pel-count");
    r.Integer(static_cast<int64_t>(g.pel.size()));
    r.Bulk("pending");
    size_t n = g.pel.size();
    if (count != 0 && n > static_cast<size_t>(count)) n = static_cast<size_t>(count);
    r.ArrayLen(n);
    size_t i = 0;
    for (const auto& [id, p] : g.pel) {
      if (i++ == n) break;
      r.ArrayLen(4);
      r.Bulk(id.ToString());
      r.Bulk(p.consumer);
      r.Integer(p.delivery_time);
      r.Integer(static_cast<int64_t>(p.delivery_count));
    }
    r.Bulk("consumers");
    r.ArrayLen(g.consumers.size());
    for (const auto& [cname, c] : g.consumers) {
      r.MapLen(4);
      r.Bulk("name");
      r.Bulk(cname);
      r.Bulk("seen-time");
      r.Integer(c.seen_time);
      r.Bulk("pel-count");
      r.Integer(static_cast<int64_t>(c.pending.size()));
      r.Bulk("pending");
      size_t m = c.pending.size();
      if (count != 0 && m > static_cast<size_t>(count)) m = static_cast<size_t>(count);
      r.ArrayLen(m);
      size_t k = 0;
      for (StreamID id : c.pending) {
        if (k++ == m) break;
        const auto& p = g.pel.at(id);
        r.ArrayLen(3);
        r.Bulk(id.ToString());
        r.Integer(p.delivery_time);
        r.Integer(static_cast<int64_t>(p.delivery_count));
      }
    }
  }
}

void CmdXinfoGroups(CommandContext& ctx) {
  const StreamObject* s = InfoStream(ctx, ctx.args[2]);
  if (s == nullptr) return;
  auto& r = ctx.reply;
  r.ArrayLen(s->groups().size());
  for (const auto& [name, g] : s->groups()) {
    r.MapLen(6);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("consumers");
    r.Integer(static_cast<int64_t>(g.consumers.size()));
    r.Bulk("pending");
    r.Integer(static_cast<int64_t>(g.pel.size()));
    r.Bulk("last-delivered-id");
    r.Bulk(g.last_id.ToString());
    r.Bulk("entries-read");
    ReplyNullableInt(ctx, g.entries_read == StreamObject::kInvalidEntriesRead
                              ? std::nullopt
                              : std::optional<int64_t>(g.entries_read));
    r.Bulk("lag");
    ReplyNullableInt(ctx, s->Lag(g));
  }
}

void CmdXinfoConsumers(CommandContext& ctx) {
  const StreamObject* s = InfoStream(ctx, ctx.args[2]);
  if (s == nullptr) return;
  const Group* g = s->FindGroup(ctx.args[3]);
  if (g == nullptr) {
    return ctx.reply.Error(errors::Format(errors::kStreamNoGroup, {ctx.args[3], ctx.args[2]}));
  }
  const int64_t now = Now(ctx);
  auto& r = ctx.reply;
  r.ArrayLen(g->consumers.size());
  for (const auto& [name, c] : g->consumers) {
    r.MapLen(3);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("pending");
    r.Integer(static_cast<int64_t>(c.pending.size()));
    r.Bulk("idle");
    r.Integer(std::max<int64_t>(0, now - c.seen_time));
  }
}

void CmdXinfoHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
             "CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.", "GROUPS <key>",
             "    Show the stream consumer groups.", "STREAM <key> [FULL [COUNT <count>]",
             "    Show information about the stream.", "HELP", "    Prints this help."});
}

}  // namespace

void RegisterStreamFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  const auto trim_args = [] {
    return ArgBlock(
        "trim",
        {ArgOneOf("strategy",
                  {ArgToken("maxlen", "MAXLEN"), ArgToken("minid", "MINID").Since("6.2.0")}),
         ArgOneOf("operator", {ArgToken("equal", "="), ArgToken("approximately", "~")}).Optional(),
         ArgString("threshold"), ArgInteger("count").Token("LIMIT").Since("6.2.0").Optional()});
  };
  r.Register({.name = "xadd",
              .arity = -5,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXadd,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRW | kUpdate},
              .tips = {"nondeterministic_output"},
              .summary = "Appends a new entry to a stream",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "O(1) when adding a new entry, O(N) when trimming where N being the "
                            "number of entries evicted.",
              .history = {{"6.2.0",
                           "Added the `NOMKSTREAM` option, `MINID` trimming strategy "
                           "and the `LIMIT` option."},
                          {"7.0.0", "Added support for the `<ms>-*` explicit ID form."}},
              .arguments = {
                  ArgKey("key", 0), ArgToken("nomkstream", "NOMKSTREAM").Since("6.2.0").Optional(),
                  trim_args().Optional(),
                  ArgOneOf("id_or_auto", {ArgToken("auto_id", "*"), ArgString("id")}),
                  ArgBlock("field_value", {ArgString("field"), ArgString("value")}).Multiple()}});
  r.Register({.name = "xrange",
              .arity = -4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXrange<false>,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Return a range of elements in a stream, with IDs matching the specified "
                         "IDs interval",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "O(N) with N being the number of elements being returned. If N is "
                            "constant (e.g. always asking for the first 10 elements with COUNT), "
                            "you can consider it O(1).",
              .history = {{"6.2.0", "Added exclusive ranges."}},
              .arguments = {ArgKey("key", 0), ArgString("start"), ArgString("end"),
                            ArgInteger("count").Token("COUNT").Optional()}});
  r.Register({.name = "xrevrange",
              .arity = -4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXrange<true>,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Return a range of elements in a stream, with IDs matching the specified "
                         "IDs interval, in reverse order (from greater to smaller IDs) compared to "
                         "XRANGE",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "O(N) with N being the number of elements returned. If N is constant "
                            "(e.g. always asking for the first 10 elements with COUNT), you can "
                            "consider it O(1).",
              .history = {{"6.2.0", "Added exclusive ranges."}},
              .arguments = {ArgKey("key", 0), ArgString("end"), ArgString("start"),
                            ArgInteger("count").Token("COUNT").Optional()}});
  r.Register({.name = "xlen",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXlen,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRO},
              .summary = "Return the number of entries in a stream",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "xdel",
              .arity = -3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXdel,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRW | kDelete},
              .summary = "Removes the specified entries from the stream. Returns the number of "
                         "items actually deleted, that may be different from the number of IDs "
                         "passed in case certain IDs do not exist.",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "O(1) for each single item to delete in the stream, regardless of the "
                            "stream size.",
              .arguments = {ArgKey("key", 0), ArgString("id").Multiple()}});
  r.Register({.name = "xtrim",
              .arity = -4,
              .flags = kWrite,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXtrim,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRW | kDelete},
              .tips = {"nondeterministic_output"},
              .summary = "Trims the stream to (approximately if '~' is passed) a certain size",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "O(N), with N being the number of evicted entries. Constant times are "
                            "very small however, since entries are organized in macro nodes "
                            "containing multiple entries that can be released with a single "
                            "deallocation.",
              .history = {{"6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."}},
              .arguments = {ArgKey("key", 0), trim_args()}});
  r.Register(
      {.name = "xsetid",
       .arity = -3,
       .flags = kWrite | kDenyOom | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdXsetid,
       .acl_categories = AclCategory::kStream,
       .key_spec_flags = {kRW | kUpdate},
       .summary = "An internal command for replicating stream values",
       .since = "5.0.0",
       .group = "stream",
       .complexity = "O(1)",
       .history = {{"7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."}},
       .arguments = {
           ArgKey("key", 0), ArgString("last-id"),
           ArgInteger("entries_added").Token("ENTRIESADDED").Since("7.0.0").Optional(),
           ArgString("max_deleted_entry_id").Token("MAXDELETEDID").Since("7.0.0").Optional()}});
  r.Register(
      {.name = "xread",
       .arity = -4,
       .flags = kReadonly | kBlocking,
       .handler = CmdXread<false>,
       .acl_categories = AclCategory::kStream,
       .key_specs = {KeySpec::Keyword("STREAMS", 1, kRO | kAccess).Range(-1, 1, 2)},
       .summary = "Return never seen elements in multiple streams, with IDs greater than "
                  "the ones reported by the caller for each stream. Can block.",
       .since = "5.0.0",
       .group = "stream",
       .complexity = "For each stream mentioned: O(N) with N being the number of elements "
                     "being returned, it means that XREAD-ing with a fixed COUNT is O(1). "
                     "Note that when the BLOCK option is used, XADD will pay O(M) time in "
                     "order to serve the M clients blocked on the stream getting new data.",
       .arguments = {ArgInteger("count").Token("COUNT").Optional(),
                     ArgInteger("milliseconds").Token("BLOCK").Optional(),
                     ArgBlock("streams", {ArgKey("key", 0).Multiple(), ArgString("id").Multiple()})
                         .Token("STREAMS")}});
  r.Register(
      {.name = "xreadgroup",
       .arity = -7,
       .flags = kWrite | kBlocking,
       .handler = CmdXread<true>,
       .acl_categories = AclCategory::kStream,
       .key_specs = {KeySpec::Keyword("STREAMS", 4, kRO | kAccess).Range(-1, 1, 2)},
       .summary = "Return new entries from a stream using a consumer group, or access the "
                  "history of the pending entries for a given consumer. Can block.",
       .since = "5.0.0",
       .group = "stream",
       .complexity = "For each stream mentioned: O(M) with M being the number of elements "
                     "returned. If M is constant (e.g. always asking for the first 10 "
                     "elements with COUNT), you can consider it O(1). On the other side "
                     "when XREADGROUP blocks, XADD will pay the O(N) time in order to serve "
                     "the N clients blocked on the stream getting new data.",
       .arguments = {
           ArgBlock("group_consumer", {ArgString("group"), ArgString("consumer")}).Token("GROUP"),
           ArgInteger("count").Token("COUNT").Optional(),
           ArgInteger("milliseconds").Token("BLOCK").Optional(),
           ArgToken("noack", "NOACK").Optional(),
           ArgBlock("streams", {ArgKey("key", 0).Multiple(), ArgString("id").Multiple()})
               .Token("STREAMS")}});
  r.Register({.name = "xack",
              .arity = -4,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXack,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRW | kUpdate},
              .summary = "Marks a pending message as correctly processed, effectively removing it "
                         "from the pending entries list of the consumer group. Return value of "
                         "the command is the number of messages successfully acknowledged, that "
                         "is, the IDs we were actually able to resolve in the PEL.",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "O(1) for each message ID processed.",
              .arguments = {ArgKey("key", 0), ArgString("group"), ArgString("id").Multiple()}});
  r.Register(
      {.name = "xpending",
       .arity = -3,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdXpending,
       .acl_categories = AclCategory::kStream,
       .key_spec_flags = {kRO | kAccess},
       .tips = {"nondeterministic_output"},
       .summary = "Return information and entries from a stream consumer group pending "
                  "entries list, that are messages fetched but never acknowledged.",
       .since = "5.0.0",
       .group = "stream",
       .complexity = "O(N) with N being the number of elements returned, so asking for a "
                     "small fixed number of entries per call is O(1). O(M), where M is the "
                     "total number of entries scanned when used with the IDLE filter. When "
                     "the command returns just the summary and the list of consumers is "
                     "small, it runs in O(1) time; otherwise, an additional O(N) time for "
                     "iterating every consumer.",
       .history = {{"6.2.0", "Added the `IDLE` option and exclusive range intervals."}},
       .arguments = {
           ArgKey("key", 0), ArgString("group"),
           ArgBlock("filters", {ArgInteger("min-idle-time").Token("IDLE").Since("6.2.0").Optional(),
                                ArgString("start"), ArgString("end"), ArgInteger("count"),
                                ArgString("consumer").Optional()})
               .Optional()}});
  r.Register(
      {.name = "xclaim",
       .arity = -6,
       .flags = kWrite | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdXclaim,
       .acl_categories = AclCategory::kStream,
       .key_spec_flags = {kRW | kUpdate},
       .tips = {"nondeterministic_output"},
       .summary = "Changes (or acquires) ownership of a message in a consumer group, as if "
                  "the message was delivered to the specified consumer.",
       .since = "5.0.0",
       .group = "stream",
       .complexity = "O(log N) with N being the number of messages in the PEL of the "
                     "consumer group.",
       .arguments = {ArgKey("key", 0), ArgString("group"), ArgString("consumer"),
                     ArgString("min-idle-time"), ArgString("id").Multiple(),
                     ArgInteger("ms").Token("IDLE").Optional(),
                     ArgUnixTime("unix-time-milliseconds").Token("TIME").Optional(),
                     ArgInteger("count").Token("RETRYCOUNT").Optional(),
                     ArgToken("force", "FORCE").Optional(), ArgToken("justid", "JUSTID").Optional(),
                     ArgString("id").Token("LASTID").Optional()}});
  r.Register({.name = "xautoclaim",
              .arity = -6,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdXautoclaim,
              .acl_categories = AclCategory::kStream,
              .key_spec_flags = {kRW | kDelete},
              .tips = {"nondeterministic_output"},
              .summary = "Changes (or acquires) ownership of messages in a consumer group, as if "
                         "the messages were delivered to the specified consumer.",
              .since = "6.2.0",
              .group = "stream",
              .complexity = "O(1) if COUNT is small.",
              .history = {{"7.0.0",
                           "Added an element to the reply array, containing deleted "
                           "entries the command cleared from the PEL"}},
              .arguments = {ArgKey("key", 0), ArgString("group"), ArgString("consumer"),
                            ArgString("min-idle-time"), ArgString("start"),
                            ArgInteger("count").Token("COUNT").Optional(),
                            ArgToken("justid", "JUSTID").Optional()}});
  r.Register(
      {.name = "xgroup",
       .arity = -2,
       .summary = "A container for consumer groups commands",
       .since = "5.0.0",
       .group = "stream",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "xgroup|create",
            .arity = -5,
            .flags = kWrite | kDenyOom,
            .first_key = 2,
            .last_key = 2,
            .step = 1,
            .handler = CmdXgroupCreate,
            .acl_categories = AclCategory::kStream,
            .key_spec_flags = {kRW | kInsert},
            .summary = "Create a consumer group.",
            .since = "5.0.0",
            .group = "stream",
            .complexity = "O(1)",
            .history = {{"7.0.0", "Added the `entries_read` named argument."}},
            .arguments = {ArgKey("key", 0), ArgString("groupname"),
                          ArgOneOf("id", {ArgString("id"), ArgToken("new_id", "$")}),
                          ArgToken("mkstream", "MKSTREAM").Optional(),
                          ArgInteger("entries_read").Token("ENTRIESREAD").Optional()}},
           {.name = "xgroup|setid",
            .arity = -5,
            .flags = kWrite,
            .first_key = 2,
            .last_key = 2,
            .step = 1,
            .handler = CmdXgroupSetid,
            .acl_categories = AclCategory::kStream,
            .key_spec_flags = {kRW | kUpdate},
            .summary = "Set a consumer group to an arbitrary last delivered ID value.",
            .since = "5.0.0",
            .group = "stream",
            .complexity = "O(1)",
            .history = {{"7.0.0", "Added the optional `entries_read` argument."}},
            .arguments = {ArgKey("key", 0), ArgString("groupname"),
                          ArgOneOf("id", {ArgString("id"), ArgToken("new_id", "$")}),
                          ArgInteger("entries_read").Token("ENTRIESREAD").Optional()}},
           {.name = "xgroup|destroy",
            .arity = 4,
            .flags = kWrite,
            .first_key = 2,
            .last_key = 2,
            .step = 1,
            .handler = CmdXgroupDestroy,
            .acl_categories = AclCategory::kStream,
            .key_spec_flags = {kRW | kDelete},
            .summary = "Destroy a consumer group.",
            .since = "5.0.0",
            .group = "stream",
            .complexity = "O(N) where N is the number of entries in the group's pending entries "
                          "list (PEL).",
            .arguments = {ArgKey("key", 0), ArgString("groupname")}},
           {.name = "xgroup|createconsumer",
            .arity = 5,
            .flags = kWrite | kDenyOom,
            .first_key = 2,
            .last_key = 2,
            .step = 1,
            .handler = CmdXgroupCreateConsumer,
            .acl_categories = AclCategory::kStream,
            .key_spec_flags = {kRW | kInsert},
            .summary = "Create a consumer in a consumer group.",
            .since = "6.2.0",
            .group = "stream",
            .complexity = "O(1)",
            .arguments = {ArgKey("key", 0), ArgString("groupname"), ArgString("consumername")}},
           {.name = "xgroup|delconsumer",
            .arity = 5,
            .flags = kWrite,
            .first_key = 2,
            .last_key = 2,
            .step = 1,
            .handler = CmdXgroupDelConsumer,
            .acl_categories = AclCategory::kStream,
            .key_spec_flags = {kRW | kDelete},
            .summary = "Delete a consumer from a consumer group.",
            .since = "5.0.0",
            .group = "stream",
            .complexity = "O(1)",
            .arguments = {ArgKey("key", 0), ArgString("groupname"), ArgString("consumername")}},
           {.name = "xgroup|help",
            .arity = 2,
            .flags = kLoading | kStale,
            .handler = CmdXgroupHelp,
            .acl_categories = AclCategory::kStream,
            .summary = "Show helpful text about the different subcommands",
            .since = "5.0.0",
            .group = "stream",
            .complexity = "O(1)"}}});
  r.Register({.name = "xinfo",
              .arity = -2,
              .summary = "A container for stream introspection commands",
              .since = "5.0.0",
              .group = "stream",
              .complexity = "Depends on subcommand.",
              .subcommands = {
                  {.name = "xinfo|stream",
                   .arity = -3,
                   .flags = kReadonly,
                   .first_key = 2,
                   .last_key = 2,
                   .step = 1,
                   .handler = CmdXinfoStream,
                   .acl_categories = AclCategory::kStream,
                   .key_spec_flags = {kRO | kAccess},
                   .summary = "Get information about a stream",
                   .since = "5.0.0",
                   .group = "stream",
                   .complexity = "O(1)",
                   .history = {{"7.0.0",
                                "Added the `max-deleted-entry-id`, `entries-added`, "
                                "`recorded-first-entry-id`, `entries-read` and `lag` fields"}},
                   .arguments = {ArgKey("key", 0),
                                 ArgBlock("full", {ArgToken("full", "FULL"),
                                                   ArgInteger("count").Token("COUNT").Optional()})
                                     .Optional()}},
                  {.name = "xinfo|groups",
                   .arity = 3,
                   .flags = kReadonly,
                   .first_key = 2,
                   .last_key = 2,
                   .step = 1,
                   .handler = CmdXinfoGroups,
                   .acl_categories = AclCategory::kStream,
                   .key_spec_flags = {kRO | kAccess},
                   .summary = "List the consumer groups of a stream",
                   .since = "5.0.0",
                   .group = "stream",
                   .complexity = "O(1)",
                   .history = {{"7.0.0", "Added the `entries-read` and `lag` fields"}},
                   .arguments = {ArgKey("key", 0)}},
                  {.name = "xinfo|consumers",
                   .arity = 4,
                   .flags = kReadonly,
                   .first_key = 2,
                   .last_key = 2,
                   .step = 1,
                   .handler = CmdXinfoConsumers,
                   .acl_categories = AclCategory::kStream,
                   .key_spec_flags = {kRO | kAccess},
                   .tips = {"nondeterministic_output"},
                   .summary = "List the consumers in a consumer group",
                   .since = "5.0.0",
                   .group = "stream",
                   .complexity = "O(1)",
                   .arguments = {ArgKey("key", 0), ArgString("groupname")}},
                  {.name = "xinfo|help",
                   .arity = 2,
                   .flags = kLoading | kStale,
                   .handler = CmdXinfoHelp,
                   .acl_categories = AclCategory::kStream,
                   .summary = "Show helpful text about the different subcommands",
                   .since = "5.0.0",
                   .group = "stream",
                   .complexity = "O(1)"}}});
}

}  // namespace stashd::server
