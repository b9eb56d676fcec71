// Client-side caching against the real binary with four io threads: RESP3
// invalidation pushes between replies, a hiredis RESP2 subscriber receiving
// redirected invalidations, tracking-redir-broken once that subscriber
// leaves, and a writer racing many readers (every change a reader may have
// cached reaches it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/hiredis_client.h"
#include "support/resp_conn.h"
#include "support/resp_value.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

using std::chrono::milliseconds;

std::string Invalidate(const std::string& key) {
  return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
}

class TrackingE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--io-threads", "4"});
    admin_ = Client();
  }
  std::unique_ptr<RespConn> Client(bool resp3 = false) {
    auto c = std::make_unique<RespConn>(server_->port());
    EXPECT_TRUE(c->connected());
    if (resp3) {
      EXPECT_EQ(c->Call({"HELLO", "3"}).kind, RespValue::Kind::kMap);
    }
    return c;
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RespConn> admin_;
};

TEST_F(TrackingE2E, Resp3PushesAndOwnWritesAfterTheReply) {
  auto r = Client(/*resp3=*/true);
  EXPECT_THAT(r->Call({"CLIENT", "TRACKING", "ON"}), "OK");
  EXPECT_THAT(admin_->Call({"SET", "k", "1"}), "OK");
  r->Send({"GET", "k"});
  EXPECT_EQ(r->ReadRaw(), "$1\r\n1\r\n");
  EXPECT_THAT(admin_->Call({"SET", "k", "2"}), "OK");
  EXPECT_EQ(r->ReadRaw(), Invalidate("k"));
  // Its own write: the reply, then the push.
  r->Send({"GET", "k"});
  EXPECT_EQ(r->ReadRaw(), "$1\r\n2\r\n");
  r->Send({"SET", "k", "3"});
  EXPECT_EQ(r->ReadRaw(), "+OK\r\n");
  EXPECT_EQ(r->ReadRaw(), Invalidate("k"));
  // FLUSHALL by another client: a null invalidation.
  EXPECT_THAT(admin_->Call({"FLUSHALL"}), "OK");
  EXPECT_EQ(r->ReadRaw(), ">2\r\n$10\r\ninvalidate\r\n_\r\n");
  // Active expiry reaches it without any command.
  r->Send({"GET", "e"});
  EXPECT_EQ(r->ReadRaw(), "_\r\n");
  EXPECT_THAT(admin_->Call({"SET", "e", "v", "PX", "50"}), "OK");
  EXPECT_EQ(r->ReadRaw(), Invalidate("e"));  // the SET
  r->Send({"GET", "e"});
  EXPECT_EQ(r->ReadRaw(), "$1\r\nv\r\n");
  EXPECT_EQ(r->ReadRaw(milliseconds(3000)), Invalidate("e"));  // the cron's expiry
}

TEST_F(TrackingE2E, HiredisResp2RedirectAndBrokenRedirect) {
  Conn sub = Connect(server_->port());
  ASSERT_TRUE(sub && !sub->err);
  Reply id = Cmd(sub.get(), {"CLIENT", "ID"});
  ASSERT_EQ(id->type, REDIS_REPLY_INTEGER);
  Reply subscribed = Cmd(sub.get(), {"SUBSCRIBE", "__redis__:invalidate"});
  ASSERT_EQ(subscribed->type, REDIS_REPLY_ARRAY);

  auto r = Client(/*resp3=*/true);
  EXPECT_THAT(r->Call({"CLIENT", "TRACKING", "ON", "REDIRECT", std::to_string(id->integer)}), "OK");
  r->Call({"MGET", "a", "b"});
  EXPECT_THAT(admin_->Call({"MSET", "b", "1", "a", "1"}), "OK");
  for (const char* key : {"b", "a"}) {
    void* raw = nullptr;
    ASSERT_EQ(redisGetReply(sub.get(), &raw), REDIS_OK);
    Reply m(static_cast<redisReply*>(raw));
    ASSERT_EQ(m->type, REDIS_REPLY_ARRAY);
    ASSERT_EQ(m->elements, 3u);
    EXPECT_EQ(std::string(m->element[0]->str), "message");
    EXPECT_EQ(std::string(m->element[1]->str), "__redis__:invalidate");
    ASSERT_EQ(m->element[2]->type, REDIS_REPLY_ARRAY);
    ASSERT_EQ(m->element[2]->elements, 1u);
    EXPECT_EQ(std::string(m->element[2]->element[0]->str), key);
  }
  // The subscriber leaves: the tracking client is told on the next change.
  sub.reset();
  r->Call({"GET", "a"});
  const std::string broken =
      ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(id->integer) + "\r\n";
  for (int i = 0; i < 100; ++i) {
    // The close may take a moment to be noticed; the change is retried.
    admin_->Call({"SET", "a", std::to_string(i)});
    std::string got = r->ReadRaw(milliseconds(200));
    if (got.empty()) {
      r->Call({"GET", "a"});
      continue;
    }
    EXPECT_EQ(got, broken);
    break;
  }
  EXPECT_THAT(r->Call({"CLIENT", "INFO"}).str, ::testing::HasSubstr(" flags=tR "));
}

TEST_F(TrackingE2E, NoChangeSlipsPastAConcurrentReader) {
  // Readers on every io thread cache a counter and re-read it whenever they
  // are told it changed; a writer increments it. Whatever the interleaving,
  // each reader's last read must see the final value once it is told.
  constexpr int kReaders = 8;
  constexpr int kWrites = 300;
  std::vector<std::unique_ptr<RespConn>> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.push_back(Client(/*resp3=*/true));
    EXPECT_THAT(readers.back()->Call({"CLIENT", "TRACKING", "ON"}), "OK");
  }
  EXPECT_THAT(admin_->Call({"SET", "n", "0"}), "OK");
  std::vector<std::thread> threads;
  std::vector<std::string> last(kReaders);
  std::atomic<bool> done{false};
  for (int i = 0; i < kReaders; ++i) {
    threads.emplace_back([&, i] {
      RespConn& c = *readers[i];
      c.Send({"GET", "n"});
      int outstanding = 1;  // GETs sent and not answered
      int silent = 0;
      // Each invalidation makes it read again; it stops once nothing more
      // comes after the writer is done.
      while (true) {
        auto m = c.Read(milliseconds(done.load() ? 500 : 5000));
        if (!m) {
          if (outstanding == 0 || ++silent > 20) break;
          continue;
        }
        silent = 0;
        if (m->kind == RespValue::Kind::kPush) {
          c.Send({"GET", "n"});
          ++outstanding;
        } else {
          last[i] = m->str;
          --outstanding;
        }
      }
    });
  }
  auto writer = Client();
  for (int w = 1; w <= kWrites; ++w) writer->Send({"INCR", "n"});
  for (int w = 1; w <= kWrites; ++w) ASSERT_TRUE(writer->Read().has_value());
  done = true;
  for (auto& t : threads) t.join();
  for (int i = 0; i < kReaders; ++i) {
    EXPECT_EQ(last[i], std::to_string(kWrites)) << "reader " << i << " kept a stale value";
  }
}

}  // namespace
}  // namespace stashd::test
