// The set type: an unordered collection of distinct binary-safe strings.
//
// Two encodings, as in Redis 7.0. While every member is an integer in
// canonical form (Redis's string2ll: no leading zeros, no '+', no "-0") and
// there are at most `set-max-intset-entries` of them, the set is an
// "intset" (IntSet below): a sorted array of integers of the smallest width
// that holds them, searched by bisection. Adding a
// member that is not such an integer, or one member too many, converts it to
// a "hashtable" for good (Redis never converts back either). The limit is
// process-wide (SetObject::SetLimits, from the config).
//
// The hashtable is dense: the members sit in one array (16 bytes each; a
// member of up to 15 bytes inline, a longer one in an arena owned by the
// set), and an open-addressing index of 32-bit positions into that array
// (ProbeIndex, probe_index.h: linear probing under the keyed process hash,
// a one-byte tag per slot) finds them. Removal moves the last member into
// the hole, so the array stays dense and a uniform random member
// (SRANDMEMBER, SPOP) is one random position. That is 16 bytes per member
// plus 7 to 13 of index (5-byte slots, load 3/8 to 3/4), and a longer
// member's bytes, where a chained hash table of separate strings costs about
// 50 plus the string (measured: README, "Design notes").
//
// Changes are recorded as two delta ops (KeyWriter::Record): kAdd with
// members and kRemove with members. Every set command reduces to them (SPOP
// records the members it removed), so replaying a log never depends on
// chance.
//
// Thread safety: as any Object (value.h): changed under the key's shard
// lock. SetLimits may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/value.h"

namespace stashd::store {

class SetTable;

// The intset encoding, as Redis's intset.c: sorted integers of the smallest
// width (2, 4 or 8 bytes) that holds them all, in one exact-size heap block
// (count, width, values): a few bytes per member.
class IntSet {
 public:
  IntSet() = default;
  IntSet(const IntSet& other);
  IntSet& operator=(const IntSet& other);
  ~IntSet();

  size_t size() const;
  int64_t Get(size_t i) const;
  // True if `v` is there; *pos is its position, or where it would go.
  bool Find(int64_t v, size_t* pos) const;
  // REQUIRES: pos from a Find(v) that returned false.
  void Insert(size_t pos, int64_t v);
  void Erase(size_t pos);
  void Clear();
  // Heap bytes held (as malloc rounds them).
  size_t HeapBytes() const;
  // Bytes per value (2, 4 or 8): the smallest that held every value ever
  // added, as Redis's intset never narrows.
  uint8_t width() const;

 private:
  void Set(size_t i, int64_t v);
  char* block_ = nullptr;  // uint32 count, uint8 width, then the values
};

class SetObject final : public Object {
 public:
  enum Op : uint8_t { kAdd = 1, kRemove = 2 };

  SetObject();
  ~SetObject() override;

  // The threshold of the intset encoding (set-max-intset-entries); it
  // applies to later writes.
  static void SetLimits(size_t max_intset_entries);

  // Adds a member; true if it was new.
  bool Add(std::string_view member);
  // Removes a member; true if it existed.
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;
  // The member at position `i` (0 <= i < Size()), for uniform random picks
  // and scans: positions are dense but change when members are removed.
  // An intset member is formatted into `buf`; the view is valid until the
  // next change or the next call with the same buffer.
  std::string_view At(size_t i, std::string* buf) const;
  // Calls fn for every member (an intset in ascending order). The view is
  // valid only during the call: what commands use. ForEachElement gives
  // views that stay valid while the set is unchanged, for the snapshot.
  void ForEachMember(absl::FunctionRef<void(std::string_view member)> fn) const;
  // Reserves room for `n` members in total (a hint for bulk builds).
  void Reserve(size_t n);
  // True while the set uses the intset encoding.
  bool intset() const { return table_ == nullptr; }
  // The intset's bytes per value (DUMP writes the intset as Redis keeps it).
  // REQUIRES: intset().
  uint8_t intset_width() const { return ints_.width(); }

  // SSCAN: calls fn for the members of the buckets from `cursor` on until
  // about `count` members were returned, and returns the cursor to continue
  // from (0 when done). As Redis's dictScan: a member present for a whole
  // iteration is returned at least once, even across growth or shrinking of
  // the index. An intset is returned whole with cursor 0.
  uint64_t Scan(uint64_t cursor, size_t count,
                absl::FunctionRef<void(std::string_view member)> fn) const;

  size_t Size() const override;
  std::string_view Encoding() const override { return intset() ? "intset" : "hashtable"; }
  size_t FreeEffort() const override { return intset() ? 1 : Size(); }
  // The sum of member sizes (an intset's in decimal: O(n) for an intset).
  size_t PayloadBytes() const override;
  size_t MemoryUsage() const override;
  Object* Clone() const override;
  void Serialize(std::string* out) const override;
  void ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const override;
  bool ApplyDelta(uint8_t op, std::span<const std::string_view> args) override;

  // Rebuilds a set from Serialize()'s output; nullptr if malformed.
  static SetObject* Deserialize(std::string_view data);

 private:
  // Moves every integer into the hashtable encoding.
  void ConvertToTable(size_t expected);
  // Drops the intset's decimal text (before any change).
  void DropDecimals();

  IntSet ints_;  // the intset encoding (while table_ is null)
  // An intset's members in decimal, one after another, built by the first
  // ForEachElement after a change so that the views it gives stay valid
  // (the snapshot writer batches rows) while the set is unchanged. Built at
  // most once per version and then immutable: concurrent readers of a set
  // pinned by a snapshot race only on the pointer, atomically.
  mutable std::atomic<const std::string*> decimals_{nullptr};
  std::unique_ptr<SetTable> table_;  // the hashtable encoding
};

}  // namespace stashd::store
