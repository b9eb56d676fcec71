#include "server/net/server.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/v6_only.hpp>
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_join.h"
#include "protocol/errors.h"
#include "server/acl/acl.h"
#include "server/net/connection.h"
#include "server/server_state.h"

namespace stashd::server {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
  n = IoThreadCount(n);
  std::vector<std::unique_ptr<asio::io_context>> v;
  for (int i = 0; i < n; ++i) v.push_back(std::make_unique<asio::io_context>());
  return v;
}

// After a failed accept(), the pause before the next one, and how often the
// failure is logged at most.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::chrono::seconds kAcceptErrorLogInterval{10};

// How many expired keys one cron step may delete before yielding.
constexpr size_t kExpireBudget = 200;

// protected-mode, as Redis: while the default user needs no password, only
// clients connecting from a loopback address are served.
bool ProtectedModeRefuses(ServerState& state, const tcp::socket& socket) {
  if (!state.config().protected_mode.load() || !state.acl().DefaultUserHasNoPassword()) {
    return false;
  }
  boost::system::error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return false;
  asio::ip::address addr = remote.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return !addr.is_loopback();
}

}  // namespace

Server::Server(ServerState& state)
    : state_(state),
      contexts_(MakeContexts(state.config().io_threads)),
      signals_(*contexts_[0]),
      cron_timer_(*contexts_[0]) {
  state_.config_table().AddApplyCheck("port", [this] { return ChangePort(); });
  state_.config_table().AddApplyCheck("bind", [this] { return ChangeBind(); });
}

