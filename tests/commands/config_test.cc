// Configuration: conf/stashd.conf itself, every directive's values and
// errors, config file and command line errors (file:line, directive, what is
// wrong), CONFIG SET side effects (requirepass, client-output-buffer-limit).
#include "server/config/config.h"

#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands/command_fixture.h"
#include "protocol/resp_parser.h"
#include "server/base/ascii.h"

namespace stashd::test {
namespace {

using ::testing::HasSubstr;
using Strings = std::vector<std::string>;

std::filesystem::path SourceDir() {
  // The repository root, from the build (not __FILE__, which ccache may make relative).
  return std::filesystem::path(STASHD_SOURCE_DIR);
}

std::string TempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/config-test-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << content;
  return path;
}

// Runs ParseCommandLine on `args` (without argv[0]).
server::ConfigError ParseArgs(server::ConfigTable& table, std::vector<std::string> args) {
  args.insert(args.begin(), "stashd");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  bool help = false;
  bool version = false;
  return table.ParseCommandLine(static_cast<int>(argv.size()), argv.data(), &help, &version);
}

TEST(ConfFileTest, ShippedConfigParsesAndMentionsEveryDirective) {
  const std::string path = (SourceDir() / "conf" / "stashd.conf").string();
  server::Config config;
  server::ConfigTable table(&config);
  ASSERT_EQ(table.LoadFile(path), std::nullopt);

  // Each directive has a line of its own, not commented out.
  std::set<std::string> in_file;
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  for (std::string line; std::getline(in, line);) {
    auto words = protocol::SplitArgs(line);
    if (!words || words->empty() || (*words)[0][0] == '#') continue;
    in_file.insert((*words)[0]);
  }
  for (const std::string& name : table.Match("*")) {
    EXPECT_TRUE(in_file.count(name)) << "conf/stashd.conf does not set '" << name << "'";
  }
  for (const std::string& name : in_file) EXPECT_TRUE(table.Known(name)) << name;

  // And its values are the built-in defaults, as the file says.
  server::Config defaults;
  server::ConfigTable default_table(&defaults);
  for (const std::string& name : table.Match("*")) {
    EXPECT_EQ(table.Get(name), default_table.Get(name)) << name;
  }
}

// io-threads 0 leaves one of the cores the process may use to everything
// else; a number is taken as it is.
TEST(IoThreadsTest, AutomaticLeavesOneCoreAndANumberIsKept) {
  EXPECT_EQ(server::IoThreadCount(1), 1);
  EXPECT_EQ(server::IoThreadCount(6), 6);
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  const int cores = CPU_COUNT(&set);
  EXPECT_EQ(server::IoThreadCount(0), cores > 1 ? cores - 1 : 1);
  // Narrowed to one core (as by taskset), the process still gets a thread.
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) {
      CPU_SET(c, &one);
      break;
    }
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  EXPECT_EQ(server::IoThreadCount(0), 1);
  ASSERT_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
}

TEST(ConfFileTest, CommandLineOverridesTheFile) {
  std::string path = TempFile("override.conf", "port 7000\nmaxclients 5\n");
  server::Config config;
  server::ConfigTable table(&config);
  ASSERT_EQ(ParseArgs(table, {path, "--port", "7001", "--bind", "10.0.0.1", "-::1"}), std::nullopt);
  EXPECT_EQ(config.port, 7001);
  EXPECT_EQ(config.maxclients.load(), 5);
  EXPECT_EQ(table.Get("bind"), "10.0.0.1 -::1");
  EXPECT_TRUE(std::filesystem::path(config.config_file).is_absolute());
  EXPECT_EQ(std::filesystem::canonical(config.config_file), std::filesystem::canonical(path));
  std::filesystem::remove(path);
}

// ---- Every directive ----

struct DirectiveCase {
  std::string name;
  std::vector<std::string> good;  // values to set
  std::string shown;              // what CONFIG GET shows then
  std::vector<std::string> bad;   // a value to refuse
  std::string error;              // and why
};

