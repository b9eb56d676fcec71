#include "store/types/list.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <cstring>

#include "store/codec.h"
#include "store/string_ops.h"

namespace stashd::store {
namespace {

std::atomic<int> list_fill{-2};
std::atomic<int64_t> list_compress_depth{0};

// Node byte limits for fill -1..-5, and the limit that also bounds a node
// under a positive (item count) fill: Redis's optimization_level and
// SIZE_SAFETY_LIMIT.
constexpr size_t kSizeLimits[] = {4096, 8192, 16384, 32768, 65536};
constexpr size_t kSafetyLimit = 8192;
// A list of at most this many nodes finds an index by walking node counts.
constexpr size_t kLinearNodes = 8;

size_t ByteLimit(int fill) { return fill < 0 ? kSizeLimits[-fill - 1] : kSafetyLimit; }

// True if a node of `count` items and `bytes` bytes is within the limits.
bool WithinLimits(size_t count, size_t bytes) {
  const int fill = list_fill.load(std::memory_order_relaxed);
  if (fill >= 0 && count > static_cast<size_t>(fill)) return false;
  return bytes <= ByteLimit(fill);
}

size_t VarintLen(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t EncodedSize(size_t len) { return 2 * VarintLen(len) + len; }

// Writes one item (see list.h) at p; returns the end.
char* PutItem(char* p, std::string_view item) {
  char len[10];
  size_t n = 0;
  for (size_t v = item.size();; v >>= 7) {
    len[n++] = static_cast<char>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
    if (v < 0x80) break;
  }
  std::memcpy(p, len, n);
  p += n;
  if (!item.empty()) std::memcpy(p, item.data(), item.size());
  p += item.size();
  for (size_t i = 0; i < n; ++i) *p++ = len[n - 1 - i];
  return p;
}

// Reads the item starting at p; returns the start of the next one.
const char* ReadItem(const char* p, std::string_view* item) {
  size_t len = 0;
  size_t n = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<uint8_t>(p[n++]);
    len |= size_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) break;
  }
  *item = std::string_view(p + n, len);
  return p + n + len + n;
}

// Reads the item ending at `end`; returns its start.
const char* ReadItemBefore(const char* end, std::string_view* item) {
  size_t len = 0;
  size_t n = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<uint8_t>(end[-1 - static_cast<ptrdiff_t>(n)]);
    ++n;
    len |= size_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) break;
  }
  *item = std::string_view(end - n - len, len);
  return end - n - len - n;
}

size_t Usable(const char* p) { return p == nullptr ? 0 : malloc_usable_size(const_cast<char*>(p)); }

}  // namespace

int ListObject::Fill() { return list_fill.load(std::memory_order_relaxed); }

int64_t ListObject::CompressDepth() { return list_compress_depth.load(std::memory_order_relaxed); }

void ListObject::SetLimits(int64_t fill, int64_t compress_depth) {
  fill = std::clamp<int64_t>(fill, -5, 1 << 15);
  if (fill == 0) fill = 1;
  list_fill.store(static_cast<int>(fill), std::memory_order_relaxed);
  list_compress_depth.store(compress_depth, std::memory_order_relaxed);
}

ListObject::~ListObject() {
  if (chain_ == nullptr) {
    std::free(one_.data);
    return;
  }
  for (size_t i = chain_->begin; i < chain_->slots.size(); ++i) std::free(chain_->slots[i].data);
  delete chain_;
}

bool ListObject::Accepts(const Node& n, size_t item_bytes) {
  return n.count == 0 || WithinLimits(n.count + 1, n.bytes + item_bytes);
}

void ListObject::Reserve(Node& n, size_t need) {
  const size_t cap = Usable(n.data);
  if (need <= cap) return;
  // Small buffers grow to fit (most lists are short: no slack), larger ones
  // by half, but not past the node limit a node will stay under.
  const size_t limit = ByteLimit(list_fill.load(std::memory_order_relaxed));
  size_t grow = need < 256 ? need : std::max(need, cap + cap / 2);
  if (need <= limit && grow > limit) grow = limit;
  char* p = static_cast<char*>(std::realloc(n.data, grow));
  if (p == nullptr) std::abort();
  n.data = p;
  if (chain_ != nullptr) chain_->heap = chain_->heap - cap + Usable(p);
}

