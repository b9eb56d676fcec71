// The struct and cmsgpack libraries scripts get, as Redis 7.0 embeds them:
// exact bytes (as hex), unpacked values, next positions and offsets, error
// texts, the nesting limit and the sandbox. Every expected value was read off
// a real redis-server 7.0.15 running the same script.
#include <string>
#include <utility>
#include <vector>

#include "command_fixture.h"
#include "server/scripting/sha1.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;

class LuaLibsTest : public CommandTest {
 protected:
  RespValue Eval(const std::string& script) { return Run({"eval", script, "0"}); }
  // The bytes of the string `expr` evaluates to, as lowercase hex.
  std::string HexOf(const std::string& expr) {
    const RespValue v = Eval("return " + expr);
    if (!v.IsString()) return "not a string: " + DebugString(v);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : v.str) {
      hex += kDigits[c >> 4];
      hex += kDigits[c & 15];
    }
    return hex;
  }
  // The error Redis replies for a script that raised `message` on line 1.
  static std::string ScriptError(const std::string& script, const std::string& message) {
    return "ERR " + message + " script: " + server::Sha1Hex(script) + ", on @user_script:1.";
  }
};

TEST_F(LuaLibsTest, StructPackBytes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"struct.pack('>i', 1)", "00000001"},
      {"struct.pack('<i', -2)", "feffffff"},
      {"struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 7, 9)",
       "fffffefffffffdffffffffffffff07000000000000000900000000000000"},
      {"struct.pack('>I3<I3', 0x123456, 0x123456)", "123456563412"},
      {"struct.pack('i16', -1)", "ffffffffffffffff0000000000000000"},
      {"struct.pack('>i16', -1)", "0000000000000000ffffffffffffffff"},
      {"struct.pack('!4bi', 1, 2)", "0100000002000000"},
      {"struct.pack('!8bd', 1, 2)", "01000000000000000000000000000040"},
      {"struct.pack('!2bxhbl', 1, 2, 3, 4)", "0100020003000400000000000000"},
      {"struct.pack('!4bi3bi3', 1, 2, 3, 4)", "01000002000003040000"},
      {"struct.pack('c', 'xyz')", "78"},
      {"struct.pack('c0', 'xyz')", "78797a"},
      {"struct.pack('c2s', 'xyz', 'ab')", "7879616200"},
      {"struct.pack('  x x ')", "0000"},
      {"struct.pack('>f<f', 1.5, 1.5)", "3fc000000000c03f"},
      {"struct.pack('>d<d', 0.1, -2)", "3fb999999999999a00000000000000c0"},
      {"struct.pack('l', 2^63)", "0000000000000080"},
      {"struct.pack('l', 2^64)", "0000000000000000"},
      {"struct.pack('l', -2^64)", "0000000000000080"},
      {"struct.pack('l', 0/0)", "0000000000000080"},
      {"struct.pack('b', 300)", "2c"},
      {"struct.pack('B', -1)", "ff"},
      {"struct.pack('b\\0b', 1, 2)", "01"},
  };
  for (const auto& [expr, hex] : cases) EXPECT_EQ(HexOf(expr), hex) << expr;
}

