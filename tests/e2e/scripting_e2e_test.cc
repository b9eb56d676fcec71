// EVAL against the real binary: hiredis and redis-cli --eval, BUSY and
// SCRIPT KILL from other connections (replies as Redis 7.0.15 gives them),
// UNKILLABLE once a script wrote, and a script's writes surviving SIGKILL
// as one write-log record.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "persistence/temp_dir.h"
#include "support/hiredis_client.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

std::string Str(const Reply& r) {
  if (r == nullptr) return "<no reply>";
  if (r->type == REDIS_REPLY_NIL) return "<nil>";
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  return std::string(r->str, r->len);
}

std::string RunShell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  ::pclose(p);
  return out;
}

TEST(ScriptingE2E, EvalThroughHiredisAndRedisCli) {
  ServerProcess server;
  Conn c = Connect(server.port());
  ASSERT_TRUE(c && !c->err);
  Reply r = Cmd(c.get(), {"eval", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"});
  EXPECT_EQ(Str(r), "OK");
  r = Cmd(c.get(), {"script", "load", "return redis.call('get', KEYS[1])"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  const std::string sha = Str(r);
  r = Cmd(c.get(), {"evalsha", sha, "1", "k"});
  EXPECT_EQ(Str(r), "v");
  // redis-cli --eval: keys, a comma, then arguments.
  const std::string file = server.dir() + "/incrby.lua";
  std::ofstream(file) << "return redis.call('incrby', KEYS[1], ARGV[1])\n";
  EXPECT_EQ(RunShell("redis-cli -p " + std::to_string(server.port()) + " --eval " + file +
                     " counter , 5"),
            "5\n");
  EXPECT_EQ(RunShell("redis-cli -p " + std::to_string(server.port()) + " --eval " + file +
                     " counter , 5"),
            "10\n");
}

TEST(ScriptingE2E, BusyScriptIsKilledFromAnotherConnection) {
  ServerProcess server({"--busy-reply-threshold", "100"});
  Conn runner = Connect(server.port(), 20000);
  Conn other = Connect(server.port());
  ASSERT_TRUE(runner && !runner->err && other && !other->err);
  const std::string loop = "while true do end";
  std::string result;
  std::thread t([&] { result = Str(Cmd(runner.get(), {"eval", loop, "0"})); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Str(Cmd(other.get(), {"ping"})),
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
            "NOSAVE.");
  EXPECT_EQ(Str(Cmd(other.get(), {"script", "kill"})), "OK");
  t.join();
  EXPECT_EQ(result,
            "ERR Script killed by user with SCRIPT KILL... script: "
            "694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.");
  EXPECT_EQ(Str(Cmd(other.get(), {"ping"})), "PONG");
  EXPECT_EQ(Str(Cmd(runner.get(), {"ping"})), "PONG");
  EXPECT_EQ(Str(Cmd(other.get(), {"script", "kill"})),
            "NOTBUSY No scripts in execution right now.");
}

TEST(ScriptingE2E, TransactionDuringBusyScriptIsAborted) {
  ServerProcess server({"--busy-reply-threshold", "50"});
  Conn runner = Connect(server.port(), 20000);
  Conn other = Connect(server.port());
  Conn admin = Connect(server.port());
  ASSERT_TRUE(runner && !runner->err && other && !other->err && admin && !admin->err);
  EXPECT_EQ(Str(Cmd(other.get(), {"set", "xx", "1"})), "OK");
  std::thread t([&] { Cmd(runner.get(), {"eval", "while true do end", "0"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // MULTI is allowed during a busy script; a command inside it is refused,
  // which makes the EXEC fail whole.
  EXPECT_EQ(Str(Cmd(other.get(), {"multi"})), "OK");
  EXPECT_EQ(Str(Cmd(other.get(), {"incr", "xx"})),
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
            "NOSAVE.");
  EXPECT_EQ(Str(Cmd(admin.get(), {"script", "kill"})), "OK");
  t.join();
  EXPECT_EQ(Str(Cmd(other.get(), {"incr", "xx"})), "QUEUED");
  EXPECT_EQ(Str(Cmd(other.get(), {"exec"})),
            "EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(Str(Cmd(other.get(), {"get", "xx"})), "1");
  // SHUTDOWN without NOSAVE is refused while a script is busy.
  std::thread t2([&] { Cmd(runner.get(), {"eval", "while true do end", "0"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Str(Cmd(admin.get(), {"shutdown"})),
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
            "NOSAVE.");
  EXPECT_EQ(Str(Cmd(admin.get(), {"script", "kill"})), "OK");
  t2.join();
}

TEST(ScriptingE2E, ScriptThatWroteIsUnkillable) {
  ServerProcess server({"--busy-reply-threshold", "100"});
  Conn runner = Connect(server.port(), 20000);
  Conn other = Connect(server.port());
  ASSERT_TRUE(runner && !runner->err && other && !other->err);
  const std::string script =
      "redis.call('set','x','1'); local t0 = redis.call('time')[1]; "
      "while redis.call('time')[1] - t0 < 2 do end; return 'done'";
  std::string result;
  std::thread t([&] { result = Str(Cmd(runner.get(), {"eval", script, "0"})); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Str(Cmd(other.get(), {"script", "kill"})),
            "UNKILLABLE Sorry the script already executed write commands against the dataset. "
            "You can either wait the script termination or kill the server in a hard way using "
            "the SHUTDOWN NOSAVE command.");
  EXPECT_EQ(Str(Cmd(other.get(), {"get", "x"})),
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
            "NOSAVE.");
  t.join();
  EXPECT_EQ(result, "done");
  EXPECT_EQ(Str(Cmd(other.get(), {"get", "x"})), "1");
}

TEST(ScriptingE2E, ScriptWritesSurviveSigkill) {
  TempDir dir;
  const std::vector<std::string> args = {"--appendonly", "yes",    "--appendfsync",
                                         "always",       "--save", ""};
  {
    ServerProcess server(args, dir.path());
    Conn c = Connect(server.port());
    ASSERT_TRUE(c && !c->err);
    for (int i = 0; i < 50; ++i) {
      const std::string n = std::to_string(i);
      Reply r = Cmd(c.get(), {"eval",
                              "redis.call('rpush', KEYS[1], ARGV[1]); "
                              "redis.call('hset', KEYS[2], ARGV[1], ARGV[1]); "
                              "return redis.call('incr', KEYS[3])",
                              "3", "list", "hash", "count", n});
      ASSERT_EQ(Str(r), std::to_string(i + 1));
    }
    server.Stop(SIGKILL);
  }
  ServerProcess server(args, dir.path());
  Conn c = Connect(server.port());
  ASSERT_TRUE(c && !c->err);
  EXPECT_EQ(Str(Cmd(c.get(), {"get", "count"})), "50");
  EXPECT_EQ(Str(Cmd(c.get(), {"llen", "list"})), "50");
  EXPECT_EQ(Str(Cmd(c.get(), {"hlen", "hash"})), "50");
  EXPECT_EQ(Str(Cmd(c.get(), {"lindex", "list", "-1"})), "49");
}

// FUNCTION LOAD is saved before it is acknowledged: the libraries survive
// SIGKILL (with no snapshot and no write log), and so do DELETE and RESTORE.
TEST(ScriptingE2E, FunctionLibrariesSurviveSigkill) {
  TempDir dir;
  const std::vector<std::string> args = {"--appendonly", "no", "--save", ""};
  const std::string lib1 =
      "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return "
      "redis.call('incrby', keys[1], args[1]) end)";
  const std::string lib2 =
      "#!lua name=lib2\nredis.register_function('f2', function() return 2 end)";
  std::string dump;
  {
    ServerProcess server(args, dir.path());
    Conn c = Connect(server.port());
    ASSERT_TRUE(c && !c->err);
    EXPECT_EQ(Str(Cmd(c.get(), {"function", "load", lib1})), "lib1");
    EXPECT_EQ(Str(Cmd(c.get(), {"function", "load", lib2})), "lib2");
    dump = Str(Cmd(c.get(), {"function", "dump"}));
    EXPECT_EQ(Str(Cmd(c.get(), {"function", "delete", "lib2"})), "OK");
    server.Stop(SIGKILL);
  }
  {
    ServerProcess server(args, dir.path());
    Conn c = Connect(server.port());
    ASSERT_TRUE(c && !c->err);
    EXPECT_EQ(Str(Cmd(c.get(), {"fcall", "f1", "1", "n", "5"})), "5");
    EXPECT_EQ(Str(Cmd(c.get(), {"fcall", "f2", "0"})), "ERR Function not found");
    EXPECT_EQ(Str(Cmd(c.get(), {"function", "restore", dump, "flush"})), "OK");
    server.Stop(SIGKILL);
  }
  ServerProcess server(args, dir.path());
  Conn c = Connect(server.port());
  ASSERT_TRUE(c && !c->err);
  EXPECT_EQ(Str(Cmd(c.get(), {"fcall", "f2", "0"})), "2");
  Reply list = Cmd(c.get(), {"function", "list"});
  ASSERT_EQ(list->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(list->elements, 2u);
}

// A damaged functions file stops start-up with a message naming it, rather
// than serving without the libraries the bots call.
TEST(ScriptingE2E, DamagedFunctionsFileStopsStartup) {
  TempDir dir;
  const std::vector<std::string> args = {"--appendonly", "no", "--save", ""};
  {
    ServerProcess server(args, dir.path());
    Conn c = Connect(server.port());
    ASSERT_TRUE(c && !c->err);
    EXPECT_EQ(Str(Cmd(c.get(), {"function", "load",
                                "#!lua name=l\nredis.register_function('f', function() return 1 "
                                "end)"})),
              "l");
  }
  const std::string file = dir.path() + "/functions.dump";
  std::string data;
  {
    std::ifstream in(file, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(data.size(), 20u);
  data[10] ^= 0x20;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << data;
  EXPECT_THROW(ServerProcess(args, dir.path()), std::runtime_error);
  std::ifstream log(dir.path() + "/stashd.log");
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("Can't load the function libraries: '" + file +
                      "' is damaged (DUMP payload version or checksum are wrong)"),
            std::string::npos)
      << text;
}

// Scripts run on their connection's io thread (kRunsScript); once one runs
// long a helper thread serves that thread's other connections. With one io
// thread every client shares the script's thread; with two, some do not.
class ScriptOnIoThreadE2E : public ::testing::TestWithParam<int> {
 protected:
  std::vector<std::string> Args(std::vector<std::string> more = {}) {
    std::vector<std::string> args{"--io-threads", std::to_string(GetParam())};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
};

TEST_P(ScriptOnIoThreadE2E, OthersGetBusyAndKillTheScript) {
  ServerProcess server(Args({"--busy-reply-threshold", "300"}));
  Conn runner = Connect(server.port(), 20000);
  ASSERT_TRUE(runner && !runner->err);
  // Connections made after the runner's: with two io threads some share
  // its thread and some do not.
  std::vector<Conn> others;
  for (int i = 0; i < 4; ++i) {
    others.push_back(Connect(server.port()));
    ASSERT_TRUE(others.back() && !others.back()->err);
  }
  std::string result;
  std::thread t([&] {
    result = Str(Cmd(runner.get(), {"eval", "redis.call('incr','n') while true do end", "0"}));
  });
  // Before the threshold the others wait for the script (as on Redis).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Str(Cmd(others[0].get(), {"get", "n"})),
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
            "NOSAVE.");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  for (auto& c : others) {
    EXPECT_EQ(Str(Cmd(c.get(), {"ping"})),
              "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
              "NOSAVE.");
  }
  EXPECT_EQ(Str(Cmd(others[1].get(), {"script", "kill"})),
            "UNKILLABLE Sorry the script already executed write commands against the dataset. "
            "You can either wait the script termination or kill the server in a hard way using "
            "the SHUTDOWN NOSAVE command.");
  // SHUTDOWN NOSAVE ends the server with the script.
  Cmd(others[2].get(), {"shutdown", "nosave"});
  t.join();
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    Conn c = Connect(server.port(), 200);
    gone = !c || c->err;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone);
}

TEST_P(ScriptOnIoThreadE2E, ReadOnlyScriptIsKilledAndEveryoneGoesOn) {
  ServerProcess server(Args({"--busy-reply-threshold", "50"}));
  Conn runner = Connect(server.port(), 20000);
  Conn other = Connect(server.port());
  ASSERT_TRUE(runner && !runner->err && other && !other->err);
  for (int round = 0; round < 3; ++round) {
    std::string result;
    std::thread t([&] { result = Str(Cmd(runner.get(), {"eval", "while true do end", "0"})); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(Str(Cmd(other.get(), {"script", "kill"})), "OK");
    t.join();
    EXPECT_EQ(result,
              "ERR Script killed by user with SCRIPT KILL... script: "
              "694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.");
    EXPECT_EQ(Str(Cmd(runner.get(), {"ping"})), "PONG");
    EXPECT_EQ(Str(Cmd(other.get(), {"incr", "rounds"})), std::to_string(round + 1));
  }
}

TEST_P(ScriptOnIoThreadE2E, PipelinedScriptsReplyInOrder) {
  ServerProcess server(Args());
  Conn c = Connect(server.port());
  ASSERT_TRUE(c && !c->err);
  Reply r = Cmd(c.get(), {"script", "load", "return redis.call('incr', KEYS[1])"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  const std::string sha = Str(r);
  // One write: scripts, plain commands and a queued transaction holding a
  // script, in one pipeline.
  constexpr int kN = 200;
  for (int i = 0; i < kN; ++i) {
    redisAppendCommand(c.get(), "EVALSHA %s 1 counter", sha.c_str());
    redisAppendCommand(c.get(), "GET counter");
  }
  redisAppendCommand(c.get(), "MULTI");
  redisAppendCommand(c.get(), "EVALSHA %s 1 counter", sha.c_str());
  redisAppendCommand(c.get(), "EXEC");
  for (int i = 0; i < kN; ++i) {
    void* raw = nullptr;
    ASSERT_EQ(redisGetReply(c.get(), &raw), REDIS_OK);
    Reply script(static_cast<redisReply*>(raw));
    ASSERT_EQ(script->type, REDIS_REPLY_INTEGER);
    EXPECT_EQ(script->integer, i + 1);
    ASSERT_EQ(redisGetReply(c.get(), &raw), REDIS_OK);
    Reply get(static_cast<redisReply*>(raw));
    EXPECT_EQ(Str(get), std::to_string(i + 1));
  }
  void* raw = nullptr;
  ASSERT_EQ(redisGetReply(c.get(), &raw), REDIS_OK);
  EXPECT_EQ(Str(Reply(static_cast<redisReply*>(raw))), "OK");
  ASSERT_EQ(redisGetReply(c.get(), &raw), REDIS_OK);
  EXPECT_EQ(Str(Reply(static_cast<redisReply*>(raw))), "QUEUED");
  ASSERT_EQ(redisGetReply(c.get(), &raw), REDIS_OK);
  Reply exec(static_cast<redisReply*>(raw));
  ASSERT_EQ(exec->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(exec->elements, 1u);
  EXPECT_EQ(exec->element[0]->integer, kN + 1);
}

INSTANTIATE_TEST_SUITE_P(IoThreads, ScriptOnIoThreadE2E, ::testing::Values(1, 2),
                         [](const auto& info) { return std::to_string(info.param) + "Threads"; });

}  // namespace
}  // namespace stashd::test
