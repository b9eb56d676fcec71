// Lists moved between keys under SIGKILL: producers LPUSH unique items onto
// `src`; one mover takes them with BLMOVE src dst (blocking while src is
// empty, so that most moves are serves of a blocked client), another with
// RPOPLPUSH / LMOVE src dst2, a third with BLMOVE dst dst3 (mostly a chained
// serve: the push that serves the first mover serves it in turn), and a
// popper BLPOPs dst3 and dst2. The server is killed at a random moment,
// restarted, and what it recovered is checked against what the clients were
// told.
//
// The invariant, per item (every item is pushed once, ever):
//  - it is in at most one place, at most once (no duplicates anywhere);
//  - acknowledged as popped: it is nowhere, now and later;
//  - acknowledged as moved to dst, dst2 or dst3: it is there, or moved on
//    (dst -> dst3) by the move in flight, or taken by the one pop that was
//    in flight at the crash; never back in an earlier list;
//  - acknowledged as pushed and not moved: in src, or moved by the one move
//    in flight of each mover, or popped by the pop in flight;
//  - not acknowledged: it was in flight at the crash, or it is nowhere;
//  - per producer, each list holds its items newest first (LPUSH onto src,
//    RIGHT to LEFT moves), so the log replays the moves in order.
// After the check the recovered state is the truth for the next round.
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

constexpr int kProducers = 3;

// Where an acknowledged item is. The rank only grows: a mover's reply may
// be read after the popper's reply for the same item (or a producer's after
// the mover's), and must not move it back.
enum class Place { kSrc = 0, kDst = 1, kDst2 = 2, kDst3 = 3, kGone = 4 };
constexpr int kPlaces = 5;
int Rank(Place p) {
  switch (p) {
    case Place::kSrc:
      return 0;
    case Place::kDst:
    case Place::kDst2:
      return 1;
    case Place::kDst3:
      return 2;
    case Place::kGone:
      return 3;
  }
  return 0;
}
// The list an item reaches moving on from `from`, or is in already.
bool Reachable(Place from, Place to) {
  if (from == to) return true;
  if (from == Place::kSrc) return to != Place::kGone;
  return from == Place::kDst && to == Place::kDst3;
}
// The list each mover takes from.
Place SourceOf(Place to) { return to == Place::kDst3 ? Place::kDst : Place::kSrc; }
const char* Name(Place p) {
  switch (p) {
    case Place::kSrc:
      return "src";
    case Place::kDst:
      return "dst";
    case Place::kDst2:
      return "dst2";
    case Place::kDst3:
      return "dst3";
    case Place::kGone:
      return "gone";
  }
  return "?";
}

struct Ledger {
  std::mutex mu;
  std::map<std::string, Place> acked;  // item -> where the clients were told it is
  std::set<std::string> sent;          // every item ever sent
  std::set<std::string> pushing;       // pushes sent, not acknowledged
  bool move_in_flight[kPlaces] = {};   // index: the mover's destination
  bool pop_in_flight = false;
  int64_t moves = 0;  // acknowledged, in all
  int64_t pops = 0;
  int64_t left_in_src = 0;  // at the crashes, in all

  void Advance(const std::string& item, Place to) {
    auto [it, inserted] = acked.emplace(item, to);
    if (!inserted && Rank(to) > Rank(it->second)) it->second = to;
  }
};

// "p<producer>:<seq>" -> seq.
int64_t SeqOf(const std::string& item) { return std::stoll(item.substr(item.find(':') + 1)); }
int ProducerOf(const std::string& item) { return std::stoi(item.substr(1, item.find(':') - 1)); }

void Producer(int port, int id, std::atomic<int64_t>* next, Ledger* ledger, std::mt19937 rng) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  while (true) {
    std::vector<std::string> cmd = {"LPUSH", "src"};
    const int count = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < count; ++i) {
      cmd.push_back("p" + std::to_string(id) + ":" + std::to_string((*next)++));
    }
    {
      std::lock_guard lock(ledger->mu);
      for (size_t i = 2; i < cmd.size(); ++i) {
        ledger->sent.insert(cmd[i]);
        ledger->pushing.insert(cmd[i]);
      }
    }
    Reply r = Cmd(c.get(), cmd);
    if (!r || r->type != REDIS_REPLY_INTEGER) return;
    {
      std::lock_guard lock(ledger->mu);
      for (size_t i = 2; i < cmd.size(); ++i) {
        ledger->pushing.erase(cmd[i]);
        ledger->Advance(cmd[i], Place::kSrc);
      }
    }
    // Slower than the movers: src is mostly empty, so that BLMOVE mostly
    // blocks and is served by a push.
    std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 1500));
  }
}

