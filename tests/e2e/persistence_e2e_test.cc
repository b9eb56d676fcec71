// End-to-end persistence tests against the real binary: restart, SIGKILL at
// random moments with writers recording what was acknowledged, a full disk,
// and the --check-log tool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
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

using ::testing::HasSubstr;

std::string Str(const Reply& r) {
  if (!r) return "<no reply>";
  if (r->type == REDIS_REPLY_NIL) return "<nil>";
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  return std::string(r->str, r->len);
}

std::string Info(int port, const std::string& field) {
  Conn c = Connect(port);
  Reply r = Cmd(c.get(), {"INFO", "persistence"});
  std::string text = Str(r);
  auto pos = text.find(field + ":");
  if (pos == std::string::npos) return "";
  auto end = text.find("\r\n", pos);
  return text.substr(pos + field.size() + 1, end - pos - field.size() - 1);
}

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// ---- Restart ----

TEST(PersistenceE2E, DataSurvivesRestartWithAndWithoutTheLog) {
  TempDir dir;
  for (const char* appendonly : {"yes", "no"}) {
    std::filesystem::remove_all(dir.path());
    std::filesystem::create_directories(dir.path());
    {
      ServerProcess server({"--appendonly", appendonly}, dir.path());
      Conn c = Connect(server.port());
      EXPECT_EQ(Str(Cmd(c.get(), {"SET", "plain", "v1"})), "OK");
      EXPECT_EQ(Str(Cmd(c.get(), {"SET", "ttl", "v2", "EX", "1000"})), "OK");
      EXPECT_EQ(Str(Cmd(c.get(), {"SELECT", "5"})), "OK");
      EXPECT_EQ(Str(Cmd(c.get(), {"SET", "in5", std::string("b\0in", 4)})), "OK");
      EXPECT_EQ(server.Stop(SIGTERM), 0) << appendonly;  // saves, then exits 0
    }
    ServerProcess server({"--appendonly", appendonly}, dir.path());
    Conn c = Connect(server.port());
    EXPECT_EQ(Str(Cmd(c.get(), {"GET", "plain"})), "v1") << appendonly;
    Reply ttl = Cmd(c.get(), {"TTL", "ttl"});
    EXPECT_GT(ttl->integer, 990);
    EXPECT_LE(ttl->integer, 1000);
    EXPECT_EQ(Str(Cmd(c.get(), {"SELECT", "5"})), "OK");
    EXPECT_EQ(Str(Cmd(c.get(), {"GET", "in5"})), std::string("b\0in", 4));
    EXPECT_EQ(Info(server.port(), "aof_enabled"), std::string(appendonly) == "yes" ? "1" : "0");
  }
}