void ListObject::FreeNode(Node& n) {
  if (chain_ != nullptr) chain_->heap -= Usable(n.data);
  std::free(n.data);
  n = Node{};
}

size_t ListObject::OffsetOf(const Node& n, size_t rank) {
  std::string_view item;
  if (rank <= n.count / 2) {
    const char* p = n.data;
    for (size_t i = 0; i < rank; ++i) p = ReadItem(p, &item);
    return static_cast<size_t>(p - n.data);
  }
  const char* p = n.data + n.bytes;
  for (size_t i = n.count; i > rank; --i) p = ReadItemBefore(p, &item);
  return static_cast<size_t>(p - n.data);
}

// ---- The index over node counts ----

void ListObject::InvalidateTree() {
  if (chain_ == nullptr) return;
  chain_->tree_ready = false;
  std::vector<int64_t>().swap(chain_->tree);
}

void ListObject::BuildTree() const {
  const std::vector<Node>& slots = chain_->slots;
  std::vector<int64_t>& tree = chain_->tree;
  const size_t n = slots.size();
  tree.assign(n, 0);
  for (size_t k = 1; k <= n; ++k) {
    tree[k - 1] += slots[k - 1].count;
    const size_t parent = k + (k & -k);
    if (parent <= n) tree[parent - 1] += tree[k - 1];
  }
  chain_->tree_ready = true;
}

void ListObject::AddCount(size_t slot, int64_t delta) {
  Node& n = at(slot);
  n.count = static_cast<uint32_t>(n.count + delta);
  size_ = static_cast<size_t>(static_cast<int64_t>(size_) + delta);
  if (!tree_ready()) return;
  std::vector<int64_t>& tree = chain_->tree;
  for (size_t k = slot + 1; k <= tree.size(); k += k & -k) tree[k - 1] += delta;
}

ListObject::Position ListObject::Locate(size_t index) const {
  if (chain_ == nullptr) return {0, index};
  if (!chain_->tree_ready && node_count() <= kLinearNodes) {
    if (index < size_ / 2) {
      for (size_t s = first();; ++s) {
        if (index < at(s).count) return {s, index};
        index -= at(s).count;
      }
    }
    size_t from_tail = size_ - 1 - index;
    for (size_t s = end_slot() - 1;; --s) {
      if (from_tail < at(s).count) return {s, at(s).count - 1 - from_tail};
      from_tail -= at(s).count;
    }
  }
  if (!chain_->tree_ready) BuildTree();
  // The last slot whose prefix sum is <= index: the slot after it holds it.
  const std::vector<int64_t>& tree = chain_->tree;
  const size_t n = tree.size();
  size_t pos = 0;
  auto rem = static_cast<int64_t>(index);
  for (size_t step = std::bit_floor(n); step > 0; step >>= 1) {
    if (pos + step <= n && tree[pos + step - 1] <= rem) {
      pos += step;
      rem -= tree[pos - 1];
    }
  }
  return {pos, static_cast<size_t>(rem)};
}

// ---- Nodes at the ends ----

void ListObject::Promote() {
  if (chain_ != nullptr) return;
  chain_ = new Chain();
  chain_->heap = Usable(one_.data);
  if (one_.count > 0) chain_->slots.push_back(one_);
  one_ = Node{};
}

void ListObject::Demote() {
  if (chain_ == nullptr || node_count() > 1) return;
  one_ = node_count() == 1 ? chain_->slots[chain_->begin] : Node{};
  delete chain_;
  chain_ = nullptr;
}

size_t ListObject::NewTailNode() {
  Promote();
  std::vector<Node>& slots = chain_->slots;
  slots.emplace_back();
  if (chain_->tree_ready) {
    // The new Fenwick cell k covers slots (k - lowbit(k), k]: all but the
    // new (empty) one are already summed by the cells below it.
    std::vector<int64_t>& tree = chain_->tree;
    const size_t k = slots.size();
    auto prefix = [&tree](size_t m) {
      int64_t s = 0;
      for (; m > 0; m -= m & -m) s += tree[m - 1];
      return s;
    };
    tree.push_back(prefix(k - 1) - prefix(k - (k & -k)));
  }
  return slots.size() - 1;
}