const std::vector<DirectiveCase>& Cases() {
  static const auto* cases = new std::vector<DirectiveCase>{
      {"port", {"7001"}, "7001", {"65536"}, "argument must be between 0 and 65535 inclusive"},
      {"tcp-backlog", {"128"}, "128", {"x"}, "argument couldn't be parsed into an integer"},
      {"databases", {"4"}, "4", {"0"}, "argument must be between 1 and 1024 inclusive"},
      {"io-threads", {"2"}, "2", {"-1"}, "argument must be between 0 and 128 inclusive"},
      {"bind", {"0.0.0.0", "-::"}, "0.0.0.0 -::", {}, "wrong number of arguments"},
      {"timeout", {"30"}, "30", {"-1"}, "argument must be between 0 and 2147483647 inclusive"},
      {"tcp-keepalive", {"60"}, "60", {"1.5"}, "argument couldn't be parsed into an integer"},
      {"maxclients", {"100"}, "100", {"0"}, "argument must be between 1 and 2147483647 inclusive"},
      {"hz", {"100"}, "100", {"-1"}, "argument must be between 0 and 2147483647 inclusive"},
      {"enable-protected-configs",
       {"local"},
       "local",
       {"maybe"},
       "argument(s) must be one of the following: no, yes, local"},
      {"maxmemory", {"1mb"}, "1048576", {"1x"}, "argument must be a memory value"},
      {"maxmemory-policy",
       {"volatile-lfu"},
       "volatile-lfu",
       {"lru"},
       "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
       "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
      {"maxmemory-samples",
       {"10"},
       "10",
       {"0"},
       "argument must be between 1 and 2147483647 inclusive"},
      {"lfu-log-factor", {"0"}, "0", {"-1"}, "argument must be between 0 and 2147483647 inclusive"},
      {"lfu-decay-time", {"5"}, "5", {"-1"}, "argument must be between 0 and 2147483647 inclusive"},
      {"proto-max-bulk-len",
       {"2mb"},
       "2097152",
       {"1000"},
       "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"client-query-buffer-limit",
       {"1gb"},
       "1073741824",
       {"abc"},
       "argument couldn't be parsed into an integer"},
      {"protected-mode", {"no"}, "no", {"maybe"}, "argument must be 'yes' or 'no'"},
      {"daemonize", {"yes"}, "yes", {"maybe"}, "argument must be 'yes' or 'no'"},
      {"replicaof",
       {"no", "one"},
       "",
       {"127.0.0.1", "6379"},
       "stashd has no replication: it cannot be a replica (only 'no one')"},
      {"slaveof", {"NO", "ONE"}, "", {"no"}, "wrong number of arguments"},
      {"repl-backlog-size", {"10"}, "16384", {"-1"}, "argument must be a memory value"},
      {"maxmemory-clients",
       {"10%"},
       "10%",
       {"200%"},
       "percentage argument must be less or equal to 100"},
      {"key-load-delay", {"-5"}, "-5", {"x"}, "argument couldn't be parsed into an integer"},
      {"requirepass", {"s3cret"}, "s3cret", {"a", "b"}, "wrong number of arguments"},
      {"aclfile",
       {"/etc/stashd/users.acl"},
       "/etc/stashd/users.acl",
       {},
       "wrong number of arguments"},
      {"acl-pubsub-default",
       {"allchannels"},
       "allchannels",
       {"somechannels"},
       "argument(s) must be one of the following: allchannels, resetchannels"},
      {"acllog-max-len",
       {"10"},
       "10",
       {"-1"},
       "argument must be between 0 and 2147483647 inclusive"},
      {"busy-reply-threshold",
       {"100"},
       "100",
       {"-1"},
       "argument must be between 0 and 9223372036854775807 inclusive"},
      {"lua-time-limit",
       {"100"},
       "100",
       {"-1"},
       "argument must be between 0 and 9223372036854775807 inclusive"},
      {"client-output-buffer-limit",
       {"normal", "1mb", "512kb", "10"},
       "normal 1048576 524288 10 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
       {"normal", "1", "2"},
       "Wrong number of arguments in buffer limit configuration."},
      {"dir", {"/var/lib/stashd"}, "/var/lib/stashd", {""}, "directory name cannot be empty"},
      {"dbfilename", {"x.db"}, "x.db", {"a/b.db"}, "dbfilename can't be a path, just a filename"},
      {"logfile", {"/var/log/stashd.log"}, "/var/log/stashd.log", {}, "wrong number of arguments"},
      {"loglevel",
       {"verbose"},
       "verbose",
       {"loud"},
       "argument(s) must be one of the following: debug, verbose, notice, warning"},
      {"scope-state-prefix", {"st:"}, "st:", {""}, "the prefix cannot be empty"},
      {"scope-state-default-ttl",
       {"6h"},
       "6h",
       {"6x"},
       "argument must be a duration such as 0, 3600, 30m, 6h or 1d"},
      {"scope-state-max-value-size",
       {"1mb"},
       "1048576",
       {"big"},
       "argument must be a memory value such as 0, 4096 or 1mb"},
      {"scope-user-prefix", {"u:"}, "u:", {""}, "the prefix cannot be empty"},
      {"scope-user-default-ttl",
       {"90"},
       "90s",
       {"-1"},
       "argument must be a duration such as 0, 3600, 30m, 6h or 1d"},
      {"scope-user-max-value-size",
       {"4096"},
       "4096",
       {"-5"},
       "argument must be a memory value such as 0, 4096 or 1mb"},
      {"scope-global-prefix", {"g:"}, "g:", {""}, "the prefix cannot be empty"},
      {"scope-global-default-ttl",
       {"1d"},
       "1d",
       {"d"},
       "argument must be a duration such as 0, 3600, 30m, 6h or 1d"},
      {"scope-global-max-value-size",
       {"0"},
       "0",
       {"1x"},
       "argument must be a memory value such as 0, 4096 or 1mb"},
      {"save", {"900", "1"}, "900 1", {"900"}, "Invalid save parameters"},
      {"appendonly", {"no"}, "no", {"1"}, "argument must be 'yes' or 'no'"},
      {"appendfsync",
       {"always"},
       "always",
       {"sometimes"},
       "argument(s) must be one of the following: everysec, always, no"},
      {"appendfilename",
       {"log.slog"},
       "log.slog",
       {"a/b"},
       "appendfilename can't be a path, just a filename"},
      {"appenddirname", {"logs"}, "logs", {"a/b"}, "appenddirname can't be a path, just a dirname"},
      {"stop-writes-on-bgsave-error", {"no"}, "no", {"nope"}, "argument must be 'yes' or 'no'"},
      {"rdbcompression", {"no"}, "no", {"maybe"}, "argument must be 'yes' or 'no'"},
      {"auto-aof-rewrite-percentage",
       {"50"},
       "50",
       {"-1"},
       "argument must be between 0 and 2147483647 inclusive"},
      {"auto-aof-rewrite-min-size",
       {"1mb"},
       "1048576",
       {"x"},
       "argument couldn't be parsed into an integer"},
      {"hash-max-listpack-entries",
       {"128"},
       "128",
       {"x"},
       "argument couldn't be parsed into an integer"},
      {"hash-max-ziplist-entries",
       {"256"},
       "256",
       {"-1"},
       "argument couldn't be parsed into an integer"},
      {"hash-max-listpack-value",
       {"1kb"},
       "1024",
       {"x"},
       "argument couldn't be parsed into an integer"},
      {"hash-max-ziplist-value",
       {"32"},
       "32",
       {"-1"},
       "argument couldn't be parsed into an integer"},
      {"list-max-listpack-size",
       {"-5"},
       "-5",
       {"2147483648"},
       "argument must be between -2147483648 and 2147483647 inclusive"},
      {"list-max-ziplist-size",
       {"128"},
       "128",
       {"1kb"},
       "argument couldn't be parsed into an integer"},
      {"list-compress-depth",
       {"3"},
       "3",
       {"-1"},
       "argument must be between 0 and 2147483647 inclusive"},
      {"zset-max-listpack-entries",
       {"64"},
       "64",
       {"x"},
       "argument couldn't be parsed into an integer"},
      {"zset-max-ziplist-entries",
       {"256"},
       "256",
       {"-1"},
       "argument couldn't be parsed into an integer"},
      {"zset-max-listpack-value",
       {"1kb"},
       "1024",
       {"x"},
       "argument couldn't be parsed into an integer"},
      {"zset-max-ziplist-value",
       {"32"},
       "32",
       {"-1"},
       "argument couldn't be parsed into an integer"},
      {"notify-keyspace-events",
       {"Kxm$n"},
       "$xnKm",  // Redis's order
       {"KEq"},
       "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
      {"hll-sparse-max-bytes",
       {"1kb"},
       "1024",
       {"x"},
       "argument couldn't be parsed into an integer"},
      {"stream-node-max-bytes",
       {"1kb"},
       "1024",
       {"x"},
       "argument couldn't be parsed into an integer"},
      {"stream-node-max-entries",
       {"50"},
       "50",
       {"-1"},
       "argument must be between 0 and 9223372036854775807 inclusive"},
      {"set-max-intset-entries",
       {"1024"},
       "1024",
       {"-1"},
       "argument must be between 0 and 9223372036854775807 inclusive"},
      {"tracking-table-max-keys",
       {"0"},
       "0",
       {"-1"},
       "argument must be between 0 and 9223372036854775807 inclusive"},
      {"slowlog-log-slower-than",
       {"-1"},
       "-1",
       {"-2"},
       "argument must be between -1 and 9223372036854775807 inclusive"},
      {"slowlog-max-len",
       {"0"},
       "0",
       {"-1"},
       "argument must be between 0 and 9223372036854775807 inclusive"},
      {"latency-monitor-threshold",
       {"100"},
       "100",
       {"-1"},
       "argument must be between 0 and 9223372036854775807 inclusive"},
      {"latency-tracking", {"no"}, "no", {"maybe"}, "argument must be 'yes' or 'no'"},
      // In a file, one or several arguments; shown as Redis prints them.
      {"latency-tracking-info-percentiles",
       {"50.0", "99.99 0"},
       "50 99.99 0",
       {"100.5"},
       "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"},
  };
  return *cases;
}

TEST(DirectiveTest, EveryDirectiveIsCovered) {
  server::Config config;
  server::ConfigTable table(&config);
  std::set<std::string> covered;
  for (const DirectiveCase& c : Cases()) covered.insert(c.name);
  for (const std::string& name : table.Match("*")) {
    EXPECT_TRUE(covered.count(name)) << "no test case for directive '" << name << "'";
  }
}

TEST(DirectiveTest, ValuesAndErrors) {
  for (const DirectiveCase& c : Cases()) {
    server::Config config;
    server::ConfigTable table(&config);
    EXPECT_EQ(table.Set(c.name, c.good, /*at_startup=*/true), std::nullopt) << c.name;
    EXPECT_EQ(table.Get(c.name), c.shown) << c.name;
    EXPECT_EQ(table.Set(c.name, c.bad, /*at_startup=*/true), c.error) << c.name;
    // A refused value changes nothing.
    EXPECT_EQ(table.Get(c.name), c.shown) << c.name;
    // Names are case-insensitive.
    EXPECT_TRUE(table.Known(server::ToUpper(c.name))) << c.name;
  }
}

TEST(DirectiveTest, ImmutableAtRunTime) {
  server::Config config;
  server::ConfigTable table(&config);
  for (const char* name :
       {"databases", "io-threads", "dir", "dbfilename", "logfile", "aclfile", "scope-user-prefix",
        "appendfilename", "enable-protected-configs", "daemonize", "replicaof", "slaveof"}) {
    EXPECT_EQ(table.Set(name, {"x"}, /*at_startup=*/false), "can't set immutable config") << name;
  }
  EXPECT_EQ(table.Set("maxclients", {"7"}, /*at_startup=*/false), std::nullopt);
  EXPECT_EQ(config.maxclients.load(), 7);
}

TEST(DirectiveTest, OutputBufferLimitSyntax) {
  server::Config config;
  server::ConfigTable table(&config);
  EXPECT_EQ(table.Set("client-output-buffer-limit", {"normal 0 0 0 replica 1 2 3"}, false),
            std::nullopt);
  EXPECT_EQ(table.Get("client-output-buffer-limit"),
            "normal 0 0 0 slave 1 2 3 pubsub 33554432 8388608 60");
  EXPECT_EQ(table.Set("client-output-buffer-limit", {"foo 1 2 3"}, false),
            "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(table.Set("client-output-buffer-limit", {"normal x 2 3"}, false),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  EXPECT_EQ(table.Set("client-output-buffer-limit", {"normal -1 2 3"}, false),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  EXPECT_EQ(table.Set("client-output-buffer-limit", {"normal 1 2 -3"}, false),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  // A bad class later in the list changes no class.
  EXPECT_EQ(table.Set("client-output-buffer-limit", {"normal 5 5 5 foo 1 2 3"}, false),
            "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(config.output_buffer_limits[server::Config::kNormalClients].hard.load(), 0);
}

// ---- Config file and command line errors ----

TEST(ConfigErrorsTest, FileErrorsNameFileLineAndDirective) {
  struct Case {
    std::string content;
    std::string error;  // after "<path>:"
  };
  const std::vector<Case> cases = {
      {"port 6379\n\n  # comment\nfoo bar\n", "4: unknown directive 'foo'"},
      {"port 99999\n", "1: 'port': argument must be between 0 and 65535 inclusive"},
      {"requirepass \"unterminated\n", "1: unbalanced quotes in configuration line"},
      {"maxclients\n", "1: 'maxclients': wrong number of arguments"},
      {"protected-mode maybe\n", "1: 'protected-mode': argument must be 'yes' or 'no'"},
      {"save 900\n", "1: 'save': Invalid save parameters"},
      {"client-output-buffer-limit normal 1mb\n",
       "1: 'client-output-buffer-limit': Wrong number of arguments in buffer limit "
       "configuration."},
      {"loglevel loud\n",
       "1: 'loglevel': argument(s) must be one of the following: debug, verbose, notice, "
       "warning"},
  };
  for (const Case& c : cases) {
    std::string path = TempFile("bad.conf", c.content);
    server::Config config;
    server::ConfigTable table(&config);
    EXPECT_EQ(table.LoadFile(path), path + ":" + c.error) << c.content;
    std::filesystem::remove(path);
  }
  server::Config config;
  server::ConfigTable table(&config);
  EXPECT_EQ(table.LoadFile("/nonexistent/stashd.conf"),
            "cannot open config file '/nonexistent/stashd.conf': No such file or directory");
}

TEST(ConfigErrorsTest, CommandLineErrors) {
  server::Config config;
  server::ConfigTable table(&config);
  EXPECT_EQ(ParseArgs(table, {"--nosuch", "1"}), "unknown directive '--nosuch'");
  EXPECT_EQ(ParseArgs(table, {"--port", "1", "2"}),
            "directive '--port': wrong number of arguments");
  EXPECT_EQ(ParseArgs(table, {"--port", "x"}),
            "directive '--port': argument couldn't be parsed into an integer");
  EXPECT_EQ(ParseArgs(table, {"--port", "1", "--"}),
            "unexpected argument '--' (directives are given as --name value)");
  EXPECT_EQ(ParseArgs(table, {"/nonexistent.conf", "--port", "1"}),
            "cannot open config file '/nonexistent.conf': No such file or directory");
  server::Config c2;
  server::ConfigTable t2(&c2);
  EXPECT_EQ(ParseArgs(t2, {"--scope-user-prefix", "state:x"}),
            "scope-user-prefix 'state:x' starts with scope-state-prefix 'state:': scope prefixes "
            "must not overlap");
}

// ---- CONFIG SET side effects ----

class ConfigCommandTest : public CommandTest {};

TEST_F(ConfigCommandTest, ConfigGetAndSetTheNewDirectives) {
  RespValue v = Run({"config", "get", "client-output-buffer-limit"});
  ASSERT_THAT(v, ArrayOfSize(2));
  EXPECT_EQ(v[1].str,
            "normal 268435456 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(Run({"config", "set", "client-output-buffer-limit", "normal 1mb 0 0"}), "OK");
  EXPECT_EQ(server().config().output_buffer_limits[0].hard.load(), 1024 * 1024);
  EXPECT_THAT(Run({"config", "set", "client-output-buffer-limit", "normal 1 2"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument "
                      "'client-output-buffer-limit') - Wrong number of arguments in buffer limit "
                      "configuration."));
  EXPECT_THAT(Run({"config", "set", "aclfile", "x"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'aclfile') - can't set "
                      "immutable config"));
  EXPECT_EQ(Run({"config", "set", "acllog-max-len", "1"}), "OK");
  EXPECT_THAT(Run({"config", "get", "acllog-max-len"}).Strings(),
              ::testing::ElementsAre("acllog-max-len", "1"));
}

// hz is clamped to 1..500 as Redis does, at start-up and by CONFIG SET.
TEST(DirectiveTest, HzIsClamped) {
  server::Config config;
  server::ConfigTable table(&config);
  EXPECT_EQ(table.Set("hz", {"1000"}, /*at_startup=*/true), std::nullopt);
  EXPECT_EQ(table.Get("hz"), "500");
  EXPECT_EQ(table.Set("hz", {"0"}, /*at_startup=*/true), std::nullopt);
  EXPECT_EQ(table.Get("hz"), "1");
}

TEST(DirectiveTest, BindSplitsOneValueIntoAddresses) {
  server::Config config;
  server::ConfigTable table(&config);
  EXPECT_EQ(table.Set("bind", {"127.0.0.1  -::1"}, /*at_startup=*/false), std::nullopt);
  EXPECT_THAT(table.bind(), ::testing::ElementsAre("127.0.0.1", "-::1"));
  EXPECT_EQ(table.Set("bind", {"   "}, /*at_startup=*/false), "wrong number of arguments");
  std::string seventeen;
  for (int i = 1; i <= 17; ++i) seventeen += "127.0.0." + std::to_string(i) + " ";
  EXPECT_EQ(table.Set("bind", {seventeen}, /*at_startup=*/false),
            "Too many bind addresses specified.");
  EXPECT_THAT(table.bind(), ::testing::ElementsAre("127.0.0.1", "-::1"));
}

TEST_F(ConfigCommandTest, HzSetIsClampedLikeRedis) {
  EXPECT_EQ(Run({"config", "set", "hz", "501"}), "OK");
  EXPECT_THAT(Run({"config", "get", "hz"}).Strings(), ::testing::ElementsAre("hz", "500"));
  EXPECT_EQ(server().config().hz.load(), 500);
  EXPECT_EQ(Run({"config", "set", "hz", "0"}), "OK");
  EXPECT_THAT(Run({"config", "get", "hz"}).Strings(), ::testing::ElementsAre("hz", "1"));
  EXPECT_THAT(Run({"config", "set", "hz", "-1"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'hz') - argument must "
                      "be between 0 and 2147483647 inclusive"));
  EXPECT_THAT(Run({"config", "get", "hz"}).Strings(), ::testing::ElementsAre("hz", "1"));
}

// Without a listening server (the dispatcher fixture) port and bind are
// plain mutable values; the e2e tests check the listening.
TEST_F(ConfigCommandTest, PortAndBindAreMutable) {
  EXPECT_EQ(Run({"config", "set", "bind", "127.0.0.1 -::1"}), "OK");
  EXPECT_THAT(Run({"config", "get", "bind"}).Strings(),
              ::testing::ElementsAre("bind", "127.0.0.1 -::1"));
  EXPECT_THAT(Run({"config", "set", "port", "65536"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'port') - argument "
                      "must be between 0 and 65535 inclusive"));
  EXPECT_THAT(Run({"config", "set", "port", "abc"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'port') - argument "
                      "couldn't be parsed into an integer"));
}

TEST_F(ConfigCommandTest, ProtectedConfigsAreRefusedByDefault) {
  for (const char* name : {"dir", "dbfilename", "DIR"}) {
    EXPECT_THAT(Run({"config", "set", name, "x"}),
                ErrorIs(std::string("ERR CONFIG SET failed (possibly related to argument '") +
                        name + "') - can't set protected config"))
        << name;
  }
  EXPECT_THAT(Run({"config", "get", "enable-protected-configs"}).Strings(),
              ::testing::ElementsAre("enable-protected-configs", "no"));
  EXPECT_THAT(Run({"config", "set", "enable-protected-configs", "yes"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument "
                      "'enable-protected-configs') - can't set immutable config"));
  // Refused before anything is applied: hz keeps its value.
  EXPECT_THAT(Run({"config", "set", "hz", "50", "dir", "x"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set "
                      "protected config"));
  EXPECT_EQ(server().config().hz.load(), 10);
}

// Allowed (yes, or local from a loopback client), dir and dbfilename still
// stay where the write log is: stashd says so instead of moving them.
TEST_F(ConfigCommandTest, ProtectedConfigsAllowedStayFixedInStashd) {
  server().config().enable_protected_configs = server::Config::ProtectedAction::kYes;
  const std::string dir = server().config().dir;
  EXPECT_THAT(Run({"config", "set", "dir", "/tmp"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set "
                      "immutable config: the write log continues the snapshot in this location; "
                      "change it in the config file and restart"));
  EXPECT_EQ(server().config().dir, dir);

  server().config().enable_protected_configs = server::Config::ProtectedAction::kLocal;
  EXPECT_THAT(Run({"config", "set", "dbfilename", "x.db"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't "
                      "set immutable config: the write log continues the snapshot in this "
                      "location; change it in the config file and restart"));
  TestClient& remote = NewClient();
  remote.state.addr = "10.1.2.3:5000";
  EXPECT_THAT(Run(remote, {"config", "set", "dbfilename", "x.db"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't "
                      "set protected config"));
  TestClient& local6 = NewClient();
  local6.state.addr = "::1:5000";
  EXPECT_THAT(Run(local6, {"config", "set", "dbfilename", "x.db"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't "
                      "set immutable config: the write log continues the snapshot in this "
                      "location; change it in the config file and restart"));
}

// ---- CONFIG SET / GET with several names, hidden and immutable configs ----
// (replies printed by redis-server 7.0.15 for the same commands)

TEST_F(ConfigCommandTest, SetSeveralAtOnce) {
  EXPECT_EQ(Run({"config", "set", "maxmemory", "10000001", "repl-backlog-size", "10000002", "save",
                 "3000 5"}),
            "OK");
  EXPECT_EQ(Run({"config", "get", "maxmemory"}).Strings(), (Strings{"maxmemory", "10000001"}));
  EXPECT_EQ(Run({"config", "get", "repl-backlog-size"}).Strings(),
            (Strings{"repl-backlog-size", "10000002"}));
  EXPECT_EQ(Run({"config", "get", "save"}).Strings(), (Strings{"save", "3000 5"}));
  EXPECT_THAT(Run({"info", "replication"}).str, HasSubstr("repl_backlog_size:10000002\r\n"));
}

TEST_F(ConfigCommandTest, SetRollsBackWhenOneValueIsRefused) {
  ASSERT_EQ(Run({"config", "set", "maxmemory", "10000002"}), "OK");
  EXPECT_EQ(RunRaw({"config", "set", "maxmemory", "10000001", "maxmemory-clients", "200%",
                    "client-query-buffer-limit", "invalid"}),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
            "percentage argument must be less or equal to 100\r\n");
  EXPECT_EQ(Run({"config", "get", "maxmemory"}).Strings(), (Strings{"maxmemory", "10000002"}));
  EXPECT_EQ(Run({"config", "get", "maxmemory-clients"}).Strings(),
            (Strings{"maxmemory-clients", "0"}));
  EXPECT_EQ(Run({"config", "get", "client-query-buffer-limit"}).Strings(),
            (Strings{"client-query-buffer-limit", "1073741824"}));
}

TEST_F(ConfigCommandTest, MaxmemoryClientsTakesMemoryOrPercent) {
  EXPECT_EQ(Run({"config", "set", "maxmemory-clients", "10%"}), "OK");
  EXPECT_EQ(Run({"config", "get", "maxmemory-clients"}).Strings(),
            (Strings{"maxmemory-clients", "10%"}));
  EXPECT_EQ(server().config().MaxmemoryClientsBytes(), 0);  // 10% of no limit
  ASSERT_EQ(Run({"config", "set", "maxmemory", "1000000"}), "OK");
  EXPECT_EQ(server().config().MaxmemoryClientsBytes(), 100000);
  EXPECT_EQ(Run({"config", "set", "maxmemory-clients", "1gb"}), "OK");
  EXPECT_EQ(Run({"config", "get", "maxmemory-clients"}).Strings(),
            (Strings{"maxmemory-clients", "1073741824"}));
  EXPECT_EQ(Run({"config", "set", "maxmemory-clients", "0%"}), "OK");
  EXPECT_EQ(Run({"config", "get", "maxmemory-clients"}).Strings(),
            (Strings{"maxmemory-clients", "0"}));
  for (const char* bad : {"abc", "-5", "-5%"}) {
    EXPECT_EQ(RunRaw({"config", "set", "maxmemory-clients", bad}),
              "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
              "argument must be a memory or percent value\r\n")
        << bad;
  }
  EXPECT_THAT(Run({"info", "stats"}).str, HasSubstr("\r\nevicted_clients:0\r\n"));
}

TEST_F(ConfigCommandTest, ImmutableConfigsAreRefused) {
  for (const char* name : {"daemonize", "replicaof", "slaveof"}) {
    EXPECT_EQ(RunRaw({"config", "set", name, "yes"}),
              "-ERR CONFIG SET failed (possibly related to argument '" + std::string(name) +
                  "') - can't set immutable config\r\n");
  }
}

TEST_F(ConfigCommandTest, HiddenConfigsOnlyByName) {
  RespValue all = Run({"config", "get", "*"});
  for (size_t i = 0; i < all.elems.size(); i += 2) {
    EXPECT_NE(all.elems[i].str, "key-load-delay");
    EXPECT_FALSE(all.elems[i].str.starts_with("scope-")) << all.elems[i].str;
  }
  EXPECT_EQ(Run({"config", "get", "key-load-delay"}).Strings(), (Strings{"key-load-delay", "0"}));
  EXPECT_EQ(Run({"config", "get", "key-load*"}).Strings(), Strings{});
  EXPECT_EQ(Run({"config", "get", "scope-user-prefix"}).Strings(),
            (Strings{"scope-user-prefix", "user:"}));
  EXPECT_EQ(Run({"config", "set", "key-load-delay", "10"}), "OK");
  EXPECT_EQ(Run({"config", "get", "key-load-delay"}).Strings(), (Strings{"key-load-delay", "10"}));
}

TEST_F(ConfigCommandTest, GetSeveralPatternsEachNameOnce) {
  RespValue r = Run({"config", "get", "maxmemory", "maxmemory*", "bind", "*of"});
  std::map<std::string, std::string> got;
  for (size_t i = 0; i + 1 < r.elems.size(); i += 2) {
    EXPECT_TRUE(got.emplace(r.elems[i].str, r.elems[i + 1].str).second) << r.elems[i].str;
  }
  EXPECT_EQ(got["slaveof"], "");
  EXPECT_EQ(got["replicaof"], "");
  EXPECT_EQ(got["maxmemory"], "0");
  EXPECT_EQ(got["maxmemory-clients"], "0");
  EXPECT_EQ(got["bind"], "127.0.0.1 -::1");
}

// What Redis's "CONFIG sanity" test does: every directive CONFIG GET *
// lists (but the fixed ones Redis's test skips, and port/bind, which
// listen anew) can be set to the value it shows, and then shows it again.
TEST_F(ConfigCommandTest, EveryListedDirectiveTakesItsOwnValueBack) {
  const std::set<std::string> skipped = {
      "daemonize",  "tcp-backlog", "aclfile",        "databases",     "io-threads",
      "logfile",    "replicaof",   "slaveof",        "requirepass",   "enable-protected-configs",
      "dbfilename", "dir",         "appendfilename", "appenddirname", "port",
      "bind"};
  RespValue before = Run({"config", "get", "*"});
  ASSERT_GT(before.elems.size(), 40u);
  for (size_t i = 0; i + 1 < before.elems.size(); i += 2) {
    const std::string& name = before.elems[i].str;
    if (skipped.count(name)) continue;
    EXPECT_EQ(Run({"config", "set", name, before.elems[i + 1].str}), "OK") << name;
  }
  EXPECT_EQ(Run({"config", "get", "*"}).Strings(), before.Strings());
}

}  // namespace
}  // namespace stashd::test