TEST(PersistenceE2E, SnapshotCommandsAndTheFileIsPlainSql) {
  TempDir dir;
  ServerProcess server({"--save", ""}, dir.path());
  Conn c = Connect(server.port());
  Reply last = Cmd(c.get(), {"LASTSAVE"});
  for (int i = 0; i < 100; ++i) Cmd(c.get(), {"SET", "key:" + std::to_string(i), "v"});
  EXPECT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
  EXPECT_EQ(Info(server.port(), "rdb_changes_since_last_save"), "0");
  EXPECT_EQ(Info(server.port(), "snapshot_last_kind"), "full");
  Cmd(c.get(), {"SET", "key:1", "changed"});
  Cmd(c.get(), {"DEL", "key:2"});
  EXPECT_EQ(Info(server.port(), "rdb_changes_since_last_save"), "2");
  EXPECT_EQ(Str(Cmd(c.get(), {"BGSAVE"})), "Background saving started");
  for (int i = 0; i < 100 && Info(server.port(), "rdb_bgsave_in_progress") != "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Info(server.port(), "rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(Info(server.port(), "snapshot_last_kind"), "incremental");
  EXPECT_EQ(Info(server.port(), "snapshot_last_keys_written"), "1");
  EXPECT_EQ(Info(server.port(), "snapshot_last_keys_deleted"), "1");
  EXPECT_GE(Cmd(c.get(), {"LASTSAVE"})->integer, last->integer);
  EXPECT_EQ(Str(Cmd(c.get(), {"BGSAVE", "NOW"})), "ERR syntax error");
  // Inside a transaction BGSAVE is scheduled, as in Redis.
  Cmd(c.get(), {"MULTI"});
  Cmd(c.get(), {"BGSAVE"});
  Reply exec = Cmd(c.get(), {"EXEC"});
  ASSERT_EQ(exec->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(std::string(exec->element[0]->str), "Background saving scheduled");
  for (int i = 0; i < 250 && Info(server.port(), "rdb_saves") != "3"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Info(server.port(), "rdb_saves"), "3");
  const std::string db = dir.File("stashd.db");
  // Format 2: plain-text keys and values are stored as TEXT, so a query
  // works as written, without the CAST format 1 needed.
  EXPECT_EQ(Shell("sqlite3 " + db + " \"SELECT value FROM keys WHERE key = 'key:1'\""),
            "changed\n");
  EXPECT_EQ(Shell("sqlite3 " + db + " 'SELECT COUNT(*) FROM keys'"), "99\n");
}

TEST(PersistenceE2E, ShutdownSavesAndNosaveStillKeepsTheLog) {
  TempDir dir;
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    Cmd(c.get(), {"SET", "a", "1"});
    EXPECT_EQ(Str(Cmd(c.get(), {"SHUTDOWN", "SAVE", "NOSAVE"})), "ERR syntax error");
    EXPECT_EQ(Str(Cmd(c.get(), {"SHUTDOWN", "ABORT"})), "ERR No shutdown in progress.");
    Reply r = Cmd(c.get(), {"SHUTDOWN", "NOSAVE"});
    EXPECT_EQ(r, nullptr);  // the connection closes without a reply
    EXPECT_EQ(server.Stop(SIGTERM), 0);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.File("stashd.db")));
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    EXPECT_EQ(Str(Cmd(c.get(), {"GET", "a"})), "1");  // from the log
    Cmd(c.get(), {"SHUTDOWN", "SAVE"});
    server.Stop(SIGTERM);
  }
  EXPECT_EQ(Shell("sqlite3 " + dir.File("stashd.db") + " 'SELECT CAST(value AS TEXT) FROM keys'"),
            "1\n");
}

// ---- SIGKILL at random moments ----

// What writers were told succeeded. A key acknowledged must be there after
// any crash; a counter must be at least its last acknowledged value; the two
// keys of an acknowledged MULTI/EXEC are both there.
struct Acked {
  std::mutex mu;
  std::map<std::string, std::string> values;  // SET (and EXEC pairs)
  std::set<std::string> deleted;              // DEL acknowledged
  std::map<std::string, int64_t> counters;    // INCR: last acknowledged value
};

