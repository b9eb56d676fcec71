// The server side of persistence, in process: commands through the
// dispatcher, the write log on a fault-injecting file system. Power cuts
// (every byte not fsynced is lost), fsync and write failures, MISCONF, and
// the persistence commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "persistence/fault_file_system.h"
#include "persistence/fault_vfs.h"
#include "persistence/temp_dir.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/config/config.h"
#include "server/durability/persistence.h"
#include "server/exec/client.h"
#include "server/exec/dispatcher.h"
#include "server/server_state.h"
#include "store/clock.h"
#include "support/resp_value.h"

namespace stashd::test {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// A server without sockets: ServerState + Persistence on `fs`.
class InProcessServer {
 public:
  InProcessServer(const std::string& dir, FaultFileSystem* fs, const std::string& fsync,
                  const std::string& save) {
    auto config = std::make_unique<server::Config>();
    config->dir = dir;
    state_ = std::make_unique<server::ServerState>(&clock_, std::move(config));
    EXPECT_FALSE(state_->config_table().Set("appendfsync", {fsync}, true).has_value());
    EXPECT_FALSE(state_->config_table().Set("save", {save}, true).has_value());
    server::Persistence::Options o;
    o.fs = fs;
    o.sqlite_vfs = FaultVfs::kName;
    o.tick_ms = 20;
    o.retry_ms = 1000;
    persistence_ = std::make_unique<server::Persistence>(*state_, o);
  }
  ~InProcessServer() {
    persistence_->Stop();
    state_->set_persistence(nullptr);
  }

  persistence::Status Start() {
    persistence::Status s = persistence_->Start();
    if (s.ok()) state_->set_persistence(persistence_.get());
    return s;
  }

  // A client that runs commands the way a connection does: the reply is
  // "sent" only once ReadyToReply allows it.
  class Client {
   public:
    explicit Client(InProcessServer* server) : server_(server) { state_.authenticated = true; }
    // Runs a command; returns false if the reply was still held back when
    // `give_up` became true.
    bool Run(std::vector<std::string> args, RespValue* reply,
             const std::atomic<bool>* give_up = nullptr) {
      server::Persistence& p = *server_->persistence_;
      reply_.Clear();
      server::Args a(args.begin(), args.end());
      const uint64_t before = p.ThreadLogPosition();
      server_->state_->dispatcher().Execute(state_, a, reply_);
      auto done = std::make_shared<std::atomic<bool>>(false);
      if (!p.ReadyToReply(before, [done] { done->store(true); })) {
        while (!done->load()) {
          if (give_up != nullptr && give_up->load()) return false;
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
      }
      size_t pos = 0;
      *reply = ParseResp(reply_.buffer(), &pos).value_or(RespValue{});
      return true;
    }
    RespValue Run(std::vector<std::string> args) {
      RespValue r;
      Run(std::move(args), &r);
      return r;
    }

   private:
    InProcessServer* server_;
    server::ClientState state_;
    protocol::ReplyBuilder reply_;
  };

  server::ServerState& state() { return *state_; }
  server::Persistence& persistence() { return *persistence_; }

 private:
  store::SystemClock clock_;
  std::unique_ptr<server::ServerState> state_;
  std::unique_ptr<server::Persistence> persistence_;
};

class ServerPersistenceTest : public ::testing::Test {
 protected:
  ServerPersistenceTest() {
    FaultVfs::Register();
    FaultVfs::Reset();
  }
  ~ServerPersistenceTest() override { FaultVfs::Reset(); }