Server::~Server() {
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

std::optional<std::string> Server::OpenListeners(int port, const std::vector<std::string>& bind,
                                                 Listeners* out, int* bound_port) {
  Listeners fresh;
  for (const std::string& raw : bind) {
    bool optional = !raw.empty() && raw[0] == '-';
    std::string addr = optional ? raw.substr(1) : raw;
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(addr, ec);
    if (ec) {
      CloseListeners(fresh);
      return "bind: invalid address '" + raw + "'";
    }
    tcp::endpoint ep(ip, static_cast<unsigned short>(port));
    auto listener = std::make_shared<Listener>(*contexts_[0]);
    tcp::acceptor& acceptor = listener->acceptor;
    acceptor.open(ep.protocol(), ec);
    if (!ec && ip.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(state_.config().tcp_backlog, ec);
    if (ec) {
      if (optional) {
        spdlog::warn("Could not listen on {}:{} ({}); skipped (optional address)", addr, port,
                     ec.message());
        continue;
      }
      CloseListeners(fresh);
      return "Could not create server TCP listening socket " + addr + ":" + std::to_string(port) +
             ": " + ec.message();
    }
    // With port 0 every further address reuses the first ephemeral port.
    port = acceptor.local_endpoint().port();
    fresh.push_back(std::move(listener));
  }
  if (fresh.empty()) return "no address to listen on (check 'bind')";
  *out = std::move(fresh);
  *bound_port = port;
  return std::nullopt;
}

void Server::CloseListeners(const Listeners& listeners) {
  for (const auto& l : listeners) {
    boost::system::error_code ec;
    l->acceptor.close(ec);
    l->retry_timer.cancel();
  }
}

void Server::InstallListenersLocked(Listeners fresh, int port, std::vector<std::string> bind) {
  listeners_ = std::move(fresh);
  bound_bind_ = std::move(bind);
  port_.store(port);
  state_.set_tcp_port(port);
  if (accepting_) {
    for (const auto& l : listeners_) AcceptLocked(l);
  }
}

std::optional<std::string> Server::Listen() {
  // Before the port accepts anyone: a SIGTERM sent as soon as clients can
  // connect must find the handler (asio queues it until Run() waits).
  std::signal(SIGPIPE, SIG_IGN);
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGHUP);
  std::vector<std::string> bind = state_.config_table().bind();
  Listeners fresh;
  int port = 0;
  if (auto err = OpenListeners(state_.config().port.load(), bind, &fresh, &port)) return err;
  reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::lock_guard lock(listeners_mu_);
  InstallListenersLocked(std::move(fresh), port, std::move(bind));
  return std::nullopt;
}

std::optional<std::string> Server::ChangePort() {
  const int port = state_.config().port.load();
  std::lock_guard lock(listeners_mu_);
  if (port == port_.load() && port != 0) return std::nullopt;  // already there
  Listeners fresh;
  int bound = 0;
  if (auto err = OpenListeners(port, bound_bind_, &fresh, &bound)) {
    spdlog::warn("CONFIG SET port {}: {}; still listening on port {}", port, *err, port_.load());
    return std::string(errors::kConfigPortListenFailed);
  }
  spdlog::info("Listening on port {} now (CONFIG SET port), port {} closed", bound, port_.load());
  CloseListeners(listeners_);
  InstallListenersLocked(std::move(fresh), bound, bound_bind_);
  return std::nullopt;
}

std::optional<std::string> Server::ChangeBind() {
  std::vector<std::string> bind = state_.config_table().bind();
  std::lock_guard lock(listeners_mu_);
  if (bind == bound_bind_) return std::nullopt;
  const int port = port_.load();
  // The new addresses may overlap the old ones (127.0.0.1 -> *), which
  // could not be bound while those listen: close first, as Redis does.
  CloseListeners(listeners_);
  listeners_.clear();
  Listeners fresh;
  int bound = 0;
  if (auto err = OpenListeners(port, bind, &fresh, &bound)) {
    spdlog::warn("CONFIG SET bind \"{}\": {}; listening on the previous addresses again",
                 absl::StrJoin(bind, " "), *err);
    if (auto again = OpenListeners(port, bound_bind_, &fresh, &bound)) {
      spdlog::error("Could not listen on the previous addresses again: {}", *again);
    } else {
      InstallListenersLocked(std::move(fresh), bound, bound_bind_);
    }
    return std::string(errors::kConfigBindFailed);
  }
  spdlog::info("Listening on {} now (CONFIG SET bind)", absl::StrJoin(bind, " "));
  InstallListenersLocked(std::move(fresh), bound, std::move(bind));
  return std::nullopt;
}

void Server::Accept(const std::shared_ptr<Listener>& l) {
  std::lock_guard lock(listeners_mu_);
  AcceptLocked(l);
}

void Server::AcceptLocked(const std::shared_ptr<Listener>& l) {
  if (!l->acceptor.is_open()) return;  // closed by CONFIG SET port / bind, or Stop()
  asio::io_context& target = *contexts_[next_context_];
  next_context_ = (next_context_ + 1) % contexts_.size();
  l->acceptor.async_accept(target, [this, l](const boost::system::error_code& ec,
                                             tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec && ec != asio::error::connection_aborted) {
      OnAcceptError(l, ec);
      return;
    }
    if (!ec) {
      std::optional<std::string_view> refusal;
      if (static_cast<int64_t>(state_.clients().size()) >= state_.config().maxclients.load()) {
        refusal = errors::kMaxClients;
      } else if (ProtectedModeRefuses(state_, socket)) {
        refusal = errors::kProtectedMode;
      }
      if (refusal) {
        state_.stats().rejected_connections.fetch_add(1, std::memory_order_relaxed);
        std::string msg = "-" + std::string(*refusal) + "\r\n";
        boost::system::error_code ignored;
        socket.write_some(asio::buffer(msg), ignored);
        socket.close(ignored);
      } else {
        std::make_shared<Connection>(std::move(socket), state_, workers_.get_executor())->Start();
      }
    }
    Accept(l);
  });
}

void Server::OnAcceptError(const std::shared_ptr<Listener>& l,
                           const boost::system::error_code& ec) {
  const bool out_of_fds =
      ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system;
  std::lock_guard lock(listeners_mu_);
  if (!l->acceptor.is_open()) return;
  if (out_of_fds) RefuseOneWithReserveFd(l->acceptor);
  const auto now = std::chrono::steady_clock::now();
  if (now - accept_error_logged_at_ >= kAcceptErrorLogInterval) {
    spdlog::warn(
        "Accepting client connection: {} ({} more failures since the last message); retrying "
        "every {} ms{}",
        ec.message(), accept_errors_unlogged_, kAcceptRetryDelay.count(),
        out_of_fds ? ", refusing waiting clients: raise the open files limit (ulimit -n, "
                     "LimitNOFILE=) or lower maxclients"
                   : "");
    accept_error_logged_at_ = now;
    accept_errors_unlogged_ = 0;
  } else {
    ++accept_errors_unlogged_;
  }
  l->retry_timer.expires_after(kAcceptRetryDelay);
  l->retry_timer.async_wait([this, l](const boost::system::error_code& wait_ec) {
    if (!wait_ec) Accept(l);
  });
}