void Writer(int port, int id, std::atomic<int64_t>* next, Acked* acked, std::mt19937 rng) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  std::vector<std::string> mine;
  while (true) {
    const int64_t n = (*next)++;
    const int op = static_cast<int>(rng() % 10);
    const std::string key = "w" + std::to_string(id) + ":" + std::to_string(n);
    if (op < 5) {
      std::string value = "v" + std::to_string(n) + std::string(rng() % 64, 'x');
      Reply r = op == 4 ? Cmd(c.get(), {"SET", key, value, "EX", "100000"})
                        : Cmd(c.get(), {"SET", key, value});
      if (!r || Str(r) != "OK") return;
      std::lock_guard lock(acked->mu);
      acked->values[key] = value;
      mine.push_back(key);
    } else if (op < 7) {
      const std::string counter = "counter:" + std::to_string(id);
      Reply r = Cmd(c.get(), {"INCR", counter});
      if (!r || r->type != REDIS_REPLY_INTEGER) return;
      std::lock_guard lock(acked->mu);
      acked->counters[counter] = r->integer;
    } else if (op < 9) {
      // MULTI/EXEC sent as one pipeline; acknowledged by EXEC's reply.
      const std::string a = key + ":a";
      const std::string b = key + ":b";
      redisAppendCommand(c.get(), "MULTI");
      redisAppendCommand(c.get(), "SET %s %s", a.c_str(), "pa");
      redisAppendCommand(c.get(), "SET %s %s", b.c_str(), "pb");
      redisAppendCommand(c.get(), "EXEC");
      redisReply* r = nullptr;
      for (int i = 0; i < 4; ++i) {
        if (r != nullptr) freeReplyObject(r);
        r = nullptr;
        if (redisGetReply(c.get(), reinterpret_cast<void**>(&r)) != REDIS_OK) return;
      }
      Reply exec(r);
      if (!exec || exec->type != REDIS_REPLY_ARRAY || exec->elements != 2) return;
      std::lock_guard lock(acked->mu);
      acked->values[a] = "pa";
      acked->values[b] = "pb";
    } else if (!mine.empty()) {
      const std::string victim = mine[rng() % mine.size()];
      std::erase(mine, victim);
      {
        // Until DEL is acknowledged the key may be there or not.
        std::lock_guard lock(acked->mu);
        acked->values.erase(victim);
      }
      Reply r = Cmd(c.get(), {"DEL", victim});
      if (!r || r->type != REDIS_REPLY_INTEGER) return;
      std::lock_guard lock(acked->mu);
      acked->deleted.insert(victim);
    }
  }
}

// GETs many keys in one pipeline.
std::vector<std::string> GetAll(redisContext* c, const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const std::string& key : keys) redisAppendCommand(c, "GET %b", key.data(), key.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    redisReply* r = nullptr;
    if (redisGetReply(c, reinterpret_cast<void**>(&r)) != REDIS_OK) break;
    out.push_back(Str(Reply(r)));
  }
  return out;
}

// Checks every acknowledged write against a fresh server; returns the
// number of keys checked.
size_t Verify(int port, Acked* acked, const std::string& where) {
  Conn c = Connect(port, 30000);
  std::lock_guard lock(acked->mu);
  std::vector<std::string> keys;
  for (const auto& [key, value] : acked->values) keys.push_back(key);
  std::vector<std::string> got = GetAll(c.get(), keys);
  EXPECT_EQ(got.size(), keys.size());
  size_t missing = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const std::string& value = acked->values[keys[i]];
    if (got[i] != value && ++missing <= 5) {
      ADD_FAILURE() << where << ": acknowledged " << keys[i] << " = " << value.substr(0, 20)
                    << ", found " << got[i].substr(0, 20);
    }
  }
  EXPECT_EQ(missing, 0u) << where;
  std::vector<std::string> deleted(acked->deleted.begin(), acked->deleted.end());
  for (const std::string& v : GetAll(c.get(), deleted)) {
    EXPECT_EQ(v, "<nil>") << where << ": a deleted key came back";
  }
  for (auto& [counter, value] : acked->counters) {
    Reply r = Cmd(c.get(), {"GET", counter});
    int64_t got_value = r && r->type == REDIS_REPLY_STRING ? std::stoll(Str(r)) : 0;
    // The INCR in flight when the server died may or may not have landed.
    EXPECT_GE(got_value, value) << where << ": " << counter;
    EXPECT_LE(got_value, value + 1) << where << ": " << counter;
    value = got_value;
  }
  return acked->values.size();
}