size_t ListObject::NewHeadNode() {
  Promote();
  if (chain_->begin == 0) {
    // Re-centre: a gap as large as the list, so that the next node_count()
    // heads cost nothing; the tree's slots move, so it is rebuilt later.
    const size_t live = node_count();
    const size_t gap = std::max<size_t>(live, 1);
    std::vector<Node> moved(gap + live);
    std::copy(chain_->slots.begin(), chain_->slots.end(),
              moved.begin() + static_cast<ptrdiff_t>(gap));
    chain_->slots = std::move(moved);
    chain_->begin = gap;
    InvalidateTree();
  }
  return --chain_->begin;
}

void ListObject::DropHeadNode() {
  FreeNode(chain_->slots[chain_->begin]);
  ++chain_->begin;
  if (chain_->begin > 16 && chain_->begin > 2 * node_count()) {
    // Popping at the head while pushing at the tail (a queue) moves the
    // nodes along: close the gap now and then, amortized O(1).
    chain_->slots.erase(chain_->slots.begin(),
                        chain_->slots.begin() + static_cast<ptrdiff_t>(chain_->begin));
    chain_->begin = 0;
    InvalidateTree();
  }
  Demote();
}

void ListObject::DropTailNode() {
  FreeNode(chain_->slots.back());
  chain_->slots.pop_back();
  if (chain_->tree_ready) chain_->tree.pop_back();
  Demote();
}

// ---- Changes ----

void ListObject::Push(End end, std::string_view item) {
  const size_t sz = EncodedSize(item.size());
  size_t slot;
  if (end == End::kRight) {
    if (chain_ == nullptr && Accepts(one_, sz)) {
      slot = 0;
    } else if (chain_ != nullptr && Accepts(chain_->slots.back(), sz)) {
      slot = chain_->slots.size() - 1;
    } else {
      slot = NewTailNode();
    }
    Node& n = at(slot);
    Reserve(n, n.bytes + sz);
    PutItem(n.data + n.bytes, item);
    n.bytes += static_cast<uint32_t>(sz);
  } else {
    if (chain_ == nullptr && Accepts(one_, sz)) {
      slot = 0;
    } else if (chain_ != nullptr && Accepts(chain_->slots[chain_->begin], sz)) {
      slot = chain_->begin;
    } else {
      slot = NewHeadNode();
    }
    Node& n = at(slot);
    Reserve(n, n.bytes + sz);
    if (n.bytes > 0) std::memmove(n.data + sz, n.data, n.bytes);
    PutItem(n.data, item);
    n.bytes += static_cast<uint32_t>(sz);
  }
  AddCount(slot, 1);
  payload_ += item.size();
}

size_t ListObject::Pop(End end, size_t count, std::vector<std::string>* out) {
  size_t popped = 0;
  std::string_view item;
  while (popped < count && size_ > 0) {
    const size_t slot = end == End::kLeft ? first() : end_slot() - 1;
    Node& n = at(slot);
    const size_t k = std::min<size_t>(count - popped, n.count);
    size_t lens = 0;
    if (end == End::kLeft) {
      const char* p = n.data;
      for (size_t i = 0; i < k; ++i) {
        p = ReadItem(p, &item);
        lens += item.size();
        if (out != nullptr) out->emplace_back(item);
      }
      const auto off = static_cast<size_t>(p - n.data);
      if (off < n.bytes) std::memmove(n.data, p, n.bytes - off);
      n.bytes -= static_cast<uint32_t>(off);
    } else {
      const char* p = n.data + n.bytes;
      for (size_t i = 0; i < k; ++i) {
        p = ReadItemBefore(p, &item);
        lens += item.size();
        if (out != nullptr) out->emplace_back(item);
      }
      n.bytes = static_cast<uint32_t>(p - n.data);
    }
    payload_ -= lens;
    popped += k;
    AddCount(slot, -static_cast<int64_t>(k));
    if (n.count == 0 && chain_ == nullptr) {
      FreeNode(one_);
    } else if (n.count == 0) {
      if (end == End::kLeft) {
        DropHeadNode();
      } else {
        DropTailNode();
      }
    }
  }
  return popped;
}