TEST_F(LuaLibsTest, StructUnpack) {
  EXPECT_THAT(Eval("return {struct.unpack('bBhH', '\\255\\255\\255\\255\\255\\255')}").elems,
              ElementsAre(IsInt(-1), IsInt(255), IsInt(-1), IsInt(65535), IsInt(7)));
  EXPECT_THAT(Eval("return {struct.unpack('>h<h', '\\1\\2\\1\\2')}").elems,
              ElementsAre(IsInt(258), IsInt(513), IsInt(5)));
  // A start position, then the next one.
  EXPECT_THAT(Eval("return {struct.unpack('i', 'abcdefgh', 2)}").elems,
              ElementsAre(IsInt(1701077858), IsInt(6)));
  EXPECT_THAT(Eval("return {struct.unpack('', 'ab', 3)}").elems, ElementsAre(IsInt(3)));
  // Sign extension from the item's own top bit; wider items keep 8 bytes.
  EXPECT_THAT(Eval("return {struct.unpack('>i2', '\\128\\1')}").elems,
              ElementsAre(IsInt(-32767), IsInt(3)));
  EXPECT_THAT(Eval("return {struct.unpack('<i3', '\\0\\0\\128')}").elems,
              ElementsAre(IsInt(-8388608), IsInt(4)));
  EXPECT_THAT(Eval("return {struct.unpack('<I3', '\\0\\0\\128')}").elems,
              ElementsAre(IsInt(8388608), IsInt(4)));
  EXPECT_THAT(Eval("return {struct.unpack('i16', struct.pack('i16', -1))}").elems,
              ElementsAre(IsInt(-1), IsInt(17)));
  EXPECT_THAT(Eval("return {struct.unpack('<i12', string.rep('\\0', 11) .. '\\1')}").elems,
              ElementsAre(IsInt(0), IsInt(13)));
  EXPECT_EQ(Eval("return tostring(struct.unpack('L', string.rep('\\255', 8)))"),
            "1.844674407371e+19");
  // Floats and doubles in both byte orders.
  EXPECT_EQ(Eval("return tostring(struct.unpack('<f', struct.pack('<f', 0.1)))"),
            "0.10000000149012");
  EXPECT_EQ(Eval("return tostring(struct.unpack('>d', struct.pack('>d', 0.1)))"), "0.1");
  // Strings: a count, 'c0' sized by the number before it, zero-terminated.
  EXPECT_THAT(Eval("return {struct.unpack('c2c', 'abcd')}").elems,
              ElementsAre("ab", "c", IsInt(4)));
  EXPECT_THAT(Eval("return {struct.unpack('bc0', '\\3abcd')}").elems, ElementsAre("abc", IsInt(5)));
  EXPECT_THAT(Eval("return {struct.unpack('ss', 'ab\\0cd\\0')}").elems,
              ElementsAre("ab", "cd", IsInt(7)));
  // Alignment and padding.
  EXPECT_THAT(Eval("return {struct.unpack('!4bi', 'a\\0\\0\\0\\1\\0\\0\\0')}").elems,
              ElementsAre(IsInt(97), IsInt(1), IsInt(9)));
  EXPECT_THAT(Eval("return {struct.unpack('!2bh', '\\0a\\0\\1\\0', 2)}").elems,
              ElementsAre(IsInt(97), IsInt(256), IsInt(5)));
  EXPECT_THAT(Eval("return {struct.unpack('xxb', 'abc')}").elems, ElementsAre(IsInt(99), IsInt(4)));
  // The format ends at a zero byte.
  EXPECT_THAT(Eval("return {struct.unpack('b\\0b', 'ab')}").elems,
              ElementsAre(IsInt(97), IsInt(2)));
  // Round trip of every letter.
  EXPECT_THAT(
      Eval("local f = '<!8bBhHlLTi3I5fdc3sx' "
           "local t = {struct.unpack(f, struct.pack(f, -5, 250, -300, 60000, -7, 8, "
           "9, -70000, 123456789, 2.5, -0.125, 'xyz', 'hello'))} "
           "t[10] = tostring(t[10]) t[11] = tostring(t[11]) return t")
          .elems,
      ElementsAre(IsInt(-5), IsInt(250), IsInt(-300), IsInt(60000), IsInt(-7), IsInt(8), IsInt(9),
                  IsInt(-70000), IsInt(123456789), "2.5", "-0.125", "xyz", "hello", IsInt(67)));
}

TEST_F(LuaLibsTest, StructSize) {
  EXPECT_THAT(Eval("return struct.size('i')"), IsInt(4));
  EXPECT_THAT(Eval("return struct.size('bhilTfdxc3')"), IsInt(39));
  EXPECT_THAT(Eval("return struct.size('!bhilTfdxc3')"), IsInt(44));
  EXPECT_THAT(Eval("return struct.size('!4bd')"), IsInt(12));
  EXPECT_THAT(Eval("return struct.size('!4bi3bi3i5bi6')"), IsInt(26));
  EXPECT_THAT(Eval("return struct.size('')"), IsInt(0));
  // Letters struct.size does not know are skipped (pack refuses them).
  EXPECT_THAT(Eval("return struct.size('zq')"), IsInt(0));
}

