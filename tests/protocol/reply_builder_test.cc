#include "protocol/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace stashd::protocol {
namespace {

using namespace std::string_literals;

// Concatenates pieces. (GCC 12 at -O3 gives a false -Wrestrict error on
// `"literal" + std::string(...)`, so the tests avoid that form.)
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// Runs `write` against a builder in RESP2 and in RESP3 and returns the bytes.
template <typename Fn>
std::string Resp2(Fn write) {
  ReplyBuilder rb;
  write(rb);
  return rb.buffer();
}

template <typename Fn>
std::string Resp3(Fn write) {
  ReplyBuilder rb;
  rb.set_resp3(true);
  write(rb);
  return rb.buffer();
}

TEST(ReplyBuilderTest, Resp3Flag) {
  ReplyBuilder rb;
  EXPECT_FALSE(rb.resp3());
  rb.set_resp3(true);
  EXPECT_TRUE(rb.resp3());
}

TEST(ReplyBuilderTest, Ok) {
  auto w = [](ReplyBuilder& rb) { rb.Ok(); };
  EXPECT_EQ(Resp2(w), "+OK\r\n");
  EXPECT_EQ(Resp3(w), "+OK\r\n");
}

TEST(ReplyBuilderTest, SimpleString) {
  auto w = [](ReplyBuilder& rb) { rb.SimpleString("PONG"); };
  EXPECT_EQ(Resp2(w), "+PONG\r\n");
  EXPECT_EQ(Resp3(w), "+PONG\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.SimpleString(""); }), "+\r\n");
}

TEST(ReplyBuilderTest, Error) {
  auto w = [](ReplyBuilder& rb) { rb.Error("ERR syntax error"); };
  EXPECT_EQ(Resp2(w), "-ERR syntax error\r\n");
  EXPECT_EQ(Resp3(w), "-ERR syntax error\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Error("WRONGTYPE x"); }), "-WRONGTYPE x\r\n");
}

TEST(ReplyBuilderTest, ErrorNewlinesBecomeSpaces) {
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Error("ERR a\r\nb\nc\rd"); }), "-ERR a  b c d\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Error("\r\nERR\n"); }), "-  ERR \r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Error("ERR a\0b"s); }), "-ERR a\0b\r\n"s);
}

TEST(ReplyBuilderTest, Integer) {
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Integer(0); }), ":0\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Integer(0); }), ":0\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Integer(42); }), ":42\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Integer(-1); }), ":-1\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Integer(std::numeric_limits<int64_t>::max()); }),
            ":9223372036854775807\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Integer(std::numeric_limits<int64_t>::min()); }),
            ":-9223372036854775808\r\n");
}

TEST(ReplyBuilderTest, Bulk) {
  auto w = [](ReplyBuilder& rb) { rb.Bulk("hello"); };
  EXPECT_EQ(Resp2(w), "$5\r\nhello\r\n");
  EXPECT_EQ(Resp3(w), "$5\r\nhello\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Bulk(""); }), "$0\r\n\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Bulk("a\0\r\nb"s); }), "$5\r\na\0\r\nb\r\n"s);
  const std::string big(100000, 'x');
  EXPECT_EQ(Resp2([&](ReplyBuilder& rb) { rb.Bulk(big); }), Cat("$100000\r\n", big, "\r\n"));
}

TEST(ReplyBuilderTest, Null) {
  auto w = [](ReplyBuilder& rb) { rb.Null(); };
  EXPECT_EQ(Resp2(w), "$-1\r\n");
  EXPECT_EQ(Resp3(w), "_\r\n");
}

TEST(ReplyBuilderTest, NullArray) {
  auto w = [](ReplyBuilder& rb) { rb.NullArray(); };
  EXPECT_EQ(Resp2(w), "*-1\r\n");
  EXPECT_EQ(Resp3(w), "_\r\n");
}

TEST(ReplyBuilderTest, ArrayLen) {
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.ArrayLen(0); }), "*0\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.ArrayLen(3); }), "*3\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.ArrayLen(std::numeric_limits<uint64_t>::max()); }),
            "*18446744073709551615\r\n");
}

TEST(ReplyBuilderTest, MapLen) {
  auto w = [](ReplyBuilder& rb) { rb.MapLen(2); };
  EXPECT_EQ(Resp2(w), "*4\r\n");
  EXPECT_EQ(Resp3(w), "%2\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.MapLen(0); }), "*0\r\n");
}

TEST(ReplyBuilderTest, SetLen) {
  auto w = [](ReplyBuilder& rb) { rb.SetLen(5); };
  EXPECT_EQ(Resp2(w), "*5\r\n");
  EXPECT_EQ(Resp3(w), "~5\r\n");
}

TEST(ReplyBuilderTest, PushLen) {
  auto w = [](ReplyBuilder& rb) { rb.PushLen(3); };
  EXPECT_EQ(Resp2(w), "*3\r\n");
  EXPECT_EQ(Resp3(w), ">3\r\n");
}

TEST(ReplyBuilderTest, Bool) {
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Bool(true); }), ":1\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Bool(false); }), ":0\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Bool(true); }), "#t\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Bool(false); }), "#f\r\n");
}

