// The DUMP / RESTORE payload format, checked against bytes real Redis 7.0.15
// produced (FUNCTION DUMP of known libraries).
#include "persistence/rdb_payload.h"

#include <gtest/gtest.h>

#include <string>

namespace stashd::persistence::rdb {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

const std::string kLibT = "#!lua name=t\nredis.register_function('e1', function() return 1 end)";
const std::string kLibU = "#!lua name=u\nredis.register_function('u1', function() return 1 end)";

TEST(RdbPayloadTest, Crc64IsRedisJones) {
  // The check value Redis's crc64 test uses.
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
}

TEST(RdbPayloadTest, WritesWhatRedisWrites) {
  std::string payload;
  for (const std::string* code : {&kLibT, &kLibU}) {
    payload.push_back(static_cast<char>(kOpcodeFunction));
    AppendString(payload, *code);
  }
  AppendFooter(payload);
  const std::string redis = "\xf5@C" + kLibT + "\xf5@C" + kLibU + std::string("\n\x00", 2) +
                            "J\x12,\x90\x87H9\x9b";
  EXPECT_EQ(payload, redis);

  std::string empty;
  AppendFooter(empty);
  EXPECT_EQ(empty, std::string("\n\x00]\x9b\\@\x0f\x7f\xa2\xda", 10));
}

TEST(RdbPayloadTest, ReadsRedisLzfCompressedStrings) {
  const std::string payload = FromHex(
      "f5c340b142a61f23216c7561206e616d653d6269670a72656469732e72656769737465725f66750c6e6374696f"
      "6e28276630272c20e0000e0e292072657475726e203020656e6429e012360031e00c360031e017360032e00c36"
      "0032e017360033e00c360033e017360034e00c360034e017360035e00c360035e017360036e00c360036e01736"
      "0037e00c360037e017360038e00c360038e017360039e00c360039e017360031e20d260031e21927e20e284229"
      "0164290a003b7dee4634ca7883");
  const std::optional<std::string_view> body = VerifyPayload(payload);
  ASSERT_TRUE(body);
  Reader reader(*body);
  EXPECT_EQ(reader.ReadByte(), kOpcodeFunction);
  const std::optional<std::string> code = reader.ReadString();
  ASSERT_TRUE(code);
  std::string expected = "#!lua name=big\n";
  for (int i = 0; i < 12; ++i) {
    if (i > 0) expected += "\n";
    expected += "redis.register_function('f" + std::to_string(i) + "', function() return " +
                std::to_string(i) + " end)";
  }
  EXPECT_EQ(*code, expected);
  EXPECT_TRUE(reader.AtEnd());
}

TEST(RdbPayloadTest, RejectsDamage) {
  std::string payload;
  payload.push_back(static_cast<char>(kOpcodeFunction));
  AppendString(payload, kLibT);
  AppendFooter(payload);
  ASSERT_TRUE(VerifyPayload(payload));
  for (size_t i = 0; i < payload.size(); ++i) {
    std::string damaged = payload;
    damaged[i] ^= 0x01;
    EXPECT_FALSE(VerifyPayload(damaged)) << "byte " << i;
  }
  EXPECT_FALSE(VerifyPayload(""));
  EXPECT_FALSE(VerifyPayload("abc"));
  // A newer RDB version, with a correct checksum, is refused too.
  std::string newer;
  newer.push_back('\x0b');
  newer.push_back('\x00');
  const uint64_t crc = Crc64(0, newer);
  for (int i = 0; i < 8; ++i) newer.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  EXPECT_FALSE(VerifyPayload(newer));
}

TEST(RdbPayloadTest, LengthsAndIntegerStrings) {
  for (uint64_t n : {0ull, 63ull, 64ull, 16383ull, 16384ull, 4294967295ull, 4294967296ull}) {
    std::string out;
    AppendLength(out, n);
    Reader reader(out);
    EXPECT_EQ(reader.ReadLength(), n);
    EXPECT_TRUE(reader.AtEnd());
  }
  // Integer encodings: 0xC0 int8, 0xC1 int16, 0xC2 int32 (little-endian).
  // (A Reader views its bytes: they must outlive it.)
  const std::string int_bytes("\xc0\xff\xc1\x39\x30\xc2\x00\x00\x00\x80", 10);
  Reader ints(int_bytes);
  EXPECT_EQ(ints.ReadString(), "-1");
  EXPECT_EQ(ints.ReadString(), "12345");
  EXPECT_EQ(ints.ReadString(), "-2147483648");
  const std::string short_bytes("\x05" "abc", 4);
  Reader truncated(short_bytes);
  EXPECT_FALSE(truncated.ReadString());
}

TEST(RdbPayloadTest, LzfRejectsBadStreams) {
  EXPECT_EQ(LzfDecompress(std::string("\x02" "abc", 4), 3), "abc");
  EXPECT_EQ(LzfDecompress(std::string("\x00" "a\x20\x00", 4), 4), "aaaa");  // overlapping match
  EXPECT_FALSE(LzfDecompress(std::string("\x02" "abc", 4), 4));   // wrong size
  EXPECT_FALSE(LzfDecompress(std::string("\x20\x05", 2), 3));     // match before the start
  EXPECT_FALSE(LzfDecompress(std::string("\x05" "ab", 3), 6));    // short literal run
}

}  // namespace
}  // namespace stashd::persistence::rdb