TEST_F(LuaLibsTest, StructErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"return struct.pack('i33', 1)", "integral size 33 is larger than limit of 32"},
      {"return struct.pack('!3bi', 1, 2)", "alignment 3 is not a power of 2"},
      {"return struct.pack('!0bi', 1, 2)", "alignment 0 is not a power of 2"},
      {"return struct.pack('c5', 'xyz')", "bad argument #3 to 'pack' (string too short)"},
      {"return struct.pack('bc5', 1, 'xyz')", "bad argument #4 to 'pack' (string too short)"},
      {"return struct.pack('z', 1)", "bad argument #1 to 'pack' (invalid format option 'z')"},
      {"return struct.pack('5', 1)", "bad argument #1 to 'pack' (invalid format option '5')"},
      {"return struct.pack('i99999999999', 1)", "integral size overflow"},
      {"return struct.pack('c2147483648', 'a')", "integral size overflow"},
      {"return struct.pack('i', 'abc')", "bad argument #2 to 'pack' (number expected, got string)"},
      {"return struct.pack('i')", "bad argument #2 to 'pack' (number expected, got nil)"},
      {"return struct.pack('bbbbbb', 1, 2)",
       "bad argument #4 to 'pack' (number expected, got nil)"},
      {"return struct.pack('s')", "bad argument #2 to 'pack' (string expected, got nil)"},
      {"return struct.pack()", "bad argument #1 to 'pack' (string expected, got no value)"},
      {"return struct.unpack('i', 'abc')", "bad argument #2 to 'unpack' (data string too short)"},
      {"return struct.unpack('b', 'a', 0)",
       "bad argument #3 to 'unpack' (offset must be 1 or greater)"},
      {"return struct.unpack('b', 'a', -1)", "bad argument #2 to 'unpack' (data string too short)"},
      {"return struct.unpack('b', 'ab', 'x')",
       "bad argument #3 to 'unpack' (number expected, got string)"},
      {"return struct.unpack('c0', 'abc')", "format 'c0' needs a previous size"},
      {"return struct.unpack('bc0', '\\9abcd')",
       "bad argument #2 to 'unpack' (data string too short)"},
      {"return struct.unpack('ss', 'ab\\0cd')", "unfinished string in data"},
      {"return struct.unpack('z', 'abc')",
       "bad argument #1 to 'unpack' (invalid format option 'z')"},
      {"return struct.size('s')", "bad argument #1 to 'size' (option 's' has no fixed size)"},
      {"return struct.size('bc0')", "bad argument #1 to 'size' (option 'c0' has no fixed size)"},
      {"return struct.size('#')", "bad argument #1 to 'size' (invalid format option '#')"},
      {"return #{struct.unpack(string.rep('b', 10000), string.rep('a', 10000))}",
       "stack overflow (too many results)"},
  };
  for (const auto& [script, message] : cases) {
    EXPECT_THAT(Eval(script), ErrorIs(ScriptError(script, "user_script:1: " + message))) << script;
  }
  EXPECT_THAT(Eval("return #{struct.unpack(string.rep('b', 7000), string.rep('a', 7000))}"),
              IsInt(7001));
}