std::optional<std::string_view> ListObject::Index(int64_t index) const {
  if (index < 0) index += static_cast<int64_t>(size_);
  if (index < 0 || index >= static_cast<int64_t>(size_)) return std::nullopt;
  const Position pos = Locate(static_cast<size_t>(index));
  const Node& n = at(pos.slot);
  std::string_view item;
  ReadItem(n.data + OffsetOf(n, pos.rank), &item);
  return item;
}

bool ListObject::Set(int64_t index, std::string_view value) {
  if (index < 0) index += static_cast<int64_t>(size_);
  if (index < 0 || index >= static_cast<int64_t>(size_)) return false;
  const Position pos = Locate(static_cast<size_t>(index));
  Node& n = at(pos.slot);
  const size_t off = OffsetOf(n, pos.rank);
  std::string_view old;
  ReadItem(n.data + off, &old);
  const size_t old_sz = EncodedSize(old.size());
  const size_t new_sz = EncodedSize(value.size());
  payload_ = payload_ - old.size() + value.size();
  if (new_sz > old_sz) Reserve(n, n.bytes - old_sz + new_sz);
  std::memmove(n.data + off + new_sz, n.data + off + old_sz, n.bytes - off - old_sz);
  PutItem(n.data + off, value);
  n.bytes = static_cast<uint32_t>(n.bytes - old_sz + new_sz);
  SplitIfOver(pos.slot);
  return true;
}

void ListObject::Insert(size_t index, std::string_view value) {
  if (index == 0) return Push(End::kLeft, value);
  if (index >= size_) return Push(End::kRight, value);
  const Position pos = Locate(index);
  Node& n = at(pos.slot);
  const size_t off = OffsetOf(n, pos.rank);
  const size_t sz = EncodedSize(value.size());
  Reserve(n, n.bytes + sz);
  std::memmove(n.data + off + sz, n.data + off, n.bytes - off);
  PutItem(n.data + off, value);
  n.bytes += static_cast<uint32_t>(sz);
  payload_ += value.size();
  AddCount(pos.slot, 1);
  SplitIfOver(pos.slot);
}

void ListObject::SplitIfOver(size_t slot) {
  {
    const Node& n = at(slot);
    if (n.count <= 1 || WithinLimits(n.count, n.bytes)) return;
  }
  Promote();  // a single node is slot 0 of the chain
  // Split at the middle byte, keeping at least one item on each side.
  Node& n = at(slot);
  const char* p = n.data;
  std::string_view item;
  size_t k = 0;
  while (k < n.count - 1 && (k == 0 || static_cast<size_t>(p - n.data) < n.bytes / 2)) {
    p = ReadItem(p, &item);
    ++k;
  }
  const auto off = static_cast<size_t>(p - n.data);
  Node tail;
  Reserve(tail, n.bytes - off);
  std::memcpy(tail.data, p, n.bytes - off);
  tail.bytes = static_cast<uint32_t>(n.bytes - off);
  tail.count = static_cast<uint32_t>(n.count - k);
  n.bytes = static_cast<uint32_t>(off);
  n.count = static_cast<uint32_t>(k);
  // Give back what the first half no longer needs.
  const size_t cap = Usable(n.data);
  if (char* q = static_cast<char*>(std::realloc(n.data, off)); q != nullptr) {
    n.data = q;
    chain_->heap = chain_->heap - cap + Usable(q);
  }
  chain_->slots.insert(chain_->slots.begin() + static_cast<ptrdiff_t>(slot) + 1, tail);
  InvalidateTree();
  SplitIfOver(slot + 1);
  SplitIfOver(slot);
}

