// maxmemory and maxmemory-policy, MEMORY STATS / DOCTOR / HELP, CLIENT
// PAUSE / UNPAUSE / NO-EVICT: replies checked against redis-server 7.0.15.
// Used memory is the test process's (mallinfo2): `maxmemory 1` puts the
// server over its limit whatever it holds, a large limit under it.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kOom[] = "OOM command not allowed when used memory > 'maxmemory'.";

class MaxmemoryTest : public CommandTest {
 protected:
  int64_t InfoField(const std::string& section, const std::string& field) {
    const std::string info = Run({"info", section}).str;
    const size_t at = info.find("\r\n" + field + ":");
    EXPECT_NE(at, std::string::npos) << field;
    if (at == std::string::npos) return -1;
    return std::stoll(info.substr(at + field.size() + 3));
  }
  std::string InfoString(const std::string& section, const std::string& field) {
    const std::string info = Run({"info", section}).str;
    const size_t at = info.find("\r\n" + field + ":");
    if (at == std::string::npos) return "";
    const size_t from = at + field.size() + 3;
    return info.substr(from, info.find("\r\n", from) - from);
  }
};

// ---- config ----

TEST_F(MaxmemoryTest, ConfigParsesRedisMemoryUnits) {
  EXPECT_THAT(Run({"config", "get", "maxmemory"}),
              StrArray(std::vector<std::string>{"maxmemory", "0"}));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"100", "100"},     {"1k", "1000"},       {"1kb", "1024"},       {"2m", "2000000"},
      {"2mb", "2097152"}, {"1g", "1000000000"}, {"1GB", "1073741824"}, {"0", "0"}};
  for (const auto& [value, shown] : cases) {
    EXPECT_EQ(RunRaw({"config", "set", "maxmemory", value}), "+OK\r\n") << value;
    EXPECT_THAT(Run({"config", "get", "maxmemory"}),
                StrArray(std::vector<std::string>{"maxmemory", shown}));
  }
  for (const std::string bad : {"1x", "-1", "abc"}) {
    EXPECT_THAT(Run({"config", "set", "maxmemory", bad}),
                ErrorIs("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
                        "argument must be a memory value"));
  }
}