TEST_F(LuaLibsTest, CmsgpackPackBytes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cmsgpack.pack(0.1)", "cb3fb999999999999a"},
      {"cmsgpack.pack(0.5, 1.5, -0.25)", "ca3f000000ca3fc00000cabe800000"},
      {"cmsgpack.pack(1/0, -1/0)", "ca7f800000caff800000"},
      {"cmsgpack.pack(0/0)", "cbfff8000000000000"},
      {"cmsgpack.pack(2^63)", "ca5f000000"},
      {"cmsgpack.pack(-2^63)", "d38000000000000000"},
      {"cmsgpack.pack(-1099511627776)", "d3ffffff0000000000"},
      {"cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296)",
       "00017fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000"},
      {"cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)",
       "ffe0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffff"},
      {"cmsgpack.pack(-0.0, 1e300, 1e-320)", "00cb7e37e43c8800759ccb00000000000007e8"},
      {"cmsgpack.pack('', 'a', true, false, nil)", "a0a161c3c2c0"},
      {"string.sub(cmsgpack.pack(string.rep('x', 32)), 1, 3)", "d92078"},
      {"string.sub(cmsgpack.pack(string.rep('x', 256)), 1, 4)", "da010078"},
      {"string.sub(cmsgpack.pack(string.rep('x', 65536)), 1, 6)", "db0001000078"},
      {"cmsgpack.pack({})", "90"},
      {"cmsgpack.pack({1, 2, 3})", "93010203"},
      {"cmsgpack.pack({[1]=1, [3]=3})", "8201010303"},
      {"cmsgpack.pack({[0]=1})", "810001"},
      {"cmsgpack.pack({[1.5]=1})", "81ca3fc0000001"},
      {"cmsgpack.pack({a={b='c'}})", "81a16181a162a163"},
      {"string.sub(cmsgpack.pack({1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16}), 1, 4)", "dc001001"},
      {"cmsgpack.pack(function() end)", "c0"},
      {"cmsgpack.pack(cmsgpack.unpack(cmsgpack.pack({1, {a={2,3}}, 'x'})))",
       "930181a161920203a178"},
  };
  for (const auto& [expr, hex] : cases) EXPECT_EQ(HexOf(expr), hex) << expr;
}