  TempDir dir_;
  FaultFileSystem fs_;
};

// ---- Power loss ----

// Each writer runs numbered operations: SET p:<w>:<n>, or a MULTI/EXEC
// setting t:<w>:<n>:a and t:<w>:<n>:b. After recovery, for each writer the
// operations present must be 0..m with no hole (a prefix), each EXEC whole
// or absent, and m at least the last operation the policy promised.
struct WriterLog {
  std::vector<int64_t> ack_ms;  // per operation n: when acknowledged (ms since start)
};

class PowerLossTest : public ServerPersistenceTest,
                      public ::testing::WithParamInterface<std::string> {};

TEST_P(PowerLossTest, RecoveredStateIsAPrefixHoldingWhatThePolicyPromised) {
  const std::string policy = GetParam();
  constexpr int kWriters = 4;
  std::vector<WriterLog> logs(kWriters);
  const auto t0 = Clock::now();
  auto ms_since = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  };
  int64_t cut_ms = 0;
  {
    InProcessServer server(dir_.path(), &fs_, policy, "0 400");
    ASSERT_TRUE(server.Start().ok());
    std::atomic<bool> power_off{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        InProcessServer::Client client(&server);
        std::mt19937 rng(w);
        for (int64_t n = 0; !power_off.load(); ++n) {
          const std::string id = std::to_string(w) + ":" + std::to_string(n);
          RespValue r;
          bool sent = true;
          if (rng() % 5 != 0) {
            sent = client.Run({"SET", "p:" + id, "x"}, &r, &power_off);
          } else {
            client.Run({"MULTI"}, &r);
            client.Run({"SET", "t:" + id + ":a", "x"}, &r);
            client.Run({"SET", "t:" + id + ":b", "x"}, &r);
            sent = client.Run({"EXEC"}, &r, &power_off);
            if (sent && !power_off.load()) {  // after the cut: MISCONF
              EXPECT_EQ(r.size(), 2u) << DebugString(r);
            }
          }
          // An acknowledgement that raced with the power cut does not count.
          if (!sent || power_off.load()) break;
          logs[w].ack_ms.push_back(ms_since());
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500 + std::random_device()() % 1000));
    power_off.store(true);
    cut_ms = ms_since();
    FaultVfs::FailWritesAfter(0);
    FaultVfs::FailSyncs(true);
    fs_.CutPower();
    for (auto& t : writers) t.join();
  }  // the dead server stops; nothing more reaches the disk

