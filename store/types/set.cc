#include "store/types/set.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <new>

#include "store/codec.h"
#include "store/string_ops.h"
#include "store/types/probe_index.h"

namespace stashd::store {
namespace {

std::atomic<size_t> max_intset_entries{512};

}  // namespace

// The hashtable encoding (see set.h). Members are 16-byte records: up to 15
// bytes inline (the first byte holds the length), a longer member as a
// length and a pointer, into an arena of chunks for members up to
// kArenaMemberMax bytes (no per-member allocation header) or to its own
// allocation beyond. Removing an arena member leaves a hole; the arena is
// compacted once holes outweigh the live bytes, so its cost stays within
// twice the data.
class SetTable {
 public:
  SetTable() = default;
  SetTable(const SetTable& other) {
    Reserve(other.members_.size());
    for (const Member& m : other.members_) Insert(other.View(m));
  }
  SetTable& operator=(const SetTable&) = delete;
  ~SetTable() {
    for (Member& m : members_) FreeOwn(m);
  }

  size_t size() const { return members_.size(); }
  size_t payload() const { return payload_; }
  std::string_view At(size_t i) const { return View(members_[i]); }

  void Reserve(size_t n) {
    members_.reserve(n);
    index_.Reserve(n, KeyOf{this});
  }

  bool Contains(std::string_view m) const { return index_.Find(m, KeyOf{this}) != nullptr; }

  bool Insert(std::string_view m) {
    if (!index_.Insert(static_cast<uint32_t>(members_.size() + 1), m, KeyOf{this})) return false;
    members_.push_back(Store(m));
    payload_ += m.size();
    return true;
  }

  bool Erase(std::string_view m) {
    const uint32_t slot = index_.Erase(m, KeyOf{this});
    if (slot == 0) return false;
    const size_t idx = slot - 1;
    payload_ -= m.size();
    const size_t last = members_.size() - 1;
    if (idx != last) {
      // The last member moves into the hole: its slot points there now.
      index_.Replace(View(members_[last]), static_cast<uint32_t>(last + 1), slot);
    }
    Release(members_[idx]);
    members_[idx] = members_[last];
    members_.pop_back();
    if (members_.capacity() > 64 && members_.size() * 4 < members_.capacity()) {
      members_.shrink_to_fit();
    }
    if (garbage_ > 64 * 1024 && garbage_ > arena_live_) CompactArena();
    return true;
  }

  uint64_t Scan(uint64_t cursor, size_t count, absl::FunctionRef<void(std::string_view)> fn) const {
    return index_.Scan(cursor, count, KeyOf{this},
                       [&](uint32_t slot) { fn(View(members_[slot - 1])); });
  }

  size_t MemoryUsage() const {
    return sizeof(*this) + members_.capacity() * sizeof(Member) + index_.Bytes() + arena_reserved_ +
           own_bytes_;
  }

 private:
  static constexpr uint8_t kHeap = 0x80;  // tag: the bytes are in the arena
  static constexpr uint8_t kOwn = 0x81;   // tag: the bytes have their own allocation
  static constexpr size_t kInlineMax = 15;
  static constexpr size_t kArenaMemberMax = 4096;
  static constexpr size_t kChunkMax = 256 * 1024;

  // 16 bytes: tag (inline length, kHeap or kOwn) and either the inline bytes
  // or a 56-bit length and a pointer.
  struct Member {
    uint64_t head = 0;  // byte 0: tag; inline: bytes 1..7 data; else: length << 8
    union {
      char tail[8];
      const char* ptr = nullptr;
    };
    uint8_t tag() const { return static_cast<uint8_t>(head & 0xff); }
  };
  static_assert(sizeof(Member) == 16);
  static_assert(std::endian::native == std::endian::little, "the tag is the first byte");

  static std::string_view View(const Member& m) {
    const uint8_t tag = m.tag();
    if (tag <= kInlineMax) return std::string_view(reinterpret_cast<const char*>(&m) + 1, tag);
    return std::string_view(m.ptr, m.head >> 8);
  }

  Member Store(std::string_view s) {
    Member m;
    if (s.size() <= kInlineMax) {
      char raw[16] = {};
      raw[0] = static_cast<char>(s.size());
      if (!s.empty()) std::memcpy(raw + 1, s.data(), s.size());
      std::memcpy(&m, raw, sizeof(m));
      return m;
    }
    if (s.size() > kArenaMemberMax) return StoreOwn(s);
    m.head = (uint64_t{s.size()} << 8) | kHeap;
    m.ptr = ArenaCopy(s);
    arena_live_ += s.size();
    return m;
  }

