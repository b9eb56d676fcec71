#include "server/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "server/dispatcher.h"
#include "server/persistence.h"
#include "server/server_state.h"

namespace stashd::server {
namespace asio = boost::asio;

namespace {
constexpr size_t kReadChunk = 16 * 1024;

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.to_string() + ":" + std::to_string(ep.port());
}

protocol::ParserLimits LimitsFrom(const Config& config) {
  protocol::ParserLimits limits;
  limits.max_bulk_len = static_cast<size_t>(config.proto_max_bulk_len.load());
  return limits;
}
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ServerState& server)
    : socket_(std::move(socket)), server_(server), parser_(LimitsFrom(server.config())) {}

Connection::~Connection() {
  server_.dispatcher().UnwatchAll(client_);
  server_.clients().Remove(&client_);
}

void Connection::Start() {
  boost::system::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  int64_t keepalive = server_.config().tcp_keepalive_s.load();
  if (keepalive > 0) socket_.set_option(asio::socket_base::keep_alive(true), ec);
  client_.id = server_.clients().NextId();
  client_.created_ms = server_.clock().NowMs();
  client_.last_interaction_ms = client_.created_ms;
  client_.fd = socket_.native_handle();
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) client_.addr = Endpoint(remote);
  auto local = socket_.local_endpoint(ec);
  if (!ec) client_.laddr = Endpoint(local);
  // The closer must not hold a strong reference, even briefly: it may run
  // under the registry's mutex, and dropping the last reference there would
  // run ~Connection, which takes that mutex.
  std::weak_ptr<Connection> weak = shared_from_this();
  server_.clients().Add(&client_, [weak, executor = socket_.get_executor()] {
    asio::post(executor, [weak] {
      if (auto self = weak.lock()) self->Shutdown();
    });
  });
  server_.stats().total_connections_received.fetch_add(1, std::memory_order_relaxed);
  in_.resize(kReadChunk);
  DoRead();
}

void Connection::Close() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->Shutdown(); });
}

void Connection::Shutdown() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void Connection::DoRead() {
  if (closed_) return;
  // Keep at least kReadChunk bytes of room; move unparsed input to the front.
  if (in_begin_ > 0 && in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
  }
  if (in_.size() - in_end_ < kReadChunk) {
    if (in_begin_ > 0) {
      std::copy(in_.begin() + in_begin_, in_.begin() + in_end_, in_.begin());
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_.size() - in_end_ < kReadChunk) in_.resize(std::max(in_.size() * 2, in_end_ + kReadChunk));
  }
  socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      size_t n) { self->OnRead(ec, n); });
}

void Connection::OnRead(const boost::system::error_code& ec, size_t n) {
  if (ec || closed_) {
    Shutdown();
    return;
  }
  in_end_ += n;
  server_.stats().total_net_input_bytes.fetch_add(n, std::memory_order_relaxed);
  client_.last_interaction_ms = server_.clock().NowMs();
  Persistence* persistence = server_.persistence();
  const uint64_t log_before = persistence != nullptr ? persistence->ThreadLogPosition() : 0;
  bool keep_open = ProcessInput();
  if (keep_open && in_end_ - in_begin_ >
                       static_cast<size_t>(server_.config().client_query_buffer_limit.load())) {
    spdlog::warn("Closing client id={} addr={}: query buffer over client-query-buffer-limit",
                 client_.id, client_.addr);
    keep_open = false;
  }
  if (reply_.size() == 0) {
    if (keep_open) {
      DoRead();
    } else {
      Shutdown();
    }
    return;
  }
  // A reply goes out only once the write log holds what it acknowledges
  // (written to the OS; with appendfsync always, fsynced).
  if (persistence != nullptr) {
    const bool close_after = !keep_open;
    auto self = shared_from_this();
    if (!persistence->ReadyToReply(log_before, [self, close_after] {
          asio::post(self->socket_.get_executor(), [self, close_after] { self->Flush(close_after); });
        })) {
      return;
    }
  }
  Flush(!keep_open);
}

bool Connection::ProcessInput() {
  Dispatcher& dispatcher = server_.dispatcher();
  while (in_begin_ < in_end_) {
    size_t consumed = 0;
    protocol::ParseStatus st = parser_.Parse(
        std::span<const char>(in_.data() + in_begin_, in_end_ - in_begin_), &consumed, &args_);
    in_begin_ += consumed;
    if (st == protocol::ParseStatus::kInputPending) return true;
    if (st != protocol::ParseStatus::kOk) {
      reply_.Error(parser_.ErrorText(st));
      spdlog::debug("Protocol error from client id={} addr={}: {}", client_.id, client_.addr,
                    parser_.ErrorText(st));
      return false;
    }
    dispatcher.Execute(client_, args_, reply_);
    args_.clear();
    if (client_.close_after_reply || client_.kill_requested.load(std::memory_order_relaxed)) {
      return false;
    }
  }
  return true;
}

void Connection::Flush(bool close_after) {
  out_.swap(reply_.buffer());
  reply_.Clear();
  server_.stats().total_net_output_bytes.fetch_add(out_.size(), std::memory_order_relaxed);
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this(), close_after](const boost::system::error_code& ec,
                                                             size_t) {
                      if (ec || close_after) {
                        self->Shutdown();
                        return;
                      }
                      self->out_.clear();
                      self->DoRead();
                    });
}

}  // namespace stashd::server
