// Pub/Sub load for bench/pubsub.sh (issue 12). Built there with
//   c++ -O2 -std=c++20 -pthread bench/pubsub_load.cc -lhiredis
//
//   pubsub_load fanout PORT SUBSCRIBERS MESSAGES [PAYLOAD_BYTES]
//     SUBSCRIBERS connections (one thread each) subscribe to one channel; one
//     publisher PUBLISHes MESSAGES messages to it, pipelined 32 at a time. The
//     clock runs from the first PUBLISH until every subscriber has every
//     message. Prints deliveries per second (SUBSCRIBERS * MESSAGES / time).
//
//   pubsub_load latency PORT CHANNELS PATTERNS MESSAGES
//     One connection subscribes to CHANNELS channels ("chan:<i>"), another to
//     PATTERNS patterns ("news.<i>.*", which match none of them); one
//     publisher sends MESSAGES PUBLISHes to random channels, one at a time,
//     and times each round trip. Prints the mean, p50 and p99 in microseconds.
//
// Every message carries its sequence number; a subscriber that gets one out
// of order, twice, or not at all makes the program print a line starting with
// "FAILED" and exit 1.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "load_common.h"

namespace {

using bench::Append;
using bench::Clock;
using bench::Connect;
using bench::Get;
using bench::Seconds;

// Waits for `count` subscribe confirmations on `c`.
void AwaitConfirmations(redisContext* c, size_t count) {
  for (size_t i = 0; i < count; ++i) freeReplyObject(Get(c));
}

int Fanout(int port, int subscribers, int64_t messages, size_t payload) {
  std::atomic<int> ready{0};
  std::atomic<int> failed{0};
  std::vector<Clock::time_point> done(static_cast<size_t>(subscribers));
  std::vector<std::thread> threads;
  for (int s = 0; s < subscribers; ++s) {
    threads.emplace_back([&, s] {
      redisContext* c = Connect(port);
      Append(c, {"subscribe", "bench:fanout"});
      AwaitConfirmations(c, 1);
      ready.fetch_add(1);
      for (int64_t expect = 0; expect < messages; ++expect) {
        redisReply* r = Get(c);
        // ["message", channel, payload]: the payload starts with the sequence number.
        const int64_t seq = std::strtoll(r->element[2]->str, nullptr, 10);
        if (seq != expect) {
          std::printf("FAILED subscriber %d got message %lld, expected %lld\n", s,
                      static_cast<long long>(seq), static_cast<long long>(expect));
          failed.store(1);
          freeReplyObject(r);
          break;
        }
        freeReplyObject(r);
      }
      done[static_cast<size_t>(s)] = Clock::now();
      redisFree(c);
    });
  }
  while (ready.load() < subscribers) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  redisContext* pub = Connect(port);
  std::string body(payload, 'x');
  const auto start = Clock::now();
  constexpr int64_t kBatch = 32;
  for (int64_t i = 0; i < messages; i += kBatch) {
    const int64_t n = std::min(kBatch, messages - i);
    for (int64_t j = 0; j < n; ++j) {
      std::string m = std::to_string(i + j) + " ";
      m += body.substr(0, payload > m.size() ? payload - m.size() : 0);
      Append(pub, {"publish", "bench:fanout", m});
    }
    for (int64_t j = 0; j < n; ++j) {
      redisReply* r = Get(pub);
      if (r->integer != subscribers) {
        std::printf("FAILED PUBLISH reached %lld subscribers, expected %d\n", r->integer,
                    subscribers);
        std::exit(1);
      }
      freeReplyObject(r);
    }
  }
  for (auto& t : threads) t.join();
  redisFree(pub);
  if (failed.load()) return 1;
  const auto end = *std::max_element(done.begin(), done.end());
  const double secs = Seconds(start, end);
  std::printf("subscribers=%d messages=%lld seconds=%.3f deliveries_per_s=%.0f\n", subscribers,
              static_cast<long long>(messages), secs,
              static_cast<double>(subscribers) * static_cast<double>(messages) / secs);
  return 0;
}

int Latency(int port, int channels, int patterns, int64_t messages) {
  redisContext* sub = Connect(port);
  redisContext* psub = Connect(port);
  constexpr int kSubBatch = 1000;
  for (int i = 0; i < channels; i += kSubBatch) {
    std::vector<std::string> args{"subscribe"};
    for (int j = i; j < std::min(channels, i + kSubBatch); ++j) {
      args.push_back("chan:" + std::to_string(j));
    }
    Append(sub, args);
    AwaitConfirmations(sub, args.size() - 1);
  }
  std::vector<std::string> pargs{"psubscribe"};
  for (int i = 0; i < patterns; ++i) pargs.push_back("news." + std::to_string(i) + ".*");
  Append(psub, pargs);
  AwaitConfirmations(psub, pargs.size() - 1);

  // The subscriber drains its messages on a thread of its own and checks them.
  std::atomic<int> failed{0};
  std::thread reader([&] {
    for (int64_t expect = 0; expect < messages; ++expect) {
      redisReply* r = Get(sub);
      const int64_t seq = std::strtoll(r->element[2]->str, nullptr, 10);
      if (seq != expect) {
        std::printf("FAILED got message %lld, expected %lld\n", static_cast<long long>(seq),
                    static_cast<long long>(expect));
        failed.store(1);
        freeReplyObject(r);
        return;
      }
      freeReplyObject(r);
    }
  });
  redisContext* pub = Connect(port);
  std::mt19937_64 rng(42);
  std::vector<double> us;
  us.reserve(static_cast<size_t>(messages));
  for (int64_t i = 0; i < messages; ++i) {
    const std::string channel = "chan:" + std::to_string(rng() % static_cast<uint64_t>(channels));
    const auto t0 = Clock::now();
    Append(pub, {"publish", channel, std::to_string(i)});
    redisReply* r = Get(pub);
    const auto t1 = Clock::now();
    if (r->integer != 1) {
      std::printf("FAILED PUBLISH reached %lld subscribers, expected 1\n", r->integer);
      std::exit(1);
    }
    freeReplyObject(r);
    us.push_back(Seconds(t0, t1) * 1e6);
  }
  reader.join();
  if (failed.load()) return 1;
  double sum = 0;
  for (double v : us) sum += v;
  std::sort(us.begin(), us.end());
  std::printf("channels=%d patterns=%d messages=%lld mean_us=%.1f p50_us=%.1f p99_us=%.1f\n",
              channels, patterns, static_cast<long long>(messages),
              sum / static_cast<double>(us.size()), us[us.size() / 2], us[us.size() * 99 / 100]);
  redisFree(pub);
  redisFree(sub);
  redisFree(psub);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::strcmp(argv[1], "fanout") == 0) {
    const size_t payload = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 100;
    return Fanout(std::atoi(argv[2]), std::atoi(argv[3]), std::atoll(argv[4]), payload);
  }
  if (argc == 6 && std::strcmp(argv[1], "latency") == 0) {
    return Latency(std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]), std::atoll(argv[5]));
  }
  std::fprintf(stderr,
               "usage: pubsub_load fanout PORT SUBSCRIBERS MESSAGES [PAYLOAD_BYTES]\n"
               "       pubsub_load latency PORT CHANNELS PATTERNS MESSAGES\n");
  return 2;
}
