// Pub/Sub against the real binary: delivery across connections and io
// threads in publish order, RESP3 pushes between replies, a subscriber that
// stops reading cut off by the pubsub output buffer limit, and subscribers
// disconnected when their user loses a channel permission.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/resp_conn.h"
#include "support/resp_value.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

using std::chrono::milliseconds;

int64_t InfoField(RespConn& c, const std::string& section, const std::string& field) {
  RespValue info = c.Call({"INFO", section});
  const std::string key = "\r\n" + field + ":";
  const size_t at = ("\r\n" + info.str).find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(info.str.substr(at - 2 + key.size()));
}

class PubSubE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--io-threads", "4"});
    admin_ = Client();
  }
  std::unique_ptr<RespConn> Client() {
    auto c = std::make_unique<RespConn>(server_->port());
    EXPECT_TRUE(c->connected());
    return c;
  }
  // Subscribes `c` with `args` and reads the `n` confirmations.
  static void Subscribe(RespConn& c, const std::vector<std::string>& args, size_t n) {
    c.Send(args);
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(c.Read().has_value()) << args[0];
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RespConn> admin_;
};

TEST_F(PubSubE2E, MessagesArriveInPublishOrderOnEveryIoThread) {
  // Eight subscribers spread over the four io threads, half by pattern.
  std::vector<std::unique_ptr<RespConn>> subs;
  for (int i = 0; i < 8; ++i) {
    subs.push_back(Client());
    if (i % 2 == 0) {
      Subscribe(*subs.back(), {"SUBSCRIBE", "news"}, 1);
    } else {
      Subscribe(*subs.back(), {"PSUBSCRIBE", "ne*"}, 1);
    }
  }
  constexpr int kMessages = 2000;
  // Pipelined from one publisher: each PUBLISH reaches all eight.
  std::string batch;
  for (int i = 0; i < kMessages; ++i) {
    batch += RespConn::Encode({"PUBLISH", "news", std::to_string(i)});
  }
  admin_->SendRaw(batch);
  for (int i = 0; i < kMessages; ++i) {
    auto r = admin_->Read();
    ASSERT_TRUE(r.has_value());
    ASSERT_THAT(*r, IsInt(8));
  }
  for (size_t s = 0; s < subs.size(); ++s) {
    for (int i = 0; i < kMessages; ++i) {
      auto m = subs[s]->Read();
      ASSERT_TRUE(m.has_value()) << "subscriber " << s << " message " << i;
      const RespValue& last = m->elems.back();
      ASSERT_EQ(last.str, std::to_string(i)) << "subscriber " << s << " got messages out of order";
      ASSERT_EQ(m->elems[0].str, s % 2 == 0 ? "message" : "pmessage");
    }
  }
}

