// CLUSTER, READONLY, READWRITE and ASKING through the dispatcher. stashd is a
// Redis with cluster-enabled no: the commands exist and refuse. Every reply
// and every COMMAND INFO / DOCS byte string below was printed by
// redis-server 7.0.15 started without options.
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::Contains;

constexpr char kDisabled[] = "-ERR This instance has cluster support disabled\r\n";

// Every subcommand Redis 7.0.15 lists in COMMAND INFO cluster, with a
// command line of the right arity.
const std::vector<std::vector<std::string>> kSubcommandLines = {
    {"cluster", "addslots", "1"},
    {"cluster", "addslotsrange", "1", "2"},
    {"cluster", "bumpepoch"},
    {"cluster", "count-failure-reports", "x"},
    {"cluster", "countkeysinslot", "1"},
    {"cluster", "delslots", "1"},
    {"cluster", "delslotsrange", "1", "2"},
    {"cluster", "failover"},
    {"cluster", "flushslots"},
    {"cluster", "forget", "x"},
    {"cluster", "getkeysinslot", "1", "1"},
    {"cluster", "help"},
    {"cluster", "info"},
    {"cluster", "keyslot", "foo"},
    {"cluster", "links"},
    {"cluster", "meet", "1.2.3.4", "5"},
    {"cluster", "myid"},
    {"cluster", "nodes"},
    {"cluster", "replicas", "x"},
    {"cluster", "replicate", "x"},
    {"cluster", "reset"},
    {"cluster", "saveconfig"},
    {"cluster", "set-config-epoch", "1"},
    {"cluster", "setslot", "1", "x"},
    {"cluster", "shards"},
    {"cluster", "slaves", "x"},
    {"cluster", "slots"},
};

class ClusterTest : public CommandTest {
 protected:
  // "*1\r\n" + entry: COMMAND INFO of one command.
  std::string InfoOf(const std::string& name) { return RunRaw({"command", "info", name}); }
};

TEST_F(ClusterTest, EverySubcommandSaysClusterIsDisabled) {
  for (const std::vector<std::string>& line : kSubcommandLines) {
    EXPECT_EQ(RunRaw(line), kDisabled) << line[1];
  }
  // Redis checks cluster_enabled before the subcommand's own arguments:
  // HELP and KEYSLOT compute nothing, bad options are not looked at.
  EXPECT_EQ(RunRaw({"CLUSTER", "HELP"}), kDisabled);
  EXPECT_EQ(RunRaw({"cluster", "keyslot", "{user1000}.following"}), kDisabled);
  EXPECT_EQ(RunRaw({"cluster", "failover", "a", "b"}), kDisabled);
  EXPECT_EQ(RunRaw({"cluster", "reset", "a", "b"}), kDisabled);
  EXPECT_EQ(RunRaw({"cluster", "meet", "1", "2", "3", "4"}), kDisabled);
  EXPECT_EQ(RunRaw({"cluster", "countkeysinslot", "notanumber"}), kDisabled);
}

TEST_F(ClusterTest, ConnectionCommandsSayClusterIsDisabled) {
  EXPECT_EQ(RunRaw({"readonly"}), kDisabled);
  EXPECT_EQ(RunRaw({"READWRITE"}), kDisabled);
  EXPECT_EQ(RunRaw({"asking"}), kDisabled);
  EXPECT_EQ(RunRaw({"readonly", "x"}), "-ERR wrong number of arguments for 'readonly' command\r\n");
  EXPECT_EQ(RunRaw({"asking", "x"}), "-ERR wrong number of arguments for 'asking' command\r\n");
}

TEST_F(ClusterTest, ArityAndUnknownSubcommand) {
  EXPECT_EQ(RunRaw({"cluster"}), "-ERR wrong number of arguments for 'cluster' command\r\n");
  EXPECT_EQ(RunRaw({"cluster", "foo"}), "-ERR unknown subcommand 'foo'. Try CLUSTER HELP.\r\n");
  EXPECT_EQ(RunRaw({"cluster", "help", "extra"}),
            "-ERR wrong number of arguments for 'cluster|help' command\r\n");
  EXPECT_EQ(RunRaw({"CLUSTER", "Info", "x"}),
            "-ERR wrong number of arguments for 'cluster|info' command\r\n");
  EXPECT_EQ(RunRaw({"cluster", "keyslot"}),
            "-ERR wrong number of arguments for 'cluster|keyslot' command\r\n");
  EXPECT_EQ(RunRaw({"cluster", "keyslot", "a", "b"}),
            "-ERR wrong number of arguments for 'cluster|keyslot' command\r\n");
  EXPECT_EQ(RunRaw({"cluster", "meet", "1.2.3.4"}),
            "-ERR wrong number of arguments for 'cluster|meet' command\r\n");
  EXPECT_EQ(RunRaw({"cluster", "getkeysinslot", "1"}),
            "-ERR wrong number of arguments for 'cluster|getkeysinslot' command\r\n");
  EXPECT_EQ(RunRaw({"cluster", "count-failure-reports"}),
            "-ERR wrong number of arguments for 'cluster|count-failure-reports' command\r\n");
}

