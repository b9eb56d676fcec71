#include "server/exec/blocking.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "protocol/errors.h"
#include "server/exec/dispatcher.h"
#include "server/server_state.h"
#include "store/string_ops.h"

namespace stashd::server {

void BlockedClient::Touched(int db, std::string_view key) { ReadyKeys::ThisThread().Add(db, key); }

ReadyKeys& ReadyKeys::ThisThread() {
  thread_local ReadyKeys ready;
  return ready;
}

void ReadyKeys::Add(int db, std::string_view key) {
  if (!collecting_) return;
  for (size_t i = serving_; i < keys_.size(); ++i) {
    if (keys_[i].first == db && keys_[i].second == key) return;
  }
  keys_.emplace_back(db, std::string(key));
}

bool ReadyKeys::Next(size_t i, std::pair<int, std::string>* out) {
  if (i >= keys_.size()) {
    keys_.clear();
    serving_ = 0;
    return false;
  }
  serving_ = i;
  *out = keys_[i];
  return true;
}

bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, bool in_ms,
                       int64_t* deadline_ms) {
  int64_t ms;
  if (in_ms) {
    std::optional<int64_t> v = store::ParseInt64(arg);
    if (!v) {
      ctx.reply.Error(errors::kTimeoutNotInteger);
      return false;
    }
    ms = *v;
  } else {
    std::optional<long double> v = store::ParseLongDouble(arg);
    if (!v) {
      ctx.reply.Error(errors::kTimeoutNotFloat);
      return false;
    }
    // Redis 7.0 rounds up, then casts: a value beyond the range of a long
    // long (inf included) becomes LLONG_MIN there, "negative".
    const long double scaled = std::ceil(*v * 1000.0L);
    ms = scaled >= static_cast<long double>(std::numeric_limits<int64_t>::max()) ||
                 scaled < static_cast<long double>(std::numeric_limits<int64_t>::min())
             ? std::numeric_limits<int64_t>::min()
             : static_cast<int64_t>(scaled);
  }
  if (ms < 0) {
    ctx.reply.Error(errors::kTimeoutNegative);
    return false;
  }
  if (ms == 0) {
    *deadline_ms = 0;
    return true;
  }
  // A deadline past the clock's range never comes: it waits forever.
  const int64_t now = ctx.server.clock().NowMs();
  *deadline_ms = ms > std::numeric_limits<int64_t>::max() - now ? 0 : now + ms;
  return true;
}

void BlockOrTimeout(CommandContext& ctx, std::vector<std::string> keys, int64_t deadline_ms,
                    store::ValueType type, TimeoutReply timeout_reply,
                    std::optional<TimeoutReply> in_multi, std::optional<Args> rerun_args) {
  if (ctx.serving_key != nullptr) return;  // still nothing for it: it waits on
  if (Dispatcher::InExec()) {
    switch (in_multi.value_or(timeout_reply)) {
      case TimeoutReply::kNullArray:
        return ctx.reply.NullArray();
      case TimeoutReply::kNull:
        return ctx.reply.Null();
      case TimeoutReply::kZero:
        return ctx.reply.Integer(0);
    }
  }
  ctx.block =
      BlockRequest{std::move(keys), deadline_ms, type, timeout_reply, std::move(rerun_args)};
}

bool EndBlock(ServerState& server, BlockedClient& w, BlockedClient::State why) {
  store::Keyspace& keyspace = server.keyspace();
  auto locks = keyspace.Lock(w.lock_mask);
  auto waiting = BlockedClient::State::kWaiting;
  if (!w.state.compare_exchange_strong(waiting, why)) return false;
  for (const std::string& key : w.keys) keyspace.Unwatch(w.db, key, &w);
  locks.Release();
  server.stats().blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  if (why == BlockedClient::State::kClosed) return true;
  // As Redis's updateStatsOnUnblock: the call counts once it ends.
  server.command_stats(w.spec).calls.fetch_add(1, std::memory_order_relaxed);
  if (why == BlockedClient::State::kUnblocked) {
    w.reply.Error(errors::kUnblocked);
    server.command_stats(w.spec).failed_calls.fetch_add(1, std::memory_order_relaxed);
    server.stats().CountErrorReply(errors::kUnblocked);
    return true;
  }
  switch (w.timeout_reply) {
    case TimeoutReply::kNullArray:
      w.reply.NullArray();
      break;
    case TimeoutReply::kNull:
      w.reply.Null();
      break;
    case TimeoutReply::kZero:
      w.reply.Integer(0);
      break;
  }
  return true;
}

}  // namespace stashd::server
