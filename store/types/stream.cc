#include "store/types/stream.h"

#include <atomic>
#include <charconv>
#include <utility>

#include "store/codec.h"

namespace stashd::store {

namespace {

std::atomic<size_t> max_block_bytes{4096};
std::atomic<size_t> max_block_entries{100};

constexpr uint8_t kDeleted = 1;
constexpr uint8_t kSameFields = 2;

bool ParseU64(std::string_view s, uint64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseI64(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

void PutId(std::string* out, StreamID id) {
  codec::PutVarint(out, id.ms);
  codec::PutVarint(out, id.seq);
}

bool GetId(codec::ByteReader& in, StreamID* id) {
  return in.Varint(&id->ms) && in.Varint(&id->seq);
}

}  // namespace

bool StreamID::Incr(StreamID* out) const {
  *out = *this;
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) return false;
    out->ms++;
    out->seq = 0;
  } else {
    out->seq++;
  }
  return true;
}

bool StreamID::Decr(StreamID* out) const {
  *out = *this;
  if (seq == 0) {
    if (ms == 0) return false;
    out->ms--;
    out->seq = UINT64_MAX;
  } else {
    out->seq--;
  }
  return true;
}

std::string StreamID::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

std::optional<StreamID> StreamID::Parse(std::string_view s, uint64_t missing_seq) {
  StreamID id;
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseU64(s, &id.ms)) return std::nullopt;
    id.seq = missing_seq;
    return id;
  }
  if (!ParseU64(s.substr(0, dash), &id.ms) || !ParseU64(s.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

void StreamObject::SetLimits(size_t max_bytes, size_t max_entries) {
  max_block_bytes.store(max_bytes, std::memory_order_relaxed);
  max_block_entries.store(max_entries, std::memory_order_relaxed);
}

size_t StreamObject::MaxBlockBytes() { return max_block_bytes.load(std::memory_order_relaxed); }

size_t StreamObject::MaxBlockEntries() { return max_block_entries.load(std::memory_order_relaxed); }

// ---- Blocks ----

bool StreamObject::DecodeEntry(const StreamID& first, const Block& b, size_t* pos,
                               std::vector<std::string_view>* master, Decoded* d,
                               std::vector<std::string_view>* fv) {
  codec::ByteReader in(std::string_view(b.data).substr(*pos));
  const size_t start = *pos;
  uint8_t flags = 0;
  uint64_t dms = 0, seq = 0, n = 0;
  if (!in.Byte(&flags) || !in.Varint(&dms) || !in.Varint(&seq) || !in.Varint(&n)) return false;
  d->id = {first.ms + dms, seq};
  d->deleted = (flags & kDeleted) != 0;
  d->flag_pos = start;
  fv->clear();
  const bool same = (flags & kSameFields) != 0;
  if (same && master->size() != n) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view f, v;
    if (same) {
      f = (*master)[i];
    } else if (!in.Bytes(&f)) {
      return false;
    }
    if (!in.Bytes(&v)) return false;
    fv->push_back(f);
    fv->push_back(v);
  }
  if (start == 0 && !same) {
    master->clear();
    for (size_t i = 0; i < fv->size(); i += 2) master->push_back((*fv)[i]);
  }
  *pos = b.data.size() - in.remaining();
  return true;
}

bool StreamObject::ForBlock(
    const StreamID& first, const Block& b, bool rev,
    absl::FunctionRef<bool(const Decoded&, const std::vector<std::string_view>&)> fn) {
  std::vector<std::string_view> master;
  std::vector<std::string_view> fv;
  Decoded d;
  if (!rev) {
    for (size_t pos = 0; pos < b.data.size();) {
      if (!DecodeEntry(first, b, &pos, &master, &d, &fv)) return false;
      if (!d.deleted && !fn(d, fv)) return false;
    }
    return true;
  }
  std::vector<size_t> starts;
  for (size_t pos = 0; pos < b.data.size();) {
    starts.push_back(pos);
    if (!DecodeEntry(first, b, &pos, &master, &d, &fv)) return false;
  }
  for (size_t i = starts.size(); i-- > 0;) {
    size_t pos = starts[i];
    if (!DecodeEntry(first, b, &pos, &master, &d, &fv)) return false;
    if (!d.deleted && !fn(d, fv)) return false;
  }
  return true;
}

void StreamObject::Append(StreamID id, std::span<const std::string_view> fv) {
  const size_t max_bytes = max_block_bytes.load(std::memory_order_relaxed);
  const size_t max_entries = max_block_entries.load(std::memory_order_relaxed);
  size_t entry_bytes = 16;
  for (std::string_view s : fv) entry_bytes += s.size() + 2;
  Blocks::iterator it = blocks_.end();
  if (!blocks_.empty()) {
    it = std::prev(blocks_.end());
    const Block& b = it->second;
    if ((max_bytes != 0 && b.data.size() + entry_bytes >= max_bytes) ||
        (max_entries != 0 && b.total >= max_entries)) {
      // Sealed: give back the slack of its buffer.
      Block& sealed = it->second;
      block_bytes_ -= sealed.data.capacity();
      sealed.data.shrink_to_fit();
      block_bytes_ += sealed.data.capacity();
      it = blocks_.end();
    }
  }
  bool same = false;
  if (it == blocks_.end()) {
    it = blocks_.try_emplace(id).first;
  } else {
    // Same fields as the block's first entry?
    std::vector<std::string_view> master, first_fv;
    Decoded d;
    size_t pos = 0;
    if (DecodeEntry(it->first, it->second, &pos, &master, &d, &first_fv) &&
        first_fv.size() == fv.size()) {
      same = true;
      for (size_t i = 0; i < fv.size(); i += 2) {
        if (first_fv[i] != fv[i]) {
          same = false;
          break;
        }
      }
    }
  }
  Block& b = it->second;
  const StreamID& first = it->first;
  block_bytes_ -= b.data.capacity();
  b.data.push_back(static_cast<char>(same ? kSameFields : 0));
  codec::PutVarint(&b.data, id.ms - first.ms);
  codec::PutVarint(&b.data, id.seq);
  codec::PutVarint(&b.data, fv.size() / 2);
  for (size_t i = 0; i < fv.size(); i += 2) {
    if (!same) codec::PutBytes(&b.data, fv[i]);
    codec::PutBytes(&b.data, fv[i + 1]);
    payload_ += fv[i].size() + fv[i + 1].size();
  }
  block_bytes_ += b.data.capacity();
  b.live++;
  b.total++;
  b.last = id;
  length_++;
  last_id_ = id;
  entries_added_++;
}

void StreamObject::DropBlock(Blocks::iterator it) {
  block_bytes_ -= it->second.data.capacity();
  blocks_.erase(it);
}

namespace {
// Payload of a decoded entry.
size_t EntryPayload(const std::vector<std::string_view>& fv) {
  size_t n = 0;
  for (std::string_view s : fv) n += s.size();
  return n;
}
}  // namespace

bool StreamObject::Delete(StreamID id) {
  if (blocks_.empty()) return false;
  auto it = blocks_.upper_bound(id);
  if (it == blocks_.begin()) return false;
  --it;
  Block& b = it->second;
  if (id > b.last) return false;
  std::vector<std::string_view> master, fv;
  Decoded d;
  for (size_t pos = 0; pos < b.data.size();) {
    if (!DecodeEntry(it->first, b, &pos, &master, &d, &fv)) return false;
    if (d.id > id) return false;
    if (d.id == id) {
      if (d.deleted) return false;
      payload_ -= EntryPayload(fv);
      b.data[d.flag_pos] = static_cast<char>(b.data[d.flag_pos] | kDeleted);
      b.live--;
      length_--;
      if (b.live == 0) DropBlock(it);
      if (id > max_deleted_) max_deleted_ = id;
      return true;
    }
  }
  return false;
}

size_t StreamObject::DeleteFront(Blocks::iterator it, absl::FunctionRef<bool(StreamID)> pred,
                                 uint64_t max) {
  Block& b = it->second;
  std::vector<std::string_view> master, fv;
  Decoded d;
  size_t removed = 0;
  for (size_t pos = 0; pos < b.data.size() && removed < max;) {
    if (!DecodeEntry(it->first, b, &pos, &master, &d, &fv)) break;
    if (d.deleted) continue;
    if (!pred(d.id)) break;
    payload_ -= EntryPayload(fv);
    b.data[d.flag_pos] = static_cast<char>(b.data[d.flag_pos] | kDeleted);
    b.live--;
    length_--;
    removed++;
  }
  if (b.live == 0) DropBlock(it);
  return removed;
}

size_t StreamObject::TrimMaxLen(uint64_t maxlen, bool approx, uint64_t limit, StreamID* through) {
  size_t removed = 0;
  while (!blocks_.empty() && length_ > maxlen) {
    auto it = blocks_.begin();
    Block& b = it->second;
    if (limit != 0 && removed + b.live > limit) break;
    if (length_ - b.live >= maxlen) {
      *through = b.last;
      removed += b.live;
      length_ -= b.live;
      ForBlock(it->first, b, false, [&](const Decoded&, const std::vector<std::string_view>& fv) {
        payload_ -= EntryPayload(fv);
        return true;
      });
      DropBlock(it);
      continue;
    }
    if (approx) break;
    const uint64_t excess = length_ - maxlen;
    StreamID last_removed;
    const size_t n = DeleteFront(
        it,
        [&](StreamID id) {
          last_removed = id;
          return true;
        },
        excess);
    if (n > 0) *through = last_removed;
    removed += n;
    break;
  }
  return removed;
}

size_t StreamObject::TrimMinId(StreamID minid, bool approx, uint64_t limit, StreamID* through) {
  size_t removed = 0;
  while (!blocks_.empty()) {
    auto it = blocks_.begin();
    Block& b = it->second;
    if (limit != 0 && removed + b.live > limit) break;
    if (b.last < minid) {
      *through = b.last;
      removed += b.live;
      length_ -= b.live;
      ForBlock(it->first, b, false, [&](const Decoded&, const std::vector<std::string_view>& fv) {
        payload_ -= EntryPayload(fv);
        return true;
      });
      DropBlock(it);
      continue;
    }
    if (approx) break;
    StreamID last_removed;
    const size_t n = DeleteFront(
        it,
        [&](StreamID id) {
          if (id >= minid) return false;
          last_removed = id;
          return true;
        },
        UINT64_MAX);
    if (n > 0) *through = last_removed;
    removed += n;
    break;
  }
  return removed;
}

size_t StreamObject::TrimThrough(StreamID through) {
  size_t removed = 0;
  while (!blocks_.empty()) {
    auto it = blocks_.begin();
    Block& b = it->second;
    if (b.last <= through) {
      removed += b.live;
      length_ -= b.live;
      ForBlock(it->first, b, false, [&](const Decoded&, const std::vector<std::string_view>& fv) {
        payload_ -= EntryPayload(fv);
        return true;
      });
      DropBlock(it);
      continue;
    }
    removed += DeleteFront(
        it, [&](StreamID id) { return id <= through; }, UINT64_MAX);
    break;
  }
  return removed;
}

void StreamObject::Range(StreamID start, StreamID end, bool rev,
                         absl::FunctionRef<bool(const StreamEntry&)> fn) const {
  if (blocks_.empty() || start > end) return;
  StreamEntry e;
  bool stop = false;
  auto visit = [&](const Decoded& d, const std::vector<std::string_view>& fv) {
    if (d.id < start) return !rev;
    if (d.id > end) return rev;
    e.id = d.id;
    e.fields_values = fv;
    if (!fn(e)) {
      stop = true;
      return false;
    }
    return true;
  };
  if (!rev) {
    auto it = blocks_.upper_bound(start);
    if (it != blocks_.begin()) --it;
    for (; it != blocks_.end() && !stop && it->first <= end; ++it) {
      if (it->second.last < start) continue;
      ForBlock(it->first, it->second, false, visit);
    }
    return;
  }
  auto it = blocks_.upper_bound(end);
  while (it != blocks_.begin() && !stop) {
    --it;
    if (it->second.last < start) break;
    ForBlock(it->first, it->second, true, visit);
  }
}

namespace {
// What `take` makes of the first entry Range() visits between `start` and
// `end` (reverse: the last one).
template <typename Take>
auto FirstInRange(const StreamObject& s, StreamID start, StreamID end, bool reverse, Take take) {
  std::optional<decltype(take(std::declval<const StreamEntry&>()))> out;
  s.Range(start, end, reverse, [&](const StreamEntry& e) {
    out = take(e);
    return false;
  });
  return out;
}
StreamEntry WholeEntry(const StreamEntry& e) { return e; }
StreamID IdOf(const StreamEntry& e) { return e.id; }
}  // namespace

std::optional<StreamEntry> StreamObject::Get(StreamID id) const {
  return FirstInRange(*this, id, id, false, WholeEntry);
}

std::optional<StreamID> StreamObject::FirstId() const {
  return FirstInRange(*this, {0, 0}, StreamID::Max(), false, IdOf);
}

std::optional<StreamID> StreamObject::LastEntryId() const {
  return FirstInRange(*this, {0, 0}, StreamID::Max(), true, IdOf);
}

bool StreamObject::RangeHasTombstones(std::optional<StreamID> start) const {
  if (length_ == 0 || max_deleted_.IsZero()) return false;
  const StreamID s = start.value_or(StreamID{0, 0});
  return s <= max_deleted_;
}

int64_t StreamObject::EstimateEntriesRead(StreamID id) const {
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return static_cast<int64_t>(entries_added_);
  if (id == last_id_) return static_cast<int64_t>(entries_added_);
  if (id > last_id_) return kInvalidEntriesRead;
  const StreamID first = FirstId().value_or(StreamID{0, 0});
  if (max_deleted_.IsZero() || max_deleted_ < first) {
    if (id < first) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return kInvalidEntriesRead;
}

std::optional<int64_t> StreamObject::Lag(const Group& g) const {
  if (entries_added_ == 0) return 0;
  if (g.entries_read != kInvalidEntriesRead && !RangeHasTombstones(g.last_id)) {
    return static_cast<int64_t>(entries_added_) - g.entries_read;
  }
  const int64_t read = EstimateEntriesRead(g.last_id);
  if (read == kInvalidEntriesRead) return std::nullopt;
  return static_cast<int64_t>(entries_added_) - read;
}

// ---- Groups ----

StreamObject::Group* StreamObject::FindGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

const StreamObject::Group* StreamObject::FindGroup(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

bool StreamObject::CreateGroup(std::string_view name, StreamID last_id, int64_t entries_read) {
  auto [it, inserted] = groups_.try_emplace(std::string(name));
  if (!inserted) return false;
  it->second.last_id = last_id;
  it->second.entries_read = entries_read;
  return true;
}

bool StreamObject::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

StreamObject::Consumer* StreamObject::CreateConsumer(Group& g, std::string_view name, int64_t now,
                                                     bool* created) {
  auto it = g.consumers.find(name);
  if (it != g.consumers.end()) {
    *created = false;
    return &it->second;
  }
  *created = true;
  Consumer& c = g.consumers[std::string(name)];
  c.seen_time = now;
  return &c;
}

size_t StreamObject::DeleteConsumer(Group& g, std::string_view name) {
  auto it = g.consumers.find(name);
  if (it == g.consumers.end()) return 0;
  const size_t n = it->second.pending.size();
  for (StreamID id : it->second.pending) g.pel.erase(id);
  g.consumers.erase(it);
  return n;
}

void StreamObject::SetPending(Group& g, std::string_view consumer, StreamID id, int64_t time,
                              uint64_t count) {
  bool created;
  Consumer* c = CreateConsumer(g, consumer, time, &created);
  PendingEntry& p = g.pel[id];
  if (!p.consumer.empty() && p.consumer != consumer) {
    auto old = g.consumers.find(p.consumer);
    if (old != g.consumers.end()) old->second.pending.erase(id);
  }
  p.consumer = std::string(consumer);
  p.delivery_time = time;
  p.delivery_count = count;
  c->pending.insert(id);
}

bool StreamObject::Ack(Group& g, StreamID id) {
  auto it = g.pel.find(id);
  if (it == g.pel.end()) return false;
  auto c = g.consumers.find(it->second.consumer);
  if (c != g.consumers.end()) c->second.pending.erase(id);
  g.pel.erase(it);
  return true;
}

// ---- Object ----

size_t StreamObject::MemoryUsage() const {
  size_t n = sizeof(*this) + block_bytes_ + blocks_.size() * (sizeof(StreamID) + sizeof(Block));
  for (const auto& [name, g] : groups_) {
    n += 64 + name.size() + g.pel.size() * 96;
    for (const auto& [cname, c] : g.consumers) n += 64 + cname.size() + c.pending.size() * 48;
  }
  return n;
}

Object* StreamObject::Clone() const {
  auto* copy = new StreamObject();
  copy->blocks_ = blocks_;
  copy->length_ = length_;
  copy->payload_ = payload_;
  copy->block_bytes_ = 0;
  for (const auto& [id, b] : copy->blocks_) copy->block_bytes_ += b.data.capacity();
  copy->last_id_ = last_id_;
  copy->entries_added_ = entries_added_;
  copy->max_deleted_ = max_deleted_;
  copy->groups_ = groups_;
  return copy;
}

// Header: last-id entries-added max-deleted, then the groups: count, and for
// each: name last-id entries-read(+1, 0 = invalid) pel-count (id consumer
// time count)... consumer-count (name seen-time)...
void StreamObject::SerializeHeader(std::string* out) const {
  PutId(out, last_id_);
  codec::PutVarint(out, entries_added_);
  PutId(out, max_deleted_);
  codec::PutVarint(out, groups_.size());
  for (const auto& [name, g] : groups_) {
    codec::PutBytes(out, name);
    PutId(out, g.last_id);
    codec::PutVarint(out, static_cast<uint64_t>(g.entries_read + 1));
    codec::PutVarint(out, g.consumers.size());
    for (const auto& [cname, c] : g.consumers) {
      codec::PutBytes(out, cname);
      codec::PutVarint(out, static_cast<uint64_t>(c.seen_time));
    }
    codec::PutVarint(out, g.pel.size());
    for (const auto& [id, p] : g.pel) {
      PutId(out, id);
      codec::PutBytes(out, p.consumer);
      codec::PutVarint(out, static_cast<uint64_t>(p.delivery_time));
      codec::PutVarint(out, p.delivery_count);
    }
  }
}

bool StreamObject::ParseHeader(std::string_view data) {
  codec::ByteReader in(data);
  uint64_t ngroups = 0;
  if (!GetId(in, &last_id_) || !in.Varint(&entries_added_) || !GetId(in, &max_deleted_) ||
      !in.Varint(&ngroups)) {
    return false;
  }
  for (uint64_t i = 0; i < ngroups; ++i) {
    std::string_view name;
    Group g;
    uint64_t read = 0, nconsumers = 0, npel = 0;
    if (!in.Bytes(&name) || !GetId(in, &g.last_id) || !in.Varint(&read) ||
        !in.Varint(&nconsumers)) {
      return false;
    }
    g.entries_read = static_cast<int64_t>(read) - 1;
    for (uint64_t j = 0; j < nconsumers; ++j) {
      std::string_view cname;
      uint64_t seen = 0;
      if (!in.Bytes(&cname) || !in.Varint(&seen)) return false;
      g.consumers[std::string(cname)].seen_time = static_cast<int64_t>(seen);
    }
    if (!in.Varint(&npel)) return false;
    for (uint64_t j = 0; j < npel; ++j) {
      StreamID id;
      std::string_view cname;
      uint64_t time = 0, count = 0;
      if (!GetId(in, &id) || !in.Bytes(&cname) || !in.Varint(&time) || !in.Varint(&count)) {
        return false;
      }
      auto c = g.consumers.find(cname);
      if (c == g.consumers.end()) return false;
      c->second.pending.insert(id);
      g.pel[id] = PendingEntry{std::string(cname), static_cast<int64_t>(time), count};
    }
    groups_.emplace(std::string(name), std::move(g));
  }
  return in.done();
}

namespace {

// A block row: first-id | total | data.
void PutBlock(std::string* out, const StreamID& first, const std::string& data) {
  PutId(out, first);
  codec::PutBytes(out, data);
}

}  // namespace

void StreamObject::Serialize(std::string* out) const {
  std::string header;
  SerializeHeader(&header);
  codec::PutBytes(out, header);
  codec::PutVarint(out, blocks_.size());
  for (const auto& [first, b] : blocks_) PutBlock(out, first, b.data);
}

namespace {

// Adds a block from its row to a stream being rebuilt; false if malformed.
bool ParseBlock(codec::ByteReader& in, StreamID* first, std::string_view* data) {
  return GetId(in, first) && in.Bytes(data);
}

}  // namespace

StreamObject* StreamObject::FromRows(const std::vector<std::string>& rows) {
  if (rows.empty()) return nullptr;
  auto* s = new StreamObject();
  bool ok = s->ParseHeader(rows[0]);
  for (size_t i = 1; ok && i < rows.size(); ++i) {
    codec::ByteReader in(rows[i]);
    StreamID first;
    std::string_view data;
    if (!ParseBlock(in, &first, &data) || !in.done()) {
      ok = false;
      break;
    }
    Block b;
    b.data = std::string(data);
    std::vector<std::string_view> master, fv;
    Decoded d;
    for (size_t pos = 0; pos < b.data.size();) {
      if (!DecodeEntry(first, b, &pos, &master, &d, &fv)) {
        ok = false;
        break;
      }
      b.total++;
      b.last = d.id;
      if (!d.deleted) {
        b.live++;
        s->payload_ += EntryPayload(fv);
      }
    }
    if (!ok || b.live == 0 ||
        (!s->blocks_.empty() && std::prev(s->blocks_.end())->second.last >= first)) {
      ok = false;
      break;
    }
    s->length_ += b.live;
    s->block_bytes_ += b.data.capacity();
    s->blocks_.emplace(first, std::move(b));
  }
  if (!ok) {
    s->Unref();
    return nullptr;
  }
  return s;
}

StreamObject* StreamObject::Deserialize(std::string_view data) {
  codec::ByteReader in(data);
  std::string_view header;
  uint64_t n = 0;
  if (!in.Bytes(&header) || !in.Varint(&n)) return nullptr;
  std::vector<std::string> rows;
  rows.emplace_back(header);
  for (uint64_t i = 0; i < n; ++i) {
    StreamID first;
    std::string_view block;
    if (!ParseBlock(in, &first, &block)) return nullptr;
    std::string row;
    PutBlock(&row, first, std::string(block));
    rows.push_back(std::move(row));
  }
  if (!in.done()) return nullptr;
  return FromRows(rows);
}

void StreamObject::ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const {
  header_row_.clear();
  SerializeHeader(&header_row_);
  fn(ElementView{header_row_, {}, 0, 0});
  // Block rows are built into one buffer first so that the views stay valid.
  std::vector<size_t> ends;
  std::string& all = block_rows_;
  all.clear();
  for (const auto& [first, b] : blocks_) {
    PutBlock(&all, first, b.data);
    ends.push_back(all.size());
  }
  size_t begin = 0;
  int64_t index = 1;
  for (size_t end : ends) {
    fn(ElementView{std::string_view(all).substr(begin, end - begin), {}, 0, index++});
    begin = end;
  }
}

namespace {

std::optional<StreamID> IdArg(std::string_view s) { return StreamID::Parse(s, 0); }

}  // namespace

bool StreamObject::ApplyDelta(uint8_t op, std::span<const std::string_view> args) {
  switch (op) {
    case kAdd: {
      if (args.size() < 3 || args.size() % 2 != 1) return false;
      auto id = IdArg(args[0]);
      if (!id || *id <= last_id_) return false;
      Append(*id, args.subspan(1));
      return true;
    }
    case kDelete:
      for (std::string_view a : args) {
        auto id = IdArg(a);
        if (!id) return false;
        Delete(*id);
      }
      return true;
    case kTrim: {
      if (args.size() != 1) return false;
      auto id = IdArg(args[0]);
      if (!id) return false;
      TrimThrough(*id);
      return true;
    }
    case kSetId: {
      if (args.size() != 3) return false;
      auto last = IdArg(args[0]);
      auto maxdel = IdArg(args[2]);
      uint64_t added = 0;
      if (!last || !maxdel || !ParseU64(args[1], &added)) return false;
      SetId(*last, added, *maxdel);
      return true;
    }
    case kGroupCreate:
    case kGroupSetId: {
      if (args.size() != 3) return false;
      auto last = IdArg(args[1]);
      int64_t read = 0;
      if (!last || !ParseI64(args[2], &read)) return false;
      if (op == kGroupCreate) return CreateGroup(args[0], *last, read);
      Group* g = FindGroup(args[0]);
      if (g == nullptr) return false;
      g->last_id = *last;
      g->entries_read = read;
      return true;
    }
    case kGroupDestroy:
      return args.size() == 1 && DestroyGroup(args[0]);
    case kConsumerCreate:
    case kConsumerSeen: {
      if (args.size() != 3) return false;
      Group* g = FindGroup(args[0]);
      int64_t t = 0;
      if (g == nullptr || !ParseI64(args[2], &t)) return false;
      bool created;
      Consumer* c = CreateConsumer(*g, args[1], t, &created);
      c->seen_time = t;
      return true;
    }
    case kConsumerDelete: {
      if (args.size() != 2) return false;
      Group* g = FindGroup(args[0]);
      if (g == nullptr) return false;
      DeleteConsumer(*g, args[1]);
      return true;
    }
    case kPending: {
      if (args.size() < 3 || (args.size() - 3) % 2 != 0) return false;
      Group* g = FindGroup(args[0]);
      int64_t t = 0;
      if (g == nullptr || !ParseI64(args[2], &t)) return false;
      for (size_t i = 3; i < args.size(); i += 2) {
        auto id = IdArg(args[i]);
        uint64_t count = 0;
        if (!id || !ParseU64(args[i + 1], &count)) return false;
        SetPending(*g, args[1], *id, t, count);
      }
      return true;
    }
    case kAck: {
      if (args.empty()) return false;
      Group* g = FindGroup(args[0]);
      if (g == nullptr) return false;
      for (size_t i = 1; i < args.size(); ++i) {
        auto id = IdArg(args[i]);
        if (!id) return false;
        Ack(*g, *id);
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace stashd::store