TEST_F(ClusterTest, InsideMultiTheErrorsComeFromExec) {
  EXPECT_EQ(RunRaw({"multi"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"cluster", "keyslot", "foo"}), "+QUEUED\r\n");
  EXPECT_EQ(RunRaw({"asking"}), "+QUEUED\r\n");
  EXPECT_EQ(RunRaw({"exec"}), std::string("*2\r\n") + kDisabled + kDisabled);
}

TEST_F(ClusterTest, FromScripts) {
  EXPECT_EQ(RunRaw({"eval", "return redis.pcall('cluster','info')", "0"}), kDisabled);
  EXPECT_EQ(RunRaw({"eval", "return redis.pcall('readonly')", "0"}), kDisabled);
  // CLUSTER RESET is noscript.
  EXPECT_EQ(RunRaw({"eval", "return redis.pcall('cluster','reset')", "0"}),
            "-ERR This Redis command is not allowed from script\r\n");
}

TEST_F(ClusterTest, CommandInfoMatchesRedis) {
  EXPECT_EQ(InfoOf("cluster|keyslot"),
            "*1\r\n*10\r\n$15\r\ncluster|keyslot\r\n:3\r\n*1\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n"
            "+@slow\r\n*0\r\n*0\r\n*0\r\n");
  EXPECT_EQ(InfoOf("CLUSTER|count-failure-reports"),
            "*1\r\n*10\r\n$29\r\ncluster|count-failure-reports\r\n:3\r\n*2\r\n+admin\r\n+stale\r\n"
            ":0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*1\r\n$23\r\n"
            "nondeterministic_output\r\n*0\r\n*0\r\n");
  EXPECT_EQ(InfoOf("readonly"),
            "*1\r\n*10\r\n$8\r\nreadonly\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n"
            ":0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n");
  EXPECT_EQ(InfoOf("asking"),
            "*1\r\n*10\r\n$6\r\nasking\r\n:1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n"
            "+@connection\r\n*0\r\n*0\r\n*0\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(InfoOf("cluster|reset"),
            "*1\r\n*10\r\n$13\r\ncluster|reset\r\n:-2\r\n~3\r\n+admin\r\n+noscript\r\n+stale\r\n"
            ":0\r\n:0\r\n:0\r\n~3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n~0\r\n~0\r\n~0\r\n");
}

TEST_F(ClusterTest, CommandInfoOfTheContainerListsEverySubcommand) {
  RespValue v = Run({"command", "info", "cluster"});
  ASSERT_THAT(v, ArrayOfSize(1));
  const RespValue& cluster = v[0];
  ASSERT_THAT(cluster, ArrayOfSize(10));
  EXPECT_EQ(cluster[0], "cluster");
  EXPECT_THAT(cluster[1], IsInt(-2));
  EXPECT_THAT(cluster[2], ArrayOfSize(0));
  EXPECT_THAT(cluster[6], StrArray(std::vector<std::string>{"@slow"}));
  std::vector<std::string> subs;
  for (const RespValue& sub : cluster[9].elems) subs.push_back(sub[0].str);
  std::vector<std::string> expected;
  for (const std::vector<std::string>& line : kSubcommandLines) {
    expected.push_back("cluster|" + line[1]);
  }
  EXPECT_THAT(subs, ::testing::UnorderedElementsAreArray(expected));
  EXPECT_EQ(subs.size(), 27u);
}

