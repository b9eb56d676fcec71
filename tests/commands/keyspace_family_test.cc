// The keyspace (generic) family, reply for reply against Redis 7.0.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_fixture.h"
#include "server/exec/command.h"
#include "store/keyspace.h"

namespace stashd::test {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;

constexpr int64_t kMax = INT64_MAX;

class KeyspaceFamilyTest : public CommandTest {
 protected:
  // Writes a string straight into the store, so these tests do not depend on
  // the string family. db < 0 means the client's current database.
  void Put(std::string_view key, std::string_view value = "v", int db = -1,
           int64_t expire_at_ms = store::kNoExpiry) {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.ShardMaskOf(key));
    ks.SetString(db < 0 ? client().db : db, key, value, expire_at_ms);
  }

  // The string stored at key, or nullopt if there is none.
  std::optional<std::string> Value(std::string_view key, int db = -1) {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.ShardMaskOf(key));
    auto v = ks.Find(db < 0 ? client().db : db, key);
    if (!v) return std::nullopt;
    return std::string(v->str);
  }

  // The key's absolute deadline, kNoExpiry, or nullopt if the key is missing.
  std::optional<int64_t> Deadline(std::string_view key, int db = -1) {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.ShardMaskOf(key));
    auto v = ks.Find(db < 0 ? client().db : db, key);
    if (!v) return std::nullopt;
    return v->expire_at_ms;
  }

  // Runs SCAN from cursor 0 to the end; returns every key seen (with
  // repetitions) and counts the calls.
  std::vector<std::string> ScanAll(std::vector<std::string> options, int* calls = nullptr) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    int n = 0;
    do {
      std::vector<std::string> cmd = {"scan", cursor};
      cmd.insert(cmd.end(), options.begin(), options.end());
      RespValue r = Run(cmd);
      EXPECT_EQ(r.kind, RespValue::Kind::kArray);
      if (r.kind != RespValue::Kind::kArray || r.size() != 2) break;
      EXPECT_EQ(r[0].kind, RespValue::Kind::kBulk);
      cursor = r[0].str;
      for (const auto& k : r[1].elems) keys.push_back(k.str);
      ++n;
    } while (cursor != "0" && n < 100000);
    if (calls) *calls = n;
    return keys;
  }
};

