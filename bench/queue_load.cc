// Producer/consumer load over one Redis list: producers LPUSH messages,
// consumers BRPOP them, and at the end every message must have been
// delivered exactly once. Used by bench/queue.sh; built there with
//   c++ -O2 -std=c++20 -pthread bench/queue_load.cc -lhiredis
//
//   queue_load PORT PRODUCERS CONSUMERS MESSAGES [PAYLOAD_BYTES]
//
// Each message is "<id> <send time ns> <filler>", PAYLOAD_BYTES long (default
// 100), where the id is unique (producer * 2^32 + sequence number) and the
// filler is derived from the id, so a consumer can tell a damaged message.
// Consumers connect and block first; the clock starts when the first
// producer starts and stops when the last message is received. Consumers
// BRPOP with a 1 s timeout and keep waiting until every message arrived or
// nothing arrived for STALL_S (10) seconds after the producers finished;
// then the main thread pushes one stop message per consumer.
//
// Prints one line of key=value pairs and, if a message was lost, duplicated
// or damaged, a line starting with "FAILED"; exits 1 then.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "load_common.h"

namespace {

using bench::Clock;
using bench::Connect;
using bench::NowNs;
using bench::Run;
constexpr char kQueue[] = "bench:queue";
constexpr char kStop[] = "stop";
constexpr int kStallSeconds = 10;

// The filler byte at position i of message `id`: checked by the consumer.
char Filler(uint64_t id, size_t i) { return static_cast<char>('a' + (id * 31 + i) % 26); }

std::string MakeMessage(uint64_t id, size_t size) {
  char head[64];
  int n = std::snprintf(head, sizeof head, "%" PRIu64 " %" PRId64 " ", id, NowNs());
  std::string m(head, n);
  for (size_t i = m.size(); i < size; ++i) m.push_back(Filler(id, i));
  return m;
}

// Parses a message; false if it is damaged.
bool ParseMessage(const char* s, size_t len, size_t size, uint64_t* id, int64_t* sent_ns) {
  std::string m(s, len);
  if (std::sscanf(m.c_str(), "%" SCNu64 " %" SCNd64, id, sent_ns) != 2) return false;
  size_t first = m.find(' ');
  size_t second = first == std::string::npos ? first : m.find(' ', first + 1);
  if (second == std::string::npos) return false;
  size_t filler = second + 1;
  if (len != std::max(size, filler)) return false;
  for (size_t i = filler; i < len; ++i) {
    if (m[i] != Filler(*id, i)) return false;
  }
  return true;
}

struct ConsumerResult {
  std::vector<uint64_t> ids;
  std::vector<uint32_t> latency_us;
  uint64_t damaged = 0;
  uint64_t timeouts = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s PORT PRODUCERS CONSUMERS MESSAGES [PAYLOAD_BYTES]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int producers = std::atoi(argv[2]);
  const int consumers = std::atoi(argv[3]);
  const uint64_t messages = std::strtoull(argv[4], nullptr, 10);
  const size_t size = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 100;

  redisContext* admin = Connect(port);
  freeReplyObject(Run(admin, {"DEL", kQueue}));

  std::atomic<uint64_t> received{0};
  std::atomic<int64_t> last_ns{0};
  std::vector<ConsumerResult> results(consumers);
  std::vector<std::thread> threads;
  for (int i = 0; i < consumers; ++i) {
    threads.emplace_back([&, i] {
      redisContext* c = Connect(port);
      ConsumerResult& out = results[i];
      out.ids.reserve(messages / consumers * 2);
      for (;;) {
        redisReply* r = Run(c, {"BRPOP", kQueue, "1"});
        if (r->type == REDIS_REPLY_NIL) {
          ++out.timeouts;
        } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
          const redisReply* v = r->element[1];
          if (std::string_view(v->str, v->len) == kStop) {
            freeReplyObject(r);
            break;
          }
          int64_t now = NowNs();
          uint64_t id;
          int64_t sent;
          if (ParseMessage(v->str, v->len, size, &id, &sent)) {
            out.ids.push_back(id);
            out.latency_us.push_back(static_cast<uint32_t>((now - sent) / 1000));
          } else {
            ++out.damaged;
          }
          if (received.fetch_add(1) + 1 == messages) last_ns = now;
        } else {
          std::fprintf(stderr, "BRPOP: unexpected reply type %d\n", r->type);
          std::exit(2);
        }
        freeReplyObject(r);
      }
      redisFree(c);
    });
  }

