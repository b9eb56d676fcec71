// EVAL and friends through the dispatcher: conversions both ways, the
// redis.* API, errors with Redis 7.0.15's exact texts (checked against
// redis-server), the sandbox, the script cache, read-only scripts, ACL
// inside scripts and atomicity-related behaviour (SELECT, blocking
// commands). Each expected text was read off a real Redis 7.0.15.
#include <string>
#include <vector>

#include "command_fixture.h"
#include "server/scripting/sha1.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ScriptingTest : public CommandTest {
 protected:
  RespValue Eval(const std::string& script, std::vector<std::string> rest = {"0"}) {
    std::vector<std::string> args = {"eval", script};
    args.insert(args.end(), rest.begin(), rest.end());
    return Run(args);
  }
  // " script: <sha>, on @user_script:<line>." as Redis appends it.
  static std::string Where(const std::string& script, int line = 1) {
    return " script: " + server::Sha1Hex(script) + ", on @user_script:" + std::to_string(line) +
           ".";
  }
};

TEST_F(ScriptingTest, Sha1) {
  EXPECT_EQ(server::Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(server::Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(server::Sha1Hex(std::string(1000, 'a')), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
  EXPECT_EQ(Eval("return redis.sha1hex('')"), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_THAT(Eval("return redis.sha1hex()"),
              ErrorIs("ERR wrong number of arguments" + Where("return redis.sha1hex()")));
}

TEST_F(ScriptingTest, LuaToRespConversions) {
  EXPECT_EQ(Eval("return 'hello'"), "hello");
  EXPECT_THAT(Eval("return 100.5"), IsInt(100));
  EXPECT_THAT(Eval("return -3.9"), IsInt(-3));
  EXPECT_THAT(Eval("return 1/0"), IsInt(INT64_MIN));
  EXPECT_THAT(Eval("return true"), IsInt(1));
  EXPECT_THAT(Eval("return false"), IsNil());
  EXPECT_THAT(Eval("return nil"), IsNil());
  EXPECT_THAT(Eval("return"), IsNil());
  EXPECT_EQ(RunRaw({"eval", "return {ok='fine'}", "0"}), "+fine\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {ok='a\\r\\nb'}", "0"}), "+a  b\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {err='My Error'}", "0"}), "-My Error\r\n");
  EXPECT_EQ(RunRaw({"eval", "return redis.error_reply('X y')", "0"}), "-X y\r\n");
  EXPECT_EQ(RunRaw({"eval", "return redis.error_reply('-X y')", "0"}), "-X y\r\n");
  EXPECT_EQ(RunRaw({"eval", "return redis.status_reply('ok go')", "0"}), "+ok go\r\n");
  EXPECT_EQ(RunRaw({"eval", "return redis.error_reply()", "0"}),
            "-ERR wrong number or type of arguments\r\n");
  // Arrays stop at the first nil; nested tables nest.
  EXPECT_EQ(RunRaw({"eval", "return {1,2,3,'ciao',{1,2},nil,4}", "0"}),
            "*5\r\n:1\r\n:2\r\n:3\r\n$4\r\nciao\r\n*2\r\n:1\r\n:2\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {true,false}", "0"}), "*2\r\n:1\r\n$-1\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {double=3.5}", "0"}), "$3\r\n3.5\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", "2", "a", "b", "c", "d"}),
            "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  // A table that contains itself ends at Lua's stack limit, not a crash.
  const std::string deep = RunRaw({"eval", "local a = {}; local b = {a}; a[1] = b; return a", "0"});
  EXPECT_TRUE(deep.starts_with("*1\r\n*1\r\n"));
  EXPECT_NE(deep.find("-ERR reached lua stack limit\r\n"), std::string::npos);
}