// Moves SourceOf(to) -> `to`; the reply is the item or a null bulk.
void Mover(int port, Place to, Ledger* ledger, std::mt19937 rng) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  const std::string dst = Name(to);
  while (true) {
    std::vector<std::string> cmd;
    if (to != Place::kDst2) {
      cmd = {"BLMOVE", Name(SourceOf(to)), dst, "RIGHT", "LEFT", "0.2"};
    } else if (rng() % 2 == 0) {
      cmd = {"RPOPLPUSH", "src", dst};
    } else {
      cmd = {"LMOVE", "src", dst, "RIGHT", "LEFT"};
    }
    {
      std::lock_guard lock(ledger->mu);
      ledger->move_in_flight[static_cast<int>(to)] = true;
    }
    Reply r = Cmd(c.get(), cmd);
    if (!r) return;
    if (r->type == REDIS_REPLY_NIL) {
      std::lock_guard lock(ledger->mu);
      ledger->move_in_flight[static_cast<int>(to)] = false;
      if (to == Place::kDst2) {
        // The non-blocking mover would spin on an empty src.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      continue;
    }
    if (r->type != REDIS_REPLY_STRING) return;
    std::lock_guard lock(ledger->mu);
    ledger->move_in_flight[static_cast<int>(to)] = false;
    ledger->Advance(std::string(r->str, r->len), to);
    ++ledger->moves;
  }
}

void Popper(int port, Ledger* ledger) {
  Conn c = Connect(port, 3000);
  if (!c || c->err) return;
  while (true) {
    // Slower than the movers, so that dst2 and dst3 hold items at the crash.
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    {
      std::lock_guard lock(ledger->mu);
      ledger->pop_in_flight = true;
    }
    Reply r = Cmd(c.get(), {"BLPOP", "dst3", "dst2", "0.2"});
    if (!r) return;
    std::lock_guard lock(ledger->mu);
    if (r->type == REDIS_REPLY_NIL) {
      ledger->pop_in_flight = false;
      continue;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) return;
    ledger->pop_in_flight = false;
    ledger->Advance(std::string(r->element[1]->str, r->element[1]->len), Place::kGone);
    ++ledger->pops;
  }
}

std::vector<std::string> Range(redisContext* c, const std::string& key) {
  Reply r = Cmd(c, {"LRANGE", key, "0", "-1"});
  std::vector<std::string> out;
  EXPECT_TRUE(r && r->type == REDIS_REPLY_ARRAY) << "LRANGE " << key;
  if (!r || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str, r->element[i]->len);
  return out;
}

