// The sorted set commands: ZADD ZINCRBY ZSCORE ZMSCORE ZREM ZCARD ZCOUNT
// ZLEXCOUNT ZRANK ZREVRANK ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE
// ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP
// ZRANDMEMBER ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZUNION ZINTER
// ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN.
//
// Reads look the key up with Keyspace::Find; every change to a sorted set
// goes through Keyspace::Write and records what it changed with ZSetObject's
// two delta ops (kAdd with the resulting scores, kRemove with the members
// removed), so the log never holds a command whose effect depends on chance
// or arithmetic. The *STORE commands build the destination whole and store
// it with StoreCollection (Keyspace::StoreObject), which logs it whole.
//
// Every range command (by rank, score or lex, either way, with LIMIT) turns
// its range into an interval of ranks and walks it (ZSetObject::ForRange):
// O(log n + m), never from the start of the set.
//
// Arguments are checked in the order Redis 7.0 checks them (t_zset.c),
// because that order decides which error (or empty reply) a client sees.
#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
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
#include "server/exec/blocking.h"
#include "server/exec/command.h"
#include "store/glob.h"
#include "store/keyspace.h"
#include "store/string_hash.h"
#include "store/string_ops.h"
#include "store/types/zset.h"

namespace stashd::server {
namespace {

using store::Keyspace;
using store::KeyWriter;
using store::ValueType;
using store::ZSetObject;

// ---- Shared pieces ----

// The sorted set at `key` for a read command (counted in keyspace
// hits/misses): nullptr if the key is missing. Sets *wrong_type (and replies
// WRONGTYPE) if it holds another type.
const ZSetObject* ReadZSet(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return ReadCollection<ZSetObject>(ctx, key, store::ValueType::kZSet, wrong_type);
}

// Opens `key` for writing as a sorted set; replies WRONGTYPE and returns
// false if it holds another type (or, with kFail, false without a reply if
// missing).
KeyWriter WriteZSet(CommandContext& ctx, std::string_view key, Keyspace::Missing missing) {
  return ctx.keyspace.Write(ctx.db(), key, ValueType::kZSet, missing);
}
bool OpenZSet(CommandContext& ctx, const KeyWriter& w) { return OpenCollection(ctx, w); }

// Redis's getLongFromObjectOrReply.
std::optional<int64_t> ParseLong(CommandContext& ctx, std::string_view s) {
  std::optional<int64_t> v = store::ParseInt64(s);
  if (!v) ctx.reply.Error(errors::kNotInteger);
  return v;
}

// Replies (member, score) pairs as Redis's zrange result handler does: a
// flat array in RESP2, an array of [member, score] pairs in RESP3.
class RangeReply {
 public:
  RangeReply(protocol::ReplyBuilder& reply, bool with_scores)
      : reply_(reply), with_scores_(with_scores) {}
  void Begin(size_t n) { reply_.ArrayLen(with_scores_ && !reply_.resp3() ? 2 * n : n); }
  void Add(std::string_view member, double score) {
    if (!with_scores_) return reply_.Bulk(member);
    if (reply_.resp3()) reply_.ArrayLen(2);
    reply_.Bulk(member);
    reply_.Double(score);
  }

 private:
  protocol::ReplyBuilder& reply_;
  bool with_scores_;
};

// ---- ZADD ZINCRBY ----

struct AddFlags {
  bool nx = false;
  bool xx = false;
  bool gt = false;
  bool lt = false;
  bool ch = false;
  bool incr = false;
};

// Redis's zaddGenericCommand: (score, member) pairs from args[first] on.
void ZaddGeneric(CommandContext& ctx, size_t first, AddFlags f) {
  const size_t elements = ctx.args.size() - first;
  if (elements == 0 || elements % 2 != 0) return ctx.reply.Error(errors::kSyntax);
  if (f.nx && f.xx) return ctx.reply.Error(errors::kZaddXxAndNx);
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    return ctx.reply.Error(errors::kZaddGtLtNx);
  }
  if (f.incr && elements > 2) return ctx.reply.Error(errors::kZaddIncrOnePair);
  std::vector<double> scores;
  scores.reserve(elements / 2);
  for (size_t i = first; i < ctx.args.size(); i += 2) {
    std::optional<double> score = store::ParseDouble(ctx.args[i]);
    if (!score) return ctx.reply.Error(errors::kNotFloat);
    scores.push_back(*score);
  }
  const std::string& key = ctx.args[1];
  KeyWriter w = WriteZSet(ctx, key, f.xx ? Keyspace::Missing::kFail : Keyspace::Missing::kCreate);
  if (!OpenZSet(ctx, w)) {
    if (w.status() != KeyWriter::Status::kMissing) return;
    // XX on a missing key: nothing to update.
    return f.incr ? ctx.reply.Null() : ctx.reply.Integer(0);
  }
  auto& z = w.As<ZSetObject>();
  if (w.created()) {
    // Redis picks the new key's encoding from the command's size and
    // longest member (zsetTypeCreate).
    size_t longest = 0;
    for (size_t i = first + 1; i < ctx.args.size(); i += 2) {
      longest = std::max(longest, ctx.args[i].size());
    }
    if (scores.size() > ZSetObject::MaxCompactEntries() ||
        longest > ZSetObject::MaxCompactValue()) {
      z.UseSkipList();
    }
  }
  // Only a key whose scope limits sizes pays for counting the new members.
  if (!f.xx && ctx.keyspace.ValueTooLarge(key, SIZE_MAX) != nullptr) {
    size_t payload = z.PayloadBytes();
    absl::flat_hash_set<std::string_view, store::StringViewHash, store::StringViewEq> fresh;
    for (size_t i = first + 1; i < ctx.args.size(); i += 2) {
      if (!z.Score(ctx.args[i]) && fresh.insert(ctx.args[i]).second) {
        payload += ZSetObject::EntryPayload(ctx.args[i]);
      }
    }
    if (!w.Fits(payload)) {
      return ReplyScopeValueTooLarge(ctx.reply, *ctx.keyspace.ValueTooLarge(key, SIZE_MAX));
    }
  }
  int64_t added = 0, updated = 0;
  bool processed = false;
  double new_score = 0;
  std::vector<std::string> texts;  // the recorded scores
  std::vector<std::string_view> record;
  for (size_t j = 0; j < scores.size(); ++j) {
    const std::string& member = ctx.args[first + 2 * j + 1];
    double score = scores[j];
    if (std::optional<double> current = z.Score(member)) {
      if (f.nx) continue;
      if (f.incr) {
        score += *current;
        if (std::isnan(score)) return ctx.reply.Error(errors::kScoreNaN);
      }
      if ((f.lt && score >= *current) || (f.gt && score <= *current)) continue;
      processed = true;
      new_score = score;
      if (score == *current) continue;
      z.Set(member, score);
      ++updated;
    } else {
      if (f.xx) continue;
      processed = true;
      new_score = score;
      z.Set(member, score);
      ++added;
    }
    texts.push_back(store::FormatDouble(score));
    record.push_back(member);
  }
  if (!record.empty()) {
    std::vector<std::string_view> pairs;
    pairs.reserve(2 * record.size());
    for (size_t i = 0; i < record.size(); ++i) {
      pairs.push_back(record[i]);
      pairs.push_back(texts[i]);
    }
    w.Record(ZSetObject::kAdd, pairs);
    w.Notify({kNotifyZset, f.incr ? "zincr" : "zadd"});
  }
  if (f.incr) return processed ? ctx.reply.Double(new_score) : ctx.reply.Null();
  ctx.reply.Integer(f.ch ? added + updated : added);
}

void CmdZadd(CommandContext& ctx) {
  AddFlags f;
  size_t i = 2;
  for (; i < ctx.args.size(); ++i) {
    const std::string& opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "nx")) {
      f.nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      f.xx = true;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      f.ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      f.incr = true;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      f.gt = true;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      f.lt = true;
    } else {
      break;
    }
  }
  ZaddGeneric(ctx, i, f);
}