  // A member too long for the arena, in its own allocation. Out of line: the
  // rare path, and GCC's -Warray-bounds would otherwise see it inlined into
  // callers that pass short stack buffers (ConvertToTable's digits).
  [[gnu::noinline]] Member StoreOwn(std::string_view s) {
    char* p = new char[s.size()];
    std::memcpy(p, s.data(), s.size());
    Member m;
    m.head = (uint64_t{s.size()} << 8) | kOwn;
    m.ptr = p;
    own_bytes_ += s.size();
    return m;
  }

  // Frees a member's bytes (the arena's become garbage).
  void Release(const Member& m) {
    if (m.tag() == kHeap) {
      arena_live_ -= m.head >> 8;
      garbage_ += m.head >> 8;
    } else {
      FreeOwn(m);
    }
  }
  void FreeOwn(const Member& m) {
    if (m.tag() != kOwn) return;
    own_bytes_ -= m.head >> 8;
    delete[] m.ptr;
  }

  const char* ArenaCopy(std::string_view s) {
    if (chunks_.empty() || chunk_used_ + s.size() > chunk_size_) {
      chunk_size_ = std::max(s.size(), std::clamp<size_t>(arena_reserved_ / 2, 1024, kChunkMax));
      chunks_.emplace_back(new char[chunk_size_]);
      arena_reserved_ += chunk_size_;
      chunk_used_ = 0;
    }
    char* p = chunks_.back().get() + chunk_used_;
    std::memcpy(p, s.data(), s.size());
    chunk_used_ += s.size();
    return p;
  }

  void CompactArena() {
    std::vector<std::unique_ptr<char[]>> old = std::move(chunks_);
    chunks_.clear();
    arena_reserved_ = 0;
    chunk_used_ = 0;
    chunk_size_ = 0;
    garbage_ = 0;
    for (Member& m : members_) {
      if (m.tag() == kHeap) m.ptr = ArenaCopy(std::string_view(m.ptr, m.head >> 8));
    }
  }

  // A slot of the index: a position in members_ plus one (0 is empty).
  struct KeyOf {
    const SetTable* table;
    std::string_view operator()(uint32_t slot) const { return View(table->members_[slot - 1]); }
  };
  std::vector<Member> members_;
  ProbeIndex<uint32_t> index_;  // finds members_ by member
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_size_ = 0;
  size_t chunk_used_ = 0;
  size_t arena_reserved_ = 0;  // bytes of all chunks
  size_t arena_live_ = 0;      // bytes of live members in the arena
  size_t garbage_ = 0;         // bytes of removed members still in the arena
  size_t own_bytes_ = 0;       // bytes of members with their own allocation
  size_t payload_ = 0;         // bytes of all members
};

// ---- IntSet ----

namespace {
constexpr size_t kIntSetHeader = 5;  // uint32 count, uint8 width

uint8_t WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

size_t MallocBytes(size_t n) {
  return n == 0 ? 0 : std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}
}  // namespace

IntSet::IntSet(const IntSet& other) {
  if (other.block_ == nullptr) return;
  const size_t bytes = kIntSetHeader + other.size() * other.width();
  block_ = static_cast<char*>(std::malloc(bytes));
  if (block_ == nullptr) throw std::bad_alloc();
  std::memcpy(block_, other.block_, bytes);
}

IntSet& IntSet::operator=(const IntSet& other) {
  if (this != &other) {
    IntSet copy(other);
    std::swap(block_, copy.block_);
  }
  return *this;
}

IntSet::~IntSet() { std::free(block_); }

void IntSet::Clear() {
  std::free(block_);
  block_ = nullptr;
}

size_t IntSet::size() const {
  if (block_ == nullptr) return 0;
  uint32_t n;
  std::memcpy(&n, block_, sizeof(n));
  return n;
}

uint8_t IntSet::width() const { return block_ == nullptr ? 2 : static_cast<uint8_t>(block_[4]); }

int64_t IntSet::Get(size_t i) const {
  const char* p = block_ + kIntSetHeader + i * width();
  switch (width()) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, sizeof(v));
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, sizeof(v));
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, sizeof(v));
      return v;
    }
  }
}

void IntSet::Set(size_t i, int64_t v) {
  char* p = block_ + kIntSetHeader + i * width();
  switch (width()) {
    case 2: {
      const auto x = static_cast<int16_t>(v);
      std::memcpy(p, &x, sizeof(x));
      break;
    }
    case 4: {
      const auto x = static_cast<int32_t>(v);
      std::memcpy(p, &x, sizeof(x));
      break;
    }
    default:
      std::memcpy(p, &v, sizeof(v));
  }
}

