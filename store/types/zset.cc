#include "store/types/zset.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <vector>

#include "store/codec.h"
#include "store/string_ops.h"
#include "store/types/probe_index.h"

namespace stashd::store {
namespace {

std::atomic<size_t> max_compact_entries{128};
std::atomic<size_t> max_compact_value{64};

void PutScore(std::string* out, double score) {
  char b[sizeof(double)];
  std::memcpy(b, &score, sizeof(b));
  out->append(b, sizeof(b));
}

double GetScore(const char* p) {
  double d;
  std::memcpy(&d, p, sizeof(d));
  return d;
}

// (score, member) order, members compared as bytes (string_view compares
// chars as unsigned, like memcmp).
bool Less(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

}  // namespace

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out) {
  auto bound = [](std::string_view s, double* v, bool* exclusive) {
    *exclusive = !s.empty() && s[0] == '(';
    if (*exclusive) s.remove_prefix(1);
    const std::string text(s);  // strtod needs a terminator
    char* end = nullptr;
    *v = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && !std::isnan(*v);
  };
  return bound(min, &out->min, &out->min_exclusive) && bound(max, &out->max, &out->max_exclusive);
}

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out) {
  auto item = [](std::string_view s, LexBound* b) {
    if (s.empty()) return false;
    switch (s[0]) {
      case '+':
      case '-':
        if (s.size() != 1) return false;
        b->kind = s[0] == '+' ? LexBound::kPlusInf : LexBound::kMinusInf;
        return true;
      case '(':
      case '[':
        b->kind = s[0] == '(' ? LexBound::kExclusive : LexBound::kInclusive;
        b->value = s.substr(1);
        return true;
      default:
        return false;
    }
  };
  return item(min, &out->min) && item(max, &out->max);
}

// ---- The skip list (Pugh's, with spans for ranks, as Redis's zskiplist) ----

class ZSetObject::SkipList {
 public:
  static constexpr int kMaxLevel = 32;

  // A node is one allocation: this header, then `level` forward pointers,
  // `level` spans, then the member's bytes.
  struct Node {
    double score;
    Node* backward;
    uint32_t len;
    uint8_t level;

    Node** forward() { return reinterpret_cast<Node**>(this + 1); }
    Node* const* forward() const { return reinterpret_cast<Node* const*>(this + 1); }
    uint32_t* span() { return reinterpret_cast<uint32_t*>(forward() + level); }
    const uint32_t* span() const { return reinterpret_cast<const uint32_t*>(forward() + level); }
    const char* data() const {
      return reinterpret_cast<const char*>(reinterpret_cast<const uint32_t*>(forward() + level) +
                                           level);
    }
    std::string_view member() const { return std::string_view(data(), len); }
    static size_t Bytes(int level, size_t len) {
      return sizeof(Node) + level * (sizeof(Node*) + sizeof(uint32_t)) + len;
    }
  };
  static_assert(sizeof(Node) % alignof(Node*) == 0);

  // The index finds a node by its member.
  struct KeyOf {
    std::string_view operator()(const Node* n) const { return n->member(); }
  };

  SkipList() { header_ = NewNode(kMaxLevel, 0, {}); }
  ~SkipList() {
    Node* x = header_->forward()[0];
    while (x != nullptr) {
      Node* next = x->forward()[0];
      FreeNode(x);
      x = next;
    }
    FreeNode(header_);
  }
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  size_t size() const { return length_; }
  size_t MemoryUsage() const { return sizeof(*this) + node_bytes_ + index_.Bytes(); }
  void Reserve(size_t n) { index_.Reserve(n, KeyOf()); }

  const Node* Find(std::string_view member) const {
    Node* const* slot = index_.Find(member, KeyOf());
    return slot == nullptr ? nullptr : *slot;
  }

