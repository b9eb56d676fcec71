// MONITOR through the dispatcher: the lines a monitoring client is shown,
// compared with what redis-server 7.0.15 printed for the same commands
// (timestamps aside, checked for their form and stripped).
#include "server/exec/monitor.h"

#include <string>
#include <vector>

#include "commands/command_fixture.h"
#include "support/monitor_line.h"

namespace stashd::test {
namespace {

using Strings = std::vector<std::string>;

class MonitorTest : public CommandTest {
 protected:
  MonitorTest() : monitor_(NewClient()) {}

  void Monitor() { ASSERT_EQ(RunRaw(monitor_, {"monitor"}), "+OK\r\n"); }

  // The lines `monitor_` was shown since the last call, each without its
  // "+<seconds>.<microseconds> " prefix (whose form is checked).
  Strings Lines() {
    Strings out;
    std::string text = monitor_.messages;
    monitor_.messages.clear();
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find("\r\n", pos);
      EXPECT_NE(end, std::string::npos) << text;
      if (end == std::string::npos) break;
      std::string line = text.substr(pos, end - pos);
      const std::optional<std::string> rest = AfterMonitorTimestamp(line);
      EXPECT_TRUE(rest.has_value()) << line;
      out.push_back(rest.value_or(line));
      pos = end + 2;
    }
    return out;
  }

  // "[0 127.0.0.1:4000N]": the default client's origin.
  std::string Origin(int db = 0) { return "[" + std::to_string(db) + " " + client().addr + "]"; }

  TestClient& monitor_;
};

TEST(MonitorLineTest, QuotesAsRedis) {
  EXPECT_EQ(
      server::FormatMonitorLine(1700000000000042, 3, "127.0.0.1:5000",
                                {"set", "k", std::string("a\n\r\t\a\b\"\\\x01\xc3\xa9 z", 13)}, {}),
      "+1700000000.000042 [3 127.0.0.1:5000] \"set\" \"k\" "
      "\"a\\n\\r\\t\\a\\b\\\"\\\\\\x01\\xc3\\xa9 z\"\r\n");
  EXPECT_EQ(server::FormatMonitorLine(1700000000123456, 0, "lua", {"auth", "u", "p"},
                                      {false, true, true}),
            "+1700000000.123456 [0 lua] \"auth\" \"(redacted)\" \"(redacted)\"\r\n");
  EXPECT_EQ(server::FormatMonitorLine(5, 0, "lua", {""}, {}), "+0.000005 [0 lua] \"\"\r\n");
}

TEST_F(MonitorTest, ShowsCommandsOfOtherClients) {
  Monitor();
  EXPECT_EQ(Run({"set", "foo", "bar"}), "OK");
  EXPECT_THAT(Run({"get", "foo"}), "bar");
  EXPECT_EQ(Run({"select", "3"}), "OK");
  EXPECT_EQ(Run({"ping"}), "PONG");
  EXPECT_EQ(Lines(), (Strings{Origin() + " \"set\" \"foo\" \"bar\"", Origin() + " \"get\" \"foo\"",
                              Origin(3) + " \"select\" \"3\"", Origin(3) + " \"ping\""}));
}

TEST_F(MonitorTest, HidesAdminCommandsAndRefusedOnes) {
  Monitor();
  Run({"config", "get", "maxmemory"});
  Run({"client", "list"});
  Run({"slowlog", "get"});
  Run({"nosuchcommand"});
  Run({"get"});
  Run({"client", "info"});  // not admin
  Run({"info", "clients"});
  EXPECT_EQ(Lines(),
            (Strings{Origin() + " \"client\" \"info\"", Origin() + " \"info\" \"clients\""}));
}

TEST_F(MonitorTest, RedactsPasswords) {
  Monitor();
  Run({"auth", "not-real"});
  Run({"auth", "not-real", "not-a-password"});
  Run({"hello", "2", "AUTH", "not-real", "not-a-password"});
  EXPECT_EQ(Lines(),
            (Strings{Origin() + " \"auth\" \"(redacted)\"",
                     Origin() + " \"auth\" \"(redacted)\" \"(redacted)\"",
                     Origin() + " \"hello\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\""}));
}

TEST_F(MonitorTest, TransactionShowsQueuedCommandsAtExec) {
  Monitor();
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"set", "foo", "bar"}), "QUEUED");
  EXPECT_EQ(Run({"config", "get", "x"}), "QUEUED");
  EXPECT_EQ(Lines(), (Strings{Origin() + " \"multi\""}));
  Run({"exec"});
  EXPECT_EQ(Lines(), (Strings{Origin() + " \"set\" \"foo\" \"bar\"", Origin() + " \"exec\""}));
  // A transaction discarded for an error while queuing: MULTI and EXEC.
  EXPECT_EQ(Run({"multi"}), "OK");
  Run({"syntax", "error"});
  Run({"exec"});
  EXPECT_EQ(Lines(), (Strings{Origin() + " \"multi\"", Origin() + " \"exec\""}));
}