void ListObject::Compact() {
  if (chain_ == nullptr) {
    if (one_.count == 0) FreeNode(one_);
    return;
  }
  std::vector<Node> kept;
  kept.reserve(node_count());
  for (size_t s = chain_->begin; s < chain_->slots.size(); ++s) {
    Node& n = chain_->slots[s];
    if (n.count == 0) {
      FreeNode(n);
      continue;
    }
    if (!kept.empty() && WithinLimits(kept.back().count + n.count, kept.back().bytes + n.bytes)) {
      Node& into = kept.back();
      Reserve(into, into.bytes + n.bytes);
      std::memcpy(into.data + into.bytes, n.data, n.bytes);
      into.bytes += n.bytes;
      into.count += n.count;
      FreeNode(n);
      continue;
    }
    kept.push_back(n);
  }
  chain_->slots = std::move(kept);
  chain_->begin = 0;
  InvalidateTree();
  Demote();
}

int64_t ListObject::Find(std::string_view item) const {
  int64_t found = -1;
  if (size_ == 0) return found;
  Walk(0, true, [&](std::string_view v, size_t i) {
    if (v != item) return true;
    found = static_cast<int64_t>(i);
    return false;
  });
  return found;
}

size_t ListObject::Remove(int64_t count, std::string_view item) {
  const bool from_tail = count < 0;
  const size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(count < 0 ? -count : count);
  size_t removed = 0;
  std::string_view v;
  const size_t nodes = node_count();
  for (size_t i = 0; i < nodes && removed < limit; ++i) {
    const size_t slot = from_tail ? end_slot() - 1 - i : first() + i;
    Node& n = at(slot);
    // From the tail, the node's last matches go: skip the first ones.
    size_t skip = 0;
    size_t take = limit - removed;
    if (from_tail) {
      size_t matches = 0;
      for (const char* p = n.data; p < n.data + n.bytes;) {
        p = ReadItem(p, &v);
        matches += v == item ? 1 : 0;
      }
      take = std::min(take, matches);
      skip = matches - take;
    }
    if (take == 0) continue;
    char* w = n.data;
    size_t gone = 0;
    for (const char* p = n.data; p < n.data + n.bytes;) {
      const char* next = ReadItem(p, &v);
      const auto len = static_cast<size_t>(next - p);
      bool drop = false;
      if (v == item && gone < take) {
        if (skip > 0) {
          --skip;
        } else {
          drop = true;
        }
      }
      if (drop) {
        ++gone;
        payload_ -= v.size();
      } else {
        if (w != p) std::memmove(w, p, len);
        w += len;
      }
      p = next;
    }
    n.bytes = static_cast<uint32_t>(w - n.data);
    n.count -= static_cast<uint32_t>(gone);
    size_ -= gone;
    removed += gone;
  }
  if (removed > 0) Compact();
  return removed;
}

void ListObject::Trim(int64_t start, int64_t stop) {
  const auto len = static_cast<int64_t>(size_);
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  size_t ltrim, rtrim;
  if (start > stop || start >= len) {
    ltrim = size_;  // everything goes
    rtrim = 0;
  } else {
    if (stop >= len) stop = len - 1;
    ltrim = static_cast<size_t>(start);
    rtrim = static_cast<size_t>(len - stop - 1);
  }
  Pop(End::kLeft, ltrim);
  Pop(End::kRight, rtrim);
}

void ListObject::Walk(size_t from, bool forward,
                      absl::FunctionRef<bool(std::string_view, size_t)> fn) const {
  if (from >= size_) return;
  const Position pos = Locate(from);
  std::string_view item;
  size_t index = from;
  if (forward) {
    size_t off = OffsetOf(at(pos.slot), pos.rank);
    for (size_t s = pos.slot; s < end_slot(); ++s, off = 0) {
      const Node& n = at(s);
      for (const char* p = n.data + off; p < n.data + n.bytes;) {
        p = ReadItem(p, &item);
        if (!fn(item, index++)) return;
      }
    }
    return;
  }
  const Node& start = at(pos.slot);
  std::string_view unused;
  size_t end =
      static_cast<size_t>(ReadItem(start.data + OffsetOf(start, pos.rank), &unused) - start.data);
  for (size_t s = pos.slot + 1; s-- > first();) {
    const Node& n = at(s);
    if (s != pos.slot) end = n.bytes;
    for (const char* p = n.data + end; p > n.data;) {
      p = ReadItemBefore(p, &item);
      if (!fn(item, index--)) return;
    }
  }
}