  // ZSCAN: fn(node) for about `count` nodes from `cursor` on, through the
  // index's dictScan cursor (ProbeIndex::Scan); returns the next cursor.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, const Fn& fn) const {
    return index_.Scan(cursor, count, KeyOf(), fn);
  }

  // Inserts a member known to be absent.
  void Insert(std::string_view member, double score) {
    Node* x = NewNode(RandomLevel(), score, member);
    Link(x);
    index_.Insert(x, x->member(), KeyOf());
  }

  // Changes the score of `node` (a node of this list).
  void Update(const Node* node, double score) {
    Node* x = const_cast<Node*>(node);
    Node* prev = x->backward;
    Node* next = x->forward()[0];
    if ((prev == nullptr || Less(prev->score, prev->member(), score, x->member())) &&
        (next == nullptr || Less(score, x->member(), next->score, next->member()))) {
      x->score = score;  // stays in place
      return;
    }
    Node* update[kMaxLevel];
    FindPredecessors(x->score, x->member(), update, nullptr);
    Unlink(x, update);
    x->score = score;
    Link(x);
  }

  bool Remove(std::string_view member) {
    Node* x = index_.Erase(member, KeyOf());
    if (x == nullptr) return false;
    Node* update[kMaxLevel];
    FindPredecessors(x->score, x->member(), update, nullptr);
    Unlink(x, update);
    FreeNode(x);
    return true;
  }

  // 0-based rank of `node`.
  size_t RankOf(const Node* node) const {
    size_t rank = 0;
    const Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      while (
          x->forward()[i] != nullptr &&
          !Less(node->score, node->member(), x->forward()[i]->score, x->forward()[i]->member())) {
        rank += x->span()[i];
        x = x->forward()[i];
      }
      if (x == node) return rank - 1;
    }
    return rank - 1;  // not reached for a node of this list
  }

  template <typename Below>
  size_t CountBelow(Below below) const {
    size_t rank = 0;
    const Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->forward()[i] != nullptr && below(x->forward()[i])) {
        rank += x->span()[i];
        x = x->forward()[i];
      }
    }
    return rank;
  }

  // The node at 0-based `rank` (< size()).
  const Node* At(size_t rank) const {
    const size_t target = rank + 1;
    size_t traversed = 0;
    const Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->forward()[i] != nullptr && traversed + x->span()[i] <= target) {
        traversed += x->span()[i];
        x = x->forward()[i];
      }
      if (traversed == target) return x;
    }
    return nullptr;
  }
  const Node* First() const { return header_->forward()[0]; }

  void RemoveRange(size_t first, size_t last, absl::FunctionRef<void(std::string_view)> fn) {
    Node* update[kMaxLevel];
    size_t traversed = 0;
    Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->forward()[i] != nullptr && traversed + x->span()[i] <= first) {
        traversed += x->span()[i];
        x = x->forward()[i];
      }
      update[i] = x;
    }
    x = x->forward()[0];
    for (size_t n = last - first + 1; n > 0 && x != nullptr; --n) {
      Node* next = x->forward()[0];
      fn(x->member());
      index_.Erase(x->member(), KeyOf());
      Unlink(x, update);
      FreeNode(x);
      x = next;
    }
  }

 private:
  Node* NewNode(int level, double score, std::string_view member) {
    const size_t bytes = Node::Bytes(level, member.size());
    Node* x = static_cast<Node*>(::operator new(bytes));
    x->score = score;
    x->backward = nullptr;
    x->len = static_cast<uint32_t>(member.size());
    x->level = static_cast<uint8_t>(level);
    for (int i = 0; i < level; ++i) {
      x->forward()[i] = nullptr;
      x->span()[i] = 0;
    }
    if (!member.empty()) std::memcpy(const_cast<char*>(x->data()), member.data(), member.size());
    node_bytes_ += MallocBytes(bytes);
    return x;
  }
  void FreeNode(Node* x) {
    node_bytes_ -= MallocBytes(Node::Bytes(x->level, x->len));
    ::operator delete(x);
  }

  static int RandomLevel() {
    // P(level > k) = 4^-k, as Redis (ZSKIPLIST_P = 0.25).
    thread_local std::mt19937_64 rng{0x5eed2e7};
    const uint64_t r = rng() | (uint64_t{1} << 62);
    const int level = 1 + std::countr_zero(r) / 2;
    return level < kMaxLevel ? level : kMaxLevel;
  }

  // update[i]: the last node at level i before (score, member); rank[i] its rank.
  void FindPredecessors(double score, std::string_view member, Node** update, size_t* rank) const {
    Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      if (rank != nullptr) rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
      while (x->forward()[i] != nullptr &&
             Less(x->forward()[i]->score, x->forward()[i]->member(), score, member)) {
        if (rank != nullptr) rank[i] += x->span()[i];
        x = x->forward()[i];
      }
      update[i] = x;
    }
  }

  void Link(Node* x) {
    Node* update[kMaxLevel];
    size_t rank[kMaxLevel];
    FindPredecessors(x->score, x->member(), update, rank);
    const int level = x->level;
    if (level > level_) {
      for (int i = level_; i < level; ++i) {
        rank[i] = 0;
        update[i] = header_;
        header_->span()[i] = static_cast<uint32_t>(length_);
      }
      level_ = level;
    }
    for (int i = 0; i < level; ++i) {
      x->forward()[i] = update[i]->forward()[i];
      update[i]->forward()[i] = x;
      x->span()[i] = static_cast<uint32_t>(update[i]->span()[i] - (rank[0] - rank[i]));
      update[i]->span()[i] = static_cast<uint32_t>(rank[0] - rank[i] + 1);
    }
    for (int i = level; i < level_; ++i) update[i]->span()[i]++;
    x->backward = update[0] == header_ ? nullptr : update[0];
    if (x->forward()[0] != nullptr) {
      x->forward()[0]->backward = x;
    } else {
      tail_ = x;
    }
    ++length_;
  }

  void Unlink(Node* x, Node** update) {
    for (int i = 0; i < level_; ++i) {
      if (update[i]->forward()[i] == x) {
        update[i]->span()[i] += x->span()[i] - 1;
        update[i]->forward()[i] = x->forward()[i];
      } else {
        update[i]->span()[i] -= 1;
      }
    }
    if (x->forward()[0] != nullptr) {
      x->forward()[0]->backward = x->backward;
    } else {
      tail_ = x->backward;
    }
    while (level_ > 1 && header_->forward()[level_ - 1] == nullptr) --level_;
    --length_;
  }

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  size_t node_bytes_ = 0;
  ProbeIndex<Node*> index_;

 public:
  size_t payload = 0;  // sum of EntryPayload, kept by ZSetObject
};

