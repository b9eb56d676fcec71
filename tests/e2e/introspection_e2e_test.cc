// SLOWLOG and LATENCY against the real binary, as the Prometheus exporter
// (prometheus-redis-exporter) reads them: SLOWLOG LEN / GET, LATENCY LATEST
// and LATENCY HISTOGRAM in Redis's shapes, entries naming the real peer
// address, and a blocked command logged once a push on another connection
// (another io thread) serves it; maxmemory-clients closing clients.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/resp_conn.h"
#include "support/resp_value.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

using Strings = std::vector<std::string>;

// The addr= field of CLIENT INFO: the peer address the server sees.
std::string PeerAddr(RespConn& c) {
  const std::string info = c.Call({"CLIENT", "INFO"}).str;
  const size_t at = info.find(" addr=");
  if (at == std::string::npos) return "";
  const size_t end = info.find(' ', at + 1);
  return info.substr(at + 6, end - at - 6);
}

class IntrospectionE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--io-threads", "2"});
    admin_ = Client();
  }
  std::unique_ptr<RespConn> Client() {
    auto c = std::make_unique<RespConn>(server_->port());
    EXPECT_TRUE(c->connected());
    return c;
  }
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RespConn> admin_;
};

TEST_F(IntrospectionE2E, SlowlogEntriesNameThePeer) {
  RespConn& c = *admin_;
  ASSERT_EQ(c.Call({"CLIENT", "SETNAME", "exporter"}), "OK");
  ASSERT_EQ(c.Call({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), "OK");
  ASSERT_EQ(c.Call({"SLOWLOG", "RESET"}), "OK");
  ASSERT_EQ(c.Call({"SET", "k", "v"}), "OK");
  RespValue entries = c.Call({"SLOWLOG", "GET", "1"});
  ASSERT_THAT(entries, ArrayOfSize(1));
  const RespValue& e = entries[0];
  ASSERT_THAT(e, ArrayOfSize(6));
  EXPECT_THAT(e[3], StrArray(Strings{"SET", "k", "v"}));
  EXPECT_EQ(e[4], PeerAddr(c));
  EXPECT_EQ(e[5], "exporter");
  // SLOWLOG RESET, SET, SLOWLOG GET and PeerAddr's CLIENT INFO.
  EXPECT_THAT(c.Call({"SLOWLOG", "LEN"}), IsInt(4));
}

TEST_F(IntrospectionE2E, BlockedCommandLoggedWhenServedFromAnotherConnection) {
  ASSERT_EQ(admin_->Call({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), "OK");
  ASSERT_EQ(admin_->Call({"SLOWLOG", "RESET"}), "OK");
  auto waiter = Client();
  const std::string waiter_addr = PeerAddr(*waiter);
  waiter->Send({"BLPOP", "jobs", "0"});
  // Wait for it to block.
  for (int i = 0; i < 200; ++i) {
    const std::string info = admin_->Call({"INFO", "clients"}).str;
    if (info.find("blocked_clients:1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_THAT(admin_->Call({"RPUSH", "jobs", "j1"}), IsInt(1));
  auto served = waiter->Read();
  ASSERT_TRUE(served.has_value());
  EXPECT_THAT(*served, StrArray(Strings{"jobs", "j1"}));
  RespValue entries = admin_->Call({"SLOWLOG", "GET", "-1"});
  bool found = false;
  for (const RespValue& e : entries.elems) {
    if (e[3].Strings() == Strings{"BLPOP", "jobs", "0"}) {
      found = true;
      EXPECT_EQ(e[4], waiter_addr);
    }
  }
  EXPECT_TRUE(found) << DebugString(entries);
}

TEST_F(IntrospectionE2E, ExporterQueriesAnswerInRedisShapes) {
  RespConn& c = *admin_;
  EXPECT_THAT(c.Call({"LATENCY", "LATEST"}), ArrayOfSize(0));
  ASSERT_EQ(c.Call({"CONFIG", "SET", "latency-monitor-threshold", "1"}), "OK");
  // A script that spins for a while: a "command" latency event.
  ASSERT_THAT(c.Call({"EVAL", "local i = 0 while i < 20000000 do i = i + 1 end return 1", "0"}),
              IsInt(1));
  RespValue latest = c.Call({"LATENCY", "LATEST"});
  ASSERT_GE(latest.size(), 1u) << DebugString(latest);
  const RespValue& event = latest[0];
  ASSERT_THAT(event, ArrayOfSize(4));
  EXPECT_EQ(event[0], "command");
  EXPECT_EQ(event[1].kind, RespValue::Kind::kInteger);
  EXPECT_GE(event[2].integer, 1);
  EXPECT_GE(event[3].integer, event[2].integer);
  RespValue history = c.Call({"LATENCY", "HISTORY", "command"});
  ASSERT_THAT(history, ArrayOfSize(1));
  EXPECT_EQ(history[0][0].integer, event[1].integer);

  ASSERT_EQ(c.Call({"CONFIG", "RESETSTAT"}), "OK");
  ASSERT_EQ(c.Call({"SET", "a", "b"}), "OK");
  RespValue histogram = c.Call({"LATENCY", "HISTOGRAM", "set"});
  ASSERT_THAT(histogram, ArrayOfSize(2));
  EXPECT_EQ(histogram[0], "set");
  ASSERT_THAT(histogram[1], ArrayOfSize(4));
  EXPECT_EQ(histogram[1][0], "calls");
  EXPECT_THAT(histogram[1][1], IsInt(1));
  EXPECT_EQ(histogram[1][2], "histogram_usec");
  ASSERT_THAT(histogram[1][3], ArrayOfSize(2));
  EXPECT_THAT(histogram[1][3][1], IsInt(1));
  EXPECT_EQ(c.Call({"SLOWLOG", "LEN"}).kind, RespValue::Kind::kInteger);
  EXPECT_THAT(c.Call({"INFO", "latencystats"}).str,
              ::testing::HasSubstr("latency_percentiles_usec_set:p50="));
}

// maxmemory-clients: past the limit the cron closes the biggest clients
// (here every client but the CLIENT NO-EVICT one), counted in INFO.
TEST_F(IntrospectionE2E, MaxmemoryClientsEvictsClients) {
  auto victim = Client();
  ASSERT_EQ(victim->Call({"PING"}), "PONG");
  ASSERT_EQ(admin_->Call({"CLIENT", "NO-EVICT", "on"}), "OK");
  ASSERT_EQ(admin_->Call({"CONFIG", "SET", "maxmemory-clients", "1"}), "OK");
  EXPECT_TRUE(victim->WaitClosed());
  EXPECT_THAT(admin_->Call({"INFO", "stats"}).str,
              ::testing::HasSubstr("\r\nevicted_clients:1\r\n"));
  ASSERT_EQ(admin_->Call({"CONFIG", "SET", "maxmemory-clients", "0"}), "OK");
  auto next = Client();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few cron runs
  EXPECT_EQ(next->Call({"PING"}), "PONG");
}

}  // namespace
}  // namespace stashd::test