void CrashLoop(const std::string& fsync_policy, int rounds, uint32_t seed) {
  TempDir dir;
  Acked acked;
  std::atomic<int64_t> next{0};
  std::mt19937 rng(seed);
  // Frequent snapshots, so crashes also land during snapshots and rotations.
  const std::vector<std::string> args = {"--appendfsync", fsync_policy,   "--save",
                                         "0 500",         "--io-threads", "2"};
  for (int round = 0; round < rounds; ++round) {
    ServerProcess server(args, dir.path());
    if (round > 0) Verify(server.port(), &acked, "round " + std::to_string(round));
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back(Writer, server.port(), w, &next, &acked, std::mt19937(rng()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 600));
    server.Stop(SIGKILL);
    for (auto& t : writers) t.join();
  }
  ServerProcess server(args, dir.path());
  size_t keys = Verify(server.port(), &acked, "final");
  EXPECT_GT(keys, 100u);
  std::ifstream log(dir.File("stashd.log"));
  std::string text((std::istreambuf_iterator<char>(log)), {});
  size_t snapshots = 0;
  for (size_t pos = 0; (pos = text.find("Background snapshot saved", pos)) != std::string::npos;
       ++pos) {
    ++snapshots;
  }
  EXPECT_GT(snapshots, 0u) << "no snapshot ran while writers wrote";
  std::printf("[ %s ] %d crashes, %zu snapshots, %zu acknowledged keys all present\n",
              fsync_policy.c_str(), rounds, snapshots, keys);
}

TEST(PersistenceE2E, SigkillLosesNothingAcknowledgedAppendfsyncAlways) {
  CrashLoop("always", 10, 1);
}

TEST(PersistenceE2E, SigkillLosesNothingAcknowledgedAppendfsyncEverysec) {
  CrashLoop("everysec", 10, 2);
}

TEST(PersistenceE2E, SigkillLosesNothingAcknowledgedAppendfsyncNo) { CrashLoop("no", 5, 3); }

// ---- Corruption and the checker ----

TEST(PersistenceE2E, CorruptLogStopsStartupAndCheckLogRepairsIt) {
  TempDir dir;
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    for (int i = 0; i < 20; ++i) Cmd(c.get(), {"SET", "k" + std::to_string(i), "value"});
    server.Stop(SIGKILL);
  }
  const std::string log = dir.File("appendonlydir/appendonly.slog.000001");
  ASSERT_TRUE(std::filesystem::exists(log));
  {
    std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x7f');
  }
  EXPECT_THROW(ServerProcess({"--save", ""}, dir.path()), std::runtime_error);
  std::ifstream server_log(dir.File("stashd.log"));
  std::string text((std::istreambuf_iterator<char>(server_log)), {});
  EXPECT_THAT(text, HasSubstr("is corrupt at byte offset"));
  EXPECT_THAT(text, HasSubstr(log));

  std::string check = Shell(std::string(STASHD_BINARY) + " --check-log " + log + " 2>&1");
  EXPECT_THAT(check, HasSubstr("Run with --repair"));
  std::string repair = Shell(std::string(STASHD_BINARY) + " --check-log " + log + " --repair 2>&1");
  EXPECT_THAT(repair, HasSubstr("Repaired"));
  ServerProcess server({"--save", ""}, dir.path());
  Conn c = Connect(server.port());
  EXPECT_EQ(Str(Cmd(c.get(), {"GET", "k0"})), "value");  // before the damage
}

// Hashes survive a restart through the write log alone, then through a
// snapshot plus the log, and the snapshot holds them as plain SQL rows.
TEST(PersistenceE2E, HashesSurviveRestartsThroughLogAndSnapshot) {
  TempDir dir;
  auto hgetall = [](redisContext* c, const std::string& key) {
    Reply r = Cmd(c, {"HGETALL", key});
    std::map<std::string, std::string> out;
    for (size_t i = 0; i + 1 < r->elements; i += 2)
      out[r->element[i]->str] = r->element[i + 1]->str;
    return out;
  };
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    Cmd(c.get(), {"HSET", "user:bot1:u42", "name", "Joe", "lang", "fr", "visits", "1"});
    Cmd(c.get(), {"HINCRBY", "user:bot1:u42", "visits", "41"});
    Cmd(c.get(), {"HDEL", "user:bot1:u42", "lang"});
    Cmd(c.get(), {"HSET", "tmp", "a", "1"});
    Cmd(c.get(), {"EXPIRE", "tmp", "1000"});
    Cmd(c.get(), {"RENAME", "tmp", "tmp2"});
    server.Stop(SIGKILL);  // no snapshot: the log alone
  }
  const std::map<std::string, std::string> u42 = {{"name", "Joe"}, {"visits", "42"}};
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    EXPECT_EQ(hgetall(c.get(), "user:bot1:u42"), u42);
    EXPECT_GT(Cmd(c.get(), {"TTL", "tmp2"})->integer, 900);
    EXPECT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
    Cmd(c.get(), {"HSET", "user:bot1:u42", "lang", "de"});  // after the snapshot: in the log
  }
  EXPECT_EQ(Shell("sqlite3 " + dir.File("stashd.db") +
                  " \"SELECT field, value FROM hash_fields WHERE key = 'user:bot1:u42' ORDER BY "
                  "field\""),
            "name|Joe\nvisits|42\n");
  ServerProcess server({"--save", ""}, dir.path());
  Conn c = Connect(server.port());
  auto expected = u42;
  expected["lang"] = "de";
  EXPECT_EQ(hgetall(c.get(), "user:bot1:u42"), expected);
  EXPECT_EQ(hgetall(c.get(), "tmp2"), (std::map<std::string, std::string>{{"a", "1"}}));
}

