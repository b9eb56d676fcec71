#include "persistence/rdb_value.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "persistence/rdb_payload.h"
#include "store/string_ops.h"
#include "store/types/hash.h"
#include "store/types/list.h"
#include "store/types/set.h"
#include "store/types/stream.h"
#include "store/types/zset.h"

namespace stashd::persistence::rdb {
namespace {

using store::HashObject;
using store::ListObject;
using store::SetObject;
using store::StreamID;
using store::StreamObject;
using store::ValueType;
using store::ZSetObject;

uint64_t LoadLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void StoreLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Sign-extends the low `bits` bits of `v`.
int64_t SignExtend(uint64_t v, int bits) {
  if (bits == 64) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

// ---- Listpack (Redis's listpack.md) ----
//
// header: total bytes (uint32 LE), element count (uint16 LE, 65535 when it
// does not fit); entries: encoding byte(s), data, then "backlen", the size of
// encoding+data in 1-5 bytes of 7 bits, read from the end; then 0xFF.

constexpr size_t kListpackHeader = 6;
constexpr uint8_t kListpackEnd = 0xFF;
constexpr uint16_t kListpackCountUnknown = 65535;

void AppendBacklen(std::string& out, uint64_t l) {
  if (l <= 127) {
    out.push_back(static_cast<char>(l));
  } else if (l < 16383) {
    out.push_back(static_cast<char>(l >> 7));
    out.push_back(static_cast<char>((l & 127) | 128));
  } else if (l < 2097151) {
    out.push_back(static_cast<char>(l >> 14));
    out.push_back(static_cast<char>(((l >> 7) & 127) | 128));
    out.push_back(static_cast<char>((l & 127) | 128));
  } else if (l < 268435455) {
    out.push_back(static_cast<char>(l >> 21));
    out.push_back(static_cast<char>(((l >> 14) & 127) | 128));
    out.push_back(static_cast<char>(((l >> 7) & 127) | 128));
    out.push_back(static_cast<char>((l & 127) | 128));
  } else {
    out.push_back(static_cast<char>(l >> 28));
    out.push_back(static_cast<char>(((l >> 21) & 127) | 128));
    out.push_back(static_cast<char>(((l >> 14) & 127) | 128));
    out.push_back(static_cast<char>(((l >> 7) & 127) | 128));
    out.push_back(static_cast<char>((l & 127) | 128));
  }
}

class ListpackWriter {
 public:
  // Appends an item: as an integer if it is one in canonical form (Redis's
  // lpStringToInt64), else as a string.
  void Add(std::string_view item) {
    const size_t start = body_.size();
    if (const std::optional<int64_t> v = store::ParseInt64(item)) {
      AppendInt(*v);
    } else {
      AppendStr(item);
    }
    AppendBacklen(body_, body_.size() - start);
    ++count_;
  }
  // Appends the items of `other` after these.
  void Append(const ListpackWriter& other) {
    body_ += other.body_;
    count_ += other.count_;
  }
  size_t count() const { return count_; }
  // The size of the finished listpack.
  size_t bytes() const { return kListpackHeader + body_.size() + 1; }
  std::string Finish() const {
    std::string out;
    out.reserve(bytes());
    StoreLe(out, bytes(), 4);
    StoreLe(out, count_ < kListpackCountUnknown ? count_ : kListpackCountUnknown, 2);
    out += body_;
    out.push_back(static_cast<char>(kListpackEnd));
    return out;
  }

 private:
  void AppendInt(int64_t v) {
    if (v >= 0 && v <= 127) {
      body_.push_back(static_cast<char>(v));
    } else if (v >= -4096 && v <= 4095) {
      const uint64_t u = v < 0 ? (uint64_t{1} << 13) + v : static_cast<uint64_t>(v);
      body_.push_back(static_cast<char>((u >> 8) | 0xC0));
      body_.push_back(static_cast<char>(u & 0xff));
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
      body_.push_back(static_cast<char>(0xF1));
      StoreLe(body_, static_cast<uint64_t>(v), 2);
    } else if (v >= -8388608 && v <= 8388607) {
      body_.push_back(static_cast<char>(0xF2));
      StoreLe(body_, static_cast<uint64_t>(v), 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      body_.push_back(static_cast<char>(0xF3));
      StoreLe(body_, static_cast<uint64_t>(v), 4);
    } else {
      body_.push_back(static_cast<char>(0xF4));
      StoreLe(body_, static_cast<uint64_t>(v), 8);
    }
  }
  void AppendStr(std::string_view s) {
    if (s.size() < 64) {
      body_.push_back(static_cast<char>(0x80 | s.size()));
    } else if (s.size() < 4096) {
      body_.push_back(static_cast<char>(0xE0 | (s.size() >> 8)));
      body_.push_back(static_cast<char>(s.size() & 0xff));
    } else {
      body_.push_back(static_cast<char>(0xF0));
      StoreLe(body_, s.size(), 4);
    }
    body_.append(s);
  }

  std::string body_;
  size_t count_ = 0;
};

// ---- Ziplist (read only): zlbytes uint32, zltail uint32, zllen uint16,
// entries (prevlen: 1 byte below 254, else 0xFE and uint32; encoding;
// data), 0xFF. All little-endian but the string lengths (big-endian).

constexpr size_t kZiplistHeader = 10;

// ---- Intset (read only): encoding (2, 4, 8) uint32, length uint32, the
// values ascending, little-endian.

std::optional<std::vector<int64_t>> DecodeIntset(std::string_view blob) {
  if (blob.size() < 8) return std::nullopt;
  const uint64_t width = LoadLe(blob.data(), 4);
  const uint64_t count = LoadLe(blob.data() + 4, 4);
  if (width != 2 && width != 4 && width != 8) return std::nullopt;
  if (blob.size() != 8 + count * width) return std::nullopt;
  std::vector<int64_t> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const int64_t v =
        SignExtend(LoadLe(blob.data() + 8 + i * width, static_cast<int>(width)), width * 8);
    if (!out.empty() && v <= out.back()) return std::nullopt;  // sorted, unique
    out.push_back(v);
  }
  return out;
}

// ---- Zipmap (read only, RDB_TYPE_HASH_ZIPMAP): a count byte (254 or more:
// unknown), then key length, key, value length, a "free" byte, value and
// that many unused bytes, for each pair; lengths are one byte below 254,
// else 254 and a uint32; 0xFF ends it.

std::optional<std::vector<std::string>> DecodeZipmap(std::string_view blob) {
  if (blob.size() < 2) return std::nullopt;
  const auto declared = static_cast<uint8_t>(blob[0]);
  size_t pos = 1;
  std::vector<std::string> out;
  auto read_len = [&](uint64_t* len) {
    if (pos >= blob.size()) return false;
    const auto b = static_cast<uint8_t>(blob[pos]);
    if (b < 254) {
      *len = b;
      pos += 1;
      return true;
    }
    if (b != 254 || pos + 5 > blob.size()) return false;
    *len = LoadLe(blob.data() + pos + 1, 4);
    pos += 5;
    return true;
  };
  auto take = [&](uint64_t len, std::string* s) {
    if (len > blob.size() - pos) return false;
    if (s != nullptr) s->assign(blob.substr(pos, len));
    pos += len;
    return true;
  };
  while (true) {
    if (pos >= blob.size()) return std::nullopt;
    if (static_cast<uint8_t>(blob[pos]) == 0xFF) break;
    uint64_t len = 0;
    std::string key;
    std::string value;
    if (!read_len(&len) || !take(len, &key)) return std::nullopt;
    if (!read_len(&len) || pos >= blob.size()) return std::nullopt;
    const auto free_bytes = static_cast<uint8_t>(blob[pos++]);
    if (!take(len, &value) || !take(free_bytes, nullptr)) return std::nullopt;
    out.push_back(std::move(key));
    out.push_back(std::move(value));
  }
  if (pos + 1 != blob.size()) return std::nullopt;
  if (declared < 254 && declared != out.size() / 2) return std::nullopt;
  return out;
}

// ---- Writing values ----

// Redis's d2string, the text a listpack sorted set keeps a score as.
std::string ScoreText(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  if (v > -4503599627370495.0 && v < 4503599627370496.0 &&
      v == static_cast<double>(static_cast<long long>(v))) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, n);
}

// Redis's quicklist node limits: list-max-listpack-size -1..-5 bounds a
// node's bytes, a positive fill its items (and 8 KB). A node takes an item
// if its size plus the item's plus Redis 7.0's estimate of the entry
// overhead (8 bytes, found by experiment against redis-server 7.0.15) fits.
constexpr size_t kNodeSizeLevels[] = {4096, 8192, 16384, 32768, 65536};
constexpr size_t kNodeSafetyLimit = 8192;
constexpr size_t kEntryOverheadEstimate = 8;

bool NodeAccepts(const ListpackWriter& node, int fill, size_t item_bytes) {
  const size_t new_size = node.bytes() + item_bytes + kEntryOverheadEstimate;
  if (fill < 0) return new_size <= kNodeSizeLevels[std::min(-fill, 5) - 1];
  return new_size <= kNodeSafetyLimit && node.count() < static_cast<size_t>(fill);
}

constexpr size_t kMinNodeCompressBytes = 48;
constexpr size_t kMinNodeCompressSaving = 8;
constexpr uint64_t kContainerPlain = 1;
constexpr uint64_t kContainerPacked = 2;

void DumpList(const ListObject& list, Compression compression, std::string& out) {
  std::vector<ListpackWriter> nodes;
  const int fill = ListObject::Fill();
  if (list.Size() > 0) {
    list.Walk(0, true, [&](std::string_view item, size_t) {
      if (nodes.empty() || !NodeAccepts(nodes.back(), fill, item.size())) nodes.emplace_back();
      nodes.back().Add(item);
      return true;
    });
  }
  out.push_back(static_cast<char>(kTypeListQuicklist2));
  AppendLength(out, nodes.size());
  // With list-compress-depth d, Redis keeps every node but the d at each end
  // LZF-compressed when it is 48 bytes or more and compression saves more
  // than 8 bytes, and writes such a node in that form, whatever
  // rdbcompression says.
  const int64_t depth = ListObject::CompressDepth();
  for (size_t i = 0; i < nodes.size(); ++i) {
    AppendLength(out, kContainerPacked);
    const std::string blob = nodes[i].Finish();
    const bool inner = depth > 0 && i >= static_cast<uint64_t>(depth) &&
                       nodes.size() - i > static_cast<uint64_t>(depth);
    if (inner && blob.size() >= kMinNodeCompressBytes) {
      const std::optional<std::string> packed = LzfCompress(blob, blob.size());
      if (packed && packed->size() + kMinNodeCompressSaving < blob.size()) {
        AppendLzfBlob(out, *packed, blob.size());
        continue;
      }
    }
    AppendString(out, blob, compression);
  }
}

void DumpHash(const HashObject& hash, Compression compression, std::string& out) {
  if (hash.compact()) {
    ListpackWriter lp;
    hash.ForEachElement([&](const store::ElementView& e) {
      lp.Add(e.member);
      lp.Add(e.value);
    });
    out.push_back(static_cast<char>(kTypeHashListpack));
    AppendString(out, lp.Finish(), compression);
    return;
  }
  out.push_back(static_cast<char>(kTypeHash));
  AppendLength(out, hash.Size());
  hash.ForEachElement([&](const store::ElementView& e) {
    AppendString(out, e.member, compression);
    AppendString(out, e.value, compression);
  });
}

void DumpSet(const SetObject& set, Compression compression, std::string& out) {
  if (set.intset()) {
    const uint8_t width = set.intset_width();
    std::string blob;
    StoreLe(blob, width, 4);
    StoreLe(blob, set.Size(), 4);
    set.ForEachMember([&](std::string_view member) {
      StoreLe(blob, static_cast<uint64_t>(*store::ParseInt64(member)), width);
    });
    out.push_back(static_cast<char>(kTypeSetIntset));
    AppendString(out, blob, compression);
    return;
  }
  out.push_back(static_cast<char>(kTypeSet));
  AppendLength(out, set.Size());
  set.ForEachMember([&](std::string_view member) { AppendString(out, member, compression); });
}

void DumpZSet(const ZSetObject& zset, Compression compression, std::string& out) {
  if (zset.compact()) {
    ListpackWriter lp;
    zset.ForEachElement([&](const store::ElementView& e) {
      lp.Add(e.member);
      lp.Add(ScoreText(e.score));
    });
    out.push_back(static_cast<char>(kTypeZSetListpack));
    AppendString(out, lp.Finish(), compression);
    return;
  }
  // Redis writes a skip list from its greatest member down.
  out.push_back(static_cast<char>(kTypeZSet2));
  AppendLength(out, zset.Size());
  if (zset.Size() == 0) return;
  zset.ForRange(0, zset.Size() - 1, /*reverse=*/true, [&](std::string_view member, double score) {
    AppendString(out, member, compression);
    AppendBinaryDouble(out, score);
    return true;
  });
}

// ---- Streams (Redis's t_stream.c) ----
//
// A stream is a sequence of listpack nodes, each keyed by its master ID (16
// bytes, ms and seq big-endian). A node holds the master entry -- live
// count, deleted count, number of master fields, the fields, 0 -- then its
// entries: flags, ms and seq as differences from the master ID, the number
// of fields and the fields unless the entry has the master's fields
// (kStreamSameFields), the values, and lp-count, the number of items of
// the entry before it.

constexpr int64_t kStreamDeleted = 1;
constexpr int64_t kStreamSameFields = 2;
constexpr size_t kStreamListpackMaxSize = size_t{1} << 30;
constexpr size_t kStreamIdBytes = 16;

void AppendStreamId(std::string& out, StreamID id) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((id.ms >> (8 * i)) & 0xff));
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((id.seq >> (8 * i)) & 0xff));
}