TEST_F(LuaLibsTest, CmsgpackUnpack) {
  EXPECT_THAT(Eval("return {cmsgpack.unpack(cmsgpack.pack(1, 'a', true, false))}").elems,
              ElementsAre(IsInt(1), "a", IsInt(1), IsNil()));
  EXPECT_THAT(Eval("return {cmsgpack.unpack('')}"), ArrayOfSize(0));
  // Every integer form, signed and unsigned; uint64 keeps its 64 bits.
  EXPECT_THAT(Eval("return {cmsgpack.unpack('\\204\\200\\205\\1\\2\\206\\1\\2\\3\\4"
                   "\\207\\0\\0\\0\\1\\0\\0\\0\\0')}")
                  .elems,
              ElementsAre(IsInt(200), IsInt(258), IsInt(16909060), IsInt(4294967296)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack('\\208\\200\\209\\255\\254\\210\\255\\255\\255\\254"
                   "\\211\\255\\255\\255\\255\\255\\255\\255\\254')}")
                  .elems,
              ElementsAre(IsInt(-56), IsInt(-2), IsInt(-2), IsInt(-2)));
  EXPECT_EQ(
      Eval("return tostring(cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255'))"),
      "-1");
  EXPECT_THAT(Eval("return {cmsgpack.unpack('\\127\\224\\255\\31')}").elems,
              ElementsAre(IsInt(127), IsInt(-32), IsInt(-1), IsInt(31)));
  EXPECT_EQ(Eval("return tostring(cmsgpack.unpack('\\202\\63\\192\\0\\0'))"), "1.5");
  EXPECT_EQ(
      Eval("return tostring(cmsgpack.unpack('\\203\\63\\185\\153\\153\\153\\153\\153\\154'))"),
      "0.1");
  EXPECT_EQ(Eval("return tostring(cmsgpack.unpack('\\202\\255\\128\\0\\0'))"), "-inf");
  // str8/16/32, arrays and maps of every size form.
  EXPECT_THAT(
      Eval("return {cmsgpack.unpack('\\217\\3abc\\218\\0\\3abc\\219\\0\\0\\0\\3abc')}").elems,
      ElementsAre("abc", "abc", "abc"));
  EXPECT_THAT(Eval("return cmsgpack.unpack('\\220\\0\\2\\1\\2')").elems,
              ElementsAre(IsInt(1), IsInt(2)));
  EXPECT_THAT(Eval("return cmsgpack.unpack('\\221\\0\\0\\0\\2\\1\\2')").elems,
              ElementsAre(IsInt(1), IsInt(2)));
  EXPECT_THAT(Eval("return cmsgpack.unpack('\\222\\0\\1\\1\\2')[1]"), IsInt(2));
  EXPECT_THAT(Eval("return cmsgpack.unpack('\\223\\0\\0\\0\\1\\1\\2')[1]"), IsInt(2));
  EXPECT_THAT(Eval("return cmsgpack.unpack('\\130\\161a\\1\\161b\\2').b"), IsInt(2));
  // A nil in an array leaves a hole; a nil map value leaves the key out.
  EXPECT_THAT(Eval("return cmsgpack.unpack('\\147\\1\\192\\3')[3]"), IsInt(3));
  EXPECT_THAT(Eval("return cmsgpack.unpack('\\130\\161a\\192\\161b\\2').b"), IsInt(2));
  // Round trips of nested values.
  EXPECT_THAT(Eval("local r = {cmsgpack.unpack(cmsgpack.pack(1.5, -7, 'str', {1,2,{3}}, "
                   "{k='v'}))} return {r[1] == 1.5, r[2], r[3], r[4][3][1], r[5].k}")
                  .elems,
              ElementsAre(IsInt(1), IsInt(-7), "str", IsInt(3), "v"));
}

TEST_F(LuaLibsTest, CmsgpackUnpackOneAndLimit) {
  EXPECT_THAT(Eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}").elems,
              ElementsAre(IsInt(1), IsInt(1)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}").elems,
              ElementsAre(IsInt(2), IsInt(2)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}").elems,
              ElementsAre(IsInt(-1), IsInt(3)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}").elems,
              ElementsAre(IsInt(-1)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_one('')}").elems, ElementsAre(IsInt(-1)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}").elems,
              ElementsAre(IsInt(2), IsInt(1), IsInt(2)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)}").elems,
              ElementsAre(IsInt(-1), IsInt(2), IsInt(3)));
  // Limit and offset 0: everything, no offset (the library's rule).
  EXPECT_THAT(Eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}").elems,
              ElementsAre(IsInt(1), IsInt(2), IsInt(3)));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)}").elems,
              ElementsAre(IsInt(1)));
  // Arguments after the ones it reads are ignored.
  EXPECT_THAT(Eval("return {cmsgpack.unpack_limit('\\1\\2\\3', 1, 1, 'extra')}").elems,
              ElementsAre(IsInt(2), IsInt(2)));
  // Walking a stream of values.
  EXPECT_THAT(Eval("local s = cmsgpack.pack('a', {1}, 'c') local out = {} local off = 0 "
                   "while off ~= -1 do local v off, v = cmsgpack.unpack_one(s, off) "
                   "out[#out+1] = type(v) == 'table' and v[1] or v out[#out+1] = off end "
                   "return out")
                  .elems,
              ElementsAre("a", IsInt(2), IsInt(1), IsInt(4), "c", IsInt(-1)));
}