// ---- ZSetObject ----

ZSetObject::ZSetObject() : Object(ValueType::kZSet) {}
ZSetObject::~ZSetObject() { delete list_; }

size_t ZSetObject::Size() const { return list_ != nullptr ? list_->size() : compact_size_; }

size_t ZSetObject::PayloadBytes() const {
  return list_ != nullptr ? list_->payload : compact_payload_;
}

void ZSetObject::Adjust(int64_t members, int64_t bytes) {
  if (list_ != nullptr) {
    list_->payload = static_cast<size_t>(static_cast<int64_t>(list_->payload) + bytes);
    return;
  }
  compact_size_ = static_cast<uint32_t>(compact_size_ + members);
  compact_payload_ = static_cast<uint32_t>(compact_payload_ + bytes);
}

void ZSetObject::SetLimits(size_t max_entries, size_t max_value) {
  max_compact_entries.store(max_entries, std::memory_order_relaxed);
  max_compact_value.store(max_value, std::memory_order_relaxed);
}
size_t ZSetObject::MaxCompactEntries() {
  return max_compact_entries.load(std::memory_order_relaxed);
}
size_t ZSetObject::MaxCompactValue() { return max_compact_value.load(std::memory_order_relaxed); }

ZSetObject::Entry ZSetObject::EntryAt(size_t pos) const {
  codec::ByteReader in(compact_.view().substr(pos));
  Entry e;
  e.begin = pos;
  in.Bytes(&e.member);  // the buffer is ours: well formed
  const size_t score_at = static_cast<size_t>(e.member.data() + e.member.size() - compact_.data());
  e.score = GetScore(compact_.data() + score_at);
  e.end = score_at + sizeof(double);
  return e;
}