// ---- Object ----

std::vector<uint32_t> ListObject::node_sizes() const {
  std::vector<uint32_t> out;
  for (size_t s = first(); s < end_slot(); ++s) out.push_back(at(s).count);
  return out;
}

size_t ListObject::MemoryUsage() const {
  if (chain_ == nullptr) return sizeof(*this) + Usable(one_.data);
  return sizeof(*this) + sizeof(Chain) + chain_->slots.capacity() * sizeof(Node) +
         chain_->tree.capacity() * sizeof(int64_t) + chain_->heap;
}

Object* ListObject::Clone() const {
  auto* copy = new ListObject();
  auto copy_node = [copy](const Node& n) {
    Node c;
    copy->Reserve(c, n.bytes);
    std::memcpy(c.data, n.data, n.bytes);
    c.bytes = n.bytes;
    c.count = n.count;
    return c;
  };
  if (chain_ == nullptr) {
    if (one_.count > 0) copy->one_ = copy_node(one_);
  } else {
    copy->chain_ = new Chain();
    copy->chain_->slots.reserve(node_count());
    for (size_t s = first(); s < end_slot(); ++s) copy->chain_->slots.push_back(copy_node(at(s)));
  }
  copy->size_ = size_;
  copy->payload_ = payload_;
  return copy;
}

void ListObject::Serialize(std::string* out) const {
  codec::PutVarint(out, size_);
  if (size_ == 0) return;
  Walk(0, true, [out](std::string_view item, size_t) {
    codec::PutBytes(out, item);
    return true;
  });
}

ListObject* ListObject::Deserialize(std::string_view data) {
  codec::ByteReader in(data);
  uint64_t n = 0;
  if (!in.Varint(&n)) return nullptr;
  auto* list = new ListObject();
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view item;
    if (!in.Bytes(&item)) {
      list->Unref();
      return nullptr;
    }
    list->Push(End::kRight, item);
  }
  if (!in.done()) {
    list->Unref();
    return nullptr;
  }
  return list;
}

void ListObject::ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const {
  if (size_ == 0) return;
  Walk(0, true, [&fn](std::string_view item, size_t i) {
    fn(ElementView{item, {}, 0, static_cast<int64_t>(i)});
    return true;
  });
}

bool ListObject::ApplyDelta(uint8_t op, std::span<const std::string_view> args) {
  switch (op) {
    case kPushLeft:
    case kPushRight:
      if (args.empty()) return false;
      for (std::string_view item : args) Push(op == kPushLeft ? End::kLeft : End::kRight, item);
      return true;
    case kPopLeft:
    case kPopRight: {
      if (args.size() != 1) return false;
      auto count = ParseInt64(args[0]);
      if (!count || *count < 0 || static_cast<uint64_t>(*count) > size_) return false;
      Pop(op == kPopLeft ? End::kLeft : End::kRight, static_cast<size_t>(*count));
      return true;
    }
    case kSet: {
      if (args.size() != 2) return false;
      auto index = ParseInt64(args[0]);
      return index && *index >= 0 && Set(*index, args[1]);
    }
    case kInsert: {
      if (args.size() != 2) return false;
      auto index = ParseInt64(args[0]);
      if (!index || *index < 0 || static_cast<uint64_t>(*index) > size_) return false;
      Insert(static_cast<size_t>(*index), args[1]);
      return true;
    }
    case kRemove: {
      if (args.size() != 2) return false;
      auto count = ParseInt64(args[0]);
      if (!count) return false;
      Remove(*count, args[1]);
      return true;
    }
    case kTrim: {
      if (args.size() != 2) return false;
      auto start = ParseInt64(args[0]);
      auto stop = ParseInt64(args[1]);
      if (!start || !stop) return false;
      Trim(*start, *stop);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace stashd::store
