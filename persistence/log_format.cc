#include "persistence/log_format.h"

#include <cstdio>
#include <cstring>

#include "persistence/crc32c.h"
#include "store/codec.h"

namespace stashd::persistence::log {
namespace {

void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}

void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

uint32_t GetFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

using store::codec::PutBytes;
using store::codec::PutVarint;

// Reads the fields of a payload; any read past the end fails the decoder.
class Decoder : public store::codec::ByteReader {
 public:
  using ByteReader::ByteReader;
  bool Db(int* db) {
    uint64_t v = 0;
    if (!Varint(&v) || v > 0x7fffffff) return false;
    *db = static_cast<int>(v);
    return true;
  }
  bool Deadline(int64_t* expire_at_ms) {
    uint64_t v = 0;
    if (!Varint(&v) || v > static_cast<uint64_t>(INT64_MAX)) return false;
    *expire_at_ms = v == 0 ? store::kNoExpiry : static_cast<int64_t>(v - 1);
    return true;
  }
};

// 0 = no deadline, else deadline + 1 (deadlines are never negative).
void PutDeadline(std::string* out, int64_t expire_at_ms) {
  PutVarint(out, expire_at_ms < 0 ? 0 : static_cast<uint64_t>(expire_at_ms) + 1);
}

}  // namespace

std::string EncodeFileHeader(uint64_t seq) {
  std::string h(kMagic, sizeof(kMagic));
  PutFixed32(&h, kFormatVersion);
  PutFixed32(&h, 0);
  PutFixed64(&h, seq);
  PutFixed32(&h, crc32c::Value(h));
  return h;
}

Status DecodeFileHeader(std::string_view data, uint64_t* seq) {
  if (data.size() < kFileHeaderSize || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    return Status::NotSupported("not a stashd write log (bad magic)");
  }
  uint32_t version = GetFixed32(data.data() + 8);
  if (GetFixed32(data.data() + 24) != crc32c::Value(data.substr(0, 24))) {
    return Status::Corruption("bad file header checksum");
  }
  if (version > kFormatVersion) {
    return Status::NotSupported("write log format version " + std::to_string(version) +
                                " is newer than this stashd supports (" +
                                std::to_string(kFormatVersion) + ")");
  }
  *seq = GetFixed64(data.data() + 16);
  return Status::Ok();
}

void EncodeChange(const store::Change& c, std::string* payload) {
  using Kind = store::Change::Kind;
  switch (c.kind) {
    case Kind::kSet:
      payload->push_back(static_cast<char>(Op::kSet));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutBytes(payload, c.key);
      payload->push_back(static_cast<char>(c.type));
      if (c.object != nullptr) {
        std::string value;
        c.object->Serialize(&value);
        PutBytes(payload, value);
      } else {
        PutBytes(payload, c.value);
      }
      PutDeadline(payload, c.expire_at_ms);
      break;
    case Kind::kUpdate:
      payload->push_back(static_cast<char>(Op::kUpdate));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutBytes(payload, c.key);
      payload->push_back(static_cast<char>(c.type));
      payload->push_back(static_cast<char>(c.op));
      PutVarint(payload, c.args.size());
      for (std::string_view arg : c.args) PutBytes(payload, arg);
      break;
    case Kind::kExpire:
      payload->push_back(static_cast<char>(Op::kExpire));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutBytes(payload, c.key);
      PutDeadline(payload, c.expire_at_ms);
      break;
    case Kind::kRename:
      payload->push_back(static_cast<char>(Op::kRename));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutBytes(payload, c.key);
      PutBytes(payload, c.key2);
      break;
    case Kind::kMove:
      payload->push_back(static_cast<char>(Op::kMove));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutBytes(payload, c.key);
      PutVarint(payload, static_cast<uint64_t>(c.db2));
      break;
    case Kind::kPatch:
      payload->push_back(static_cast<char>(Op::kPatch));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutBytes(payload, c.key);
      PutVarint(payload, c.offset);
      PutBytes(payload, c.value);
      break;
    case Kind::kDelete:
      payload->push_back(static_cast<char>(Op::kDelete));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutBytes(payload, c.key);
      break;
    case Kind::kFlushDb:
      payload->push_back(static_cast<char>(Op::kFlushDb));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      break;
    case Kind::kFlushAll:
      payload->push_back(static_cast<char>(Op::kFlushAll));
      break;
    case Kind::kSwapDb:
      payload->push_back(static_cast<char>(Op::kSwapDb));
      PutVarint(payload, static_cast<uint64_t>(c.db));
      PutVarint(payload, static_cast<uint64_t>(c.db2));
      break;
  }
}