std::optional<ZSetObject::Entry> ZSetObject::FindEntry(std::string_view member) const {
  for (size_t pos = 0; pos < compact_.size();) {
    Entry e = EntryAt(pos);
    if (e.member == member) return e;
    pos = e.end;
  }
  return std::nullopt;
}

void ZSetObject::ConvertToSkipList() {
  auto* list = new SkipList();
  list->Reserve(compact_size_ + 1);
  for (size_t pos = 0; pos < compact_.size();) {
    Entry e = EntryAt(pos);
    list->Insert(e.member, e.score);
    pos = e.end;
  }
  list->payload = compact_payload_;
  list_ = list;
  compact_.Clear();
  compact_size_ = 0;
  compact_payload_ = 0;
}

void ZSetObject::UseSkipList() {
  if (list_ == nullptr) ConvertToSkipList();
}

void ZSetObject::CompactIfFits() {
  if (list_ == nullptr || list_->size() > MaxCompactEntries()) return;
  size_t longest = 0;
  for (const SkipList::Node* n = list_->First(); n != nullptr; n = n->forward()[0]) {
    longest = std::max<size_t>(longest, n->len);
  }
  if (longest > MaxCompactValue()) return;
  std::string buf;
  for (const SkipList::Node* n = list_->First(); n != nullptr; n = n->forward()[0]) {
    codec::PutBytes(&buf, n->member());
    PutScore(&buf, n->score == 0 ? 0.0 : n->score);  // -0 as 0, as in Set
  }
  compact_size_ = static_cast<uint32_t>(list_->size());
  compact_payload_ = static_cast<uint32_t>(list_->payload);
  compact_.Assign(buf);
  delete list_;
  list_ = nullptr;
}

