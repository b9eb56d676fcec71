// The DUMP / RESTORE payload format, checked against bytes real Redis 7.0.15
// produced (FUNCTION DUMP of known libraries).
#include "persistence/rdb_payload.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "persistence/rdb_value.h"

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
    AppendString(payload, *code, Compression::kNone);
  }
  AppendFooter(payload);
  const std::string redis =
      "\xf5@C" + kLibT + "\xf5@C" + kLibU + std::string("\n\x00", 2) + "J\x12,\x90\x87H9\x9b";
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
  // And compressing the code gives Redis's bytes back.
  std::string ours;
  ours.push_back(static_cast<char>(kOpcodeFunction));
  AppendString(ours, expected, Compression::kLzf);
  AppendFooter(ours);
  EXPECT_EQ(ours, payload);
}

TEST(RdbPayloadTest, CompressesOnlyOver20BytesAndOnlyWhenItSaves4) {
  // 20 bytes: never tried; 21 repeated bytes: compressed.
  std::string out;
  AppendString(out, std::string(20, 'a'), Compression::kLzf);
  EXPECT_EQ(out, "\x14" + std::string(20, 'a'));
  out.clear();
  AppendString(out, std::string(21, 'a'), Compression::kLzf);
  EXPECT_EQ(out, std::string("\xc3\x06\x15\x01\x61\x61\xe0\x0a\x00", 9));
  // Integers first, whatever the compression.
  out.clear();
  AppendString(out, "12345678901", Compression::kLzf);
  EXPECT_EQ(out,
            "\x0b"
            "12345678901");
  // 26 distinct bytes do not compress: written as they are.
  out.clear();
  AppendString(out, "abcdefghijklmnopqrstuvwxyz", Compression::kLzf);
  EXPECT_EQ(out,
            "\x1a"
            "abcdefghijklmnopqrstuvwxyz");
  Reader reader(out);
  EXPECT_EQ(reader.ReadString(), "abcdefghijklmnopqrstuvwxyz");
}

TEST(RdbPayloadTest, RejectsDamage) {
  std::string payload;
  payload.push_back(static_cast<char>(kOpcodeFunction));
  AppendString(payload, kLibT, Compression::kNone);
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
  const std::string short_bytes(
      "\x05"
      "abc",
      4);
  Reader truncated(short_bytes);
  EXPECT_FALSE(truncated.ReadString());
}

TEST(RdbPayloadTest, LzfRejectsBadStreams) {
  EXPECT_EQ(LzfDecompress(std::string("\x02"
                                      "abc",
                                      4),
                          3),
            "abc");
  EXPECT_EQ(LzfDecompress(std::string("\x00"
                                      "a\x20\x00",
                                      4),
                          4),
            "aaaa");  // overlapping match
  EXPECT_FALSE(LzfDecompress(std::string("\x02"
                                         "abc",
                                         4),
                             4));                              // wrong size
  EXPECT_FALSE(LzfDecompress(std::string("\x20\x05", 2), 3));  // match before the start
  EXPECT_FALSE(LzfDecompress(std::string("\x05"
                                         "ab",
                                         3),
                             6));  // short literal run
}

TEST(RdbPayloadTest, StringsAreWrittenAsRedisWritesThem) {
  // rdbSaveRawString without compression: canonical integers of up to 11
  // bytes in the 32-bit range as integers, everything else as bytes.
  const std::pair<std::string, std::string> cases[] = {
      {"0", std::string("\xc0\x00", 2)},
      {"-128", std::string("\xc0\x80", 2)},
      {"127", std::string("\xc0\x7f", 2)},
      {"128", std::string("\xc1\x80\x00", 3)},
      {"-32769", std::string("\xc2\xff\x7f\xff\xff", 5)},
      {"-2147483648", std::string("\xc2\x00\x00\x00\x80", 5)},
      {"2147483648", std::string("\x0a"
                                 "2147483648",
                                 11)},
      {"007", std::string("\x03"
                          "007",
                          4)},
      {"-0", std::string("\x02"
                         "-0",
                         3)},
      {"+1", std::string("\x02"
                         "+1",
                         3)},
      {"", std::string("\x00", 1)},
  };
  for (const auto& [value, encoded] : cases) {
    std::string out;
    AppendString(out, value, Compression::kNone);
    EXPECT_EQ(out, encoded) << value;
    Reader reader(out);
    EXPECT_EQ(reader.ReadString(), value);
  }
}

TEST(RdbPayloadTest, LzfRefusesImpossibleSizesWithoutAllocating) {
  EXPECT_FALSE(LzfDecompress(std::string("\x00"
                                         "a",
                                         2),
                             uint64_t{1} << 62));
  EXPECT_FALSE(LzfDecompress("", 1));
}