// Sorted sets survive a restart through the write log alone (ZADD, ZINCRBY
// with its exact resulting score, ZPOPMIN, ZREMRANGEBYSCORE, a ZUNIONSTORE
// logged whole), then through a snapshot plus the log, and the snapshot
// holds them as plain SQL rows.
TEST(PersistenceE2E, SortedSetsSurviveRestartsThroughLogAndSnapshot) {
  TempDir dir;
  auto zrange = [](redisContext* c, const std::string& key) {
    Reply r = Cmd(c, {"ZRANGE", key, "0", "-1", "WITHSCORES"});
    std::vector<std::string> out;
    for (size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str);
    return out;
  };
  const std::vector<std::string> board = {"bob", "2.3000000000000003", "joe", "inf"};
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    Cmd(c.get(), {"ZADD", "board", "1", "ann", "0.1", "bob", "5", "cy", "+inf", "joe", "7", "dan"});
    Cmd(c.get(), {"ZINCRBY", "board", "2.2", "bob"});
    Cmd(c.get(), {"ZPOPMIN", "board"});
    Cmd(c.get(), {"ZREMRANGEBYSCORE", "board", "5", "(inf"});
    Cmd(c.get(), {"ZUNIONSTORE", "copy", "1", "board", "WEIGHTS", "2"});
    server.Stop(SIGKILL);  // no snapshot: the log alone
  }
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    EXPECT_EQ(zrange(c.get(), "board"), board);
    EXPECT_EQ(zrange(c.get(), "copy"),
              (std::vector<std::string>{"bob", "4.6000000000000005", "joe", "inf"}));
    EXPECT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
    Cmd(c.get(), {"ZADD", "board", "-1", "eve"});  // after the snapshot: in the log
  }
  EXPECT_EQ(Shell("sqlite3 " + dir.File("stashd.db") +
                  " \"SELECT member, score FROM zset_members WHERE key = 'board' ORDER BY "
                  "score\""),
            "bob|2.3\njoe|Inf\n");
  ServerProcess server({"--save", ""}, dir.path());
  Conn c = Connect(server.port());
  auto expected = board;
  expected.insert(expected.begin(), {"eve", "-1"});
  EXPECT_EQ(zrange(c.get(), "board"), expected);
}