TEST_F(PubSubE2E, ExactBytesInResp2AndResp3) {
  auto sub = Client();
  sub->Send({"SUBSCRIBE", "ch"});
  EXPECT_EQ(sub->ReadRaw(), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_THAT(admin_->Call({"PUBLISH", "ch", "hi"}), IsInt(1));
  EXPECT_EQ(sub->ReadRaw(), "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
  // Only the subscription commands run in RESP2 subscribed mode.
  sub->Send({"GET", "k"});
  EXPECT_EQ(sub->ReadRaw(),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  sub->Send({"PING"});
  EXPECT_EQ(sub->ReadRaw(), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");

  // RESP3: pushes, and ordinary commands between them.
  auto r3 = Client();
  ASSERT_TRUE(r3->Call({"HELLO", "3"}).kind == RespValue::Kind::kMap);
  r3->Send({"SUBSCRIBE", "ch"});
  EXPECT_EQ(r3->ReadRaw(), ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_THAT(admin_->Call({"PUBLISH", "ch", "x"}), IsInt(2));
  EXPECT_EQ(r3->ReadRaw(), ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n");
  EXPECT_THAT(r3->Call({"SET", "k", "v"}), "OK");
  // Publishing to itself: the push comes before PUBLISH's reply, as in Redis.
  r3->Send({"PUBLISH", "ch", "self"});
  EXPECT_EQ(r3->ReadRaw(), ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\nself\r\n");
  EXPECT_EQ(r3->ReadRaw(), ":2\r\n");
  EXPECT_EQ(sub->ReadRaw(), "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n");
  // Inside MULTI the own message is written inside EXEC's array, before
  // PUBLISH's reply (redis-server 7.0.15 sends the same bytes).
  r3->Send({"MULTI"});
  r3->Send({"PUBLISH", "ch", "m"});
  r3->Send({"EXEC"});
  EXPECT_EQ(r3->ReadRaw(), "+OK\r\n");
  EXPECT_EQ(r3->ReadRaw(), "+QUEUED\r\n");
  std::string exec = r3->ReadRaw();
  exec += r3->ReadRaw();
  EXPECT_EQ(exec, "*1\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n:2\r\n");
}

TEST_F(PubSubE2E, CountsInInfoAndClientList) {
  auto sub = Client();
  Subscribe(*sub, {"SUBSCRIBE", "a", "b"}, 2);
  Subscribe(*sub, {"PSUBSCRIBE", "p*"}, 1);
  Subscribe(*sub, {"SSUBSCRIBE", "s"}, 1);
  EXPECT_EQ(InfoField(*admin_, "stats", "pubsub_channels"), 2);
  EXPECT_EQ(InfoField(*admin_, "stats", "pubsub_patterns"), 1);
  EXPECT_EQ(InfoField(*admin_, "stats", "pubsubshard_channels"), 1);
  std::string list = admin_->Call({"CLIENT", "LIST"}).str;
  EXPECT_THAT(list, ::testing::HasSubstr("flags=P db=0 sub=2 psub=1 ssub=1 "));
  sub->Close();
  // The closed subscriber's subscriptions go with it.
  for (int i = 0; i < 500 && InfoField(*admin_, "stats", "pubsub_channels") != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(InfoField(*admin_, "stats", "pubsub_channels"), 0);
  EXPECT_THAT(admin_->Call({"PUBLISH", "a", "x"}), IsInt(0));
}

TEST_F(PubSubE2E, SubscriberThatStopsReadingIsDisconnected) {
  EXPECT_THAT(admin_->Call({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"}),
              "OK");
  auto slow = Client();
  Subscribe(*slow, {"SUBSCRIBE", "flood"}, 1);
  auto reader = Client();
  Subscribe(*reader, {"SUBSCRIBE", "other"}, 1);
  // `slow` never reads: the socket buffers fill, then the server's output
  // for it passes 1mb.
  const std::string payload(64 * 1024, 'x');
  bool cut = false;
  for (int i = 0; i < 2000 && !cut; ++i) {
    RespValue r = admin_->Call({"PUBLISH", "flood", payload});
    cut = r.kind == RespValue::Kind::kInteger && r.integer == 0;
  }
  EXPECT_TRUE(cut) << "the subscriber was never disconnected";
  EXPECT_THAT(admin_->Call({"PUBSUB", "NUMSUB", "flood"}).elems.at(1), IsInt(0));
  // Nothing else is affected.
  EXPECT_THAT(admin_->Call({"PUBLISH", "other", "still here"}), IsInt(1));
  auto m = reader->Read();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->elems.at(2).str, "still here");
}

TEST_F(PubSubE2E, SubscriberLosingChannelPermissionIsDisconnected) {
  EXPECT_THAT(admin_->Call({"ACL", "SETUSER", "bot", "on", "nopass", "+@all", "~*", "resetchannels",
                            "&bot:*"}),
              "OK");
  auto sub = Client();
  EXPECT_THAT(sub->Call({"AUTH", "bot", "x"}), "OK");
  sub->Send({"SUBSCRIBE", "other"});
  EXPECT_THAT(sub->Read().value_or(RespValue{}),
              ErrorIs("NOPERM this user has no permissions to access one of the channels used "
                      "as arguments"));
  Subscribe(*sub, {"SUBSCRIBE", "bot:1"}, 1);
  // A change that keeps the channel allowed keeps the subscriber.
  EXPECT_THAT(admin_->Call({"ACL", "SETUSER", "bot", "&more"}), "OK");
  EXPECT_THAT(admin_->Call({"PUBLISH", "bot:1", "x"}), IsInt(1));
  ASSERT_TRUE(sub->Read().has_value());
  // Losing it closes the connection.
  EXPECT_THAT(admin_->Call({"ACL", "SETUSER", "bot", "resetchannels", "&more"}), "OK");
  EXPECT_TRUE(sub->WaitClosed());
  EXPECT_THAT(admin_->Call({"PUBLISH", "bot:1", "x"}), IsInt(0));
}

}  // namespace
}  // namespace stashd::test