TEST_F(MonitorTest, ScriptCommandsFollowTheScript) {
  Monitor();
  Run({"eval", "redis.call('select', 5); redis.call('set', KEYS[1], ARGV[1])", "1", "foo", "bar"});
  Run({"evalsha", std::string(40, 'a'), "0"});  // NOSCRIPT: still shown
  ASSERT_EQ(Run({"function", "load",
                 "#!lua name=test\n"
                 "redis.register_function('test', function() return redis.call('set', 'foo', "
                 "'bar') end)"}),
            "test");
  Lines();  // FUNCTION LOAD is not admin: shown
  Run({"fcall", "test", "0"});
  EXPECT_EQ(Lines(),
            (Strings{Origin() + " \"fcall\" \"test\" \"0\"", "[0 lua] \"set\" \"foo\" \"bar\""}));
}

TEST_F(MonitorTest, ScriptLinesInOrder) {
  Monitor();
  Run({"eval", "redis.call('select', 5); redis.call('set', KEYS[1], ARGV[1])", "1", "foo", "bar"});
  Run({"evalsha", std::string(40, 'a'), "0"});
  EXPECT_EQ(Lines(),
            (Strings{Origin() + " \"eval\" \"redis.call('select', 5); redis.call('set', KEYS[1], "
                                "ARGV[1])\" \"1\" \"foo\" \"bar\"",
                     "[5 lua] \"select\" \"5\"", "[5 lua] \"set\" \"foo\" \"bar\"",
                     Origin() + " \"evalsha\" \"" + std::string(40, 'a') + "\" \"0\""}));
}

TEST_F(MonitorTest, BlockedCommandShownWhenItBlocks) {
  Monitor();
  TestClient& other = NewClient();
  EXPECT_EQ(RunRaw({"blpop", "L", "0"}), "");
  Run(other, {"rpush", "L", "x"});
  ASSERT_TRUE(Unblocked(*client_).has_value());
  EXPECT_EQ(Lines(), (Strings{Origin() + " \"blpop\" \"L\" \"0\"",
                              "[0 " + other.state.addr + "] \"rpush\" \"L\" \"x\""}));
}

TEST_F(MonitorTest, MonitorClientSeesItsOwnCommandsAndIsListedWithFlagO) {
  Monitor();
  EXPECT_EQ(RunRaw(monitor_, {"ping"}), "+PONG\r\n");
  EXPECT_EQ(Lines(), (Strings{"[0 " + monitor_.state.addr + "] \"ping\""}));
  const std::string list = Run({"client", "list"}).str;
  const size_t at = list.find("addr=" + monitor_.state.addr + " ");
  ASSERT_NE(at, std::string::npos) << list;
  EXPECT_THAT(list.substr(at, list.find('\n', at) - at), ::testing::HasSubstr(" flags=O db=0 "));
  EXPECT_THAT(list, ::testing::HasSubstr(" flags=N db=0 "));  // the default client
  // MONITOR again: no reply at all, as Redis.
  EXPECT_EQ(RunRaw(monitor_, {"monitor"}), "");
}

TEST_F(MonitorTest, MonitorClientMayNotTouchTheKeyspace) {
  Monitor();
  EXPECT_EQ(RunRaw(monitor_, {"get", "k"}), "-ERR Replica can't interact with the keyspace\r\n");
  EXPECT_EQ(RunRaw(monitor_, {"set", "k", "v"}),
            "-ERR Replica can't interact with the keyspace\r\n");
  EXPECT_EQ(RunRaw(monitor_, {"eval", "return 1", "0"}),
            "-ERR Replica can't interact with the keyspace\r\n");
  EXPECT_EQ(RunRaw(monitor_, {"publish", "c", "m"}),
            "-ERR Replica can't interact with the keyspace\r\n");
  Lines();
  // RESET leaves monitor mode.
  EXPECT_EQ(RunRaw(monitor_, {"reset"}), "+RESET\r\n");
  EXPECT_EQ(RunRaw(monitor_, {"get", "k"}), "$-1\r\n");
  Run({"ping"});
  EXPECT_EQ(Lines(), Strings{});
  EXPECT_EQ(server().monitors().Count(), 0u);
}

TEST_F(MonitorTest, RefusedInsideExec) {
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Run({"monitor"}), "QUEUED");
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
  EXPECT_EQ(server().monitors().Count(), 0u);
}

TEST_F(MonitorTest, NotAllowedFromScripts) {
  EXPECT_THAT(RunRaw({"eval", "return redis.call('monitor')", "0"}),
              ::testing::StartsWith("-ERR This Redis command is not allowed from script"));
}

TEST_F(MonitorTest, CommandInfoAndDocsAsRedis) {
  EXPECT_EQ(
      RunRaw({"command", "info", "monitor"}),
      "*1\r\n*10\r\n$7\r\nmonitor\r\n:1\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
      "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n");
  EXPECT_EQ(RunRaw({"command", "docs", "monitor"}),
            "*2\r\n$7\r\nmonitor\r\n*6\r\n$7\r\nsummary\r\n$59\r\nListen for all requests "
            "received by the server in real time\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n"
            "$6\r\nserver\r\n");
}

TEST_F(MonitorTest, EveryMonitorGetsEachLine) {
  Monitor();
  TestClient& second = NewClient();
  ASSERT_EQ(RunRaw(second, {"monitor"}), "+OK\r\n");
  EXPECT_EQ(server().monitors().Count(), 2u);
  Run({"set", "a", "1"});
  EXPECT_EQ(Lines(), (Strings{Origin() + " \"set\" \"a\" \"1\""}));
  EXPECT_THAT(second.messages, ::testing::EndsWith("] \"set\" \"a\" \"1\"\r\n"));
}

}  // namespace
}  // namespace stashd::test