std::optional<double> ZSetObject::Score(std::string_view member) const {
  if (list_ != nullptr) {
    const SkipList::Node* n = list_->Find(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }
  auto e = FindEntry(member);
  if (!e) return std::nullopt;
  return e->score;
}

bool ZSetObject::Set(std::string_view member, double score) {
  if (list_ == nullptr && member.size() > MaxCompactValue()) ConvertToSkipList();
  if (list_ != nullptr) {
    if (const SkipList::Node* n = list_->Find(member)) {
      if (n->score != score) list_->Update(n, score);
      return false;
    }
    list_->Insert(member, score);
    Adjust(1, static_cast<int64_t>(EntryPayload(member)));
    return true;
  }
  // Redis's listpack keeps an integral score as an integer, so -0 reads
  // back as 0 there (and stays -0 in its skip list): the same here.
  if (score == 0) score = 0.0;
  bool existed = false;
  if (auto e = FindEntry(member)) {
    if (e->score == score) return false;
    compact_.Splice(e->begin, e->end - e->begin, {});
    existed = true;
  } else if (compact_size_ + 1 > MaxCompactEntries()) {
    ConvertToSkipList();
    return Set(member, score);
  }
  size_t pos = 0;
  while (pos < compact_.size()) {
    Entry e = EntryAt(pos);
    if (Less(score, member, e.score, e.member)) break;
    pos = e.end;
  }
  std::string entry;
  codec::PutBytes(&entry, member);
  PutScore(&entry, score);
  compact_.Splice(pos, 0, entry);
  if (!existed) {
    Adjust(1, static_cast<int64_t>(EntryPayload(member)));
  }
  return !existed;
}

bool ZSetObject::Remove(std::string_view member) {
  if (list_ != nullptr) {
    if (!list_->Remove(member)) return false;
  } else {
    auto e = FindEntry(member);
    if (!e) return false;
    compact_.Splice(e->begin, e->end - e->begin, {});
  }
  Adjust(-1, -static_cast<int64_t>(EntryPayload(member)));
  return true;
}

std::optional<size_t> ZSetObject::Rank(std::string_view member) const {
  if (list_ != nullptr) {
    const SkipList::Node* n = list_->Find(member);
    if (n == nullptr) return std::nullopt;
    return list_->RankOf(n);
  }
  size_t rank = 0;
  for (size_t pos = 0; pos < compact_.size(); ++rank) {
    Entry e = EntryAt(pos);
    if (e.member == member) return rank;
    pos = e.end;
  }
  return std::nullopt;
}

size_t ZSetObject::CountBelowScore(double score, bool inclusive) const {
  if (list_ != nullptr) {
    return list_->CountBelow([&](const SkipList::Node* n) {
      return n->score < score || (inclusive && n->score == score);
    });
  }
  size_t count = 0;
  for (size_t pos = 0; pos < compact_.size(); ++count) {
    Entry e = EntryAt(pos);
    if (!(e.score < score || (inclusive && e.score == score))) break;
    pos = e.end;
  }
  return count;
}

size_t ZSetObject::CountBelowLex(std::string_view member, bool inclusive) const {
  if (list_ != nullptr) {
    return list_->CountBelow([&](const SkipList::Node* n) {
      const int c = n->member().compare(member);
      return c < 0 || (inclusive && c == 0);
    });
  }
  size_t count = 0;
  for (size_t pos = 0; pos < compact_.size(); ++count) {
    Entry e = EntryAt(pos);
    const int c = e.member.compare(member);
    if (!(c < 0 || (inclusive && c == 0))) break;
    pos = e.end;
  }
  return count;
}

std::pair<size_t, size_t> ZSetObject::RanksOf(const ScoreRange& range) const {
  return {CountBelowScore(range.min, range.min_exclusive),
          CountBelowScore(range.max, !range.max_exclusive)};
}

std::pair<size_t, size_t> ZSetObject::RanksOf(const LexRange& range) const {
  // How many members are below a bound; `upper`: the bound ends the range.
  auto below = [&](const LexBound& b, bool upper) -> size_t {
    switch (b.kind) {
      case LexBound::kMinusInf:
        return 0;
      case LexBound::kPlusInf:
        return Size();
      case LexBound::kInclusive:
        return CountBelowLex(b.value, upper);
      case LexBound::kExclusive:
        return CountBelowLex(b.value, !upper);
    }
    return 0;
  };
  return {below(range.min, false), below(range.max, true)};
}

void ZSetObject::ForEachInRange(const ScoreRange& range,
                                absl::FunctionRef<bool(std::string_view, double)> fn) const {
  auto [first, end] = RanksOf(range);
  if (first < end) ForRange(first, end - 1, false, fn);
}

void ZSetObject::ForRange(size_t first, size_t last, bool reverse,
                          absl::FunctionRef<bool(std::string_view, double)> fn) const {
  if (list_ != nullptr) {
    const SkipList::Node* n = list_->At(reverse ? last : first);
    for (size_t i = first; i <= last && n != nullptr; ++i) {
      if (!fn(n->member(), n->score)) return;
      n = reverse ? n->backward : n->forward()[0];
    }
    return;
  }
  if (!reverse) {
    size_t rank = 0;
    for (size_t pos = 0; pos < compact_.size() && rank <= last; ++rank) {
      Entry e = EntryAt(pos);
      if (rank >= first && !fn(e.member, e.score)) return;
      pos = e.end;
    }
    return;
  }
  std::vector<Entry> entries;  // at most zset-max-listpack-entries
  entries.reserve(last + 1);
  for (size_t pos = 0; pos < compact_.size() && entries.size() <= last;) {
    entries.push_back(EntryAt(pos));
    pos = entries.back().end;
  }
  for (size_t i = std::min(last + 1, entries.size()); i > first; --i) {
    if (!fn(entries[i - 1].member, entries[i - 1].score)) return;
  }
}

void ZSetObject::RemoveRange(size_t first, size_t last,
                             absl::FunctionRef<void(std::string_view)> fn) {
  if (list_ != nullptr) {
    list_->RemoveRange(first, last, [&](std::string_view member) {
      fn(member);
      Adjust(-1, -static_cast<int64_t>(EntryPayload(member)));
    });
    return;
  }
  size_t begin = 0, end = 0, rank = 0;
  for (size_t pos = 0; pos < compact_.size() && rank <= last; ++rank) {
    Entry e = EntryAt(pos);
    if (rank == first) begin = e.begin;
    if (rank >= first) {
      fn(e.member);
      Adjust(-1, -static_cast<int64_t>(EntryPayload(e.member)));
      end = e.end;
    }
    pos = e.end;
  }
  if (end > begin) {
    // Rebuilt rather than spliced: GCC misreads the inlined erase here
    // (-Wstringop-overflow), and the buffer is small.
    const std::string_view all = compact_.view();
    std::string rest(all.substr(0, begin));
    rest.append(all.substr(end));
    compact_.Assign(rest);
  }
}

size_t ZSetObject::MemoryUsage() const {
  if (list_ == nullptr) return sizeof(*this) + compact_.AllocBytes();
  return sizeof(*this) + list_->MemoryUsage();
}

Object* ZSetObject::Clone() const {
  auto* copy = new ZSetObject();
  if (list_ == nullptr) {
    copy->compact_.Assign(compact_.view());
    copy->compact_size_ = compact_size_;
    copy->compact_payload_ = compact_payload_;
    return copy;
  }
  copy->list_ = new SkipList();
  copy->list_->Reserve(Size());
  for (const SkipList::Node* n = list_->First(); n != nullptr; n = n->forward()[0]) {
    copy->list_->Insert(n->member(), n->score);
  }
  copy->list_->payload = list_->payload;
  return copy;
}

void ZSetObject::Serialize(std::string* out) const {
  codec::PutVarint(out, Size());
  if (list_ == nullptr) {
    out->append(compact_.view());  // the same (member, score) encoding
    return;
  }
  for (const SkipList::Node* n = list_->First(); n != nullptr; n = n->forward()[0]) {
    codec::PutBytes(out, n->member());
    PutScore(out, n->score);
  }
}

ZSetObject* ZSetObject::Deserialize(std::string_view data) {
  codec::ByteReader in(data);
  uint64_t n = 0;
  if (!in.Varint(&n)) return nullptr;
  auto* z = new ZSetObject();
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view member;
    uint64_t bits = 0;
    if (!in.Bytes(&member) || !in.Fixed64(&bits) || std::isnan(std::bit_cast<double>(bits))) {
      z->Unref();
      return nullptr;
    }
    z->Set(member, std::bit_cast<double>(bits));
  }
  if (!in.done()) {
    z->Unref();
    return nullptr;
  }
  return z;
}

