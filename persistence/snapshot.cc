#include "persistence/snapshot.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "persistence/crc32c.h"
#include "persistence/log_format.h"
#include "store/codec.h"

namespace stashd::persistence {
namespace internal {

// An open SQLite connection; closes on destruction.
class Database {
 public:
  Database() = default;
  ~Database() { Close(); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status Open(const std::string& path, int flags, const std::string& vfs) {
    path_ = path;
    // NOMUTEX: a connection is only ever used by one thread at a time.
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX,
                             vfs.empty() ? nullptr : vfs.c_str());
    if (rc != SQLITE_OK) return Error("open", rc);
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    return Status::Ok();
  }

  void Close() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
  }

  Status Exec(const char* sql) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : Error(sql, rc);
  }

  // A status for a failed call: I/O errors keep an errno (for MISCONF).
  Status Error(const std::string& what, int rc) const {
    std::string msg = "snapshot '" + path_ + "': " + what + ": ";
    msg += db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB) {
      return Status::NotSupported("'" + path_ +
                                  "' is not a stashd snapshot (not an SQLite database)");
    }
    if (primary == SQLITE_CORRUPT) return Status::Corruption(msg);
    int err = db_ != nullptr ? sqlite3_system_errno(db_) : 0;
    if (primary == SQLITE_FULL && err == 0) err = ENOSPC;
    if (err == 0) err = EIO;
    return Status::IoError(msg, err);
  }

  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace internal

namespace {

using internal::Database;

constexpr char kSchema[] =
    "CREATE TABLE keys("
    "  db INTEGER NOT NULL,"
    "  key BLOB NOT NULL,"
    "  type INTEGER NOT NULL,"
    "  value BLOB NOT NULL,"
    "  expire_at INTEGER,"
    "  crc INTEGER,"
    "  PRIMARY KEY(db, key)) WITHOUT ROWID;"
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value);";

// The element tables: one per collection type, holding the elements of
// each key of that type, one row each. Added by format version 2 (also
// created in an older file the first time this version writes to it); a
// type added later brings its table here and nowhere else. Each row is
// (db, key, <the type's columns>, crc); the columns are parts of an
// ElementView.
enum class Part : uint8_t { kMember, kValue, kScore, kIndex };
struct ElementColumn {
  const char* name;
  const char* sql_type;
  Part part;
};
struct ElementTable {
  store::ValueType type;
  const char* name;
  std::vector<ElementColumn> columns;
  const char* key_column;  // with (db, key), the primary key
};

const std::vector<ElementTable>& ElementTables() {
  static const std::vector<ElementTable> tables = {
      {store::ValueType::kHash,
       "hash_fields",
       {{"field", "BLOB", Part::kMember}, {"value", "BLOB", Part::kValue}},
       "field"},
      {store::ValueType::kSet, "set_members", {{"member", "BLOB", Part::kMember}}, "member"},
      {store::ValueType::kZSet,
       "zset_members",
       {{"member", "BLOB", Part::kMember}, {"score", "REAL", Part::kScore}},
       "member"},
      {store::ValueType::kList,
       "list_items",
       {{"idx", "INTEGER", Part::kIndex}, {"item", "BLOB", Part::kMember}},
       "idx"},
      {store::ValueType::kStream,
       "stream_parts",
       {{"idx", "INTEGER", Part::kIndex}, {"part", "BLOB", Part::kMember}},
       "idx"},
  };
  return tables;
}

