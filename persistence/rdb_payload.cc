#include "persistence/rdb_payload.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "store/string_ops.h"

namespace stashd::persistence::rdb {
namespace {

// The Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected
// table-driven form.
constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;

constexpr std::array<uint64_t, 256> MakeCrcTable() {
  std::array<uint64_t, 256> table{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint64_t, 256> kCrcTable = MakeCrcTable();

// Length encodings: the two top bits of the first byte.
constexpr uint8_t k6Bit = 0;
constexpr uint8_t k14Bit = 1;
constexpr uint8_t k32Bit = 0x80;
constexpr uint8_t k64Bit = 0x81;
constexpr uint8_t kEncoded = 3;  // a special string encoding follows
constexpr uint8_t kEncInt8 = 0;
constexpr uint8_t kEncInt16 = 1;
constexpr uint8_t kEncInt32 = 2;
constexpr uint8_t kEncLzf = 3;

void AppendLittleEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t LoadLittleEndian(std::string_view data, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(data[i]);
  return value;
}

}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view data) {
  for (char c : data) crc = kCrcTable[(crc ^ static_cast<uint8_t>(c)) & 0xff] ^ (crc >> 8);
  return crc;
}

void AppendLength(std::string& out, uint64_t length) {
  if (length < (1u << 6)) {
    out.push_back(static_cast<char>(length));
  } else if (length < (1u << 14)) {
    out.push_back(static_cast<char>((k14Bit << 6) | (length >> 8)));
    out.push_back(static_cast<char>(length & 0xff));
  } else if (length <= UINT32_MAX) {
    out.push_back(static_cast<char>(k32Bit));
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  } else {
    out.push_back(static_cast<char>(k64Bit));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  }
}

void AppendString(std::string& out, std::string_view value, Compression compression) {
  // Redis tries the integer form only for strings of up to 11 bytes (the
  // longest 32-bit integer) and keeps it if it gives the same text back:
  // string2ll's canonical form, which ParseInt64 accepts.
  if (value.size() <= 11) {
    if (const std::optional<int64_t> v = store::ParseInt64(value)) {
      if (*v >= INT8_MIN && *v <= INT8_MAX) {
        out.push_back(static_cast<char>((kEncoded << 6) | kEncInt8));
        AppendLittleEndian(out, static_cast<uint64_t>(*v), 1);
        return;
      }
      if (*v >= INT16_MIN && *v <= INT16_MAX) {
        out.push_back(static_cast<char>((kEncoded << 6) | kEncInt16));
        AppendLittleEndian(out, static_cast<uint64_t>(*v), 2);
        return;
      }
      if (*v >= INT32_MIN && *v <= INT32_MAX) {
        out.push_back(static_cast<char>((kEncoded << 6) | kEncInt32));
        AppendLittleEndian(out, static_cast<uint64_t>(*v), 4);
        return;
      }
    }
  }
  // Under 21 bytes nothing compresses; above, only a saving of 4 bytes or
  // more is worth the compressed form (rdbSaveLzfStringObject's rule).
  if (compression == Compression::kLzf && value.size() > 20) {
    if (const std::optional<std::string> packed = LzfCompress(value, value.size() - 4)) {
      AppendLzfBlob(out, *packed, value.size());
      return;
    }
  }
  AppendLength(out, value.size());
  out.append(value);
}

void AppendLzfBlob(std::string& out, std::string_view packed, uint64_t length) {
  out.push_back(static_cast<char>((kEncoded << 6) | kEncLzf));
  AppendLength(out, packed.size());
  AppendLength(out, length);
  out.append(packed);
}

void AppendBinaryDouble(std::string& out, double value) {
  AppendLittleEndian(out, std::bit_cast<uint64_t>(value), 8);
}

void AppendMillisecondTime(std::string& out, int64_t ms) {
  AppendLittleEndian(out, static_cast<uint64_t>(ms), 8);
}

void AppendFooter(std::string& out) {
  AppendLittleEndian(out, kVersion, 2);
  AppendLittleEndian(out, Crc64(0, out), 8);
}

std::optional<std::string_view> VerifyPayload(std::string_view payload) {
  if (payload.size() < 10) return std::nullopt;
  const std::string_view footer = payload.substr(payload.size() - 10);
  if (LoadLittleEndian(footer, 2) > kVersion) return std::nullopt;
  const std::string_view checked = payload.substr(0, payload.size() - 8);
  if (Crc64(0, checked) != LoadLittleEndian(footer.substr(2), 8)) return std::nullopt;
  return payload.substr(0, payload.size() - 10);
}

std::optional<uint8_t> Reader::ReadByte() {
  if (data_.empty()) return std::nullopt;
  const auto byte = static_cast<uint8_t>(data_[0]);
  data_.remove_prefix(1);
  return byte;
}

namespace {

// Reads a length, or (if `encoding` is given) the special-encoding marker.
std::optional<uint64_t> ReadLengthOrEncoding(Reader& r, std::string_view& data,
                                             std::optional<uint8_t>* encoding) {
  const std::optional<uint8_t> first = r.ReadByte();
  if (!first) return std::nullopt;
  const uint8_t type = *first >> 6;
  auto big_endian = [&data](int bytes) -> std::optional<uint64_t> {
    if (data.size() < static_cast<size_t>(bytes)) return std::nullopt;
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(data[i]);
    data.remove_prefix(bytes);
    return value;
  };
  if (type == k6Bit) return *first & 0x3f;
  if (type == k14Bit) {
    const std::optional<uint64_t> low = big_endian(1);
    if (!low) return std::nullopt;
    return (static_cast<uint64_t>(*first & 0x3f) << 8) | *low;
  }
  if (type == kEncoded) {
    if (encoding == nullptr) return std::nullopt;
    *encoding = *first & 0x3f;
    return 0;
  }
  if (*first == k32Bit) return big_endian(4);
  if (*first == k64Bit) return big_endian(8);
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> Reader::ReadRaw(size_t n) {
  if (data_.size() < n) return std::nullopt;
  const std::string_view part = data_.substr(0, n);
  data_.remove_prefix(n);
  return part;
}

std::optional<int64_t> Reader::ReadMillisecondTime() {
  const std::optional<std::string_view> bytes = ReadRaw(8);
  if (!bytes) return std::nullopt;
  return static_cast<int64_t>(LoadLittleEndian(*bytes, 8));
}

std::optional<uint64_t> Reader::ReadLength() { return ReadLengthOrEncoding(*this, data_, nullptr); }

std::optional<std::string> Reader::ReadString() {
  std::optional<uint8_t> encoding;
  const std::optional<uint64_t> length = ReadLengthOrEncoding(*this, data_, &encoding);
  if (!length) return std::nullopt;
  auto take = [this](uint64_t n) -> std::optional<std::string_view> {
    if (data_.size() < n) return std::nullopt;
    const std::string_view part = data_.substr(0, n);
    data_.remove_prefix(n);
    return part;
  };
  if (!encoding) {
    const std::optional<std::string_view> bytes = take(*length);
    if (!bytes) return std::nullopt;
    return std::string(*bytes);
  }
  int width = 0;
  switch (*encoding) {
    case kEncInt8:
      width = 1;
      break;
    case kEncInt16:
      width = 2;
      break;
    case kEncInt32:
      width = 4;
      break;
    case kEncLzf: {
      const std::optional<uint64_t> compressed = ReadLength();
      const std::optional<uint64_t> original = ReadLength();
      if (!compressed || !original) return std::nullopt;
      const std::optional<std::string_view> bytes = take(*compressed);
      if (!bytes) return std::nullopt;
      return LzfDecompress(*bytes, *original);
    }
    default:
      return std::nullopt;
  }
  const std::optional<std::string_view> bytes = take(width);
  if (!bytes) return std::nullopt;
  uint64_t raw = LoadLittleEndian(*bytes, width);
  int64_t value = 0;
  if (width == 1) value = static_cast<int8_t>(raw);
  if (width == 2) value = static_cast<int16_t>(raw);
  if (width == 4) value = static_cast<int32_t>(raw);
  return std::to_string(value);
}

std::optional<double> Reader::ReadBinaryDouble() {
  if (data_.size() < 8) return std::nullopt;
  const uint64_t bits = LoadLittleEndian(data_, 8);
  data_.remove_prefix(8);
  return std::bit_cast<double>(bits);
}

std::optional<double> Reader::ReadTextDouble() {
  const std::optional<uint8_t> length = ReadByte();
  if (!length) return std::nullopt;
  switch (*length) {
    case 253:
      return std::nan("");
    case 254:
      return HUGE_VAL;
    case 255:
      return -HUGE_VAL;
    default:
      break;
  }
  if (data_.size() < *length) return std::nullopt;
  // Redis reads it with sscanf("%lg"): the text needs a number at its start.
  const std::string text(data_.substr(0, *length));
  data_.remove_prefix(*length);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return std::nullopt;
  return value;
}

}  // namespace stashd::persistence::rdb
