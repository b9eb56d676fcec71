// The stream type: an append-only log of entries, each an ID (ms-seq) and
// field/value pairs, with consumer groups.
//
// Encoding. Like Redis's listpacks in a rax: entries are packed into byte
// blocks of at most `stream-node-max-entries` entries and
// `stream-node-max-bytes` bytes, kept in a B-tree keyed by the block's first
// ID. An entry inside a block is
//
//   flags | varint(ms - block first ms) | varint(seq) | varint(n) |
//   [field bytes ...] value bytes ...
//
// each string varint-length-prefixed; when an entry has the same fields as
// the block's first entry (the "master" entry) its fields are left out
// (flag kSameFields), so 1,000,000 entries of two small fields cost a few
// bytes of overhead each. A deleted entry is flagged (kDeleted) in place, as
// Redis does; a block whose entries are all deleted is dropped. A lookup by
// ID seeks the block (O(log blocks)) and walks at most one block.
//
// Consumer groups keep their last-delivered ID, entries-read counter, a
// pending entries list (PEL) ordered by ID with the owning consumer, the
// delivery time and count, and their consumers (seen-time and their own
// pending IDs), all ordered as Redis orders them (by name, by ID).
//
// Changes are recorded as delta ops (see Op) carrying results: an XADD with
// `*` is logged with the ID it got, a trim as the ID it trimmed through,
// a delivery with its time. Replaying them gives the same stream.
//
// An empty stream is kept (Empty() is false): Redis deletes a stream only
// with DEL, never when XDEL or XTRIM empties it.
//
// Thread safety: as any Object (value.h). SetLimits may be called from any
// thread.
#pragma once

#include <absl/container/btree_map.h>
#include <absl/functional/function_ref.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/value.h"

namespace stashd::store {

struct StreamID {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamID&) const = default;
  bool operator==(const StreamID&) const = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  static StreamID Max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next / previous ID; false at the end of the range.
  bool Incr(StreamID* out) const;
  bool Decr(StreamID* out) const;
  std::string ToString() const;
  // Parses "ms-seq" or "ms" (seq = `missing_seq`); strict decimal.
  static std::optional<StreamID> Parse(std::string_view s, uint64_t missing_seq = 0);
};

// One entry, as views into the stream (valid until the next change).
struct StreamEntry {
  StreamID id;
  std::vector<std::string_view> fields_values;  // f1 v1 f2 v2 ...
};

class StreamObject final : public Object {
 public:
  enum Op : uint8_t {
    kAdd = 1,             // id f v ...
    kDelete = 2,          // id ...
    kTrim = 3,            // through-id: drops every entry <= it
    kSetId = 4,           // last-id entries-added max-deleted-id
    kGroupCreate = 5,     // group last-id entries-read
    kGroupSetId = 6,      // group last-id entries-read
    kGroupDestroy = 7,    // group
    kConsumerCreate = 8,  // group consumer seen-time
    kConsumerDelete = 9,  // group consumer
    kConsumerSeen = 10,   // group consumer seen-time (creates it if missing)
    kPending = 11,        // group consumer delivery-time (id count)...: owner/time/count set
    kAck = 12,            // group id ...: removed from the PEL
  };
  static constexpr int64_t kInvalidEntriesRead = -1;

  struct PendingEntry {
    std::string consumer;
    int64_t delivery_time = 0;
    uint64_t delivery_count = 0;
  };
  struct Consumer {
    int64_t seen_time = 0;
    std::set<StreamID> pending;
  };
  struct Group {
    StreamID last_id;
    int64_t entries_read = kInvalidEntriesRead;
    std::map<StreamID, PendingEntry> pel;
    std::map<std::string, Consumer, std::less<>> consumers;
  };

  StreamObject() : Object(ValueType::kStream) {}

  // stream-node-max-bytes, stream-node-max-entries (0: no limit).
  static void SetLimits(size_t max_bytes, size_t max_entries);
  static size_t MaxBlockBytes();
  static size_t MaxBlockEntries();

  // Appends an entry; `id` must be above last_id(). Updates entries-added.
  void Append(StreamID id, std::span<const std::string_view> fields_values);
  // Marks an entry deleted; true if it existed. Updates max-deleted-id.
  bool Delete(StreamID id);
  // Trims by length or by minimal ID as Redis's streamTrim: approx removes
  // whole blocks only; limit (0: none) caps the entries removed. Returns
  // the number removed and sets *through to the last ID removed.
  size_t TrimMaxLen(uint64_t maxlen, bool approx, uint64_t limit, StreamID* through);
  size_t TrimMinId(StreamID minid, bool approx, uint64_t limit, StreamID* through);
  // Drops every entry with an ID <= through (replay of a trim).
  size_t TrimThrough(StreamID through);

