// SUBSCRIBE and the other Pub/Sub commands through the dispatcher: reply
// shapes in RESP2 and RESP3, the subscribed context, PUBSUB, ACL channel
// permissions, PUBLISH from MULTI and Lua. Expected texts are those of
// redis-server 7.0.15.
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr char kNoPermChannel[] =
    "NOPERM this user has no permissions to access one of the channels used as arguments";

class PubSubTest : public CommandTest {};

TEST_F(PubSubTest, SubscribeUnsubscribeRepliesAndCounts) {
  TestClient& c = *client_;
  EXPECT_THAT(RunAll(c, {"subscribe", "a", "b", "a"}),
              ElementsAre("[\"subscribe\", \"a\", :1]", "[\"subscribe\", \"b\", :2]",
                          "[\"subscribe\", \"a\", :2]"));
  // Channels and patterns count together; shard channels alone.
  EXPECT_THAT(RunAll(c, {"psubscribe", "p*"}), ElementsAre("[\"psubscribe\", \"p*\", :3]"));
  EXPECT_THAT(RunAll(c, {"ssubscribe", "s"}), ElementsAre("[\"ssubscribe\", \"s\", :1]"));
  EXPECT_THAT(RunAll(c, {"unsubscribe", "a", "x"}),
              ElementsAre("[\"unsubscribe\", \"a\", :2]", "[\"unsubscribe\", \"x\", :2]"));
  EXPECT_THAT(RunAll(c, {"punsubscribe"}), ElementsAre("[\"punsubscribe\", \"p*\", :1]"));
  EXPECT_THAT(RunAll(c, {"punsubscribe"}), ElementsAre("[\"punsubscribe\", (nil), :1]"));
  EXPECT_THAT(RunAll(c, {"sunsubscribe"}), ElementsAre("[\"sunsubscribe\", \"s\", :0]"));
  EXPECT_THAT(RunAll(c, {"unsubscribe"}), ElementsAre("[\"unsubscribe\", \"b\", :0]"));
  // Out of subscribed mode: any command again.
  EXPECT_THAT(Run({"get", "k"}), IsNil());
}

