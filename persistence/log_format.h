// The write log's on-disk format (documented in persistence/FORMAT.md):
// encoding of file headers, record frames and the changes inside a record,
// and applying decoded changes to a keyspace during replay.
//
// Thread safety: pure functions, except ApplyChange (see its comment).
#pragma once

#include <absl/functional/function_ref.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "persistence/status.h"
#include "store/keyspace.h"

namespace stashd::persistence::log {

inline constexpr char kMagic[8] = {'S', 'T', 'A', 'S', 'H', 'L', 'O', 'G'};
// 2: adds collection values (kSet of a collection type) and the ops kUpdate,
// kExpire, kRename and kMove. Version 1 files are a subset and still load.
inline constexpr uint32_t kFormatVersion = 3;
// magic (8) | format version u32 | reserved u32 | file sequence number u64 |
// CRC-32C of the preceding 24 bytes u32
inline constexpr size_t kFileHeaderSize = 28;
// payload length u32 | CRC-32C of the payload u32 | CRC-32C of the first 8 bytes u32
inline constexpr size_t kRecordHeaderSize = 12;
// A record larger than this is refused by the reader as corrupt.
inline constexpr uint32_t kMaxRecordSize = 0x7fffffff;

// What a change record holds (first byte of each change).
enum class Op : uint8_t {
  kSet = 1,
  kDelete = 2,
  kFlushDb = 3,
  kFlushAll = 4,
  kSwapDb = 5,
  kUpdate = 6,
  kExpire = 7,
  kRename = 8,
  kMove = 9,
  kPatch = 10,
};

std::string EncodeFileHeader(uint64_t seq);
// Checks magic, version and checksum; sets *seq. NotSupported for a file that
// is not a stashd log or has a newer format version; Corruption for a bad
// checksum.
Status DecodeFileHeader(std::string_view data, uint64_t* seq);

// Appends one change to a record payload. Expiries are absolute (ms).
void EncodeChange(const store::Change& change, std::string* payload);

// The 12-byte header that frames `payload`.
std::string EncodeRecordHeader(std::string_view payload);

// Calls `fn` for each change of a record payload, in order; views point into
// `payload`. Corruption if the payload is malformed (the CRC matched, so this
// means a bug or a newer format).
Status DecodeRecord(std::string_view payload, absl::FunctionRef<Status(const store::Change&)> fn);

// Applies one change during replay. A set whose deadline is not after
// `now_ms` deletes the key instead (replay never resurrects an expired key).
// Invalid for a database number the keyspace does not have.
// REQUIRES: all shards of `keyspace` locked.
Status ApplyChange(const store::Change& change, store::Keyspace* keyspace, int64_t now_ms);

// Stores a value exactly as it was saved: a deadline not after `now_ms`
// deletes the key; no deadline stays none (no scope default TTL is applied).
// `value` is a string's bytes, or a collection's serialized form
// (Object::Serialize); Corruption if that does not parse.
// REQUIRES: the key's shard locked.
Status RestoreValue(store::Keyspace* keyspace, int db, std::string_view key, store::ValueType type,
                    std::string_view value, int64_t expire_at_ms, int64_t now_ms);

// Log files are named "<base>.<seq>", seq in decimal, zero-padded to 6 digits.
std::string LogFileName(const std::string& base, uint64_t seq);
// The seq of a log file name, or 0 if `name` is not "<base>.<digits>".
uint64_t ParseLogFileName(const std::string& base, std::string_view name);

}  // namespace stashd::persistence::log
