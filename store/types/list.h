// The list type: an ordered sequence of binary-safe items, pushed and popped
// at both ends.
//
// Encoding. Like Redis's quicklist of listpacks: the items live in nodes,
// each node one malloc'd buffer of packed items. An item is
//
//   varint(len) | len bytes | varint(len) with its bytes reversed
//
// so a node is walked forwards from its start and backwards from its end
// (the trailing length is read from the end, as a listpack's backlen).
// Short items cost two bytes of overhead, as in a listpack; there are no
// per-item allocations.
//
// A node is bounded as Redis bounds it (`list-max-listpack-size`, "fill"):
// a negative fill -1..-5 limits a node to 4, 8, 16, 32 or 64 KB; a positive
// fill limits it to that many items (and 8 KB, Redis's safety limit). An
// item larger than the limit gets a node of its own.
//
// Most lists fit one node: it is held inside the object, so such a list
// costs a 56-byte object and one buffer sized to fit. Longer lists keep
// their nodes in a Chain: a vector with a gap at its front (so a new node at
// either end is amortized O(1)), and a Fenwick tree over the nodes' item counts
// finds the node holding index i in O(log nodes) without touching any item:
// LINDEX / LSET in the middle of a 1,000,000-item list read one node. The
// tree is built on the first lookup of a list with more than a few nodes,
// kept up to date by changes at the ends, and rebuilt lazily after a change
// that moves nodes (a split or merge in the middle).
//
// OBJECT ENCODING says "quicklist" for every list, as Redis 7.0 does (the
// listpack encoding for small lists came with 7.2). `list-compress-depth`
// is accepted and kept (SetLimits) but nodes are not compressed: a bot's
// queues are short-lived and mostly touched at their ends.
//
// Items are kept as bytes, never as integers (Redis packs "123456" into
// 4 bytes, here it takes 8): ForEachElement's views must stay valid while a
// snapshot holds the object, so every item must exist as bytes somewhere.
//
// Changes are recorded as element-level delta ops (KeyWriter::Record, see
// Op below and persistence/FORMAT.md); every list command reduces to them
// and replaying them on the same list gives the same list.
//
// Thread safety: as any Object (value.h): changed under the key's shard
// lock. SetLimits may be called from any thread.
#pragma once

#include <absl/functional/function_ref.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/value.h"

namespace stashd::store {

class ListObject final : public Object {
 public:
  // Delta ops and their arguments (decimal integers as text).
  enum Op : uint8_t {
    kPushLeft = 1,   // item...: each pushed at the head in turn (LPUSH)
    kPushRight = 2,  // item...: each appended at the tail in turn (RPUSH)
    kPopLeft = 3,    // count: remove `count` items from the head
    kPopRight = 4,   // count: remove `count` items from the tail
    kSet = 5,        // index value: replace the item at index (0-based, < size)
    kInsert = 6,     // index value: insert so that `value` is at index (<= size)
    kRemove = 7,     // count value: LREM (count > 0 from the head, < 0 from the tail, 0 all)
    kTrim = 8,       // start stop: LTRIM with these arguments
  };
  enum class End : uint8_t { kLeft, kRight };

  ListObject() : Object(ValueType::kList) {}
  ~ListObject() override;

  // list-max-listpack-size (clamped as Redis clamps it: below -5 is -5,
  // above 32768 is 32768, 0 is 1) and list-compress-depth (stashd's nodes
  // are not compressed; DUMP writes the inner nodes as Redis holds them).
  // They apply to later writes.
  static void SetLimits(int64_t fill, int64_t compress_depth);
  // The current list-max-listpack-size, as clamped by SetLimits.
  static int Fill();
  // The current list-compress-depth.
  static int64_t CompressDepth();

