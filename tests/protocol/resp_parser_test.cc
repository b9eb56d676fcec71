#include "protocol/resp_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace stashd::protocol {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Args = std::vector<std::string>;
using namespace std::string_literals;

// Concatenates pieces. (GCC 12 at -O3 gives a false -Wrestrict error on
// `"literal" + std::string(...)`, so the tests avoid that form.)
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// What a connection sees after feeding some bytes: the commands parsed, the
// last status (kInputPending, or the error that stopped parsing), the error
// text, and, when pending, how many received bytes the parser left unconsumed.
struct Outcome {
  std::vector<Args> commands;
  ParseStatus status = ParseStatus::kInputPending;
  std::string error;
  size_t unconsumed = 0;

  bool operator==(const Outcome&) const = default;
};

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << "{commands:";
  for (const Args& args : o.commands) *os << ::testing::PrintToString(args);
  *os << " status:" << static_cast<int>(o.status) << " error:'" << o.error
      << "' unconsumed:" << o.unconsumed << "}";
}

// Feeds `chunks` one after the other the way a connection does: append to a
// buffer, parse until pending, drop the consumed bytes.
Outcome FeedChunks(const std::vector<std::string_view>& chunks, ParserLimits limits = {}) {
  RequestParser parser(limits);
  std::string buffer;
  Outcome outcome;
  for (std::string_view chunk : chunks) {
    buffer.append(chunk);
    while (true) {
      size_t consumed = ~size_t{0};
      Args args = {"stale"};
      ParseStatus status = parser.Parse(buffer, &consumed, &args);
      EXPECT_LE(consumed, buffer.size());
      buffer.erase(0, consumed);
      if (status == ParseStatus::kOk) {
        EXPECT_THAT(args, ::testing::Not(IsEmpty()));
        outcome.commands.push_back(std::move(args));
        continue;
      }
      outcome.status = status;
      if (status != ParseStatus::kInputPending) {
        outcome.error = parser.ErrorText(status);
        return outcome;
      }
      break;
    }
  }
  outcome.unconsumed = buffer.size();
  return outcome;
}

Outcome Feed(std::string_view data, ParserLimits limits = {}) { return FeedChunks({data}, limits); }

// Splits `data` at the given ascending offsets.
Outcome FeedSplit(std::string_view data, const std::vector<size_t>& cuts,
                  ParserLimits limits = {}) {
  std::vector<std::string_view> chunks;
  size_t start = 0;
  for (size_t cut : cuts) {
    chunks.push_back(data.substr(start, cut - start));
    start = cut;
  }
  chunks.push_back(data.substr(start));
  return FeedChunks(chunks, limits);
}

Outcome FeedByteByByte(std::string_view data, ParserLimits limits = {}) {
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < data.size(); ++i) chunks.push_back(data.substr(i, 1));
  return FeedChunks(chunks, limits);
}

Outcome Commands(std::vector<Args> commands, size_t unconsumed = 0) {
  return Outcome{std::move(commands), ParseStatus::kInputPending, "", unconsumed};
}

Outcome Error(ParseStatus status, std::string_view text, std::vector<Args> commands = {}) {
  return Outcome{std::move(commands), status, std::string(text), 0};
}

constexpr std::string_view kInvalidMultibulk = "ERR Protocol error: invalid multibulk length";
constexpr std::string_view kInvalidBulk = "ERR Protocol error: invalid bulk length";
constexpr std::string_view kTooBigInline = "ERR Protocol error: too big inline request";
constexpr std::string_view kTooBigMbulk = "ERR Protocol error: too big mbulk count string";
constexpr std::string_view kTooBigBulk = "ERR Protocol error: too big bulk count string";
constexpr std::string_view kUnbalanced = "ERR Protocol error: unbalanced quotes in request";

struct Frame {
  std::string name;
  std::string bytes;
  Outcome expected;
};