// The key hash is keyed by a secret drawn for each data directory: the same
// keys give different SCAN cursors on two servers (a client cannot compute
// them, nor probe for key names it cannot read), and a cursor stays valid
// across a restart because the seed is kept in the snapshot.
TEST(PersistenceE2E, ScanCursorsAreSecretPerServerAndSurviveRestart) {
  TempDir dir_a, dir_b;
  auto scan = [](redisContext* c, const std::string& cursor) {
    Reply r = Cmd(c, {"SCAN", cursor, "COUNT", "10"});
    std::vector<std::string> out = {r->element[0]->str};
    for (size_t i = 0; i < r->element[1]->elements; ++i)
      out.emplace_back(r->element[1]->element[i]->str);
    return out;
  };
  std::vector<std::string> first_a, next_a;
  {
    ServerProcess a({"--save", ""}, dir_a.path());
    ServerProcess b({"--save", ""}, dir_b.path());
    Conn ca = Connect(a.port());
    Conn cb = Connect(b.port());
    for (int i = 0; i < 200; ++i) {
      Cmd(ca.get(), {"SET", "k" + std::to_string(i), "v"});
      Cmd(cb.get(), {"SET", "k" + std::to_string(i), "v"});
    }
    first_a = scan(ca.get(), "0");
    EXPECT_NE(first_a, scan(cb.get(), "0"));
    next_a = scan(ca.get(), first_a[0]);
    EXPECT_EQ(Str(Cmd(ca.get(), {"SAVE"})), "OK");
  }
  ServerProcess a({"--save", ""}, dir_a.path());
  Conn ca = Connect(a.port());
  EXPECT_EQ(scan(ca.get(), "0"), first_a);
  EXPECT_EQ(scan(ca.get(), first_a[0]), next_a);
}

// A bit flipped inside a value (SQLite's own structures intact) is caught by
// the row checksum: the server refuses to start, --check-snapshot names it.
TEST(PersistenceE2E, DamagedSnapshotRowIsRefusedAndReported) {
  TempDir dir;
  {
    ServerProcess server({"--save", "", "--appendonly", "no"}, dir.path());
    Conn c = Connect(server.port());
    for (int i = 0; i < 1000; ++i) {
      Cmd(c.get(), {"SET", "a:" + std::to_string(i), "A" + std::to_string(i)});
    }
    EXPECT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
  }
  const std::string db = dir.File("stashd.db");
  const std::string check = std::string(STASHD_BINARY) + " --check-snapshot " + db;
  EXPECT_THAT(Shell(check + " 2>&1; echo status=$?"),
              HasSubstr("1000 intact keys, 0 damaged\nstatus=0"));
  Shell("sqlite3 " + db + " \"UPDATE keys SET value = 'A100' WHERE key = 'a:500'\"");
  std::string out = Shell(check + " 2>&1; echo status=$?");
  EXPECT_THAT(out, HasSubstr("damaged: table keys, db 0, key 'a:500': checksum mismatch"));
  EXPECT_THAT(out, HasSubstr("status=1"));
  EXPECT_THROW(ServerProcess({"--save", ""}, dir.path()), std::runtime_error);
  std::ifstream server_log(dir.File("stashd.log"));
  std::string log((std::istreambuf_iterator<char>(server_log)), {});
  EXPECT_THAT(log, HasSubstr("key 'a:500': checksum mismatch"));
}

// A write log that starts after a snapshot (its older files were deleted
// when that snapshot committed) while the snapshot file is missing or empty:
// start-up stops naming both files, unless --ignore-missing-snapshot says to
// go on with what the log holds.
TEST(PersistenceE2E, MissingSnapshotStopsStartupUnlessIgnoredOnPurpose) {
  TempDir dir;
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    for (int i = 0; i < 100; ++i) Cmd(c.get(), {"SET", "old" + std::to_string(i), "v"});
    ASSERT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
    for (int i = 0; i < 10; ++i) Cmd(c.get(), {"SET", "new" + std::to_string(i), "v"});
    server.Stop(SIGKILL);
  }
  const std::string snapshot = dir.File("stashd.db");
  ASSERT_FALSE(std::filesystem::exists(dir.File("appendonlydir/appendonly.slog.000001")));
  const std::string log = dir.File("appendonlydir/appendonly.slog.000002");
  ASSERT_TRUE(std::filesystem::exists(log));
  for (bool truncate : {false, true}) {
    std::filesystem::remove(snapshot);
    std::filesystem::remove(snapshot + "-wal");
    std::filesystem::remove(snapshot + "-shm");
    if (truncate) std::ofstream(snapshot).close();  // 0 bytes
    std::filesystem::remove(dir.File("stashd.log"));
    EXPECT_THROW(ServerProcess({"--save", ""}, dir.path()), std::runtime_error);
    std::ifstream server_log(dir.File("stashd.log"));
    std::string text((std::istreambuf_iterator<char>(server_log)), {});
    EXPECT_THAT(text, HasSubstr("the write log starts at '" + log + "'")) << text;
    EXPECT_THAT(text, HasSubstr("the snapshot '" + snapshot + "' is missing or empty"));
    EXPECT_THAT(text, HasSubstr("--ignore-missing-snapshot"));
  }
  {
    // On purpose: only what the log holds.
    ServerProcess server({"--save", "", "--ignore-missing-snapshot"}, dir.path());
    Conn c = Connect(server.port());
    EXPECT_EQ(Str(Cmd(c.get(), {"DBSIZE"})), "10");
    EXPECT_EQ(Str(Cmd(c.get(), {"GET", "new9"})), "v");
  }
  std::string help = Shell(std::string(STASHD_BINARY) + " --help");
  EXPECT_THAT(help, HasSubstr("--ignore-missing-snapshot"));
}