void Server::RefuseOneWithReserveFd(tcp::acceptor& acceptor) {
  if (reserve_fd_ < 0) return;
  ::close(reserve_fd_);
  reserve_fd_ = -1;
  // Only if a client is waiting: accept() must not block this thread.
  pollfd pfd = {acceptor.native_handle(), POLLIN, 0};
  if (::poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
    int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      state_.stats().rejected_connections.fetch_add(1, std::memory_order_relaxed);
      const std::string msg = "-" + std::string(errors::kMaxClients) + "\r\n";
      [[maybe_unused]] ssize_t n = ::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL);
      ::close(fd);
    }
  }
  reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void Server::ScheduleCron() {
  int64_t hz = std::max<int64_t>(1, state_.config().hz.load());
  cron_timer_.expires_after(std::chrono::milliseconds(1000 / hz));
  cron_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    Cron();
    ScheduleCron();
  });
}

void Server::Cron() {
  state_.stats().SampleInstantaneous(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now().time_since_epoch())
                                         .count());
  // used_memory_peak (MEMORY STATS peak.allocated), as Redis's cron samples it.
  state_.memory().NotePeak(UsedMemory());
  // Active expiry: keep deleting while whole budgets are used up, for at most
  // ~25 ms, as Redis's slow cycle does.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(25);
  {
    // Tracking clients hear of the keys that expired, BCAST ones in one
    // batch per run; the tracking table is kept under its limit.
    TrackingScope tracking_scope(state_.tracking(), nullptr, nullptr);
    const auto expire_start = std::chrono::steady_clock::now();
    uint64_t deleted = 0;
    size_t run = 0;
    while ((run = state_.keyspace().ActiveExpireCycle(kExpireBudget)) == kExpireBudget) {
      deleted += run;
      if (std::chrono::steady_clock::now() >= deadline) {
        // Stopped by the time limit with expired keys (probably) left.
        state_.stats().expired_time_cap_reached_count.fetch_add(1, std::memory_order_relaxed);
        run = 0;
        break;
      }
    }
    deleted += run;
    // expired_stale_perc: the keys deleted against the keys with a deadline
    // before the run (those left plus those deleted); a run that found none
    // counts as 0 %.
    uint64_t volatile_keys = deleted;
    if (deleted > 0) {
      for (const store::DbStats& db : state_.keyspace().Stats().dbs) volatile_keys += db.expires;
    }
    state_.stats().NoteExpireCycle(deleted, std::max<uint64_t>(volatile_keys, 1));
    const auto expire_us = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - expire_start)
                               .count();
    state_.stats().expire_cycle_us.fetch_add(expire_us, std::memory_order_relaxed);
    // The latency monitor's "expire-cycle" event, as Redis's.
    LatencySampleIfNeeded(state_, "expire-cycle", expire_us / 1000);
    if (state_.tracking().OverLimit()) state_.tracking().EvictExcess();
  }
  // Idle clients, and clients whose replies stayed over the soft output
  // buffer limit for too long.
  int64_t timeout = state_.config().timeout_s.load();
  // Per class: normal clients, and clients with subscriptions (pubsub).
  auto soft_ms_of = [this](Config::OutputBufferClass cls) -> int64_t {
    const Config::OutputBufferLimit& obuf = state_.config().output_buffer_limits[cls];
    return obuf.soft.load() > 0 ? obuf.soft_seconds.load() * 1000 : 0;
  };
  const int64_t normal_soft_ms = soft_ms_of(Config::kNormalClients);
  const int64_t pubsub_soft_ms = soft_ms_of(Config::kPubSubClients);
  // maxmemory-clients: the clients that may be evicted, with their memory.
  const int64_t clients_limit = state_.config().MaxmemoryClientsBytes();
  struct Evictable {
    uint64_t memory;
    uint64_t id;
    std::string addr;
    std::function<void()> close;
  };
  std::vector<Evictable> evictable;
  uint64_t clients_memory = 0;
  {
    int64_t now = state_.clock().NowMs();
    uint64_t max_input = 0;
    uint64_t max_output = 0;
    state_.clients().ForEach([&](ClientState& c, const std::function<void()>& close) {
      if (clients_limit > 0 && !c.no_evict.load(std::memory_order_relaxed) &&
          !c.closing.load(std::memory_order_relaxed)) {
        const uint64_t memory = ClientMemory(c);
        clients_memory += memory;
        evictable.push_back({memory, c.id, c.addr, close});
      }
      const ClientState::Buffers& b = c.buffers;
      max_input = std::max(max_input, b.qbuf.load(std::memory_order_relaxed) +
                                          b.qbuf_free.load(std::memory_order_relaxed));
      max_output = std::max(max_output, b.rbs.load(std::memory_order_relaxed) +
                                            b.omem.load(std::memory_order_relaxed));
      const bool pubsub = c.sub_count.load(std::memory_order_relaxed) +
                              c.psub_count.load(std::memory_order_relaxed) +
                              c.ssub_count.load(std::memory_order_relaxed) >
                          0;
      // A blocked client waits as long as its command asked, a subscriber
      // as long as it likes (Redis's rules).
      if (timeout > 0 && now - c.last_interaction_ms > timeout * 1000 && !c.in_multi &&
          c.blocked == nullptr && !c.postponed.load(std::memory_order_relaxed) && !pubsub) {
        close();
        return;
      }
      const int64_t soft_ms = pubsub ? pubsub_soft_ms : normal_soft_ms;
      int64_t since = c.output_soft_limit_since_ms.load(std::memory_order_relaxed);
      if (soft_ms > 0 && since > 0 && now - since > soft_ms) {
        spdlog::warn(
            "Client id={} addr={} closed for overcoming of output buffer limits (over the soft "
            "limit for {} seconds).",
            c.id, c.addr, soft_ms / 1000);
        close();
      }
    });
    state_.stats().NoteClientBuffers(now, max_input, max_output);
  }
  // Over maxmemory-clients: the biggest clients go first until the rest
  // fit, as Redis evicts from its biggest memory bucket. Redis checks before
  // each command; here it is checked hz times a second.
  if (clients_limit > 0 && clients_memory > static_cast<uint64_t>(clients_limit)) {
    std::sort(evictable.begin(), evictable.end(),
              [](const Evictable& a, const Evictable& b) { return a.memory > b.memory; });
    for (const Evictable& e : evictable) {
      if (clients_memory <= static_cast<uint64_t>(clients_limit)) break;
      spdlog::info("Evicting client: id={} addr={} tot-mem={} (maxmemory-clients {})", e.id, e.addr,
                   e.memory, clients_limit);
      e.close();
      clients_memory -= e.memory;
      state_.stats().evicted_clients.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void Server::Run() {
  WaitForSignal();
  {
    std::lock_guard lock(listeners_mu_);
    accepting_ = true;
    for (const auto& l : listeners_) AcceptLocked(l);
  }
  ScheduleCron();
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& ctx : contexts_) guards.push_back(asio::make_work_guard(*ctx));
  for (size_t i = 1; i < contexts_.size(); ++i) {
    threads_.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
  }
  contexts_[0]->run();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // A long command still running finishes before the final snapshot.
  workers_.join();
}

void Server::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      spdlog::info("Received SIGHUP, reopening the log file");
      if (on_sighup_) on_sighup_();
      WaitForSignal();
      return;
    }
    spdlog::info("Received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    Stop();
  });
}

void Server::Stop() {
  asio::post(*contexts_[0], [this] {
    {
      std::lock_guard lock(listeners_mu_);
      accepting_ = false;
      CloseListeners(listeners_);
    }
    cron_timer_.cancel();
    signals_.cancel();
    state_.clients().ForEach([](ClientState&, const std::function<void()>& close) { close(); });
    for (auto& ctx : contexts_) ctx->stop();
  });
}

}  // namespace stashd::server
