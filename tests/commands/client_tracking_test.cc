// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO and the invalidation
// messages of client-side caching, through the dispatcher. Expected bytes
// and error texts are those of redis-server 7.0.15.
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// RESP3 pushes, as the connection writes them.
std::string Invalidate(const std::vector<std::string>& keys) {
  std::string out = ">2\r\n$10\r\ninvalidate\r\n*" + std::to_string(keys.size()) + "\r\n";
  for (const std::string& k : keys) out += "$" + std::to_string(k.size()) + "\r\n" + k + "\r\n";
  return out;
}
constexpr char kInvalidateAll[] = ">2\r\n$10\r\ninvalidate\r\n_\r\n";
// A redirected invalidation as a RESP2 subscriber receives it.
std::string Message(const std::vector<std::string>& keys) {
  std::string out = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*" +
                    std::to_string(keys.size()) + "\r\n";
  for (const std::string& k : keys) out += "$" + std::to_string(k.size()) + "\r\n" + k + "\r\n";
  return out;
}

class ClientTrackingTest : public CommandTest {
 protected:
  // A RESP3 client with tracking on (and `options`).
  TestClient& Tracker(std::vector<std::string> options = {}) {
    TestClient& c = NewClient();
    RunRaw(c, {"hello", "3"});
    std::vector<std::string> cmd = {"client", "tracking", "on"};
    cmd.insert(cmd.end(), options.begin(), options.end());
    EXPECT_EQ(RunRaw(c, cmd), "+OK\r\n");
    return c;
  }
  std::string Id(TestClient& c) { return std::to_string(c.state.id); }
  int64_t Info(const std::string& field) {
    const std::string info = Run({"info", "everything"}).str;
    const std::string key = "\r\n" + field + ":";
    const size_t at = info.find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(info.substr(at + key.size()));
  }
};