// Every expectation below was checked against redis-server 7.0.15.
std::vector<Frame> Frames() {
  return {
      {"ping", "*1\r\n$4\r\nPING\r\n", Commands({{"PING"}})},
      {"set", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", Commands({{"SET", "k", "hello"}})},
      {"empty_bulk", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", Commands({{"ECHO", ""}})},
      {"binary_bulk", "*2\r\n$4\r\nECHO\r\n$7\r\na\0\r\nb\r\n\r\n"s,
       Commands({{"ECHO", "a\0\r\nb\r\n"s}})},
      {"empty_arrays", "*0\r\n*-1\r\n*-7\r\n*1\r\n$4\r\nPING\r\n", Commands({{"PING"}})},
      {"pipeline", "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nQUIT\r\n",
       Commands({{"PING"}, {"GET", "k"}, {"QUIT"}})},
      {"partial_tail", "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel",
       Commands({{"PING"}})},
      {"partial_header", "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1", Commands({{"PING"}}, 2)},
      {"inline", "PING\r\n", Commands({{"PING"}})},
      {"inline_lf", "SET k v\n", Commands({{"SET", "k", "v"}})},
      {"inline_partial", "GET k", Commands({}, 5)},
      {"inline_quotes", "set \"a b\" 'c\\'d'\r\n", Commands({{"set", "a b", "c'd"}})},
      {"inline_blank_lines", "\r\n\n   \r\n\t\nPING\n", Commands({{"PING"}})},
      {"mixed", "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nECHO  x  \r\n",
       Commands({{"PING"}, {"ECHO", "hi"}, {"ECHO", "x"}})},
      // Redis skips the byte after a header's '\r' and the two bytes after a
      // bulk body without checking them.
      {"unchecked_terminators", "*1\rX$4\r\nPINGXY*1\r\n$4\r\nPING\r\n",
       Commands({{"PING"}, {"PING"}})},
      {"nul_hides_header_end", "*1\0\r\n$4\r\nPING\r\n"s, Commands({}, 15)},
      {"nul_hides_inline_end", "PING\0\n"s, Commands({}, 6)},
      {"bad_count", "*3000000000\r\n",
       Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"count_above_int_max", "*2147483648\r\n",
       Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"count_int_max", "*2147483647\r\n", Commands({})},
      {"count_letters", "*abc\r\n", Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"count_plus", "*+1\r\n", Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"count_space", "* 1\r\n", Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"count_leading_zero", "*01\r\n",
       Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"count_minus_zero", "*-0\r\n",
       Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"count_empty", "*\r\n", Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      // The header line ends at '\r' only, so "1\n$4" is the count.
      {"count_lf_only", "*1\n$4\r\nPING\r\n",
       Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk)},
      {"bulk_negative", "*1\r\n$-1\r\n", Error(ParseStatus::kInvalidBulkLength, kInvalidBulk)},
      {"bulk_letters", "*1\r\n$abc\r\n", Error(ParseStatus::kInvalidBulkLength, kInvalidBulk)},
      {"bulk_leading_zero", "*1\r\n$01\r\n", Error(ParseStatus::kInvalidBulkLength, kInvalidBulk)},
      {"bulk_empty_len", "*1\r\n$\r\n", Error(ParseStatus::kInvalidBulkLength, kInvalidBulk)},
      {"bulk_above_max", "*1\r\n$536870913\r\n",
       Error(ParseStatus::kInvalidBulkLength, kInvalidBulk)},
      {"expected_dollar", "*1\r\nfoo\r\n",
       Error(ParseStatus::kExpectedDollar, "ERR Protocol error: expected '$', got 'f'")},
      {"expected_dollar_cr", "*1\r\n\r\n",
       Error(ParseStatus::kExpectedDollar, "ERR Protocol error: expected '$', got ' '")},
      {"expected_dollar_second", "*2\r\n$3\r\nGET\r\n:1\r\n",
       Error(ParseStatus::kExpectedDollar, "ERR Protocol error: expected '$', got ':'")},
      {"error_after_command", "*1\r\n$4\r\nPING\r\n*x\r\n",
       Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk, {{"PING"}})},
      {"unbalanced", "xx \"foo\"bar\r\n", Error(ParseStatus::kUnbalancedQuotes, kUnbalanced)},
      {"unbalanced_after_command", "PING\r\nGET \"k\r\n",
       Error(ParseStatus::kUnbalancedQuotes, kUnbalanced, {{"PING"}})},
  };
}

TEST(RespParserTest, FramesInOneRead) {
  for (const Frame& f : Frames()) {
    EXPECT_EQ(Feed(f.bytes), f.expected) << f.name;
  }
}

TEST(RespParserTest, FramesSplitAtEveryByte) {
  for (const Frame& f : Frames()) {
    for (size_t cut = 0; cut <= f.bytes.size(); ++cut) {
      ASSERT_EQ(FeedSplit(f.bytes, {cut}), f.expected) << f.name << " cut at " << cut;
    }
  }
}

TEST(RespParserTest, FramesSplitAtEveryPairOfBytes) {
  for (const Frame& f : Frames()) {
    for (size_t a = 0; a <= f.bytes.size(); ++a) {
      for (size_t b = a; b <= f.bytes.size(); ++b) {
        ASSERT_EQ(FeedSplit(f.bytes, {a, b}), f.expected) << f.name << " cuts " << a << "," << b;
      }
    }
  }
}

TEST(RespParserTest, FramesByteByByte) {
  for (const Frame& f : Frames()) {
    EXPECT_EQ(FeedByteByByte(f.bytes), f.expected) << f.name;
  }
}

TEST(RespParserTest, EachParseReturnsOneCommandAndItsBytes) {
  const std::string one = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  std::string buffer;
  for (int i = 0; i < 1000; ++i) buffer += one;
  RequestParser parser;
  std::span<const char> rest(buffer);
  for (int i = 0; i < 1000; ++i) {
    size_t consumed = 0;
    Args args;
    ASSERT_EQ(parser.Parse(rest, &consumed, &args), ParseStatus::kOk);
    ASSERT_EQ(consumed, one.size());
    ASSERT_THAT(args, ElementsAre("GET", "k"));
    rest = rest.subspan(consumed);
  }
  size_t consumed = 1;
  Args args = {"untouched"};
  EXPECT_EQ(parser.Parse(rest, &consumed, &args), ParseStatus::kInputPending);
  EXPECT_EQ(consumed, 0u);
  EXPECT_THAT(args, ElementsAre("untouched"));
}

TEST(RespParserTest, OutIsReplacedNotAppended) {
  RequestParser parser;
  size_t consumed;
  Args args = {"old", "stuff", "here"};
  ASSERT_EQ(parser.Parse(std::string_view("PING\r\n"), &consumed, &args), ParseStatus::kOk);
  EXPECT_THAT(args, ElementsAre("PING"));
  ASSERT_EQ(parser.Parse(std::string_view("*1\r\n$4\r\nECHO\r\n"), &consumed, &args),
            ParseStatus::kOk);
  EXPECT_THAT(args, ElementsAre("ECHO"));
}

TEST(RespParserTest, EmptyCommandsAreConsumed) {
  RequestParser parser;
  size_t consumed;
  Args args;
  EXPECT_EQ(parser.Parse(std::string_view("*0\r\n*-1\r\n\r\n  \n"), &consumed, &args),
            ParseStatus::kInputPending);
  EXPECT_EQ(consumed, 14u);
}

// Redis sdssplitargs() behaviour, checked against redis-server 7.0.15.
struct InlineCase {
  std::string line;
  Args args;  // empty: unbalanced quotes
};

TEST(RespParserTest, InlineSplitsLikeSdssplitargs) {
  const std::vector<InlineCase> cases = {
      {R"(set "a b" 'c\'d')", {"set", "a b", "c'd"}},
      {R"(x "\x41")", {"x", "A"}},
      {R"(x "\xfF\x0a")", {"x", "\xff\n"}},
      {R"(x "\x4" "\x4g")", {"x", "x4", "x4g"}},
      {R"(x "\n\r\t\b\a\\\"\q")", {"x", "\n\r\t\b\a\\\"q"}},
      {R"(x 'a\nb' 'x\\ y')", {"x", R"(a\nb)", R"(x\\ y)"}},
      {R"(x 'a\'')", {"x", "a'"}},
      {R"(x foo"bar baz" qux)", {"x", "foobar baz", "qux"}},
      {R"(x "" '')", {"x", "", ""}},
      {"x \"a\"\t\"b\"", {"x", "a", "b"}},
      {"x \"a\"\vb", {"x", "a", "b"}},
      {"x a\vb \f c", {"x", "a\vb", "c"}},
      {"\vx\v", {"x\v"}},
      {"\t x \t b\t", {"x", "b"}},
      {"x a\rb", {"x", "a", "b"}},
      {"x a\r", {"x", "a"}},
      {R"(x \x41)", {"x", R"(\x41)"}},
      {R"(x "foo"bar)", {}},
      {R"(x 'foo'bar)", {}},
      {R"(x "foo)", {}},
      {R"(x 'foo)", {}},
      {R"(x foo"bar baz"qux)", {}},
      {R"(x "a"'b')", {}},
      {R"(x '''')", {}},
      {R"(x """")", {}},
      {R"(x a"b"c)", {}},
      {R"(x \")", {}},
      {R"(x "\")", {}},
      {R"(x "a\")", {}},
      {R"(x 'x\\')", {}},
  };
  for (const InlineCase& c : cases) {
    for (std::string_view eol : {"\r\n", "\n"}) {
      Outcome got = Feed(c.line + std::string(eol));
      if (c.args.empty()) {
        EXPECT_EQ(got, Error(ParseStatus::kUnbalancedQuotes, kUnbalanced)) << c.line;
      } else {
        EXPECT_EQ(got, Commands({c.args})) << c.line;
      }
    }
  }
}

TEST(RespParserTest, InlineTooBig) {
  // Redis errors once more than PROTO_INLINE_MAX_SIZE (64 KB) bytes wait
  // without a newline.
  EXPECT_EQ(Feed(std::string(65536, 'a')), Commands({}, 65536));
  EXPECT_EQ(Feed(std::string(65537, 'a')), Error(ParseStatus::kTooBigInlineRequest, kTooBigInline));
  EXPECT_EQ(Feed(std::string(70 * 1024, 'a')),
            Error(ParseStatus::kTooBigInlineRequest, kTooBigInline));
  // A long line is fine once its newline is there.
  std::string long_line = Cat("ECHO ", std::string(70 * 1024, 'a'), "\r\n");
  EXPECT_EQ(Feed(long_line), Commands({{"ECHO", std::string(70 * 1024, 'a')}}));
  // A NUL hides the newline, as strchr() does in Redis.
  EXPECT_EQ(Feed(Cat("PING\0\n"s, std::string(65600, 'a'))),
            Error(ParseStatus::kTooBigInlineRequest, kTooBigInline));
}

TEST(RespParserTest, InlineTooBigArrivingInChunks) {
  std::string data(70 * 1024, 'a');
  std::vector<size_t> cuts;
  for (size_t i = 1000; i < data.size(); i += 1000) cuts.push_back(i);
  EXPECT_EQ(FeedSplit(data, cuts), Error(ParseStatus::kTooBigInlineRequest, kTooBigInline));
}

TEST(RespParserTest, MultibulkCountTooBig) {
  EXPECT_EQ(Feed(Cat("*", std::string(65535, '1'))), Commands({}, 65536));
  EXPECT_EQ(Feed(Cat("*", std::string(65536, '1'))),
            Error(ParseStatus::kTooBigMbulkCount, kTooBigMbulk));
  EXPECT_EQ(Feed(Cat("*1\0\r\n"s, std::string(65600, 'x'))),
            Error(ParseStatus::kTooBigMbulkCount, kTooBigMbulk));
}

TEST(RespParserTest, BulkCountTooBig) {
  // Counted from the start of the bulk header: the array header is consumed.
  EXPECT_EQ(Feed(Cat("*1\r\n$", std::string(65535, '1'))), Commands({}, 65536));
  EXPECT_EQ(Feed(Cat("*1\r\n$", std::string(65536, '1'))),
            Error(ParseStatus::kTooBigBulkCount, kTooBigBulk));
  EXPECT_EQ(Feed(Cat("*1\r\n$1\0\r\n"s, std::string(65600, 'x'))),
            Error(ParseStatus::kTooBigBulkCount, kTooBigBulk));
}

TEST(RespParserTest, SmallLimits) {
  ParserLimits limits;
  limits.max_bulk_len = 5;
  limits.max_inline_len = 16;
  limits.max_multibulk_len = 3;
  EXPECT_EQ(Feed("*1\r\n$5\r\nhello\r\n", limits), Commands({{"hello"}}));
  EXPECT_EQ(Feed("*1\r\n$6\r\nhello!\r\n", limits),
            Error(ParseStatus::kInvalidBulkLength, kInvalidBulk));
  EXPECT_EQ(Feed("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", limits), Commands({{"a", "b", "c"}}));
  EXPECT_EQ(Feed("*4\r\n", limits), Error(ParseStatus::kInvalidMultibulkLength, kInvalidMultibulk));
  EXPECT_EQ(Feed(std::string(16, 'a'), limits), Commands({}, 16));
  EXPECT_EQ(Feed(std::string(17, 'a'), limits),
            Error(ParseStatus::kTooBigInlineRequest, kTooBigInline));
  EXPECT_EQ(Feed(Cat("*", std::string(16, '1')), limits),
            Error(ParseStatus::kTooBigMbulkCount, kTooBigMbulk));
  EXPECT_EQ(Feed(Cat("*1\r\n$", std::string(16, '1')), limits),
            Error(ParseStatus::kTooBigBulkCount, kTooBigBulk));
  // Long lines with their end present are not "too big".
  EXPECT_EQ(Feed("ECHO 0123456789abcdef\r\n", limits), Commands({{"ECHO", "0123456789abcdef"}}));
}

// Before AUTH (set_authenticated(false)) the Redis 7.0 limits apply: at
// most 10 arguments and 16384 bytes per bulk string; the general limits are
// checked first, and AUTH lifts the tight ones for the next command.
TEST(RespParserTest, UnauthenticatedLimits) {
  const std::string unauth_mbulk = "ERR Protocol error: unauthenticated multibulk length";
  const std::string unauth_bulk = "ERR Protocol error: unauthenticated bulk length";
  RequestParser parser;
  parser.set_authenticated(false);
  size_t consumed;
  Args args;
  EXPECT_EQ(parser.Parse(std::string_view("*11\r\n"), &consumed, &args),
            ParseStatus::kUnauthenticatedMultibulkLength);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kUnauthenticatedMultibulkLength), unauth_mbulk);
  EXPECT_EQ(parser.Parse(std::string_view("*2\r\n$3\r\nGET\r\n$16385\r\n"), &consumed, &args),
            ParseStatus::kUnauthenticatedBulkLength);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kUnauthenticatedBulkLength), unauth_bulk);
  // The general limits win: a count above INT_MAX is still "invalid".
  EXPECT_EQ(parser.Parse(std::string_view("*3000000000\r\n"), &consumed, &args),
            ParseStatus::kInvalidMultibulkLength);
  EXPECT_EQ(parser.Parse(std::string_view("*1\r\n$-1\r\n"), &consumed, &args),
            ParseStatus::kInvalidBulkLength);
  // At the limits: fine, whatever the cuts.
  const std::string ten = Cat("*10\r\n", [] {
    std::string s;
    for (int i = 0; i < 10; ++i) s += "$1\r\nx\r\n";
    return s;
  }());
  const std::string big = Cat("*1\r\n$16384\r\n", std::string(16384, 'v'), "\r\n");
  for (const std::string& frame : {ten, big}) {
    for (size_t cut = 1; cut < frame.size(); cut += 7) {
      RequestParser p;
      p.set_authenticated(false);
      std::string buffer(frame.substr(0, cut));
      ASSERT_EQ(p.Parse(buffer, &consumed, &args), ParseStatus::kInputPending) << cut;
      buffer.erase(0, consumed);
      buffer.append(frame.substr(cut));
      ASSERT_EQ(p.Parse(buffer, &consumed, &args), ParseStatus::kOk) << cut;
    }
  }
  // Authenticated (the default), the same frames pass.
  parser.set_authenticated(true);
  ASSERT_EQ(parser.Parse(std::string_view("*11\r\n"), &consumed, &args),
            ParseStatus::kInputPending);
  ParserLimits limits;
  EXPECT_EQ(limits.max_unauthenticated_multibulk_len, 10u);
  EXPECT_EQ(limits.max_unauthenticated_bulk_len, 16384u);
}

TEST(RespParserTest, ErrorTextForEveryStatus) {
  RequestParser parser;
  EXPECT_EQ(parser.ErrorText(ParseStatus::kOk), "");
  EXPECT_EQ(parser.ErrorText(ParseStatus::kInputPending), "");
  EXPECT_EQ(parser.ErrorText(ParseStatus::kInvalidMultibulkLength), kInvalidMultibulk);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kInvalidBulkLength), kInvalidBulk);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kTooBigInlineRequest), kTooBigInline);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kTooBigMbulkCount), kTooBigMbulk);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kTooBigBulkCount), kTooBigBulk);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kUnbalancedQuotes), kUnbalanced);
  size_t consumed;
  Args args;
  ASSERT_EQ(parser.Parse(std::string_view("*1\r\n\n\r\n"), &consumed, &args),
            ParseStatus::kExpectedDollar);
  EXPECT_EQ(parser.ErrorText(ParseStatus::kExpectedDollar),
            "ERR Protocol error: expected '$', got ' '");
}

TEST(RespParserTest, ConsumedOnErrorCountsOnlyCompleteCommands) {
  RequestParser parser;
  size_t consumed;
  Args args;
  // The first call returns PING; the second consumes the array header and the
  // first element of the next command before failing.
  std::string data = "PING\r\n*2\r\n$3\r\nGET\r\n$x\r\n";
  ASSERT_EQ(parser.Parse(data, &consumed, &args), ParseStatus::kOk);
  EXPECT_EQ(consumed, 6u);
  std::string_view rest = std::string_view(data).substr(consumed);
  EXPECT_EQ(parser.Parse(rest, &consumed, &args), ParseStatus::kInvalidBulkLength);
  EXPECT_EQ(consumed, 13u);
  EXPECT_THAT(args, ElementsAre("PING"));
  // After an error the parser starts afresh.
  ASSERT_EQ(parser.Parse(std::string_view("*1\r\n$4\r\nPING\r\n"), &consumed, &args),
            ParseStatus::kOk);
  EXPECT_THAT(args, ElementsAre("PING"));
}

TEST(RespParserTest, ResetDropsPartialCommand) {
  RequestParser parser;
  size_t consumed;
  Args args;
  ASSERT_EQ(parser.Parse(std::string_view("*2\r\n$3\r\nGET\r\n$10\r\nabc"), &consumed, &args),
            ParseStatus::kInputPending);
  parser.Reset();
  ASSERT_EQ(parser.Parse(std::string_view("PING\r\n"), &consumed, &args), ParseStatus::kOk);
  EXPECT_THAT(args, ElementsAre("PING"));
}

TEST(RespParserTest, LimitsAccessors) {
  RequestParser parser;
  EXPECT_EQ(parser.limits().max_bulk_len, 512u * 1024 * 1024);
  EXPECT_EQ(parser.limits().max_inline_len, 64u * 1024);
  EXPECT_EQ(parser.limits().max_multibulk_len, 2147483647u);
  ParserLimits small;
  small.max_bulk_len = 3;
  parser.set_limits(small);
  EXPECT_EQ(parser.limits().max_bulk_len, 3u);
  size_t consumed;
  Args args;
  EXPECT_EQ(parser.Parse(std::string_view("*1\r\n$4\r\n"), &consumed, &args),
            ParseStatus::kInvalidBulkLength);
}

TEST(RespParserTest, LargeBulkInSmallChunksIsCopiedAsItArrives) {
  const size_t kSize = 8 * 1024 * 1024;
  const size_t kChunk = 16 * 1024;
  std::string value(kSize, '\0');
  std::mt19937 rng(42);
  for (char& c : value) c = static_cast<char>(rng());
  const std::string frame = Cat("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$", std::to_string(kSize), "\r\n",
                                value, "\r\n*1\r\n$4\r\nPING\r\n");

  RequestParser parser;
  std::string buffer;
  std::vector<Args> commands;
  size_t max_buffered = 0;
  for (size_t off = 0; off < frame.size(); off += kChunk) {
    buffer.append(frame, off, kChunk);
    max_buffered = std::max(max_buffered, buffer.size());
    while (true) {
      size_t consumed;
      Args args;
      ParseStatus status = parser.Parse(buffer, &consumed, &args);
      buffer.erase(0, consumed);
      if (status != ParseStatus::kOk) {
        ASSERT_EQ(status, ParseStatus::kInputPending);
        break;
      }
      commands.push_back(std::move(args));
    }
  }
  ASSERT_EQ(commands.size(), 2u);
  ASSERT_EQ(commands[0].size(), 3u);
  EXPECT_EQ(commands[0][0], "SET");
  EXPECT_EQ(commands[0][1], "big");
  EXPECT_TRUE(commands[0][2] == value);
  EXPECT_THAT(commands[1], ElementsAre("PING"));
  EXPECT_TRUE(buffer.empty());
  // The body never piles up in the connection's buffer: each read is taken
  // out at once, so nothing is scanned twice.
  EXPECT_LE(max_buffered, 2 * kChunk);
}

std::string Encode(const Args& args) {
  std::string out = Cat("*", std::to_string(args.size()), "\r\n");
  for (const std::string& a : args) out += Cat("$", std::to_string(a.size()), "\r\n", a, "\r\n");
  return out;
}

// Random pipelines of valid commands, cut into random chunks.
// The bulk string of a large value ends exactly as long as declared, never
// rounded up to a power of two (libstdc++'s reserve() on a non-empty string
// doubles): a 3 MB value costs 3 MB, not 4.
TEST(RespParserTest, LargeBulkEndsExactlySized) {
  const size_t kSize = 3 * 1024 * 1024 + 1;
  const std::string frame =
      Cat("*1\r\n$", std::to_string(kSize), "\r\n", std::string(kSize, 'v'), "\r\n");
  RequestParser parser;
  std::string buffer;
  Args args;
  ParseStatus status = ParseStatus::kInputPending;
  for (size_t off = 0; off < frame.size(); off += 16 * 1024) {
    buffer.append(frame, off, 16 * 1024);
    size_t consumed;
    status = parser.Parse(buffer, &consumed, &args);
    buffer.erase(0, consumed);
  }
  ASSERT_EQ(status, ParseStatus::kOk);
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].size(), kSize);
  EXPECT_EQ(args[0].capacity(), kSize);
}

TEST(RespParserTest, RandomPipelinesInRandomChunks) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Args> commands;
    std::string data;
    const int n = 1 + rng() % 20;
    for (int i = 0; i < n; ++i) {
      Args args(1 + rng() % 5);
      for (std::string& a : args) {
        a.resize(rng() % (rng() % 8 == 0 ? 5000 : 20));
        for (char& c : a) c = static_cast<char>(rng());
      }
      data += Encode(args);
      commands.push_back(std::move(args));
    }
    std::vector<size_t> cuts;
    for (size_t at = rng() % 64; at < data.size(); at += 1 + rng() % 300) cuts.push_back(at);
    ASSERT_EQ(FeedSplit(data, cuts), Commands(commands)) << "round " << round;
  }
}

// Random bytes, mostly protocol-like: however the input is cut, the outcome is
// the same as when it arrives at once (the "too big" errors aside, which
// depend on how much is buffered, as in Redis).
TEST(RespParserTest, RandomGarbageSameOutcomeWhateverTheCuts) {
  std::mt19937 rng(1234);
  const std::vector<std::string> pieces = {
      "*",  "$",  "\r\n", "\r",     "\n",     "0",        "1",
      "2",  "-1", "3",    "a",      " ",      "\"",       "'",
      "\\", "x",  "\0"s,  "*1\r\n", "$3\r\n", "PING\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"};
  ParserLimits limits;
  limits.max_inline_len = 1 << 20;
  for (int round = 0; round < 2000; ++round) {
    std::string data;
    const int n = rng() % 40;
    for (int i = 0; i < n; ++i) data += pieces[rng() % pieces.size()];
    const Outcome whole = Feed(data, limits);
    std::vector<size_t> cuts;
    for (size_t at = rng() % 4; at < data.size(); at += 1 + rng() % 6) cuts.push_back(at);
    ASSERT_EQ(FeedSplit(data, cuts, limits), whole) << ::testing::PrintToString(data);
  }
}

}  // namespace
}  // namespace stashd::protocol