StreamID LoadStreamId(std::string_view raw) {
  StreamID id;
  for (int i = 0; i < 8; ++i) id.ms = (id.ms << 8) | static_cast<uint8_t>(raw[i]);
  for (int i = 8; i < 16; ++i) id.seq = (id.seq << 8) | static_cast<uint8_t>(raw[i]);
  return id;
}

// A node being filled as Redis's streamAppendItem fills one.
class StreamNode {
 public:
  StreamNode(StreamID master, const store::StreamEntry& first) : master_(master) {
    for (size_t i = 0; i < first.fields_values.size(); i += 2) {
      fields_.emplace_back(first.fields_values[i]);
    }
  }
  StreamID master() const { return master_; }
  size_t count() const { return count_; }

  void Add(const store::StreamEntry& e) {
    const size_t n = e.fields_values.size() / 2;
    bool same = n == fields_.size();
    for (size_t i = 0; same && i < n; ++i) same = e.fields_values[2 * i] == fields_[i];
    entries_.Add(std::to_string(same ? kStreamSameFields : 0));
    entries_.Add(std::to_string(static_cast<int64_t>(e.id.ms - master_.ms)));
    entries_.Add(std::to_string(static_cast<int64_t>(e.id.seq - master_.seq)));
    if (!same) entries_.Add(std::to_string(n));
    for (size_t i = 0; i < n; ++i) {
      if (!same) entries_.Add(e.fields_values[2 * i]);
      entries_.Add(e.fields_values[2 * i + 1]);
    }
    entries_.Add(std::to_string(n + 3 + (same ? 0 : n + 1)));
    ++count_;
  }

