// hiredis helpers for the end-to-end tests: owning handles, a connect with
// timeouts, and a binary-safe command from a vector of arguments.
#pragma once

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <memory>
#include <string>
#include <vector>

namespace stashd::test {

struct RedisDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Conn = std::unique_ptr<redisContext, RedisDeleter>;
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// Connects to 127.0.0.1:port; connect and command timeouts of `timeout_ms`.
inline Conn Connect(int port, int timeout_ms = 5000) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  Conn c(redisConnectWithTimeout("127.0.0.1", port, tv));
  if (c && !c->err) redisSetTimeout(c.get(), tv);
  return c;
}

inline Reply Cmd(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data())));
}

}  // namespace stashd::test