TEST_F(ScriptingTest, Resp3Conversions) {
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"eval", "redis.setresp(3); return {double=3.5}", "0"}), ",3.5\r\n");
  EXPECT_EQ(RunRaw({"eval", "redis.setresp(3); return true", "0"}), "#t\r\n");
  EXPECT_EQ(RunRaw({"eval", "redis.setresp(3); return false", "0"}), "#f\r\n");
  // RESP2 script semantics: false is a null, true is 1.
  EXPECT_EQ(RunRaw({"eval", "return false", "0"}), "_\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {map={a=1}}", "0"}), "%1\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {set={a=true}}", "0"}), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {big_number='123456789012345678901234567890'}", "0"}),
            "(123456789012345678901234567890\r\n");
  EXPECT_EQ(RunRaw({"eval", "return {verbatim_string={format='txt', string='hi'}}", "0"}),
            "=6\r\ntxt:hi\r\n");
  Run({"hset", "h", "f", "v"});
  EXPECT_EQ(RunRaw({"eval", "redis.setresp(3); return redis.call('hgetall', 'h')", "0"}),
            "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(RunRaw({"eval", "redis.setresp(3); return redis.call('get', 'nokey')", "0"}), "_\r\n");
  EXPECT_EQ(RunRaw({"eval",
                    "redis.setresp(3); local r = redis.call('zscore', 'nozset', 'm'); "
                    "return type(r)",
                    "0"}),
            "$3\r\nnil\r\n");
  Run({"zadd", "z", "1.5", "m"});
  EXPECT_EQ(RunRaw({"eval", "redis.setresp(3); return redis.call('zscore', 'z', 'm')", "0"}),
            ",1.5\r\n");
}

TEST_F(ScriptingTest, RespToLuaConversions) {
  Run({"set", "x", "10"});
  EXPECT_THAT((Eval("local r = redis.call('incr', 'x'); return {type(r), r}")).elems,
              ElementsAre("number", IsInt(11)));
  EXPECT_THAT((Eval("local r = redis.call('get', 'x'); return {type(r), r}")).elems,
              ElementsAre("string", "11"));
  EXPECT_THAT(Eval("local r = redis.call('get', 'nokey'); return type(r) .. tostring(r)"),
              "booleanfalse");
  EXPECT_THAT((Eval("local r = redis.call('set', 'y', '1'); return {type(r), r['ok']}")).elems,
              ElementsAre("table", "OK"));
  Run({"rpush", "l", "a", "b"});
  EXPECT_THAT((Eval("return redis.call('lrange', 'l', 0, -1)")).elems, ElementsAre("a", "b"));
  EXPECT_THAT(Eval("local r = redis.pcall('incr', 'l'); return r['err']"),
              "WRONGTYPE Operation against a key holding the wrong kind of value");
  // Numbers passed to redis.call keep 17 significant digits.
  EXPECT_EQ(Eval("redis.call('set', 'n', 0.1); return redis.call('get', 'n')"),
            "0.10000000000000001");
  EXPECT_EQ(Eval("redis.call('set', 'n', 12345678901); return redis.call('get', 'n')"),
            "12345678901");
  // Integral values take a short way (below 1e15); every case as Redis
  // 7.0.15 writes it.
  const std::pair<const char*, const char*> numbers[] = {
      {"60", "60"},
      {"-0.0", "-0"},
      {"0", "0"},
      {"-42", "-42"},
      {"999999999999999", "999999999999999"},
      {"-123456789012345.0", "-123456789012345"},
      {"1e15", "1000000000000000"},
      {"1e16", "10000000000000000"},
      {"1e17", "1e+17"},
      {"9007199254740993", "9007199254740992"},
      {"0.5", "0.5"},
      {"2^63", "9.2233720368547758e+18"},
  };
  for (const auto& [lua, text] : numbers) {
    EXPECT_EQ(
        Eval(std::string("redis.call('set', 'n', ") + lua + "); return redis.call('get', 'n')"),
        text)
        << lua;
  }
}