  // Adds one item at an end.
  void Push(End end, std::string_view item);
  // Removes up to `count` items from an end, appending them to `out` in the
  // order they were popped. Returns how many were removed.
  size_t Pop(End end, size_t count, std::vector<std::string>* out = nullptr);
  // The item at `index` (negative counts from the tail: -1 is the last), or
  // nullopt if out of range. Valid until the next change.
  std::optional<std::string_view> Index(int64_t index) const;
  // Replaces the item at `index` (negative from the tail); false if out of
  // range (nothing changed).
  bool Set(int64_t index, std::string_view value);
  // Inserts `value` so that it ends up at `index`. REQUIRES: index <= Size().
  void Insert(size_t index, std::string_view value);
  // Position of the first item equal to `item`, or -1.
  int64_t Find(std::string_view item) const;
  // LREM: removes items equal to `item`, at most |count| of them (all if
  // count is 0), from the head if count >= 0, else from the tail. Returns
  // how many were removed.
  size_t Remove(int64_t count, std::string_view item);
  // LTRIM: keeps the items from start to stop inclusive (negative indexes
  // count from the tail, out-of-range ones are clamped as Redis does).
  void Trim(int64_t start, int64_t stop);
  // Calls fn(item, index) for the items from `from` (REQUIRES: < Size())
  // towards the tail (forward) or the head, until fn returns false.
  // Finding `from` is O(log nodes).
  void Walk(size_t from, bool forward,
            absl::FunctionRef<bool(std::string_view item, size_t index)> fn) const;

  size_t Size() const override { return size_; }
  std::string_view Encoding() const override { return "quicklist"; }
  size_t FreeEffort() const override { return node_count(); }
  size_t PayloadBytes() const override { return payload_; }
  size_t MemoryUsage() const override;
  Object* Clone() const override;
  void Serialize(std::string* out) const override;
  void ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const override;
  bool ApplyDelta(uint8_t op, std::span<const std::string_view> args) override;

  // Rebuilds a list from Serialize()'s output; nullptr if malformed.
  static ListObject* Deserialize(std::string_view data);

  // For tests: the number of nodes, and the item count of each.
  size_t node_count() const { return end_slot() - first(); }
  std::vector<uint32_t> node_sizes() const;

 private:
  struct Node {
    char* data = nullptr;  // malloc'd; packed items
    uint32_t bytes = 0;    // used bytes of data
    uint32_t count = 0;    // items
  };
  // Where an index lives: the slot of its node and its rank in the node.
  struct Position {
    size_t slot;
    size_t rank;
  };
  // The nodes of a list of two nodes or more (most lists have one node and
  // no Chain: their node is one_, and the object is all they cost besides
  // the node's buffer).
  struct Chain {
    std::vector<Node> slots;  // nodes at [begin, size); [0, begin) is a gap of empty slots
    size_t begin = 0;
    size_t heap = 0;  // bytes allocated for node buffers
    // Fenwick tree over the slots' counts (1-based sums stored 0-based);
    // valid only while tree_ready.
    std::vector<int64_t> tree;
    bool tree_ready = false;
  };

  // The nodes, whichever way they are held: slots first()..end_slot()-1.
  size_t first() const { return chain_ != nullptr ? chain_->begin : 0; }
  size_t end_slot() const {
    return chain_ != nullptr ? chain_->slots.size() : (one_.count > 0 ? 1 : 0);
  }
  Node& at(size_t slot) { return chain_ != nullptr ? chain_->slots[slot] : one_; }
  const Node& at(size_t slot) const { return chain_ != nullptr ? chain_->slots[slot] : one_; }
  bool tree_ready() const { return chain_ != nullptr && chain_->tree_ready; }

  // True if a node may take one more item of `item_bytes` encoded bytes.
  static bool Accepts(const Node& n, size_t item_bytes);
  // Grows n.data to hold at least `need` bytes.
  void Reserve(Node& n, size_t need);
  void FreeNode(Node& n);
  // Byte offset of the item of rank `rank` in node `n`, walking from the
  // nearer end of the node.
  static size_t OffsetOf(const Node& n, size_t rank);
  // Adds delta to the count of the node at `slot` (and to the tree).
  void AddCount(size_t slot, int64_t delta);
  Position Locate(size_t index) const;
  // Moves the single node into a Chain (before adding a node).
  void Promote();
  // Back to the single-node form once a Chain holds one node or none.
  void Demote();
  // A new empty node at the head / tail; returns its slot.
  size_t NewHeadNode();
  size_t NewTailNode();
  // Drops the empty node at the head / tail.
  void DropHeadNode();
  void DropTailNode();
  // Splits the node at `slot` in two if it is over the limit (and holds
  // more than one item).
  void SplitIfOver(size_t slot);
  // Removes empty nodes and merges neighbours that fit in one node; the
  // tree is rebuilt on the next lookup.
  void Compact();
  void InvalidateTree();
  void BuildTree() const;

  Node one_;                // the node while there is no chain_
  Chain* chain_ = nullptr;  // two nodes or more
  size_t size_ = 0;         // items
  size_t payload_ = 0;      // sum of item lengths
};

}  // namespace stashd::store