  // The node's listpack; Bytes() is its size.
  std::string Finish() const {
    ListpackWriter lp = MasterEntry();
    lp.Append(entries_);
    return lp.Finish();
  }
  size_t Bytes() const { return MasterEntry().bytes() + entries_.bytes() - kListpackHeader - 1; }

 private:
  ListpackWriter MasterEntry() const {
    ListpackWriter lp;
    lp.Add(std::to_string(count_));
    lp.Add("0");  // deleted: only live entries are written
    lp.Add(std::to_string(fields_.size()));
    for (const std::string& f : fields_) lp.Add(f);
    lp.Add("0");
    return lp;
  }

  StreamID master_;
  std::vector<std::string> fields_;
  ListpackWriter entries_;
  size_t count_ = 0;
};

void AppendIdLengths(std::string& out, StreamID id) {
  AppendLength(out, id.ms);
  AppendLength(out, id.seq);
}

// RDB_TYPE_STREAM_LISTPACKS_2, the live entries split into nodes as XADD
// splits them under the current stream-node-max-bytes / -entries.
void DumpStream(const StreamObject& stream, Compression compression, std::string& out) {
  size_t max_bytes = StreamObject::MaxBlockBytes();
  if (max_bytes == 0 || max_bytes > kStreamListpackMaxSize) max_bytes = kStreamListpackMaxSize;
  const size_t max_entries = StreamObject::MaxBlockEntries();
  std::vector<StreamNode> nodes;
  stream.Range({0, 0}, StreamID::Max(), false, [&](const store::StreamEntry& e) {
    size_t bytes = 0;
    for (std::string_view s : e.fields_values) bytes += s.size();
    if (nodes.empty() || nodes.back().Bytes() + bytes >= max_bytes ||
        (max_entries != 0 && nodes.back().count() >= max_entries)) {
      nodes.emplace_back(e.id, e);
    }
    nodes.back().Add(e);
    return true;
  });
  out.push_back(static_cast<char>(kTypeStreamListpacks2));
  AppendLength(out, nodes.size());
  for (const StreamNode& node : nodes) {
    std::string key;
    AppendStreamId(key, node.master());
    AppendString(out, key, compression);
    AppendString(out, node.Finish(), compression);
  }
  AppendLength(out, stream.Size());
  AppendIdLengths(out, stream.last_id());
  AppendIdLengths(out, stream.FirstId().value_or(StreamID{0, 0}));
  AppendIdLengths(out, stream.max_deleted());
  AppendLength(out, stream.entries_added());
  AppendLength(out, stream.groups().size());
  for (const auto& [name, group] : stream.groups()) {
    AppendString(out, name, compression);
    AppendIdLengths(out, group.last_id);
    // -1 (unknown) is written as the 64-bit length 2^64-1, as Redis does.
    AppendLength(out, static_cast<uint64_t>(group.entries_read));
    AppendLength(out, group.pel.size());
    for (const auto& [id, pending] : group.pel) {
      AppendStreamId(out, id);
      AppendMillisecondTime(out, pending.delivery_time);
      AppendLength(out, pending.delivery_count);
    }
    AppendLength(out, group.consumers.size());
    for (const auto& [consumer_name, consumer] : group.consumers) {
      AppendString(out, consumer_name, compression);
      AppendMillisecondTime(out, consumer.seen_time);
      AppendLength(out, consumer.pending.size());
      for (const StreamID& id : consumer.pending) AppendStreamId(out, id);
    }
  }
}