TEST_F(ClientTrackingTest, ErrorsAsRedis) {
  EXPECT_THAT(Run({"client", "tracking"}),
              ErrorIs("ERR wrong number of arguments for 'client|tracking' command"));
  EXPECT_THAT(Run({"client", "tracking", "maybe"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "tracking", "on", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "tracking", "on", "redirect"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "tracking", "on", "prefix"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "tracking", "on", "redirect", "abc"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"client", "tracking", "on", "redirect", "9999"}),
              ErrorIs("ERR The client ID you want redirect to does not exist"));
  EXPECT_THAT(Run({"client", "tracking", "on", "redirect", "0"}),
              ErrorIs("ERR The client ID you want redirect to does not exist"));
  const std::string self = Id(*client_);
  EXPECT_THAT(Run({"client", "tracking", "on", "redirect", self, "redirect", self}),
              ErrorIs("ERR A client can only redirect to a single other client"));
  // OFF parses its options too.
  EXPECT_THAT(Run({"client", "tracking", "off", "redirect", "9999"}),
              ErrorIs("ERR The client ID you want redirect to does not exist"));
  EXPECT_THAT(Run({"client", "tracking", "on", "prefix", "a", "optin", "optout"}),
              ErrorIs("ERR PREFIX option requires BCAST mode to be enabled"));
  EXPECT_THAT(Run({"client", "tracking", "on", "bcast", "optin", "optout"}),
              ErrorIs("ERR OPTIN and OPTOUT are not compatible with BCAST"));
  EXPECT_THAT(Run({"client", "tracking", "on", "optin", "optout"}),
              ErrorIs("ERR You can't specify both OPTIN mode and OPTOUT mode"));
  EXPECT_THAT(Run({"client", "tracking", "on", "bcast", "prefix", "a", "prefix", "ab"}),
              ErrorIs("ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a "
                      "single client must not overlap."));
  EXPECT_THAT(Run({"client", "tracking", "on", "bcast", "prefix", "x", "prefix", "x"}),
              ErrorIs("ERR Prefix 'x' overlaps with another provided prefix 'x'. Prefixes for a "
                      "single client must not overlap."));
  // Nothing above turned tracking on.
  EXPECT_THAT(Run({"client", "getredir"}), IsInt(-1));
  EXPECT_EQ(Info("tracking_clients"), 0);

  EXPECT_THAT(Run({"client", "caching", "yes"}),
              ErrorIs("ERR CLIENT CACHING can be called only when the client is in tracking mode "
                      "with OPTIN or OPTOUT mode enabled"));
  EXPECT_THAT(Run({"client", "caching"}),
              ErrorIs("ERR wrong number of arguments for 'client|caching' command"));
  EXPECT_EQ(Run({"client", "tracking", "on", "optin"}), "OK");
  EXPECT_THAT(Run({"client", "caching", "no"}),
              ErrorIs("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT "
                      "mode."));
  EXPECT_THAT(Run({"client", "caching", "maybe"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "tracking", "on", "optout"}),
              ErrorIs("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                      "client, and then re-enabling it with a different mode."));
  EXPECT_THAT(Run({"client", "tracking", "on", "bcast"}),
              ErrorIs("ERR You can't switch BCAST mode on/off before disabling tracking for this "
                      "client, and then re-enabling it with a different mode."));
  EXPECT_EQ(Run({"client", "tracking", "off"}), "OK");
  EXPECT_EQ(Run({"client", "tracking", "on", "optout"}), "OK");
  EXPECT_THAT(Run({"client", "caching", "yes"}),
              ErrorIs("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN "
                      "mode."));
  EXPECT_EQ(Run({"client", "tracking", "off"}), "OK");
  EXPECT_EQ(Run({"client", "tracking", "on", "bcast", "prefix", "a", "prefix", "b"}), "OK");
  EXPECT_THAT(Run({"client", "tracking", "on", "bcast", "prefix", "ab"}),
              ErrorIs("ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a "
                      "single client must not overlap."));
  EXPECT_THAT(Run({"client", "tracking", "on"}),
              ErrorIs("ERR You can't switch BCAST mode on/off before disabling tracking for this "
                      "client, and then re-enabling it with a different mode."));
}

TEST_F(ClientTrackingTest, TrackingInfoGetRedirAndClientList) {
  TestClient& target = NewClient();
  const std::string redir = Id(target);
  EXPECT_EQ(RunRaw({"client", "trackinginfo"}),
            "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n"
            "*0\r\n");
  EXPECT_THAT(Run({"client", "info"}).str, ::testing::HasSubstr(" flags=N "));
  EXPECT_THAT(Run({"client", "info"}).str, ::testing::HasSubstr(" redir=-1 "));
  EXPECT_EQ(Run({"client", "tracking", "on", "optin", "noloop", "redirect", redir}), "OK");
  EXPECT_THAT(Run({"client", "getredir"}), IsInt(std::stoll(redir)));
  EXPECT_EQ(Run({"client", "caching", "yes"}), "OK");
  // CLIENT subcommands keep the CACHING choice for the next command.
  RespValue info = Run({"client", "trackinginfo"});
  EXPECT_THAT(info.elems[1].Strings(), ElementsAre("on", "optin", "caching-yes", "noloop"));
  EXPECT_THAT(info.elems[3], IsInt(std::stoll(redir)));
  EXPECT_THAT(Run({"client", "info"}).str, ::testing::HasSubstr(" flags=t "));
  EXPECT_THAT(Run({"client", "info"}).str, ::testing::HasSubstr(" redir=" + redir + " "));
  Run({"get", "k"});  // uses the choice up
  EXPECT_THAT(Run({"client", "trackinginfo"}).elems[1].Strings(),
              ElementsAre("on", "optin", "noloop"));
  // ON again without options starts over: no redirection, no OPTIN.
  EXPECT_EQ(Run({"client", "tracking", "on"}), "OK");
  EXPECT_THAT(Run({"client", "getredir"}), IsInt(0));
  EXPECT_THAT(Run({"client", "trackinginfo"}).elems[1].Strings(), ElementsAre("on"));
  EXPECT_EQ(Run({"client", "tracking", "off"}), "OK");
  EXPECT_EQ(Run({"client", "tracking", "on", "bcast", "prefix", "foo", "prefix", "bar"}), "OK");
  info = Run({"client", "trackinginfo"});
  EXPECT_THAT(info.elems[1].Strings(), ElementsAre("on", "bcast"));
  EXPECT_THAT(info.elems[5].Strings(), ElementsAre("bar", "foo"));
  EXPECT_THAT(Run({"client", "info"}).str, ::testing::HasSubstr(" flags=tB "));
  EXPECT_THAT(Run({"client", "info"}).str, ::testing::HasSubstr(" redir=0 "));
  EXPECT_EQ(Info("tracking_total_prefixes"), 2);
  EXPECT_EQ(Run({"client", "tracking", "off"}), "OK");
  EXPECT_EQ(Run({"client", "tracking", "on", "bcast"}), "OK");
  EXPECT_THAT(Run({"client", "trackinginfo"}).elems[5].Strings(), ElementsAre(""));
  // RESP3: a map with a set of flags.
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"client", "trackinginfo"}),
            "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
            "$8\r\nprefixes\r\n*1\r\n$0\r\n\r\n");
  // RESET turns tracking off.
  EXPECT_EQ(Run({"reset"}), "RESET");
  EXPECT_THAT(Run({"client", "getredir"}), IsInt(-1));
  EXPECT_EQ(Info("tracking_clients"), 0);
  EXPECT_EQ(Info("tracking_total_prefixes"), 0);
}