void ZSetObject::ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const {
  if (Size() == 0) return;
  ForRange(0, Size() - 1, false, [&](std::string_view member, double score) {
    fn(ElementView{member, {}, score, 0});
    return true;
  });
}

uint64_t ZSetObject::Scan(uint64_t cursor, size_t count,
                          absl::FunctionRef<void(std::string_view member, double score)> fn) const {
  if (list_ != nullptr) {
    return list_->Scan(cursor, count, [&](const SkipList::Node* n) { fn(n->member(), n->score); });
  }
  for (size_t pos = 0; pos < compact_.size();) {
    Entry e = EntryAt(pos);
    fn(e.member, e.score);
    pos = e.end;
  }
  return 0;
}

bool ZSetObject::ApplyDelta(uint8_t op, std::span<const std::string_view> args) {
  switch (op) {
    case kAdd: {
      if (args.empty() || args.size() % 2 != 0) return false;
      std::vector<double> scores;
      scores.reserve(args.size() / 2);
      for (size_t i = 0; i < args.size(); i += 2) {
        auto score = ParseDouble(args[i + 1]);
        if (!score) return false;
        scores.push_back(*score);
      }
      for (size_t i = 0; i < args.size(); i += 2) Set(args[i], scores[i / 2]);
      return true;
    }
    case kRemove:
      for (std::string_view member : args) Remove(member);
      return true;
    default:
      return false;
  }
}

}  // namespace stashd::store
static_assert(sizeof(stashd::store::ZSetObject) <= 40, "a small sorted set stays small");
