// FUNCTION and FCALL through the dispatcher: library loading and its errors,
// the load-time sandbox, flags, LIST / STATS reply shapes in RESP2 and RESP3,
// DUMP / RESTORE with each policy. Every expected reply was read off a real
// Redis 7.0.15 (raw bytes over a socket).
#include <string>
#include <string_view>
#include <vector>

#include "command_fixture.h"
#include "persistence/rdb_payload.h"

namespace stashd::test {
namespace {

const std::string kMyLib =
    "#!lua name=mylib\n"
    "redis.register_function{function_name='get', callback=function(keys, args) return "
    "redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}\n"
    "redis.register_function('set', function(keys, args) return redis.call('set', keys[1], "
    "args[1]) end)";

std::string Lib(const std::string& name, const std::string& body) {
  return "#!lua name=" + name + "\n" + body;
}

class FunctionTest : public CommandTest {
 protected:
  void SetUp() override {
    CommandTest::SetUp();
    ASSERT_EQ(RunRaw({"function", "flush"}), "+OK\r\n");
  }
};

TEST_F(FunctionTest, LoadCallAndFlags) {
  EXPECT_EQ(RunRaw({"function", "load", kMyLib}), "$5\r\nmylib\r\n");
  EXPECT_EQ(RunRaw({"fcall", "set", "1", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"fcall", "GET", "1", "k"}), "$1\r\nv\r\n");  // names ignore case
  EXPECT_EQ(RunRaw({"fcall_ro", "get", "1", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(RunRaw({"fcall_ro", "set", "1", "k", "w"}),
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");
  EXPECT_EQ(RunRaw({"function", "load", kMyLib}), "-ERR Library 'mylib' already exists\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "replace", kMyLib}), "$5\r\nmylib\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "REPLACE", "replace", kMyLib}), "$5\r\nmylib\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "foo", "bar", kMyLib}),
            "-ERR Unknown option given: foo\r\n");
  EXPECT_EQ(RunRaw({"fcall", "nosuch", "0"}), "-ERR Function not found\r\n");
  EXPECT_EQ(RunRaw({"fcall", "get", "-1"}), "-ERR Number of keys can't be negative\r\n");
  EXPECT_EQ(RunRaw({"fcall", "get", "5"}),
            "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(RunRaw({"fcall", "get", "x"}), "-ERR Bad number of keys provided\r\n");
  EXPECT_EQ(RunRaw({"eval", "return 1", "x"}), "-ERR value is not an integer or out of range\r\n");
}

TEST_F(FunctionTest, LoadErrors) {
  EXPECT_EQ(RunRaw({"function", "load", "return 1"}), "-ERR Missing library metadata\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "#!lua\nreturn 1"}), "-ERR Library name was not given\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "#!lua name=x foo=bar\nreturn 1"}),
            "-ERR Invalid metadata value given: foo=bar\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "#!lua name=x"}), "-ERR Invalid library metadata\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "#!lua name=\"x\nreturn 1"}),
            "-ERR Invalid library metadata\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "#!lua name=x name=y\nreturn 1"}),
            "-ERR Invalid metadata value, name argument was given multiple times\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "#!\nreturn 1"}), "-ERR Library name was not given\r\n");
  EXPECT_EQ(RunRaw({"function", "load",
                    "#!LUA NAME=\"q\"\nredis.register_function('q', function() return 1 end)"}),
            "$1\r\nq\r\n");
  EXPECT_EQ(RunRaw({"function", "load", "#!js name=x\nreturn 1"}),
            "-ERR Engine 'js' not found\r\n");
  EXPECT_EQ(RunRaw({"function", "load", Lib("x", "return 1")}), "-ERR No functions registered\r\n");
  EXPECT_EQ(RunRaw({"function", "load",
                    Lib("x", "redis.register_function('a b', function() return 1 end)")}),
            "-ERR Error registering functions: ERR Library names can only contain letters, "
            "numbers, or underscores(_) and must be at least one character long\r\n");
  EXPECT_EQ(RunRaw({"function", "load",
                    Lib("x",
                        "redis.register_function{function_name='ab', callback=function() "
                        "return 1 end, flags={'bad'}}")}),
            "-ERR Error registering functions: ERR unknown flag given\r\n");
  // While a library loads only redis.register_function, redis.log and the
  // LOG_ / REDIS_VERSION constants exist.
  for (const std::string global : {"error", "string", "pcall", "_G"}) {
    EXPECT_EQ(RunRaw({"function", "load", Lib("x", "local x = " + global)}),
              "-ERR Error registering functions: ERR user_function:2: Script attempted to access "
              "nonexistent global variable '" +
                  global + "'\r\n");
  }
  EXPECT_EQ(RunRaw({"function", "load", Lib("x", "redis.call('ping')")}),
            "-ERR Error registering functions: ERR user_function:2: Script attempted to access "
            "nonexistent global variable 'call'\r\n");
  for (const std::string body : {"redis = 1", "x = 1", "redis.x = 1"}) {
    EXPECT_EQ(RunRaw({"function", "load", Lib("x", body)}),
              "-ERR Error registering functions: ERR user_function:2: Attempt to modify a "
              "readonly table\r\n");
  }
  ASSERT_EQ(RunRaw({"function", "load",
                    Lib("g", "redis.register_function('g', function() redis = 1 end)")}),
            "$1\r\ng\r\n");
  EXPECT_EQ(RunRaw({"fcall", "g", "0"}),
            "-ERR user_function:2: Attempt to modify a readonly table script: g, on "
            "@user_function:2.\r\n");
  ASSERT_EQ(RunRaw({"function", "delete", "g"}), "+OK\r\n");
  // ... while the functions themselves see every global and the full API.
  EXPECT_EQ(RunRaw({"function", "load",
                    Lib("x",
                        "local v = redis.REDIS_VERSION\nredis.log(redis.LOG_NOTICE, 'hi')\n"
                        "redis.register_function('t', function() return "
                        "{type(redis.call('ping')), string.len(v)} end)")}),
            "$1\r\nx\r\n");
  EXPECT_EQ(RunRaw({"fcall", "t", "0"}), "*2\r\n$5\r\ntable\r\n:6\r\n");
  // A function name taken by another library.
  EXPECT_EQ(RunRaw({"function", "load",
                    Lib("y", "redis.register_function('t', function() return 1 end)")}),
            "-ERR Function t already exists\r\n");
  EXPECT_EQ(RunRaw({"function", "delete", "nosuch"}), "-ERR Library not found\r\n");
  EXPECT_EQ(RunRaw({"function", "delete", "x"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"fcall", "t", "0"}), "-ERR Function not found\r\n");
}

TEST_F(FunctionTest, ErrorsRaisedByFunctions) {
  ASSERT_EQ(RunRaw({"function", "load",
                    Lib("e",
                        "redis.register_function('e1', function() return "
                        "redis.call('nosuch') end)\n"
                        "redis.register_function('e2', function() error('my err') end)\n"
                        "redis.register_function('e3', function() return {err='custom'} "
                        "end)")}),
            "$1\r\ne\r\n");
  EXPECT_EQ(RunRaw({"fcall", "e1", "0"}),
            "-ERR Unknown Redis command called from script script: e1, on @user_function:2.\r\n");
  EXPECT_EQ(RunRaw({"fcall", "e2", "0"}),
            "-ERR user_function:3: my err script: e2, on @user_function:3.\r\n");
  EXPECT_EQ(RunRaw({"fcall", "e3", "0"}), "-custom\r\n");
}

TEST_F(FunctionTest, ListAndStats) {
  ASSERT_EQ(RunRaw({"function", "load", kMyLib}), "$5\r\nmylib\r\n");
  const std::string functions_resp2 =
      "$9\r\nfunctions\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nget\r\n$11\r\ndescription\r\n$11\r\n"
      "reads a key\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n*6\r\n$4\r\nname\r\n$3\r\nset\r\n$11\r\n"
      "description\r\n$-1\r\n$5\r\nflags\r\n*0\r\n";
  EXPECT_EQ(RunRaw({"function", "list"}),
            "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n" +
                functions_resp2);
  EXPECT_EQ(RunRaw({"function", "list", "withcode", "libraryname", "my*"}),
            "*1\r\n*8\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n" +
                functions_resp2 + "$12\r\nlibrary_code\r\n$278\r\n" + kMyLib + "\r\n");
  EXPECT_EQ(RunRaw({"function", "list", "libraryname", "other*"}), "*0\r\n");
  EXPECT_EQ(RunRaw({"function", "list", "libraryname"}),
            "-ERR library name argument was not given\r\n");
  EXPECT_EQ(RunRaw({"function", "list", "foo"}), "-ERR Unknown argument foo\r\n");
  EXPECT_EQ(RunRaw({"function", "stats"}),
            "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n"
            "$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"function", "list"}),
            "*1\r\n%3\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\n"
            "functions\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nget\r\n$11\r\ndescription\r\n$11\r\n"
            "reads a key\r\n$5\r\nflags\r\n~1\r\n+no-writes\r\n%3\r\n$4\r\nname\r\n$3\r\nset\r\n"
            "$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~0\r\n");
  EXPECT_EQ(RunRaw({"function", "stats"}),
            "%2\r\n$14\r\nrunning_script\r\n_\r\n$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n%2\r\n"
            "$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n");
}

TEST_F(FunctionTest, DumpAndRestore) {
  const std::string t = Lib("t", "redis.register_function('e1', function() return 1 end)");
  const std::string u = Lib("u", "redis.register_function('u1', function() return 1 end)");
  ASSERT_EQ(RunRaw({"function", "load", t}), "$1\r\nt\r\n");
  ASSERT_EQ(RunRaw({"function", "load", u}), "$1\r\nu\r\n");
  // Byte for byte what Redis 7.0.15 dumps for these two libraries.
  const std::string dump =
      "\xf5@C" + t + "\xf5@C" + u + std::string("\n\x00", 2) + "J\x12,\x90\x87H9\x9b";
  RespValue dumped = Run({"function", "dump"});
  EXPECT_EQ(dumped.str, dump);

  EXPECT_EQ(RunRaw({"function", "restore", dump}), "-ERR Library t already exists\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", dump, "append"}), "-ERR Library t already exists\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", dump, "replace"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", dump, "flush"}), "+OK\r\n");
  EXPECT_EQ(
      RunRaw({"function", "restore", dump, "bad"}),
      "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", dump, "flush", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION "
            "HELP.\r\n");
  std::string damaged = dump;
  damaged[5] ^= 1;
  EXPECT_EQ(RunRaw({"function", "restore", damaged}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", "abc"}),
            "-ERR DUMP payload version or checksum are wrong\r\n");

  // A library whose function another library already has: nothing changes.
  ASSERT_EQ(RunRaw({"function", "flush"}), "+OK\r\n");
  ASSERT_EQ(RunRaw({"function", "load",
                    Lib("other", "redis.register_function('e1', function() return 2 end)")}),
            "$5\r\nother\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", dump}), "-ERR Function e1 already exists\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", dump, "replace"}),
            "-ERR Function e1 already exists\r\n");
  EXPECT_EQ(RunRaw({"fcall", "e1", "0"}), ":2\r\n");
  EXPECT_EQ(RunRaw({"fcall", "u1", "0"}), "-ERR Function not found\r\n");
  // FLUSH drops `other` first, so the dump restores.
  EXPECT_EQ(RunRaw({"function", "restore", dump, "flush"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"fcall", "e1", "0"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"fcall", "u1", "0"}), ":1\r\n");

  // An empty dump is just the footer.
  ASSERT_EQ(RunRaw({"function", "flush"}), "+OK\r\n");
  EXPECT_EQ(Run({"function", "dump"}).str, std::string("\n\x00]\x9b\\@\x0f\x7f\xa2\xda", 10));
}

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// FUNCTION DUMP of the library of DumpCompressesCodeAsRedis, from
// redis-server 7.0.15 (rdbcompression yes, its default).
constexpr std::string_view kBigLibDump =
    "f5c340b142a61f23216c7561206e616d653d6269670a72656469732e72656769737465725f66750c6e63"
    "74696f6e28276630272c20e0000e0e292072657475726e203020656e6429e012360031e00c360031e017"
    "360032e00c360032e017360033e00c360033e017360034e00c360034e017360035e00c360035e0173600"
    "36e00c360036e017360037e00c360037e017360038e00c360038e017360039e00c360039e017360031e2"
    "0d260031e21927e20e2842290164290a003b7dee4634ca7883";

// A library of twelve near-identical functions: its code is LZF-compressed
// in the dump (rdbcompression yes), byte for byte as redis-server 7.0.15
// dumps it; with rdbcompression no it is written as it is. Both restore.
TEST_F(FunctionTest, DumpCompressesCodeAsRedis) {
  std::string code = "#!lua name=big\n";
  for (int i = 0; i < 12; ++i) {
    if (i > 0) code += "\n";
    code += "redis.register_function('f" + std::to_string(i) + "', function() return " +
            std::to_string(i) + " end)";
  }
  ASSERT_EQ(RunRaw({"function", "load", code}), "$3\r\nbig\r\n");
  const std::string redis = FromHex(kBigLibDump);
  EXPECT_EQ(Run({"function", "dump"}).str, redis);
  ASSERT_EQ(RunRaw({"config", "set", "rdbcompression", "no"}), "+OK\r\n");
  const std::string plain = Run({"function", "dump"}).str;
  ASSERT_EQ(RunRaw({"config", "set", "rdbcompression", "yes"}), "+OK\r\n");
  EXPECT_EQ(plain.substr(0, 3), FromHex("f542a6"));  // a 14-bit length: 678 bytes
  EXPECT_EQ(plain.substr(3, code.size()), code);
  EXPECT_EQ(RunRaw({"function", "restore", redis, "replace"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", plain, "replace"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"fcall", "f11", "0"}), ":11\r\n");
}

// A library record whose code does not read (LZF that does not decompress,
// a string cut short), its checksum holding: Redis's words.
TEST_F(FunctionTest, RestoreOfAnUnreadableLibrary) {
  auto with_footer = [](std::string body) {
    persistence::rdb::AppendFooter(body);
    return body;
  };
  std::string lzf = FromHex(kBigLibDump);
  lzf.resize(lzf.size() - 10);  // the footer
  lzf[6] = '\x1e';              // the first literal run one byte short
  EXPECT_EQ(RunRaw({"function", "restore", with_footer(lzf)}),
            "-ERR Failed loading library payload\r\n");
  EXPECT_EQ(RunRaw({"function", "restore", with_footer(FromHex("f54064616263"))}),
            "-ERR Failed loading library payload\r\n");
  EXPECT_EQ(RunRaw({"function", "list"}), "*0\r\n");
}

TEST_F(FunctionTest, FlushArgumentsAndHelp) {
  EXPECT_EQ(RunRaw({"function", "flush", "sync"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"function", "flush", "async"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"function", "flush", "bad"}),
            "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n");
  EXPECT_EQ(RunRaw({"function", "flush", "sync", "extra"}),
            "-ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION "
            "HELP.\r\n");
  EXPECT_EQ(RunRaw({"function", "kill"}), "-NOTBUSY No scripts in execution right now.\r\n");
  RespValue help = Run({"function", "help"});
  ASSERT_EQ(help.elems.size(), 40u);
  EXPECT_EQ(help.elems[0].str, "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_EQ(help.elems[28].str, "DUMP");
}

}  // namespace
}  // namespace stashd::test
