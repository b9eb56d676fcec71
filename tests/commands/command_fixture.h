// Runs commands through the dispatcher, without a socket, on a fake clock:
//   EXPECT_EQ(Run({"set", "k", "v", "PX", "20"}), "OK");
//   AdvanceTime(20);
//   EXPECT_THAT(Run({"get", "k"}), IsNil());
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/reply_builder.h"
#include "server/exec/blocking.h"
#include "server/exec/client.h"
#include "server/exec/dispatcher.h"
#include "server/server_state.h"
#include "store/clock.h"
#include "support/resp_value.h"

namespace stashd::test {

class CommandTest : public ::testing::Test {
 protected:
  // A client with its own reply buffer (RESP3 follows client.resp).
  struct TestClient {
    server::ClientState state;
    protocol::ReplyBuilder reply;
    bool woken = false;  // its block ended (server/exec/blocking.h)
    // Pub/Sub messages and MONITOR lines delivered to it, as its connection
    // writes them.
    std::string messages;
  };

  // `configure` may change the configuration before the server is built.
  explicit CommandTest(const std::function<void(server::Config&)>& configure = nullptr) {
    auto config = std::make_unique<server::Config>();
    config->dir = ::testing::TempDir();
    if (configure) configure(*config);
    server_ = std::make_unique<server::ServerState>(&clock_, std::move(config));
    client_ = &NewClient();
  }

  TestClient& NewClient() {
    clients_.emplace_back(std::make_unique<TestClient>());
    TestClient& c = *clients_.back();
    c.state.id = server_->clients().NextId();
    c.state.addr = "127.0.0.1:" + std::to_string(40000 + c.state.id);
    c.state.laddr = "127.0.0.1:6379";
    c.state.created_ms = clock_.NowMs();
    server_->clients().Add(&c.state, [] {});
    c.state.wake = [&c](uint64_t) { c.woken = true; };
    c.state.deliver = [&c](server::PubSubMessage m) {
      protocol::ReplyBuilder b;
      b.set_resp3(c.state.resp == 3);
      server::WriteMessage(b, m);
      c.messages += b.buffer();
    };
    c.state.deliver_monitor = [&c](server::MonitorLine line) { c.messages += *line.text; };
    c.state.deliver_invalidation = [&c](server::InvalidationMessage m) {
      protocol::ReplyBuilder b;
      b.set_resp3(c.state.resp == 3);
      server::WriteInvalidation(b, m, c.state.subscribed());
      c.messages += b.buffer();
    };
    return c;
  }

  ~CommandTest() override {
    for (auto& c : clients_) {
      if (c->state.blocked != nullptr) {
        server::EndBlock(*server_, *c->state.blocked, server::BlockedClient::State::kClosed);
      }
      server_->dispatcher().UnwatchAll(c->state);
      server_->pubsub().UnsubscribeAll(c->state);
      server_->monitors().Remove(c->state);
      server_->tracking().Disable(c->state);
      server_->clients().Remove(&c->state);
    }
  }

  // Runs one command as the default client and returns the decoded reply.
  RespValue Run(std::vector<std::string> args) { return Run(*client_, std::move(args)); }
  RespValue Run(TestClient& c, std::vector<std::string> args) {
    std::string raw = RunRaw(c, std::move(args));
    size_t pos = 0;
    auto v = ParseResp(raw, &pos);
    EXPECT_TRUE(v.has_value()) << "unparsable reply: " << raw;
    EXPECT_EQ(pos, raw.size()) << "more than one reply: " << raw;
    return v.value_or(RespValue{});
  }
  // The exact bytes of the reply.
  std::string RunRaw(std::vector<std::string> args) { return RunRaw(*client_, std::move(args)); }
  std::string RunRaw(TestClient& c, std::vector<std::string> args) {
    c.reply.Clear();
    server::Args a(args.begin(), args.end());
    server_->dispatcher().Execute(c.state, a, c.reply);
    return c.reply.buffer();
  }