TEST_F(PubSubTest, SubscribedContextInResp2) {
  Run({"subscribe", "a"});
  EXPECT_THAT(Run({"get", "k"}),
              ErrorIs("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                      "QUIT / RESET are allowed in this context"));
  EXPECT_THAT(Run({"config", "get", "x"}),
              ErrorIs("ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                      "PING / QUIT / RESET are allowed in this context"));
  EXPECT_EQ(RunRaw({"ping"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(RunRaw({"ping", "hi"}), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
  // RESET leaves subscribed mode and drops the subscriptions.
  EXPECT_EQ(Run({"reset"}), "RESET");
  EXPECT_THAT(Run({"pubsub", "numsub", "a"}).Strings(), ElementsAre("a", ""));
  EXPECT_THAT(Run({"pubsub", "numsub", "a"})[1], IsInt(0));
  EXPECT_EQ(Run({"ping"}), "PONG");
}

TEST_F(PubSubTest, Resp3PushesAndOrdinaryCommands) {
  TestClient& c = *client_;
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw(c, {"subscribe", "a"}), ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Run({"ping"}), "PONG");
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  EXPECT_EQ(RunRaw(c, {"punsubscribe"}), ">3\r\n$12\r\npunsubscribe\r\n_\r\n:1\r\n");
  // Publishing to itself: the push is written before PUBLISH's reply.
  EXPECT_EQ(RunRaw(c, {"publish", "a", "x"}),
            ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nx\r\n:1\r\n");
}

// A RESP3 client's own messages go into its output where Redis writes them:
// before the command's reply, inside EXEC's array, before a script's result,
// and under CLIENT REPLY OFF without the reply. Bytes as redis-server 7.0.15.
TEST_F(PubSubTest, Resp3OwnMessagesAreWrittenWhereRedisWritesThem) {
  TestClient& c = *client_;
  Run({"hello", "3"});
  EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", "KEA"}), "OK");
  RunRaw(c, {"subscribe", "__keyspace@0__:k"});
  const std::string set_event = ">3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n";
  EXPECT_EQ(RunRaw(c, {"set", "k", "v"}), set_event + "+OK\r\n");
  Run({"multi"});
  Run({"set", "k", "w"});
  Run({"publish", "__keyspace@0__:k", "x"});
  EXPECT_EQ(RunRaw(c, {"exec"}),
            "*2\r\n" + set_event +
                "+OK\r\n>3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$1\r\nx\r\n:1\r\n");
  EXPECT_EQ(RunRaw(c, {"eval", "redis.call('set','k','z'); return 7", "0"}), set_event + ":7\r\n");
  EXPECT_EQ(RunRaw(c, {"client", "reply", "off"}), "");
  EXPECT_EQ(RunRaw(c, {"set", "k", "q"}), set_event);
  EXPECT_EQ(RunRaw(c, {"client", "reply", "on"}), "+OK\r\n");
  EXPECT_EQ(RunRaw(c, {"del", "k"}),
            ">3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\ndel\r\n:1\r\n");
}

TEST_F(PubSubTest, PublishDeliversToChannelsThenPatterns) {
  TestClient& sub = NewClient();
  TestClient& psub = NewClient();
  RunRaw(sub, {"subscribe", "news.tech"});
  RunRaw(psub, {"psubscribe", "news.*", "*tech", "other"});
  EXPECT_THAT(Run({"publish", "news.tech", "hello"}), IsInt(3));
  EXPECT_THAT(TakeMessages(sub), ElementsAre("[\"message\", \"news.tech\", \"hello\"]"));
  EXPECT_THAT(TakeMessages(psub),
              UnorderedElementsAre("[\"pmessage\", \"news.*\", \"news.tech\", \"hello\"]",
                                   "[\"pmessage\", \"*tech\", \"news.tech\", \"hello\"]"));
  EXPECT_THAT(Run({"publish", "nobody", "x"}), IsInt(0));
  // Shard channels are a namespace of their own.
  RunRaw(sub, {"ssubscribe", "news.tech"});
  EXPECT_THAT(Run({"spublish", "news.tech", "s"}), IsInt(1));
  EXPECT_THAT(TakeMessages(sub), ElementsAre("[\"smessage\", \"news.tech\", \"s\"]"));
  EXPECT_THAT(TakeMessages(psub), ElementsAre());
}

TEST_F(PubSubTest, PubSubIntrospection) {
  TestClient& a = NewClient();
  TestClient& b = NewClient();
  RunRaw(a, {"subscribe", "ch1", "ch2"});
  RunRaw(b, {"subscribe", "ch1"});
  RunRaw(b, {"psubscribe", "p1", "p2"});
  RunRaw(a, {"psubscribe", "p1"});
  RunRaw(a, {"ssubscribe", "s1"});
  EXPECT_THAT(Run({"pubsub", "channels"}).Strings(), UnorderedElementsAre("ch1", "ch2"));
  EXPECT_THAT(Run({"pubsub", "channels", "*2"}).Strings(), ElementsAre("ch2"));
  EXPECT_THAT(Run({"pubsub", "shardchannels"}).Strings(), ElementsAre("s1"));
  RespValue numsub = Run({"pubsub", "numsub", "ch1", "ch2", "none"});
  ASSERT_THAT(numsub, ArrayOfSize(6));
  EXPECT_THAT(numsub[1], IsInt(2));
  EXPECT_THAT(numsub[3], IsInt(1));
  EXPECT_THAT(numsub[5], IsInt(0));
  EXPECT_THAT(Run({"pubsub", "shardnumsub", "s1"})[1], IsInt(1));
  EXPECT_THAT(Run({"pubsub", "numpat"}), IsInt(2));  // unique patterns
  EXPECT_THAT(Run({"pubsub", "channels", "a", "b"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'channels'. Try "
                      "PUBSUB HELP."));
  EXPECT_THAT(Run({"pubsub", "numpat", "x"}),
              ErrorIs("ERR wrong number of arguments for 'pubsub|numpat' command"));
  EXPECT_EQ(Run({"pubsub", "help"})[0],
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  std::string info = Run({"info", "stats"}).str;
  EXPECT_NE(info.find("pubsub_channels:2\r\npubsub_patterns:2\r\npubsubshard_channels:1\r\n"),
            std::string::npos);
  std::string list = Run({"client", "list"}).str;
  EXPECT_NE(list.find("flags=P db=0 sub=2 psub=1 ssub=1 "), std::string::npos) << list;
}

TEST_F(PubSubTest, PublishInsideMultiAndFromLua) {
  TestClient& sub = NewClient();
  RunRaw(sub, {"subscribe", "ch"});
  Run({"multi"});
  EXPECT_EQ(Run({"publish", "ch", "m1"}), "QUEUED");
  EXPECT_THAT(Run({"exec"}), ArrayOfSize(1));
  EXPECT_THAT(Run({"eval", "return redis.call('publish', 'ch', 'm2')", "0"}), IsInt(1));
  EXPECT_THAT(TakeMessages(sub),
              ElementsAre("[\"message\", \"ch\", \"m1\"]", "[\"message\", \"ch\", \"m2\"]"));
  // SUBSCRIBE is not for scripts.
  EXPECT_THAT(Run({"eval", "return redis.call('subscribe', 'ch')", "0"}),
              ErrorStartsWith("ERR This Redis command is not allowed from script"));
}

TEST_F(PubSubTest, AclChannelPermissions) {
  EXPECT_THAT(Run({"config", "get", "acl-pubsub-default"}).Strings(),
              ElementsAre("acl-pubsub-default", "resetchannels"));
  EXPECT_EQ(Run({"acl", "setuser", "bot", "on", "nopass", "+@all", "~*", "&foo*"}), "OK");
  EXPECT_EQ(Run({"acl", "list"})[0], "user bot on nopass ~* resetchannels &foo* +@all");
  TestClient& bot = NewClient();
  EXPECT_EQ(Run(bot, {"auth", "bot", "x"}), "OK");
  EXPECT_THAT(Run(bot, {"publish", "bar", "m"}), ErrorIs(kNoPermChannel));
  EXPECT_THAT(Run(bot, {"spublish", "bar", "m"}), ErrorIs(kNoPermChannel));
  EXPECT_THAT(Run(bot, {"subscribe", "foo1", "bar"}), ErrorIs(kNoPermChannel));
  // Patterns are compared literally.
  EXPECT_THAT(Run(bot, {"psubscribe", "fo*"}), ErrorIs(kNoPermChannel));
  EXPECT_THAT(RunAll(bot, {"psubscribe", "foo*"}), ElementsAre("[\"psubscribe\", \"foo*\", :1]"));
  EXPECT_THAT(Run({"acl", "log", "1"})[0].Get("reason")->str, "channel");
  EXPECT_THAT(Run({"acl", "log", "1"})[0].Get("object")->str, "fo*");
  EXPECT_EQ(Run({"acl", "dryrun", "bot", "publish", "bar", "x"}),
            "This user has no permissions to access the 'bar' channel");
  EXPECT_THAT(Run({"eval", "return redis.call('publish', 'x', 'y')", "0"}), IsInt(0));
  TestClient& bot2 = NewClient();
  Run(bot2, {"auth", "bot", "x"});
  EXPECT_THAT(Run(bot2, {"eval", "return redis.call('publish', 'x', 'y')", "0"}),
              ErrorStartsWith("ERR The user executing the script can't publish to the channel "
                              "mentioned in the command"));
  // acl-pubsub-default allchannels: new users may use every channel.
  EXPECT_EQ(Run({"config", "set", "acl-pubsub-default", "allchannels"}), "OK");
  EXPECT_EQ(Run({"acl", "setuser", "open"}), "OK");
  EXPECT_EQ(Run({"acl", "list"})[2], "user open off &* -@all");
  EXPECT_THAT(Run({"config", "set", "acl-pubsub-default", "x"}),
              ErrorIs("ERR CONFIG SET failed (possibly related to argument 'acl-pubsub-default') "
                      "- argument(s) must be one of the following: allchannels, resetchannels"));
}

TEST_F(PubSubTest, ClientReplyOffKeepsPubSubPushes) {
  TestClient& c = *client_;
  EXPECT_EQ(RunRaw(c, {"client", "reply", "skip"}), "");
  EXPECT_EQ(RunRaw(c, {"set", "k", "v"}), "");
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(RunRaw(c, {"client", "reply", "off"}), "");
  EXPECT_EQ(RunRaw(c, {"get", "k"}), "");
  // Subscription confirmations and the own message still come.
  EXPECT_EQ(RunRaw(c, {"hello", "3"}), "");
  EXPECT_EQ(RunRaw(c, {"subscribe", "ch"}), ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_EQ(RunRaw(c, {"publish", "ch", "x"}), ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run({"client", "reply", "on"}), "OK");
  EXPECT_THAT(Run({"client", "reply", "maybe"}), ErrorIs("ERR syntax error"));
}

TEST_F(PubSubTest, OutputBufferLimitConfig) {
  EXPECT_THAT(Run({"config", "get", "client-output-buffer-limit"})[1].str,
              ::testing::EndsWith("pubsub 33554432 8388608 60"));
  EXPECT_EQ(Run({"config", "set", "client-output-buffer-limit", "pubsub 1mb 512kb 10"}), "OK");
  EXPECT_THAT(Run({"config", "get", "client-output-buffer-limit"})[1].str,
              ::testing::EndsWith("pubsub 1048576 524288 10"));
}

}  // namespace
}  // namespace stashd::test
