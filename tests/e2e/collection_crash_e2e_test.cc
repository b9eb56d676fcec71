// Hashes and sorted sets under SIGKILL: writers HSET/HDEL and ZADD/ZINCRBY
// while the server is killed at random moments; after each restart every
// acknowledged write is there and every acknowledged delete stays deleted.
// (Sets have their own loop in set_e2e_test.cc.)
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
  std::map<std::string, std::map<std::string, std::string>> fields;  // hash -> field -> value
  std::map<std::string, std::set<std::string>> deleted_fields;
  std::map<std::string, std::map<std::string, std::string>> members;  // zset -> member -> score
  std::map<std::string, double> counter;       // ZINCRBY result acknowledged last
  std::map<std::string, bool> counter_flying;  // a ZINCRBY sent, not answered
};

void Writer(int port, int id, std::atomic<int64_t>* next, Acked* acked, std::mt19937 rng) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  const std::string hash = "user:w" + std::to_string(id);
  const std::string zset = "board:w" + std::to_string(id);
  const std::string counter = "counter:w" + std::to_string(id);
  while (true) {
    const int64_t n = (*next)++;  // fields and members are never reused
    const int op = static_cast<int>(rng() % 10);
    if (op < 4) {
      const std::string field = "f" + std::to_string(n);
      const std::string value = "v" + std::to_string(n * 7);
      Reply r = Cmd(c.get(), {"HSET", hash, field, value});
      if (!r || r->type != REDIS_REPLY_INTEGER) return;
      std::lock_guard lock(acked->mu);
      acked->fields[hash][field] = value;
    } else if (op < 5) {
      std::string victim;
      {
        std::lock_guard lock(acked->mu);
        auto& f = acked->fields[hash];
        if (f.empty()) continue;
        victim = std::next(f.begin(), static_cast<long>(rng() % f.size()))->first;
        f.erase(victim);  // until acknowledged it may be there or not
      }
      Reply r = Cmd(c.get(), {"HDEL", hash, victim});
      if (!r || r->type != REDIS_REPLY_INTEGER) return;
      std::lock_guard lock(acked->mu);
      acked->deleted_fields[hash].insert(victim);
    } else if (op < 8) {
      const std::string member = "m" + std::to_string(n);
      const std::string score = std::to_string(n % 1000) + ".5";
      Reply r = Cmd(c.get(), {"ZADD", zset, score, member});
      if (!r || r->type != REDIS_REPLY_INTEGER) return;
      std::lock_guard lock(acked->mu);
      acked->members[zset][member] = score;
    } else {
      {
        std::lock_guard lock(acked->mu);
        acked->counter_flying[counter] = true;
      }
      Reply r = Cmd(c.get(), {"ZINCRBY", counter, "1.5", "hits"});
      if (!r || r->type != REDIS_REPLY_STRING) return;
      std::lock_guard lock(acked->mu);
      acked->counter[counter] = std::stod(std::string(r->str, r->len));
      acked->counter_flying[counter] = false;
    }
  }
}

void Verify(int port, Acked* acked, const std::string& where) {
  Conn c = Connect(port, 30000);
  std::lock_guard lock(acked->mu);
  for (auto& [hash, fields] : acked->fields) {
    for (const auto& [field, value] : fields) {
      Reply r = Cmd(c.get(), {"HGET", hash, field});
      ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING) << where << ": " << hash << " " << field;
      EXPECT_EQ(std::string(r->str, r->len), value) << where;
    }
    for (const std::string& field : acked->deleted_fields[hash]) {
      EXPECT_EQ(Cmd(c.get(), {"HEXISTS", hash, field})->integer, 0)
          << where << ": " << hash << " " << field << " came back";
    }
  }
  for (const auto& [zset, members] : acked->members) {
    for (const auto& [member, score] : members) {
      Reply r = Cmd(c.get(), {"ZSCORE", zset, member});
      ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING) << where << ": " << zset << " " << member;
      EXPECT_EQ(std::string(r->str, r->len), score) << where;
    }
  }
  for (auto& [counter, value] : acked->counter) {
    Reply r = Cmd(c.get(), {"ZSCORE", counter, "hits"});
    ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING) << where << ": " << counter;
    const double got = std::stod(std::string(r->str, r->len));
    // The increment in flight at the kill may or may not have landed.
    if (acked->counter_flying[counter]) {
      EXPECT_TRUE(got == value || got == value + 1.5) << where << ": " << got << " " << value;
    } else {
      EXPECT_EQ(got, value) << where;
    }
    value = got;  // the server's state is the truth from now on
    acked->counter_flying[counter] = false;
  }
}

void CrashLoop(const std::string& fsync_policy, int rounds, uint32_t seed) {
  TempDir dir;
  Acked acked;
  std::atomic<int64_t> next{0};
  std::mt19937 rng(seed);
  const std::vector<std::string> args = {"--appendfsync", fsync_policy,   "--save",
                                         "0 300",         "--io-threads", "2"};
  for (int round = 0; round < rounds; ++round) {
    ServerProcess server(args, dir.path());
    if (round > 0) Verify(server.port(), &acked, "round " + std::to_string(round));
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back(Writer, server.port(), w, &next, &acked, std::mt19937(rng()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 600));
    server.Stop(SIGKILL);
    for (auto& t : writers) t.join();
  }
  ServerProcess server(args, dir.path());
  Verify(server.port(), &acked, "final");
  size_t writes = 0;
  for (const auto& [k, f] : acked.fields) writes += f.size();
  for (const auto& [k, m] : acked.members) writes += m.size();
  EXPECT_GT(writes, 100u);
  std::printf("[ %s ] %d crashes, %zu hash fields and sorted set members all present\n",
              fsync_policy.c_str(), rounds, writes);
}

TEST(CollectionCrashE2E, SigkillLosesNoAcknowledgedHashOrSortedSetWriteAlways) {
  CrashLoop("always", 4, 21);
}

TEST(CollectionCrashE2E, SigkillLosesNoAcknowledgedHashOrSortedSetWriteEverysec) {
  CrashLoop("everysec", 4, 22);
}

}  // namespace
}  // namespace stashd::test