const ElementTable* ElementTableOf(store::ValueType type) {
  for (const ElementTable& t : ElementTables()) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

// CREATE TABLE IF NOT EXISTS for every element table.
std::string ElementSchema() {
  std::string sql;
  for (const ElementTable& t : ElementTables()) {
    sql += "CREATE TABLE IF NOT EXISTS " + std::string(t.name) +
           "(db INTEGER NOT NULL, key BLOB NOT NULL,";
    for (const ElementColumn& c : t.columns) {
      sql += " " + std::string(c.name) + " " + c.sql_type + " NOT NULL,";
    }
    sql += " crc INTEGER NOT NULL, PRIMARY KEY(db, key, " + std::string(t.key_column) +
           ")) WITHOUT ROWID;";
  }
  return sql;
}

// "db, key, <columns>, crc"
std::string ElementColumns(const ElementTable& t) {
  std::string cols = "db, key";
  for (const ElementColumn& c : t.columns) cols += ", " + std::string(c.name);
  return cols + ", crc";
}

// True if `s` is valid UTF-8 without NUL bytes: such bytes are stored as
// TEXT, so `WHERE key = 'user:1'` matches as written; anything else is a BLOB.
bool IsPlainText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// The checksum of a row: CRC-32C over its fields in a fixed encoding
// (FORMAT.md), so a flipped bit in a key or value is noticed at load.
class RowCrc {
 public:
  RowCrc& Int(int64_t v) {
    buf_.clear();
    store::codec::PutVarint(&buf_, static_cast<uint64_t>(v));
    crc_ = crc32c::Extend(crc_, buf_.data(), buf_.size());
    return *this;
  }
  RowCrc& Bytes(std::string_view b) {
    Int(static_cast<int64_t>(b.size()));
    crc_ = crc32c::Extend(crc_, b.data(), b.size());
    return *this;
  }
  int64_t value() const { return crc_; }

 private:
  uint32_t crc_ = 0;
  std::string buf_;
};

// keys row: db, key, type, value (a string's bytes, or a collection's
// element count as decimal digits), deadline + 1 (0 = none).
int64_t KeyRowCrc(int db, std::string_view key, int type, std::string_view value,
                  int64_t expire_at_ms) {
  return RowCrc()
      .Int(db)
      .Bytes(key)
      .Int(type)
      .Bytes(value)
      .Int(expire_at_ms == store::kNoExpiry ? 0 : expire_at_ms + 1)
      .value();
}

// A score enters as the bits of its double (-0 as 0: SQLite keeps a REAL
// that is an integer as one, so -0 reads back as 0).
int64_t ScoreBits(double score) {
  if (score == 0) score = 0;
  int64_t bits;
  std::memcpy(&bits, &score, sizeof bits);
  return bits;
}

// An element row: db, key, then its columns in table order.
int64_t ElementRowCrc(const ElementTable& t, int db, std::string_view key,
                      const store::ElementView& e) {
  RowCrc crc;
  crc.Int(db).Bytes(key);
  for (const ElementColumn& c : t.columns) {
    switch (c.part) {
      case Part::kMember:
        crc.Bytes(e.member);
        break;
      case Part::kValue:
        crc.Bytes(e.value);
        break;
      case Part::kScore:
        crc.Int(ScoreBits(e.score));
        break;
      case Part::kIndex:
        crc.Int(e.index);
        break;
    }
  }
  return crc.value();
}

class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status Prepare(Database& db, const char* sql) {
    db_ = &db;
    int rc = sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : db.Error(sql, rc);
  }
  void BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  void BindDouble(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  // A BLOB even when empty (never NULL). `s` must outlive the step.
  void BindBlob(int i, std::string_view s) {
    if (s.empty()) {
      sqlite3_bind_zeroblob(stmt_, i, 0);
    } else {
      sqlite3_bind_blob64(stmt_, i, s.data(), s.size(), SQLITE_STATIC);
    }
  }
  void BindText(int i, std::string_view s) {
    sqlite3_bind_text64(stmt_, i, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  // Keys and values: TEXT when they are plain text (see IsPlainText), so
  // they compare equal to SQL string literals; BLOB otherwise.
  void BindBytes(int i, std::string_view s) {
    if (IsPlainText(s)) {
      BindText(i, s);
    } else {
      BindBlob(i, s);
    }
  }
  // Runs a statement that returns no row, then resets it for reuse.
  Status Run() {
    int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    return rc == SQLITE_DONE ? Status::Ok() : db_->Error("write", rc);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string_view ColumnBlob(sqlite3_stmt* stmt, int i) {
  const void* p = sqlite3_column_blob(stmt, i);
  int n = sqlite3_column_bytes(stmt, i);
  return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
}

// Checks that `db` is a stashd snapshot we can read, and reads its meta.
Status CheckSnapshot(Database& db, const std::string& path, SnapshotMeta* meta) {
  Statement app;
  Status s = app.Prepare(db, "PRAGMA application_id");
  if (!s.ok()) return s;
  int rc = app.Step();
  if (rc != SQLITE_ROW) return db.Error("read header", rc);
  int64_t app_id = sqlite3_column_int64(app.get(), 0);
  if (app_id != kSnapshotApplicationId) {
    return Status::NotSupported("'" + path +
                                "' is not a stashd snapshot (an SQLite database of another "
                                "application, application_id " +
                                std::to_string(app_id) + "); refusing to load or overwrite it");
  }
  Statement q;
  s = q.Prepare(db, "SELECT name, value FROM meta");
  if (!s.ok()) return s;
  while ((rc = q.Step()) == SQLITE_ROW) {
    std::string_view name(reinterpret_cast<const char*>(sqlite3_column_text(q.get(), 0)),
                          sqlite3_column_bytes(q.get(), 0));
    if (name == "format_version") {
      meta->format_version = sqlite3_column_int(q.get(), 1);
    } else if (name == "server_version") {
      const unsigned char* v = sqlite3_column_text(q.get(), 1);
      meta->server_version = v != nullptr ? reinterpret_cast<const char*>(v) : "";
    } else if (name == "last_save_ms") {
      meta->last_save_ms = sqlite3_column_int64(q.get(), 1);
    } else if (name == "log_seq") {
      meta->log_seq = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 1));
    } else if (name == "hash_seed") {
      const unsigned char* v = sqlite3_column_text(q.get(), 1);
      unsigned long long k0 = 0, k1 = 0;
      if (v == nullptr ||
          std::sscanf(reinterpret_cast<const char*>(v), "%16llx%16llx", &k0, &k1) != 2) {
        return Status::Corruption("'" + path + "' has a malformed hash_seed");
      }
      meta->has_hash_seed = true;
      meta->hash_seed = {k0, k1};
    }
  }
  if (rc != SQLITE_DONE) return db.Error("read meta", rc);
  if (meta->format_version > kSnapshotFormatVersion) {
    return Status::NotSupported(
        "'" + path + "' has snapshot format version " + std::to_string(meta->format_version) +
        " (written by stashd " + meta->server_version + "); this stashd reads up to version " +
        std::to_string(kSnapshotFormatVersion) + ". Refusing to load or overwrite it");
  }
  if (meta->format_version < 1) {
    return Status::Corruption("'" + path + "' is a stashd snapshot without a format_version");
  }
  return Status::Ok();
}

Status WriteMeta(Database& db, const std::string& server_version, uint64_t log_seq, int64_t now_ms,
                 const store::HashSeed& seed) {
  Statement m;
  Status s = m.Prepare(db, "INSERT OR REPLACE INTO meta(name, value) VALUES(?, ?)");
  if (!s.ok()) return s;
  auto put_int = [&](const char* name, int64_t v) {
    m.BindText(1, name);
    m.BindInt(2, v);
    return m.Run();
  };
  s = put_int("format_version", kSnapshotFormatVersion);
  if (s.ok()) {
    m.BindText(1, "server_version");
    m.BindText(2, server_version);
    s = m.Run();
  }
  if (s.ok()) s = put_int("last_save_ms", now_ms);
  if (s.ok()) s = put_int("log_seq", static_cast<int64_t>(log_seq));
  if (s.ok()) {
    char hex[40];
    std::snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(seed.k0),
                  static_cast<unsigned long long>(seed.k1));
    m.BindText(1, "hash_seed");
    m.BindText(2, hex);
    s = m.Run();
  }
  return s;
}

bool Expired(int64_t expire_at_ms, int64_t now_ms) {
  return expire_at_ms != store::kNoExpiry && expire_at_ms <= now_ms;
}

int64_t MsBetween(std::chrono::steady_clock::time_point a,
                  std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// The WAL is checkpointed into the database file once it is this big.
constexpr int64_t kCheckpointWalBytes = 64ll << 20;

// Rows per multi-row INSERT / keys per DELETE ... IN: one statement step
// for many rows is about twice as fast as one per row.
constexpr size_t kBatchRows = 128;

// SQLite's page cache while a new snapshot file is built (KiB).
constexpr int kNewFileCacheKb = 2048;

bool KeyLess(const store::PinnedValue& a, const store::PinnedValue& b) {
  return a.db != b.db ? a.db < b.db : a.key < b.key;
}

// Sorts pointers to `items` by (db, key), `db_key(item)` giving both. Each
// entry carries its db and the key's first 24 bytes as big-endian integers,
// so most comparisons are integer compares within the array rather than
// memcmp through pointers to scattered keys; only keys sharing their first
// 24 bytes compare in full. Big inputs are sorted by two threads, a half
// each, then merged.
template <typename T, typename DbKey>
std::vector<const T*> SortByKey(const std::vector<T>& items, DbKey db_key) {
  struct Entry {
    uint64_t db;
    uint64_t head[3];
    std::string_view key;
    const T* item;
  };
  std::vector<Entry> entries(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto [db, key] = db_key(items[i]);
    Entry& e = entries[i];
    e.db = static_cast<uint64_t>(db);
    e.key = key;
    e.item = &items[i];
    for (size_t w = 0; w < 3; ++w) {
      uint64_t word = 0;
      for (size_t b = 0; b < 8; ++b) {
        const size_t at = w * 8 + b;
        const uint64_t byte = at < key.size() ? static_cast<unsigned char>(key[at]) : 0;
        word = (word << 8) | byte;
      }
      e.head[w] = word;
    }
  }
  auto less = [](const Entry& a, const Entry& b) {
    if (a.db != b.db) return a.db < b.db;
    for (size_t w = 0; w < 3; ++w) {
      if (a.head[w] != b.head[w]) return a.head[w] < b.head[w];
    }
    return a.key < b.key;  // same first 24 bytes (zero padding included)
  };
  if (entries.size() < 200'000) {
    std::sort(entries.begin(), entries.end(), less);
  } else {
    auto middle = entries.begin() + static_cast<std::ptrdiff_t>(entries.size() / 2);
    std::thread helper([&] { std::sort(entries.begin(), middle, less); });
    std::sort(middle, entries.end(), less);
    helper.join();
    std::inplace_merge(entries.begin(), middle, entries.end(), less);
  }
  std::vector<const T*> out;
  out.reserve(entries.size());
  for (const Entry& e : entries) out.push_back(e.item);
  return out;
}

// A cut's values in primary-key order, so that every insert lands next to
// the previous one (several times faster than inserting in random order).
//
// Pinned entries are resolved into views one at a time as they are taken:
// no view of every key is built. A full cut's entries come as sorted runs
// (SnapshotCut::run_ends) and are merged, holding one view per run; an
// incremental cut's (the keys changed since the last one) are sorted as
// pointers, by key. Views already built (cut.upserts) are ordered the same way: a
// few sorted runs are merged, anything else is sorted.
class OrderedValues {
 public:
  // REQUIRES: the cut holds either upserts or unresolved entries, not both.
  explicit OrderedValues(const store::SnapshotCut& cut) {
    if (!cut.unresolved.empty()) {
      entries_ = &cut.unresolved;
      if (!cut.run_ends.empty()) {
        size_t begin = 0;
        for (size_t end : cut.run_ends) {
          runs_.push_back({begin, end});
          begin = end;
        }
      } else {
        sorted_entries_ =
            SortByKey(cut.unresolved, [](const std::pair<int, const store::Entry*>& p) {
              return std::pair<int, std::string_view>(
                  p.first, store::Keyspace::Resolve(p.first, p.second).key);
            });
      }
    } else {
      values_ = &cut.upserts;
      size_t begin = 0;
      for (size_t i = 1; i <= values_->size() && runs_.size() <= kMaxRuns; ++i) {
        if (i == values_->size() || KeyLess((*values_)[i], (*values_)[i - 1])) {
          runs_.push_back({begin, i});
          begin = i;
        }
      }
      if (runs_.size() > kMaxRuns) {
        runs_.clear();
        sorted_values_ = SortByKey(*values_, [](const store::PinnedValue& v) {
          return std::pair<int, std::string_view>(v.db, v.key);
        });
      }
    }
    Rewind();
  }

  // Starts again from the first value.
  void Rewind() {
    next_ = 0;
    popped_ = false;
    heap_.clear();
    for (size_t r = 0; r < runs_.size(); ++r) {
      runs_[r].next = runs_[r].begin;
      if (Advance(runs_[r])) heap_.push_back(r);
    }
    std::make_heap(heap_.begin(), heap_.end(), HeadGreater());
  }

  // The next value in key order, or nullptr after the last. Valid until the
  // next call.
  const store::PinnedValue* Next() {
    if (runs_.empty()) {
      if (values_ != nullptr) {
        return next_ < sorted_values_.size() ? sorted_values_[next_++] : nullptr;
      }
      if (next_ == sorted_entries_.size()) return nullptr;
      const auto& [db, e] = *sorted_entries_[next_++];
      current_ = store::Keyspace::Resolve(db, e);
      return &current_;
    }
    if (heap_.empty()) return nullptr;
    // The smallest head is returned; its run's next head replaces it at
    // the top of the heap on the following call (so the view stays valid).
    if (popped_) {
      std::pop_heap(heap_.begin(), heap_.end(), HeadGreater());
      if (Advance(runs_[heap_.back()])) {
        std::push_heap(heap_.begin(), heap_.end(), HeadGreater());
      } else {
        heap_.pop_back();
      }
      popped_ = false;
      if (heap_.empty()) return nullptr;
    }
    popped_ = true;
    return &runs_[heap_.front()].head;
  }

 private:
  static constexpr size_t kMaxRuns = 256;

  struct Run {
    size_t begin, end;
    size_t next = 0;
    store::PinnedValue head{};  // the run's smallest value not yet returned
  };
  // Loads the run's next value into head; false if the run is exhausted.
  bool Advance(Run& run) {
    if (run.next == run.end) return false;
    if (entries_ != nullptr) {
      // The entry after next is a cache miss later: start loading it now.
      if (run.next + 1 < run.end) __builtin_prefetch((*entries_)[run.next + 1].second);
      const auto& [db, e] = (*entries_)[run.next];
      run.head = store::Keyspace::Resolve(db, e);
    } else {
      run.head = (*values_)[run.next];
    }
    ++run.next;
    return true;
  }
  struct HeadGreaterFn {
    const std::vector<Run>* runs;
    bool operator()(size_t a, size_t b) const { return KeyLess((*runs)[b].head, (*runs)[a].head); }
  };
  HeadGreaterFn HeadGreater() const { return HeadGreaterFn{&runs_}; }

  const std::vector<std::pair<int, const store::Entry*>>* entries_ = nullptr;
  const std::vector<store::PinnedValue>* values_ = nullptr;
  std::vector<Run> runs_;
  std::vector<size_t> heap_;  // runs with values left, smallest head on top
  bool popped_ = false;       // the top's head was returned by the last Next()
  std::vector<const std::pair<int, const store::Entry*>*> sorted_entries_;
  std::vector<const store::PinnedValue*> sorted_values_;
  size_t next_ = 0;
  store::PinnedValue current_{};
};

// One column value of a row to insert.
struct Cell {
  enum class Kind : uint8_t { kNull, kInt, kDouble, kBytes } kind;
  int64_t i = 0;
  double d = 0;
  std::string_view b;  // must outlive the flush
  static Cell Null() { return {Kind::kNull, 0, 0, {}}; }
  static Cell Int(int64_t v) { return {Kind::kInt, v, 0, {}}; }
  static Cell Double(double v) { return {Kind::kDouble, 0, v, {}}; }
  static Cell Bytes(std::string_view v) { return {Kind::kBytes, 0, 0, v}; }
};

// Writes rows of one table with INSERT OR REPLACE, kBatchRows per statement.
class RowWriter {
 public:
  // `head` is "INSERT OR REPLACE INTO t(c1, c2, ...) VALUES ".
  RowWriter(Database& db, std::string head, size_t columns)
      : db_(db), head_(std::move(head)), columns_(columns) {}

  Status Add(std::initializer_list<Cell> row) { return Add(std::span<const Cell>(row)); }
  Status Add(std::span<const Cell> row) {
    cells_.insert(cells_.end(), row.begin(), row.end());
    return cells_.size() == kBatchRows * columns_ ? Flush() : Status::Ok();
  }

  Status Flush() {
    if (cells_.empty()) return Status::Ok();
    const size_t rows = cells_.size() / columns_;
    Statement tail;
    Statement* st = &full_;
    Status s;
    if (rows == kBatchRows) {
      if (full_.get() == nullptr) s = full_.Prepare(db_, Sql(kBatchRows).c_str());
    } else {
      s = tail.Prepare(db_, Sql(rows).c_str());
      st = &tail;
    }
    if (!s.ok()) return s;
    int i = 1;
    for (const Cell& c : cells_) {
      switch (c.kind) {
        case Cell::Kind::kNull:
          st->BindNull(i++);
          break;
        case Cell::Kind::kInt:
          st->BindInt(i++, c.i);
          break;
        case Cell::Kind::kDouble:
          st->BindDouble(i++, c.d);
          break;
        case Cell::Kind::kBytes:
          st->BindBytes(i++, c.b);
          break;
      }
    }
    cells_.clear();
    return st->Run();
  }

 private:
  std::string Sql(size_t rows) const {
    std::string one = "(?";
    for (size_t c = 1; c < columns_; ++c) one += ",?";
    one += ")";
    std::string sql = head_;
    for (size_t r = 0; r < rows; ++r) {
      if (r > 0) sql += ",";
      sql += one;
    }
    return sql;
  }

  Database& db_;
  std::string head_;
  size_t columns_;
  Statement full_;
  std::vector<Cell> cells_;
};

// Deletes the rows of keys of one database at a time from one table,
// kBatchRows keys per statement ("db = ? AND key IN (...)" is a primary-key
// search).
class RowDeleter {
 public:
  RowDeleter(Database& db, std::string table) : db_(db), table_(std::move(table)) {}

  Status Add(int dbi, std::string_view key) {
    if (!keys_.empty() && dbi != db_index_) {
      Status s = Flush();
      if (!s.ok()) return s;
    }
    db_index_ = dbi;
    keys_.push_back(key);
    return keys_.size() == kBatchRows ? Flush() : Status::Ok();
  }

  Status Flush() {
    if (keys_.empty()) return Status::Ok();
    std::string sql = "DELETE FROM " + table_ + " WHERE db = ? AND key IN (";
    for (size_t i = 0; i < keys_.size(); ++i) sql += i == 0 ? "?" : ",?";
    sql += ")";
    Statement st;
    Status s = st.Prepare(db_, sql.c_str());
    if (!s.ok()) return s;
    st.BindInt(1, db_index_);
    for (size_t i = 0; i < keys_.size(); ++i) st.BindBytes(static_cast<int>(i) + 2, keys_[i]);
    keys_.clear();
    return st.Run();
  }

 private:
  Database& db_;
  std::string table_;
  int db_index_ = 0;
  std::vector<std::string_view> keys_;
};

// Deletes keys from `keys` and from every element table.
class KeyDeleter {
 public:
  explicit KeyDeleter(Database& db, bool with_keys = true) {
    if (with_keys) deleters_.emplace_back(db, "keys");
    for (const ElementTable& t : ElementTables()) deleters_.emplace_back(db, t.name);
  }
  Status Add(int dbi, std::string_view key) {
    for (RowDeleter& d : deleters_) {
      Status s = d.Add(dbi, key);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  Status Flush() {
    for (RowDeleter& d : deleters_) {
      Status s = d.Flush();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  std::vector<RowDeleter> deleters_;
};

// Inserts/replaces the cut's rows and deletes its deleted keys.
Status WriteRows(Database& db, store::SnapshotCut* cut, int64_t now_ms, SnapshotWriteStats* stats) {
  KeyDeleter deleter(db);
  Status s;
  std::sort(cut->deletes.begin(), cut->deletes.end());
  for (const auto& [dbi, key] : cut->deletes) {
    s = deleter.Add(dbi, key);
    if (!s.ok()) return s;
    ++stats->deletes;
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!cut->upserts.empty() && !cut->unresolved.empty()) store::Keyspace::ResolveCut(*cut);
  OrderedValues ordered(*cut);
  auto t1 = std::chrono::steady_clock::now();
  stats->order_ms = MsBetween(t0, t1);
  if (!cut->full) {
    // A changed key may have held a collection (or another type) before:
    // its old element rows go first, before any new ones are inserted.
    KeyDeleter elements(db, /*with_keys=*/false);
    while (const store::PinnedValue* v = ordered.Next()) {
      s = elements.Add(v->db, v->key);
      if (!s.ok()) return s;
    }
    s = elements.Flush();
    if (!s.ok()) return s;
    ordered.Rewind();
  }
  // Keys whose deadline has passed are not written (deleted if present).
  std::vector<std::pair<int, std::string_view>> expired;
  RowWriter keys(db, "INSERT OR REPLACE INTO keys(db, key, type, value, expire_at, crc) VALUES ",
                 6);
  std::deque<RowWriter> element_writers;  // one per element table, in order
  for (const ElementTable& t : ElementTables()) {
    element_writers.emplace_back(
        db, "INSERT OR REPLACE INTO " + std::string(t.name) + "(" + ElementColumns(t) + ") VALUES ",
        t.columns.size() + 3);
  }
  std::vector<Cell> cells;
  while (const store::PinnedValue* v = ordered.Next()) {
    if (Expired(v->expire_at_ms, now_ms)) {
      if (!cut->full) expired.emplace_back(v->db, v->key);
      continue;
    }
    const int type = static_cast<int>(v->type);
    const Cell deadline =
        v->expire_at_ms == store::kNoExpiry ? Cell::Null() : Cell::Int(v->expire_at_ms);
    if (v->object == nullptr) {
      s = keys.Add({Cell::Int(v->db), Cell::Bytes(v->key), Cell::Int(type), Cell::Bytes(v->value),
                    deadline,
                    Cell::Int(KeyRowCrc(v->db, v->key, type, v->value, v->expire_at_ms))});
    } else {
      // A collection: its element count here, its elements in the type's
      // element table.
      const auto count = static_cast<int64_t>(v->object->SnapshotRows());
      s = keys.Add(
          {Cell::Int(v->db), Cell::Bytes(v->key), Cell::Int(type), Cell::Int(count), deadline,
           Cell::Int(KeyRowCrc(v->db, v->key, type, std::to_string(count), v->expire_at_ms))});
      const ElementTable* table = ElementTableOf(v->type);
      if (table == nullptr) return Status::Invalid("no snapshot table for this value type");
      RowWriter& elements = element_writers[table - ElementTables().data()];
      v->object->ForEachElement([&](const store::ElementView& e) {
        if (!s.ok()) return;
        cells.clear();
        cells.push_back(Cell::Int(v->db));
        cells.push_back(Cell::Bytes(v->key));
        for (const ElementColumn& c : table->columns) {
          switch (c.part) {
            case Part::kMember:
              cells.push_back(Cell::Bytes(e.member));
              break;
            case Part::kValue:
              cells.push_back(Cell::Bytes(e.value));
              break;
            case Part::kScore:
              cells.push_back(Cell::Double(e.score));
              break;
            case Part::kIndex:
              cells.push_back(Cell::Int(e.index));
              break;
          }
        }
        cells.push_back(Cell::Int(ElementRowCrc(*table, v->db, v->key, e)));
        s = elements.Add(cells);
      });
    }
    if (!s.ok()) return s;
    ++stats->upserts;
  }
  s = keys.Flush();
  for (RowWriter& w : element_writers) {
    if (s.ok()) s = w.Flush();
  }
  if (!s.ok()) return s;
  s = deleter.Flush();
  for (const auto& [dbi, key] : expired) {
    if (!s.ok()) return s;
    s = deleter.Add(dbi, key);
    ++stats->deletes;
  }
  if (s.ok()) s = deleter.Flush();
  stats->rows_ms = MsBetween(t1, std::chrono::steady_clock::now());
  return s;
}

bool HasColumn(Database& db, const char* table, const char* column) {
  Statement q;
  const std::string sql =
      "SELECT COUNT(*) FROM pragma_table_info('" + std::string(table) + "') WHERE name = ?";
  if (!q.Prepare(db, sql.c_str()).ok()) return false;
  q.BindText(1, column);
  return q.Step() == SQLITE_ROW && sqlite3_column_int(q.get(), 0) > 0;
}

// Size of a file, or -1 if it does not exist.
int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_size;
}

}  // namespace

SnapshotWriter::SnapshotWriter(Options options)
    : options_(std::move(options)),
      fs_(options_.fs != nullptr ? options_.fs : FileSystem::Default()) {}

SnapshotWriter::~SnapshotWriter() = default;

Status SnapshotWriter::Write(store::SnapshotCut* cut, uint64_t log_seq, int64_t now_ms,
                             SnapshotWriteStats* stats) {
  *stats = SnapshotWriteStats();
  stats->full = cut->full;
  if (FileSize(options_.path) <= 0) {
    db_.reset();  // it was open on a file that is gone
    // A new file must receive every key, not just the changes.
    if (!cut->full) {
      return Status::Invalid("snapshot '" + options_.path +
                             "' is missing: an incremental snapshot cannot recreate it");
    }
    return WriteNewFile(cut, log_seq, now_ms, stats);
  }
  return UpdateFile(cut, log_seq, now_ms, stats);
}

Status SnapshotWriter::WriteNewFile(store::SnapshotCut* cut, uint64_t log_seq, int64_t now_ms,
                                    SnapshotWriteStats* stats) {
  const std::string tmp = options_.path + ".tmp";
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs_->Remove(tmp + suffix);
  Status s;
  auto commit_start = std::chrono::steady_clock::now();
  {
    Database db;
    s = db.Open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options_.sqlite_vfs);
    // Nobody else sees this file until the rename: no journal, no fsync
    // until the end.
    // Small pages: an incremental snapshot rewrites every page holding a
    // changed key, and changed keys are usually spread over the whole file.
    // A small cache: rows arrive in primary-key order, so each b-tree is
    // only ever written along its right edge, and a full page is written
    // out once and not touched again. Saving 1M keys took about 1.5 s with
    // 0.5 to 4 MB, 2.1 s with 256 MB (whose fresh pages cost page faults),
    // which also raised the peak RSS by 140 MB.
    if (s.ok()) {
      s = db.Exec(("PRAGMA page_size=" + std::to_string(options_.page_size) +
                   "; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                   " PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-" +
                   std::to_string(kNewFileCacheKb))
                      .c_str());
    }
    if (s.ok()) {
      s = db.Exec(("PRAGMA application_id=" + std::to_string(kSnapshotApplicationId)).c_str());
    }
    if (s.ok()) s = db.Exec(kSchema);
    if (s.ok()) s = db.Exec(ElementSchema().c_str());
    if (s.ok()) s = db.Exec("BEGIN");
    if (s.ok()) s = WriteRows(db, cut, now_ms, stats);
    if (s.ok()) s = WriteMeta(db, options_.server_version, log_seq, now_ms, cut->hash_seed);
    commit_start = std::chrono::steady_clock::now();
    if (s.ok()) s = db.Exec("COMMIT");
    if (s.ok()) s = db.Exec("PRAGMA journal_mode=WAL");
  }
  if (s.ok()) {
    s = PublishFile(fs_, tmp, options_.path, [&] {
      // A -wal or -shm file without its database belongs to nothing; left
      // in place, SQLite would apply it to the new file.
      fs_->Remove(options_.path + "-wal");
      fs_->Remove(options_.path + "-shm");
    });
  }
  stats->commit_ms = MsBetween(commit_start, std::chrono::steady_clock::now());
  if (!s.ok()) {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs_->Remove(tmp + suffix);
  }
  return s;
}

Status SnapshotWriter::UpdateFile(store::SnapshotCut* cut, uint64_t log_seq, int64_t now_ms,
                                  SnapshotWriteStats* stats) {
  Status s;
  if (db_ == nullptr) {
    db_ = std::make_unique<Database>();
    s = db_->Open(options_.path, SQLITE_OPEN_READWRITE, options_.sqlite_vfs);
    SnapshotMeta meta;
    if (s.ok()) s = CheckSnapshot(*db_, options_.path, &meta);
    // synchronous=FULL: the commit is durable when Write returns, because
    // the caller then deletes the log files it replaces. No automatic
    // checkpoint, not even on close: see below. A bounded cache: the
    // connection stays open between saves.
    if (s.ok()) {
      s = db_->Exec(
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
          " PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=0");
    }
    if (s.ok()) sqlite3_db_config(db_->get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // A file of an older format gains what this one adds (its rows are
    // rewritten by the full cut that follows loading it; see Recover).
    if (s.ok() && !HasColumn(*db_, "keys", "crc")) {
      s = db_->Exec("ALTER TABLE keys ADD COLUMN crc INTEGER");
    }
    if (s.ok()) s = db_->Exec(ElementSchema().c_str());
    if (!s.ok()) {
      db_.reset();
      return s;
    }
  }
  Database& db = *db_;
  s = db.Exec("BEGIN IMMEDIATE");
  if (s.ok() && cut->full) s = db.Exec("DELETE FROM keys");
  for (const ElementTable& t : ElementTables()) {
    if (s.ok() && cut->full) s = db.Exec(("DELETE FROM " + std::string(t.name)).c_str());
  }
  if (s.ok()) s = WriteRows(db, cut, now_ms, stats);
  if (s.ok()) s = WriteMeta(db, options_.server_version, log_seq, now_ms, cut->hash_seed);
  const auto commit_start = std::chrono::steady_clock::now();
  if (s.ok()) s = db.Exec("COMMIT");
  if (!s.ok()) {
    db.Exec("ROLLBACK");
    db_.reset();  // start afresh next time
    return s;
  }
  stats->commit_ms = MsBetween(commit_start, std::chrono::steady_clock::now());
  // The commit is durable in the WAL. Copying it into the database file
  // (a checkpoint) costs as much again, so it waits until the WAL is big.
  if (FileSize(options_.path + "-wal") > kCheckpointWalBytes) {
    sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  }
  // The connection stays open between saves, its page cache need not: kept,
  // it held up to cache_size (32 MB) for good, 10 MB after one incremental
  // save of 100,000 keys. The next save reads its pages back from the OS's
  // cache.
  sqlite3_db_release_memory(db.get());
  return Status::Ok();
}

Status SnapshotWriter::Checkpoint() {
  db_.reset();  // the last connection to close checkpoints and removes the WAL
  if (FileSize(options_.path) <= 0) return Status::Ok();
  Database db;
  Status s = db.Open(options_.path, SQLITE_OPEN_READWRITE, options_.sqlite_vfs);
  SnapshotMeta meta;
  if (s.ok()) s = CheckSnapshot(db, options_.path, &meta);
  if (!s.ok()) return s;
  int rc =
      sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : db.Error("checkpoint", rc);
}

Status ReadSnapshotMeta(const std::string& path, const std::string& sqlite_vfs,
                        SnapshotMeta* meta) {
  Database db;
  Status s = db.Open(path, SQLITE_OPEN_READONLY, sqlite_vfs);
  if (s.ok()) s = CheckSnapshot(db, path, meta);
  return s;
}

namespace {

std::string Printable(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 128)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\' && c != '\'') {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", u);
      out += hex;
    }
  }
  return out;
}

// Reads every row of a snapshot in order, checking checksums. For each
// string key calls on_string; for each collection, once all its elements
// are read, on_object. A damaged row is reported to on_damage (which may
// stop the read by returning a non-ok status) and skipped.
struct RowSink {
  std::function<Status(int db, std::string_view key, std::string_view value, int64_t expire)>
      on_string;
  std::function<Status(int db, std::string_view key, store::Object* object, int64_t expire)>
      on_object;
  std::function<Status(const std::string& what)> on_damage;
};

// A collection whose keys row has been read, gathering its element rows.
struct PendingCollection {
  int db;
  std::string key;
  store::ValueType type;
  int64_t expected;
  int64_t expire;
  std::unique_ptr<store::ObjectBuilder> builder;
  int64_t added = 0;
};
using PendingCollections = std::map<std::pair<int, std::string>, PendingCollection>;

bool HasTable(Database& db, const char* table) {
  Statement q;
  if (!q.Prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").ok()) {
    return false;
  }
  q.BindText(1, table);
  return q.Step() == SQLITE_ROW;
}

// "field 'f'", "idx 3": the row's own key column, for damage reports.
std::string DescribeElement(const ElementTable& t, const store::ElementView& e) {
  for (const ElementColumn& c : t.columns) {
    if (std::string_view(c.name) != t.key_column) continue;
    if (c.part == Part::kIndex) return std::string(c.name) + " " + std::to_string(e.index);
    return std::string(c.name) + " '" + Printable(c.part == Part::kValue ? e.value : e.member) +
           "'";
  }
  return "";
}

// Hands every row of element table `t` to the builder of its collection.
Status ReadElementRows(Database& db, const ElementTable& t, PendingCollections& collections,
                       RowSink& sink, uint64_t* rows) {
  Statement e;
  Status s = e.Prepare(db, ("SELECT " + ElementColumns(t) + " FROM " + t.name).c_str());
  if (!s.ok()) return s;
  const std::string where = "table " + std::string(t.name) + ", db ";
  const int crc_column = static_cast<int>(t.columns.size()) + 2;
  // Rows come in primary-key order: a key's elements one after another.
  PendingCollection* current = nullptr;
  int rc;
  while ((rc = e.Step()) == SQLITE_ROW) {
    sqlite3_stmt* row = e.get();
    ++*rows;
    const int dbi = static_cast<int>(sqlite3_column_int64(row, 0));
    const std::string_view key = ColumnBlob(row, 1);
    store::ElementView ev;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const int col = static_cast<int>(i) + 2;
      switch (t.columns[i].part) {
        case Part::kMember:
          ev.member = ColumnBlob(row, col);
          break;
        case Part::kValue:
          ev.value = ColumnBlob(row, col);
          break;
        case Part::kScore:
          ev.score = sqlite3_column_double(row, col);
          break;
        case Part::kIndex:
          ev.index = sqlite3_column_int64(row, col);
          break;
      }
    }
    if (sqlite3_column_int64(row, crc_column) != ElementRowCrc(t, dbi, key, ev)) {
      s = sink.on_damage(where + std::to_string(dbi) + ", key '" + Printable(key) + "', " +
                         DescribeElement(t, ev) + ": checksum mismatch");
      if (!s.ok()) return s;
      continue;
    }
    if (current == nullptr || current->db != dbi || current->key != key) {
      auto it = collections.find(std::make_pair(dbi, std::string(key)));
      current = it == collections.end() ? nullptr : &it->second;
    }
    if (current == nullptr || current->type != t.type) {
      s = sink.on_damage(where + std::to_string(dbi) + ", key '" + Printable(key) +
                         "': an element of a key that is not a " +
                         std::string(store::TypeName(t.type)));
      if (!s.ok()) return s;
      current = nullptr;
      continue;
    }
    current->builder->Add(ev);
    ++current->added;
  }
  if (rc != SQLITE_DONE) return db.Error("read " + std::string(t.name), rc);
  return Status::Ok();
}

Status ReadRows(Database& db, const std::string& path, const SnapshotMeta& meta, int databases,
                RowSink& sink, uint64_t* rows) {
  const bool checked = meta.format_version >= 2;
  Statement q;
  Status s = q.Prepare(db, checked ? "SELECT db, key, type, value, expire_at, crc FROM keys"
                                   : "SELECT db, key, type, value, expire_at FROM keys");
  if (!s.ok()) return s;
  PendingCollections collections;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    sqlite3_stmt* row = q.get();
    ++*rows;
    const int64_t dbi = sqlite3_column_int64(row, 0);
    const std::string_view key = ColumnBlob(row, 1);
    const int64_t type = sqlite3_column_int64(row, 2);
    const std::string_view value = ColumnBlob(row, 3);
    const int64_t expire = sqlite3_column_type(row, 4) == SQLITE_NULL
                               ? store::kNoExpiry
                               : sqlite3_column_int64(row, 4);
    if (checked &&
        (sqlite3_column_type(row, 5) == SQLITE_NULL ||
         sqlite3_column_int64(row, 5) !=
             KeyRowCrc(static_cast<int>(dbi), key, static_cast<int>(type), value, expire))) {
      s = sink.on_damage("table keys, db " + std::to_string(dbi) + ", key '" + Printable(key) +
                         "': checksum mismatch");
      if (!s.ok()) return s;
      continue;
    }
    if (dbi < 0 || dbi >= databases) {
      return Status::Invalid("snapshot '" + path + "' has keys in database " + std::to_string(dbi) +
                             " but 'databases' is " + std::to_string(databases));
    }
    if (type < 0 || type > 255 || !store::KnownType(static_cast<uint8_t>(type))) {
      return Status::NotSupported("snapshot '" + path + "' holds a value of unknown type " +
                                  std::to_string(type));
    }
    const auto vtype = static_cast<store::ValueType>(type);
    if (vtype == store::ValueType::kString) {
      s = sink.on_string(static_cast<int>(dbi), key, value, expire);
      if (!s.ok()) return s;
      continue;
    }
    PendingCollection p{
        static_cast<int>(dbi),        std::string(key), vtype,
        sqlite3_column_int64(row, 3), expire,           store::NewObjectBuilder(vtype)};
    collections.emplace(std::make_pair(p.db, p.key), std::move(p));
  }
  if (rc != SQLITE_DONE) return db.Error("read keys", rc);
  for (const ElementTable& t : ElementTables()) {
    if (collections.empty() && !checked) break;
    // A file written before a type existed has no table for it.
    if (!HasTable(db, t.name)) continue;
    s = ReadElementRows(db, t, collections, sink, rows);
    if (!s.ok()) return s;
  }
  for (auto& [id, p] : collections) {
    store::Object* object = p.builder->Finish();
    if (object == nullptr || p.added != p.expected ||
        static_cast<int64_t>(object->SnapshotRows()) != p.expected) {
      if (object != nullptr) object->Unref();
      s = sink.on_damage("db " + std::to_string(p.db) + ", key '" + Printable(p.key) + "': " +
                         std::string(store::TypeName(p.type)) + " has " + std::to_string(p.added) +
                         " element rows, its keys row says " + std::to_string(p.expected));
      if (!s.ok()) return s;
      continue;
    }
    s = sink.on_object(p.db, p.key, object, p.expire);
    object->Unref();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Status LoadSnapshot(const std::string& path, const std::string& sqlite_vfs,
                    store::Keyspace* keyspace, int64_t now_ms, LoadResult* result,
                    const std::function<void()>& after_each_key) {
  *result = LoadResult();
  if (FileSize(path) <= 0) return Status::Ok();
  result->found = true;
  Database db;
  Status s = db.Open(path, SQLITE_OPEN_READWRITE, sqlite_vfs);
  if (s.ok()) s = CheckSnapshot(db, path, &result->meta);
  if (!s.ok()) return s;
  auto locks = keyspace->Lock(keyspace->AllShardsMask());
  // Keys hash as they did when the file was written: SCAN cursors and
  // shard placement carry over.
  if (result->meta.has_hash_seed) keyspace->SetHashSeed(result->meta.hash_seed);
  RowSink sink;
  sink.on_string = [&](int dbi, std::string_view key, std::string_view value, int64_t expire) {
    if (Expired(expire, now_ms)) {
      ++result->keys_expired;
      return Status::Ok();
    }
    ++result->keys_loaded;
    Status st =
        log::RestoreValue(keyspace, dbi, key, store::ValueType::kString, value, expire, now_ms);
    if (after_each_key) after_each_key();
    return st;
  };
  sink.on_object = [&](int dbi, std::string_view key, store::Object* object, int64_t expire) {
    if (Expired(expire, now_ms)) {
      ++result->keys_expired;
      return Status::Ok();
    }
    ++result->keys_loaded;
    keyspace->RestoreObject(dbi, key, object, expire);
    if (after_each_key) after_each_key();
    return Status::Ok();
  };
  sink.on_damage = [&](const std::string& what) {
    return Status::Corruption("snapshot '" + path + "' is damaged: " + what +
                              ". Refusing to start; 'stashd --check-snapshot " + path +
                              "' lists every damaged row");
  };
  uint64_t rows = 0;
  return ReadRows(db, path, result->meta, keyspace->databases(), sink, &rows);
}

Status VerifySnapshot(const std::string& path, const std::string& sqlite_vfs,
                      SnapshotCheck* check) {
  *check = SnapshotCheck();
  Database db;
  Status s = db.Open(path, SQLITE_OPEN_READONLY, sqlite_vfs);
  if (s.ok()) s = CheckSnapshot(db, path, &check->meta);
  if (!s.ok()) return s;
  RowSink sink;
  sink.on_string = [&](int, std::string_view, std::string_view, int64_t) {
    ++check->keys;
    return Status::Ok();
  };
  sink.on_object = [&](int, std::string_view, store::Object*, int64_t) {
    ++check->keys;
    return Status::Ok();
  };
  sink.on_damage = [&](const std::string& what) {
    check->damaged.push_back(what);
    return Status::Ok();
  };
  return ReadRows(db, path, check->meta, INT32_MAX, sink, &check->rows);
}

}  // namespace stashd::persistence
