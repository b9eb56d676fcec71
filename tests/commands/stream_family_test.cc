// The stream commands through the dispatcher: replies and errors as Redis
// 7.0.15 gives them (checked side by side with redis-server), IDs from the
// fake clock, consumer groups and their PELs, blocking XREAD/XREADGROUP,
// and the delta ops each write records (results, not commands).
#include <string>
#include <vector>

#include "commands/command_fixture.h"
#include "store/keyspace.h"
#include "store/types/stream.h"

namespace stashd::test {
namespace {

using Strings = std::vector<std::string>;

class Recorder : public store::ChangeListener {
 public:
  void OnChange(const store::Change& c) override {
    if (c.kind != store::Change::Kind::kUpdate) return;
    std::string s = "op" + std::to_string(c.op);
    for (std::string_view a : c.args) s += " " + std::string(a);
    log.push_back(s);
  }
  Strings log;
};

class StreamFamilyTest : public CommandTest {
 protected:
  StreamFamilyTest() { Listen(&recorder_); }
  ~StreamFamilyTest() override { Listen(nullptr); }
  void Listen(store::ChangeListener* l) {
    store::Keyspace& ks = server().keyspace();
    auto locks = ks.Lock(ks.AllShardsMask());
    ks.SetChangeListener(l);
  }
  Strings Records() { return std::exchange(recorder_.log, {}); }
  std::string D(std::vector<std::string> args) { return DebugString(Run(std::move(args))); }
  Recorder recorder_;
};

TEST_F(StreamFamilyTest, XaddIds) {
  EXPECT_EQ(D({"xadd", "s", "*", "a", "1"}), "\"1700000000000-0\"");
  EXPECT_EQ(D({"xadd", "s", "*", "a", "2"}), "\"1700000000000-1\"");
  AdvanceTime(5);
  EXPECT_EQ(D({"xadd", "s", "*", "a", "3"}), "\"1700000000005-0\"");
  EXPECT_EQ(D({"xadd", "s", "1700000000005-*", "a", "4"}), "\"1700000000005-1\"");
  EXPECT_EQ(D({"xadd", "s", "1800000000000-*", "a", "5"}), "\"1800000000000-0\"");
  EXPECT_EQ(D({"xadd", "s", "1800000000000-7", "a", "6"}), "\"1800000000000-7\"");
  EXPECT_EQ(D({"xadd", "s", "1800000000000-7", "a", "6"}),
            "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
  EXPECT_EQ(D({"xadd", "t", "0-0", "a", "1"}),
            "-ERR The ID specified in XADD must be greater than 0-0");
  EXPECT_EQ(D({"xadd", "t", "abc", "a", "1"}),
            "-ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(D({"xadd", "t", "*", "a"}), "-ERR wrong number of arguments for 'xadd' command");
  EXPECT_EQ(D({"xadd", "t", "*", "a", "1", "b"}),
            "-ERR wrong number of arguments for 'xadd' command");
  EXPECT_EQ(D({"exists", "t"}), ":0");
  EXPECT_EQ(D({"xadd", "t", "nomkstream", "*", "a", "1"}), "(nil)");
  EXPECT_EQ(D({"exists", "t"}), ":0");
  EXPECT_EQ(D({"xadd", "s", "maxlen", "5", "limit", "10", "*", "a", "1"}),
            "-ERR syntax error, LIMIT cannot be used without the special ~ option");
  EXPECT_EQ(D({"xadd", "s", "maxlen", "~", "-1", "*", "a", "1"}),
            "-ERR The MAXLEN argument must be >= 0.");
  EXPECT_EQ(D({"set", "str", "x"}), "+OK");
  EXPECT_EQ(D({"xadd", "str", "*", "a", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(D({"type", "s"}), "+stream");
  EXPECT_EQ(D({"object", "encoding", "s"}), "\"stream\"");
}

TEST_F(StreamFamilyTest, XaddRecordsTheIdItGot) {
  Records();
  Run({"xadd", "s", "*", "a", "1"});
  EXPECT_EQ(Records(), Strings({"op1 1700000000000-0 a 1"}));
  Run({"xadd", "s", "maxlen", "1", "*", "b", "2"});
  EXPECT_EQ(Records(), Strings({"op1 1700000000000-1 b 2", "op3 1700000000000-0"}));
}

TEST_F(StreamFamilyTest, XrangeAndXrevrange) {
  for (int i = 1; i <= 5; ++i) Run({"xadd", "s", std::to_string(i) + "-1", "f", std::to_string(i)});
  EXPECT_EQ(D({"xrange", "s", "-", "+", "count", "2"}),
            "[[\"1-1\", [\"f\", \"1\"]], [\"2-1\", [\"f\", \"2\"]]]");
  EXPECT_EQ(D({"xrange", "s", "(1-1", "3"}),
            "[[\"2-1\", [\"f\", \"2\"]], [\"3-1\", [\"f\", \"3\"]]]");
  EXPECT_EQ(D({"xrevrange", "s", "+", "(4-1", "count", "5"}), "[[\"5-1\", [\"f\", \"5\"]]]");
  EXPECT_EQ(D({"xrange", "s", "-", "+", "count", "0"}), "(nil)");
  EXPECT_EQ(D({"xrange", "s", "-", "+", "count", "-1"}), "(nil)");
  EXPECT_EQ(D({"xrange", "nokey", "-", "+"}), "[]");
  EXPECT_EQ(D({"xrange", "s", "(-", "+"}),
            "-ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(D({"xrange", "s", "(18446744073709551615-18446744073709551615", "+"}),
            "-ERR invalid start ID for the interval");
  EXPECT_EQ(D({"xrange", "s", "-", "(0-0"}), "-ERR invalid end ID for the interval");
  EXPECT_EQ(D({"xrange", "s", "-", "+", "foo"}), "-ERR syntax error");
  EXPECT_EQ(D({"xlen", "s"}), ":5");
  EXPECT_EQ(D({"xlen", "nokey"}), ":0");
}

TEST_F(StreamFamilyTest, XdelXtrimXsetid) {
  for (int i = 1; i <= 5; ++i) Run({"xadd", "s", std::to_string(i) + "-0", "f", "v"});
  Records();
  EXPECT_EQ(D({"xdel", "s", "2-0", "9-0", "2-0"}), ":1");
  EXPECT_EQ(Records(), Strings({"op2 2-0"}));
  EXPECT_EQ(D({"xdel", "s", "bad"}), "-ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(D({"xdel", "nokey", "1-0"}), ":0");
  EXPECT_EQ(D({"xtrim", "s", "maxlen", "2"}), ":2");
  EXPECT_EQ(Records(), Strings({"op3 3-0"}));
  EXPECT_EQ(D({"xtrim", "s", "foo", "1"}), "-ERR syntax error");
  EXPECT_EQ(D({"xtrim", "s", "limit", "1"}),
            "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  EXPECT_EQ(D({"xtrim", "nokey", "maxlen", "1"}), ":0");
  EXPECT_EQ(D({"xtrim", "s", "minid", "5"}), ":1");
  EXPECT_EQ(D({"xdel", "s", "5-0"}), ":1");
  EXPECT_EQ(D({"xlen", "s"}), ":0");
  EXPECT_EQ(D({"exists", "s"}), ":1");  // an emptied stream stays
  EXPECT_EQ(D({"xsetid", "s", "4-0"}),
            "-ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
  EXPECT_EQ(D({"xsetid", "s", "9-0", "entriesadded", "20", "maxdeletedid", "7-0"}), "+OK");
  EXPECT_EQ(D({"xsetid", "s", "9-0", "maxdeletedid", "10-0"}),
            "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
  EXPECT_EQ(D({"xsetid", "nokey", "1-0"}), "-ERR no such key");
  EXPECT_EQ(D({"xadd", "s", "9-0", "f", "v"}),
            "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
  EXPECT_EQ(D({"xinfo", "stream", "s"}),
            "[\"length\", :0, \"radix-tree-keys\", :0, \"radix-tree-nodes\", :1, "
            "\"last-generated-id\", \"9-0\", \"max-deleted-entry-id\", \"7-0\", "
            "\"entries-added\", :20, \"recorded-first-entry-id\", \"0-0\", \"groups\", :0, "
            "\"first-entry\", (nil), \"last-entry\", (nil)]");
}

TEST_F(StreamFamilyTest, XreadNonBlocking) {
  Run({"xadd", "a", "1-0", "f", "1"});
  Run({"xadd", "a", "2-0", "f", "2"});
  Run({"xadd", "b", "1-0", "g", "1"});
  EXPECT_EQ(D({"xread", "count", "1", "streams", "a", "b", "0", "0"}),
            "[[\"a\", [[\"1-0\", [\"f\", \"1\"]]]], [\"b\", [[\"1-0\", [\"g\", \"1\"]]]]]");
  EXPECT_EQ(D({"xread", "streams", "a", "b", "2-0", "$"}), "(nil)");
  EXPECT_EQ(D({"xread", "streams", "a", "b", "0"}),
            "-ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be "
            "specified.");
  EXPECT_EQ(D({"xread", "streams", "a", ">"}),
            "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
            "<consumer> option.");
  EXPECT_EQ(D({"xread", "group", "g", "c", "streams", "a", "0"}),
            "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
  Run({"hello", "3"});
  EXPECT_EQ(D({"xread", "streams", "a", "1-0"}), "%{\"a\", [[\"2-0\", [\"f\", \"2\"]]]}");
}

TEST_F(StreamFamilyTest, XreadBlocksAndWakesInArrivalOrder) {
  TestClient& c1 = NewClient();
  TestClient& c2 = NewClient();
  TestClient& c3 = NewClient();
  Run({"xadd", "s", "1-0", "f", "1"});
  EXPECT_EQ(RunRaw(c1, {"xread", "block", "0", "streams", "s", "$"}), "");
  EXPECT_EQ(RunRaw(c2, {"xread", "block", "0", "streams", "s", "5-0"}), "");
  EXPECT_EQ(RunRaw(c3, {"xread", "block", "0", "streams", "other", "s", "$", "0"}),
            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n");
  EXPECT_TRUE(Blocked(c1));
  EXPECT_TRUE(Blocked(c2));
  Run({"xadd", "s", "2-0", "f", "2"});
  // c1 waited for anything after 1-0 ($ then); c2 for after 5-0.
  EXPECT_EQ(DebugString(*Unblocked(c1)), "[[\"s\", [[\"2-0\", [\"f\", \"2\"]]]]]");
  EXPECT_TRUE(Blocked(c2));
  Run({"xadd", "s", "6-0", "f", "6"});
  EXPECT_EQ(DebugString(*Unblocked(c2)), "[[\"s\", [[\"6-0\", [\"f\", \"6\"]]]]]");
  // Inside MULTI a blocking XREAD answers at once.
  Run({"multi"});
  Run({"xread", "block", "0", "streams", "s", "$"});
  EXPECT_EQ(D({"exec"}), "[(nil)]");
  EXPECT_EQ(D({"eval", "return redis.call('xread','block',0,'streams','s','$')", "0"})
                .rfind("-ERR xread command is not allowed with BLOCK option from scripts", 0),
            0u);
}

TEST_F(StreamFamilyTest, GroupsReadAckPending) {
  EXPECT_EQ(D({"xgroup", "create", "s", "g", "$"}),
            "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
            "want to use the MKSTREAM option to create an empty stream automatically.");
  EXPECT_EQ(D({"xgroup", "create", "s", "g", "$", "mkstream"}), "+OK");
  EXPECT_EQ(D({"xgroup", "create", "s", "g", "$"}),
            "-BUSYGROUP Consumer Group name already exists");
  EXPECT_EQ(D({"xreadgroup", "group", "nog", "c", "streams", "s", ">"}),
            "-NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option");
  Run({"xadd", "s", "1-0", "f", "1"});
  Run({"xadd", "s", "2-0", "f", "2"});
  Records();
  EXPECT_EQ(D({"xreadgroup", "group", "g", "alice", "count", "1", "streams", "s", ">"}),
            "[[\"s\", [[\"1-0\", [\"f\", \"1\"]]]]]");
  EXPECT_EQ(Records(), Strings({"op10 g alice 1700000000000", "op6 g 1-0 1",
                                "op11 g alice 1700000000000 1-0 1"}));
  AdvanceTime(100);
  EXPECT_EQ(D({"xreadgroup", "group", "g", "bob", "streams", "s", ">"}),
            "[[\"s\", [[\"2-0\", [\"f\", \"2\"]]]]]");
  EXPECT_EQ(D({"xreadgroup", "group", "g", "bob", "streams", "s", ">"}), "(nil)");
  EXPECT_EQ(D({"xreadgroup", "group", "g", "alice", "streams", "s", "0"}),
            "[[\"s\", [[\"1-0\", [\"f\", \"1\"]]]]]");
  EXPECT_EQ(D({"xpending", "s", "g"}),
            "[:2, \"1-0\", \"2-0\", [[\"alice\", \"1\"], [\"bob\", \"1\"]]]");
  AdvanceTime(50);
  EXPECT_EQ(D({"xpending", "s", "g", "-", "+", "10"}),
            "[[\"1-0\", \"alice\", :50, :2], [\"2-0\", \"bob\", :50, :1]]");
  EXPECT_EQ(D({"xpending", "s", "g", "-", "+", "10", "bob"}), "[[\"2-0\", \"bob\", :50, :1]]");
  EXPECT_EQ(D({"xpending", "s", "g", "idle", "60", "-", "+", "10"}), "[]");
  EXPECT_EQ(D({"xpending", "s", "g", "-", "+", "10", "nobody"}), "[]");
  EXPECT_EQ(D({"xpending", "s", "nog"}), "-NOGROUP No such key 's' or consumer group 'nog'");
  EXPECT_EQ(D({"xack", "s", "g", "1-0", "1-0", "9-0"}), ":1");
  EXPECT_EQ(D({"xack", "s", "nog", "1-0"}), ":0");
  EXPECT_EQ(D({"xinfo", "groups", "s"}),
            "[[\"name\", \"g\", \"consumers\", :2, \"pending\", :1, \"last-delivered-id\", "
            "\"2-0\", \"entries-read\", :2, \"lag\", :0]]");
  EXPECT_EQ(D({"xinfo", "consumers", "s", "g"}),
            "[[\"name\", \"alice\", \"pending\", :0, \"idle\", :50], [\"name\", \"bob\", "
            "\"pending\", :1, \"idle\", :50]]");
  EXPECT_EQ(D({"xgroup", "delconsumer", "s", "g", "bob"}), ":1");
  EXPECT_EQ(D({"xgroup", "createconsumer", "s", "g", "carol"}), ":1");
  EXPECT_EQ(D({"xgroup", "createconsumer", "s", "g", "carol"}), ":0");
  EXPECT_EQ(D({"xgroup", "setid", "s", "nog", "0"}),
            "-NOGROUP No such consumer group 'nog' for key name 's'");
  EXPECT_EQ(D({"xgroup", "setid", "s", "g", "0", "entriesread", "0"}), "+OK");
  EXPECT_EQ(D({"xgroup", "destroy", "s", "g"}), ":1");
  EXPECT_EQ(D({"xgroup", "destroy", "s", "g"}), ":0");
}

TEST_F(StreamFamilyTest, ClaimAndAutoclaim) {
  Run({"xgroup", "create", "s", "g", "0", "mkstream"});
  for (int i = 1; i <= 3; ++i) Run({"xadd", "s", std::to_string(i) + "-0", "f", std::to_string(i)});
  Run({"xreadgroup", "group", "g", "alice", "streams", "s", ">"});
  AdvanceTime(100);
  EXPECT_EQ(D({"xclaim", "s", "g", "bob", "50", "1-0", "justid"}), "[\"1-0\"]");
  EXPECT_EQ(D({"xclaim", "s", "g", "bob", "50", "1-0"}), "[]");  // idle 0 now
  EXPECT_EQ(D({"xclaim", "s", "g", "bob", "0", "2-0", "retrycount", "7", "idle", "10"}),
            "[[\"2-0\", [\"f\", \"2\"]]]");
  EXPECT_EQ(D({"xpending", "s", "g", "-", "+", "10"}),
            "[[\"1-0\", \"bob\", :0, :1], [\"2-0\", \"bob\", :10, :7], [\"3-0\", \"alice\", :100, "
            ":1]]");
  EXPECT_EQ(D({"xclaim", "s", "g", "bob", "0", "1-0", "bogus"}),
            "-ERR Unrecognized XCLAIM option 'bogus'");
  EXPECT_EQ(D({"xclaim", "s", "nog", "bob", "0", "1-0"}),
            "-NOGROUP No such key 's' or consumer group 'nog'");
  Run({"xdel", "s", "3-0"});
  EXPECT_EQ(D({"xautoclaim", "s", "g", "carol", "0", "0", "count", "1"}),
            "[\"2-0\", [[\"1-0\", [\"f\", \"1\"]]], []]");
  EXPECT_EQ(D({"xautoclaim", "s", "g", "carol", "0", "2-0", "justid"}),
            "[\"0-0\", [\"2-0\"], [\"3-0\"]]");
  EXPECT_EQ(D({"xautoclaim", "s", "g", "carol", "0", "0", "count", "0"}), "-ERR COUNT must be > 0");
}

TEST_F(StreamFamilyTest, XreadgroupBlocksUntilNewEntries) {
  TestClient& c1 = NewClient();
  Run({"xgroup", "create", "s", "g", "$", "mkstream"});
  EXPECT_EQ(RunRaw(c1, {"xreadgroup", "group", "g", "c", "block", "0", "streams", "s", ">"}), "");
  Run({"xadd", "s", "1-0", "f", "1"});
  EXPECT_EQ(DebugString(*Unblocked(c1)), "[[\"s\", [[\"1-0\", [\"f\", \"1\"]]]]]");
  EXPECT_EQ(D({"xpending", "s", "g"}), "[:1, \"1-0\", \"1-0\", [[\"c\", \"1\"]]]");
  EXPECT_EQ(RunRaw(c1, {"xreadgroup", "group", "g", "c", "block", "0", "streams", "s", ">"}), "");
  Run({"xgroup", "destroy", "s", "g"});
  EXPECT_EQ(DebugString(*Unblocked(c1)),
            "-NOGROUP the consumer group this client was blocked on no longer exists");
}

}  // namespace
}  // namespace stashd::test