// ---- Reading values ----

template <typename T>
ObjectPtr NewCollection() {
  return ObjectPtr(new T());
}

// Adds (field, value) pairs; false if their count is odd or a field repeats.
bool AddHashPairs(HashObject& hash, const std::vector<std::string>& items) {
  if (items.size() % 2 != 0) return false;
  for (size_t i = 0; i < items.size(); i += 2) {
    if (!hash.Set(items[i], items[i + 1])) return false;
  }
  return true;
}

// Adds (member, score) pairs; false if their count is odd, a score is not
// a number (or NaN) or a member repeats.
bool AddZSetPairs(ZSetObject& zset, const std::vector<std::string>& items) {
  if (items.size() % 2 != 0) return false;
  for (size_t i = 0; i < items.size(); i += 2) {
    const std::optional<double> score = store::ParseDouble(items[i + 1]);
    if (!score || std::isnan(*score) || !zset.Set(items[i], *score)) return false;
  }
  return true;
}

void PushAll(ListObject& list, const std::vector<std::string>& items) {
  for (const std::string& item : items) list.Push(ListObject::End::kRight, item);
}

std::optional<StreamID> ReadIdLengths(Reader& r) {
  const std::optional<uint64_t> ms = r.ReadLength();
  if (!ms) return std::nullopt;
  const std::optional<uint64_t> seq = r.ReadLength();
  if (!seq) return std::nullopt;
  return StreamID{*ms, *seq};
}