  // Every reply in `raw` (a command with several, like SUBSCRIBE a b).
  static std::vector<RespValue> ParseAll(const std::string& raw) {
    std::vector<RespValue> out;
    size_t pos = 0;
    while (pos < raw.size()) {
      auto v = ParseResp(raw, &pos);
      EXPECT_TRUE(v.has_value()) << "unparsable reply: " << raw;
      if (!v) break;
      out.push_back(std::move(*v));
    }
    return out;
  }
  // Runs one command and returns its replies in DebugString form
  // ("[subscribe, a, 1]", ">[message, a, hi]").
  std::vector<std::string> RunAll(TestClient& c, std::vector<std::string> args) {
    std::vector<std::string> out;
    for (const RespValue& v : ParseAll(RunRaw(c, std::move(args)))) out.push_back(DebugString(v));
    return out;
  }
  // The Pub/Sub messages delivered to `c` since the last call, as above.
  std::vector<std::string> TakeMessages(TestClient& c) {
    std::vector<std::string> out;
    for (const RespValue& v : ParseAll(c.messages)) out.push_back(DebugString(v));
    c.messages.clear();
    return out;
  }

  // Blocking commands: a command that blocks replies nothing (RunRaw gives
  // ""). True while `c` waits.
  bool Blocked(TestClient& c) const { return c.state.blocked != nullptr && !c.woken; }
  // The reply `c` got when its block ended, as its connection would send
  // it (nullopt while it still waits); `c` then runs commands again.
  std::optional<RespValue> Unblocked(TestClient& c) {
    if (c.state.blocked == nullptr || !c.woken) return std::nullopt;
    std::string raw = c.state.blocked->reply.buffer();
    c.state.blocked = nullptr;
    c.woken = false;
    size_t pos = 0;
    auto v = ParseResp(raw, &pos);
    EXPECT_TRUE(v.has_value()) << "unparsable reply: " << raw;
    return v;
  }
  // Ends c's block as its timer does when the deadline passes.
  bool TimeOut(TestClient& c) {
    if (c.state.blocked == nullptr) return false;
    if (!server::EndBlock(*server_, *c.state.blocked, server::BlockedClient::State::kTimedOut)) {
      return false;
    }
    c.state.blocked->wake(0);
    return true;
  }

  // Walks HSCAN / ZSCAN `cmd` over `key` with COUNT 10 to the end, calling
  // `between(call)` after each call, and returns every (field, value) seen.
  // Expects a real cursor: more than 10 calls, each about COUNT pairs.
  template <typename Between>
  std::map<std::string, std::string> ScanPairs(const std::string& cmd, const std::string& key,
                                               Between between) {
    std::map<std::string, std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      RespValue r = Run({cmd, key, cursor, "count", "10"});
      EXPECT_THAT(r, ArrayOfSize(2));
      if (r.elems.size() != 2) break;
      cursor = r.elems[0].str;
      const auto& items = r.elems[1].elems;
      EXPECT_EQ(items.size() % 2, 0u);
      EXPECT_LT(items.size(), 80u);  // about COUNT pairs
      for (size_t i = 0; i + 1 < items.size(); i += 2) seen[items[i].str] = items[i + 1].str;
      between(++calls);
    } while (cursor != "0" && calls < 10000);
    EXPECT_EQ(cursor, "0");
    EXPECT_GT(calls, 10);  // a real cursor
    return seen;
  }

  void AdvanceTime(int64_t ms) { clock_.Advance(ms); }
  int64_t NowMs() const { return clock_.NowMs(); }
  server::ServerState& server() { return *server_; }
  server::ClientState& client() { return client_->state; }

  store::FakeClock clock_;
  std::unique_ptr<server::ServerState> server_;
  std::deque<std::unique_ptr<TestClient>> clients_;
  TestClient* client_ = nullptr;
};

}  // namespace stashd::test