TEST_F(ClientTrackingTest, Resp3InvalidationOfReadKeysOnly) {
  TestClient& r = Tracker();
  TestClient& w = NewClient();
  Run(w, {"mset", "a", "1", "b", "1"});
  EXPECT_EQ(RunRaw(r, {"get", "a"}), "$1\r\n1\r\n");
  Run(w, {"incr", "b"});  // not read: no message
  EXPECT_THAT(r.messages, IsEmpty());
  Run(w, {"incr", "a"});
  EXPECT_EQ(r.messages, Invalidate({"a"}));
  r.messages.clear();
  // Forgotten after one invalidation.
  Run(w, {"incr", "a"});
  EXPECT_THAT(r.messages, IsEmpty());
  // MGET remembers every key, a missing one too; one message per key, in
  // the order they change.
  RunRaw(r, {"mget", "a", "b", "nope"});
  EXPECT_EQ(Info("tracking_total_keys"), 3);
  Run(w, {"mset", "nope", "1", "b", "2", "a", "3"});
  EXPECT_EQ(r.messages, Invalidate({"nope"}) + Invalidate({"b"}) + Invalidate({"a"}));
  EXPECT_EQ(Info("tracking_total_keys"), 0);
  r.messages.clear();
  // Writes by the reader do not remember (GETDEL is a write).
  RunRaw(r, {"getdel", "a"});
  Run(w, {"set", "a", "x"});
  EXPECT_THAT(r.messages, IsEmpty());
  // A failed write changes nothing: no message (SET NX on an existing key).
  RunRaw(r, {"get", "a"});
  Run(w, {"set", "a", "y", "nx"});
  EXPECT_THAT(r.messages, IsEmpty());
  // Any database: the table is keyed by name only, as Redis's.
  Run(w, {"select", "5"});
  Run(w, {"set", "a", "z"});
  EXPECT_EQ(r.messages, Invalidate({"a"}));
}

