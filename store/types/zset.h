// The sorted set type: unique binary-safe members, each with a double score,
// ordered by (score, member bytes).
//
// Two encodings, as in Redis. A small sorted set is one contiguous buffer of
// (member, score) entries kept in order, each member prefixed by its varint
// length and followed by the 8 bytes of its score, searched linearly: a few
// bytes per member. Once it has more than `zset-max-listpack-entries`
// members, or a member longer than `zset-max-listpack-value` bytes, it
// becomes a skip list with spans (O(log n) insert, delete, rank and
// position lookups) plus a hash index of the skip list's nodes keyed by
// member (a ProbeIndex of node pointers: O(1) score lookup, and the dictScan
// cursor of ZSCAN, as Redis walks the dict of its skiplist encoding). Each
// member is stored once, inside its node, and the index holds only node
// pointers: about 60 bytes per member beyond the member itself. It never converts back (as Redis).
// The limits are process-wide (ZSetObject::SetLimits, from the config).
//
// Positions ("ranks") are 0-based in ascending order. Range commands reduce
// to rank intervals: CountBelowScore / CountBelowLex give the rank where a
// score or lex bound falls, ForRange walks an interval either way.
//
// Changes are recorded as two delta ops (KeyWriter::Record): kAdd with
// (member, score) pairs, the score as FormatDouble text (string_ops.h) ("%.17g", "inf",
// "-inf"), which parses back to the exact same double, and kRemove with
// members. Every sorted set command reduces to them (ZINCRBY records the
// resulting score, ZPOPMIN and ZREMRANGEBY* the members removed).
//
// Thread safety: as any Object (value.h): changed under the key's shard
// lock. SetLimits may be called from any thread.
#pragma once

#include <absl/functional/function_ref.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/types/packed.h"
#include "store/value.h"

namespace stashd::store {

// A score interval as ZRANGEBYSCORE takes it ("(" before a bound excludes it).
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;
};
// Redis's zslParseRange: strtod over the rest of each bound (so "" is 0 and
// "inf" works), NaN refused. False if either bound is malformed.
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out);

// One end of a lex interval: "-" and "+" are the ends of the set, "[x"
// includes x, "(x" excludes it.
struct LexBound {
  enum Kind : uint8_t { kMinusInf, kPlusInf, kInclusive, kExclusive };
  Kind kind = kMinusInf;
  std::string_view value;  // points into the parsed argument
};
struct LexRange {
  LexBound min;
  LexBound max;
};
// Redis's zslParseLexRange. False if either item is malformed.
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out);

class ZSetObject final : public Object {
 public:
  enum Op : uint8_t { kAdd = 1, kRemove = 2 };

  ZSetObject();
  ~ZSetObject() override;

  // The thresholds of the compact encoding (zset-max-listpack-entries,
  // zset-max-listpack-value); they apply to later writes.
  static void SetLimits(size_t max_entries, size_t max_value);
  static size_t MaxCompactEntries();
  static size_t MaxCompactValue();

  // The score of a member, or nullopt.
  std::optional<double> Score(std::string_view member) const;
  // Sets a member's score; true if the member was new. REQUIRES: !isnan.
  // The compact encoding stores -0 as 0, as Redis's listpack does.
  bool Set(std::string_view member, double score);
  // Removes a member; true if it existed.
  bool Remove(std::string_view member);
  // The 0-based ascending rank of a member, or nullopt.
  std::optional<size_t> Rank(std::string_view member) const;

  // How many members have a score below `score` (or equal, if `inclusive`):
  // the rank where an interval bounded by `score` starts or ends.
  size_t CountBelowScore(double score, bool inclusive) const;
  // The same for members compared as bytes (the lex commands, meaningful
  // when all scores are equal, as in Redis).
  size_t CountBelowLex(std::string_view member, bool inclusive) const;

  // The ranks [first, end) of the members within a range (first >= end:
  // none).
  std::pair<size_t, size_t> RanksOf(const ScoreRange& range) const;
  std::pair<size_t, size_t> RanksOf(const LexRange& range) const;
  // Calls fn(member, score) for every member within `range`, ascending
  // (what GEOSEARCH walks for each geohash box). fn returns false to stop.
  void ForEachInRange(const ScoreRange& range,
                      absl::FunctionRef<bool(std::string_view member, double score)> fn) const;

  // Calls fn(member, score) for the ranks first..last (inclusive, REQUIRES
  // first <= last < Size()), ascending, or from last down to first if
  // `reverse`. Views are valid until the next change. fn returns false to stop.
  void ForRange(size_t first, size_t last, bool reverse,
                absl::FunctionRef<bool(std::string_view member, double score)> fn) const;
  // Removes the ranks first..last (inclusive, REQUIRES first <= last <
  // Size()), calling fn(member) for each just before it goes.
  void RemoveRange(size_t first, size_t last, absl::FunctionRef<void(std::string_view)> fn);

  // Starts an empty sorted set in the skip list encoding (Redis's
  // zsetTypeCreate given a size or member length past the limits).
  // REQUIRES: Size() == 0.
  void UseSkipList();
  // Back to the compact encoding if the set fits its limits (Redis's
  // zsetConvertToListpackIfNeeded, for a computed *STORE result).
  void CompactIfFits();

  // True while the sorted set uses the compact encoding.
  bool compact() const { return list_ == nullptr; }

  size_t Size() const override;
  std::string_view Encoding() const override { return compact() ? "listpack" : "skiplist"; }
  size_t FreeEffort() const override { return compact() ? 1 : Size(); }
  size_t PayloadBytes() const override;
  size_t MemoryUsage() const override;
  Object* Clone() const override;
  void Serialize(std::string* out) const override;
  // In score order, ElementView{member, "", score}.
  void ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const override;
  bool ApplyDelta(uint8_t op, std::span<const std::string_view> args) override;

  // ZSCAN: calls fn(member, score) for about `count` members from `cursor`
  // on and returns the cursor to continue from (0 when done). The skip list
  // encoding walks its member index as Redis's dictScan: a member present for
  // the whole iteration is returned at least once, even if the index grew or
  // shrank between calls (it may come twice). The compact encoding is
  // returned whole, in score order, with cursor 0, as Redis returns a
  // listpack. Views are valid until the next change.
  uint64_t Scan(uint64_t cursor, size_t count,
                absl::FunctionRef<void(std::string_view member, double score)> fn) const;

  // Rebuilds a sorted set from Serialize()'s output; nullptr if malformed.
  static ZSetObject* Deserialize(std::string_view data);
  // Bytes PayloadBytes() counts for one member.
  static size_t EntryPayload(std::string_view member) { return member.size() + sizeof(double); }

 private:
  class SkipList;
  // An entry of the compact buffer: where it starts and ends, decoded.
  struct Entry {
    size_t begin = 0;
    size_t end = 0;
    std::string_view member;
    double score = 0;
  };
  Entry EntryAt(size_t pos) const;
  std::optional<Entry> FindEntry(std::string_view member) const;
  void ConvertToSkipList();
  // Counts `members` more members holding `bytes` more payload (negative:
  // fewer). The skip list counts its own members.
  void Adjust(int64_t members, int64_t bytes);

  // 40 bytes in all: a small sorted set costs little more than its entries.
  uint32_t compact_size_ = 0;     // compact: number of members
  uint32_t compact_payload_ = 0;  // compact: sum of EntryPayload
  PackedBuffer compact_;          // the compact encoding (while list_ is null)
  SkipList* list_ = nullptr;      // the skip list encoding
};

}  // namespace stashd::store
