// Streams under SIGKILL: writers XADD with `*` and a worker group reads with
// XREADGROUP and XACKs while the server is killed at random moments; after
// each restart every acknowledged entry is there with its fields and every
// acknowledged XACK stays acknowledged (appendfsync always).
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "persistence/temp_dir.h"
#include "support/hiredis_client.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

struct Acked {
  std::mutex mu;
  std::map<std::string, std::string> entries;  // id -> value of field "n"
  std::set<std::string> acks;                  // ids whose XACK was answered 1
};

void Producer(int port, int id, std::atomic<int64_t>* next, Acked* acked) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  while (true) {
    const std::string value = "w" + std::to_string(id) + ":" + std::to_string((*next)++);
    Reply r = Cmd(c.get(), {"XADD", "events", "*", "n", value});
    if (!r || r->type != REDIS_REPLY_STRING) return;
    std::lock_guard lock(acked->mu);
    acked->entries[std::string(r->str, r->len)] = value;
  }
}

void Worker(int port, const std::string& name, Acked* acked) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  while (true) {
    Reply r = Cmd(c.get(), {"XREADGROUP", "GROUP", "workers", name, "COUNT", "10", "BLOCK", "100",
                            "STREAMS", "events", ">"});
    if (!r || (r->type != REDIS_REPLY_ARRAY && r->type != REDIS_REPLY_NIL)) return;
    if (r->type == REDIS_REPLY_NIL) continue;
    const redisReply* entries = r->element[0]->element[1];
    for (size_t i = 0; i < entries->elements; ++i) {
      const std::string id(entries->element[i]->element[0]->str,
                           entries->element[i]->element[0]->len);
      Reply a = Cmd(c.get(), {"XACK", "events", "workers", id});
      if (!a || a->type != REDIS_REPLY_INTEGER) return;
      if (a->integer == 1) {
        std::lock_guard lock(acked->mu);
        acked->acks.insert(id);
      }
    }
  }
}

void Verify(int port, Acked* acked, const std::string& where) {
  Conn c = Connect(port, 30000);
  std::lock_guard lock(acked->mu);
  for (const auto& [id, value] : acked->entries) {
    Reply r = Cmd(c.get(), {"XRANGE", "events", id, id});
    ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1) << where << ": " << id;
    const redisReply* fv = r->element[0]->element[1];
    ASSERT_EQ(fv->elements, 2u) << where;
    EXPECT_EQ(std::string(fv->element[1]->str, fv->element[1]->len), value) << where;
  }
  for (const std::string& id : acked->acks) {
    Reply r = Cmd(c.get(), {"XPENDING", "events", "workers", id, id, "1"});
    ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY) << where;
    EXPECT_EQ(r->elements, 0u) << where << ": " << id << " is pending again";
  }
}

TEST(StreamCrashE2E, SigkillLosesNoAcknowledgedXaddOrXack) {
  TempDir dir;
  Acked acked;
  std::atomic<int64_t> next{0};
  std::mt19937 rng(14);
  const std::vector<std::string> args = {"--appendfsync", "always",       "--save",
                                         "0 300",         "--io-threads", "2"};
  for (int round = 0; round < 4; ++round) {
    ServerProcess server(args, dir.path());
    if (round == 0) {
      Conn c = Connect(server.port(), 3000);
      Reply r = Cmd(c.get(), {"XGROUP", "CREATE", "events", "workers", "$", "MKSTREAM"});
      ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
    } else {
      Verify(server.port(), &acked, "round " + std::to_string(round));
    }
    std::vector<std::thread> threads;
    for (int w = 0; w < 2; ++w) threads.emplace_back(Producer, server.port(), w, &next, &acked);
    for (int w = 0; w < 2; ++w) {
      threads.emplace_back(Worker, server.port(), "worker" + std::to_string(w), &acked);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 600));
    server.Stop(SIGKILL);
    for (auto& t : threads) t.join();
  }
  ServerProcess server(args, dir.path());
  Verify(server.port(), &acked, "final");
  EXPECT_GT(acked.entries.size(), 50u);
  EXPECT_GT(acked.acks.size(), 10u);
  std::printf("[ always ] 4 crashes, %zu entries and %zu acks all kept\n", acked.entries.size(),
              acked.acks.size());
}

}  // namespace
}  // namespace stashd::test