// Adds the live entries of one node to `stream`. Every entry must follow
// `*prev` (the last ID read, deleted entries included) and the node must
// hold exactly the live and deleted entries its master entry counts.
bool LoadStreamNode(StreamID master, const std::vector<std::string>& items, StreamObject& stream,
                    StreamID* prev) {
  size_t pos = 0;
  auto next_int = [&]() -> std::optional<int64_t> {
    if (pos >= items.size()) return std::nullopt;
    return store::ParseInt64(items[pos++]);
  };
  // A count of items that may follow: not negative, not beyond the node.
  auto next_count = [&]() -> std::optional<size_t> {
    const std::optional<int64_t> v = next_int();
    if (!v || *v < 0 || static_cast<uint64_t>(*v) > items.size() - pos) return std::nullopt;
    return static_cast<size_t>(*v);
  };
  const std::optional<int64_t> live = next_int();
  const std::optional<int64_t> deleted = next_int();
  const std::optional<size_t> num_fields = next_count();
  if (!live || !deleted || !num_fields) return false;
  std::vector<std::string_view> master_fields;
  for (size_t i = 0; i < *num_fields; ++i) master_fields.push_back(items[pos++]);
  if (next_int() != 0) return false;  // the master entry's terminator
  int64_t live_seen = 0;
  int64_t deleted_seen = 0;
  std::vector<std::string_view> fv;
  while (pos < items.size()) {
    const std::optional<int64_t> flags = next_int();
    const std::optional<int64_t> ms_diff = next_int();
    const std::optional<int64_t> seq_diff = next_int();
    if (!flags || !ms_diff || !seq_diff) return false;
    if ((*flags & ~(kStreamDeleted | kStreamSameFields)) != 0) return false;
    const StreamID id{master.ms + static_cast<uint64_t>(*ms_diff),
                      master.seq + static_cast<uint64_t>(*seq_diff)};
    if (id <= *prev) return false;
    *prev = id;
    const bool same = (*flags & kStreamSameFields) != 0;
    size_t n = master_fields.size();
    if (!same) {
      const std::optional<size_t> count = next_count();
      if (!count) return false;
      n = *count;
    }
    if (n == 0 || n > items.size() - pos) return false;
    fv.clear();
    for (size_t i = 0; i < n; ++i) {
      if (same) {
        fv.push_back(master_fields[i]);
      } else {
        if (pos >= items.size()) return false;
        fv.push_back(items[pos++]);
      }
      if (pos >= items.size()) return false;
      fv.push_back(items[pos++]);
    }
    const int64_t expected = static_cast<int64_t>(n + 3 + (same ? 0 : n + 1));
    if (next_int() != expected) return false;
    if ((*flags & kStreamDeleted) != 0) {
      ++deleted_seen;
    } else {
      stream.Append(id, fv);
      ++live_seen;
    }
  }
  return live_seen == *live && deleted_seen == *deleted;
}

// RDB_TYPE_STREAM_LISTPACKS (Redis 5 to 6.2) and _2 (7.0). The older one
// has no first ID, max deleted ID, entries-added or entries-read: they are
// derived as Redis derives them (entries-added is the length, a group's
// entries-read the estimate from its last ID).
ObjectPtr LoadStream(uint8_t type, Reader& r) {
  const std::optional<uint64_t> nodes = r.ReadLength();
  if (!nodes) return nullptr;
  ObjectPtr obj(new StreamObject());
  auto& stream = static_cast<StreamObject&>(*obj);
  StreamID prev{0, 0};  // IDs start above 0-0
  for (uint64_t i = 0; i < *nodes; ++i) {
    const std::optional<std::string> key = r.ReadString();
    if (!key || key->size() != kStreamIdBytes) return nullptr;
    const std::optional<std::string> blob = r.ReadString();
    if (!blob) return nullptr;
    const std::optional<std::vector<std::string>> items = DecodeListpack(*blob);
    if (!items || items->empty()) return nullptr;
    if (!LoadStreamNode(LoadStreamId(*key), *items, stream, &prev)) return nullptr;
  }
  const std::optional<uint64_t> length = r.ReadLength();
  if (!length || *length != stream.Size()) return nullptr;
  const std::optional<StreamID> last_id = ReadIdLengths(r);
  if (!last_id || *last_id < prev) return nullptr;
  StreamID max_deleted{0, 0};
  uint64_t entries_added = *length;
  if (type == kTypeStreamListpacks2) {
    // The first ID is not kept: the stream finds its first entry.
    const std::optional<StreamID> first_id = ReadIdLengths(r);
    const std::optional<StreamID> max_del = first_id ? ReadIdLengths(r) : std::nullopt;
    const std::optional<uint64_t> added = max_del ? r.ReadLength() : std::nullopt;
    if (!added || *added < *length) return nullptr;
    max_deleted = *max_del;
    entries_added = *added;
  }
  stream.SetId(*last_id, entries_added, max_deleted);

  const std::optional<uint64_t> groups = r.ReadLength();
  if (!groups) return nullptr;
  for (uint64_t i = 0; i < *groups; ++i) {
    const std::optional<std::string> name = r.ReadString();
    if (!name) return nullptr;
    const std::optional<StreamID> group_id = ReadIdLengths(r);
    if (!group_id) return nullptr;
    int64_t entries_read = 0;
    if (type == kTypeStreamListpacks2) {
      const std::optional<uint64_t> read = r.ReadLength();
      if (!read) return nullptr;
      entries_read = static_cast<int64_t>(*read);  // 2^64-1 is -1, unknown
    } else {
      entries_read = stream.EstimateEntriesRead(*group_id);
    }
    if (!stream.CreateGroup(*name, *group_id, entries_read)) return nullptr;
    StreamObject::Group& group = *stream.FindGroup(*name);
    // The group's PEL, then the consumers and the IDs each owns: every
    // pending entry must be owned by exactly one consumer.
    struct Pending {
      int64_t time = 0;
      uint64_t count = 0;
      bool owned = false;
    };
    std::map<StreamID, Pending> pel;
    const std::optional<uint64_t> pel_size = r.ReadLength();
    if (!pel_size) return nullptr;
    for (uint64_t j = 0; j < *pel_size; ++j) {
      const std::optional<std::string_view> raw = r.ReadRaw(kStreamIdBytes);
      if (!raw) return nullptr;
      const std::optional<int64_t> time = r.ReadMillisecondTime();
      if (!time) return nullptr;
      const std::optional<uint64_t> count = r.ReadLength();
      if (!count) return nullptr;
      if (!pel.try_emplace(LoadStreamId(*raw), Pending{*time, *count, false}).second) {
        return nullptr;
      }
    }
    const std::optional<uint64_t> consumers = r.ReadLength();
    if (!consumers) return nullptr;
    for (uint64_t j = 0; j < *consumers; ++j) {
      const std::optional<std::string> consumer = r.ReadString();
      if (!consumer) return nullptr;
      const std::optional<int64_t> seen = r.ReadMillisecondTime();
      if (!seen) return nullptr;
      bool created = false;
      stream.CreateConsumer(group, *consumer, *seen, &created);
      if (!created) return nullptr;
      const std::optional<uint64_t> owned = r.ReadLength();
      if (!owned) return nullptr;
      for (uint64_t k = 0; k < *owned; ++k) {
        const std::optional<std::string_view> raw = r.ReadRaw(kStreamIdBytes);
        if (!raw) return nullptr;
        const StreamID id = LoadStreamId(*raw);
        auto it = pel.find(id);
        if (it == pel.end() || it->second.owned) return nullptr;
        it->second.owned = true;
        stream.SetPending(group, *consumer, id, it->second.time, it->second.count);
      }
    }
    for (const auto& [id, pending] : pel) {
      if (!pending.owned) return nullptr;
    }
  }
  return obj;
}