void CmdZincrby(CommandContext& ctx) { ZaddGeneric(ctx, 2, AddFlags{.incr = true}); }

// ---- ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ----

void CmdZrem(CommandContext& ctx) {
  KeyWriter w = WriteZSet(ctx, ctx.args[1], Keyspace::Missing::kFail);
  if (!OpenZSet(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Integer(0);
    return;
  }
  auto& z = w.As<ZSetObject>();
  std::vector<std::string_view> removed;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (z.Remove(ctx.args[i])) removed.emplace_back(ctx.args[i]);
  }
  if (!removed.empty()) w.Record(ZSetObject::kRemove, removed);
  w.Notify({kNotifyZset, "zrem"});
  ctx.reply.Integer(static_cast<int64_t>(removed.size()));
}

void CmdZcard(CommandContext& ctx) {
  bool wrong_type;
  const ZSetObject* z = ReadZSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(z ? static_cast<int64_t>(z->Size()) : 0);
}

void CmdZscore(CommandContext& ctx) {
  bool wrong_type;
  const ZSetObject* z = ReadZSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  std::optional<double> score = z ? z->Score(ctx.args[2]) : std::nullopt;
  if (score) return ctx.reply.Double(*score);
  ctx.reply.Null();
}

void CmdZmscore(CommandContext& ctx) {
  bool wrong_type;
  const ZSetObject* z = ReadZSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.ArrayLen(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<double> score = z ? z->Score(ctx.args[i]) : std::nullopt;
    if (score) {
      ctx.reply.Double(*score);
    } else {
      ctx.reply.Null();
    }
  }
}

template <bool kReverse>
void CmdZrank(CommandContext& ctx) {
  bool wrong_type;
  const ZSetObject* z = ReadZSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  std::optional<size_t> rank = z ? z->Rank(ctx.args[2]) : std::nullopt;
  if (!rank) return ctx.reply.Null();
  ctx.reply.Integer(static_cast<int64_t>(kReverse ? z->Size() - 1 - *rank : *rank));
}

// ---- ZCOUNT ZLEXCOUNT ----

template <typename Range>
void CountInRange(CommandContext& ctx, const Range& range) {
  bool wrong_type;
  const ZSetObject* z = ReadZSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  if (z == nullptr) return ctx.reply.Integer(0);
  auto [first, end] = z->RanksOf(range);
  ctx.reply.Integer(end > first ? static_cast<int64_t>(end - first) : 0);
}

void CmdZcount(CommandContext& ctx) {
  store::ScoreRange range;
  if (!store::ParseScoreRange(ctx.args[2], ctx.args[3], &range)) {
    return ctx.reply.Error(errors::kMinMaxNotFloat);
  }
  CountInRange(ctx, range);
}

void CmdZlexcount(CommandContext& ctx) {
  store::LexRange range;
  if (!store::ParseLexRange(ctx.args[2], ctx.args[3], &range)) {
    return ctx.reply.Error(errors::kMinMaxNotLex);
  }
  CountInRange(ctx, range);
}

// ---- ZRANGE and its forms, ZRANGESTORE ----

enum class RangeType : uint8_t { kAuto, kRank, kScore, kLex };
enum class Direction : uint8_t { kAuto, kForward, kReverse };

// An interval of ranks to walk: `count` members from rank `first` up, or
// from rank `last` down when `reverse`.
struct RankWalk {
  size_t first = 0;
  size_t count = 0;
  bool reverse = false;
  void ForEach(const ZSetObject& z, absl::FunctionRef<void(std::string_view, double)> fn) const {
    if (count == 0) return;
    z.ForRange(first, first + count - 1, reverse, [&](std::string_view m, double s) {
      fn(m, s);
      return true;
    });
  }
};

// Z[REV]RANGE start stop: Redis's index math.
RankWalk WalkByRank(const ZSetObject& z, int64_t start, int64_t end, bool reverse) {
  const auto llen = static_cast<int64_t>(z.Size());
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return {};
  if (end >= llen) end = llen - 1;
  RankWalk walk;
  walk.count = static_cast<size_t>(end - start + 1);
  walk.reverse = reverse;
  walk.first = static_cast<size_t>(reverse ? llen - 1 - end : start);
  return walk;
}

// The ranks [lo, hi) of a score or lex range, after LIMIT offset count: a
// negative offset skips everything and a negative count takes all, as the
// loops of Redis's genericZrangebyscoreCommand do.
RankWalk WalkInterval(std::pair<size_t, size_t> ranks, int64_t offset, int64_t limit,
                      bool reverse) {
  auto [lo, hi] = ranks;
  if (hi <= lo || offset < 0) return {};
  const size_t in_range = hi - lo;
  if (static_cast<uint64_t>(offset) >= in_range) return {};
  size_t n = in_range - static_cast<size_t>(offset);
  if (limit >= 0) n = std::min(n, static_cast<size_t>(limit));
  RankWalk walk;
  walk.count = n;
  walk.reverse = reverse;
  walk.first = reverse ? hi - static_cast<size_t>(offset) - n : lo + static_cast<size_t>(offset);
  return walk;
}