TEST_F(ClientTrackingTest, OwnWriteInvalidationFollowsTheReply) {
  TestClient& r = Tracker();
  RunRaw(r, {"hset", "h", "f", "1"});
  RunRaw(r, {"hget", "h", "f"});
  // As Redis 7.0: the reply first, then the push.
  EXPECT_EQ(RunRaw(r, {"hdel", "h", "f"}), ":1\r\n" + Invalidate({"h"}));
  EXPECT_THAT(r.messages, IsEmpty());
  // In a transaction: after EXEC's whole reply.
  RunRaw(r, {"mset", "a", "1", "b", "2"});
  RunRaw(r, {"get", "a"});
  RunRaw(r, {"multi"});
  RunRaw(r, {"incr", "a"});
  RunRaw(r, {"get", "b"});
  EXPECT_EQ(RunRaw(r, {"exec"}), "*2\r\n:2\r\n$1\r\n2\r\n" + Invalidate({"a"}));
  // FLUSHDB: a null invalidation after the reply.
  EXPECT_EQ(RunRaw(r, {"flushdb"}), "+OK\r\n" + std::string(kInvalidateAll));
  // CLIENT REPLY OFF: the reply goes, the push stays.
  RunRaw(r, {"get", "a"});
  RunRaw(r, {"client", "reply", "off"});
  EXPECT_EQ(RunRaw(r, {"set", "a", "1"}), Invalidate({"a"}));
}

TEST_F(ClientTrackingTest, Noloop) {
  TestClient& r = Tracker({"noloop"});
  TestClient& w = NewClient();
  RunRaw(r, {"mget", "mine", "theirs"});
  EXPECT_EQ(RunRaw(r, {"set", "mine", "1"}), "+OK\r\n");
  Run(w, {"set", "theirs", "1"});
  EXPECT_EQ(r.messages, Invalidate({"theirs"}));
  r.messages.clear();
  // Its own write still forgot the key for it.
  Run(w, {"set", "mine", "2"});
  EXPECT_THAT(r.messages, IsEmpty());
  // A script's write is the client's own too.
  RunRaw(r, {"get", "k1"});
  EXPECT_EQ(RunRaw(r, {"eval", "return redis.call('set', KEYS[1], '2')", "1", "k1"}), "+OK\r\n");
  EXPECT_EQ(RunRaw(r, {"get", "k1"}), "$1\r\n2\r\n");
  // A key its own command finds expired is its own change too (Redis 7.0)...
  RunRaw(r, {"set", "e", "v", "px", "10"});
  RunRaw(r, {"get", "e"});
  AdvanceTime(20);
  EXPECT_EQ(RunRaw(r, {"get", "e"}), "_\r\n");
  // ... but not one another client's command finds expired.
  RunRaw(r, {"set", "e", "v", "px", "10"});
  RunRaw(r, {"get", "e"});
  AdvanceTime(20);
  Run(w, {"get", "e"});
  EXPECT_EQ(r.messages, Invalidate({"e"}));
  r.messages.clear();
  // In BCAST mode an expiry is nobody's change: NOLOOP clients hear of it,
  // even when their own command caused it, in the same batch as their write.
  TestClient& b = Tracker({"bcast", "noloop"});
  RunRaw(b, {"set", "x", "v", "px", "10"});
  AdvanceTime(20);
  RunRaw(b, {"multi"});
  RunRaw(b, {"set", "y", "1"});
  RunRaw(b, {"get", "x"});
  EXPECT_EQ(RunRaw(b, {"exec"}), "*2\r\n+OK\r\n_\r\n" + Invalidate({"x"}));
}

TEST_F(ClientTrackingTest, ExpiryLazyAndActive) {
  TestClient& r = Tracker();
  TestClient& w = NewClient();
  Run(w, {"set", "lazy", "1", "px", "10"});
  Run(w, {"set", "active", "1", "px", "10"});
  RunRaw(r, {"mget", "lazy", "active"});
  AdvanceTime(20);
  Run(w, {"get", "lazy"});  // deleted on access
  EXPECT_EQ(r.messages, Invalidate({"lazy"}));
  r.messages.clear();
  {
    server::TrackingScope scope(server_->tracking(), nullptr, nullptr);  // as the cron does
    server_->keyspace().ActiveExpireCycle(100);
  }
  EXPECT_EQ(r.messages, Invalidate({"active"}));
}