std::string EncodeRecordHeader(std::string_view payload) {
  std::string h;
  h.reserve(kRecordHeaderSize);
  PutFixed32(&h, static_cast<uint32_t>(payload.size()));
  PutFixed32(&h, crc32c::Value(payload));
  PutFixed32(&h, crc32c::Value(h));
  return h;
}

Status DecodeRecord(std::string_view payload, absl::FunctionRef<Status(const store::Change&)> fn) {
  using Kind = store::Change::Kind;
  Decoder d(payload);
  auto bad = [] { return Status::Corruption("malformed change in a record"); };
  auto unknown_type = [](uint8_t type) {
    return Status::NotSupported("record holds a value of unknown type " + std::to_string(type) +
                                " (written by a newer stashd?)");
  };
  std::vector<std::string_view> args;
  if (d.done()) return bad();
  while (!d.done()) {
    uint8_t op = 0;
    d.Byte(&op);
    store::Change c;
    switch (static_cast<Op>(op)) {
      case Op::kSet: {
        uint8_t type = 0;
        c.kind = Kind::kSet;
        if (!d.Db(&c.db) || !d.Bytes(&c.key) || !d.Byte(&type) || !d.Bytes(&c.value) ||
            !d.Deadline(&c.expire_at_ms)) {
          return bad();
        }
        if (!store::KnownType(type)) return unknown_type(type);
        c.type = static_cast<store::ValueType>(type);
        break;
      }
      case Op::kUpdate: {
        uint8_t type = 0;
        uint64_t argc = 0;
        c.kind = Kind::kUpdate;
        if (!d.Db(&c.db) || !d.Bytes(&c.key) || !d.Byte(&type) || !d.Byte(&c.op) ||
            !d.Varint(&argc) || argc > payload.size()) {
          return bad();
        }
        if (!store::KnownType(type) || type == static_cast<uint8_t>(store::ValueType::kString)) {
          return unknown_type(type);
        }
        c.type = static_cast<store::ValueType>(type);
        args.resize(argc);
        for (auto& arg : args) {
          if (!d.Bytes(&arg)) return bad();
        }
        c.args = args;
        break;
      }
      case Op::kExpire:
        c.kind = Kind::kExpire;
        if (!d.Db(&c.db) || !d.Bytes(&c.key) || !d.Deadline(&c.expire_at_ms)) return bad();
        break;
      case Op::kRename:
        c.kind = Kind::kRename;
        if (!d.Db(&c.db) || !d.Bytes(&c.key) || !d.Bytes(&c.key2)) return bad();
        break;
      case Op::kMove:
        c.kind = Kind::kMove;
        if (!d.Db(&c.db) || !d.Bytes(&c.key) || !d.Db(&c.db2)) return bad();
        break;
      case Op::kPatch:
        c.kind = Kind::kPatch;
        if (!d.Db(&c.db) || !d.Bytes(&c.key) || !d.Varint(&c.offset) || !d.Bytes(&c.value) ||
            c.offset > (uint64_t{1} << 40)) {
          return bad();
        }
        break;
      case Op::kDelete:
        c.kind = Kind::kDelete;
        if (!d.Db(&c.db) || !d.Bytes(&c.key)) return bad();
        break;
      case Op::kFlushDb:
        c.kind = Kind::kFlushDb;
        if (!d.Db(&c.db)) return bad();
        break;
      case Op::kFlushAll:
        c.kind = Kind::kFlushAll;
        break;
      case Op::kSwapDb:
        c.kind = Kind::kSwapDb;
        if (!d.Db(&c.db) || !d.Db(&c.db2)) return bad();
        break;
      default:
        return Status::NotSupported("record holds an unknown operation " + std::to_string(op) +
                                    " (written by a newer stashd?)");
    }
    Status s = fn(c);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ApplyChange(const store::Change& c, store::Keyspace* ks, int64_t now_ms) {
  using Kind = store::Change::Kind;
  auto check_db = [ks](int db) {
    return db < ks->databases()
               ? Status::Ok()
               : Status::Invalid("the log writes to database " + std::to_string(db) +
                                 " but 'databases' is " + std::to_string(ks->databases()));
  };
  Status s = check_db(c.db);
  if (s.ok() && (c.kind == Kind::kSwapDb || c.kind == Kind::kMove)) s = check_db(c.db2);
  if (!s.ok()) return s;
  auto inconsistent = [&c](const char* what) {
    return Status::Corruption("replaying the log: " + std::string(what) + " at key '" +
                              std::string(c.key.substr(0, 128)) + "' in database " +
                              std::to_string(c.db));
  };
  switch (c.kind) {
    case Kind::kSet:
      return RestoreValue(ks, c.db, c.key, c.type, c.value, c.expire_at_ms, now_ms);
    case Kind::kUpdate: {
      store::KeyWriter w =
          ks->Write(c.db, c.key, c.type, store::Keyspace::Missing::kCreate, /*restore=*/true);
      if (!w.ok()) return inconsistent("a change for a value of another type");
      if (!w.object()->ApplyDelta(c.op, c.args)) return inconsistent("a malformed change");
      w.Record(c.op, c.args);
      break;
    }
    case Kind::kExpire:
      if (c.expire_at_ms == store::kNoExpiry) {
        ks->Persist(c.db, c.key);
      } else {
        ks->SetExpire(c.db, c.key, c.expire_at_ms);  // a past deadline deletes
      }
      break;
    case Kind::kRename:
      ks->Rename(c.db, c.key, c.key2);
      break;
    case Kind::kMove:
      ks->Move(c.db, c.db2, c.key);
      break;
    case Kind::kPatch: {
      auto v = ks->Find(c.db, c.key);
      if (v && v->type != store::ValueType::kString) {
        return inconsistent("a string patch for a value of another type");
      }
      ks->PatchString(c.db, c.key, c.offset, c.value, /*restore=*/true);
      break;
    }
    case Kind::kDelete:
      ks->Delete(c.db, c.key);
      break;
    case Kind::kFlushDb:
      ks->FlushDb(c.db);
      break;
    case Kind::kFlushAll:
      ks->FlushAll();
      break;
    case Kind::kSwapDb:
      ks->SwapDb(c.db, c.db2);
      break;
  }
  return Status::Ok();
}

Status RestoreValue(store::Keyspace* ks, int db, std::string_view key, store::ValueType type,
                    std::string_view value, int64_t expire_at_ms, int64_t now_ms) {
  if (expire_at_ms != store::kNoExpiry && expire_at_ms <= now_ms) {
    ks->Delete(db, key);
    return Status::Ok();
  }
  if (type != store::ValueType::kString) {
    store::Object* object = store::DeserializeObject(type, value);
    if (object == nullptr) {
      return Status::Corruption("malformed " + std::string(store::TypeName(type)) +
                                " value at key '" + std::string(key.substr(0, 128)) + "'");
    }
    ks->RestoreObject(db, key, object, expire_at_ms);
    object->Unref();
    return Status::Ok();
  }
  ks->SetString(db, key, value, expire_at_ms);
  // SetString gives a key without a deadline its scope's default TTL; a
  // restored key keeps exactly the deadline it had (none, after a PERSIST).
  if (expire_at_ms == store::kNoExpiry) {
    int scope = ks->ScopeOf(key);
    if (scope >= 0 && ks->scopes()[static_cast<size_t>(scope)].default_ttl_ms > 0) {
      ks->Persist(db, key);
    }
  }
  return Status::Ok();
}

std::string LogFileName(const std::string& base, uint64_t seq) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%06llu", static_cast<unsigned long long>(seq));
  return base + "." + digits;
}

uint64_t ParseLogFileName(const std::string& base, std::string_view name) {
  if (name.size() <= base.size() + 1 || name.substr(0, base.size()) != base ||
      name[base.size()] != '.') {
    return 0;
  }
  std::string_view digits = name.substr(base.size() + 1);
  if (digits.size() > 18) return 0;
  uint64_t seq = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return 0;
    seq = seq * 10 + static_cast<uint64_t>(ch - '0');
  }
  return seq;
}

}  // namespace stashd::persistence::log