std::set<std::string> Unique(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// ---- DEL UNLINK EXISTS TOUCH TYPE ----

TEST_F(KeyspaceFamilyTest, DelCountsEachDeletedKeyOnce) {
  EXPECT_THAT(Run({"del", "nokey"}), IsInt(0));
  Put("a");
  Put("b");
  Put("c");
  EXPECT_THAT(Run({"del", "a", "b", "nokey"}), IsInt(2));
  EXPECT_EQ(Value("a"), std::nullopt);
  EXPECT_EQ(Value("b"), std::nullopt);
  EXPECT_EQ(Value("c"), "v");
  EXPECT_THAT(Run({"del", "c", "c"}), IsInt(1));
  EXPECT_THAT(Run({"DEL"}), ErrorIs("ERR wrong number of arguments for 'del' command"));
}

TEST_F(KeyspaceFamilyTest, UnlinkIsDel) {
  Put("a");
  Put("b");
  EXPECT_THAT(Run({"unlink", "a", "a", "b", "nokey"}), IsInt(2));
  EXPECT_THAT(Run({"unlink", "a"}), IsInt(0));
  EXPECT_EQ(Value("b"), std::nullopt);
  EXPECT_THAT(Run({"unlink"}), ErrorIs("ERR wrong number of arguments for 'unlink' command"));
}

TEST_F(KeyspaceFamilyTest, DelIgnoresExpiredKeys) {
  Put("k", "v", -1, NowMs() + 100);
  AdvanceTime(101);
  EXPECT_THAT(Run({"del", "k"}), IsInt(0));
}

TEST_F(KeyspaceFamilyTest, ExistsCountsRepeatedKeys) {
  Put("k");
  EXPECT_THAT(Run({"exists", "nokey"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "k"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "k", "k", "nokey"}), IsInt(2));
  EXPECT_THAT(Run({"exists"}), ErrorIs("ERR wrong number of arguments for 'exists' command"));
}

// As in Redis, a key is still alive at its deadline and gone 1 ms later.
TEST_F(KeyspaceFamilyTest, ExistsSkipsExpiredKeys) {
  Put("k", "v", -1, NowMs() + 1000);
  AdvanceTime(1000);
  EXPECT_THAT(Run({"exists", "k"}), IsInt(1));
  AdvanceTime(1);
  EXPECT_THAT(Run({"exists", "k"}), IsInt(0));
}

TEST_F(KeyspaceFamilyTest, TouchCountsExistingKeys) {
  Put("k");
  Put("j");
  EXPECT_THAT(Run({"touch", "k", "k", "j", "nokey"}), IsInt(3));
  EXPECT_THAT(Run({"touch", "nokey"}), IsInt(0));
  EXPECT_THAT(Run({"touch"}), ErrorIs("ERR wrong number of arguments for 'touch' command"));
}

TEST_F(KeyspaceFamilyTest, Type) {
  Put("k");
  EXPECT_EQ(RunRaw({"type", "k"}), "+string\r\n");
  EXPECT_EQ(RunRaw({"type", "nokey"}), "+none\r\n");
  Put("e", "v", -1, NowMs() + 10);
  AdvanceTime(11);
  EXPECT_EQ(RunRaw({"type", "e"}), "+none\r\n");
  EXPECT_THAT(Run({"type", "k", "j"}), ErrorIs("ERR wrong number of arguments for 'type' command"));
}

// ---- OBJECT ----

TEST_F(KeyspaceFamilyTest, ObjectEncodingRefcountFreq) {
  Put("int", "123");
  Put("big", "12345");
  Put("lead0", "0123");
  Put("short", "hello");
  Put("long", std::string(45, 'x'));
  Put("neg", "-9223372036854775808");
  EXPECT_EQ(RunRaw({"object", "encoding", "int"}), "$3\r\nint\r\n");
  EXPECT_EQ(RunRaw({"object", "encoding", "lead0"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(RunRaw({"object", "encoding", "short"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(RunRaw({"object", "encoding", "long"}), "$3\r\nraw\r\n");
  EXPECT_EQ(RunRaw({"object", "encoding", "neg"}), "$3\r\nint\r\n");
  EXPECT_EQ(RunRaw({"hset", "h", "f", "v"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"object", "encoding", "h"}), "$8\r\nlistpack\r\n");
  EXPECT_EQ(RunRaw({"hset", "h", "f", std::string(65, 'v')}), ":0\r\n");
  EXPECT_EQ(RunRaw({"object", "encoding", "h"}), "$9\r\nhashtable\r\n");
  EXPECT_EQ(RunRaw({"object", "encoding", "nokey"}), "$-1\r\n");
  // Shared integers 0..9999 report INT_MAX, as in Redis.
  EXPECT_EQ(RunRaw({"object", "refcount", "int"}), ":2147483647\r\n");
  EXPECT_EQ(RunRaw({"object", "refcount", "big"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"object", "refcount", "short"}), ":1\r\n");
  EXPECT_EQ(RunRaw({"object", "refcount", "nokey"}), "$-1\r\n");
  EXPECT_EQ(RunRaw({"object", "freq", "nokey"}), "$-1\r\n");
  EXPECT_THAT(Run({"object", "freq", "int"}),
              ErrorIs("ERR An LFU maxmemory policy is not selected, access frequency not "
                      "tracked. Please note that when switching between policies at runtime LRU "
                      "and LFU data will take some time to adjust."));
  EXPECT_THAT(Run({"object", "encoding"}),
              ErrorIs("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_THAT(Run({"object", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
}

constexpr char kLfuSelected[] =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
constexpr char kLfuNotSelected[] =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust.";

// Checked against redis-server 7.0.15 (with RESTORE ... IDLETIME standing
// in for the passing time): which commands are accesses.
TEST_F(KeyspaceFamilyTest, ObjectIdletimeGrowsWithTheClockAndAccessesResetIt) {
  Put("k", "v");
  EXPECT_EQ(RunRaw({"object", "idletime", "k"}), ":0\r\n");
  EXPECT_EQ(RunRaw({"object", "idletime", "nokey"}), "$-1\r\n");
  AdvanceTime(5000);
  EXPECT_EQ(RunRaw({"object", "idletime", "k"}), ":5\r\n");
  AdvanceTime(999);
  EXPECT_EQ(RunRaw({"object", "idletime", "k"}), ":5\r\n");  // whole seconds
  // Not accesses: TTL, TYPE, EXISTS, OBJECT, KEYS, SCAN, RANDOMKEY, WATCH,
  // MEMORY USAGE, and TTL from a script.
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"ttl", "k"},
           {"pttl", "k"},
           {"expiretime", "k"},
           {"type", "k"},
           {"exists", "k"},
           {"object", "encoding", "k"},
           {"keys", "*"},
           {"scan", "0"},
           {"randomkey"},
           {"watch", "k"},
           {"memory", "usage", "k"},
           {"eval", "return redis.call('ttl', KEYS[1])", "1", "k"}}) {
    Run(cmd);
    EXPECT_EQ(RunRaw({"object", "idletime", "k"}), ":5\r\n") << cmd[0];
  }
  Run({"unwatch"});
  // Accesses: reads, writes, failed writes, TOUCH.
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"touch", "k"},
           {"get", "k"},
           {"strlen", "k"},
           {"dump", "k"},
           {"set", "k", "v", "nx"},
           {"set", "k", "v"},
           {"append", "k", "x"},
           {"expire", "k", "100"},
           {"persist", "k"},
           {"persist", "k"},  // no TTL to remove: still looked up
           {"lpush", "k", "x"},
           {"rename", "k", "k"},
           {"eval", "return redis.call('get', KEYS[1])", "1", "k"}}) {
    AdvanceTime(2000);
    Run(cmd);
    EXPECT_EQ(RunRaw({"object", "idletime", "k"}), ":0\r\n") << cmd[0];
  }
  // A renamed or moved key keeps its clock; a copy is new.
  AdvanceTime(3000);
  Run({"copy", "k", "k2"});
  EXPECT_EQ(RunRaw({"object", "idletime", "k2"}), ":0\r\n");
  AdvanceTime(3000);
  Run({"rename", "k2", "k3"});
  EXPECT_EQ(RunRaw({"object", "idletime", "k3"}), ":0\r\n");
  EXPECT_THAT(Run({"object", "freq", "k3"}), ErrorIs(kLfuNotSelected));
  Run({"config", "set", "maxmemory-policy", "volatile-lfu"});
  EXPECT_THAT(Run({"object", "idletime", "k3"}), ErrorIs(kLfuSelected));
  EXPECT_EQ(RunRaw({"object", "idletime", "nokey"}), "$-1\r\n");
}

TEST_F(KeyspaceFamilyTest, ObjectFreqCountsAccessesLogarithmicallyAndDecays) {
  Run({"config", "set", "maxmemory-policy", "allkeys-lfu"});
  Put("k", "v");
  EXPECT_EQ(RunRaw({"object", "freq", "k"}), ":5\r\n");  // LFU_INIT_VAL
  EXPECT_EQ(RunRaw({"object", "freq", "nokey"}), "$-1\r\n");
  Run({"ttl", "k"});
  Run({"exists", "k"});
  EXPECT_EQ(RunRaw({"object", "freq", "k"}), ":5\r\n");
  Run({"get", "k"});  // up to the initial value, every access counts
  EXPECT_EQ(RunRaw({"object", "freq", "k"}), ":6\r\n");
  // Above it, an access counts with probability 1 / ((c - 5) * factor + 1):
  // a thousand accesses at factor 10 give a counter far below a thousand.
  for (int i = 0; i < 1000; ++i) Run({"get", "k"});
  const int64_t counted = Run({"object", "freq", "k"}).integer;
  EXPECT_GT(counted, 6);
  EXPECT_LT(counted, 40);
  // Factor 0: every access counts.
  Run({"config", "set", "lfu-log-factor", "0"});
  Put("f", "v");
  for (int i = 0; i < 10; ++i) Run({"touch", "f"});
  EXPECT_EQ(RunRaw({"object", "freq", "f"}), ":15\r\n");
  // One decrement per lfu-decay-time minutes without access.
  AdvanceTime(3 * 60'000);
  EXPECT_EQ(RunRaw({"object", "freq", "f"}), ":12\r\n");
  Run({"config", "set", "lfu-decay-time", "2"});
  EXPECT_EQ(RunRaw({"object", "freq", "f"}), ":14\r\n");
  Run({"config", "set", "lfu-decay-time", "0"});
  AdvanceTime(60 * 60'000);
  EXPECT_EQ(RunRaw({"object", "freq", "f"}), ":15\r\n");
  // Back to LRU: the counter is no longer tracked.
  Run({"config", "set", "maxmemory-policy", "allkeys-lru"});
  EXPECT_THAT(Run({"object", "freq", "f"}), ErrorIs(kLfuNotSelected));
}

// ---- EXPIRE family ----

TEST_F(KeyspaceFamilyTest, ExpireSetsTtlAndKeyExpires) {
  Put("k");
  EXPECT_THAT(Run({"expire", "k", "10"}), IsInt(1));
  EXPECT_EQ(Deadline("k"), NowMs() + 10'000);
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(10));
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(10'000));
  AdvanceTime(9'500);
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(500));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(1));  // (500 + 500) / 1000
  AdvanceTime(499);
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(0));
  AdvanceTime(1);  // at the deadline: still there, nothing left
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "k"}), IsInt(1));
  AdvanceTime(1);
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(-2));
  EXPECT_THAT(Run({"exists", "k"}), IsInt(0));
}