// Redis's zrangeGenericCommand: the source key at args[src], then min and
// max, then options. `store`: ZRANGESTORE, writing to args[1].
void ZrangeGeneric(CommandContext& ctx, size_t src, bool store, RangeType type,
                   Direction direction) {
  bool with_scores = false;
  int64_t offset = 0, limit = -1;
  bool has_limit = false;
  for (size_t j = src + 3; j < ctx.args.size(); ++j) {
    const std::string& opt = ctx.args[j];
    const size_t left = ctx.args.size() - j - 1;
    if (!store && EqualsIgnoreCase(opt, "withscores")) {
      with_scores = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      std::optional<int64_t> o = ParseLong(ctx, ctx.args[j + 1]);
      if (!o) return;
      std::optional<int64_t> l = ParseLong(ctx, ctx.args[j + 2]);
      if (!l) return;
      offset = *o;
      limit = *l;
      has_limit = true;
      j += 2;
    } else if (direction == Direction::kAuto && EqualsIgnoreCase(opt, "rev")) {
      direction = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(opt, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(opt, "byscore")) {
      type = RangeType::kScore;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (direction == Direction::kAuto) direction = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  // Redis tests the limit against -1, its "not given" value.
  if ((has_limit && limit != -1) && type == RangeType::kRank) {
    return ctx.reply.Error(errors::kLimitNeedsByScoreOrLex);
  }
  if (with_scores && type == RangeType::kLex) return ctx.reply.Error(errors::kWithscoresWithBylex);
  const bool reverse = direction == Direction::kReverse;
  std::string_view min = ctx.args[src + 1], max = ctx.args[src + 2];
  // BYSCORE and BYLEX ranges are given as max min when reversed.
  if (reverse && type != RangeType::kRank) std::swap(min, max);

  int64_t start = 0, end = 0;
  store::ScoreRange score_range;
  store::LexRange lex_range;
  switch (type) {
    case RangeType::kScore:
      if (!store::ParseScoreRange(min, max, &score_range)) {
        return ctx.reply.Error(errors::kMinMaxNotFloat);
      }
      break;
    case RangeType::kLex:
      if (!store::ParseLexRange(min, max, &lex_range)) {
        return ctx.reply.Error(errors::kMinMaxNotLex);
      }
      break;
    default: {
      std::optional<int64_t> s = ParseLong(ctx, min);
      if (!s) return;
      std::optional<int64_t> e = ParseLong(ctx, max);
      if (!e) return;
      start = *s;
      end = *e;
    }
  }

  bool wrong_type;
  const ZSetObject* z = ReadZSet(ctx, ctx.args[src], &wrong_type);
  if (wrong_type) return;
  if (z == nullptr) {
    if (store)
      return StoreCollection(ctx, ctx.args[1], new ZSetObject(), {kNotifyZset, "zrangestore"});
    return ctx.reply.ArrayLen(0);
  }
  RankWalk walk;
  switch (type) {
    case RangeType::kScore:
      walk = WalkInterval(z->RanksOf(score_range), offset, limit, reverse);
      break;
    case RangeType::kLex:
      walk = WalkInterval(z->RanksOf(lex_range), offset, limit, reverse);
      break;
    default:
      walk = WalkByRank(*z, start, end, reverse);
  }
  if (store) {
    auto* result = new ZSetObject();
    // Redis sizes the destination from a rank range's length.
    if (type == RangeType::kRank && walk.count > ZSetObject::MaxCompactEntries()) {
      result->UseSkipList();
    }
    walk.ForEach(*z, [&](std::string_view m, double s) { result->Set(m, s); });
    return StoreCollection(ctx, ctx.args[1], result, {kNotifyZset, "zrangestore"});
  }
  RangeReply out(ctx.reply, with_scores);
  out.Begin(walk.count);
  walk.ForEach(*z, [&](std::string_view m, double s) { out.Add(m, s); });
}

void CmdZrange(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto);
}
void CmdZrangestore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto);
}
void CmdZrevrange(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse);
}
void CmdZrangebyscore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
void CmdZrevrangebyscore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
void CmdZrangebylex(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward);
}
void CmdZrevrangebylex(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

// ---- ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ----

template <RangeType kType>
void CmdZremrange(CommandContext& ctx) {
  int64_t start = 0, end = 0;
  store::ScoreRange score_range;
  store::LexRange lex_range;
  if (kType == RangeType::kRank) {
    std::optional<int64_t> s = ParseLong(ctx, ctx.args[2]);
    if (!s) return;
    std::optional<int64_t> e = ParseLong(ctx, ctx.args[3]);
    if (!e) return;
    start = *s;
    end = *e;
  } else if (kType == RangeType::kScore) {
    if (!store::ParseScoreRange(ctx.args[2], ctx.args[3], &score_range)) {
      return ctx.reply.Error(errors::kMinMaxNotFloat);
    }
  } else if (!store::ParseLexRange(ctx.args[2], ctx.args[3], &lex_range)) {
    return ctx.reply.Error(errors::kMinMaxNotLex);
  }
  KeyWriter w = WriteZSet(ctx, ctx.args[1], Keyspace::Missing::kFail);
  if (!OpenZSet(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.Integer(0);
    return;
  }
  auto& z = w.As<ZSetObject>();
  RankWalk walk;
  if (kType == RangeType::kRank) {
    walk = WalkByRank(z, start, end, false);
  } else if (kType == RangeType::kScore) {
    walk = WalkInterval(z.RanksOf(score_range), 0, -1, false);
  } else {
    walk = WalkInterval(z.RanksOf(lex_range), 0, -1, false);
  }
  if (walk.count == 0) return ctx.reply.Integer(0);
  // The members go into the log record: copies, as removing frees them.
  std::vector<std::string> removed;
  removed.reserve(walk.count);
  z.RemoveRange(walk.first, walk.first + walk.count - 1,
                [&](std::string_view m) { removed.emplace_back(m); });
  std::vector<std::string_view> views(removed.begin(), removed.end());
  w.Record(ZSetObject::kRemove, views);
  w.Notify({kNotifyZset, kType == RangeType::kRank    ? "zremrangebyrank"
                         : kType == RangeType::kScore ? "zremrangebyscore"
                                                      : "zremrangebylex"});
  ctx.reply.Integer(static_cast<int64_t>(removed.size()));
}

// ---- ZPOPMIN ZPOPMAX ZMPOP ----

// How a pop replies (Redis's genericZpopCommand): ZPOPMIN's flat
// [member, score, ...] (kNested: pairs, RESP3 with a count), BZPOPMIN's
// [key, member, score], ZMPOP's [key, [[member, score], ...]].
enum class PopReply : uint8_t { kFlat, kNested, kKeyFlat, kKeyNested };

// Pops up to `count` members from the lowest (or highest, `max`) end of the
// sorted set at `key`; an empty array if it is missing.
void PopGeneric(CommandContext& ctx, const std::string& key, bool max, int64_t count,
                PopReply shape) {
  KeyWriter w = WriteZSet(ctx, key, Keyspace::Missing::kFail);
  if (!OpenZSet(ctx, w)) {
    if (w.status() == KeyWriter::Status::kMissing) ctx.reply.ArrayLen(0);
    return;
  }
  if (count == 0) return ctx.reply.ArrayLen(0);
  auto& z = w.As<ZSetObject>();
  const size_t n = std::min(z.Size(), static_cast<size_t>(count));
  const size_t first = max ? z.Size() - n : 0;
  // Copies: the members go into the log record after they are freed.
  std::vector<std::pair<std::string, double>> popped;
  popped.reserve(n);
  z.ForRange(first, first + n - 1, max, [&](std::string_view m, double s) {
    popped.emplace_back(std::string(m), s);
    return true;
  });
  z.RemoveRange(first, first + n - 1, [](std::string_view) {});
  std::vector<std::string_view> members;
  members.reserve(n);
  for (const auto& p : popped) members.emplace_back(p.first);
  w.Record(ZSetObject::kRemove, members);
  w.Notify({kNotifyZset, max ? "zpopmax" : "zpopmin"});
  const bool nested = shape == PopReply::kNested || shape == PopReply::kKeyNested;
  if (shape == PopReply::kKeyNested) {
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(key);
  }
  if (shape == PopReply::kKeyFlat) {
    ctx.reply.ArrayLen(2 * n + 1);
    ctx.reply.Bulk(key);
  } else {
    ctx.reply.ArrayLen(nested ? n : 2 * n);
  }
  for (const auto& [m, s] : popped) {
    if (nested) ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(m);
    ctx.reply.Double(s);
  }
}

template <bool kMax>
void CmdZpop(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.reply.Error(errors::kSyntax);
  int64_t count = 1;
  if (ctx.args.size() == 3) {
    // Redis's getPositiveLongFromObjectOrReply: one error for both.
    std::optional<int64_t> c = store::ParseInt64(ctx.args[2]);
    if (!c || *c < 0) return ctx.reply.Error(errors::kMustBePositive);
    count = *c;  // 0: an empty array, once the key's type is checked
  }
  const bool nested = ctx.reply.resp3() && ctx.args.size() == 3;
  PopGeneric(ctx, ctx.args[1], kMax, count, nested ? PopReply::kNested : PopReply::kFlat);
}

// Redis's blockingGenericZpopCommand without blocking: pops from the first
// of `keys` that exists (WRONGTYPE if it is not a sorted set). False if
// none exists (nothing replied).
bool PopFirst(CommandContext& ctx, std::span<const std::string> keys, bool max, int64_t count,
              PopReply shape) {
  for (const std::string& key : keys) {
    if (SkipWhileServing(ctx, key)) continue;
    auto v = ctx.keyspace.Find(ctx.db(), key);
    if (!v) continue;
    if (v->type != ValueType::kZSet) {
      ctx.reply.Error(errors::kWrongType);
      return true;
    }
    PopGeneric(ctx, key, max, count, shape);
    return true;
  }
  return false;
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score], else
// blocks.
template <bool kMax>
void CmdBzpop(CommandContext& ctx) {
  int64_t deadline;
  if (!ParseBlockTimeout(ctx, ctx.args.back(), false, &deadline)) return;
  std::span<const std::string> keys(ctx.args.data() + 1, ctx.args.size() - 2);
  if (PopFirst(ctx, keys, kMax, 1, PopReply::kKeyFlat)) return;
  BlockOrTimeout(ctx, std::vector<std::string>(keys.begin(), keys.end()), deadline,
                 ValueType::kZSet, TimeoutReply::kNullArray);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP timeout
// numkeys ... (kBlocking; its timeout is checked last, as in Redis).
template <bool kBlocking>
void CmdZmpop(CommandContext& ctx) {
  const int64_t numkeys_at = kBlocking ? 2 : 1;
  std::optional<int64_t> numkeys = store::ParseInt64(ctx.args[numkeys_at]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error(errors::kNumkeysNotPositive);
  const auto argc = static_cast<int64_t>(ctx.args.size());
  const int64_t where_idx = numkeys_at + *numkeys + 1;
  if (*numkeys >= argc || where_idx >= argc) return ctx.reply.Error(errors::kSyntax);
  bool max;
  if (EqualsIgnoreCase(ctx.args[where_idx], "min")) {
    max = false;
  } else if (EqualsIgnoreCase(ctx.args[where_idx], "max")) {
    max = true;
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  int64_t count = -1;
  for (int64_t j = where_idx + 1; j < argc; ++j) {
    if (count == -1 && EqualsIgnoreCase(ctx.args[j], "count") && j + 1 < argc) {
      std::optional<int64_t> c = store::ParseInt64(ctx.args[++j]);
      if (!c || *c < 1) return ctx.reply.Error(errors::kCountNotPositive);
      count = *c;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (count == -1) count = 1;
  int64_t deadline = 0;
  if (kBlocking && !ParseBlockTimeout(ctx, ctx.args[1], false, &deadline)) return;
  std::span<const std::string> keys(ctx.args.data() + numkeys_at + 1,
                                    static_cast<size_t>(*numkeys));
  if (PopFirst(ctx, keys, max, count, PopReply::kKeyNested)) return;
  if (!kBlocking) return ctx.reply.NullArray();
  BlockOrTimeout(ctx, std::vector<std::string>(keys.begin(), keys.end()), deadline,
                 ValueType::kZSet, TimeoutReply::kNullArray);
}

// ---- ZRANDMEMBER ----

std::mt19937_64& Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// ZRANDMEMBER key [count [WITHSCORES]]
void CmdZrandmember(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  if (argc == 2) {
    bool wrong_type;
    const ZSetObject* z = ReadZSet(ctx, ctx.args[1], &wrong_type);
    if (wrong_type) return;
    if (z == nullptr) return ctx.reply.Null();
    const size_t rank = Random()() % z->Size();
    z->ForRange(rank, rank, false, [&](std::string_view m, double) {
      ctx.reply.Bulk(m);
      return true;
    });
    return;
  }
  std::optional<int64_t> count = store::ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(errors::kNotInteger);
  if (*count == INT64_MIN) {
    const std::string bound = std::to_string(INT64_MAX);
    return ctx.reply.Error(errors::Format(errors::kOutOfRangeBetween, {"-" + bound, bound}));
  }
  const bool with_scores = argc == 4 && EqualsIgnoreCase(ctx.args[3], "withscores");
  if (argc > 4 || (argc == 4 && !with_scores)) return ctx.reply.Error(errors::kSyntax);
  // Redis refuses what would overflow its reply length with scores.
  if (with_scores && (*count < -(INT64_MAX / 2) || *count > INT64_MAX / 2)) {
    return ctx.reply.Error(errors::kOutOfRange);
  }
  bool wrong_type;
  const ZSetObject* z = ReadZSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  if (z == nullptr || *count == 0) return ctx.reply.ArrayLen(0);
  RangeReply out(ctx.reply, with_scores);
  auto reply_rank = [&](size_t rank) {
    z->ForRange(rank, rank, false, [&](std::string_view m, double s) {
      out.Add(m, s);
      return true;
    });
  };
  const size_t size = z->Size();
  if (*count < 0) {
    // Repeats allowed: -count picks, each uniform.
    const auto n = static_cast<size_t>(-*count);
    out.Begin(n);
    for (size_t i = 0; i < n; ++i) reply_rank(Random()() % size);
    return;
  }
  if (static_cast<uint64_t>(*count) >= size) {
    // The whole set, highest first (as Redis 7.0 answers it).
    out.Begin(size);
    z->ForRange(0, size - 1, true, [&](std::string_view m, double s) {
      out.Add(m, s);
      return true;
    });
    return;
  }
  // Distinct members: the first n ranks of a partial shuffle.
  const auto n = static_cast<size_t>(*count);
  absl::flat_hash_map<size_t, size_t> swapped;  // sparse Fisher-Yates
  auto at = [&](size_t i) {
    auto it = swapped.find(i);
    return it == swapped.end() ? i : it->second;
  };
  out.Begin(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t j = i + Random()() % (size - i);
    const size_t pick = at(j);
    swapped[j] = at(i);
    reply_rank(pick);
  }
}

// ---- ZUNION ZINTER ZDIFF, their STORE forms, ZINTERCARD ----

enum class SetOp : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };

// An input of a set operation: a sorted set, or a set whose members all
// score 1, or missing (empty).
struct Source {
  const store::Object* object = nullptr;
  double weight = 1;
  size_t size() const { return object ? object->Size() : 0; }
  const ZSetObject* zset() const {
    return object && object->type() == ValueType::kZSet ? static_cast<const ZSetObject*>(object)
                                                        : nullptr;
  }
  void ForEach(absl::FunctionRef<void(std::string_view, double)> fn) const {
    if (object == nullptr) return;
    const bool is_zset = zset() != nullptr;
    object->ForEachElement(
        [&](const store::ElementView& e) { fn(e.member, is_zset ? e.score : 1.0); });
  }
};

// Membership and score lookups into a Source: direct for a sorted set,
// through an index built once for a set.
class SourceLookup {
 public:
  explicit SourceLookup(const Source& s) : source_(s) {
    if (s.object != nullptr && s.zset() == nullptr) {
      s.ForEach([&](std::string_view m, double) { members_.insert(m); });
    }
  }
  std::optional<double> Score(std::string_view member) const {
    if (const ZSetObject* z = source_.zset()) return z->Score(member);
    if (members_.contains(member)) return 1.0;
    return std::nullopt;
  }

 private:
  const Source& source_;
  absl::flat_hash_set<std::string_view, store::StringViewHash, store::StringViewEq> members_;
};

// Redis's zunionInterAggregate: inf + -inf sums to 0, not NaN.
void AggregateInto(double* target, double value, Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

double Weighted(double score, double weight) {
  const double v = score * weight;
  return std::isnan(v) ? 0 : v;  // 0 * inf
}

// Redis's zunionInterDiffGenericCommand: numkeys at args[numkeys_idx], the
// keys after it, then WEIGHTS / AGGREGATE / WITHSCORES / LIMIT as the
// command allows. `dst`: the *STORE forms. `card_only`: ZINTERCARD.
void SetOpGeneric(CommandContext& ctx, size_t numkeys_idx, bool has_dst, SetOp op, bool card_only) {
  const std::string& name = ctx.args[0];
  std::optional<int64_t> numkeys = ParseLong(ctx, ctx.args[numkeys_idx]);
  if (!numkeys) return;
  if (*numkeys < 1) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ctx.reply.Error(errors::Format(errors::kNeedInputKey, {lower}));
  }
  const size_t argc = ctx.args.size();
  if (static_cast<uint64_t>(*numkeys) > argc - (numkeys_idx + 1)) {
    return ctx.reply.Error(errors::kSyntax);
  }
  const auto n = static_cast<size_t>(*numkeys);
  std::vector<Source> sources(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string& key = ctx.args[numkeys_idx + 1 + i];
    auto v = ctx.keyspace.Find(ctx.db(), key, Keyspace::Lookup::kRead);
    if (!v) continue;
    if (v->type != ValueType::kZSet && v->type != ValueType::kSet) {
      return ctx.reply.Error(errors::kWrongType);
    }
    sources[i].object = v->object;
  }
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;
  for (size_t j = numkeys_idx + 1 + n; j < argc;) {
    const size_t remaining = argc - j;
    const std::string& opt = ctx.args[j];
    if (op != SetOp::kDiff && !card_only && remaining >= n + 1 &&
        EqualsIgnoreCase(opt, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        std::optional<double> w = store::ParseDouble(ctx.args[j]);
        if (!w) return ctx.reply.Error(errors::kWeightNotFloat);
        sources[i].weight = *w;
      }
    } else if (op != SetOp::kDiff && !card_only && remaining >= 2 &&
               EqualsIgnoreCase(opt, "aggregate")) {
      const std::string& how = ctx.args[j + 1];
      if (EqualsIgnoreCase(how, "sum")) {
        aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(how, "min")) {
        aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(how, "max")) {
        aggregate = Aggregate::kMax;
      } else {
        return ctx.reply.Error(errors::kSyntax);
      }
      j += 2;
    } else if (!has_dst && !card_only && EqualsIgnoreCase(opt, "withscores")) {
      with_scores = true;
      ++j;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      std::optional<int64_t> l = store::ParseInt64(ctx.args[j + 1]);
      if (!l || *l < 0) return ctx.reply.Error(errors::kLimitNegative);
      limit = *l;
      j += 2;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }

  // The result, member -> score (views into the sources, which no one
  // changes before the result is stored or replied).
  absl::flat_hash_map<std::string_view, double, store::StringViewHash, store::StringViewEq> result;
  // Smallest input first, as Redis sorts them (by cardinality, ties in
  // argument order): the order in which scores aggregate decides what
  // inf + -inf and min(0, -0) give.
  if (op != SetOp::kDiff) {
    std::stable_sort(sources.begin(), sources.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  if (op == SetOp::kUnion) {
    size_t largest = 0;
    for (const Source& s : sources) largest = std::max(largest, s.size());
    result.reserve(largest);
    for (const Source& s : sources) {
      s.ForEach([&](std::string_view m, double score) {
        const double v = Weighted(score, s.weight);
        auto [it, inserted] = result.try_emplace(m, v);
        if (!inserted) AggregateInto(&it->second, v, aggregate);
      });
    }
  } else if (op == SetOp::kInter) {
    // Walk the smallest input, probe the others.
    const size_t smallest = 0;
    if (sources[smallest].size() > 0) {
      std::vector<SourceLookup> lookups;
      lookups.reserve(n);
      for (const Source& s : sources) lookups.emplace_back(s);
      int64_t cardinality = 0;
      bool done = false;
      sources[smallest].ForEach([&](std::string_view m, double score) {
        if (done) return;
        double v = Weighted(score, sources[smallest].weight);
        for (size_t i = 0; i < n; ++i) {
          if (i == smallest) continue;
          std::optional<double> other = lookups[i].Score(m);
          if (!other) return;
          // Unlike the first input's, these products are not cleaned of
          // NaN (0 * inf) in Redis: a sum turns it into 0, min and max
          // ignore it.
          AggregateInto(&v, *other * sources[i].weight, aggregate);
        }
        if (card_only) {
          done = ++cardinality == limit;
          return;
        }
        result.emplace(m, v);
      });
      if (card_only) return ctx.reply.Integer(cardinality);
    }
  } else {
    std::vector<SourceLookup> lookups;
    lookups.reserve(n);
    for (const Source& s : sources) lookups.emplace_back(s);
    sources[0].ForEach([&](std::string_view m, double score) {
      for (size_t i = 1; i < n; ++i) {
        if (lookups[i].Score(m)) return;
      }
      result.emplace(m, score);
    });
  }
  if (card_only) return ctx.reply.Integer(0);

  // Built as a skip list, then compacted if it fits, as Redis builds it:
  // a -0 survives only in the skip list encoding (see ZSetObject::Set).
  auto* out = new ZSetObject();
  out->UseSkipList();
  for (const auto& [m, score] : result) out->Set(m, score);
  if (has_dst) {
    out->CompactIfFits();
    return StoreCollection(ctx, ctx.args[1], out,
                           {kNotifyZset, op == SetOp::kUnion   ? "zunionstore"
                                         : op == SetOp::kInter ? "zinterstore"
                                                               : "zdiffstore"});
  }
  RangeReply reply(ctx.reply, with_scores);
  reply.Begin(out->Size());
  out->ForEachElement([&](const store::ElementView& e) { reply.Add(e.member, e.score); });
  out->Unref();
}

void CmdZunion(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kUnion, false); }
void CmdZinter(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kInter, false); }
void CmdZdiff(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kDiff, false); }
void CmdZunionstore(CommandContext& ctx) { SetOpGeneric(ctx, 2, true, SetOp::kUnion, false); }
void CmdZinterstore(CommandContext& ctx) { SetOpGeneric(ctx, 2, true, SetOp::kInter, false); }
void CmdZdiffstore(CommandContext& ctx) { SetOpGeneric(ctx, 2, true, SetOp::kDiff, false); }
void CmdZintercard(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kInter, true); }

// ---- ZSCAN ----

// ZSCAN key cursor [MATCH pattern] [COUNT count], member and score pairs
// (the score as ZSCORE formats it). The compact encoding is returned whole
// with cursor 0, as Redis returns a listpack; the skip list encoding is
// walked with a real cursor over its member index (ZSetObject::Scan), about
// COUNT members at a time.
void CmdZscan(CommandContext& ctx) {
  ScanCollection<ZSetObject>(ctx, store::ValueType::kZSet,
                             [](const ZSetObject& z, uint64_t cursor, size_t count, ScanEmit emit) {
                               return z.Scan(cursor, count,
                                             [&](std::string_view member, double score) {
                                               emit(member, store::FormatDouble(score));
                                             });
                             });
}

}  // namespace

void RegisterZSetFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  r.Register(
      {.name = "zadd",
       .arity = -4,
       .flags = kWrite | kDenyOom | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZadd,
       .acl_categories = AclCategory::kSortedSet,
       .key_spec_flags = {kRW | kUpdate},
       .summary =
           "Add one or more members to a sorted set, or update its score if it already exists",
       .since = "1.2.0",
       .group = "sorted-set",
       .complexity =
           "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
       .history = {{"2.4.0", "Accepts multiple elements."},
                   {"3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."},
                   {"6.2.0", "Added the `GT` and `LT` options."}},
       .arguments = {
           ArgKey("key", 0),
           ArgOneOf("condition", {ArgToken("nx", "NX"), ArgToken("xx", "XX")})
               .Since("3.0.2")
               .Optional(),
           ArgOneOf("comparison", {ArgToken("gt", "GT"), ArgToken("lt", "LT")})
               .Since("6.2.0")
               .Optional(),
           ArgToken("change", "CH").Since("3.0.2").Optional(),
           ArgToken("increment", "INCR").Since("3.0.2").Optional(),
           ArgBlock("score_member", {ArgDouble("score"), ArgString("member")}).Multiple()}});
  r.Register({.name = "zincrby",
              .arity = 4,
              .flags = kWrite | kDenyOom | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZincrby,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kAccess | kUpdate},
              .summary = "Increment the score of a member in a sorted set",
              .since = "1.2.0",
              .group = "sorted-set",
              .complexity = "O(log(N)) where N is the number of elements in the sorted set.",
              .arguments = {ArgKey("key", 0), ArgInteger("increment"), ArgString("member")}});
  r.Register({.name = "zscore",
              .arity = 3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZscore,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get the score associated with the given member in a sorted set",
              .since = "1.2.0",
              .group = "sorted-set",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0), ArgString("member")}});
  r.Register({.name = "zmscore",
              .arity = -3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZmscore,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Get the score associated with the given members in a sorted set",
              .since = "6.2.0",
              .group = "sorted-set",
              .complexity = "O(N) where N is the number of members being requested.",
              .arguments = {ArgKey("key", 0), ArgString("member").Multiple()}});
  r.Register({.name = "zrem",
              .arity = -3,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZrem,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kDelete},
              .summary = "Remove one or more members from a sorted set",
              .since = "1.2.0",
              .group = "sorted-set",
              .complexity = "O(M*log(N)) with N being the number of elements in the sorted set and "
                            "M the number of elements to be removed.",
              .history = {{"2.4.0", "Accepts multiple elements."}},
              .arguments = {ArgKey("key", 0), ArgString("member").Multiple()}});
  r.Register({.name = "zcard",
              .arity = 2,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZcard,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO},
              .summary = "Get the number of members in a sorted set",
              .since = "1.2.0",
              .group = "sorted-set",
              .complexity = "O(1)",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "zcount",
              .arity = 4,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZcount,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Count the members in a sorted set with scores within the given values",
              .since = "2.0.0",
              .group = "sorted-set",
              .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
              .arguments = {ArgKey("key", 0), ArgDouble("min"), ArgDouble("max")}});
  r.Register(
      {.name = "zlexcount",
       .arity = 4,
       .flags = kReadonly | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZlexcount,
       .acl_categories = AclCategory::kSortedSet,
       .key_spec_flags = {kRO | kAccess},
       .summary =
           "Count the number of members in a sorted set between a given lexicographical range",
       .since = "2.8.9",
       .group = "sorted-set",
       .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
       .arguments = {ArgKey("key", 0), ArgString("min"), ArgString("max")}});
  r.Register({.name = "zrank",
              .arity = 3,
              .flags = kReadonly | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZrank<false>,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Determine the index of a member in a sorted set",
              .since = "2.0.0",
              .group = "sorted-set",
              .complexity = "O(log(N))",
              .arguments = {ArgKey("key", 0), ArgString("member")}});
  r.Register(
      {.name = "zrevrank",
       .arity = 3,
       .flags = kReadonly | kFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZrank<true>,
       .acl_categories = AclCategory::kSortedSet,
       .key_spec_flags = {kRO | kAccess},
       .summary =
           "Determine the index of a member in a sorted set, with scores ordered from high to low",
       .since = "2.0.0",
       .group = "sorted-set",
       .complexity = "O(log(N))",
       .arguments = {ArgKey("key", 0), ArgString("member")}});
  r.Register({.name = "zrange",
              .arity = -4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZrange,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Return a range of members in a sorted set",
              .since = "1.2.0",
              .group = "sorted-set",
              .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                            "M the number of elements returned.",
              .history = {{"6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."}},
              .arguments = {
                  ArgKey("key", 0), ArgString("start"), ArgString("stop"),
                  ArgOneOf("sortby", {ArgToken("byscore", "BYSCORE"), ArgToken("bylex", "BYLEX")})
                      .Since("6.2.0")
                      .Optional(),
                  ArgToken("rev", "REV").Since("6.2.0").Optional(),
                  ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
                      .Token("LIMIT")
                      .Since("6.2.0")
                      .Optional(),
                  ArgToken("withscores", "WITHSCORES").Optional()}});
  r.Register({.name = "zrangestore",
              .arity = -5,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .handler = CmdZrangestore,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kOW | kUpdate, kRO | kAccess},
              .summary = "Store a range of members from sorted set into another key",
              .since = "6.2.0",
              .group = "sorted-set",
              .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                            "M the number of elements stored into the destination key.",
              .arguments = {
                  ArgKey("dst", 0), ArgKey("src", 1), ArgString("min"), ArgString("max"),
                  ArgOneOf("sortby", {ArgToken("byscore", "BYSCORE"), ArgToken("bylex", "BYLEX")})
                      .Optional(),
                  ArgToken("rev", "REV").Optional(),
                  ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
                      .Token("LIMIT")
                      .Optional()}});
  r.Register({.name = "zrevrange",
              .arity = -4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZrevrange,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Return a range of members in a sorted set, by index, with scores ordered "
                         "from high to low",
              .since = "1.2.0",
              .group = "sorted-set",
              .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                            "M the number of elements returned.",
              .deprecated = true,
              .deprecated_since = "6.2.0",
              .replaced_by = "`ZRANGE` with the `REV` argument",
              .arguments = {ArgKey("key", 0), ArgInteger("start"), ArgInteger("stop"),
                            ArgToken("withscores", "WITHSCORES").Optional()}});
  r.Register({.name = "zrangebyscore",
              .arity = -4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZrangebyscore,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Return a range of members in a sorted set, by score",
              .since = "1.0.5",
              .group = "sorted-set",
              .complexity =
                  "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                  "number of elements being returned. If M is constant (e.g. always asking for "
                  "the first 10 elements with LIMIT), you can consider it O(log(N)).",
              .deprecated = true,
              .deprecated_since = "6.2.0",
              .replaced_by = "`ZRANGE` with the `BYSCORE` argument",
              .history = {{"2.0.0", "Added the `WITHSCORES` modifier."}},
              .arguments = {ArgKey("key", 0), ArgDouble("min"), ArgDouble("max"),
                            ArgToken("withscores", "WITHSCORES").Since("2.0.0").Optional(),
                            ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
                                .Token("LIMIT")
                                .Optional()}});
  r.Register(
      {.name = "zrevrangebyscore",
       .arity = -4,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZrevrangebyscore,
       .acl_categories = AclCategory::kSortedSet,
       .key_spec_flags = {kRO | kAccess},
       .summary = "Return a range of members in a sorted set, by score, with scores ordered from "
                  "high to low",
       .since = "2.2.0",
       .group = "sorted-set",
       .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                     "number of elements being returned. If M is constant (e.g. always asking for "
                     "the first 10 elements with LIMIT), you can consider it O(log(N)).",
       .deprecated = true,
       .deprecated_since = "6.2.0",
       .replaced_by = "`ZRANGE` with the `REV` and `BYSCORE` arguments",
       .history = {{"2.1.6", "`min` and `max` can be exclusive."}},
       .arguments = {ArgKey("key", 0), ArgDouble("max"), ArgDouble("min"),
                     ArgToken("withscores", "WITHSCORES").Optional(),
                     ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
                         .Token("LIMIT")
                         .Optional()}});
  r.Register({.name = "zrangebylex",
              .arity = -4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZrangebylex,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Return a range of members in a sorted set, by lexicographical range",
              .since = "2.8.9",
              .group = "sorted-set",
              .complexity =
                  "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                  "number of elements being returned. If M is constant (e.g. always asking for "
                  "the first 10 elements with LIMIT), you can consider it O(log(N)).",
              .deprecated = true,
              .deprecated_since = "6.2.0",
              .replaced_by = "`ZRANGE` with the `BYLEX` argument",
              .arguments = {ArgKey("key", 0), ArgString("min"), ArgString("max"),
                            ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
                                .Token("LIMIT")
                                .Optional()}});
  r.Register(
      {.name = "zrevrangebylex",
       .arity = -4,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZrevrangebylex,
       .acl_categories = AclCategory::kSortedSet,
       .key_spec_flags = {kRO | kAccess},
       .summary = "Return a range of members in a sorted set, by lexicographical range, ordered "
                  "from higher to lower strings.",
       .since = "2.8.9",
       .group = "sorted-set",
       .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                     "number of elements being returned. If M is constant (e.g. always asking for "
                     "the first 10 elements with LIMIT), you can consider it O(log(N)).",
       .deprecated = true,
       .deprecated_since = "6.2.0",
       .replaced_by = "`ZRANGE` with the `REV` and `BYLEX` arguments",
       .arguments = {ArgKey("key", 0), ArgString("max"), ArgString("min"),
                     ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
                         .Token("LIMIT")
                         .Optional()}});
  r.Register({.name = "zpopmin",
              .arity = -2,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZpop<false>,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .summary = "Remove and return members with the lowest scores in a sorted set",
              .since = "5.0.0",
              .group = "sorted-set",
              .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, "
                            "and M being the number of elements popped.",
              .arguments = {ArgKey("key", 0), ArgInteger("count").Optional()}});
  r.Register({.name = "zpopmax",
              .arity = -2,
              .flags = kWrite | kFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZpop<true>,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .summary = "Remove and return members with the highest scores in a sorted set",
              .since = "5.0.0",
              .group = "sorted-set",
              .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, "
                            "and M being the number of elements popped.",
              .arguments = {ArgKey("key", 0), ArgInteger("count").Optional()}});
  r.Register(
      {.name = "bzmpop",
       .arity = -5,
       .flags = kWrite | kBlocking,
       .first_key = 0,
       .last_key = 0,
       .step = 0,
       .handler = CmdZmpop<true>,
       .acl_categories = AclCategory::kSortedSet,
       .key_specs = {KeySpec::Index(2, kRW | kAccess | kDelete).Keynum(0, 1, 1)},
       .summary =
           "Remove and return members with scores in a sorted set or block until one is available",
       .since = "7.0.0",
       .group = "sorted-set",
       .complexity =
           "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
           "elements in the sorted set, and M being the number of elements popped.",
       .arguments = {ArgDouble("timeout"), ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                     ArgOneOf("where", {ArgToken("min", "MIN"), ArgToken("max", "MAX")}),
                     ArgInteger("count").Token("COUNT").Optional()}});
  r.Register({.name = "bzpopmax",
              .arity = -3,
              .flags = kWrite | kNoScript | kBlocking | kFast,
              .first_key = 1,
              .last_key = -2,
              .step = 1,
              .handler = CmdBzpop<true>,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .summary = "Remove and return the member with the highest score from one or more "
                         "sorted sets, or block until one is available",
              .since = "5.0.0",
              .group = "sorted-set",
              .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
              .history = {{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
              .arguments = {ArgKey("key", 0).Multiple(), ArgDouble("timeout")}});
  r.Register({.name = "bzpopmin",
              .arity = -3,
              .flags = kWrite | kNoScript | kBlocking | kFast,
              .first_key = 1,
              .last_key = -2,
              .step = 1,
              .handler = CmdBzpop<false>,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kAccess | kDelete},
              .summary = "Remove and return the member with the lowest score from one or more "
                         "sorted sets, or block until one is available",
              .since = "5.0.0",
              .group = "sorted-set",
              .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
              .history = {{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
              .arguments = {ArgKey("key", 0).Multiple(), ArgDouble("timeout")}});
  r.Register({.name = "zmpop",
              .arity = -4,
              .flags = kWrite,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .handler = CmdZmpop<false>,
              .acl_categories = AclCategory::kSortedSet,
              .key_specs = {KeySpec::Index(1, kRW | kAccess | kDelete).Keynum(0, 1, 1)},
              .summary = "Remove and return members with scores in a sorted set",
              .since = "7.0.0",
              .group = "sorted-set",
              .complexity =
                  "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number "
                  "of elements in the sorted set, and M being the number of elements popped.",
              .arguments = {ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                            ArgOneOf("where", {ArgToken("min", "MIN"), ArgToken("max", "MAX")}),
                            ArgInteger("count").Token("COUNT").Optional()}});
  r.Register({.name = "zrandmember",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZrandmember,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output"},
              .summary = "Get one or multiple random elements from a sorted set",
              .since = "6.2.0",
              .group = "sorted-set",
              .complexity = "O(N) where N is the number of elements returned",
              .arguments = {ArgKey("key", 0),
                            ArgBlock("options", {ArgInteger("count"),
                                                 ArgToken("withscores", "WITHSCORES").Optional()})
                                .Optional()}});
  r.Register({.name = "zremrangebyrank",
              .arity = 4,
              .flags = kWrite,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZremrange<RangeType::kRank>,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kDelete},
              .summary = "Remove all members in a sorted set within the given indexes",
              .since = "2.0.0",
              .group = "sorted-set",
              .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                            "M the number of elements removed by the operation.",
              .arguments = {ArgKey("key", 0), ArgInteger("start"), ArgInteger("stop")}});
  r.Register({.name = "zremrangebyscore",
              .arity = 4,
              .flags = kWrite,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdZremrange<RangeType::kScore>,
              .acl_categories = AclCategory::kSortedSet,
              .key_spec_flags = {kRW | kDelete},
              .summary = "Remove all members in a sorted set within the given scores",
              .since = "1.2.0",
              .group = "sorted-set",
              .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                            "M the number of elements removed by the operation.",
              .arguments = {ArgKey("key", 0), ArgDouble("min"), ArgDouble("max")}});
  r.Register(
      {.name = "zremrangebylex",
       .arity = 4,
       .flags = kWrite,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZremrange<RangeType::kLex>,
       .acl_categories = AclCategory::kSortedSet,
       .key_spec_flags = {kRW | kDelete},
       .summary = "Remove all members in a sorted set between the given lexicographical range",
       .since = "2.8.9",
       .group = "sorted-set",
       .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                     "number of elements removed by the operation.",
       .arguments = {ArgKey("key", 0), ArgString("min"), ArgString("max")}});
  r.Register({.name = "zunion",
              .arity = -3,
              .flags = kReadonly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .handler = CmdZunion,
              .acl_categories = AclCategory::kSortedSet,
              .key_specs = {KeySpec::Index(1, kRO | kAccess).Keynum(0, 1, 1)},
              .summary = "Add multiple sorted sets",
              .since = "6.2.0",
              .group = "sorted-set",
              .complexity =
                  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, "
                  "and M being the number of elements in the resulting sorted set.",
              .arguments = {ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                            ArgInteger("weight").Token("WEIGHTS").Optional().Multiple(),
                            ArgOneOf("aggregate", {ArgToken("sum", "SUM"), ArgToken("min", "MIN"),
                                                   ArgToken("max", "MAX")})
                                .Token("AGGREGATE")
                                .Optional(),
                            ArgToken("withscores", "WITHSCORES").Optional()}});
  r.Register({.name = "zinter",
              .arity = -3,
              .flags = kReadonly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .handler = CmdZinter,
              .acl_categories = AclCategory::kSortedSet,
              .key_specs = {KeySpec::Index(1, kRO | kAccess).Keynum(0, 1, 1)},
              .summary = "Intersect multiple sorted sets",
              .since = "6.2.0",
              .group = "sorted-set",
              .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted "
                            "set, K being the number of input sorted sets and M being the number "
                            "of elements in the resulting sorted set.",
              .arguments = {ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                            ArgInteger("weight").Token("WEIGHTS").Optional().Multiple(),
                            ArgOneOf("aggregate", {ArgToken("sum", "SUM"), ArgToken("min", "MIN"),
                                                   ArgToken("max", "MAX")})
                                .Token("AGGREGATE")
                                .Optional(),
                            ArgToken("withscores", "WITHSCORES").Optional()}});
  r.Register({.name = "zdiff",
              .arity = -3,
              .flags = kReadonly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .handler = CmdZdiff,
              .acl_categories = AclCategory::kSortedSet,
              .key_specs = {KeySpec::Index(1, kRO | kAccess).Keynum(0, 1, 1)},
              .summary = "Subtract multiple sorted sets",
              .since = "6.2.0",
              .group = "sorted-set",
              .complexity =
                  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all "
                  "the sets, N is the size of the first set, and K is the size of the result set.",
              .arguments = {ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                            ArgToken("withscores", "WITHSCORES").Optional()}});
  r.Register(
      {.name = "zunionstore",
       .arity = -4,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZunionstore,
       .acl_categories = AclCategory::kSortedSet,
       .key_specs = {KeySpec::Index(1, kOW | kUpdate),
                     KeySpec::Index(2, kRO | kAccess).Keynum(0, 1, 1)},
       .summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
       .since = "2.0.0",
       .group = "sorted-set",
       .complexity = "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, "
                     "and M being the number of elements in the resulting sorted set.",
       .arguments = {ArgKey("destination", 0), ArgInteger("numkeys"), ArgKey("key", 1).Multiple(),
                     ArgInteger("weight").Token("WEIGHTS").Optional().Multiple(),
                     ArgOneOf("aggregate", {ArgToken("sum", "SUM"), ArgToken("min", "MIN"),
                                            ArgToken("max", "MAX")})
                         .Token("AGGREGATE")
                         .Optional()}});
  r.Register(
      {.name = "zinterstore",
       .arity = -4,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZinterstore,
       .acl_categories = AclCategory::kSortedSet,
       .key_specs = {KeySpec::Index(1, kOW | kUpdate),
                     KeySpec::Index(2, kRO | kAccess).Keynum(0, 1, 1)},
       .summary = "Intersect multiple sorted sets and store the resulting sorted set in a new key",
       .since = "2.0.0",
       .group = "sorted-set",
       .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K "
                     "being the number of input sorted sets and M being the number of elements in "
                     "the resulting sorted set.",
       .arguments = {ArgKey("destination", 0), ArgInteger("numkeys"), ArgKey("key", 1).Multiple(),
                     ArgInteger("weight").Token("WEIGHTS").Optional().Multiple(),
                     ArgOneOf("aggregate", {ArgToken("sum", "SUM"), ArgToken("min", "MIN"),
                                            ArgToken("max", "MAX")})
                         .Token("AGGREGATE")
                         .Optional()}});
  r.Register(
      {.name = "zdiffstore",
       .arity = -4,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZdiffstore,
       .acl_categories = AclCategory::kSortedSet,
       .key_specs = {KeySpec::Index(1, kOW | kUpdate),
                     KeySpec::Index(2, kRO | kAccess).Keynum(0, 1, 1)},
       .summary = "Subtract multiple sorted sets and store the resulting sorted set in a new key",
       .since = "6.2.0",
       .group = "sorted-set",
       .complexity =
           "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, "
           "N is the size of the first set, and K is the size of the result set.",
       .arguments = {ArgKey("destination", 0), ArgInteger("numkeys"),
                     ArgKey("key", 1).Multiple()}});
  r.Register({.name = "zintercard",
              .arity = -3,
              .flags = kReadonly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .handler = CmdZintercard,
              .acl_categories = AclCategory::kSortedSet,
              .key_specs = {KeySpec::Index(1, kRO | kAccess).Keynum(0, 1, 1)},
              .summary = "Intersect multiple sorted sets and return the cardinality of the result",
              .since = "7.0.0",
              .group = "sorted-set",
              .complexity = "O(N*K) worst case with N being the smallest input sorted set, K being "
                            "the number of input sorted sets.",
              .arguments = {ArgInteger("numkeys"), ArgKey("key", 0).Multiple(),
                            ArgInteger("limit").Token("LIMIT").Optional()}});
  r.Register(
      {.name = "zscan",
       .arity = -3,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdZscan,
       .acl_categories = AclCategory::kSortedSet,
       .key_spec_flags = {kRO | kAccess},
       .tips = {"nondeterministic_output"},
       .summary = "Incrementally iterate sorted sets elements and associated scores",
       .since = "2.8.0",
       .group = "sorted-set",
       .complexity =
           "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
           "the cursor to return back to 0. N is the number of elements inside the collection..",
       .arguments = {ArgKey("key", 0), ArgInteger("cursor"),
                     ArgPattern("pattern").Token("MATCH").Optional(),
                     ArgInteger("count").Token("COUNT").Optional()}});
}

}  // namespace stashd::server
