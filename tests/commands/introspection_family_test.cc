// SLOWLOG, LATENCY and INFO latencystats through the dispatcher. Durations
// are real (the dispatcher times handlers on the monotonic clock), so the
// tests make every command slow enough (slowlog-log-slower-than 0) or feed
// the latency monitor and histograms known values. Reference texts and
// numbers were printed by redis-server 7.0.15.
#include <ctime>
#include <string>
#include <vector>

#include "commands/command_fixture.h"
#include "server/exec/latency.h"

namespace stashd::test {
namespace {

using Strings = std::vector<std::string>;

class IntrospectionTest : public CommandTest {
 protected:
  // Logs every command from now on, from an empty log.
  void LogEverything() {
    ASSERT_EQ(Run({"config", "set", "slowlog-log-slower-than", "0"}), "OK");
    ASSERT_EQ(Run({"slowlog", "reset"}), "OK");
  }
  // The argv of the slow log's entries, newest first (SLOWLOG GET -1).
  std::vector<Strings> LoggedArgv() {
    std::vector<Strings> out;
    RespValue r = Run({"slowlog", "get", "-1"});
    for (const RespValue& e : r.elems) out.push_back(e[3].Strings());
    return out;
  }
};

// ---- SLOWLOG ----

TEST_F(IntrospectionTest, SlowlogEntryFields) {
  ASSERT_EQ(Run({"client", "setname", "bot"}), "OK");
  LogEverything();
  const int64_t before = std::time(nullptr);
  ASSERT_EQ(Run({"set", "a", "b"}), "OK");
  const int64_t after = std::time(nullptr);
  RespValue r = Run({"slowlog", "get"});
  ASSERT_THAT(r, ArrayOfSize(2));  // set, slowlog reset (newest first)
  const RespValue& e = r[0];
  ASSERT_THAT(e, ArrayOfSize(6));
  // Ids go on across RESET: config set was 0, slowlog reset 1.
  EXPECT_THAT(e[0], IsInt(2));
  EXPECT_GE(e[1].integer, before);
  EXPECT_LE(e[1].integer, after);
  EXPECT_EQ(e[2].kind, RespValue::Kind::kInteger);
  EXPECT_GE(e[2].integer, 0);
  EXPECT_THAT(e[3], StrArray(Strings{"set", "a", "b"}));
  EXPECT_EQ(e[4], client().addr);
  EXPECT_EQ(e[5], "bot");
  EXPECT_THAT(r[1][0], IsInt(1));
  EXPECT_THAT(r[1][3], StrArray(Strings{"slowlog", "reset"}));
  EXPECT_THAT(Run({"slowlog", "len"}), IsInt(3));
}

TEST_F(IntrospectionTest, SlowlogThresholds) {
  EXPECT_THAT(Run({"config", "get", "slowlog-*"}),
              StrArray(Strings{"slowlog-log-slower-than", "10000", "slowlog-max-len", "128"}));
  ASSERT_EQ(Run({"config", "set", "slowlog-log-slower-than", "-1"}), "OK");
  ASSERT_EQ(Run({"slowlog", "reset"}), "OK");
  ASSERT_EQ(Run({"set", "a", "b"}), "OK");
  EXPECT_THAT(Run({"slowlog", "len"}), IsInt(0));
  // An hour: nothing here takes that long.
  ASSERT_EQ(Run({"config", "set", "slowlog-log-slower-than", "3600000000"}), "OK");
  ASSERT_EQ(Run({"set", "a", "b"}), "OK");
  EXPECT_THAT(Run({"slowlog", "len"}), IsInt(0));
  EXPECT_THAT(Run({"config", "set", "slowlog-log-slower-than", "-2"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument "
                      "'slowlog-log-slower-than') - argument must be between -1 and "
                      "9223372036854775807 inclusive"));
  EXPECT_THAT(Run({"config", "set", "slowlog-max-len", "-1"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - "
                      "argument must be between 0 and 9223372036854775807 inclusive"));
}

TEST_F(IntrospectionTest, SlowlogMaxLenDropsTheOldest) {
  LogEverything();
  ASSERT_EQ(Run({"config", "set", "slowlog-max-len", "3"}), "OK");
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Run({"ping"}), "PONG");
  EXPECT_THAT(Run({"slowlog", "len"}), IsInt(3));
  // Lowering the limit trims at the next entry, as Redis.
  ASSERT_EQ(Run({"config", "set", "slowlog-log-slower-than", "-1"}), "OK");
  ASSERT_EQ(Run({"config", "set", "slowlog-max-len", "1"}), "OK");
  EXPECT_THAT(Run({"slowlog", "len"}), IsInt(3));
}

TEST_F(IntrospectionTest, SlowlogGetCount) {
  LogEverything();
  for (int i = 0; i < 12; ++i) ASSERT_EQ(Run({"ping"}), "PONG");
  EXPECT_THAT(Run({"slowlog", "get"}), ArrayOfSize(10));
  EXPECT_THAT(Run({"slowlog", "get", "0"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"slowlog", "get", "2"}), ArrayOfSize(2));
  EXPECT_THAT(Run({"slowlog", "get", "-1"}), ArrayOfSize(16));
  EXPECT_THAT(Run({"slowlog", "get", "100"}), ArrayOfSize(17));
  const char kCount[] = "ERR count should be greater than or equal to -1";
  EXPECT_THAT(Run({"slowlog", "get", "-2"}), ErrorIs(kCount));
  EXPECT_THAT(Run({"slowlog", "get", "abc"}), ErrorIs(kCount));
  EXPECT_THAT(Run({"slowlog", "get", "1", "2"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'get'. Try "
                      "SLOWLOG HELP."));
  EXPECT_THAT(Run({"slowlog", "len", "x"}),
              ErrorIs("ERR wrong number of arguments for 'slowlog|len' command"));
  EXPECT_THAT(Run({"slowlog"}), ErrorIs("ERR wrong number of arguments for 'slowlog' command"));
  EXPECT_THAT(Run({"slowlog", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try SLOWLOG HELP."));
}

TEST_F(IntrospectionTest, SlowlogTrimsArguments) {
  LogEverything();
  Strings sadd = {"sadd", "set"};
  for (int i = 3; i <= 33; ++i) sadd.push_back(std::to_string(i));
  ASSERT_THAT(Run(sadd), IsInt(31));
  Strings want(sadd.begin(), sadd.begin() + 31);
  want.push_back("... (2 more arguments)");
  EXPECT_EQ(LoggedArgv()[0], want);
  ASSERT_THAT(Run({"sadd", "set", "foo", std::string(129, 'A')}), IsInt(2));
  EXPECT_EQ(LoggedArgv()[0],
            (Strings{"sadd", "set", "foo", std::string(128, 'A') + "... (1 more bytes)"}));
}

TEST_F(IntrospectionTest, SlowlogRedactsPasswords) {
  LogEverything();
  Run({"auth", "secret"});
  Run({"auth", "user", "secret"});
  Run({"auth", "a", "b", "c"});  // a syntax error: Redis redacts nothing
  Run({"hello", "3", "auth", "default", "nopass", "setname", "n"});
  Run({"hello", "3", "auth", "u", "p", "foo", "auth", "c", "d"});
  Run({"hello", "4", "auth", "u", "p"});
  Run({"acl", "setuser", "bob", "on", ">pw"});
  Run({"config", "set", "requirepass", "x", "maxclients", "100"});
  Run({"config", "set", "requirepass", ""});
  Run({"config", "set", "nosuch", "1", "masterauth", "y"});
  // Not logged itself: the threshold is read once the command ran, as Redis.
  ASSERT_EQ(Run({"config", "set", "slowlog-log-slower-than", "-1"}), "OK");
  std::vector<Strings> logged = LoggedArgv();
  ASSERT_EQ(logged.size(), 11u);
  EXPECT_EQ(logged[0], (Strings{"config", "set", "nosuch", "1", "masterauth", "(redacted)"}));
  EXPECT_EQ(logged[1], (Strings{"config", "set", "requirepass", "(redacted)"}));
  EXPECT_EQ(logged[2],
            (Strings{"config", "set", "requirepass", "(redacted)", "maxclients", "100"}));
  EXPECT_EQ(logged[3], (Strings{"acl", "setuser", "(redacted)", "(redacted)", "(redacted)"}));
  EXPECT_EQ(logged[4], (Strings{"hello", "4", "auth", "u", "p"}));
  EXPECT_EQ(logged[5],
            (Strings{"hello", "3", "auth", "(redacted)", "(redacted)", "foo", "auth", "c", "d"}));
  EXPECT_EQ(logged[6], (Strings{"hello", "3", "auth", "(redacted)", "(redacted)", "setname", "n"}));
  EXPECT_EQ(logged[7], (Strings{"auth", "a", "b", "c"}));
  EXPECT_EQ(logged[8], (Strings{"auth", "(redacted)", "(redacted)"}));
  EXPECT_EQ(logged[9], (Strings{"auth", "(redacted)"}));
  EXPECT_EQ(logged[10], (Strings{"slowlog", "reset"}));
}

TEST_F(IntrospectionTest, SlowlogExecLogsItsCommandsNotItself) {
  LogEverything();
  ASSERT_EQ(Run({"multi"}), "OK");
  ASSERT_EQ(Run({"set", "a", "1"}), "QUEUED");
  ASSERT_EQ(Run({"incr", "a"}), "QUEUED");
  ASSERT_THAT(Run({"exec"}), ArrayOfSize(2));
  std::vector<Strings> logged = LoggedArgv();
  ASSERT_EQ(logged.size(), 4u);
  EXPECT_EQ(logged[0], (Strings{"incr", "a"}));
  EXPECT_EQ(logged[1], (Strings{"set", "a", "1"}));
  EXPECT_EQ(logged[2], (Strings{"multi"}));
}

TEST_F(IntrospectionTest, SlowlogScriptCallsAreLoggedAsTheScriptClient) {
  ASSERT_EQ(Run({"client", "setname", "bot"}), "OK");
  LogEverything();
  ASSERT_THAT(Run({"eval", "redis.call('set','a','b') return 1", "0"}), IsInt(1));
  RespValue r = Run({"slowlog", "get", "2"});
  ASSERT_THAT(r, ArrayOfSize(2));
  EXPECT_THAT(r[0][3], StrArray(Strings{"eval", "redis.call('set','a','b') return 1", "0"}));
  EXPECT_EQ(r[0][4], client().addr);
  EXPECT_EQ(r[0][5], "bot");
  EXPECT_THAT(r[1][3], StrArray(Strings{"set", "a", "b"}));
  EXPECT_EQ(r[1][4], "?:0");
  EXPECT_EQ(r[1][5], "");
}

TEST_F(IntrospectionTest, SlowlogBlockedCommandsWhenServed) {
  LogEverything();
  TestClient& waiter = NewClient();
  EXPECT_EQ(RunRaw(waiter, {"blpop", "l", "0"}), "");
  EXPECT_TRUE(Blocked(waiter));
  EXPECT_THAT(Run({"slowlog", "len"}), IsInt(1));  // slowlog reset only
  ASSERT_THAT(Run({"rpush", "l", "x"}), IsInt(1));
  ASSERT_TRUE(Unblocked(waiter).has_value());
  std::vector<Strings> logged = LoggedArgv();
  ASSERT_EQ(logged.size(), 4u);
  // The push, then the served BLPOP, as the client sent it.
  EXPECT_EQ(logged[0], (Strings{"blpop", "l", "0"}));
  EXPECT_EQ(logged[1], (Strings{"rpush", "l", "x"}));
  // (SLOWLOG GET -1 is the newest entry now.)
  EXPECT_EQ(Run({"slowlog", "get", "2"})[1][4], waiter.state.addr);
  // A block that times out is not logged (Redis 7.0), nor timed.
  ASSERT_EQ(Run({"config", "resetstat"}), "OK");
  ASSERT_EQ(Run({"slowlog", "reset"}), "OK");
  EXPECT_EQ(RunRaw(waiter, {"blpop", "nokey", "1"}), "");
  ASSERT_TRUE(TimeOut(waiter));
  EXPECT_THAT(LoggedArgv(), ::testing::ElementsAre(Strings{"slowlog", "reset"}));
  EXPECT_THAT(Run({"latency", "histogram", "blpop"}), ArrayOfSize(0));
}

TEST_F(IntrospectionTest, SlowlogHelp) {
  EXPECT_EQ(RunRaw({"slowlog", "help"}),
            "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET "
            "[<count>]\r\n+    Return top <count> entries from the slowlog (default: 10, -1 mean "
            "all).\r\n+    Entries are made of:\r\n+    id, timestamp, time in microseconds, "
            "arguments array, client IP and port,\r\n+    client name\r\n+LEN\r\n+    Return the "
            "length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints "
            "this help.\r\n");
}

// ---- Latency histograms ----

// Percentiles and buckets Redis printed for commands of these durations.
TEST(LatencyHistogramTest, SameNumbersAsRedis) {
  struct Case {
    int64_t usec;
    int64_t p50_ns;
    int64_t bucket;
  };
  for (const Case& c : {Case{3, 3007, 4}, Case{5, 5023, 8}, Case{6, 6015, 8}, Case{13, 13055, 16},
                        Case{22, 22015, 33}, Case{24, 24063, 33}, Case{40, 40191, 66},
                        Case{76, 76287, 132}, Case{174, 174079, 264}}) {
    server::LatencyHistogram h;
    h.Record(c.usec);
    EXPECT_EQ(h.ValueAtPercentile(50), c.p50_ns) << c.usec;
    EXPECT_EQ(h.CumulativeBuckets(), (std::vector<std::pair<int64_t, uint64_t>>{{c.bucket, 1}}))
        << c.usec;
  }
  server::LatencyHistogram h;
  for (int64_t usec : {0, 1, 2, 3, 100, 100}) h.Record(usec);
  EXPECT_EQ(h.Total(), 6u);
  EXPECT_EQ(h.CumulativeBuckets(),
            (std::vector<std::pair<int64_t, uint64_t>>{{1, 2}, {2, 3}, {4, 4}, {132, 6}}));
  EXPECT_EQ(h.ValueAtPercentile(0), 1);  // 0 µs is recorded as 1 ns, as Redis
  EXPECT_EQ(h.ValueAtPercentile(100), 100351);
  h.Reset();
  EXPECT_EQ(h.Total(), 0u);
  EXPECT_TRUE(h.CumulativeBuckets().empty());
}

TEST_F(IntrospectionTest, LatencyHistogramReplies) {
  ASSERT_EQ(Run({"config", "resetstat"}), "OK");
  RespValue all = Run({"latency", "histogram"});
  ASSERT_THAT(all, ArrayOfSize(2));  // RESP2: a flat map
  EXPECT_EQ(all[0], "config|resetstat");
  EXPECT_EQ(all[1][0], "calls");
  EXPECT_THAT(all[1][1], IsInt(1));
  EXPECT_EQ(all[1][2], "histogram_usec");
  ASSERT_THAT(all[1][3], ArrayOfSize(2));
  EXPECT_THAT(all[1][3][1], IsInt(1));

  ASSERT_EQ(Run({"config", "resetstat"}), "OK");
  ASSERT_EQ(Run({"set", "a", "b"}), "OK");
  ASSERT_EQ(Run({"set", "c", "d"}), "OK");
  ASSERT_THAT(Run({"client", "id"}), IsInt(static_cast<int64_t>(client().id)));
  RespValue some = Run({"latency", "histogram", "blabla", "SET", "get", "client"});
  ASSERT_THAT(some, ArrayOfSize(4));
  EXPECT_EQ(some[0], "set");
  EXPECT_THAT(some[1][1], IsInt(2));
  EXPECT_EQ(some[2], "client|id");
  EXPECT_THAT(Run({"latency", "histogram", "client|ID"})[0], "client|id");
  EXPECT_THAT(Run({"latency", "histogram", "blabla"}), ArrayOfSize(0));

  // RESP3: maps all the way down.
  ASSERT_EQ(Run({"hello", "3"}).kind, RespValue::Kind::kMap);
  RespValue r3 = Run({"latency", "histogram", "set"});
  ASSERT_EQ(r3.kind, RespValue::Kind::kMap);
  ASSERT_EQ(r3[1].kind, RespValue::Kind::kMap);
  EXPECT_EQ(r3[1][3].kind, RespValue::Kind::kMap);

  // latency-tracking no: nothing new is recorded.
  ASSERT_EQ(Run({"config", "set", "latency-tracking", "no"}), "OK");
  ASSERT_EQ(Run({"get", "a"}), "b");
  EXPECT_EQ(Run({"latency", "histogram", "get"}).size(), 0u);
}

TEST_F(IntrospectionTest, InfoLatencyStats) {
  ASSERT_EQ(Run({"config", "resetstat"}), "OK");
  ASSERT_EQ(Run({"set", "a", "b"}), "OK");
  std::string info = Run({"info", "latencystats"}).str;
  EXPECT_EQ(info.rfind("# Latencystats\r\n", 0), 0u) << info;
  EXPECT_THAT(info, ::testing::ContainsRegex(
                        "latency_percentiles_usec_set:p50=[0-9]+\\.[0-9]{3},p99=[0-9]+\\.[0-9]{3},"
                        "p99\\.9=[0-9]+\\.[0-9]{3}\r\n"));
  EXPECT_THAT(info, ::testing::HasSubstr("latency_percentiles_usec_config|resetstat:p50="));
  // Not a default section; in "all" and "everything", after errorstats.
  EXPECT_THAT(Run({"info"}).str, ::testing::Not(::testing::HasSubstr("# Latencystats")));
  for (const char* which : {"all", "everything"}) {
    std::string text = Run({"info", which}).str;
    size_t errorstats = text.find("# Errorstats");
    size_t latency = text.find("# Latencystats");
    size_t cluster = text.find("# Cluster");
    ASSERT_NE(latency, std::string::npos) << which;
    EXPECT_LT(errorstats, latency);
    EXPECT_LT(latency, cluster);
  }
  ASSERT_EQ(Run({"config", "set", "latency-tracking-info-percentiles", "99.99 0 100 12.5"}), "OK");
  EXPECT_THAT(Run({"config", "get", "latency-tracking-info-percentiles"}),
              StrArray(Strings{"latency-tracking-info-percentiles", "99.99 0 100 12.5"}));
  EXPECT_THAT(Run({"info", "latencystats"}).str,
              ::testing::ContainsRegex("latency_percentiles_usec_set:p99\\.99=[0-9.]+,p0=[0-9.]+,"
                                       "p100=[0-9.]+,p12\\.5=[0-9.]+\r\n"));
  ASSERT_EQ(Run({"config", "set", "latency-tracking-info-percentiles", ""}), "OK");
  EXPECT_THAT(Run({"info", "latencystats"}).str,
              ::testing::HasSubstr("latency_percentiles_usec_set:\r\n"));
  // latency-tracking off: the header alone.
  ASSERT_EQ(Run({"config", "set", "latency-tracking", "no"}), "OK");
  EXPECT_EQ(Run({"info", "latencystats"}).str, "# Latencystats\r\n");
}

TEST_F(IntrospectionTest, LatencyConfigErrors) {
  EXPECT_THAT(Run({"config", "get", "latency*"}),
              StrArray(Strings{"latency-monitor-threshold", "0", "latency-tracking", "yes",
                               "latency-tracking-info-percentiles", "50 99 99.9"}));
  auto failed = [](const std::string& name, const std::string& why) {
    return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
  };
  EXPECT_THAT(Run({"config", "set", "latency-monitor-threshold", "-1"}),
              ErrorIs(failed("latency-monitor-threshold",
                             "argument must be between 0 and 9223372036854775807 inclusive")));
  EXPECT_THAT(Run({"config", "set", "latency-tracking", "maybe"}),
              ErrorIs(failed("latency-tracking", "argument must be 'yes' or 'no'")));
  EXPECT_THAT(Run({"config", "set", "latency-tracking-info-percentiles", "50 abc"}),
              ErrorIs(failed("latency-tracking-info-percentiles",
                             "Invalid latency-tracking-info-percentiles parameters")));
  EXPECT_THAT(Run({"config", "set", "latency-tracking-info-percentiles", "150"}),
              ErrorIs(failed("latency-tracking-info-percentiles",
                             "latency-tracking-info-percentiles parameters should sit between "
                             "[0.0,100.0]")));
}

// ---- The latency monitor ----

TEST_F(IntrospectionTest, LatencyLatestHistoryReset) {
  server::LatencyMonitor& monitor = server().latency_monitor();
  EXPECT_THAT(Run({"latency", "latest"}), ArrayOfSize(0));
  monitor.AddSample("command", 250, 1000);
  monitor.AddSample("command", 30, 1001);
  monitor.AddSample("command", 40, 1001);  // same second: the highest stays
  monitor.AddSample("command", 20, 1001);
  monitor.AddSample("expire-cycle", 25, 1002);
  RespValue latest = Run({"latency", "latest"});
  ASSERT_THAT(latest, ArrayOfSize(2));
  EXPECT_EQ(latest[0][0], "command");
  EXPECT_THAT(latest[0][1], IsInt(1001));
  EXPECT_THAT(latest[0][2], IsInt(40));
  EXPECT_THAT(latest[0][3], IsInt(250));
  EXPECT_EQ(latest[1][0], "expire-cycle");
  RespValue history = Run({"latency", "history", "command"});
  ASSERT_THAT(history, ArrayOfSize(2));
  EXPECT_THAT(history[0][0], IsInt(1000));
  EXPECT_THAT(history[0][1], IsInt(250));
  EXPECT_THAT(history[1][0], IsInt(1001));
  EXPECT_THAT(history[1][1], IsInt(40));
  EXPECT_THAT(Run({"latency", "history", "blabla"}), ArrayOfSize(0));
  EXPECT_THAT(Run({"latency", "reset", "blabla"}), IsInt(0));
  EXPECT_THAT(Run({"latency", "reset", "COMMAND", "blabla"}), IsInt(1));
  EXPECT_THAT(Run({"latency", "reset"}), IsInt(1));
  EXPECT_THAT(Run({"latency", "latest"}), ArrayOfSize(0));
  // Only 160 samples are kept.
  for (int i = 1; i <= 200; ++i) monitor.AddSample("command", i, i);
  RespValue kept = Run({"latency", "history", "command"});
  ASSERT_THAT(kept, ArrayOfSize(160));
  EXPECT_THAT(kept[0][0], IsInt(41));
  EXPECT_THAT(kept[159][0], IsInt(200));
}

TEST_F(IntrospectionTest, LatencyThresholdGatesSamples) {
  server::LatencySampleIfNeeded(server(), "expire-cycle", 500);  // monitor off (0)
  EXPECT_THAT(Run({"latency", "latest"}), ArrayOfSize(0));
  ASSERT_EQ(Run({"config", "set", "latency-monitor-threshold", "100"}), "OK");
  server::LatencySampleIfNeeded(server(), "expire-cycle", 99);
  EXPECT_THAT(Run({"latency", "latest"}), ArrayOfSize(0));
  server::LatencySampleIfNeeded(server(), "expire-cycle", 100);
  RespValue latest = Run({"latency", "latest"});
  ASSERT_THAT(latest, ArrayOfSize(1));
  EXPECT_THAT(latest[0][3], IsInt(100));
}

// Redis's graph for samples of 250, 30 and 100 ms taken 2, 1 and 0 s ago.
TEST(LatencyGraphTest, SameAsRedis) {
  server::LatencyMonitor monitor;
  monitor.AddSample("command", 250, 998);
  monitor.AddSample("command", 30, 999);
  monitor.AddSample("command", 100, 1000);
  server::LatencyMonitor::Series ts;
  ASSERT_TRUE(monitor.Find("command", &ts));
  EXPECT_EQ(server::LatencyGraph("command", ts, 1000),
            "command - high 250 ms, low 30 ms (all time high 250 ms)\n" + std::string(80, '-') +
                "\n#  \n|  \n| _\n|_|\n   \n210\nsss\n");
}

TEST_F(IntrospectionTest, LatencyGraphErrors) {
  EXPECT_THAT(Run({"latency", "graph", "nosuch"}),
              ErrorIs("ERR No samples available for event 'nosuch'"));
  EXPECT_THAT(Run({"latency", "graph"}),
              ErrorIs("ERR wrong number of arguments for 'latency|graph' command"));
  server().latency_monitor().AddSample("command", 5, std::time(nullptr));
  RespValue graph = Run({"latency", "graph", "command"});
  EXPECT_EQ(graph.str.rfind("command - high 5 ms, low 5 ms (all time high 5 ms)\n", 0), 0u);
}

TEST_F(IntrospectionTest, LatencyDoctor) {
  EXPECT_EQ(Run({"latency", "doctor"}).str,
            "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
            "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
            "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
            "at https://redis.io/topics/latency-monitor.\n");
  ASSERT_EQ(Run({"config", "set", "latency-monitor-threshold", "20"}), "OK");
  const std::string report = Run({"latency", "doctor"}).str;
  // (Unless the process uses transparent huge pages: that is advice.)
  EXPECT_EQ(report,
            "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
            "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
            "pill, and think things over.\n");
  const int64_t now = std::time(nullptr);
  server::LatencyMonitor& monitor = server().latency_monitor();
  monitor.AddSample("command", 250, now - 3);
  monitor.AddSample("command", 30, now - 2);
  monitor.AddSample("command", 100, now - 1);
  ASSERT_EQ(Run({"config", "set", "slowlog-log-slower-than", "100000"}), "OK");
  const std::string spikes = Run({"latency", "doctor"}).str;
  EXPECT_EQ(spikes.rfind("Dave, I have observed latency spikes in this Redis instance. You don't "
                         "mind talking about it, do you Dave?\n\n1. command: 3 latency spikes "
                         "(average 126ms, mean deviation 82ms, period 1.",
                         0),
            0u)
      << spikes;
  EXPECT_THAT(spikes, ::testing::HasSubstr(
                          " sec). Worst all time event 250ms.\n\nI have a few advices for you:\n\n"
                          "- Your current Slow Log configuration only logs events that are slower "
                          "than your configured latency monitor threshold. Please use 'CONFIG SET "
                          "slowlog-log-slower-than 20000'.\n- Check your Slow Log to understand "
                          "what are the commands you are running which are too slow to execute. "
                          "Please check https://redis.io/commands/slowlog for more "
                          "information.\n"));
  EXPECT_THAT(spikes,
              ::testing::HasSubstr(
                  "- Deleting, expiring or evicting (because of maxmemory policy) large objects "
                  "is a blocking operation. If you have very large objects that are often "
                  "deleted, expired, or evicted, try to fragment those objects into multiple "
                  "smaller objects.\n"));
}

TEST_F(IntrospectionTest, LatencyHelp) {
  EXPECT_EQ(
      RunRaw({"latency", "help"}),
      "*17\r\n+LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DOCTOR\r\n+  "
      "  Return a human readable latency analysis report.\r\n+GRAPH <event>\r\n+    Return an "
      "ASCII latency graph for the <event> class.\r\n+HISTORY <event>\r\n+    Return "
      "time-latency samples for the <event> class.\r\n+LATEST\r\n+    Return the latest latency "
      "samples for all events.\r\n+RESET [<event> ...]\r\n+    Reset latency data of one or more "
      "<event> classes.\r\n+    (default: reset all data for all event classes)\r\n+HISTOGRAM "
      "[COMMAND ...]\r\n+    Return a cumulative distribution of latencies in the format of a "
      "histogram for the specified command names.\r\n+    If no commands are specified then all "
      "histograms are replied.\r\n+HELP\r\n+    Prints this help.\r\n");
  EXPECT_THAT(Run({"latency", "help", "xxx"}),
              ErrorIs("ERR wrong number of arguments for 'latency|help' command"));
  EXPECT_THAT(Run({"latency", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try LATENCY HELP."));
}

}  // namespace
}  // namespace stashd::test