void Verify(int port, Ledger* ledger, const std::string& where) {
  Conn c = Connect(port, 30000);
  ASSERT_TRUE(c && !c->err) << where;
  std::lock_guard lock(ledger->mu);
  std::map<std::string, Place> found;
  for (Place list : {Place::kSrc, Place::kDst, Place::kDst2, Place::kDst3}) {
    const std::vector<std::string> items = Range(c.get(), Name(list));
    std::map<int, int64_t> last_seq;  // producer -> seq of its item seen last (to the left)
    for (const std::string& item : items) {
      ASSERT_EQ(ledger->sent.count(item), 1u) << where << ": " << item << " was never pushed";
      auto [it, inserted] = found.emplace(item, list);
      EXPECT_TRUE(inserted) << where << ": " << item << " is in " << Name(it->second) << " and in "
                            << Name(list);
      const int p = ProducerOf(item);
      auto last = last_seq.find(p);
      if (last != last_seq.end()) {
        EXPECT_LT(SeqOf(item), last->second)
            << where << ": in " << Name(list) << ", " << item << " is right of a newer item";
      }
      last_seq[p] = SeqOf(item);
    }
  }
  size_t lost = 0;
  size_t unacked_moves[kPlaces] = {};  // by destination
  for (const auto& [item, told] : ledger->acked) {
    auto f = found.find(item);
    if (told == Place::kGone) {
      EXPECT_TRUE(f == found.end())
          << where << ": " << item << " was popped and is back in " << Name(f->second);
      continue;
    }
    if (f == found.end()) {
      ++lost;
      continue;
    }
    if (f->second == told) continue;
    if (Reachable(told, f->second)) {
      ++unacked_moves[static_cast<int>(f->second)];
    } else {
      ADD_FAILURE() << where << ": " << item << " was acknowledged in " << Name(told)
                    << " and is in " << Name(f->second);
    }
  }
  // Items whose push was in flight: in src, or moved on by an unacknowledged
  // move, or nowhere.
  for (const auto& [item, place] : found) {
    if (ledger->acked.count(item) != 0) continue;
    EXPECT_EQ(ledger->pushing.count(item), 1u) << where << ": " << item << " in " << Name(place)
                                               << " was not in flight and never acknowledged";
    if (place != Place::kSrc) ++unacked_moves[static_cast<int>(place)];
  }
  // The one pop in flight may have taken one acknowledged item.
  EXPECT_LE(lost, ledger->pop_in_flight ? 1u : 0u) << where << ": acknowledged items lost";
  for (Place to : {Place::kDst, Place::kDst2, Place::kDst3}) {
    const size_t allowed = ledger->move_in_flight[static_cast<int>(to)] ? 1 : 0;
    EXPECT_LE(unacked_moves[static_cast<int>(to)], allowed)
        << where << ": items moved to " << Name(to) << " without an acknowledged move";
  }
  for (const auto& [item, place] : found) ledger->left_in_src += place == Place::kSrc ? 1 : 0;
  // The server's state is the truth from now on; what is nowhere stays so.
  for (const std::string& item : ledger->sent) {
    auto f = found.find(item);
    ledger->acked[item] = f == found.end() ? Place::kGone : f->second;
  }
  ledger->pushing.clear();
  for (bool& m : ledger->move_in_flight) m = false;
  ledger->pop_in_flight = false;
}

void CrashLoop(const std::string& fsync_policy, int rounds, uint32_t seed) {
  TempDir dir;
  Ledger ledger;
  std::vector<std::atomic<int64_t>> next(kProducers);
  std::mt19937 rng(seed);
  const std::vector<std::string> args = {"--appendonly", "yes",   "--appendfsync", fsync_policy,
                                         "--save",       "0 300", "--io-threads",  "2"};
  for (int round = 0; round < rounds; ++round) {
    ServerProcess server(args, dir.path());
    if (round > 0) Verify(server.port(), &ledger, "round " + std::to_string(round));
    if (::testing::Test::HasFatalFailure()) return;
    std::vector<std::thread> threads;
    // The movers first: BLMOVE blocks on the empty src until a push.
    for (Place to : {Place::kDst3, Place::kDst, Place::kDst2}) {
      threads.emplace_back(Mover, server.port(), to, &ledger, std::mt19937(rng()));
    }
    threads.emplace_back(Popper, server.port(), &ledger);
    for (int p = 0; p < kProducers; ++p) {
      threads.emplace_back(Producer, server.port(), p, &next[p], &ledger, std::mt19937(rng()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 600));
    server.Stop(SIGKILL);
    for (auto& t : threads) t.join();
  }
  ServerProcess server(args, dir.path());
  Verify(server.port(), &ledger, "final");
  EXPECT_GT(ledger.moves, 100);
  EXPECT_GT(ledger.pops, 20);
  std::printf(
      "[ %s ] %d crashes, %zu items pushed, %lld moves and %lld pops acknowledged, %lld items "
      "left in src at the crashes\n",
      fsync_policy.c_str(), rounds, ledger.sent.size(), static_cast<long long>(ledger.moves),
      static_cast<long long>(ledger.pops), static_cast<long long>(ledger.left_in_src));
}

TEST(BlockingCrashE2E, SigkillKeepsEveryAcknowledgedMoveAppendfsyncAlways) {
  CrashLoop("always", 5, 31);
}

TEST(BlockingCrashE2E, SigkillKeepsEveryAcknowledgedMoveAppendfsyncEverysec) {
  CrashLoop("everysec", 5, 32);
}

}  // namespace
}  // namespace stashd::test