bool IntSet::Find(int64_t v, size_t* pos) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (Get(mid) < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *pos = lo;
  return lo < size() && Get(lo) == v;
}

void IntSet::Insert(size_t pos, int64_t v) {
  const size_t n = size();
  const uint8_t old_width = width();
  const uint8_t new_width = std::max(old_width, WidthFor(v));
  if (new_width != old_width && n > 0) {
    // Widen every value (Redis's intsetUpgradeAndAdd).
    char* wider = static_cast<char*>(std::malloc(kIntSetHeader + (n + 1) * new_width));
    if (wider == nullptr) throw std::bad_alloc();
    std::swap(block_, wider);  // block_: the new block; wider: the old one
    std::memcpy(block_, wider, kIntSetHeader);
    block_[4] = static_cast<char>(new_width);
    IntSet old;
    old.block_ = wider;
    for (size_t i = 0, j = 0; i <= n; ++i) Set(i, i == pos ? v : old.Get(j++));
  } else {
    char* grown = static_cast<char*>(std::realloc(block_, kIntSetHeader + (n + 1) * new_width));
    if (grown == nullptr) throw std::bad_alloc();
    block_ = grown;
    block_[4] = static_cast<char>(new_width);
    char* at = block_ + kIntSetHeader + pos * new_width;
    std::memmove(at + new_width, at, (n - pos) * new_width);
    Set(pos, v);
  }
  const auto count = static_cast<uint32_t>(n + 1);
  std::memcpy(block_, &count, sizeof(count));
}

void IntSet::Erase(size_t pos) {
  const size_t n = size();
  if (n == 1) return Clear();
  const uint8_t w = width();
  char* at = block_ + kIntSetHeader + pos * w;
  std::memmove(at, at + w, (n - pos - 1) * w);
  const auto count = static_cast<uint32_t>(n - 1);
  std::memcpy(block_, &count, sizeof(count));
  if (char* shrunk = static_cast<char*>(std::realloc(block_, kIntSetHeader + (n - 1) * w))) {
    block_ = shrunk;
  }
}

size_t IntSet::HeapBytes() const {
  return block_ == nullptr ? 0 : MallocBytes(kIntSetHeader + size() * width());
}

// ---- SetObject ----

// Many small sets: the object is one 48-byte malloc chunk.
static_assert(sizeof(SetObject) <= 40);

SetObject::SetObject() : Object(ValueType::kSet) {}
SetObject::~SetObject() { DropDecimals(); }

void SetObject::DropDecimals() { delete decimals_.exchange(nullptr, std::memory_order_acq_rel); }

void SetObject::SetLimits(size_t max_intset) {
  max_intset_entries.store(max_intset, std::memory_order_relaxed);
}

size_t SetObject::Size() const { return table_ ? table_->size() : ints_.size(); }

size_t SetObject::PayloadBytes() const {
  if (table_ != nullptr) return table_->payload();
  // Not kept for an intset, to keep the object small: it is short.
  size_t n = 0;
  char buf[24];
  for (size_t i = 0; i < ints_.size(); ++i) {
    n += static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), ints_.Get(i)).ptr - buf);
  }
  return n;
}

void SetObject::ConvertToTable(size_t expected) {
  auto table = std::make_unique<SetTable>();
  table->Reserve(std::max(expected, ints_.size()));
  char buf[24];
  for (size_t i = 0; i < ints_.size(); ++i) {
    char* end = std::to_chars(buf, buf + sizeof(buf), ints_.Get(i)).ptr;
    table->Insert(std::string_view(buf, static_cast<size_t>(end - buf)));
  }
  table_ = std::move(table);
  ints_.Clear();
  DropDecimals();
}

bool SetObject::Add(std::string_view member) {
  if (table_ == nullptr) {
    DropDecimals();
    std::optional<int64_t> v = ParseInt64(member);
    if (v) {
      size_t pos;
      if (ints_.Find(*v, &pos)) return false;
      if (ints_.size() + 1 <= max_intset_entries.load(std::memory_order_relaxed)) {
        ints_.Insert(pos, *v);
        return true;
      }
    }
    ConvertToTable(ints_.size() + 1);
  }
  return table_->Insert(member);
}