ObjectPtr LoadCollection(uint8_t type, Reader& r) {
  switch (type) {
    case kTypeList: {
      const std::optional<uint64_t> n = r.ReadLength();
      if (!n) return nullptr;
      ObjectPtr obj = NewCollection<ListObject>();
      auto& list = static_cast<ListObject&>(*obj);
      for (uint64_t i = 0; i < *n; ++i) {
        const std::optional<std::string> item = r.ReadString();
        if (!item) return nullptr;
        list.Push(ListObject::End::kRight, *item);
      }
      return obj;
    }
    case kTypeSet: {
      const std::optional<uint64_t> n = r.ReadLength();
      if (!n) return nullptr;
      ObjectPtr obj = NewCollection<SetObject>();
      auto& set = static_cast<SetObject&>(*obj);
      for (uint64_t i = 0; i < *n; ++i) {
        const std::optional<std::string> member = r.ReadString();
        if (!member || !set.Add(*member)) return nullptr;
      }
      return obj;
    }
    case kTypeZSet:
    case kTypeZSet2: {
      const std::optional<uint64_t> n = r.ReadLength();
      if (!n) return nullptr;
      ObjectPtr obj = NewCollection<ZSetObject>();
      auto& zset = static_cast<ZSetObject&>(*obj);
      for (uint64_t i = 0; i < *n; ++i) {
        const std::optional<std::string> member = r.ReadString();
        if (!member) return nullptr;
        const std::optional<double> score =
            type == kTypeZSet2 ? r.ReadBinaryDouble() : r.ReadTextDouble();
        if (!score || std::isnan(*score) || !zset.Set(*member, *score)) return nullptr;
      }
      return obj;
    }
    case kTypeHash: {
      const std::optional<uint64_t> n = r.ReadLength();
      if (!n) return nullptr;
      ObjectPtr obj = NewCollection<HashObject>();
      auto& hash = static_cast<HashObject&>(*obj);
      for (uint64_t i = 0; i < *n; ++i) {
        const std::optional<std::string> field = r.ReadString();
        if (!field) return nullptr;
        const std::optional<std::string> value = r.ReadString();
        if (!value || !hash.Set(*field, *value)) return nullptr;
      }
      return obj;
    }
    case kTypeHashZipmap:
    case kTypeHashZiplist:
    case kTypeHashListpack: {
      const std::optional<std::string> blob = r.ReadString();
      if (!blob) return nullptr;
      const std::optional<std::vector<std::string>> items =
          type == kTypeHashZipmap    ? DecodeZipmap(*blob)
          : type == kTypeHashZiplist ? DecodeZiplist(*blob)
                                     : DecodeListpack(*blob);
      if (!items) return nullptr;
      ObjectPtr obj = NewCollection<HashObject>();
      if (!AddHashPairs(static_cast<HashObject&>(*obj), *items)) return nullptr;
      return obj;
    }
    case kTypeZSetZiplist:
    case kTypeZSetListpack: {
      const std::optional<std::string> blob = r.ReadString();
      if (!blob) return nullptr;
      const std::optional<std::vector<std::string>> items =
          type == kTypeZSetZiplist ? DecodeZiplist(*blob) : DecodeListpack(*blob);
      if (!items) return nullptr;
      ObjectPtr obj = NewCollection<ZSetObject>();
      if (!AddZSetPairs(static_cast<ZSetObject&>(*obj), *items)) return nullptr;
      return obj;
    }
    case kTypeSetIntset: {
      const std::optional<std::string> blob = r.ReadString();
      if (!blob) return nullptr;
      const std::optional<std::vector<int64_t>> ints = DecodeIntset(*blob);
      if (!ints) return nullptr;
      ObjectPtr obj = NewCollection<SetObject>();
      auto& set = static_cast<SetObject&>(*obj);
      set.Reserve(ints->size());
      for (int64_t v : *ints) set.Add(std::to_string(v));
      return obj;
    }
    case kTypeListZiplist: {
      const std::optional<std::string> blob = r.ReadString();
      if (!blob) return nullptr;
      const std::optional<std::vector<std::string>> items = DecodeZiplist(*blob);
      if (!items) return nullptr;
      ObjectPtr obj = NewCollection<ListObject>();
      PushAll(static_cast<ListObject&>(*obj), *items);
      return obj;
    }
    case kTypeListQuicklist:
    case kTypeListQuicklist2: {
      const std::optional<uint64_t> nodes = r.ReadLength();
      if (!nodes) return nullptr;
      ObjectPtr obj = NewCollection<ListObject>();
      auto& list = static_cast<ListObject&>(*obj);
      for (uint64_t i = 0; i < *nodes; ++i) {
        uint64_t container = kContainerPacked;
        if (type == kTypeListQuicklist2) {
          const std::optional<uint64_t> c = r.ReadLength();
          if (!c || (*c != kContainerPlain && *c != kContainerPacked)) return nullptr;
          container = *c;
        }
        const std::optional<std::string> blob = r.ReadString();
        // A node of no bytes, even a plain one, is refused, as Redis does.
        if (!blob || blob->empty()) return nullptr;
        if (container == kContainerPlain) {
          list.Push(ListObject::End::kRight, *blob);
          continue;
        }
        // Empty nodes are skipped, as Redis skips them.
        const std::optional<std::vector<std::string>> items =
            type == kTypeListQuicklist ? DecodeZiplist(*blob) : DecodeListpack(*blob);
        if (!items) return nullptr;
        PushAll(list, *items);
      }
      return obj;
    }
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
      return LoadStream(type, r);
    default:
      return nullptr;  // modules, unknown types
  }
}

}  // namespace

