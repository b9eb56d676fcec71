// The payload format of Redis's DUMP / RESTORE and FUNCTION DUMP / RESTORE:
// RDB-encoded records followed by a 2-byte RDB version and a CRC-64 (Jones)
// of everything before it, both little-endian. Only what stashd produces or
// accepts is here: RDB lengths, strings (plain, integer-encoded or LZF
// compressed, persistence/lzf.h), binary doubles and the footer. The values
// of keys in this format (DUMP / RESTORE) are in rdb_value.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "persistence/lzf.h"

namespace stashd::persistence::rdb {

// The RDB version stashd writes and the newest it reads: Redis 7.0's.
inline constexpr uint16_t kVersion = 10;

// Record types (RDB opcodes) used in payloads.
inline constexpr uint8_t kOpcodeFunctionPreGa = 0xF6;
inline constexpr uint8_t kOpcodeFunction = 0xF5;

// CRC-64 with the Jones polynomial, reflected, as Redis computes it.
uint64_t Crc64(uint64_t crc, std::string_view data);

void AppendLength(std::string& out, uint64_t length);
// Whether strings are written LZF-compressed where that saves space: Redis's
// `rdbcompression` (yes, kLzf, by default).
enum class Compression { kNone, kLzf };
// A string as Redis's rdbSaveRawString writes it: a canonical decimal
// integer of at most 11 bytes within the 32-bit range as an 8, 16 or 32-bit
// integer; with kLzf, a string of more than 20 bytes that LZF shrinks by at
// least 4 bytes compressed (0xC3, compressed length, length, LZF bytes);
// anything else as its length and bytes.
void AppendString(std::string& out, std::string_view value, Compression compression);
// A string already LZF-compressed (`packed`, `length` bytes once
// decompressed): 0xC3, the two lengths, the bytes.
void AppendLzfBlob(std::string& out, std::string_view packed, uint64_t length);
// A double as its 8 IEEE 754 bytes, little-endian (RDB_TYPE_ZSET_2).
void AppendBinaryDouble(std::string& out, double value);
// A Unix time in milliseconds as its 8 bytes, little-endian (stream
// delivery and seen times).
void AppendMillisecondTime(std::string& out, int64_t ms);
// Appends the version and checksum that end a payload.
void AppendFooter(std::string& out);

// Checks the footer of `payload`; returns the records before it, or nullopt
// if the payload is too short, of a newer RDB version or fails its checksum.
std::optional<std::string_view> VerifyPayload(std::string_view payload);

// Reads records from the body of a verified payload.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool AtEnd() const { return data_.empty(); }
  std::optional<uint8_t> ReadByte();
  std::optional<uint64_t> ReadLength();
  // A string in any of its encodings; nullopt if malformed.
  std::optional<std::string> ReadString();
  // A double as RDB_TYPE_ZSET_2 stores it (8 bytes, little-endian).
  std::optional<double> ReadBinaryDouble();
  // A double as RDB_TYPE_ZSET stores it: a length byte (253 NaN, 254 +inf,
  // 255 -inf) and that many bytes of decimal text.
  std::optional<double> ReadTextDouble();
  // A millisecond time as AppendMillisecondTime writes it.
  std::optional<int64_t> ReadMillisecondTime();
  // `n` raw bytes (a stream ID in a PEL is 16 of them, big-endian).
  std::optional<std::string_view> ReadRaw(size_t n);

 private:
  std::string_view data_;
};

}  // namespace stashd::persistence::rdb