TEST_F(KeyspaceFamilyTest, TtlRoundsToNearestSecond) {
  Put("k");
  EXPECT_THAT(Run({"pexpire", "k", "1499"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(1));
  EXPECT_THAT(Run({"pexpire", "k", "1500"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(2));
  EXPECT_THAT(Run({"pexpire", "k", "499"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(0));
}

TEST_F(KeyspaceFamilyTest, ExpireVariantsComputeTheSameDeadline) {
  const int64_t now = NowMs();  // a whole number of seconds in the fake clock
  Put("a");
  Put("b");
  Put("c");
  Put("d");
  EXPECT_THAT(Run({"expire", "a", "100"}), IsInt(1));
  EXPECT_THAT(Run({"pexpire", "b", "100000"}), IsInt(1));
  EXPECT_THAT(Run({"expireat", "c", std::to_string(now / 1000 + 100)}), IsInt(1));
  EXPECT_THAT(Run({"pexpireat", "d", std::to_string(now + 100'000)}), IsInt(1));
  for (const char* k : {"a", "b", "c", "d"}) {
    EXPECT_EQ(Deadline(k), now + 100'000) << k;
    EXPECT_THAT(Run({"pexpiretime", k}), IsInt(now + 100'000)) << k;
    EXPECT_THAT(Run({"expiretime", k}), IsInt(now / 1000 + 100)) << k;
  }
}

TEST_F(KeyspaceFamilyTest, ExpireOnMissingKeyIsZero) {
  EXPECT_THAT(Run({"expire", "nokey", "10"}), IsInt(0));
  EXPECT_THAT(Run({"pexpire", "nokey", "10"}), IsInt(0));
  EXPECT_THAT(Run({"expireat", "nokey", "10"}), IsInt(0));
  EXPECT_THAT(Run({"pexpireat", "nokey", "10"}), IsInt(0));
  EXPECT_THAT(Run({"expire", "nokey", "-10"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "nokey"}), IsInt(0));
}

TEST_F(KeyspaceFamilyTest, ExpireInThePastDeletesTheKey) {
  Put("a");
  EXPECT_THAT(Run({"expire", "a", "0"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "a"}), IsInt(0));
  Put("b");
  EXPECT_THAT(Run({"expire", "b", "-5"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "b"}), IsInt(0));
  Put("c");
  EXPECT_THAT(Run({"pexpireat", "c", "-1"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "c"}), IsInt(0));
  Put("d");
  EXPECT_THAT(Run({"pexpireat", "d", std::to_string(NowMs())}), IsInt(1));  // now is past
  EXPECT_THAT(Run({"exists", "d"}), IsInt(0));
  Put("e");
  EXPECT_THAT(Run({"expireat", "e", "1"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "e"}), IsInt(0));
  Put("f");
  EXPECT_THAT(Run({"pexpire", "f", "-9223372036854775808"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "f"}), IsInt(0));
  Put("g");
  EXPECT_THAT(Run({"pexpireat", "g", std::to_string(NowMs() + 1)}), IsInt(1));
  AdvanceTime(1);
  EXPECT_THAT(Run({"exists", "g"}), IsInt(1));
  AdvanceTime(1);
  EXPECT_THAT(Run({"exists", "g"}), IsInt(0));
}

TEST_F(KeyspaceFamilyTest, ExpireNxXx) {
  Put("k");
  EXPECT_THAT(Run({"expire", "k", "10", "xx"}), IsInt(0));
  EXPECT_EQ(Deadline("k"), store::kNoExpiry);
  EXPECT_THAT(Run({"expire", "k", "10", "nx"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(10));
  EXPECT_THAT(Run({"expire", "k", "20", "NX"}), IsInt(0));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(10));
  EXPECT_THAT(Run({"expire", "k", "20", "XX"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(20));
  // Options may repeat.
  EXPECT_THAT(Run({"pexpire", "k", "30000", "xx", "Xx"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(30));
}

TEST_F(KeyspaceFamilyTest, ExpireGtLtWithoutTtlMeansInfinite) {
  Put("k");
  // No TTL is an infinite TTL: nothing is greater, everything is less.
  EXPECT_THAT(Run({"expire", "k", "100", "gt"}), IsInt(0));
  EXPECT_EQ(Deadline("k"), store::kNoExpiry);
  EXPECT_THAT(Run({"expire", "k", "-5", "gt"}), IsInt(0));
  EXPECT_THAT(Run({"exists", "k"}), IsInt(1));
  EXPECT_THAT(Run({"expire", "k", "100", "lt"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(100));
  Put("j");
  EXPECT_THAT(Run({"expire", "j", "-5", "LT"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "j"}), IsInt(0));
}

TEST_F(KeyspaceFamilyTest, ExpireGtLtCompareDeadlines) {
  Put("k");
  EXPECT_THAT(Run({"expire", "k", "100"}), IsInt(1));
  EXPECT_THAT(Run({"expire", "k", "100", "gt"}), IsInt(0));  // equal is not greater
  EXPECT_THAT(Run({"expire", "k", "50", "gt"}), IsInt(0));
  EXPECT_THAT(Run({"expire", "k", "200", "gt"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(200));
  EXPECT_THAT(Run({"expire", "k", "200", "lt"}), IsInt(0));  // equal is not less
  EXPECT_THAT(Run({"expire", "k", "300", "lt"}), IsInt(0));
  EXPECT_THAT(Run({"expire", "k", "50", "lt"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(50));
  // Deadlines compare in ms, whatever the unit of the command.
  EXPECT_THAT(Run({"pexpire", "k", "50001", "gt"}), IsInt(1));
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(50001));
  EXPECT_THAT(Run({"pexpireat", "k", std::to_string(NowMs() + 50000), "lt"}), IsInt(1));
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(50000));
}

TEST_F(KeyspaceFamilyTest, ExpireXxCombinedWithGtLt) {
  Put("k");
  EXPECT_THAT(Run({"expire", "k", "100", "xx", "lt"}), IsInt(0));  // XX fails: no TTL
  EXPECT_EQ(Deadline("k"), store::kNoExpiry);
  EXPECT_THAT(Run({"expire", "k", "100"}), IsInt(1));
  EXPECT_THAT(Run({"expire", "k", "200", "xx", "gt"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(200));
  EXPECT_THAT(Run({"expire", "k", "300", "gt", "xx", "lt"}),
              ErrorIs("ERR GT and LT options at the same time are not compatible"));
  EXPECT_THAT(Run({"expire", "k", "300", "xx", "lt"}), IsInt(0));
  EXPECT_THAT(Run({"expire", "k", "150", "lt", "xx"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(150));
}

TEST_F(KeyspaceFamilyTest, ExpireOptionErrors) {
  Put("k");
  const std::string nx_error =
      "ERR NX and XX, GT or LT options at the same time are not compatible";
  const std::string gtlt_error = "ERR GT and LT options at the same time are not compatible";
  EXPECT_THAT(Run({"expire", "k", "10", "nx", "xx"}), ErrorIs(nx_error));
  EXPECT_THAT(Run({"expire", "k", "10", "nx", "gt"}), ErrorIs(nx_error));
  EXPECT_THAT(Run({"expire", "k", "10", "lt", "nx"}), ErrorIs(nx_error));
  EXPECT_THAT(Run({"pexpire", "k", "10", "nx", "gt", "lt"}), ErrorIs(nx_error));
  EXPECT_THAT(Run({"expireat", "k", "10", "gt", "lt"}), ErrorIs(gtlt_error));
  EXPECT_THAT(Run({"pexpireat", "k", "10", "xx", "gt", "lt"}), ErrorIs(gtlt_error));
  EXPECT_THAT(Run({"expire", "k", "10", "foo"}), ErrorIs("ERR Unsupported option foo"));
  EXPECT_THAT(Run({"expire", "k", "10", "nx", "Bar"}), ErrorIs("ERR Unsupported option Bar"));
  // Options are checked before the time.
  EXPECT_THAT(Run({"expire", "k", "abc", "nx", "xx"}), ErrorIs(nx_error));
  EXPECT_THAT(Run({"expire", "k", "abc", "foo"}), ErrorIs("ERR Unsupported option foo"));
  EXPECT_THAT(Run({"expire", "k"}), ErrorIs("ERR wrong number of arguments for 'expire' command"));
  EXPECT_EQ(Deadline("k"), store::kNoExpiry);
}

// Arguments echoed into an error are C strings in Redis: cut at a NUL byte;
// CR/LF at the end of the message are trimmed and the others become spaces
// (checked against redis-server 7.0.15).
TEST_F(KeyspaceFamilyTest, ErrorsEchoArgumentsAsRedisDoes) {
  EXPECT_EQ(RunRaw({"expire", "k", "1", "GT\n"}), "-ERR Unsupported option GT\r\n");
  EXPECT_EQ(RunRaw({"expire", "k", "1", std::string("G\0T", 3)}), "-ERR Unsupported option G\r\n");
  EXPECT_EQ(RunRaw({"expire", "k", "1", "\nG\nT\r\n"}), "-ERR Unsupported option  G T\r\n");
  EXPECT_EQ(RunRaw({"expire", "k", "1", "\r\nGT"}), "-ERR Unsupported option   GT\r\n");
  EXPECT_EQ(RunRaw({std::string("fo\0o", 4), std::string("a\0b", 3), "c\n"}),
            "-ERR unknown command 'fo', with args beginning with: 'a' 'c ' \r\n");
}

TEST_F(KeyspaceFamilyTest, ExpireRejectsNonIntegers) {
  Put("k");
  for (const char* bad : {"abc", "+5", "05", " 5", "5 ", "-0", "", "1.5", "-", "0x10",
                          "9223372036854775808", "-9223372036854775809"}) {
    EXPECT_THAT(Run({"expire", "k", bad}), ErrorIs("ERR value is not an integer or out of range"))
        << "'" << bad << "'";
    EXPECT_THAT(Run({"pexpireat", "k", bad}),
                ErrorIs("ERR value is not an integer or out of range"))
        << "'" << bad << "'";
  }
  EXPECT_EQ(Deadline("k"), store::kNoExpiry);
}

TEST_F(KeyspaceFamilyTest, ExpireOverflow) {
  Put("k");
  EXPECT_THAT(Run({"expire", "k", "9223372036854775807"}),
              ErrorIs("ERR invalid expire time in 'expire' command"));
  EXPECT_THAT(Run({"EXPIRE", "nokey", "9223372036854775807"}),
              ErrorIs("ERR invalid expire time in 'expire' command"));
  EXPECT_THAT(Run({"expire", "k", "-9223372036854775808"}),
              ErrorIs("ERR invalid expire time in 'expire' command"));
  // Fits after * 1000 but not once now is added.
  EXPECT_THAT(Run({"expire", "k", "9223372036854775"}),
              ErrorIs("ERR invalid expire time in 'expire' command"));
  EXPECT_THAT(Run({"pexpire", "k", "9223372036854775807"}),
              ErrorIs("ERR invalid expire time in 'pexpire' command"));
  EXPECT_THAT(Run({"expireat", "k", "9223372036854776"}),
              ErrorIs("ERR invalid expire time in 'expireat' command"));
  EXPECT_EQ(Deadline("k"), store::kNoExpiry);
  EXPECT_THAT(Run({"expire", "k", std::to_string((kMax - NowMs()) / 1000)}), IsInt(1));
  EXPECT_THAT(Run({"expireat", "k", "9223372036854775"}), IsInt(1));
  EXPECT_EQ(Deadline("k"), 9223372036854775000);
  EXPECT_THAT(Run({"pexpireat", "k", "9223372036854775807"}), IsInt(1));
  EXPECT_THAT(Run({"pexpiretime", "k"}), IsInt(kMax));
  EXPECT_THAT(Run({"expiretime", "k"}), IsInt(9223372036854776));  // rounds up without overflow
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(kMax - NowMs()));
  EXPECT_THAT(Run({"pexpireat", "k", "9223372036854775308"}), IsInt(1));
  EXPECT_THAT(Run({"expiretime", "k"}), IsInt(9223372036854775));
  EXPECT_THAT(Run({"pexpire", "k", std::to_string(kMax - NowMs())}), IsInt(1));
  EXPECT_THAT(Run({"pexpiretime", "k"}), IsInt(kMax));
}

// ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ----

TEST_F(KeyspaceFamilyTest, TtlFamilyMissingAndPersistentKeys) {
  Put("k");
  for (const char* cmd : {"ttl", "pttl", "expiretime", "pexpiretime"}) {
    EXPECT_THAT(Run({cmd, "nokey"}), IsInt(-2)) << cmd;
    EXPECT_THAT(Run({cmd, "k"}), IsInt(-1)) << cmd;
    EXPECT_THAT(Run({cmd}),
                ErrorIs("ERR wrong number of arguments for '" + std::string(cmd) + "' command"));
  }
}

TEST_F(KeyspaceFamilyTest, ExpireTimeIsAbsolute) {
  const int64_t deadline = NowMs() + 12'345;
  Put("k", "v", -1, deadline);
  EXPECT_THAT(Run({"pexpiretime", "k"}), IsInt(deadline));
  EXPECT_THAT(Run({"expiretime", "k"}), IsInt((deadline + 500) / 1000));
  AdvanceTime(10'000);
  EXPECT_THAT(Run({"pexpiretime", "k"}), IsInt(deadline));
  EXPECT_THAT(Run({"pttl", "k"}), IsInt(2'345));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(2));
  AdvanceTime(2'345);
  EXPECT_THAT(Run({"pexpiretime", "k"}), IsInt(deadline));
  AdvanceTime(1);
  EXPECT_THAT(Run({"pexpiretime", "k"}), IsInt(-2));
}

TEST_F(KeyspaceFamilyTest, Persist) {
  EXPECT_THAT(Run({"persist", "nokey"}), IsInt(0));
  Put("k");
  EXPECT_THAT(Run({"persist", "k"}), IsInt(0));
  EXPECT_THAT(Run({"expire", "k", "10"}), IsInt(1));
  EXPECT_THAT(Run({"persist", "k"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "k"}), IsInt(-1));
  EXPECT_THAT(Run({"persist", "k"}), IsInt(0));
  AdvanceTime(20'000);
  EXPECT_EQ(Value("k"), "v");
  EXPECT_THAT(Run({"persist", "k", "j"}),
              ErrorIs("ERR wrong number of arguments for 'persist' command"));
}

// ---- KEYS ----

TEST_F(KeyspaceFamilyTest, KeysGlobPatterns) {
  for (const char* k : {"hello", "hallo", "hxllo", "hllo", "heeello", "h*llo", "bye"}) Put(k);
  using V = std::vector<std::string>;
  EXPECT_THAT(Run({"keys", "h?llo"}), StrSet(V{"hello", "hallo", "hxllo", "h*llo"}));
  EXPECT_THAT(Run({"keys", "h*llo"}),
              StrSet(V{"hello", "hallo", "hxllo", "hllo", "heeello", "h*llo"}));
  EXPECT_THAT(Run({"keys", "h[ae]llo"}), StrSet(V{"hello", "hallo"}));
  EXPECT_THAT(Run({"keys", "h[^e]llo"}), StrSet(V{"hallo", "hxllo", "h*llo"}));
  EXPECT_THAT(Run({"keys", "h[a-b]llo"}), StrSet(V{"hallo"}));
  EXPECT_THAT(Run({"keys", "h\\*llo"}), StrSet(V{"h*llo"}));
  EXPECT_THAT(Run({"keys", "he*"}), StrSet(V{"hello", "heeello"}));
  EXPECT_THAT(Run({"keys", "hello"}), StrSet(V{"hello"}));
  EXPECT_THAT(Run({"keys", "*o"}),
              StrSet(V{"hello", "hallo", "hxllo", "hllo", "heeello", "h*llo"}));
  EXPECT_THAT(Run({"keys", "*"}),
              StrSet(V{"hello", "hallo", "hxllo", "hllo", "heeello", "h*llo", "bye"}));
  EXPECT_THAT(Run({"keys", "nomatch*"}), ArrayOfSize(0));
  EXPECT_EQ(RunRaw({"keys", "bye"}), "*1\r\n$3\r\nbye\r\n");
  EXPECT_EQ(RunRaw({"keys", "x"}), "*0\r\n");
  EXPECT_THAT(Run({"keys"}), ErrorIs("ERR wrong number of arguments for 'keys' command"));
}

TEST_F(KeyspaceFamilyTest, KeysStarAloneMatchesTheEmptyKey) {
  Put("");
  Put("a");
  using V = std::vector<std::string>;
  EXPECT_THAT(Run({"keys", "*"}), StrSet(V{"", "a"}));
  EXPECT_THAT(Run({"keys", "**"}), StrSet(V{"a"}));
  EXPECT_THAT(Run({"keys", "a*"}), StrSet(V{"a"}));
}

TEST_F(KeyspaceFamilyTest, KeysSkipsExpiredAndOtherDbs) {
  Put("a");
  Put("b", "v", -1, NowMs() + 10);
  Put("c", "v", 1);
  AdvanceTime(11);
  EXPECT_THAT(Run({"keys", "*"}), StrArray(std::vector<std::string>{"a"}));
  client().db = 1;
  EXPECT_THAT(Run({"keys", "*"}), StrArray(std::vector<std::string>{"c"}));
}

// ---- SCAN ----

TEST_F(KeyspaceFamilyTest, ScanReplyFormat) {
  EXPECT_EQ(RunRaw({"scan", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  Put("a");
  EXPECT_EQ(RunRaw({"scan", "0"}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  EXPECT_EQ(RunRaw({"scan", "0", "TYPE", "string", "match", "a*", "COUNT", "100"}),
            "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
}

TEST_F(KeyspaceFamilyTest, ScanIteratesEverythingWithMatchAndType) {
  std::set<std::string> wanted;
  for (int i = 0; i < 350; ++i) {
    std::string key = "key:" + std::to_string(i);
    Put(key);
    wanted.insert(key);
  }
  for (int i = 0; i < 150; ++i) Put("other:" + std::to_string(i));
  Put("key:in-db1", "v", 1);

  int calls = 0;
  // A general pattern walks the whole keyspace in COUNT-sized steps.
  std::vector<std::string> seen =
      ScanAll({"MATCH", "k?y:*", "COUNT", "3", "TYPE", "string"}, &calls);
  EXPECT_GT(calls, 100);  // about 500 / 3 visits
  EXPECT_EQ(Unique(seen), wanted);
  // A literal prefix visits only the matches, a shard's worth per call at
  // most (issue 4: prefix scans cost O(log n + matches)).
  seen = ScanAll({"MATCH", "key:*", "COUNT", "3", "TYPE", "string"}, &calls);
  EXPECT_LE(calls, 17);
  EXPECT_EQ(Unique(seen), wanted);
  EXPECT_EQ(Unique(ScanAll({"count", "3"})).size(), 500u);

  using S = std::set<std::string>;
  EXPECT_EQ(Unique(ScanAll({"match", "other:1?", "count", "7"})),
            (S{"other:10", "other:11", "other:12", "other:13", "other:14", "other:15", "other:16",
               "other:17", "other:18", "other:19"}));

  // TYPE compares case-insensitively; an unknown type matches nothing.
  EXPECT_EQ(Unique(ScanAll({"type", "STRING", "match", "key:*"})), wanted);
  EXPECT_THAT(ScanAll({"type", "hash"}), ::testing::IsEmpty());
  EXPECT_THAT(ScanAll({"type", "foo", "count", "1000"}), ::testing::IsEmpty());

  // A repeated option takes its last value.
  EXPECT_EQ(Unique(ScanAll({"match", "nothing*", "match", "key:1?"})).size(), 10u);
  EXPECT_THAT(ScanAll({"type", "string", "type", "none"}), ::testing::IsEmpty());
}

TEST_F(KeyspaceFamilyTest, ScanSkipsExpiredKeysAndSeesOnlyItsDb) {
  Put("live");
  Put("dead", "v", -1, NowMs() + 5);
  Put("elsewhere", "v", 2);
  AdvanceTime(6);
  EXPECT_THAT(ScanAll({}), ElementsAre("live"));
  client().db = 2;
  EXPECT_THAT(ScanAll({"count", "1"}), ElementsAre("elsewhere"));
}

TEST_F(KeyspaceFamilyTest, ScanMatchStarIncludesEmptyKey) {
  Put("");
  Put("a");
  std::vector<std::string> star = ScanAll({"match", "*"});
  EXPECT_EQ(Sorted(star), Sorted({"", "a"}));
  EXPECT_THAT(ScanAll({"match", "**"}), ElementsAre("a"));
}

TEST_F(KeyspaceFamilyTest, ScanCursorParsing) {
  Put("a");
  const std::string invalid = "ERR invalid cursor";
  for (const char* bad : {" 0", "0 ", "0x", "abc", "-", "+", "1.5", "18446744073709551616",
                          "-18446744073709551616", "99999999999999999999999"}) {
    EXPECT_THAT(Run({"scan", bad}), ErrorIs(invalid)) << "'" << bad << "'";
  }
  // strtoull rules: "" and "+0" are 0; a minus sign wraps around.
  EXPECT_EQ(RunRaw({"scan", ""}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  EXPECT_EQ(RunRaw({"scan", "+0"}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  EXPECT_EQ(RunRaw({"scan", "-0"}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  for (const char* ok : {"-1", "18446744073709551615", "-18446744073709551615", "12345"}) {
    RespValue r = Run({"scan", ok});
    EXPECT_EQ(r.kind, RespValue::Kind::kArray) << ok;
    EXPECT_EQ(r.size(), 2u) << ok;
  }
  // The cursor is checked before the options.
  EXPECT_THAT(Run({"scan", "abc", "count", "0"}), ErrorIs(invalid));
  EXPECT_THAT(Run({"scan"}), ErrorIs("ERR wrong number of arguments for 'scan' command"));
}

TEST_F(KeyspaceFamilyTest, ScanOptionErrors) {
  EXPECT_THAT(Run({"scan", "0", "count", "0"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"scan", "0", "count", "-1"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"scan", "0", "count", "abc"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"scan", "0", "count", "99999999999999999999"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"scan", "0", "count"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"scan", "0", "match"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"scan", "0", "type"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"scan", "0", "foo", "bar"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"scan", "0", "match", "*", "count"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"scan", "0", "count", "9223372036854775807"}), ArrayOfSize(2));
}

// ---- RANDOMKEY ----

TEST_F(KeyspaceFamilyTest, RandomKey) {
  EXPECT_EQ(RunRaw({"randomkey"}), "$-1\r\n");
  Put("only");
  EXPECT_EQ(RunRaw({"randomkey"}), "$4\r\nonly\r\n");
  Put("a");
  Put("b");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    RespValue r = Run({"randomkey"});
    EXPECT_THAT(r.str, AnyOf("only", "a", "b"));
    seen.insert(r.str);
  }
  EXPECT_GE(seen.size(), 2u);
  EXPECT_THAT(Run({"randomkey", "x"}),
              ErrorIs("ERR wrong number of arguments for 'randomkey' command"));
}

TEST_F(KeyspaceFamilyTest, RandomKeyIgnoresExpiredKeys) {
  Put("dead", "v", -1, NowMs() + 1);
  AdvanceTime(2);
  EXPECT_EQ(RunRaw({"randomkey"}), "$-1\r\n");
}

// RESP3 changes only the null: KEYS and SCAN stay arrays, as in Redis 7.0.
TEST_F(KeyspaceFamilyTest, Resp3Replies) {
  client().resp = 3;
  client_->reply.set_resp3(true);
  EXPECT_EQ(RunRaw({"randomkey"}), "_\r\n");
  Put("a");
  EXPECT_EQ(RunRaw({"keys", "*"}), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(RunRaw({"scan", "0"}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  EXPECT_EQ(RunRaw({"type", "a"}), "+string\r\n");
  EXPECT_EQ(RunRaw({"ttl", "a"}), ":-1\r\n");
}

// ---- RENAME RENAMENX ----

TEST_F(KeyspaceFamilyTest, Rename) {
  EXPECT_THAT(Run({"rename", "nokey", "x"}), ErrorIs("ERR no such key"));
  EXPECT_THAT(Run({"rename", "nokey", "nokey"}), ErrorIs("ERR no such key"));
  Put("a", "1");
  EXPECT_EQ(RunRaw({"rename", "a", "a"}), "+OK\r\n");
  EXPECT_EQ(Value("a"), "1");
  Put("b", "2");
  EXPECT_EQ(RunRaw({"rename", "a", "b"}), "+OK\r\n");
  EXPECT_EQ(Value("a"), std::nullopt);
  EXPECT_EQ(Value("b"), "1");
  EXPECT_EQ(RunRaw({"rename", "b", "c"}), "+OK\r\n");
  EXPECT_EQ(Value("c"), "1");
  EXPECT_THAT(Run({"rename", "c"}), ErrorIs("ERR wrong number of arguments for 'rename' command"));
}

TEST_F(KeyspaceFamilyTest, RenameKeepsTheTtl) {
  Put("a", "1", -1, NowMs() + 5000);
  Put("b", "2");
  EXPECT_EQ(RunRaw({"rename", "a", "b"}), "+OK\r\n");
  EXPECT_THAT(Run({"pttl", "b"}), IsInt(5000));
  Put("c", "3", -1, NowMs() + 100);
  Put("d", "4");
  EXPECT_THAT(Run({"renamenx", "d", "e"}), IsInt(1));
  EXPECT_THAT(Run({"ttl", "e"}), IsInt(-1));
  AdvanceTime(101);
  EXPECT_THAT(Run({"rename", "c", "x"}), ErrorIs("ERR no such key"));  // c has expired
}

TEST_F(KeyspaceFamilyTest, RenameNx) {
  EXPECT_THAT(Run({"renamenx", "nokey", "x"}), ErrorIs("ERR no such key"));
  EXPECT_THAT(Run({"renamenx", "nokey", "nokey"}), ErrorIs("ERR no such key"));
  Put("a", "1");
  Put("b", "2");
  EXPECT_THAT(Run({"renamenx", "a", "a"}), IsInt(0));
  EXPECT_THAT(Run({"renamenx", "a", "b"}), IsInt(0));
  EXPECT_EQ(Value("a"), "1");
  EXPECT_EQ(Value("b"), "2");
  EXPECT_THAT(Run({"renamenx", "a", "c"}), IsInt(1));
  EXPECT_EQ(Value("a"), std::nullopt);
  EXPECT_EQ(Value("c"), "1");
  // An expired destination does not exist.
  Put("old", "x", -1, NowMs() + 1);
  AdvanceTime(2);
  EXPECT_THAT(Run({"renamenx", "c", "old"}), IsInt(1));
  EXPECT_EQ(Value("old"), "1");
}

// ---- COPY ----

TEST_F(KeyspaceFamilyTest, CopyWithinDb) {
  EXPECT_THAT(Run({"copy", "nokey", "x"}), IsInt(0));
  Put("src", "1", -1, NowMs() + 7000);
  EXPECT_THAT(Run({"copy", "src", "dst"}), IsInt(1));
  EXPECT_EQ(Value("dst"), "1");
  EXPECT_EQ(Value("src"), "1");
  EXPECT_THAT(Run({"pttl", "dst"}), IsInt(7000));
  Put("other", "2");
  EXPECT_THAT(Run({"copy", "other", "dst"}), IsInt(0));
  EXPECT_EQ(Value("dst"), "1");
  EXPECT_THAT(Run({"copy", "other", "dst", "REPLACE"}), IsInt(1));
  EXPECT_EQ(Value("dst"), "2");
  EXPECT_THAT(Run({"ttl", "dst"}), IsInt(-1));
  EXPECT_THAT(Run({"copy", "src", "dst", "replace", "replace"}), IsInt(1));
  EXPECT_EQ(Value("dst"), "1");
  EXPECT_THAT(Run({"copy", "nokey", "dst", "replace"}), IsInt(0));
  EXPECT_EQ(Value("dst"), "1");
}

TEST_F(KeyspaceFamilyTest, CopyToAnotherDb) {
  Put("k", "1");
  EXPECT_THAT(Run({"copy", "k", "k", "db", "3"}), IsInt(1));
  EXPECT_EQ(Value("k", 3), "1");
  EXPECT_EQ(Value("k", 0), "1");
  Put("k", "2");
  EXPECT_THAT(Run({"copy", "k", "k", "DB", "3"}), IsInt(0));
  EXPECT_EQ(Value("k", 3), "1");
  EXPECT_THAT(Run({"copy", "k", "k", "replace", "db", "3"}), IsInt(1));
  EXPECT_EQ(Value("k", 3), "2");
  EXPECT_THAT(Run({"copy", "k", "j", "db", "15"}), IsInt(1));
  EXPECT_EQ(Value("j", 15), "2");
  EXPECT_EQ(Value("j", 0), std::nullopt);
  // From a non-zero db.
  client().db = 3;
  EXPECT_THAT(Run({"copy", "k", "z", "db", "0"}), IsInt(1));
  EXPECT_EQ(Value("z", 0), "2");
}

TEST_F(KeyspaceFamilyTest, CopyErrors) {
  Put("b");
  const std::string same = "ERR source and destination objects are the same";
  EXPECT_THAT(Run({"copy", "b", "b"}), ErrorIs(same));
  EXPECT_THAT(Run({"copy", "b", "b", "db", "0"}), ErrorIs(same));
  EXPECT_THAT(Run({"copy", "nokey", "nokey"}), ErrorIs(same));
  EXPECT_THAT(Run({"copy", "b", "b", "db", "16"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"copy", "b", "b", "db", "-1"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"copy", "b", "c", "db", "16", "replace"}),
              ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"copy", "b", "b", "db", "abc"}),
              ErrorIs("ERR value is not an integer or out of range"));
  const std::string int_range =
      "ERR value is out of range, value must between -2147483648 and 2147483647";
  EXPECT_THAT(Run({"copy", "b", "b", "db", "99999999999"}), ErrorIs(int_range));
  EXPECT_THAT(Run({"copy", "b", "b", "db", "-2147483649"}), ErrorIs(int_range));
  EXPECT_THAT(Run({"copy", "b", "b", "db", "2147483647"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"copy", "b", "b", "db", "9223372036854775808"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"copy", "b", "b", "db"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"copy", "b", "c", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"copy", "b", "c", "replace", "foo", "db", "16"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"copy", "b"}), ErrorIs("ERR wrong number of arguments for 'copy' command"));
  EXPECT_EQ(Value("c"), std::nullopt);
}

// ---- MOVE ----

TEST_F(KeyspaceFamilyTest, Move) {
  Put("k", "1", -1, NowMs() + 3000);
  EXPECT_THAT(Run({"move", "k", "5"}), IsInt(1));
  EXPECT_EQ(Value("k", 0), std::nullopt);
  EXPECT_EQ(Value("k", 5), "1");
  EXPECT_EQ(Deadline("k", 5), NowMs() + 3000);
  EXPECT_THAT(Run({"move", "k", "5"}), IsInt(0));  // no longer in db 0
  Put("k", "2");
  EXPECT_THAT(Run({"move", "k", "5"}), IsInt(0));  // exists in the target
  EXPECT_EQ(Value("k", 0), "2");
  EXPECT_EQ(Value("k", 5), "1");
  client().db = 5;
  EXPECT_THAT(Run({"move", "k", "0"}), IsInt(0));
  EXPECT_THAT(Run({"move", "k", "1"}), IsInt(1));
  EXPECT_EQ(Value("k", 1), "1");
}

TEST_F(KeyspaceFamilyTest, MoveErrors) {
  Put("k");
  const std::string same = "ERR source and destination objects are the same";
  EXPECT_THAT(Run({"move", "k", "0"}), ErrorIs(same));
  EXPECT_THAT(Run({"move", "nokey", "0"}), ErrorIs(same));
  EXPECT_THAT(Run({"move", "k", "16"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"move", "k", "-1"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"move", "k", "abc"}), ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"move", "k", "01"}), ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"move", "k", "9223372036854775808"}),
              ErrorIs("ERR value is not an integer or out of range"));
  const std::string int_range =
      "ERR value is out of range, value must between -2147483648 and 2147483647";
  EXPECT_THAT(Run({"move", "k", "2147483648"}), ErrorIs(int_range));
  EXPECT_THAT(Run({"move", "k", "-99999999999"}), ErrorIs(int_range));
  EXPECT_THAT(Run({"move", "k", "2147483647"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"move", "nokey", "1"}), IsInt(0));
  EXPECT_THAT(Run({"move", "k"}), ErrorIs("ERR wrong number of arguments for 'move' command"));
  EXPECT_EQ(Value("k"), "v");
}

// ---- DBSIZE FLUSHDB FLUSHALL SWAPDB ----

TEST_F(KeyspaceFamilyTest, DbSize) {
  EXPECT_THAT(Run({"dbsize"}), IsInt(0));
  Put("a");
  Put("b");
  Put("c", "v", 1);
  EXPECT_THAT(Run({"dbsize"}), IsInt(2));
  client().db = 1;
  EXPECT_THAT(Run({"dbsize"}), IsInt(1));
  EXPECT_THAT(Run({"dbsize", "x"}), ErrorIs("ERR wrong number of arguments for 'dbsize' command"));
}

TEST_F(KeyspaceFamilyTest, FlushDbEmptiesOnlyTheCurrentDb) {
  for (const char* mode : {"", "sync", "ASYNC", "Sync", "async"}) {
    Put("a");
    Put("b", "v", -1, NowMs() + 1000);
    Put("c", "v", 4);
    std::vector<std::string> cmd = {"flushdb"};
    if (*mode) cmd.push_back(mode);
    EXPECT_EQ(RunRaw(cmd), "+OK\r\n") << mode;
    EXPECT_THAT(Run({"dbsize"}), IsInt(0)) << mode;
    EXPECT_EQ(Value("c", 4), "v") << mode;
  }
}

TEST_F(KeyspaceFamilyTest, FlushAllEmptiesEveryDb) {
  for (const char* mode : {"", "SYNC", "async"}) {
    Put("a");
    Put("c", "v", 4);
    Put("d", "v", 15);
    std::vector<std::string> cmd = {"flushall"};
    if (*mode) cmd.push_back(mode);
    EXPECT_EQ(RunRaw(cmd), "+OK\r\n") << mode;
    EXPECT_EQ(Value("a"), std::nullopt);
    EXPECT_EQ(Value("c", 4), std::nullopt);
    EXPECT_EQ(Value("d", 15), std::nullopt);
  }
}

TEST_F(KeyspaceFamilyTest, FlushAsyncFreesInTheBackground) {
  for (int i = 0; i < 5000; ++i) Put("k" + std::to_string(i));
  Put("other", "v", 3);
  EXPECT_EQ(RunRaw({"flushdb", "async"}), "+OK\r\n");
  EXPECT_THAT(Run({"dbsize"}), IsInt(0));  // gone before the reply
  EXPECT_EQ(Value("other", 3), "v");
  Put("k1", "new");  // the database is usable at once
  EXPECT_EQ(Value("k1"), "new");
  server_->keyspace().WaitLazyFree();
  EXPECT_THAT(Run({"info", "memory"}).str, ::testing::HasSubstr("lazyfree_pending_objects:0\r\n"));
  EXPECT_EQ(RunRaw({"flushall", "async"}), "+OK\r\n");
  EXPECT_EQ(Value("other", 3), std::nullopt);
  server_->keyspace().WaitLazyFree();
}

// UNLINK frees a value of more than 64 allocations' work in the background
// (lazyfreed_objects counts it, CONFIG RESETSTAT zeroes it); a string or a
// compact value is freed at once, as DEL does. The key is gone either way.
TEST_F(KeyspaceFamilyTest, UnlinkFreesLargeValuesInTheBackground) {
  auto lazyfreed = [&] {
    server_->keyspace().WaitLazyFree();
    const std::string info = Run({"info", "memory"}).str;
    const size_t at = info.find("lazyfreed_objects:");
    return at == std::string::npos ? std::string("missing")
                                   : info.substr(at, info.find("\r\n", at) - at);
  };
  std::vector<std::string> sadd = {"sadd", "big"};
  for (int i = 0; i < 1000; ++i) sadd.push_back("m" + std::to_string(i));
  EXPECT_THAT(Run(sadd), IsInt(1000));
  EXPECT_THAT(Run({"sadd", "small", "a", "b"}), IsInt(2));
  EXPECT_EQ(Run({"set", "str", "v"}), "OK");
  std::vector<std::string> rpush = {"rpush", "shortlist"};
  for (int i = 0; i < 100; ++i) rpush.push_back("x");
  EXPECT_THAT(Run(rpush), IsInt(100));  // one node: cheap to free
  EXPECT_THAT(Run({"unlink", "small", "str", "shortlist", "nosuch"}), IsInt(3));
  EXPECT_EQ(lazyfreed(), "lazyfreed_objects:0");
  EXPECT_THAT(Run({"unlink", "big", "big"}), IsInt(1));
  EXPECT_THAT(Run({"exists", "big"}), IsInt(0));
  EXPECT_EQ(lazyfreed(), "lazyfreed_objects:1");
  // DEL stays synchronous.
  EXPECT_THAT(Run(sadd), IsInt(1000));
  EXPECT_THAT(Run({"del", "big"}), IsInt(1));
  EXPECT_EQ(lazyfreed(), "lazyfreed_objects:1");
  // A stream of many blocks; FLUSHDB ASYNC counts the keys it frees.
  EXPECT_EQ(Run({"config", "set", "stream-node-max-entries", "5"}), "OK");
  for (int i = 0; i < 1000; ++i) Run({"xadd", "s", "*", "f", std::to_string(i)});
  EXPECT_THAT(Run({"unlink", "s"}), IsInt(1));
  EXPECT_EQ(lazyfreed(), "lazyfreed_objects:2");
  EXPECT_EQ(Run({"config", "resetstat"}), "OK");
  EXPECT_EQ(lazyfreed(), "lazyfreed_objects:0");
  EXPECT_EQ(Run({"set", "a", "1"}), "OK");
  EXPECT_EQ(Run({"set", "b", "2"}), "OK");
  EXPECT_EQ(Run({"flushdb", "async"}), "OK");
  EXPECT_EQ(lazyfreed(), "lazyfreed_objects:2");
}

TEST_F(KeyspaceFamilyTest, FlushSyntaxErrors) {
  Put("a");
  for (const char* cmd : {"flushdb", "flushall"}) {
    EXPECT_THAT(Run({cmd, "foo"}), ErrorIs("ERR syntax error")) << cmd;
    EXPECT_THAT(Run({cmd, "sync", "sync"}), ErrorIs("ERR syntax error")) << cmd;
    EXPECT_THAT(Run({cmd, "async", "x"}), ErrorIs("ERR syntax error")) << cmd;
  }
  EXPECT_EQ(Value("a"), "v");
}

TEST_F(KeyspaceFamilyTest, SwapDb) {
  Put("a", "in0", 0);
  Put("b", "in1", 1);
  EXPECT_EQ(RunRaw({"swapdb", "0", "1"}), "+OK\r\n");
  EXPECT_EQ(Value("a", 1), "in0");
  EXPECT_EQ(Value("b", 0), "in1");
  EXPECT_EQ(Value("a", 0), std::nullopt);
  EXPECT_THAT(Run({"keys", "*"}), StrArray(std::vector<std::string>{"b"}));
  EXPECT_EQ(RunRaw({"swapdb", "0", "0"}), "+OK\r\n");
  EXPECT_EQ(Value("b", 0), "in1");
  EXPECT_EQ(RunRaw({"swapdb", "15", "1"}), "+OK\r\n");
  EXPECT_EQ(Value("a", 15), "in0");
  EXPECT_THAT(Run({"dbsize"}), IsInt(1));
}

TEST_F(KeyspaceFamilyTest, SwapDbErrors) {
  EXPECT_THAT(Run({"swapdb", "a", "0"}), ErrorIs("ERR invalid first DB index"));
  EXPECT_THAT(Run({"swapdb", "0", "a"}), ErrorIs("ERR invalid second DB index"));
  EXPECT_THAT(Run({"swapdb", "16", "a"}), ErrorIs("ERR invalid second DB index"));
  EXPECT_THAT(Run({"swapdb", "99999999999", "0"}), ErrorIs("ERR invalid first DB index"));
  EXPECT_THAT(Run({"swapdb", "0", "16"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"swapdb", "-1", "0"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"swapdb", "0"}), ErrorIs("ERR wrong number of arguments for 'swapdb' command"));
}

// ---- The command table matches Redis's COMMAND INFO ----

TEST_F(KeyspaceFamilyTest, CommandRowsMatchRedis) {
  using server::CommandFlag;
  struct Want {
    const char* name;
    int arity;
    uint32_t flags;  // the Redis-visible ones
    int first, last, step;
  };
  const uint32_t w = server::kWrite, ro = server::kReadonly, f = server::kFast,
                 oom = server::kDenyOom;
  const Want want[] = {
      {"del", -2, w, 1, -1, 1},
      {"unlink", -2, w | f, 1, -1, 1},
      {"exists", -2, ro | f, 1, -1, 1},
      {"type", 2, ro | f, 1, 1, 1},
      {"touch", -2, ro | f, 1, -1, 1},
      {"expire", -3, w | f, 1, 1, 1},
      {"pexpire", -3, w | f, 1, 1, 1},
      {"expireat", -3, w | f, 1, 1, 1},
      {"pexpireat", -3, w | f, 1, 1, 1},
      {"ttl", 2, ro | f, 1, 1, 1},
      {"pttl", 2, ro | f, 1, 1, 1},
      {"expiretime", 2, ro | f, 1, 1, 1},
      {"pexpiretime", 2, ro | f, 1, 1, 1},
      {"persist", 2, w | f, 1, 1, 1},
      {"keys", 2, ro, 0, 0, 0},
      {"scan", -2, ro, 0, 0, 0},
      {"randomkey", 1, ro, 0, 0, 0},
      {"rename", 3, w, 1, 2, 1},
      {"renamenx", 3, w | f, 1, 2, 1},
      {"copy", -3, w | oom, 1, 2, 1},
      {"move", 3, w | f, 1, 1, 1},
      {"dbsize", 1, ro | f, 0, 0, 0},
      {"flushdb", -1, w, 0, 0, 0},
      {"flushall", -1, w, 0, 0, 0},
      {"swapdb", 3, w | f, 0, 0, 0},
  };
  const uint32_t internal = server::kLockAll | server::kSelfLocking | server::kMultiControl;
  for (const Want& x : want) {
    const server::CommandSpec* spec = server().commands().Find(x.name);
    ASSERT_NE(spec, nullptr) << x.name;
    EXPECT_EQ(spec->arity, x.arity) << x.name;
    EXPECT_EQ(spec->flags & ~internal, x.flags) << x.name;
    EXPECT_EQ(spec->first_key, x.first) << x.name;
    EXPECT_EQ(spec->last_key, x.last) << x.name;
    EXPECT_EQ(spec->step, x.step) << x.name;
    EXPECT_NE(spec->handler, nullptr) << x.name;
    EXPECT_FALSE(spec->summary.empty()) << x.name;
  }
  for (const char* name : {"keys", "dbsize", "flushdb", "flushall", "swapdb", "randomkey"}) {
    EXPECT_TRUE(server().commands().Find(name)->flags & server::kLockAll) << name;
  }
  EXPECT_TRUE(server().commands().Find("scan")->flags & server::kSelfLocking);
  for (const char* name : {"keys", "flushdb", "flushall", "swapdb"}) {
    EXPECT_THAT(server().commands().Find(name)->acl_categories,
                ElementsAre("@keyspace", "@dangerous"))
        << name;
  }
}

}  // namespace
}  // namespace stashd::test