TEST_F(MaxmemoryTest, ConfigPolicy) {
  EXPECT_THAT(Run({"config", "get", "maxmemory-policy"}),
              StrArray(std::vector<std::string>{"maxmemory-policy", "noeviction"}));
  for (const std::string p : {"allkeys-random", "volatile-random", "volatile-ttl", "allkeys-lru",
                              "volatile-lru", "allkeys-lfu", "volatile-lfu", "noeviction"}) {
    EXPECT_EQ(RunRaw({"config", "set", "maxmemory-policy", p}), "+OK\r\n");
    EXPECT_THAT(Run({"config", "get", "maxmemory-policy"}),
                StrArray(std::vector<std::string>{"maxmemory-policy", p}));
  }
  EXPECT_EQ(RunRaw({"config", "set", "maxmemory-policy", "ALLKEYS-RANDOM"}), "+OK\r\n");
  EXPECT_EQ(InfoString("memory", "maxmemory_policy"), "allkeys-random");
  EXPECT_THAT(Run({"config", "set", "maxmemory-policy", "foo"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument "
                      "'maxmemory-policy') - argument(s) must be one of the following: "
                      "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
                      "allkeys-lfu, allkeys-random, noeviction"));
  EXPECT_THAT(Run({"config", "get", "maxmemory-samples"}),
              StrArray(std::vector<std::string>{"maxmemory-samples", "5"}));
  EXPECT_THAT(Run({"config", "get", "lfu-*"}),
              StrArray(std::vector<std::string>{"lfu-decay-time", "1", "lfu-log-factor", "10"}));
  EXPECT_THAT(Run({"config", "set", "maxmemory-samples", "0"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - "
                      "argument must be between 1 and 2147483647 inclusive"));
}

TEST_F(MaxmemoryTest, InfoMemoryShowsTheLimit) {
  EXPECT_EQ(InfoString("memory", "maxmemory"), "0");
  EXPECT_EQ(InfoString("memory", "maxmemory_human"), "0B");
  EXPECT_EQ(InfoString("memory", "maxmemory_policy"), "noeviction");
  Run({"config", "set", "maxmemory", "3mb"});
  EXPECT_EQ(InfoString("memory", "maxmemory"), "3145728");
  EXPECT_EQ(InfoString("memory", "maxmemory_human"), "3.00M");
}

// ---- noeviction ----

TEST_F(MaxmemoryTest, NoevictionRefusesDenyoomCommandsOnly) {
  Run({"set", "k", "v"});
  Run({"rpush", "l", "a"});
  Run({"config", "set", "maxmemory", "1"});
  EXPECT_THAT(Run({"set", "k2", "v"}), ErrorIs(kOom));
  EXPECT_THAT(Run({"rpush", "l", "b"}), ErrorIs(kOom));
  EXPECT_THAT(Run({"hset", "h", "f", "v"}), ErrorIs(kOom));
  EXPECT_EQ(RunRaw({"get", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(RunRaw({"lpop", "l"}), "$1\r\na\r\n");  // not denyoom
  EXPECT_EQ(RunRaw({"expire", "k", "100"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"del", "k"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"ping"}), "+PONG\r\n");
  EXPECT_THAT(Run({"info", "errorstats"}).str, HasSubstr("errorstat_OOM:count=3"));
  Run({"config", "set", "maxmemory", "0"});
  EXPECT_EQ(RunRaw({"set", "k2", "v"}), "+OK\r\n");
  // A limit far above what is used changes nothing.
  Run({"config", "set", "maxmemory", "100gb"});
  EXPECT_EQ(RunRaw({"set", "k3", "v"}), "+OK\r\n");
}

TEST_F(MaxmemoryTest, NoevictionInsideMulti) {
  // Over the limit, queuing anything fails (queuing takes memory), and EXEC
  // then aborts; DISCARD still works.
  Run({"config", "set", "maxmemory", "1"});
  EXPECT_EQ(RunRaw({"multi"}), "+OK\r\n");
  EXPECT_THAT(Run({"set", "k", "v"}), ErrorIs(kOom));
  EXPECT_THAT(Run({"get", "k"}), ErrorIs(kOom));
  EXPECT_THAT(Run({"exec"}),
              ErrorIs("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(RunRaw({"multi"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"discard"}), "+OK\r\n");
  // Queued under the limit, executed over it: EXEC says why it refused.
  Run({"config", "set", "maxmemory", "0"});
  EXPECT_EQ(RunRaw({"multi"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"set", "k", "v"}), "+QUEUED\r\n");
  TestClient& admin = NewClient();
  Run(admin, {"config", "set", "maxmemory", "1"});
  EXPECT_THAT(Run({"exec"}),
              ErrorIs("EXECABORT Transaction discarded because of: OOM command not allowed when "
                      "used memory > 'maxmemory'."));
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  // A transaction of reads runs.
  Run(admin, {"config", "set", "maxmemory", "0"});
  EXPECT_EQ(RunRaw({"multi"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"get", "k"}), "+QUEUED\r\n");
  Run(admin, {"config", "set", "maxmemory", "1"});
  EXPECT_EQ(RunRaw({"exec"}), "*1\r\n$-1\r\n");
}

TEST_F(MaxmemoryTest, NoevictionInScripts) {
  Run({"config", "set", "maxmemory", "1"});
  RespValue r = Run({"eval", "return redis.call('set','x','y')", "0"});
  EXPECT_EQ(r.kind, RespValue::Kind::kError);
  EXPECT_THAT(r.str, StartsWith(kOom));
  EXPECT_EQ(RunRaw({"eval",
                    "local t = redis.pcall('set','x','y') if t['err'] == \"OOM command not "
                    "allowed when used memory > 'maxmemory'.\" then return 1 else return 0 end",
                    "0"}),
            ":1\r\n");
  // Reads run; a script with a shebang and neither no-writes nor allow-oom
  // is refused before it starts; allow-oom may write.
  EXPECT_EQ(RunRaw({"eval", "return redis.call('get','x')", "0"}), "$-1\r\n");
  EXPECT_THAT(Run({"eval", "#!lua\nreturn redis.call('get','x')", "0"}), ErrorIs(kOom));
  EXPECT_EQ(RunRaw({"eval", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0"}),
            "$-1\r\n");
  EXPECT_EQ(RunRaw({"eval", "#!lua flags=allow-oom\nreturn redis.call('set','x','y')", "0"}),
            "+OK\r\n");
  // Once a script has written, its later writes are not refused.
  Run({"config", "set", "maxmemory", "0"});
}

// ---- eviction ----

TEST_F(MaxmemoryTest, AllkeysRandomEvictsEverythingItMust) {
  for (int i = 0; i < 50; ++i) Run({"set", "k" + std::to_string(i), "v"});
  Run({"select", "3"});
  Run({"set", "other", "v"});
  Run({"select", "0"});
  Run({"config", "set", "maxmemory-policy", "allkeys-random"});
  Run({"config", "set", "maxmemory", "1"});
  // Nothing can bring the process under 1 byte: every key goes, then the
  // write is refused.
  EXPECT_THAT(Run({"set", "new", "v"}), ErrorIs(kOom));
  EXPECT_EQ(RunRaw({"dbsize"}), ":0\r\n");
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 51);
  Run({"config", "resetstat"});
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 0);
}

TEST_F(MaxmemoryTest, LruAndLfuPoliciesEvictToo) {
  for (const std::string policy : {"allkeys-lru", "allkeys-lfu"}) {
    Run({"config", "set", "maxmemory", "0"});
    for (int i = 0; i < 20; ++i) Run({"set", "k" + std::to_string(i), "v"});
    Run({"config", "set", "maxmemory-policy", policy});
    Run({"config", "set", "maxmemory", "1"});
    EXPECT_THAT(Run({"set", "new", "v"}), ErrorIs(kOom)) << policy;
    EXPECT_EQ(RunRaw({"dbsize"}), ":0\r\n") << policy;
  }
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 40);
}

TEST_F(MaxmemoryTest, VolatilePoliciesEvictOnlyKeysWithATtl) {
  for (const std::string policy :
       {"volatile-random", "volatile-ttl", "volatile-lru", "volatile-lfu"}) {
    Run({"config", "set", "maxmemory", "0"});
    Run({"flushall"});
    for (int i = 0; i < 10; ++i) Run({"set", "p" + std::to_string(i), "v"});
    for (int i = 0; i < 10; ++i) Run({"set", "t" + std::to_string(i), "v", "EX", "100"});
    Run({"config", "set", "maxmemory-policy", policy});
    Run({"config", "set", "maxmemory", "1"});
    EXPECT_THAT(Run({"set", "new", "v"}), ErrorIs(kOom)) << policy;
    EXPECT_EQ(RunRaw({"dbsize"}), ":10\r\n") << policy;
    EXPECT_EQ(RunRaw({"exists", "p0", "p9", "t0"}), ":2\r\n") << policy;
  }
}

TEST_F(MaxmemoryTest, EvictedKeysAreNotified) {
  Run({"config", "set", "notify-keyspace-events", "KEe"});
  TestClient& sub = NewClient();
  RunAll(sub, {"subscribe", "__keyevent@0__:evicted", "__keyspace@0__:victim"});
  TakeMessages(sub);
  Run({"set", "victim", "v"});
  Run({"config", "set", "maxmemory-policy", "allkeys-random"});
  Run({"config", "set", "maxmemory", "1"});
  Run({"get", "victim"});
  // The keyspace channel first, as Redis publishes them.
  EXPECT_EQ(TakeMessages(sub),
            (std::vector<std::string>{"[\"message\", \"__keyspace@0__:victim\", \"evicted\"]",
                                      "[\"message\", \"__keyevent@0__:evicted\", \"victim\"]"}));
}

// Redis evicts as soon as CONFIG SET lowers maxmemory, not only before
// the next command (pubsub.tcl "Keyspace notifications: evicted events").
TEST_F(MaxmemoryTest, ConfigSetMaxmemoryEvictsAtOnce) {
  Run({"config", "set", "notify-keyspace-events", "Ee"});
  TestClient& sub = NewClient();
  RunAll(sub, {"psubscribe", "*"});
  TakeMessages(sub);
  Run({"config", "set", "maxmemory-policy", "allkeys-lru"});
  Run({"set", "foo", "bar"});
  EXPECT_EQ(RunRaw({"config", "set", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_EQ(
      TakeMessages(sub),
      (std::vector<std::string>{"[\"pmessage\", \"*\", \"__keyevent@0__:evicted\", \"foo\"]"}));
  Run({"config", "set", "maxmemory", "0"});
}

// ---- MEMORY ----

TEST_F(MaxmemoryTest, MemoryStatsFieldsInRedisOrder) {
  Run({"set", "a", "1"});
  Run({"set", "b", "1", "EX", "100"});
  Run({"select", "2"});
  Run({"set", "c", "1"});
  RespValue v = Run({"memory", "stats"});
  ASSERT_EQ(v.kind, RespValue::Kind::kArray);
  std::vector<std::string> names;
  for (size_t i = 0; i < v.size(); i += 2) names.push_back(v[i].str);
  EXPECT_EQ(names, (std::vector<std::string>{"peak.allocated",
                                             "total.allocated",
                                             "startup.allocated",
                                             "replication.backlog",
                                             "clients.slaves",
                                             "clients.normal",
                                             "cluster.links",
                                             "aof.buffer",
                                             "lua.caches",
                                             "functions.caches",
                                             "db.0",
                                             "db.2",
                                             "overhead.total",
                                             "keys.count",
                                             "keys.bytes-per-key",
                                             "dataset.bytes",
                                             "dataset.percentage",
                                             "peak.percentage",
                                             "allocator.allocated",
                                             "allocator.active",
                                             "allocator.resident",
                                             "allocator-fragmentation.ratio",
                                             "allocator-fragmentation.bytes",
                                             "allocator-rss.ratio",
                                             "allocator-rss.bytes",
                                             "rss-overhead.ratio",
                                             "rss-overhead.bytes",
                                             "fragmentation",
                                             "fragmentation.bytes"}));
  EXPECT_EQ(v.Get("keys.count")->integer, 3);
  EXPECT_GT(v.Get("total.allocated")->integer, 0);
  EXPECT_GE(v.Get("peak.allocated")->integer, v.Get("total.allocated")->integer);
  EXPECT_GT(v.Get("clients.normal")->integer, 0);
  const RespValue& db0 = *v.Get("db.0");
  ASSERT_THAT(db0, ArrayOfSize(6));
  EXPECT_EQ(db0[0], "overhead.hashtable.main");
  EXPECT_GT(db0[1].integer, 0);
  EXPECT_EQ(db0[2], "overhead.hashtable.expires");
  EXPECT_GT(db0[3].integer, 0);  // b has a TTL
  EXPECT_EQ(db0[4], "overhead.hashtable.slot-to-keys");
  EXPECT_EQ((*v.Get("db.2"))[3].integer, 0);                             // no TTL in db 2
  EXPECT_EQ(v.Get("dataset.percentage")->kind, RespValue::Kind::kBulk);  // a double in RESP2
  Run({"hello", "3"});
  v = Run({"memory", "stats"});
  EXPECT_EQ(v.kind, RespValue::Kind::kMap);
  EXPECT_EQ(v.Get("dataset.percentage")->kind, RespValue::Kind::kDouble);
}

TEST_F(MaxmemoryTest, MemoryDoctorAndHelp) {
  RespValue doctor = Run({"memory", "doctor"});
  EXPECT_EQ(doctor.kind, RespValue::Kind::kBulk);
  EXPECT_THAT(doctor.str, StartsWith("Hi Sam, "));
  EXPECT_EQ(doctor.str.back(), '\n');
  EXPECT_THAT(Run({"memory", "help"}),
              StrArray(std::vector<std::string>{
                  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                  "    Return memory problems reports.", "MALLOC-STATS",
                  "    Return internal statistics report from the memory allocator.", "PURGE",
                  "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
                  "    Return information about the memory usage of the server.",
                  "USAGE <key> [SAMPLES <count>]",
                  "    Return memory in bytes used by <key> and its value. Nested values are",
                  "    sampled up to <count> times (default: 5, 0 means sample all).", "HELP",
                  "    Prints this help."}));
  EXPECT_THAT(Run({"memory", "stats", "x"}),
              ErrorIs("ERR wrong number of arguments for 'memory|stats' command"));
}

TEST_F(MaxmemoryTest, MemoryUsageOfEveryType) {
  Run({"set", "s", "v"});
  Run({"hset", "h", "f", "v"});
  Run({"rpush", "l", "a", "b"});
  Run({"sadd", "st", "a", "b"});
  Run({"zadd", "z", "1", "a"});
  Run({"xadd", "x", "1-1", "f", "v"});
  for (const std::string key : {"s", "h", "l", "st", "z", "x"}) {
    RespValue v = Run({"memory", "usage", key, "samples", "5"});
    ASSERT_EQ(v.kind, RespValue::Kind::kInteger) << key;
    EXPECT_GT(v.integer, 40) << key;
    EXPECT_LT(v.integer, 4096) << key;
  }
}

// ---- CLIENT PAUSE / UNPAUSE / NO-EVICT ----

TEST_F(MaxmemoryTest, ClientPauseWriteHoldsWritesUntilUnpause) {
  TestClient& other = NewClient();
  EXPECT_EQ(RunRaw({"client", "pause", "10000", "write"}), "+OK\r\n");
  EXPECT_EQ(RunRaw(other, {"get", "k"}), "$-1\r\n");
  // Held: no reply, the command is kept to run again.
  EXPECT_EQ(RunRaw(other, {"set", "k", "v"}), "");
  EXPECT_TRUE(other.state.postponed.load());
  EXPECT_THAT(Run({"client", "list"}).str, HasSubstr("flags=b"));
  EXPECT_EQ(RunRaw({"client", "unpause"}), "+OK\r\n");
  other.state.postponed.store(false);
  EXPECT_EQ(RunRaw(other, {"set", "k", "v"}), "+OK\r\n");
  // What may replicate is held too; read-only scripts are not.
  Run({"client", "pause", "10000", "write"});
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"publish", "ch", "m"},
                                             {"pfcount", "hll"},
                                             {"eval", "return 1", "0"},
                                             {"expire", "k", "10"}}) {
    EXPECT_EQ(RunRaw(other, cmd), "") << cmd[0];
    other.state.postponed.store(false);
  }
  EXPECT_EQ(RunRaw(other, {"eval_ro", "return redis.call('get','k')", "0"}), "$1\r\nv\r\n");
  RespValue ro = Run(other, {"eval_ro", "return redis.call('publish','ch','m')", "0"});
  EXPECT_EQ(ro.kind, RespValue::Kind::kError);
  EXPECT_THAT(ro.str, StartsWith("ERR Write commands are not allowed from read-only scripts."));
  Run({"client", "unpause"});
}

// Redis 7.0 keeps the dataset still while clients are paused (WRITE or
// ALL): an expired key reads as missing but is not deleted (DBSIZE still
// counts it, expired_keys does not grow), active expiry and eviction stop.
TEST_F(MaxmemoryTest, ClientPauseStopsExpiryAndEviction) {
  Run({"set", "foo", "bar", "px", "10"});
  Run({"set", "live", "v"});
  Run({"client", "pause", "50000", "write"});
  AdvanceTime(20);
  EXPECT_EQ(RunRaw({"get", "foo"}), "$-1\r\n");
  EXPECT_EQ(RunRaw({"exists", "foo"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"ttl", "foo"}), ":-2\r\n");
  EXPECT_EQ(RunRaw({"dbsize"}), ":2\r\n");
  EXPECT_THAT(Run({"keys", "*"}).elems, ::testing::ElementsAre("live"));
  EXPECT_THAT(Run({"scan", "0"}).elems[1].elems, ::testing::ElementsAre("live"));
  EXPECT_EQ(RunRaw({"randomkey"}), "$4\r\nlive\r\n");
  EXPECT_EQ(server_->keyspace().ActiveExpireCycle(100), 0u);
  EXPECT_EQ(InfoField("stats", "expired_keys"), 0);
  // Over maxmemory: nothing is evicted, and reads are not refused.
  Run({"config", "set", "maxmemory-policy", "allkeys-random"});
  Run({"config", "set", "maxmemory", "1"});
  EXPECT_EQ(RunRaw({"get", "live"}), "$1\r\nv\r\n");
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 0);
  Run({"config", "set", "maxmemory", "0"});
  Run({"client", "unpause"});
  EXPECT_EQ(RunRaw({"get", "foo"}), "$-1\r\n");
  EXPECT_EQ(InfoField("stats", "expired_keys"), 1);
  EXPECT_EQ(RunRaw({"dbsize"}), ":1\r\n");
  // A pause that ran out lets keys expire again.
  Run({"set", "bar", "v", "px", "10"});
  Run({"client", "pause", "100", "all"});
  AdvanceTime(100);
  EXPECT_EQ(server_->keyspace().ActiveExpireCycle(100), 1u);
  EXPECT_EQ(InfoField("stats", "expired_keys"), 2);
}

TEST_F(MaxmemoryTest, ClientPauseEndsAtItsTimeout) {
  TestClient& other = NewClient();
  Run({"client", "pause", "100", "write"});
  EXPECT_EQ(RunRaw(other, {"ping"}), "+PONG\r\n");
  // A shorter but stricter pause makes it ALL, and keeps the later end
  // (ALL holds the caller's own commands too).
  Run({"client", "pause", "10", "all"});
  AdvanceTime(99);
  EXPECT_EQ(RunRaw(other, {"ping"}), "");
  other.state.postponed.store(false);
  EXPECT_EQ(RunRaw({"ping"}), "");
  client().postponed.store(false);
  AdvanceTime(1);
  EXPECT_EQ(RunRaw(other, {"ping"}), "+PONG\r\n");
  EXPECT_EQ(RunRaw({"set", "k", "v"}), "+OK\r\n");
}

TEST_F(MaxmemoryTest, ClientPauseErrors) {
  EXPECT_THAT(Run({"client", "pause", "abc"}),
              ErrorIs("ERR timeout is not an integer or out of range"));
  EXPECT_THAT(Run({"client", "pause", "-1"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"client", "pause", "abc", "foo"}),
              ErrorIs("ERR CLIENT PAUSE mode must be WRITE or ALL"));
  EXPECT_THAT(Run({"client", "pause", "1", "write", "x"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'pause'. Try "
                      "CLIENT HELP."));
  EXPECT_THAT(Run({"client", "pause"}),
              ErrorIs("ERR wrong number of arguments for 'client|pause' command"));
  EXPECT_THAT(Run({"client", "unpause", "x"}),
              ErrorIs("ERR wrong number of arguments for 'client|unpause' command"));
  EXPECT_EQ(RunRaw({"client", "pause", "0"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"ping"}), "+PONG\r\n");
}

TEST_F(MaxmemoryTest, ClientNoEvict) {
  EXPECT_EQ(RunRaw({"client", "no-evict", "on"}), "+OK\r\n");
  EXPECT_THAT(Run({"client", "info"}).str, HasSubstr(" flags=e "));
  EXPECT_EQ(RunRaw({"client", "no-evict", "OFF"}), "+OK\r\n");
  EXPECT_THAT(Run({"client", "info"}).str, HasSubstr(" flags=N "));
  EXPECT_THAT(Run({"client", "no-evict", "maybe"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "no-evict"}),
              ErrorIs("ERR wrong number of arguments for 'client|no-evict' command"));
}

TEST_F(MaxmemoryTest, ClientHelpListsPauseAndNoEvict) {
  const std::vector<std::string> help = Run({"client", "help"}).Strings();
  auto has = [&](const std::string& line) {
    return std::find(help.begin(), help.end(), line) != help.end();
  };
  EXPECT_TRUE(has("UNPAUSE"));
  EXPECT_TRUE(has("PAUSE <timeout> [WRITE|ALL]"));
  EXPECT_TRUE(has("    Suspend all, or just write, clients for <timeout> milliseconds."));
  EXPECT_TRUE(has("NO-EVICT (ON|OFF)"));
  EXPECT_TRUE(has("    Protect current client connection from eviction."));
}

}  // namespace
}  // namespace stashd::test