  // Start producing once every consumer is blocked (or after 5 s: a server
  // without the blocked_clients field).
  for (int i = 0; i < 500; ++i) {
    redisReply* r = Run(admin, {"INFO", "clients"});
    const char* f = std::strstr(r->str, "blocked_clients:");
    bool all = f != nullptr && std::atoi(f + std::strlen("blocked_clients:")) >= consumers;
    freeReplyObject(r);
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  const int64_t start_ns = NowNs();
  std::vector<std::thread> producer_threads;
  for (int p = 0; p < producers; ++p) {
    producer_threads.emplace_back([&, p] {
      redisContext* c = Connect(port);
      uint64_t n = messages / producers + (static_cast<uint64_t>(p) < messages % producers);
      for (uint64_t s = 0; s < n; ++s) {
        uint64_t id = (static_cast<uint64_t>(p) << 32) | s;
        freeReplyObject(Run(c, {"LPUSH", kQueue, MakeMessage(id, size)}));
      }
      redisFree(c);
    });
  }
  for (auto& t : producer_threads) t.join();
  const int64_t produced_ns = NowNs();

  // Wait for the consumers to drain the queue, or for a stall.
  uint64_t seen = received.load();
  int64_t progress_ns = NowNs();
  while (received.load() < messages) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (received.load() != seen) {
      seen = received.load();
      progress_ns = NowNs();
    } else if (NowNs() - progress_ns > kStallSeconds * 1'000'000'000LL) {
      break;
    }
  }
  redisReply* left = Run(admin, {"LLEN", kQueue});
  long long left_in_queue = left->integer;
  freeReplyObject(left);
  for (int i = 0; i < consumers; ++i) freeReplyObject(Run(admin, {"LPUSH", kQueue, kStop}));
  for (auto& t : threads) t.join();
  redisFree(admin);

  // Exactly once: every id delivered, none twice, none damaged.
  std::vector<uint64_t> ids;
  std::vector<uint32_t> lat;
  uint64_t damaged = 0, timeouts = 0;
  for (auto& r : results) {
    ids.insert(ids.end(), r.ids.begin(), r.ids.end());
    lat.insert(lat.end(), r.latency_us.begin(), r.latency_us.end());
    damaged += r.damaged;
    timeouts += r.timeouts;
  }
  std::sort(ids.begin(), ids.end());
  uint64_t duplicates = 0, unknown = 0, expected = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0 && ids[i] == ids[i - 1]) {
      ++duplicates;
      continue;
    }
    uint64_t p = ids[i] >> 32, s = ids[i] & 0xffffffffu;
    uint64_t n = messages / producers + (p < messages % producers);
    if (p < static_cast<uint64_t>(producers) && s < n) {
      ++expected;
    } else {
      ++unknown;
    }
  }
  const uint64_t missing = messages - expected;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double q) -> uint32_t {
    return lat.empty() ? 0 : lat[std::min(lat.size() - 1, static_cast<size_t>(q * lat.size()))];
  };
  const int64_t end_ns = last_ns.load() ? last_ns.load() : NowNs();
  const double secs = (end_ns - start_ns) / 1e9;
  std::printf("producers=%d consumers=%d messages=%" PRIu64
              " payload=%zu seconds=%.3f msgs_per_s=%.0f "
              "produce_seconds=%.3f latency_us_p50=%u p99=%u max=%u brpop_timeouts=%" PRIu64
              " delivered=%zu unique=%" PRIu64 " missing=%" PRIu64 " duplicates=%" PRIu64
              " damaged=%" PRIu64 " unknown=%" PRIu64 " left_in_queue=%lld\n",
              producers, consumers, messages, size, secs, expected / secs,
              (produced_ns - start_ns) / 1e9, pct(0.5), pct(0.99), lat.empty() ? 0 : lat.back(),
              timeouts, ids.size(), expected, missing, duplicates, damaged, unknown, left_in_queue);
  if (missing || duplicates || damaged || unknown || left_in_queue) {
    std::printf("FAILED: exactly-once delivery violated: %" PRIu64 " missing, %" PRIu64
                " duplicated, %" PRIu64 " damaged, %" PRIu64 " unknown, %lld left in the queue\n",
                missing, duplicates, damaged, unknown, left_in_queue);
    return 1;
  }
  std::printf("exactly once: OK (%" PRIu64 " sent, %" PRIu64 " delivered once each)\n", messages,
              expected);
  return 0;
}
