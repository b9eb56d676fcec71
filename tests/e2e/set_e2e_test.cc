// Sets against the real binary: restarts through the write log and the
// snapshot, and SIGKILL at random moments while writers SADD, SREM and SPOP,
// recording what was acknowledged.
#include <gmock/gmock.h>
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

std::set<std::string> Members(redisContext* c, const std::string& key) {
  Reply r = Cmd(c, {"SMEMBERS", key});
  std::set<std::string> out;
  if (!r || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i) out.emplace(r->element[i]->str, r->element[i]->len);
  return out;
}

TEST(SetE2E, SetsSurviveRestartsThroughLogAndSnapshot) {
  TempDir dir;
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    Cmd(c.get(), {"SADD", "tags:bot1", "fr", "en", "de"});
    Cmd(c.get(), {"SADD", "ids", "1", "2", "3"});
    Cmd(c.get(), {"SREM", "tags:bot1", "en"});
    Cmd(c.get(), {"SUNIONSTORE", "all", "tags:bot1", "ids"});
    Cmd(c.get(), {"SPOP", "ids"});
    server.Stop(SIGKILL);  // no snapshot: the log alone
  }
  std::set<std::string> ids;
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    EXPECT_EQ(Members(c.get(), "tags:bot1"), (std::set<std::string>{"de", "fr"}));
    EXPECT_EQ(Members(c.get(), "all"), (std::set<std::string>{"1", "2", "3", "de", "fr"}));
    ids = Members(c.get(), "ids");
    EXPECT_EQ(ids.size(), 2u);
    EXPECT_EQ(std::string(Cmd(c.get(), {"SAVE"})->str), "OK");
    Cmd(c.get(), {"SMOVE", "all", "tags:bot1", "1"});  // after the snapshot: in the log
  }
  ServerProcess server({"--save", ""}, dir.path());
  Conn c = Connect(server.port());
  EXPECT_EQ(Members(c.get(), "tags:bot1"), (std::set<std::string>{"1", "de", "fr"}));
  EXPECT_EQ(Members(c.get(), "all"), (std::set<std::string>{"2", "3", "de", "fr"}));
  EXPECT_EQ(Members(c.get(), "ids"), ids);
}

// Per writer: its set's members acknowledged as added and not acknowledged
// as removed must all be there after a crash; members acknowledged as
// removed (SREM, or popped by SPOP) must not come back. The one command in
// flight at the crash may or may not have landed.
struct SetAcked {
  std::mutex mu;
  std::map<std::string, std::set<std::string>> present;  // key -> members
  std::map<std::string, std::set<std::string>> removed;
  std::map<std::string, size_t> in_flight_pops;  // an SPOP sent, not answered
};

void SetWriter(int port, int id, std::atomic<int64_t>* next, SetAcked* acked, std::mt19937 rng) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  const std::string key = "set:w" + std::to_string(id);
  while (true) {
    const int64_t n = (*next)++;  // members are never reused, across rounds too
    const int op = static_cast<int>(rng() % 10);
    if (op < 6) {
      std::vector<std::string> cmd = {"SADD", key};
      for (int i = 0; i < 3; ++i) {
        // Integers first (an intset), then strings: the set converts.
        cmd.push_back(n < 100 ? std::to_string(n * 3 + i) : "m" + std::to_string(n * 3 + i));
      }
      Reply r = Cmd(c.get(), cmd);
      if (!r || r->type != REDIS_REPLY_INTEGER) return;
      std::lock_guard lock(acked->mu);
      for (size_t i = 2; i < cmd.size(); ++i) acked->present[key].insert(cmd[i]);
    } else if (op < 8) {
      std::string victim;
      {
        std::lock_guard lock(acked->mu);
        auto& p = acked->present[key];
        if (p.empty()) continue;
        victim = *std::next(p.begin(), static_cast<long>(rng() % p.size()));
        p.erase(victim);  // until SREM is acknowledged it may be there or not
      }
      Reply r = Cmd(c.get(), {"SREM", key, victim});
      if (!r || r->type != REDIS_REPLY_INTEGER) return;
      std::lock_guard lock(acked->mu);
      acked->removed[key].insert(victim);
    } else {
      const size_t count = 1 + rng() % 3;
      {
        std::lock_guard lock(acked->mu);
        acked->in_flight_pops[key] = count;
      }
      Reply r = Cmd(c.get(), {"SPOP", key, std::to_string(count)});
      if (!r || r->type != REDIS_REPLY_ARRAY) return;
      std::lock_guard lock(acked->mu);
      acked->in_flight_pops[key] = 0;
      for (size_t i = 0; i < r->elements; ++i) {
        std::string m(r->element[i]->str, r->element[i]->len);
        acked->present[key].erase(m);
        acked->removed[key].insert(m);
      }
    }
  }
}

void VerifySets(int port, SetAcked* acked, const std::string& where) {
  Conn c = Connect(port, 30000);
  std::lock_guard lock(acked->mu);
  for (auto& [key, present] : acked->present) {
    const std::set<std::string> got = Members(c.get(), key);
    size_t missing = 0;
    for (const std::string& m : present) missing += got.count(m) == 0 ? 1 : 0;
    // A pop in flight may have taken acknowledged members.
    EXPECT_LE(missing, acked->in_flight_pops[key]) << where << ": " << key;
    for (const std::string& m : acked->removed[key]) {
      EXPECT_EQ(got.count(m), 0u) << where << ": " << key << " " << m << " came back";
    }
    // From now on the server's state is the truth.
    present = got;
    acked->in_flight_pops[key] = 0;
  }
}

void SetCrashLoop(const std::string& fsync_policy, int rounds, uint32_t seed) {
  TempDir dir;
  SetAcked acked;
  std::atomic<int64_t> next{0};
  std::mt19937 rng(seed);
  const std::vector<std::string> args = {"--appendfsync", fsync_policy,   "--save",
                                         "0 500",         "--io-threads", "2"};
  for (int round = 0; round < rounds; ++round) {
    ServerProcess server(args, dir.path());
    if (round > 0) VerifySets(server.port(), &acked, "round " + std::to_string(round));
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back(SetWriter, server.port(), w, &next, &acked, std::mt19937(rng()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 600));
    server.Stop(SIGKILL);
    for (auto& t : writers) t.join();
  }
  ServerProcess server(args, dir.path());
  VerifySets(server.port(), &acked, "final");
  size_t members = 0;
  for (const auto& [key, present] : acked.present) members += present.size();
  EXPECT_GT(members, 100u);
  std::printf("[ %s ] %d crashes, %zu set members all present\n", fsync_policy.c_str(), rounds,
              members);
}

TEST(SetE2E, SigkillLosesNoAcknowledgedSetWriteAppendfsyncAlways) { SetCrashLoop("always", 4, 11); }

TEST(SetE2E, SigkillLosesNoAcknowledgedSetWriteAppendfsyncEverysec) {
  SetCrashLoop("everysec", 4, 12);
}

}  // namespace
}  // namespace stashd::test