TEST_F(ClientTrackingTest, DelPrefixAndFlushes) {
  TestClient& r = Tracker();
  TestClient& w = NewClient();
  Run(w, {"mset", "user:1", "a", "user:2", "b", "other", "c"});
  RunRaw(r, {"mget", "user:1", "user:2", "other"});
  Run(w, {"delprefix", "user:"});
  EXPECT_THAT(ParseAll(r.messages), ::testing::SizeIs(2));
  EXPECT_THAT(r.messages, ::testing::HasSubstr("user:1"));
  EXPECT_THAT(r.messages, ::testing::HasSubstr("user:2"));
  r.messages.clear();
  // FLUSHALL: every tracking client gets a null, whatever it read, and the
  // table is emptied (FLUSHDB of another database too, as Redis).
  TestClient& idle = Tracker();
  Run(w, {"select", "3"});
  Run(w, {"flushdb"});
  EXPECT_EQ(r.messages, kInvalidateAll);
  EXPECT_EQ(idle.messages, kInvalidateAll);
  EXPECT_EQ(Info("tracking_total_keys"), 0);
  r.messages.clear();
  Run(w, {"set", "other", "x"});
  EXPECT_THAT(r.messages, IsEmpty());
  RunRaw(r, {"get", "k"});
  EXPECT_EQ(Info("tracking_total_keys"), 1);
  Run(w, {"flushall", "async"});
  EXPECT_EQ(r.messages, kInvalidateAll);
  EXPECT_EQ(Info("tracking_total_keys"), 0);
}

