// The network server: listens on the configured addresses, spreads
// connections over `io-threads` io_contexts (one thread each), and runs the
// periodic tasks (active expiry, idle timeouts) `hz` times a second.
//
// Thread safety: Run() blocks the calling thread until Stop(); Stop() may be
// called from any thread, including a signal handler's asio callback.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace stashd::server {

class ServerState;

class Server {
 public:
  explicit Server(ServerState& state);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every `bind` address on `port`. Returns an error message on failure.
  std::optional<std::string> Listen();
  // Port actually bound (useful with --port 0).
  int port() const { return port_; }

  // Serves until Stop(); returns after every io thread has finished.
  // SIGINT and SIGTERM call Stop(); SIGHUP calls the on_sighup callback.
  void Run();
  void Stop();

  // Called on the io thread when SIGHUP arrives (reopen the log file).
  void set_on_sighup(std::function<void()> fn) { on_sighup_ = std::move(fn); }

 private:
  // Workers for long commands: two, so one long command does not queue
  // another client's behind it for its whole run.
  static constexpr size_t kWorkerThreads = 2;
  void WaitForSignal();
  void Accept(size_t index);
  // accept() failed (out of descriptors, or another error that would fail
  // again at once): refuse one waiting client with the reserve descriptor,
  // log at most once per kAcceptErrorLogInterval, and retry after a pause
  // instead of spinning.
  void OnAcceptError(size_t index, const boost::system::error_code& ec);
  void RefuseOneWithReserveFd(boost::asio::ip::tcp::acceptor& acceptor);
  void ScheduleCron();
  void Cron();

  ServerState& state_;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  // One per acceptor: the pause after a failed accept().
  std::vector<std::unique_ptr<boost::asio::steady_timer>> accept_retry_timers_;
  // A descriptor kept open (/dev/null) so that, out of descriptors, the
  // server can still accept one client to tell it why it is refused.
  int reserve_fd_ = -1;
  // Rate limit of the "accept failed" warning (touched on contexts_[0] only).
  std::chrono::steady_clock::time_point accept_error_logged_at_{};
  uint64_t accept_errors_unlogged_ = 0;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer cron_timer_;
  std::vector<std::thread> threads_;
  // Runs the commands that may run long (kRunsLong) off the io threads.
  // Declared after contexts_: destroyed (joined) first.
  boost::asio::thread_pool workers_{kWorkerThreads};
  size_t next_context_ = 0;
  int port_ = 0;
  std::function<void()> on_sighup_;
};

}  // namespace stashd::server