std::string EncodeListpack(const std::vector<std::string>& items) {
  ListpackWriter lp;
  for (const std::string& item : items) lp.Add(item);
  return lp.Finish();
}

std::optional<std::vector<std::string>> DecodeListpack(std::string_view blob) {
  if (blob.size() < kListpackHeader + 1) return std::nullopt;
  if (LoadLe(blob.data(), 4) != blob.size()) return std::nullopt;
  if (static_cast<uint8_t>(blob.back()) != kListpackEnd) return std::nullopt;
  const uint64_t declared = LoadLe(blob.data() + 4, 2);
  const size_t end = blob.size() - 1;  // the terminator
  std::vector<std::string> out;
  size_t pos = kListpackHeader;
  while (pos < end) {
    const auto b = static_cast<uint8_t>(blob[pos]);
    size_t header = 1;  // encoding bytes
    uint64_t str_len = 0;
    bool is_str = false;
    int int_bytes = 0;  // integer data bytes after the encoding byte
    int64_t value = 0;
    if ((b & 0x80) == 0) {
      value = b & 0x7f;
    } else if ((b & 0xC0) == 0x80) {
      is_str = true;
      str_len = b & 0x3f;
    } else if ((b & 0xE0) == 0xC0) {
      if (pos + 2 > end) return std::nullopt;
      header = 2;
      value = SignExtend(
          (static_cast<uint64_t>(b & 0x1f) << 8) | static_cast<uint8_t>(blob[pos + 1]), 13);
    } else if ((b & 0xF0) == 0xE0) {
      if (pos + 2 > end) return std::nullopt;
      header = 2;
      is_str = true;
      str_len = (static_cast<uint64_t>(b & 0x0f) << 8) | static_cast<uint8_t>(blob[pos + 1]);
    } else if (b == 0xF0) {
      if (pos + 5 > end) return std::nullopt;
      header = 5;
      is_str = true;
      str_len = LoadLe(blob.data() + pos + 1, 4);
    } else if (b >= 0xF1 && b <= 0xF4) {
      static constexpr int kBytes[] = {2, 3, 4, 8};
      int_bytes = kBytes[b - 0xF1];
      if (pos + 1 + int_bytes > end) return std::nullopt;
      value = SignExtend(LoadLe(blob.data() + pos + 1, int_bytes), int_bytes * 8);
    } else {
      return std::nullopt;  // 0xF5..0xFE are not encodings; 0xFF ends early
    }
    const uint64_t data = is_str ? str_len : static_cast<uint64_t>(int_bytes);
    if (data > end - pos - header) return std::nullopt;
    const uint64_t entry = header + data;
    // The back length must be the entry's size in its one encoding (as
    // Redis's lpValidateNext checks it).
    std::string encoded_backlen;
    AppendBacklen(encoded_backlen, entry);
    const size_t after = pos + entry;
    if (encoded_backlen.size() > end - after) return std::nullopt;
    if (blob.substr(after, encoded_backlen.size()) != encoded_backlen) return std::nullopt;
    if (is_str) {
      out.emplace_back(blob.substr(pos + header, str_len));
    } else {
      out.push_back(std::to_string(value));
    }
    pos = after + encoded_backlen.size();
  }
  if (pos != end) return std::nullopt;
  if (declared != kListpackCountUnknown && declared != out.size()) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> DecodeZiplist(std::string_view blob) {
  if (blob.size() < kZiplistHeader + 1) return std::nullopt;
  if (LoadLe(blob.data(), 4) != blob.size()) return std::nullopt;
  const uint64_t tail = LoadLe(blob.data() + 4, 4);
  const uint64_t declared = LoadLe(blob.data() + 8, 2);
  if (static_cast<uint8_t>(blob.back()) != 0xFF) return std::nullopt;
  const size_t end = blob.size() - 1;
  std::vector<std::string> out;
  size_t pos = kZiplistHeader;
  size_t last = kZiplistHeader;
  uint64_t prev_size = 0;
  while (pos < end) {
    size_t p = pos;
    const auto first = static_cast<uint8_t>(blob[p]);
    uint64_t prevlen = 0;
    if (first < 254) {
      prevlen = first;
      p += 1;
    } else if (first == 254) {
      if (p + 5 > end) return std::nullopt;
      prevlen = LoadLe(blob.data() + p + 1, 4);
      p += 5;
    } else {
      return std::nullopt;
    }
    if (prevlen != prev_size) return std::nullopt;
    if (p >= end) return std::nullopt;
    const auto enc = static_cast<uint8_t>(blob[p]);
    uint64_t str_len = 0;
    bool is_str = true;
    int int_bytes = 0;
    int64_t value = 0;
    size_t enc_len = 1;
    switch (enc >> 6) {
      case 0:
        str_len = enc & 0x3f;
        break;
      case 1:
        if (p + 2 > end) return std::nullopt;
        enc_len = 2;
        str_len = (static_cast<uint64_t>(enc & 0x3f) << 8) | static_cast<uint8_t>(blob[p + 1]);
        break;
      case 2:
        if (enc != 0x80 || p + 5 > end) return std::nullopt;
        enc_len = 5;
        for (int i = 1; i <= 4; ++i) str_len = (str_len << 8) | static_cast<uint8_t>(blob[p + i]);
        break;
      default:
        is_str = false;
        switch (enc) {
          case 0xC0:
            int_bytes = 2;
            break;
          case 0xD0:
            int_bytes = 4;
            break;
          case 0xE0:
            int_bytes = 8;
            break;
          case 0xF0:
            int_bytes = 3;
            break;
          case 0xFE:
            int_bytes = 1;
            break;
          default:
            if (enc < 0xF1 || enc > 0xFD) return std::nullopt;
            value = (enc & 0x0f) - 1;  // an immediate 0..12
        }
    }
    p += enc_len;
    const uint64_t data = is_str ? str_len : static_cast<uint64_t>(int_bytes);
    if (data > end - p) return std::nullopt;
    if (is_str) {
      out.emplace_back(blob.substr(p, str_len));
    } else {
      if (int_bytes > 0) value = SignExtend(LoadLe(blob.data() + p, int_bytes), int_bytes * 8);
      out.push_back(std::to_string(value));
    }
    p += data;
    last = pos;
    prev_size = p - pos;
    pos = p;
  }
  if (pos != end || tail != last) return std::nullopt;
  if (declared != 65535 && declared != out.size()) return std::nullopt;
  return out;
}

std::string DumpPayload(const store::ValueView& value, Compression compression) {
  std::string out;
  switch (value.type) {
    case ValueType::kString:
      out.push_back(static_cast<char>(kTypeString));
      AppendString(out, value.str, compression);
      break;
    case ValueType::kList:
      DumpList(value.As<ListObject>(), compression, out);
      break;
    case ValueType::kSet:
      DumpSet(value.As<SetObject>(), compression, out);
      break;
    case ValueType::kZSet:
      DumpZSet(value.As<ZSetObject>(), compression, out);
      break;
    case ValueType::kHash:
      DumpHash(value.As<HashObject>(), compression, out);
      break;
    case ValueType::kStream:
      DumpStream(value.As<StreamObject>(), compression, out);
      break;
  }
  AppendFooter(out);
  return out;
}

std::optional<LoadedValue> LoadValue(std::string_view body) {
  Reader r(body);
  const std::optional<uint8_t> type = r.ReadByte();
  if (!type) return std::nullopt;
  LoadedValue loaded;
  if (*type == kTypeString) {
    std::optional<std::string> s = r.ReadString();
    if (!s) return std::nullopt;
    loaded.str = std::move(*s);
    return loaded;
  }
  loaded.object = LoadCollection(*type, r);
  // An empty collection is refused, as Redis refuses it; an empty stream
  // is a stream.
  if (loaded.object == nullptr) return std::nullopt;
  if (loaded.object->Size() == 0 && loaded.object->type() != ValueType::kStream) {
    return std::nullopt;
  }
  loaded.type = loaded.object->type();
  return loaded;
}

}  // namespace stashd::persistence::rdb