TEST_F(ClientTrackingTest, RedirectToResp2Subscriber) {
  TestClient& sub = NewClient();
  RunRaw(sub, {"subscribe", "__redis__:invalidate"});
  TestClient& r = NewClient();  // RESP2
  EXPECT_EQ(Run(r, {"client", "tracking", "on", "redirect", Id(sub)}), "OK");
  TestClient& w = NewClient();
  RunRaw(r, {"get", "k"});
  EXPECT_EQ(RunRaw(r, {"set", "k", "1"}), "+OK\r\n");  // its own write, told to `sub`
  EXPECT_EQ(sub.messages, Message({"k"}));
  sub.messages.clear();
  RunRaw(r, {"get", "k"});
  Run(w, {"set", "k", "2"});
  EXPECT_EQ(sub.messages, Message({"k"}));
  sub.messages.clear();
  // A flush: the null in the tracking client's protocol (RESP2 here).
  Run(w, {"flushall"});
  EXPECT_EQ(sub.messages, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
  EXPECT_THAT(r.messages, IsEmpty());
  // A RESP2 client without a redirection is told nothing.
  TestClient& plain = NewClient();
  Run(plain, {"client", "tracking", "on"});
  RunRaw(plain, {"get", "p"});
  Run(w, {"set", "p", "1"});
  EXPECT_THAT(plain.messages, IsEmpty());
}

TEST_F(ClientTrackingTest, RedirectToResp3ClientAndBrokenRedirect) {
  TestClient& target = NewClient();
  RunRaw(target, {"hello", "3"});
  TestClient& r = Tracker({"redirect", Id(target)});
  TestClient& w = NewClient();
  RunRaw(r, {"get", "k"});
  Run(w, {"set", "k", "1"});
  EXPECT_EQ(target.messages, Invalidate({"k"}));
  EXPECT_THAT(r.messages, IsEmpty());
  // The target leaves: the tracking client is told, each time.
  target.state.closing = true;
  RunRaw(r, {"get", "k"});
  Run(w, {"set", "k", "2"});
  const std::string broken = ">2\r\n$21\r\ntracking-redir-broken\r\n:" + Id(target) + "\r\n";
  EXPECT_EQ(r.messages, broken);
  EXPECT_THAT(Run(r, {"client", "info"}).str, ::testing::HasSubstr(" flags=tR "));
  EXPECT_THAT(Run(r, {"client", "trackinginfo"}).elems[1].Strings(),
              ElementsAre("on", "broken_redirect"));
  // Its own write: after its reply.
  RunRaw(r, {"get", "k"});
  EXPECT_EQ(RunRaw(r, {"set", "k", "3"}), "+OK\r\n" + broken);
}

TEST_F(ClientTrackingTest, OptInAndOptOut) {
  TestClient& in = Tracker({"optin"});
  TestClient& out = Tracker({"optout"});
  TestClient& w = NewClient();
  RunRaw(in, {"get", "a"});  // not cached: no CACHING yes
  RunRaw(in, {"client", "caching", "yes"});
  RunRaw(in, {"get", "b"});
  RunRaw(out, {"get", "a"});
  RunRaw(out, {"client", "caching", "no"});
  RunRaw(out, {"get", "b"});  // not cached
  Run(w, {"mset", "a", "1", "b", "1"});
  EXPECT_EQ(in.messages, Invalidate({"b"}));
  EXPECT_EQ(out.messages, Invalidate({"a"}));
  in.messages.clear();
  // CACHING yes lasts for a whole transaction.
  RunRaw(in, {"client", "caching", "yes"});
  RunRaw(in, {"multi"});
  RunRaw(in, {"get", "a"});
  RunRaw(in, {"get", "b"});
  RunRaw(in, {"exec"});
  RunRaw(in, {"get", "c"});  // the choice is used up
  Run(w, {"mset", "a", "2", "b", "2", "c", "2"});
  EXPECT_EQ(in.messages, Invalidate({"a"}) + Invalidate({"b"}));
}

TEST_F(ClientTrackingTest, BroadcastBatchesPerPrefixPerCommand) {
  TestClient& r = Tracker({"bcast", "prefix", "b:", "prefix", "a:"});
  TestClient& w = NewClient();
  RunRaw(w, {"multi"});
  RunRaw(w, {"incr", "a:2"});
  RunRaw(w, {"incr", "b:1"});
  RunRaw(w, {"incr", "a:1"});
  RunRaw(w, {"incr", "c:1"});
  RunRaw(w, {"incr", "a:1"});
  RunRaw(w, {"exec"});
  // One message per prefix, prefixes and keys sorted, each key once.
  EXPECT_EQ(r.messages, Invalidate({"a:1", "a:2"}) + Invalidate({"b:1"}));
  r.messages.clear();
  // Its own writes too, after its reply.
  EXPECT_EQ(RunRaw(r, {"mset", "a:9", "1", "z", "1"}), "+OK\r\n" + Invalidate({"a:9"}));
  // Reading remembers nothing in BCAST mode.
  RunRaw(r, {"get", "q"});
  EXPECT_EQ(Info("tracking_total_keys"), 0);
  // Prefixes add up; the empty prefix is every key.
  TestClient& all = Tracker({"bcast", "noloop"});
  Run(w, {"mset", "x", "1", "a:3", "1"});
  EXPECT_EQ(all.messages, Invalidate({"a:3", "x"}));
  all.messages.clear();
  EXPECT_EQ(RunRaw(all, {"set", "y", "1"}), "+OK\r\n");  // NOLOOP
  EXPECT_THAT(all.messages, IsEmpty());
  EXPECT_EQ(Info("tracking_total_prefixes"), 3);
}

TEST_F(ClientTrackingTest, ScriptsRememberTheirKeysWhenTheyRead) {
  TestClient& r = Tracker();
  TestClient& w = NewClient();
  Run(w, {"mset", "k1", "1", "k2", "1", "k3", "1"});
  // A script that reads nothing remembers nothing.
  RunRaw(r, {"eval", "redis.call('set', 'k3', 'x')", "2", "k1", "k2"});
  Run(w, {"mset", "k1", "2", "k2", "2"});
  EXPECT_THAT(r.messages, IsEmpty());
  // A script that reads: its declared keys, not those it read.
  RunRaw(r, {"eval", "redis.call('get', 'k3')", "2", "k1", "k2"});
  Run(w, {"mset", "k3", "3", "k2", "3", "k1", "3"});
  EXPECT_EQ(r.messages, Invalidate({"k2"}) + Invalidate({"k1"}));
  r.messages.clear();
  RunRaw(r, {"eval_ro", "redis.call('ping')", "2", "k1", "k2"});
  Run(w, {"mset", "k2", "4", "k1", "4"});
  EXPECT_THAT(r.messages, IsEmpty());
  RunRaw(r, {"eval_ro", "redis.call('get', 'k1')", "1", "k2"});
  Run(w, {"mset", "k2", "5", "k1", "5"});
  EXPECT_EQ(r.messages, Invalidate({"k2"}));
}

TEST_F(ClientTrackingTest, ServedBlockedClientGetsItsInvalidationAfterTheReply) {
  TestClient& r = Tracker();
  TestClient& w = NewClient();
  Run(w, {"rpush", "dst", "a"});
  RunRaw(r, {"lrange", "dst", "0", "-1"});
  EXPECT_EQ(RunRaw(r, {"blmove", "src", "dst", "left", "left", "0"}), "");
  ASSERT_TRUE(Blocked(r));
  Run(w, {"rpush", "src", "foo"});
  EXPECT_EQ(r.state.blocked->reply.buffer(), "$3\r\nfoo\r\n" + Invalidate({"dst"}));
  EXPECT_THAT(r.messages, IsEmpty());
  Unblocked(r);
}

TEST_F(ClientTrackingTest, TableLimitEvictsBeforeTheNextCommand) {
  TestClient& r = Tracker();
  TestClient& w = NewClient();
  for (int i = 0; i < 10; ++i) RunRaw(r, {"get", "key" + std::to_string(i)});
  EXPECT_EQ(Info("tracking_total_keys"), 10);
  EXPECT_THAT(Run(w, {"config", "get", "tracking-table-max-keys"}).Strings(),
              ElementsAre("tracking-table-max-keys", "1000000"));
  EXPECT_EQ(Run(w, {"config", "set", "tracking-table-max-keys", "3"}), "OK");
  Run(w, {"ping"});
  EXPECT_EQ(Info("tracking_total_keys"), 3);
  EXPECT_THAT(ParseAll(r.messages), ::testing::SizeIs(7));
  r.messages.clear();
  // The tracking client's own next command: its evictions come first.
  RunRaw(r, {"get", "key100"});
  const std::string raw = RunRaw(r, {"ping"});
  EXPECT_THAT(raw, ::testing::StartsWith(">2\r\n$10\r\ninvalidate\r\n"));
  EXPECT_THAT(raw, ::testing::EndsWith("+PONG\r\n"));
  EXPECT_EQ(Info("tracking_total_keys"), 3);
}

TEST_F(ClientTrackingTest, InfoCounts) {
  TestClient& a = Tracker();
  TestClient& b = Tracker();
  Tracker({"bcast", "prefix", "p:"});
  RunRaw(a, {"mget", "k1", "k2"});
  RunRaw(b, {"get", "k1"});
  EXPECT_EQ(Info("tracking_clients"), 3);
  EXPECT_EQ(Info("tracking_total_keys"), 2);
  EXPECT_EQ(Info("tracking_total_items"), 3);
  EXPECT_EQ(Info("tracking_total_prefixes"), 1);
  // Nobody tracking: nothing remembered.
  for (TestClient* c : {&a, &b}) RunRaw(*c, {"client", "tracking", "off"});
  EXPECT_EQ(Info("tracking_total_keys"), 2);  // kept while someone tracks, as Redis
  Run({"reset"});
  EXPECT_EQ(Info("tracking_clients"), 1);
}

}  // namespace
}  // namespace stashd::test