TEST_F(LuaLibsTest, CmsgpackErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"return cmsgpack.pack()",
       "user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)"},
      {"return cmsgpack.unpack()",
       "user_script:1: bad argument #1 to 'unpack' (string expected, got no value)"},
      {"return cmsgpack.unpack('\\193')", "user_script:1: Bad data format in input."},
      {"return cmsgpack.unpack('\\196\\1a')", "user_script:1: Bad data format in input."},
      {"return cmsgpack.unpack('\\212\\1a')", "user_script:1: Bad data format in input."},
      {"return cmsgpack.unpack('\\217\\3ab')", "user_script:1: Missing bytes in input."},
      {"return cmsgpack.unpack('\\202\\63\\192\\0')", "user_script:1: Missing bytes in input."},
      {"return cmsgpack.unpack('\\147\\1\\2')", "user_script:1: Missing bytes in input."},
      {"return cmsgpack.unpack('\\221\\255\\255\\255\\255')",
       "user_script:1: Missing bytes in input."},
      {"return cmsgpack.unpack('\\130\\192\\1\\161b\\2')", "table index is nil"},
      {"return cmsgpack.unpack('\\129\\203\\127\\248\\0\\0\\0\\0\\0\\0\\1')", "table index is NaN"},
      {"return cmsgpack.unpack(string.rep('\\145', 100000))",
       "user_script:1: stack overflow (in function mp_decode_to_lua_array)"},
      {"return #{cmsgpack.unpack(string.rep('\\1', 10000))}",
       "user_script:1: stack overflow (too many return values at once; use unpack_one or "
       "unpack_limit instead.)"},
      {"return cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)",
       "user_script:1: Start offset 4 greater than input length 3."},
      {"return cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)",
       "user_script:1: Invalid request to unpack with offset of -1 and limit of 3."},
      {"return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -1)",
       "user_script:1: Invalid request to unpack with offset of 0 and limit of 3."},
      {"return cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))",
       "user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value)"},
      {"return cmsgpack.unpack_limit('\\1\\193', 2)", "user_script:1: Bad data format in input."},
  };
  for (const auto& [script, message] : cases) {
    EXPECT_THAT(Eval(script), ErrorIs(ScriptError(script, message))) << script;
  }
  EXPECT_THAT(Eval("return #{cmsgpack.unpack(string.rep('\\1', 7990))}"), IsInt(7990));
  EXPECT_THAT(Eval("return {cmsgpack.unpack_limit('\\1\\193', 1)}").elems,
              ElementsAre(IsInt(1), IsInt(1)));
}

TEST_F(LuaLibsTest, CmsgpackNestingLimit) {
  // 16 nested tables pack; the 17th level is nil (so self-references end).
  EXPECT_EQ(HexOf("cmsgpack.pack((function() local t = {} local c = t for i = 1, 20 do "
                  "c[1] = {} c = c[1] end return t end)())"),
            "91919191919191919191919191919191c0");
  EXPECT_EQ(HexOf("cmsgpack.pack((function() local t = {} local c = t for i = 1, 15 do "
                  "c[1] = {} c = c[1] end return t end)())"),
            "91919191919191919191919191919190");
  // The circular-reference case of Redis's own test suite.
  const std::string circular =
      "local a = {x=nil,y=5} local b = {x=a} a['x'] = b local e = cmsgpack.pack(a) "
      "local h = '' for i = 1, #e do h = h .. string.format('%02x', string.byte(e, i)) end "
      "local re = cmsgpack.unpack(e) "
      "return {h, re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y == re.y, "
      "re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil}";
  std::string want_hex = "82a17905a178";
  for (int i = 0; i < 7; ++i) want_hex += "81a17882a17905a178";
  want_hex += "81a178c0";
  EXPECT_THAT(Eval(circular).elems, ElementsAre(want_hex, IsInt(1), IsInt(1)));
}

TEST_F(LuaLibsTest, Sandbox) {
  for (const char* lib : {"struct", "cmsgpack"}) {
    for (const std::string& assign :
         {std::string(lib) + ".pack = function() return 1 end", std::string(lib) + " = {}"}) {
      EXPECT_THAT(Eval(assign),
                  ErrorIs(ScriptError(assign, "user_script:1: Attempt to modify a readonly table")))
          << assign;
    }
  }
  EXPECT_EQ(Eval("return cmsgpack._VERSION"), "lua-cmsgpack 0.4.0");
  EXPECT_EQ(Eval("return cmsgpack._NAME"), "cmsgpack");
  EXPECT_EQ(Eval("return type(struct.size)"), "function");
  // Redis 7.0 does not give scripts newproxy.
  const std::string newproxy = "return newproxy";
  EXPECT_THAT(Eval(newproxy),
              ErrorIs(ScriptError(newproxy,
                                  "user_script:1: Script attempted to access nonexistent "
                                  "global variable 'newproxy'")));
}

}  // namespace
}  // namespace stashd::test