  // Calls fn for entries with start <= id <= end, ascending (or descending
  // if `rev`), until fn returns false.
  void Range(StreamID start, StreamID end, bool rev,
             absl::FunctionRef<bool(const StreamEntry&)> fn) const;
  // The entry with this ID, if present.
  std::optional<StreamEntry> Get(StreamID id) const;
  // First / last live entry IDs (nullopt when empty).
  std::optional<StreamID> FirstId() const;
  std::optional<StreamID> LastEntryId() const;
  // True if a deleted entry may lie in [start, end] (Redis's
  // streamRangeHasTombstones).
  bool RangeHasTombstones(std::optional<StreamID> start) const;
  // Redis's streamEstimateDistanceFromFirstEverEntry.
  int64_t EstimateEntriesRead(StreamID id) const;
  // The lag of a group, or nullopt if unknown.
  std::optional<int64_t> Lag(const Group& g) const;

  StreamID last_id() const { return last_id_; }
  uint64_t entries_added() const { return entries_added_; }
  StreamID max_deleted() const { return max_deleted_; }
  void SetId(StreamID last, uint64_t entries_added, StreamID max_deleted) {
    last_id_ = last;
    entries_added_ = entries_added;
    max_deleted_ = max_deleted;
  }
  size_t blocks() const { return blocks_.size(); }

  // Consumer groups.
  Group* FindGroup(std::string_view name);
  const Group* FindGroup(std::string_view name) const;
  const std::map<std::string, Group, std::less<>>& groups() const { return groups_; }
  // False if it exists.
  bool CreateGroup(std::string_view name, StreamID last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);
  // Creates a consumer if missing; returns it and whether it was created.
  Consumer* CreateConsumer(Group& g, std::string_view name, int64_t now, bool* created);
  // Deletes a consumer and its pending entries; returns how many were pending.
  size_t DeleteConsumer(Group& g, std::string_view name);
  // Sets the owner, delivery time and count of a pending entry (creating it).
  void SetPending(Group& g, std::string_view consumer, StreamID id, int64_t time, uint64_t count);
  // Removes a pending entry; true if it was pending.
  bool Ack(Group& g, StreamID id);

  size_t Size() const override { return length_; }
  bool Empty() const override { return false; }
  size_t SnapshotRows() const override { return 1 + blocks_.size(); }
  std::string_view Encoding() const override { return "stream"; }
  // One per block, and per group its pending entries (the first group's
  // count stands for every group, as Redis estimates it).
  size_t FreeEffort() const override {
    const size_t pel = groups_.empty() ? 0 : groups_.begin()->second.pel.size();
    return blocks_.size() + groups_.size() * (1 + pel);
  }
  size_t PayloadBytes() const override { return payload_; }
  size_t MemoryUsage() const override;
  Object* Clone() const override;
  void Serialize(std::string* out) const override;
  // Row 0 (index 0): the header and groups; rows 1..: one block each.
  void ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const override;
  bool ApplyDelta(uint8_t op, std::span<const std::string_view> args) override;

  static StreamObject* Deserialize(std::string_view data);
  // Rebuilds from ForEachElement's rows in index order (row 0 first).
  static StreamObject* FromRows(const std::vector<std::string>& rows);

 private:
  struct Block {
    std::string data;
    uint32_t live = 0;   // entries not deleted
    uint32_t total = 0;  // entries, deleted ones included
    StreamID last;       // the last entry's ID (deleted or not)
  };
  using Blocks = absl::btree_map<StreamID, Block>;

  // Decodes the entry at *pos of block `b` (first ID `first`), advancing
  // *pos. `master` holds the block's first entry's fields.
  struct Decoded {
    StreamID id;
    bool deleted = false;
    size_t flag_pos = 0;
  };
  static bool DecodeEntry(const StreamID& first, const Block& b, size_t* pos,
                          std::vector<std::string_view>* master, Decoded* d,
                          std::vector<std::string_view>* fv);
  // Calls fn for every live entry of a block in order until it returns false.
  static bool ForBlock(
      const StreamID& first, const Block& b, bool rev,
      absl::FunctionRef<bool(const Decoded&, const std::vector<std::string_view>&)> fn);
  // Marks entries of the block at `it` deleted while pred(id) (front first);
  // returns how many.
  size_t DeleteFront(Blocks::iterator it, absl::FunctionRef<bool(StreamID)> pred, uint64_t max);
  void DropBlock(Blocks::iterator it);
  void SerializeHeader(std::string* out) const;
  bool ParseHeader(std::string_view data);

  Blocks blocks_;
  uint64_t length_ = 0;
  uint64_t payload_ = 0;
  uint64_t block_bytes_ = 0;  // capacity of the blocks' buffers
  StreamID last_id_;
  uint64_t entries_added_ = 0;
  StreamID max_deleted_;
  std::map<std::string, Group, std::less<>> groups_;
  mutable std::string header_row_;  // ForEachElement's row 0
  mutable std::string block_rows_;  // ForEachElement's other rows
};

}  // namespace stashd::store