TEST_F(ScriptingTest, ErrorsRaisedInScripts) {
  Run({"set", "s", "abc"});
  const std::string incr = "return redis.call('incr','s')";
  EXPECT_THAT(Eval(incr), ErrorIs("ERR value is not an integer or out of range" + Where(incr)));
  // pcall returns the error instead of raising it.
  EXPECT_THAT(Eval("return redis.pcall('incr','s')"),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_EQ(Eval("local ok, e = pcall(function() redis.call('incr','s') end); return e"),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(Eval("local ok, e = pcall(function() error('x') end); return e"), "user_script:1: x");
  const std::string boom = "error('boom')";
  EXPECT_THAT(Eval(boom), ErrorIs("ERR user_script:1: boom" + Where(boom)));
  const std::string tbl = "error({err='MY bad'})";
  EXPECT_THAT(Eval(tbl), ErrorIs("MY bad" + Where(tbl)));
  const std::string nil = "error(nil)";
  EXPECT_THAT(Eval(nil), ErrorIs("ERR nil" + Where(nil)));
  const std::string line3 = "local a = 1\nlocal b = 2\nreturn redis.call('nosuch')";
  EXPECT_THAT(Eval(line3),
              ErrorIs("ERR Unknown Redis command called from script" + Where(line3, 3)));
  const std::string noargs = "return redis.call()";
  EXPECT_THAT(
      Eval(noargs),
      ErrorIs("ERR Please specify at least one argument for this redis lib call" + Where(noargs)));
  const std::string badarg = "return redis.call({})";
  EXPECT_THAT(
      Eval(badarg),
      ErrorIs("ERR Lua redis lib command arguments must be strings or integers" + Where(badarg)));
  const std::string arity = "return redis.call('get')";
  EXPECT_THAT(Eval(arity),
              ErrorIs("ERR Wrong number of args calling Redis command from script" + Where(arity)));
  const std::string nested = "return redis.call('eval', 'return 1', 0)";
  EXPECT_THAT(Eval(nested),
              ErrorIs("ERR This Redis command is not allowed from script" + Where(nested)));
  const std::string multi = "return redis.call('multi')";
  EXPECT_THAT(Eval(multi),
              ErrorIs("ERR This Redis command is not allowed from script" + Where(multi)));
  EXPECT_THAT(Eval("return 'unterminated"),
              ErrorIs("ERR Error compiling script (new function): user_script:1: unfinished "
                      "string near '<eof>'"));
  const std::string setresp = "redis.setresp(4)";
  EXPECT_THAT(Eval(setresp), ErrorIs("ERR RESP version must be 2 or 3." + Where(setresp)));
  const std::string log = "redis.log(99, 'x')";
  EXPECT_THAT(Eval(log), ErrorIs("ERR Invalid debug level." + Where(log)));
  const std::string repl = "redis.set_repl(99)";
  EXPECT_THAT(Eval(repl),
              ErrorIs("ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
                      "REPL_NONE." +
                      Where(repl)));
  // The connection goes on after each of them.
  EXPECT_EQ(Run({"ping"}), "PONG");
}

TEST_F(ScriptingTest, Sandbox) {
  const std::string set_global = "a = 1";
  EXPECT_THAT(Eval(set_global),
              ErrorIs("ERR user_script:1: Attempt to modify a readonly table" + Where(set_global)));
  const std::string get_global = "return a";
  EXPECT_THAT(Eval(get_global),
              ErrorIs("ERR user_script:1: Script attempted to access nonexistent global "
                      "variable 'a'" +
                      Where(get_global)));
  const std::string rawset = "rawset(_G, 'foo', 1)";
  EXPECT_THAT(Eval(rawset), ErrorIs("ERR Attempt to modify a readonly table" + Where(rawset)));
  EXPECT_THAT(Eval("setmetatable(_G, {})"), ErrorStartsWith("ERR Attempt to modify a readonly"));
  EXPECT_THAT(Eval("local g = getmetatable(_G); g.__index = {}"),
              ErrorStartsWith("ERR user_script:1: Attempt to modify a readonly table"));
  for (const char* lib : {"string", "math", "table", "cjson", "bit", "redis"}) {
    EXPECT_THAT(Eval(std::string(lib) + ".x = 1"),
                ErrorStartsWith("ERR user_script:1: Attempt to modify a readonly table"))
        << lib;
  }
  EXPECT_THAT(Eval("redis = function() return 1 end"),
              ErrorStartsWith("ERR user_script:1: Attempt to modify a readonly table"));
  for (const char* name : {"os", "io", "print", "loadfile", "dofile", "require", "debug"}) {
    EXPECT_THAT(Eval(std::string("return tostring(") + name + ")"),
                ErrorStartsWith("ERR user_script:1: Script attempted to access nonexistent "
                                "global variable '" +
                                std::string(name) + "'"))
        << name;
  }
  // Precompiled chunks are refused (unverified bytecode).
  EXPECT_THAT(Eval("return loadstring(string.dump(function() return 1 end))"), IsNil());
  EXPECT_THAT(Eval("local f, e = loadstring(string.dump(function() return 1 end)); return e"),
              "attempt to load a binary chunk");
  EXPECT_THAT(Eval("return loadstring('return 7')()"), IsInt(7));
  // A script cannot leave its environment behind for the next one.
  Eval("setfenv(1, {redis = redis})");
  EXPECT_THAT(Eval("return _G == nil"), IsNil());
}

TEST_F(ScriptingTest, Libraries) {
  EXPECT_EQ(Eval("return cjson.encode({a=1})"), "{\"a\":1}");
  EXPECT_EQ(Eval("return cjson.decode('[1,2,3,\"x\"]')[4]"), "x");
  EXPECT_THAT(Eval("return bit.band(7, 3)"), IsInt(3));
  EXPECT_THAT(Eval("return bit.tohex(65535)"), "0000ffff");
  EXPECT_THAT(Eval("return redis.REDIS_VERSION_NUM"), IsInt(0x07000f));
  EXPECT_EQ(Eval("return redis.REDIS_VERSION"), "7.0.15");
  EXPECT_THAT(Eval("return redis.LOG_WARNING"), IsInt(3));
  EXPECT_THAT(Eval("return redis.REPL_ALL"), IsInt(3));
  EXPECT_THAT(Eval("redis.log(redis.LOG_NOTICE, 'hello', 'from', 'lua')"), IsNil());
  EXPECT_THAT(Eval("return redis.replicate_commands()"), IsInt(1));
  // math.random: lrand48's sequence, as Redis (values read off Redis 7.0.15).
  EXPECT_THAT(
      (Eval("math.randomseed(1); return {math.random(100), tostring(math.random())}")).elems,
      ElementsAre(IsInt(5), "0.4544924448498"));
}

TEST_F(ScriptingTest, ScriptCache) {
  const std::string body = "return 'x'";
  const std::string sha = server::Sha1Hex(body);
  EXPECT_THAT(Run({"evalsha", sha, "0"}), ErrorIs("NOSCRIPT No matching script. Please use EVAL."));
  EXPECT_EQ(Run({"script", "load", body}), sha);
  EXPECT_EQ(Run({"evalsha", sha, "0"}), "x");
  std::string upper = sha;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_EQ(Run({"evalsha", upper, "0"}), "x");
  EXPECT_THAT((Run({"script", "exists", sha, upper, "abc"})).elems,
              ElementsAre(IsInt(1), IsInt(1), IsInt(0)));
  EXPECT_EQ(Run({"script", "flush"}), "OK");
  EXPECT_THAT((Run({"script", "exists", sha})).elems, ElementsAre(IsInt(0)));
  EXPECT_EQ(Run({"script", "flush", "async"}), "OK");
  EXPECT_EQ(Run({"script", "flush", "SYNC"}), "OK");
  EXPECT_THAT(Run({"script", "flush", "foo"}),
              ErrorIs("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
  // EVAL caches its script.
  EXPECT_EQ(Eval(body), "x");
  EXPECT_EQ(Run({"evalsha", sha, "0"}), "x");
  EXPECT_THAT(Run({"script", "load", "return 'unterminated"}),
              ErrorStartsWith("ERR Error compiling script (new function): user_script:1:"));
  EXPECT_THAT(Run({"script", "kill"}), ErrorIs("NOTBUSY No scripts in execution right now."));
  EXPECT_THAT(Run({"script", "help"})[0],
              "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_THAT(Run({"script", "nosuch"}),
              ErrorIs("ERR unknown subcommand 'nosuch'. Try SCRIPT HELP."));
  const RespValue info = Run({"info", "memory"});
  EXPECT_THAT(info.str, HasSubstr("number_of_cached_scripts:1\r\n"));
  EXPECT_THAT(info.str, HasSubstr("used_memory_lua:"));
}

TEST_F(ScriptingTest, NumKeys) {
  EXPECT_THAT(Eval("return 1", {"-1"}), ErrorIs("ERR Number of keys can't be negative"));
  EXPECT_THAT(Eval("return 1", {"2", "a"}),
              ErrorIs("ERR Number of keys can't be greater than number of args"));
  EXPECT_THAT(Eval("return 1", {"x"}), ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"eval", "return 1"}),
              ErrorIs("ERR wrong number of arguments for 'eval' command"));
  EXPECT_THAT(Run({"evalsha", "abc", "0"}),
              ErrorIs("NOSCRIPT No matching script. Please use EVAL."));
}

TEST_F(ScriptingTest, ReadOnlyScriptsAndShebang) {
  const std::string set = "return redis.call('set','a','1')";
  EXPECT_THAT(Run({"eval_ro", set, "0"}),
              ErrorIs("ERR Write commands are not allowed from read-only scripts." + Where(set)));
  Run({"set", "a", "v"});
  EXPECT_EQ(Run({"eval_ro", "return redis.call('get','a')", "0"}), "v");
  const std::string no_writes = "#!lua flags=no-writes\nreturn redis.call('set','a','1')";
  EXPECT_THAT(
      Run({"eval", no_writes, "0"}),
      ErrorIs("ERR Write commands are not allowed from read-only scripts." + Where(no_writes, 2)));
  EXPECT_THAT(Run({"eval_ro", "#!lua\nreturn 1", "0"}),
              ErrorIs("ERR Can not execute a script with write flag using *_ro command."));
  EXPECT_THAT(Run({"eval_ro", "#!lua flags=no-writes\nreturn 1", "0"}), IsInt(1));
  EXPECT_THAT(Run({"eval", "#!lua flags=bogus\nreturn 1", "0"}),
              ErrorIs("ERR Unexpected flag in script shebang: bogus"));
  EXPECT_THAT(Run({"eval", "#!python\nreturn 1", "0"}),
              ErrorIs("ERR Unexpected engine in script shebang: #!python"));
  EXPECT_THAT(Run({"eval", "#!lua foo=bar\nreturn 1", "0"}),
              ErrorIs("ERR Unknown lua shebang option: foo=bar"));
  EXPECT_THAT(Run({"eval", "#!lua flags=no-writes,allow-oom\nreturn 2", "0"}), IsInt(2));
  EXPECT_EQ(Run({"get", "a"}), "v");
}

TEST_F(ScriptingTest, SelectInsideScriptDoesNotChangeCaller) {
  Run({"select", "9"});
  Run({"set", "k", "db9"});
  EXPECT_EQ(Eval("redis.call('select', 10); redis.call('set', 'k', 'db10'); return 'ok'"), "ok");
  EXPECT_EQ(Run({"get", "k"}), "db9");
  Run({"select", "10"});
  EXPECT_EQ(Run({"get", "k"}), "db10");
  // The script starts in the caller's database.
  EXPECT_EQ(Eval("return redis.call('get', 'k')"), "db10");
}

TEST_F(ScriptingTest, BlockingCommandsDoNotBlock) {
  // Most blocking commands are refused in scripts (noscript, as Redis);
  // the ones allowed behave as their non-blocking forms.
  const std::string blpop = "return redis.call('blpop', 'empty', 0)";
  EXPECT_THAT(Eval(blpop),
              ErrorIs("ERR This Redis command is not allowed from script" + Where(blpop)));
  EXPECT_THAT(Eval("return redis.call('blmpop', 0, 1, 'empty', 'left')"), IsNil());
  Run({"rpush", "q", "job"});
  EXPECT_EQ(RunRaw({"eval", "return redis.call('blmpop', 0, 1, 'q', 'left')", "0"}),
            "*2\r\n$1\r\nq\r\n*1\r\n$3\r\njob\r\n");
}

TEST_F(ScriptingTest, PushFromScriptWakesBlockedClient) {
  TestClient& worker = NewClient();
  EXPECT_EQ(RunRaw(worker, {"blpop", "jobs", "0"}), "");
  ASSERT_TRUE(Blocked(worker));
  EXPECT_THAT(Eval("redis.call('rpush', 'jobs', 'a'); redis.call('rpush', 'jobs', 'b'); "
                   "return redis.call('llen', 'jobs')"),
              IsInt(2));
  auto reply = Unblocked(worker);
  ASSERT_TRUE(reply.has_value());
  EXPECT_THAT((*reply).elems, ElementsAre("jobs", "a"));
  EXPECT_THAT((Run({"lrange", "jobs", "0", "-1"})).elems, ElementsAre("b"));
}

TEST_F(ScriptingTest, AclAppliesToEveryCall) {
  Run({"acl", "setuser", "bot1", "on", ">p", "+@all", "-get", "~k*"});
  TestClient& c = NewClient();
  EXPECT_EQ(Run(c, {"auth", "bot1", "p"}), "OK");
  const std::string get = "return redis.call('get','k1')";
  EXPECT_THAT(Run(c, {"eval", get, "0"}),
              ErrorIs("ERR The user executing the script can't run this command or subcommand" +
                      Where(get)));
  const std::string set = "return redis.call('set','zz','1')";
  EXPECT_THAT(Run(c, {"eval", set, "0"}),
              ErrorIs("ERR The user executing the script can't access at least one of the keys "
                      "mentioned in the command arguments" +
                      Where(set)));
  EXPECT_THAT(Run(c, {"eval", "return redis.pcall('set','zz','1')", "0"}),
              ErrorIs("ERR The user executing the script can't access at least one of the keys "
                      "mentioned in the command arguments"));
  EXPECT_EQ(Run(c, {"eval", "return redis.call('set','k2','1')", "0"}), "OK");
  EXPECT_THAT(Run(c, {"eval", "return redis.acl_check_cmd('get','k1')", "0"}), IsNil());
  EXPECT_THAT(Run(c, {"eval", "return redis.acl_check_cmd('set','k1','v')", "0"}), IsInt(1));
  const std::string bad = "return redis.acl_check_cmd('nosuch')";
  EXPECT_THAT(Run(c, {"eval", bad, "0"}),
              ErrorIs("ERR Invalid command passed to redis.acl_check_cmd()" + Where(bad)));
  // The keys EVAL declares are checked before the script runs.
  EXPECT_THAT(Run(c, {"eval", "return 1", "1", "other"}),
              ErrorIs("NOPERM this user has no permissions to access one of the keys used as "
                      "arguments"));
  RespValue log = Run({"acl", "log"});
  ASSERT_GE(log.size(), 2u);
  bool lua_entry = false;
  for (const RespValue& e : log.elems) {
    if (e[5].str == "lua") lua_entry = true;
  }
  EXPECT_TRUE(lua_entry);
}

TEST_F(ScriptingTest, SortOfASetIsOrderedForScripts) {
  Run({"sadd", "myset", "a", "b", "c", "d", "e", "f", "g", "h", "i",  "l",   "m",
       "n",    "o",     "p", "q", "r", "s", "t", "u", "v", "z", "aa", "aaa", "azz"});
  EXPECT_THAT(Eval("return redis.call('sort', KEYS[1], 'by', '_')", {"1", "myset"}).Strings(),
              ElementsAre("a", "aa", "aaa", "azz", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m",
                          "n", "o", "p", "q", "r", "s", "t", "u", "v", "z"));
}

TEST_F(ScriptingTest, EvalInsideMulti) {
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"eval", "return redis.call('incr', 'c')", "0"}), "QUEUED");
  EXPECT_EQ(Run({"incr", "c"}), "QUEUED");
  EXPECT_THAT((Run({"exec"})).elems, ElementsAre(IsInt(1), IsInt(2)));
}

TEST_F(ScriptingTest, CommandInfo) {
  RespValue info = Run({"command", "info", "eval", "eval_ro"});
  ASSERT_THAT(info, ArrayOfSize(2));
  EXPECT_THAT(info[0][2].Strings(),
              ElementsAre("noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"));
  EXPECT_THAT(info[0][6].Strings(), ElementsAre("@slow", "@scripting"));
  EXPECT_THAT(info[1][2].Strings(), ElementsAre("readonly", "noscript", "stale", "skip_monitor",
                                                "no_mandatory_keys", "movablekeys"));
  EXPECT_THAT(info[1][6].Strings(), ElementsAre("@slow", "@scripting"));
  EXPECT_THAT(Run({"command", "getkeys", "eval", "return 1", "2", "a", "b", "c"}).Strings(),
              ElementsAre("a", "b"));
}

}  // namespace
}  // namespace stashd::test
