// The network server: listens on the configured addresses, spreads
// connections over `io-threads` io_contexts (one thread each), and runs the
// periodic tasks (active expiry, idle timeouts) `hz` times a second.
//
// Thread safety: Run() blocks the calling thread until Stop(); Stop() may be
// called from any thread, including a signal handler's asio callback.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
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
  int port() const { return port_.load(); }

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
  // One listening socket, with the pause after a failed accept(). Shared
  // with the pending handlers, which outlive a listener that CONFIG SET
  // port / bind closed.
  struct Listener {
    explicit Listener(boost::asio::io_context& ctx) : acceptor(ctx), retry_timer(ctx) {}
    boost::asio::ip::tcp::acceptor acceptor;
    boost::asio::steady_timer retry_timer;
  };
  using Listeners = std::vector<std::shared_ptr<Listener>>;

  // Opens a listener on `port` for each address of `bind` ("-" marks an
  // optional one, skipped if it fails). *bound_port is the port bound (the
  // ephemeral one for port 0). Returns the error of the first required
  // address that failed.
  std::optional<std::string> OpenListeners(int port, const std::vector<std::string>& bind,
                                           Listeners* out, int* bound_port);
  // Closes the listeners; their pending accepts end.
  static void CloseListeners(const Listeners& listeners);
  // CONFIG SET port / bind, with the new value in the config: listens anew
  // as Redis does, the old listeners serve on if that fails. A new port is
  // opened before the old one closes; new bind addresses after the old ones
  // closed (they may overlap), and the old ones are reopened on failure.
  // Existing connections are not touched.
  std::optional<std::string> ChangePort();
  std::optional<std::string> ChangeBind();
  // Installs `fresh` as the listeners and starts accepting on them if the
  // server runs. REQUIRES: listeners_mu_ held.
  void InstallListenersLocked(Listeners fresh, int port, std::vector<std::string> bind);

  void WaitForSignal();
  // Starts an accept on `l` unless it was closed. AcceptLocked REQUIRES
  // listeners_mu_ held.
  void Accept(const std::shared_ptr<Listener>& l);
  void AcceptLocked(const std::shared_ptr<Listener>& l);
  // accept() failed (out of descriptors, or another error that would fail
  // again at once): refuse one waiting client with the reserve descriptor,
  // log at most once per kAcceptErrorLogInterval, and retry after a pause
  // instead of spinning.
  void OnAcceptError(const std::shared_ptr<Listener>& l, const boost::system::error_code& ec);
  void RefuseOneWithReserveFd(boost::asio::ip::tcp::acceptor& acceptor);
  void ScheduleCron();
  void Cron();

  ServerState& state_;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  // Every call on a listener's acceptor or timer is made holding
  // listeners_mu_: CONFIG SET port / bind replaces them from a command's
  // thread while the accept loop runs on contexts_[0].
  std::mutex listeners_mu_;
  Listeners listeners_;
  std::vector<std::string> bound_bind_;  // the bind list listeners_ were opened for
  bool accepting_ = false;               // Run() started the accept loop
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
  size_t next_context_ = 0;  // guarded by listeners_mu_
  std::atomic<int> port_{0};
  std::function<void()> on_sighup_;
};

}  // namespace stashd::server
