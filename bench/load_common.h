// What the C++ load generators of bench/ share (queue_load.cc,
// pubsub_load.cc, stream_group_load.cc): a clock, a connection, and
// pipelined commands with replies that end the program on any error, so a
// benchmark never counts a failure as a result.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

inline double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Connects to 127.0.0.1:port; exits if it cannot.
inline redisContext* Connect(int port) {
  redisContext* c = redisConnect("127.0.0.1", port);
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "connect to port %d: %s\n", port, c ? c->errstr : "out of memory");
    std::exit(2);
  }
  return c;
}

// Queues a command (sent with the next Get).
inline void Append(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data());
}

// Reads one reply; exits on a connection error or an error reply.
inline redisReply* Get(redisContext* c, const char* what = "reply") {
  void* r = nullptr;
  if (redisGetReply(c, &r) != REDIS_OK || r == nullptr) {
    std::fprintf(stderr, "%s: %s\n", what, c->errstr);
    std::exit(2);
  }
  auto* reply = static_cast<redisReply*>(r);
  if (reply->type == REDIS_REPLY_ERROR) {
    std::fprintf(stderr, "%s: error reply %s\n", what, reply->str);
    std::exit(2);
  }
  return reply;
}

// Runs one command and returns its reply (free it with freeReplyObject).
inline redisReply* Run(redisContext* c, const std::vector<std::string>& args) {
  Append(c, args);
  return Get(c, args[0].c_str());
}

}  // namespace bench