// Expected bytes captured from redis-server 7.0.15 (ZSCORE under HELLO 2 / 3).
TEST(ReplyBuilderTest, Double) {
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Double(0.1); }), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Double(0.1); }), ",0.10000000000000001\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Double(1e20); }), ",1e+20\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Double(3); }), ",3\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Double(3); }), "$1\r\n3\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Double(1.5); }), ",1.5\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Double(-0.0); }), "$2\r\n-0\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Double(1e-300); }), "$6\r\n1e-300\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.Double(std::numeric_limits<double>::lowest()); }),
            "$24\r\n-1.7976931348623157e+308\r\n");
}

TEST(ReplyBuilderTest, HumanDouble) {
  // GEOPOS's coordinates, as redis-server prints them.
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.HumanDouble(13.361389338970184); }),
            "$20\r\n13.36138933897018433\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.HumanDouble(-85.049999561723524); }),
            ",-85.04999956172352427\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.HumanDouble(2.5); }), "$3\r\n2.5\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.HumanDouble(-0.0); }), "$1\r\n0\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& rb) { rb.HumanDouble(100); }), "$3\r\n100\r\n");
}

TEST(ReplyBuilderTest, DoubleInfinity) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Resp2([&](ReplyBuilder& rb) { rb.Double(inf); }), "$3\r\ninf\r\n");
  EXPECT_EQ(Resp2([&](ReplyBuilder& rb) { rb.Double(-inf); }), "$4\r\n-inf\r\n");
  EXPECT_EQ(Resp3([&](ReplyBuilder& rb) { rb.Double(inf); }), ",inf\r\n");
  EXPECT_EQ(Resp3([&](ReplyBuilder& rb) { rb.Double(-inf); }), ",-inf\r\n");
}

TEST(ReplyBuilderTest, DoubleNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Resp3([&](ReplyBuilder& rb) { rb.Double(nan); }), ",nan\r\n");
  EXPECT_EQ(Resp2([&](ReplyBuilder& rb) { rb.Double(nan); }), "$3\r\nnan\r\n");
}

std::string PrintfG17(double d) {
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, n);
}

// Redis formats with snprintf("%.17g"); the builder must agree on every value.
TEST(ReplyBuilderTest, DoubleMatchesPrintfG17) {
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> small(-1000, 1000);
  for (int i = 0; i < 20000; ++i) {
    double d;
    if (i % 2 == 0) {
      uint64_t bits = rng();
      std::memcpy(&d, &bits, sizeof(d));
      if (std::isnan(d) || std::isinf(d)) continue;
    } else {
      d = small(rng);
      if (i % 4 == 1) d = std::round(d * 100) / 100;
    }
    const std::string text = PrintfG17(d);
    ASSERT_EQ(Resp3([&](ReplyBuilder& rb) { rb.Double(d); }), Cat(",", text, "\r\n")) << text;
    ASSERT_EQ(Resp2([&](ReplyBuilder& rb) { rb.Double(d); }),
              Cat("$", std::to_string(text.size()), "\r\n", text, "\r\n"))
        << text;
  }
}

TEST(ReplyBuilderTest, Verbatim) {
  auto w = [](ReplyBuilder& rb) { rb.Verbatim("hello"); };
  EXPECT_EQ(Resp2(w), "$5\r\nhello\r\n");
  EXPECT_EQ(Resp3(w), "=9\r\ntxt:hello\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Verbatim("# x", "mkd"); }), "=7\r\nmkd:# x\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Verbatim(""); }), "=4\r\ntxt:\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& rb) { rb.Verbatim("a\r\nb"); }), "=8\r\ntxt:a\r\nb\r\n");
}

TEST(ReplyBuilderTest, Raw) {
  auto w = [](ReplyBuilder& rb) { rb.Raw("*1\r\n:1\r\n"); };
  EXPECT_EQ(Resp2(w), "*1\r\n:1\r\n");
  EXPECT_EQ(Resp3(w), "*1\r\n:1\r\n");
}

TEST(ReplyBuilderTest, RepliesAppendToOneBuffer) {
  ReplyBuilder rb;
  rb.ArrayLen(3);
  rb.Bulk("a");
  rb.Integer(7);
  rb.Null();
  EXPECT_EQ(rb.buffer(), "*3\r\n$1\r\na\r\n:7\r\n$-1\r\n");
  EXPECT_EQ(rb.size(), rb.buffer().size());
  rb.Clear();
  EXPECT_EQ(rb.size(), 0u);
  rb.set_resp3(true);
  rb.MapLen(1);
  rb.Bulk("k");
  rb.Double(2.5);
  EXPECT_EQ(rb.buffer(), "%1\r\n$1\r\nk\r\n,2.5\r\n");
  // The connection may take the bytes out of the buffer directly.
  std::string sent;
  sent.swap(rb.buffer());
  EXPECT_EQ(sent, "%1\r\n$1\r\nk\r\n,2.5\r\n");
  EXPECT_EQ(rb.size(), 0u);
  const ReplyBuilder& const_rb = rb;
  EXPECT_TRUE(const_rb.buffer().empty());
}

}  // namespace
}  // namespace stashd::protocol