bool SetObject::Remove(std::string_view member) {
  if (table_ == nullptr) {
    DropDecimals();
    std::optional<int64_t> v = ParseInt64(member);
    if (!v) return false;
    size_t pos;
    if (!ints_.Find(*v, &pos)) return false;
    ints_.Erase(pos);
    return true;
  }
  return table_->Erase(member);
}

bool SetObject::Contains(std::string_view member) const {
  if (table_ == nullptr) {
    std::optional<int64_t> v = ParseInt64(member);
    size_t pos;
    return v && ints_.Find(*v, &pos);
  }
  return table_->Contains(member);
}

std::string_view SetObject::At(size_t i, std::string* buf) const {
  if (table_ != nullptr) return table_->At(i);
  buf->resize(24);
  char* end = std::to_chars(buf->data(), buf->data() + buf->size(), ints_.Get(i)).ptr;
  return std::string_view(buf->data(), static_cast<size_t>(end - buf->data()));
}

void SetObject::Reserve(size_t n) {
  // An intset is sized exactly at every change.
  if (table_ != nullptr) table_->Reserve(n);
}

uint64_t SetObject::Scan(uint64_t cursor, size_t count,
                         absl::FunctionRef<void(std::string_view)> fn) const {
  if (table_ != nullptr) return table_->Scan(cursor, count, fn);
  std::string buf;
  for (size_t i = 0; i < ints_.size(); ++i) fn(At(i, &buf));
  return 0;
}

size_t SetObject::MemoryUsage() const {
  if (table_ == nullptr) {
    const std::string* text = decimals_.load(std::memory_order_acquire);
    return sizeof(*this) + ints_.HeapBytes() +
           (text != nullptr ? sizeof(std::string) + text->capacity() : 0);
  }
  return sizeof(*this) + table_->MemoryUsage();
}

Object* SetObject::Clone() const {
  auto* copy = new SetObject();
  copy->ints_ = ints_;
  if (table_ != nullptr) copy->table_ = std::make_unique<SetTable>(*table_);
  return copy;
}

void SetObject::Serialize(std::string* out) const {
  codec::PutVarint(out, Size());
  ForEachMember([&](std::string_view m) { codec::PutBytes(out, m); });
}

SetObject* SetObject::Deserialize(std::string_view data) {
  codec::ByteReader in(data);
  uint64_t n = 0;
  if (!in.Varint(&n) || n > data.size()) return nullptr;  // each member takes a byte at least
  auto* s = new SetObject();
  s->Reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view member;
    if (!in.Bytes(&member)) {
      s->Unref();
      return nullptr;
    }
    s->Add(member);
  }
  if (!in.done()) {
    s->Unref();
    return nullptr;
  }
  return s;
}

void SetObject::ForEachMember(absl::FunctionRef<void(std::string_view)> fn) const {
  if (table_ != nullptr) {
    for (size_t i = 0; i < table_->size(); ++i) fn(table_->At(i));
    return;
  }
  char buf[24];
  for (size_t i = 0; i < ints_.size(); ++i) {
    char* end = std::to_chars(buf, buf + sizeof(buf), ints_.Get(i)).ptr;
    fn(std::string_view(buf, static_cast<size_t>(end - buf)));
  }
}

void SetObject::ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const {
  if (table_ != nullptr) {
    // The members do not move while the set is unchanged.
    for (size_t i = 0; i < table_->size(); ++i) fn(ElementView{table_->At(i), {}, 0, 0});
    return;
  }
  const std::string* text = decimals_.load(std::memory_order_acquire);
  if (text == nullptr) {
    auto* built = new std::string();
    built->reserve(PayloadBytes());
    ForEachMember([&](std::string_view m) { built->append(m); });
    if (decimals_.compare_exchange_strong(text, built, std::memory_order_acq_rel)) {
      text = built;
    } else {
      delete built;  // another reader built it first: `text` is theirs
    }
  }
  size_t pos = 0;
  char buf[24];
  for (size_t i = 0; i < ints_.size(); ++i) {
    const auto len =
        static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), ints_.Get(i)).ptr - buf);
    fn(ElementView{std::string_view(*text).substr(pos, len), {}, 0, 0});
    pos += len;
  }
}

bool SetObject::ApplyDelta(uint8_t op, std::span<const std::string_view> args) {
  switch (op) {
    case kAdd:
      if (args.empty()) return false;
      for (std::string_view m : args) Add(m);
      return true;
    case kRemove:
      for (std::string_view m : args) Remove(m);
      return true;
    default:
      return false;
  }
}

}  // namespace stashd::store