TEST(RdbPayloadTest, MillisecondTimesAndRawBytes) {
  // A stream's delivery and seen times: 8 bytes little-endian, as Redis's
  // rdbSaveMillisecondTime (1796234501701 from a Redis 7.0.15 payload).
  std::string out;
  AppendMillisecondTime(out, 1796234501701);
  EXPECT_EQ(out, FromHex("455eeb37a2010000"));
  AppendMillisecondTime(out, -1);
  out += "xyz";
  Reader r(out);
  EXPECT_EQ(r.ReadMillisecondTime(), 1796234501701);
  EXPECT_EQ(r.ReadMillisecondTime(), -1);
  EXPECT_EQ(r.ReadRaw(4), std::nullopt);  // only 3 left: nothing consumed
  EXPECT_EQ(r.ReadRaw(3), "xyz");
  EXPECT_TRUE(r.AtEnd());
  EXPECT_EQ(r.ReadMillisecondTime(), std::nullopt);
}

TEST(RdbValueTest, ListpackIntegerAndStringBoundaries) {
  std::vector<std::string> items;
  const std::vector<int64_t> ints = {0,        127,       128,        -1,        -4096,
                                     -4097,    4095,      4096,       32767,     32768,
                                     -32768,   -32769,    8388607,    8388608,   -8388608,
                                     -8388609, INT32_MAX, 2147483648, INT64_MAX, INT64_MIN};
  for (int64_t v : ints) {
    items.push_back(std::to_string(v));
  }
  for (size_t n : {0u, 1u, 63u, 64u, 4095u, 4096u, 70000u}) items.emplace_back(n, 'x');
  items.push_back("007");
  items.push_back("-0");
  items.push_back("9223372036854775808");
  const std::string lp = EncodeListpack(items);
  EXPECT_EQ(DecodeListpack(lp), items);
  // A small listpack exactly as Redis writes it (hash f=v, n=12, big=-5000).
  EXPECT_EQ(EncodeListpack({"f", "v", "n", "12", "big", "-5000"}),
            std::string("\x1b\x00\x00\x00\x06\x00\x81\x66\x02\x81\x76\x02\x81\x6e\x02\x0c"
                        "\x01\x83\x62\x69\x67\x04\xf1\x78\xec\x03\xff",
                        27));
  // Every truncation and every wrong header is refused.
  for (size_t n = 0; n < lp.size(); ++n) EXPECT_FALSE(DecodeListpack(lp.substr(0, n))) << n;
  std::string bad = lp;
  bad[4] = static_cast<char>(bad[4] + 1);  // element count
  EXPECT_FALSE(DecodeListpack(bad));
  bad = lp;
  bad[0] = static_cast<char>(bad[0] + 1);  // total bytes
  EXPECT_FALSE(DecodeListpack(bad));
  // A wrong back length.
  std::string small = EncodeListpack({"ab"});
  ASSERT_EQ(small.size(), 11u);
  small[9] = '\x04';
  EXPECT_FALSE(DecodeListpack(small));
  // An unknown count (65535) is accepted.
  small = EncodeListpack({"ab"});
  small[4] = small[5] = '\xff';
  EXPECT_EQ(DecodeListpack(small), std::vector<std::string>{"ab"});
}

TEST(RdbValueTest, ZiplistIsValidatedWhole) {
  // "a", 12 (immediate), 1000 (int16), as Redis 6 wrote them.
  const std::string zl(
      "\x14\x00\x00\x00\x0f\x00\x00\x00\x03\x00"
      "\x00\x01"
      "a"
      "\x03\xfd"
      "\x02\xc0\xe8\x03"
      "\xff",
      20);
  EXPECT_EQ(DecodeZiplist(zl), (std::vector<std::string>{"a", "12", "1000"}));
  for (size_t n = 0; n < zl.size(); ++n) EXPECT_FALSE(DecodeZiplist(zl.substr(0, n))) << n;
  std::string bad = zl;
  bad[4] = '\x0d';  // tail offset
  EXPECT_FALSE(DecodeZiplist(bad));
  bad = zl;
  bad[13] = '\x04';  // prevlen of the second entry
  EXPECT_FALSE(DecodeZiplist(bad));
  bad = zl;
  bad[8] = '\x04';  // count
  EXPECT_FALSE(DecodeZiplist(bad));
  bad = zl;
  bad[14] = '\xf0';  // an int24 running past the end
  EXPECT_FALSE(DecodeZiplist(bad));
}

}  // namespace
}  // namespace stashd::persistence::rdb
