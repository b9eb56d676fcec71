// A key's value in Redis's RDB object format: what DUMP returns and RESTORE
// takes (with the footer of rdb_payload.h around it), as Redis 7.0 (RDB
// version 10) writes and reads it.
//
// Written, for each stashd type and encoding, what Redis 7.0 writes for the
// same value in the same encoding:
//   string             RDB_TYPE_STRING, a small integer in its integer form
//   hash   listpack    RDB_TYPE_HASH_LISTPACK      hashtable  RDB_TYPE_HASH
//   list               RDB_TYPE_LIST_QUICKLIST_2 of listpack nodes, split as
//                      Redis's quicklist splits a list pushed at its tail
//   set    intset      RDB_TYPE_SET_INTSET         hashtable  RDB_TYPE_SET
//   zset   listpack    RDB_TYPE_ZSET_LISTPACK      skiplist   RDB_TYPE_ZSET_2
//   stream             RDB_TYPE_STREAM_LISTPACKS_2 of the live entries, in
//                      nodes split as XADD splits them, and the groups
// Strings, and the blobs above, are LZF-compressed as Redis compresses them
// under rdbcompression (over 20 bytes, saving at least 4), with Redis's own
// parse (persistence/lzf.h): a payload is byte-identical to Redis's.
//
// Read: every encoding of these types Redis 7.0 loads, the older ones
// included (RDB_TYPE_LIST, _ZSET, _HASH_ZIPMAP, _LIST_ZIPLIST,
// _ZSET_ZIPLIST, _HASH_ZIPLIST, _LIST_QUICKLIST), strings in any encoding
// (integer, LZF). Every listpack, ziplist, intset and zipmap is validated
// whole (sizes, entry headers, back lengths, counts, ordering) and the
// value rebuilt through its type's API, so duplicates, NaN scores and empty
// collections are refused: a corrupt payload never becomes a key. Streams
// are read from RDB_TYPE_STREAM_LISTPACKS (Redis 5 to 6.2) and _2, their
// nodes checked entry by entry and their groups' PELs against their
// consumers. Modules are not loaded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/rdb_payload.h"
#include "store/keyspace.h"
#include "store/value.h"

namespace stashd::persistence::rdb {

// RDB object types (the first byte of a DUMP payload).
enum ObjectType : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZSet = 3,
  kTypeHash = 4,
  kTypeZSet2 = 5,
  kTypeModule = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZSetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZSetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
};

// DUMP: the payload of `value` (type, value, footer), its strings (the
// listpack, intset and stream node blobs included) LZF-compressed where
// Redis compresses them if `compression` is kLzf.
std::string DumpPayload(const store::ValueView& value, Compression compression);

struct ObjectUnref {
  void operator()(store::Object* object) const { object->Unref(); }
};
using ObjectPtr = std::unique_ptr<store::Object, ObjectUnref>;

// A value read from a payload: a string's bytes, or a collection.
struct LoadedValue {
  store::ValueType type = store::ValueType::kString;
  std::string str;   // type == kString
  ObjectPtr object;  // otherwise
};

// RESTORE: the value in the body of a verified payload (VerifyPayload), or
// nullopt if it is of a type this build does not load or malformed in any
// way. Bytes after the value are ignored, as Redis ignores them.
std::optional<LoadedValue> LoadValue(std::string_view body);

// The pieces, for tests: a listpack of `items` as Redis writes it (each
// item stored as an integer when it is one in canonical form), and the
// items of a listpack or ziplist, nullopt if it is malformed.
std::string EncodeListpack(const std::vector<std::string>& items);
std::optional<std::vector<std::string>> DecodeListpack(std::string_view blob);
std::optional<std::vector<std::string>> DecodeZiplist(std::string_view blob);

}  // namespace stashd::persistence::rdb
