// Consumer-group load over one stream: the stream is filled with ENTRIES
// entries, then CONSUMERS threads (one connection each) read it with
//   XREADGROUP GROUP bench c<i> COUNT <batch> STREAMS bench:stream >
// and acknowledge every batch with one XACK, until the group has nothing new.
// At the end every entry must have been delivered to exactly one consumer and
// acknowledged (XPENDING's count is 0). Used by bench/streams.sh; built there
// with
//   c++ -O2 -std=c++20 -pthread bench/stream_group_load.cc -lhiredis
//
//   stream_group_load PORT CONSUMERS ENTRIES [PAYLOAD_BYTES] [BATCH]
//
// Each entry has the fields "seq" (its number) and "payload" (PAYLOAD_BYTES,
// default 100, derived from the number so a consumer can tell a damaged
// entry). The clock runs from the consumers' start to the last XACK.
//
// Prints one line of key=value pairs (entries_per_s counts delivered and
// acknowledged entries) and, if an entry was lost, duplicated, damaged or
// left pending, a line starting with "FAILED"; exits 1 then.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "load_common.h"

namespace {

using bench::Append;
using bench::Clock;
using bench::Connect;
using bench::Get;
using bench::NowNs;
using bench::Run;
constexpr char kStream[] = "bench:stream";
constexpr char kGroup[] = "bench";
constexpr uint64_t kLoadBatch = 1000;

std::string Payload(uint64_t seq, size_t size) {
  std::string p;
  p.reserve(size);
  for (size_t i = 0; i < size; ++i) p.push_back(static_cast<char>('a' + (seq * 31 + i) % 26));
  return p;
}

struct ConsumerResult {
  std::vector<uint64_t> seqs;
  uint64_t damaged = 0;
  uint64_t reads = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PORT CONSUMERS ENTRIES [PAYLOAD_BYTES] [BATCH]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int consumers = std::atoi(argv[2]);
  const uint64_t entries = std::strtoull(argv[3], nullptr, 10);
  const size_t size = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 100;
  const std::string batch = argc > 5 ? argv[5] : "10";

  redisContext* admin = Connect(port);
  freeReplyObject(Run(admin, {"DEL", kStream}));
  freeReplyObject(Run(admin, {"XGROUP", "CREATE", kStream, kGroup, "$", "MKSTREAM"}));
  for (uint64_t s = 0; s < entries; s += kLoadBatch) {
    uint64_t end = std::min(entries, s + kLoadBatch);
    for (uint64_t i = s; i < end; ++i) {
      Append(admin, {"XADD", kStream, "*", "seq", std::to_string(i), "payload", Payload(i, size)});
    }
    for (uint64_t i = s; i < end; ++i) freeReplyObject(Get(admin, "XADD"));
  }

  std::atomic<int64_t> last_ns{0};
  std::vector<ConsumerResult> results(consumers);
  std::vector<std::thread> threads;
  const int64_t start_ns = NowNs();
  for (int i = 0; i < consumers; ++i) {
    threads.emplace_back([&, i] {
      redisContext* c = Connect(port);
      ConsumerResult& out = results[i];
      const std::string name = "c" + std::to_string(i);
      for (;;) {
        redisReply* r =
            Run(c, {"XREADGROUP", "GROUP", kGroup, name, "COUNT", batch, "STREAMS", kStream, ">"});
        ++out.reads;
        // [[stream, [[id, [f, v, ...]], ...]]], or nil / empty when none is new.
        const redisReply* list = nullptr;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
          const redisReply* s = r->element[0];
          if (s->type == REDIS_REPLY_ARRAY && s->elements == 2) list = s->element[1];
        }
        if (list == nullptr || list->elements == 0) {
          freeReplyObject(r);
          break;
        }
        std::vector<std::string> ack = {"XACK", kStream, kGroup};
        for (size_t e = 0; e < list->elements; ++e) {
          const redisReply* entry = list->element[e];
          const redisReply* id = entry->element[0];
          const redisReply* fields = entry->element[1];
          ack.emplace_back(id->str, id->len);
          if (fields->elements != 4 || std::string_view(fields->element[0]->str) != "seq") {
            ++out.damaged;
            continue;
          }
          uint64_t seq = std::strtoull(fields->element[1]->str, nullptr, 10);
          const redisReply* p = fields->element[3];
          if (std::string_view(p->str, p->len) != Payload(seq, size)) {
            ++out.damaged;
            continue;
          }
          out.seqs.push_back(seq);
        }
        freeReplyObject(r);
        redisReply* a = Run(c, ack);
        if (a->type != REDIS_REPLY_INTEGER || static_cast<size_t>(a->integer) != ack.size() - 3) {
          ++out.damaged;
        }
        freeReplyObject(a);
        last_ns = NowNs();
      }
      redisFree(c);
    });
  }
  for (auto& t : threads) t.join();
  const int64_t end_ns = last_ns.load() ? last_ns.load() : NowNs();

  redisReply* pending = Run(admin, {"XPENDING", kStream, kGroup});
  long long left_pending = pending->type == REDIS_REPLY_ARRAY && pending->elements > 0
                               ? pending->element[0]->integer
                               : -1;
  freeReplyObject(pending);
  redisFree(admin);

  std::vector<uint64_t> seqs;
  uint64_t damaged = 0, reads = 0;
  std::string per_consumer;
  for (auto& r : results) {
    seqs.insert(seqs.end(), r.seqs.begin(), r.seqs.end());
    damaged += r.damaged;
    reads += r.reads;
    per_consumer += (per_consumer.empty() ? "" : ",") + std::to_string(r.seqs.size());
  }
  std::sort(seqs.begin(), seqs.end());
  uint64_t duplicates = 0, unknown = 0, expected = 0;
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (i > 0 && seqs[i] == seqs[i - 1]) {
      ++duplicates;
    } else if (seqs[i] < entries) {
      ++expected;
    } else {
      ++unknown;
    }
  }
  const uint64_t missing = entries - expected;
  const double secs = (end_ns - start_ns) / 1e9;
  std::printf("consumers=%d entries=%" PRIu64
              " payload=%zu batch=%s seconds=%.3f "
              "entries_per_s=%.0f xreadgroup_calls=%" PRIu64
              " per_consumer=%s delivered=%zu "
              "unique=%" PRIu64 " missing=%" PRIu64 " duplicates=%" PRIu64 " damaged=%" PRIu64
              " unknown=%" PRIu64 " pending=%lld\n",
              consumers, entries, size, batch.c_str(), secs, expected / secs, reads,
              per_consumer.c_str(), seqs.size(), expected, missing, duplicates, damaged, unknown,
              left_pending);
  if (missing || duplicates || damaged || unknown || left_pending != 0) {
    std::printf("FAILED: exactly-once delivery violated: %" PRIu64 " missing, %" PRIu64
                " duplicated, %" PRIu64 " damaged, %" PRIu64 " unknown, %lld pending\n",
                missing, duplicates, damaged, unknown, left_pending);
    return 1;
  }
  std::printf("exactly once: OK (%" PRIu64 " entries, each delivered and acknowledged once)\n",
              entries);
  return 0;
}