TEST_F(ClusterTest, CommandListFindsThem) {
  // The TCL suite's introspection-2 looks for cluster|help.
  EXPECT_THAT(Run({"command", "list"}).Strings(), Contains("cluster|help"));
  EXPECT_EQ(RunRaw({"command", "list", "filterby", "pattern", "cluster|s*"}).substr(0, 4),
            "*6\r\n");
  EXPECT_THAT(Run({"command", "list", "filterby", "pattern", "cluster|s*"}),
              StrSet(std::vector<std::string>{"cluster|shards", "cluster|slots", "cluster|slaves",
                                              "cluster|setslot", "cluster|saveconfig",
                                              "cluster|set-config-epoch"}));
  RespValue conn = Run({"command", "list", "filterby", "aclcat", "connection"});
  EXPECT_THAT(conn.Strings(), Contains("readonly"));
  EXPECT_THAT(conn.Strings(), Contains("readwrite"));
  EXPECT_THAT(conn.Strings(), Contains("asking"));
  EXPECT_EQ(RunRaw({"command", "getkeys", "cluster", "info"}),
            "-ERR The command has no key arguments\r\n");
}

TEST_F(ClusterTest, CommandDocsMatchesRedis) {
  EXPECT_EQ(
      RunRaw({"command", "docs", "cluster|setslot"}),
      "*2\r\n$15\r\ncluster|setslot\r\n*10\r\n$7\r\nsummary\r\n$35\r\nBind a hash slot to a "
      "specific node\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\n"
      "complexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*2\r\n*4\r\n$4\r\nname\r\n$4\r\nslot\r\n"
      "$4\r\ntype\r\n$7\r\ninteger\r\n*6\r\n$4\r\nname\r\n$10\r\nsubcommand\r\n$4\r\ntype\r\n$5\r\n"
      "oneof\r\n$9\r\narguments\r\n*4\r\n*6\r\n$4\r\nname\r\n$7\r\nnode-id\r\n$4\r\ntype\r\n$6\r\n"
      "string\r\n$5\r\ntoken\r\n$9\r\nIMPORTING\r\n*6\r\n$4\r\nname\r\n$7\r\nnode-id\r\n$4\r\n"
      "type\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$9\r\nMIGRATING\r\n*6\r\n$4\r\nname\r\n$7\r\n"
      "node-id\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$4\r\nNODE\r\n*6\r\n$4\r\nname\r\n"
      "$6\r\nstable\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nSTABLE\r\n");
  EXPECT_EQ(
      RunRaw({"command", "docs", "cluster|meet"}),
      "*2\r\n$12\r\ncluster|meet\r\n*12\r\n$7\r\nsummary\r\n$51\r\nForce a node cluster to "
      "handshake with another node\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\n"
      "cluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n*1\r\n*2\r\n$5\r\n"
      "4.0.0\r\n$47\r\nAdded the optional `cluster_bus_port` argument.\r\n$9\r\narguments\r\n"
      "*3\r\n*4\r\n$4\r\nname\r\n$2\r\nip\r\n$4\r\ntype\r\n$6\r\nstring\r\n*4\r\n$4\r\nname\r\n"
      "$4\r\nport\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*8\r\n$4\r\nname\r\n$16\r\n"
      "cluster_bus_port\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n$5\r\n"
      "flags\r\n*1\r\n+optional\r\n");
  EXPECT_EQ(RunRaw({"command", "docs", "readwrite"}),
            "*2\r\n$9\r\nreadwrite\r\n*8\r\n$7\r\nsummary\r\n$64\r\nDisables read queries for a "
            "connection to a cluster replica node\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n"
            "$7\r\ncluster\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(
      RunRaw({"command", "docs", "cluster|slots"}),
      "%1\r\n$13\r\ncluster|slots\r\n%8\r\n$7\r\nsummary\r\n$42\r\nGet array of Cluster slot "
      "to node mappings\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\ngroup\r\n$7\r\ncluster\r\n$10\r\n"
      "complexity\r\n$49\r\nO(N) where N is the total number of Cluster nodes\r\n$9\r\n"
      "doc_flags\r\n~1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n7.0.0\r\n$11\r\n"
      "replaced_by\r\n$16\r\n`CLUSTER SHARDS`\r\n$7\r\nhistory\r\n~2\r\n*2\r\n$5\r\n4.0.0\r\n"
      "$15\r\nAdded node IDs.\r\n*2\r\n$5\r\n7.0.0\r\n$43\r\nAdded additional networking "
      "metadata field.\r\n");
}

}  // namespace
}  // namespace stashd::test