// An older copy of the snapshot put back over a newer one: the log files it
// continues at were deleted when the newer one committed, so start-up stops
// naming the files instead of starting without the keys they held.
TEST(PersistenceE2E, SnapshotOlderThanTheWriteLogStopsStartup) {
  TempDir dir;
  const std::string snapshot = dir.File("stashd.db");
  const std::string copy = dir.File("stashd.db.copy");
  {
    ServerProcess server({"--save", ""}, dir.path());
    Conn c = Connect(server.port());
    Cmd(c.get(), {"SET", "first", "1"});
    ASSERT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
    std::filesystem::copy_file(snapshot, copy);
    Cmd(c.get(), {"SET", "second", "2"});
    ASSERT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
    Cmd(c.get(), {"SET", "third", "3"});
    server.Stop(SIGKILL);
  }
  std::filesystem::remove(snapshot + "-wal");
  std::filesystem::remove(snapshot + "-shm");
  std::filesystem::copy_file(copy, snapshot, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(dir.File("stashd.log"));
  EXPECT_THROW(ServerProcess({"--save", ""}, dir.path()), std::runtime_error);
  std::ifstream server_log(dir.File("stashd.log"));
  std::string text((std::istreambuf_iterator<char>(server_log)), {});
  EXPECT_THAT(text, HasSubstr("the write log starts at '" +
                              dir.File("appendonlydir/appendonly.slog.000003") +
                              "' (file number 3), but the snapshot '" + snapshot +
                              "' continues at file number 2"))
      << text;
  EXPECT_THAT(text, HasSubstr("--ignore-missing-snapshot"));
  {
    ServerProcess server({"--save", "", "--ignore-missing-snapshot"}, dir.path());
    Conn c = Connect(server.port());
    EXPECT_EQ(Str(Cmd(c.get(), {"GET", "first"})), "1");
    EXPECT_EQ(Str(Cmd(c.get(), {"GET", "second"})), "<nil>");
    EXPECT_EQ(Str(Cmd(c.get(), {"GET", "third"})), "3");
  }
}

TEST(PersistenceE2E, ForeignSnapshotFileIsRefusedAndKept) {
  TempDir dir;
  { std::ofstream(dir.File("stashd.db")) << "not a database at all, just text\n"; }
  EXPECT_THROW(ServerProcess({}, dir.path()), std::runtime_error);
  std::ifstream f(dir.File("stashd.db"));
  std::string text((std::istreambuf_iterator<char>(f)), {});
  EXPECT_EQ(text, "not a database at all, just text\n");
  std::ifstream server_log(dir.File("stashd.log"));
  std::string log((std::istreambuf_iterator<char>(server_log)), {});
  EXPECT_THAT(log, HasSubstr("is not a stashd snapshot"));
}

// ---- A full disk ----

// A small tmpfs; skipped where mounting is not allowed (not root).
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& path, const std::string& size) : path_(path) {
    std::filesystem::create_directories(path);
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  // Fills the disk with a file; returns its path.
  std::string Fill() {
    std::string filler = path_ + "/filler";
    FILE* f = std::fopen(filler.c_str(), "w");
    std::string block(4096, 'f');
    while (f != nullptr && std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
      if (std::fflush(f) != 0) break;
    }
    if (f != nullptr) std::fclose(f);
    return filler;
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

TEST(PersistenceE2E, FullDiskRefusesWritesWithMisconfAndKeepsTheSnapshot) {
  TempDir dir;
  SmallDisk disk(dir.File("disk"), "4m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const std::string data = dir.File("disk");
  std::unique_ptr<ServerProcess> server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--save", "3600 1", "--logfile", dir.File("stashd.log")}, data);
  Conn c = Connect(server->port());
  for (int i = 0; i < 200; ++i) Cmd(c.get(), {"SET", "k" + std::to_string(i), "before"});
  ASSERT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
  const std::string filler = disk.Fill();

  // This write cannot reach the log: its reply is held back, not sent.
  Conn held = Connect(server->port(), 10000);
  redisAppendCommand(held.get(), "SET %s %s", "held", std::string(64 * 1024, 'h').c_str());
  int done = 0;
  while (!done) redisBufferWrite(held.get(), &done);
  for (int i = 0; i < 100 && Info(server->port(), "aof_last_write_status") != "err"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Info(server->port(), "aof_last_write_status"), "err");
  EXPECT_EQ(Str(Cmd(c.get(), {"SET", "x", "1"})),
            "MISCONF Errors writing to the AOF file: No space left on device");
  EXPECT_EQ(Str(Cmd(c.get(), {"GET", "k1"})), "before");  // reads still work
  // The snapshot cannot be written either; the previous one survives.
  Cmd(c.get(), {"SET", "k1", "after"});  // refused
  EXPECT_EQ(Str(Cmd(c.get(), {"SAVE"})), "ERR");
  EXPECT_EQ(Info(server->port(), "rdb_last_bgsave_status"), "err");
  // The log's failure, the root cause, is what MISCONF names meanwhile.
  EXPECT_EQ(Str(Cmd(c.get(), {"SET", "x", "1"})),
            "MISCONF Errors writing to the AOF file: No space left on device");
  // (immutable=1: read the file as it is; the full disk has no room for -shm)
  const std::string count_before = "sqlite3 'file:" + data +
                                   "/stashd.db?immutable=1' \"SELECT COUNT(*) FROM keys WHERE "
                                   "CAST(value AS TEXT) = 'before'\"";
  EXPECT_EQ(Shell(count_before), "200\n");

  // Space comes back: the held write is retried and acknowledged.
  std::filesystem::remove(filler);
  redisReply* r = nullptr;
  ASSERT_EQ(redisGetReply(held.get(), reinterpret_cast<void**>(&r)), REDIS_OK);
  EXPECT_STREQ(r->str, "OK");
  freeReplyObject(r);
  // The background retry also redoes a log rotation the failed SAVE left
  // pending; the status clears once all of it is written.
  for (int i = 0; i < 150 && Info(server->port(), "aof_last_write_status") != "ok"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Info(server->port(), "aof_last_write_status"), "ok");
  EXPECT_EQ(Shell(count_before), "200\n");
  // Writes stay refused until a snapshot succeeds (stop-writes-on-bgsave-error).
  EXPECT_THAT(Str(Cmd(c.get(), {"SET", "x", "1"})),
              HasSubstr("MISCONF Redis is configured to save RDB snapshots"));
  EXPECT_EQ(Str(Cmd(c.get(), {"SAVE"})), "OK");
  EXPECT_EQ(Str(Cmd(c.get(), {"SET", "x", "1"})), "OK");
  server->Stop(SIGKILL);
  server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--save", "3600 1", "--logfile", dir.File("stashd.log")}, data);
  c = Connect(server->port());
  EXPECT_EQ(Str(Cmd(c.get(), {"GET", "x"})), "1");
  EXPECT_EQ(Str(Cmd(c.get(), {"STRLEN", "held"})), std::to_string(64 * 1024));
  server->Stop(SIGKILL);
}

}  // namespace
}  // namespace stashd::test