  fs_.Restore();
  FaultVfs::Reset();
  InProcessServer server(dir_.path(), &fs_, policy, "");
  persistence::Status s = server.Start();
  ASSERT_TRUE(s.ok()) << s.message();
  store::Keyspace& ks = server.state().keyspace();
  auto present = [&](const std::string& key) {
    auto locks = ks.Lock(ks.ShardMaskOf(key));
    return ks.Find(0, key).has_value();
  };
  size_t acked_total = 0;
  size_t lost_total = 0;
  for (int w = 0; w < kWriters; ++w) {
    const int64_t acked = static_cast<int64_t>(logs[w].ack_ms.size());
    acked_total += acked;
    // Operations are recovered as a prefix 0..m-1; anything after is absent.
    int64_t m = 0;
    bool hole = false;
    for (int64_t n = 0; n < acked + 2; ++n) {
      const std::string id = std::to_string(w) + ":" + std::to_string(n);
      const bool p = present("p:" + id);
      const bool a = present("t:" + id + ":a");
      const bool b = present("t:" + id + ":b");
      EXPECT_EQ(a, b) << "half a transaction recovered: writer " << id;
      const bool here = p || (a && b);
      if (here && hole) ADD_FAILURE() << "not a prefix: writer " << w << " op " << n;
      if (here && !hole) m = n + 1;
      if (!here) hole = true;
    }
    for (int64_t n = m; n < acked; ++n) {
      ++lost_total;
      const int64_t age = cut_ms - logs[w].ack_ms[static_cast<size_t>(n)];
      if (policy == "always") {
        ADD_FAILURE() << "acknowledged under appendfsync always and lost: writer " << w << " op "
                      << n;
      } else if (policy == "everysec") {
        EXPECT_LT(age, 2000) << "lost a write acknowledged " << age
                             << " ms before the power cut: writer " << w << " op " << n;
      }
    }
  }
  EXPECT_GT(acked_total, 50u);
  std::printf("[ %s ] %zu acknowledged, %zu lost to the power cut\n", policy.c_str(), acked_total,
              lost_total);
}

INSTANTIATE_TEST_SUITE_P(Policies, PowerLossTest, ::testing::Values("always", "everysec", "no"));

// ---- Failures while running ----

TEST_F(ServerPersistenceTest, FailedFsyncHoldsRepliesRefusesWritesAndASnapshotHeals) {
  InProcessServer server(dir_.path(), &fs_, "always", "3600 1");
  ASSERT_TRUE(server.Start().ok());
  InProcessServer::Client a(&server);
  InProcessServer::Client b(&server);
  EXPECT_EQ(a.Run({"SET", "k", "1"}), "OK");
  fs_.FailSyncs(EIO);
  RespValue held;
  std::thread t([&] { EXPECT_TRUE(a.Run({"SET", "k", "2"}, &held, nullptr)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(held.str.empty());  // not acknowledged: not on disk
  EXPECT_THAT(b.Run({"SET", "other", "x"}),
              ErrorIs("MISCONF Errors writing to the AOF file: Input/output error"));
  EXPECT_THAT(b.Run({"PING"}),
              ErrorIs("MISCONF Errors writing to the AOF file: Input/output error"));
  EXPECT_EQ(b.Run({"GET", "k"}), "2");  // reads go on
  const std::string info = b.Run({"INFO", "persistence"}).str;
  EXPECT_THAT(info, HasSubstr("aof_last_write_status:err"));
  // A snapshot holds what the failed fsync may have lost.
  fs_.FailSyncs(0);
  server.persistence().WaitForBackgroundSave();  // the one tried in the log's place
  EXPECT_EQ(b.Run({"SAVE"}), "OK");
  t.join();
  EXPECT_EQ(held, "OK");
  EXPECT_EQ(b.Run({"SET", "other", "x"}), "OK");
  EXPECT_THAT(b.Run({"INFO", "persistence"}).str, HasSubstr("aof_last_write_status:ok"));
}

TEST_F(ServerPersistenceTest, FailedSnapshotRefusesWritesUntilOneSucceeds) {
  InProcessServer server(dir_.path(), &fs_, "everysec", "3600 1");
  ASSERT_TRUE(server.Start().ok());
  InProcessServer::Client c(&server);
  EXPECT_EQ(c.Run({"SET", "k", "1"}), "OK");
  EXPECT_EQ(c.Run({"SAVE"}), "OK");
  EXPECT_EQ(c.Run({"SET", "k", "2"}), "OK");
  FaultVfs::FailWritesAfter(0);
  EXPECT_THAT(c.Run({"SAVE"}), ErrorIs("ERR"));
  EXPECT_THAT(c.Run({"SET", "k", "3"}), ErrorIs(std::string(errors::kMisconfSnapshot)));
  // Inside MULTI the write is refused at once; EXEC then aborts.
  EXPECT_EQ(c.Run({"MULTI"}), "OK");
  EXPECT_THAT(c.Run({"SET", "k", "3"}), ErrorIs(std::string(errors::kMisconfSnapshot)));
  EXPECT_THAT(c.Run({"EXEC"}),
              ErrorIs("EXECABORT Transaction discarded because of previous errors."));
  const std::string info = c.Run({"INFO", "persistence"}).str;
  EXPECT_THAT(info, HasSubstr("rdb_last_bgsave_status:err"));
  EXPECT_THAT(info, HasSubstr("rdb_changes_since_last_save:1"));
  // No rules, no MISCONF (as Redis: stop-writes-on-bgsave-error needs save points).
  EXPECT_EQ(c.Run({"CONFIG", "SET", "save", ""}), "OK");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(c.Run({"GET", "k"}), "2");
  FaultVfs::Reset();
  EXPECT_EQ(c.Run({"CONFIG", "SET", "save", "3600 1"}), "OK");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(c.Run({"SAVE"}), "OK");
  EXPECT_EQ(c.Run({"SET", "k", "3"}), "OK");
  EXPECT_THAT(c.Run({"INFO", "persistence"}).str, HasSubstr("rdb_last_bgsave_status:ok"));
}

TEST_F(ServerPersistenceTest, ExecIsRefusedWholeWhenPersistenceFailsAfterQueuing) {
  InProcessServer server(dir_.path(), &fs_, "everysec", "3600 1");
  ASSERT_TRUE(server.Start().ok());
  InProcessServer::Client c(&server);
  InProcessServer::Client admin(&server);
  EXPECT_EQ(c.Run({"MULTI"}), "OK");
  EXPECT_EQ(c.Run({"SET", "k", "1"}), "QUEUED");
  FaultVfs::FailWritesAfter(0);
  EXPECT_THAT(admin.Run({"SAVE"}), ErrorIs("ERR"));
  FaultVfs::Reset();
  EXPECT_THAT(c.Run({"EXEC"}), ErrorIs("EXECABORT Transaction discarded because of: " +
                                       std::string(errors::kMisconfSnapshot)));
  EXPECT_THAT(c.Run({"EXEC"}), ErrorIs("ERR EXEC without MULTI"));
  EXPECT_THAT(c.Run({"GET", "k"}), IsNil());
  // A transaction of reads still runs.
  EXPECT_EQ(c.Run({"MULTI"}), "OK");
  EXPECT_EQ(c.Run({"GET", "k"}), "QUEUED");
  EXPECT_EQ(c.Run({"EXEC"}).size(), 1u);
}

TEST_F(ServerPersistenceTest, BgsaveAndLastsave) {
  InProcessServer server(dir_.path(), &fs_, "everysec", "");
  ASSERT_TRUE(server.Start().ok());
  InProcessServer::Client c(&server);
  for (int i = 0; i < 1000; ++i) c.Run({"SET", "k" + std::to_string(i), "v"});
  RespValue before = c.Run({"LASTSAVE"});
  EXPECT_EQ(c.Run({"BGSAVE"}), "Background saving started");
  server.persistence().WaitForBackgroundSave();
  EXPECT_GE(c.Run({"LASTSAVE"}).integer, before.integer);
  EXPECT_THAT(c.Run({"INFO", "persistence"}).str, HasSubstr("rdb_saves:1"));
  EXPECT_EQ(c.Run({"BGREWRITEAOF"}), "Background append only file rewriting started");
  server.persistence().WaitForBackgroundSave();
  EXPECT_THAT(c.Run({"BGSAVE", "SCHEDULE", "x"}), ErrorIs("ERR syntax error"));
}

TEST_F(ServerPersistenceTest, AppendonlyCanBeTurnedOffAndOnAtRunTime) {
  InProcessServer server(dir_.path(), &fs_, "everysec", "");
  ASSERT_TRUE(server.Start().ok());
  InProcessServer::Client c(&server);
  EXPECT_EQ(c.Run({"SET", "a", "1"}), "OK");
  EXPECT_EQ(c.Run({"CONFIG", "SET", "appendonly", "no"}), "OK");
  for (int i = 0; i < 100 && server.persistence().write_log().is_open(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(c.Run({"INFO", "persistence"}).str, HasSubstr("aof_enabled:0"));
  EXPECT_EQ(c.Run({"SET", "b", "2"}), "OK");  // not logged
  EXPECT_EQ(c.Run({"CONFIG", "SET", "appendonly", "yes"}), "OK");
  for (int i = 0; i < 100 && !server.persistence().write_log().is_open(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server.persistence().WaitForBackgroundSave();  // turning it on takes a snapshot
  EXPECT_EQ(c.Run({"SET", "c", "3"}), "OK");
  EXPECT_THAT(c.Run({"INFO", "persistence"}).str, HasSubstr("aof_enabled:1"));
}

// Bitmaps and HyperLogLogs are strings written in part: the log records the
// bytes written (a patch), and replaying it rebuilds the same values.
uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

TEST_F(ServerPersistenceTest, BitmapAndHyperLogLogWritesSurviveRestart) {
  std::map<std::string, std::string> before;
  {
    InProcessServer server(dir_.path(), &fs_, "always", "");
    ASSERT_TRUE(server.Start().ok());
    InProcessServer::Client c(&server);
    EXPECT_EQ(c.Run({"SETBIT", "b", "8388607", "1"}).integer, 0);  // a 1 MB bitmap
    EXPECT_EQ(c.Run({"SET", "t", "x", "EX", "1000"}), "OK");
    const uint64_t logged = DirBytes(dir_.path());
    for (int i = 0; i < 200; ++i) c.Run({"SETBIT", "b", std::to_string(i * 40000), "1"});
    c.Run({"SETBIT", "t", "100", "1"});
    // 200 bit changes of a 1 MB string: a few KB of log, not 200 MB.
    EXPECT_LT(DirBytes(dir_.path()) - logged, 64u * 1024);
    c.Run({"BITFIELD", "f", "SET", "u8", "#3", "200", "INCRBY", "i5", "1", "-7"});
    c.Run({"BITOP", "NOT", "n", "f"});
    std::vector<std::string> pfadd = {"PFADD", "h"};
    for (int i = 0; i < 3000; ++i) pfadd.push_back(std::to_string(i));  // dense
    c.Run(pfadd);
    c.Run({"PFADD", "h", "x", "y", "z"});
    c.Run({"PFCOUNT", "h"});  // writes the cached count
    c.Run({"PFADD", "s", "a", "b"});
    c.Run({"PFMERGE", "m", "s", "h"});
    for (const char* key : {"b", "t", "f", "n", "h", "s", "m"})
      before[key] = c.Run({"GET", key}).str;
    EXPECT_EQ(before["b"].size(), 1024u * 1024);
  }
  InProcessServer server(dir_.path(), &fs_, "always", "");
  ASSERT_TRUE(server.Start().ok());
  InProcessServer::Client c(&server);
  for (const auto& [key, value] : before) EXPECT_EQ(c.Run({"GET", key}).str, value) << key;
  EXPECT_GT(c.Run({"TTL", "t"}).integer, 0);
  EXPECT_EQ(c.Run({"BITCOUNT", "b"}).integer, 201);
}

// RESTORE goes through the store's write path: the write log and the
// snapshot both keep what it created, whatever its type.
TEST_F(ServerPersistenceTest, RestoredKeysSurviveRestarts) {
  const std::vector<std::vector<std::string>> builds = {
      {"SET", "s", "text"},           {"HSET", "h", "a", "1", "b", "2"},
      {"RPUSH", "l", "x", "y", "-3"}, {"SADD", "si", "1", "2"},
      {"SADD", "ss", "a", "b"},       {"ZADD", "z", "1.5", "m", "-2", "n"},
  };
  std::map<std::string, std::string> dumps;
  {
    InProcessServer server(dir_.path(), &fs_, "always", "");
    ASSERT_TRUE(server.Start().ok());
    InProcessServer::Client c(&server);
    for (const auto& build : builds) {
      c.Run(build);
      dumps[build[1]] = c.Run({"DUMP", build[1]}).str;
      EXPECT_EQ(c.Run({"DEL", build[1]}).integer, 1);
      EXPECT_EQ(c.Run({"RESTORE", build[1], "0", dumps[build[1]]}), "OK");
    }
    // REPLACE over another type, and one with a TTL.
    EXPECT_EQ(c.Run({"RESTORE", "s", "0", dumps["l"], "REPLACE"}), "OK");
    EXPECT_EQ(c.Run({"RESTORE", "t", "100000", dumps["h"]}), "OK");
  }
  for (int round = 0; round < 2; ++round) {
    InProcessServer server(dir_.path(), &fs_, "always", "");
    ASSERT_TRUE(server.Start().ok());
    InProcessServer::Client c(&server);
    for (const auto& build : builds) {
      if (build[1] == "s") continue;
      EXPECT_EQ(c.Run({"DUMP", build[1]}).str, dumps[build[1]]) << build[1] << " round " << round;
    }
    EXPECT_EQ(c.Run({"DUMP", "s"}).str, dumps["l"]);
    EXPECT_EQ(c.Run({"DUMP", "t"}).str, dumps["h"]);
    EXPECT_GT(c.Run({"PTTL", "t"}).integer, 0);
    // The second start reads the snapshot this one writes.
    EXPECT_EQ(c.Run({"BGSAVE"}), "Background saving started");
    server.persistence().WaitForBackgroundSave();
  }
}

}  // namespace
}  // namespace stashd::test
