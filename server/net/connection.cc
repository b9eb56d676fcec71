#include "server/net/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>

#include "server/acl/acl.h"
#include "server/durability/persistence.h"
#include "server/exec/blocking.h"
#include "server/net/io_rescue.h"
#include "server/net/push_mailbox.h"
#include "server/server_state.h"

namespace stashd::server {
namespace asio = boost::asio;

namespace {
constexpr size_t kReadChunk = 16 * 1024;
// Query and reply buffers larger than this are freed once drained.
constexpr size_t kKeepBufferBytes = 1024 * 1024;

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.to_string() + ":" + std::to_string(ep.port());
}

// TCP keepalive as Redis's anetKeepAlive: probes after `interval` seconds
// of silence, then every interval/3 seconds; 3 unanswered probes close the
// connection. 0 disables it.
void SetKeepAlive(int fd, int64_t interval) {
  if (interval <= 0) return;
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0) return;
  int idle = static_cast<int>(std::min<int64_t>(interval, INT32_MAX));
  int probe_interval = std::max(1, idle / 3);
  int count = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &probe_interval, sizeof(probe_interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
}

protocol::ParserLimits LimitsFrom(const Config& config) {
  protocol::ParserLimits limits;
  limits.max_bulk_len = static_cast<size_t>(config.proto_max_bulk_len.load());
  return limits;
}
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ServerState& server,
                       asio::any_io_executor workers)
    : socket_(std::move(socket)),
      server_(server),
      parser_(LimitsFrom(server.config())),
      workers_(std::move(workers)),
      block_timer_(socket_.get_executor()) {}

Connection::~Connection() {
  if (client_.blocked != nullptr)
    EndBlock(server_, *client_.blocked, BlockedClient::State::kClosed);
  server_.dispatcher().UnwatchAll(client_);
  server_.pubsub().UnsubscribeAll(client_);
  server_.monitors().Remove(client_);
  server_.tracking().Disable(client_);
  server_.clients().Remove(&client_);
}

void Connection::Start() {
  boost::system::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  SetKeepAlive(socket_.native_handle(), server_.config().tcp_keepalive_s.load());
  // As in Redis, a connection made while the default user needs no password
  // is authenticated from the start.
  client_.authenticated = server_.acl().DefaultUserIsOpen();
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
  // Called on the thread that ended a block; the reply may go once the log
  // holds what that thread appended serving it.
  client_.wake = [weak, executor = socket_.get_executor(), &server = server_](uint64_t before) {
    auto resume = [weak, executor] {
      asio::post(executor, [weak] {
        if (auto self = weak.lock()) self->Unblocked();
      });
    };
    CommandJournal* journal = server.command_journal();
    if (journal == nullptr || journal->ReadyToReply(before, resume)) resume();
  };
  // Messages and invalidations (client-side caching) go through the io
  // thread's mailbox, which keeps their order: one publisher's messages
  // arrive as published.
  PushMailbox* mailbox = &PushMailbox::Of(socket_.get_executor());
  client_.deliver = [weak, mailbox, executor = socket_.get_executor()](PubSubMessage m) {
    mailbox->Post(executor, weak, std::move(m));
  };
  client_.deliver_invalidation = [weak, mailbox,
                                  executor = socket_.get_executor()](InvalidationMessage m) {
    mailbox->Post(executor, weak, std::move(m));
  };
  client_.deliver_monitor = [weak, mailbox, executor = socket_.get_executor()](MonitorLine line) {
    mailbox->Post(executor, weak, std::move(line));
  };
  // Blocked clients read what is there without waiting (WatchPeer).
  socket_.non_blocking(true, ec);
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
  client_.closing.store(true, std::memory_order_relaxed);
  // A blocked client that goes is no longer served: nothing is popped for it.
  if (client_.blocked != nullptr)
    EndBlock(server_, *client_.blocked, BlockedClient::State::kClosed);
  block_timer_.cancel();
  LeavePaused();
  // No more messages for a closed client (a worker running its command
  // owns the client state: the destructor unsubscribes then).
  if (!on_worker_) {
    server_.pubsub().UnsubscribeAll(client_);
    server_.monitors().Remove(client_);
    server_.tracking().Disable(client_);
  }
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void Connection::DoRead() {
  if (closed_ || reading_) return;
  reading_ = true;
  MakeRoom();
  socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      size_t n) { self->OnRead(ec, n); });
}

void Connection::MakeRoom() {
  // Keep at least kReadChunk bytes of room; move unparsed input to the front.
  if (in_begin_ > 0 && in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
  }
  // A query buffer that grew for a large pipeline is given back once it is
  // drained (as Redis's clientsCron shrinks idle query buffers).
  if (in_end_ == 0 && in_.size() > kKeepBufferBytes) std::vector<char>(kReadChunk).swap(in_);
  if (in_.size() - in_end_ < kReadChunk) {
    if (in_begin_ > 0) {
      std::copy(in_.begin() + in_begin_, in_.begin() + in_end_, in_.begin());
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_.size() - in_end_ < kReadChunk)
      in_.resize(std::max(in_.size() * 2, in_end_ + kReadChunk));
  }
}

void Connection::ReleaseArgs() {
  // The argument vector of a command with many arguments (SADD of 100,000
  // members: megabytes of std::string slots) is given back instead of kept
  // for the next command, as Redis frees a large argv.
  constexpr size_t kKeepArgs = 1024;
  if (args_.capacity() > kKeepArgs) {
    Args().swap(args_);
  } else {
    args_.clear();
  }
}

void Connection::PublishBuffers(size_t unparsed) {
  ClientState::Buffers& b = client_.buffers;
  constexpr auto kRelaxed = std::memory_order_relaxed;
  size_t argv = 0;
  for (const std::string& arg : args_) argv += arg.size();
  reply_peak_ = std::max(reply_peak_, reply_.size());
  b.qbuf.store(unparsed + parser_.partial_command_bytes(), kRelaxed);
  b.qbuf_free.store(in_.size() - in_end_, kRelaxed);
  b.argv_mem.store(argv, kRelaxed);
  b.rbs.store(reply_.buffer().capacity(), kRelaxed);
  b.rbp.store(reply_peak_, kRelaxed);
  b.obl.store(reply_.size(), kRelaxed);
  b.oll.store(writing_ ? 1 : 0, kRelaxed);
  b.omem.store(writing_ ? out_.size() : 0, kRelaxed);
}

void Connection::OnRead(const boost::system::error_code& ec, size_t n) {
  reading_ = false;
  if (ec || closed_) {
    Shutdown();
    return;
  }
  in_end_ += n;
  server_.stats().total_net_input_bytes.fetch_add(n, std::memory_order_relaxed);
  server_.stats().CountRead();
  client_.last_interaction_ms = server_.clock().NowMs();
  Persistence* persistence = server_.persistence();
  log_before_ = persistence != nullptr ? persistence->ThreadLogPosition() : 0;
  FinishInput(ProcessInput());
}

void Connection::FinishInput(bool keep_open) {
  if (on_worker_) return;  // ResumeInput() finishes
  if (closed_) return;     // closed while a script ran here (RunScriptHere)
  PublishBuffers(in_end_ - in_begin_);
  Persistence* persistence = server_.persistence();
  const uint64_t log_before = log_before_;
  // The query buffer: unparsed input plus what the parser holds of the
  // command being read.
  const size_t query_bytes = in_end_ - in_begin_ + parser_.partial_command_bytes();
  if (keep_open &&
      query_bytes > static_cast<size_t>(server_.config().client_query_buffer_limit.load())) {
    spdlog::warn(
        "Closing client that reached max query buffer length: id={} addr={} ({} bytes, "
        "client-query-buffer-limit {})",
        client_.id, client_.addr, query_bytes, server_.config().client_query_buffer_limit.load());
    keep_open = false;
  }
  if (reply_.size() == 0) {
    if (!keep_open) {
      Shutdown();
    } else if (blocked_) {
      WatchPeer();
    } else {
      DoRead();
    }
    return;
  }
  // A reply goes out only once the write log holds what it acknowledges
  // (written to the OS; with appendfsync always, fsynced). The check is
  // posted, so that the other connections this thread serves right now
  // append their records first and one write(2) carries them all, as Redis
  // writes its AOF once per event loop iteration.
  if (persistence != nullptr && persistence->ThreadLogPosition() != log_before) {
    const bool close_after = !keep_open;
    auto self = shared_from_this();
    awaiting_log_ = true;
    asio::post(socket_.get_executor(), [self, persistence, close_after, log_before] {
      auto resume = [self, close_after] {
        asio::post(self->socket_.get_executor(), [self, close_after] {
          self->awaiting_log_ = false;
          self->Flush(close_after);
        });
      };
      if (persistence->ReadyToReply(log_before, resume)) {
        self->awaiting_log_ = false;
        self->Flush(close_after);
      }
    });
    return;
  }
  Flush(!keep_open);
}

bool Connection::ProcessInput() {
  while (in_begin_ < in_end_ && !paused_) {
    // A client that has not authenticated gets the parser's tight limits
    // (Redis's authRequired()); AUTH in a pipeline lifts them for what follows.
    parser_.set_authenticated(client_.authenticated || server_.acl().DefaultUserIsOpen());
    size_t consumed = 0;
    protocol::ParseStatus st = parser_.Parse(
        std::span<const char>(in_.data() + in_begin_, in_end_ - in_begin_), &consumed, &args_);
    if (st == protocol::ParseStatus::kOk) PublishBuffers(in_end_ - in_begin_);
    in_begin_ += consumed;
    if (st == protocol::ParseStatus::kInputPending) return true;
    if (st != protocol::ParseStatus::kOk) {
      reply_.Error(parser_.ErrorText(st));
      spdlog::debug("Protocol error from client id={} addr={}: {}", client_.id, client_.addr,
                    parser_.ErrorText(st));
      return false;
    }
    if (!RunParsed()) return false;
    if (on_worker_ || blocked_ || paused_) return true;
  }
  return true;
}

bool Connection::RunParsed() {
  CommandRunner& dispatcher = server_.dispatcher();
  switch (dispatcher.Place(client_, args_)) {
    case CommandRunner::Placement::kHere:
      dispatcher.Execute(client_, args_, reply_);
      break;
    case CommandRunner::Placement::kScript:
      if (!InlineScriptWatch::OnHelperThread()) {
        if (!RunScriptHere()) return false;
        break;
      }
      [[fallthrough]];  // a helper's handlers stay short
    case CommandRunner::Placement::kWorker:
      RunOnWorker();
      return true;
  }
  if (client_.postponed.load(std::memory_order_relaxed)) {
    EnterPaused();
    return true;
  }
  ReleaseArgs();
  if (client_.blocked != nullptr) {
    EnterBlocked();
    return true;
  }
  return AfterCommand();
}

void Connection::EnterPaused() {
  paused_ = true;
  server_.stats().blocked_clients.fetch_add(1, std::memory_order_relaxed);
  ClientPause& pause = server_.pause();
  std::weak_ptr<Connection> weak = shared_from_this();
  pause.Wait(client_.id, [weak, executor = socket_.get_executor()] {
    asio::post(executor, [weak] {
      if (auto self = weak.lock()) self->PauseOver();
    });
  });
  // The pause's end: the command is tried again then (a pause extended
  // meanwhile postpones it once more).
  const int64_t wait_ms = std::max<int64_t>(0, pause.end_ms() - server_.clock().NowMs());
  ++block_seq_;
  block_timer_.expires_after(std::chrono::milliseconds(wait_ms));
  block_timer_.async_wait(
      [self = shared_from_this(), seq = block_seq_](const boost::system::error_code& ec) {
        if (!ec && seq == self->block_seq_) self->PauseOver();
      });
}

void Connection::LeavePaused() {
  if (!paused_) return;
  paused_ = false;
  ++block_seq_;
  block_timer_.cancel();
  server_.pause().StopWaiting(client_.id);
  server_.stats().blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  client_.postponed.store(false, std::memory_order_relaxed);
}

void Connection::PauseOver() {
  if (closed_ || !paused_) return;
  LeavePaused();
  if (writing_) {
    run_postponed_after_write_ = true;
    return;
  }
  RunPostponed();
}

void Connection::RunPostponed() {
  Persistence* persistence = server_.persistence();
  log_before_ = persistence != nullptr ? persistence->ThreadLogPosition() : 0;
  client_.last_interaction_ms = server_.clock().NowMs();
  bool keep_open = RunParsed();
  if (keep_open && !on_worker_ && !blocked_ && !paused_) keep_open = ProcessInput();
  FinishInput(keep_open);
}

void Connection::EnterBlocked() {
  blocked_ = true;
  ++block_seq_;
  const int64_t deadline = client_.blocked->deadline_ms;
  if (deadline == 0) return;
  const int64_t wait_ms = std::max<int64_t>(0, deadline - server_.clock().NowMs());
  block_timer_.expires_after(std::chrono::milliseconds(wait_ms));
  block_timer_.async_wait(
      [self = shared_from_this(), seq = block_seq_](const boost::system::error_code& ec) {
        self->OnBlockTimeout(ec, seq);
      });
}

void Connection::OnBlockTimeout(const boost::system::error_code& ec, uint64_t seq) {
  // A timer that expired just as the block was served may still run after
  // cancel(), even once the client blocks again: `seq` tells its block.
  if (ec || closed_ || !blocked_ || seq != block_seq_) return;
  // Served meanwhile? Then its reply is on the way (Unblocked).
  std::shared_ptr<BlockedClient> w = client_.blocked;
  if (EndBlock(server_, *w, BlockedClient::State::kTimedOut)) {
    CommandJournal* journal = server_.command_journal();
    w->wake(journal != nullptr ? journal->ThreadLogPosition() : 0);
  }
}

void Connection::WatchPeer() {
  if (watching_peer_ || closed_) return;
  watching_peer_ = true;
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->watching_peer_ = false;
                       self->OnPeerReadable(ec);
                     });
}

void Connection::OnPeerReadable(const boost::system::error_code& ec) {
  // Unblocked meanwhile: input is read the usual way again.
  if (closed_ || !blocked_) return;
  if (ec) {
    Shutdown();
    return;
  }
  MakeRoom();
  boost::system::error_code read_ec;
  const size_t n =
      socket_.read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_), read_ec);
  if (read_ec == asio::error::would_block || read_ec == asio::error::try_again) {
    WatchPeer();
    return;
  }
  if (read_ec) {  // the peer closed, or the connection broke
    Shutdown();
    return;
  }
  in_end_ += n;
  server_.stats().total_net_input_bytes.fetch_add(n, std::memory_order_relaxed);
  server_.stats().CountRead();
  const size_t query_bytes = in_end_ - in_begin_ + parser_.partial_command_bytes();
  if (query_bytes > static_cast<size_t>(server_.config().client_query_buffer_limit.load())) {
    spdlog::warn(
        "Closing client that reached max query buffer length: id={} addr={} ({} bytes, "
        "client-query-buffer-limit {})",
        client_.id, client_.addr, query_bytes, server_.config().client_query_buffer_limit.load());
    Shutdown();
    return;
  }
  WatchPeer();
}

void Connection::Unblocked() {
  if (closed_) return;
  block_timer_.cancel();
  std::shared_ptr<BlockedClient> w;
  {
    std::lock_guard lock(server_.clients().mutex());
    w = std::move(client_.blocked);
    client_.blocked = nullptr;
  }
  blocked_ = false;
  reply_.Raw(w->reply.buffer());
  // Redis counts a reply written as interaction: a client served after a
  // long wait is not idle (the cron's `timeout`).
  client_.last_interaction_ms = server_.clock().NowMs();
  if (writing_) {
    resume_after_write_ = true;
    return;
  }
  RunAfterBlock();
}

void Connection::RunAfterBlock() {
  // The earlier replies were sent before the block; the ones from here on
  // wait for what this thread logs next.
  Persistence* persistence = server_.persistence();
  log_before_ = persistence != nullptr ? persistence->ThreadLogPosition() : 0;
  FinishInput(AfterCommand() && ProcessInput());
}

bool Connection::RunScriptHere() {
  // While the script runs, a helper may serve this thread's connections,
  // this one included: to it, this connection is on a worker.
  on_worker_ = true;
  {
    auto& io = static_cast<asio::io_context&>(
        asio::query(socket_.get_executor(), asio::execution::context));
    InlineScriptWatch watch(io, server_.config().busy_reply_threshold_ms.load());
    server_.dispatcher().Execute(client_, args_, reply_);
  }  // the helper, if it was called, has stopped
  on_worker_ = false;
  if (closed_) return false;
  // Messages that arrived meanwhile follow the script's reply.
  if (worker_pushes_.size() > 0) {
    reply_.Raw(worker_pushes_.buffer());
    worker_pushes_.Clear();
  }
  return true;
}

void Connection::RunOnWorker() {
  on_worker_ = true;
  asio::post(workers_, [self = shared_from_this()] {
    Persistence* persistence = self->server_.persistence();
    const uint64_t before = persistence != nullptr ? persistence->ThreadLogPosition() : 0;
    self->server_.dispatcher().Execute(self->client_, self->args_, self->reply_);
    // A postponed command is kept to run again (ResumeInput).
    if (!self->client_.postponed.load(std::memory_order_relaxed)) self->ReleaseArgs();
    // The records this worker appended reach the log (as ReadyToReply
    // promises) before the io thread may send the reply.
    auto resume = [self] {
      asio::post(self->socket_.get_executor(), [self] { self->ResumeInput(); });
    };
    if (persistence == nullptr || persistence->ReadyToReply(before, resume)) resume();
  });
}

void Connection::ResumeInput() {
  on_worker_ = false;
  if (closed_) return;
  // Messages that arrived meanwhile follow the command's reply.
  if (worker_pushes_.size() > 0) {
    reply_.Raw(worker_pushes_.buffer());
    worker_pushes_.Clear();
  }
  if (client_.postponed.load(std::memory_order_relaxed)) {
    EnterPaused();
    FinishInput(true);
    return;
  }
  FinishInput(AfterCommand() && ProcessInput());
}

bool Connection::AfterCommand() {
  // client-output-buffer-limit: a client whose pending replies pass the
  // hard limit is closed now, and the replies freed, before a pipeline of
  // large reads can fill the memory.
  const int64_t hard = server_.config().output_buffer_limits[Config::kNormalClients].hard.load();
  if (hard > 0 && reply_.size() > static_cast<size_t>(hard)) {
    spdlog::warn(
        "Client id={} addr={} closed for overcoming of output buffer limits ({} bytes of "
        "replies, client-output-buffer-limit normal hard limit {}).",
        client_.id, client_.addr, reply_.size(), hard);
    std::string().swap(reply_.buffer());
    return false;
  }
  return !client_.close_after_reply && !client_.kill_requested.load(std::memory_order_relaxed);
}

void Connection::Flush(bool close_after) {
  if (writing_) {
    // A message went out meanwhile: these replies follow it.
    flush_after_write_ = true;
    close_after_write_ = close_after_write_ || close_after;
    return;
  }
  // Leaving (QUIT): from now on nobody can redirect invalidations here.
  if (close_after) client_.closing.store(true, std::memory_order_relaxed);
  out_.swap(reply_.buffer());
  reply_.Clear();
  server_.stats().total_net_output_bytes.fetch_add(out_.size(), std::memory_order_relaxed);
  server_.stats().CountWrite();
  // The soft output limit: the server's cron closes a client whose replies
  // stay above it for longer than its seconds.
  const int64_t soft = server_.config()
                           .output_buffer_limits[client_.subscribed() ? Config::kPubSubClients
                                                                      : Config::kNormalClients]
                           .soft.load();
  if (soft > 0 && out_.size() > static_cast<size_t>(soft) &&
      client_.output_soft_limit_since_ms.load(std::memory_order_relaxed) == 0) {
    client_.output_soft_limit_since_ms.store(server_.clock().NowMs(), std::memory_order_relaxed);
  }
  writing_ = true;
  PublishBuffers(in_end_ - in_begin_);
  asio::async_write(
      socket_, asio::buffer(out_),
      [self = shared_from_this(), close_after](const boost::system::error_code& ec, size_t) {
        self->writing_ = false;
        self->client_.output_soft_limit_since_ms.store(0, std::memory_order_relaxed);
        if (ec || close_after) {
          self->Shutdown();
          return;
        }
        // Give back the memory of a large reply.
        if (self->out_.capacity() > kKeepBufferBytes) {
          std::string().swap(self->out_);
        } else {
          self->out_.clear();
        }
        if (!self->on_worker_) self->PublishBuffers(self->in_end_ - self->in_begin_);
        if (self->resume_after_write_) {
          self->resume_after_write_ = false;
          self->RunAfterBlock();
        } else if (self->run_postponed_after_write_) {
          self->run_postponed_after_write_ = false;
          self->RunPostponed();
        } else if (self->flush_after_write_) {
          self->flush_after_write_ = false;
          const bool close = self->close_after_write_;
          self->close_after_write_ = false;
          self->Flush(close);
        } else if (self->blocked_) {
          self->WatchPeer();
        } else {
          self->DoRead();
        }
      });
}

void Connection::DeliverMessage(const PubSubMessage& m) {
  if (closed_) return;
  if (on_worker_) {
    // The worker owns reply_: the message waits (ResumeInput).
    worker_pushes_.set_resp3(client_.resp == 3);
    WriteMessage(worker_pushes_, m);
  } else {
    WriteMessage(reply_, m);
  }
  AfterPush();
}

bool Connection::DeliverPush(const PushMailbox::Push& push) {
  const bool first = !pushes_to_flush_;
  holding_pushes_ = true;
  if (const auto* m = std::get_if<PubSubMessage>(&push)) {
    DeliverMessage(*m);
  } else if (const auto* line = std::get_if<MonitorLine>(&push)) {
    DeliverMonitorLine(*line);
  } else {
    DeliverInvalidation(std::get<InvalidationMessage>(push));
  }
  holding_pushes_ = false;
  return first && pushes_to_flush_;
}

void Connection::FlushPushes() {
  if (!pushes_to_flush_) return;
  pushes_to_flush_ = false;
  if (closed_ || on_worker_ || awaiting_log_) return;
  Flush(/*close_after=*/false);
}

void Connection::DeliverMonitorLine(const MonitorLine& line) {
  if (closed_) return;
  // A status line, the same in RESP2 and RESP3, as Redis sends it.
  if (on_worker_) {
    worker_pushes_.Raw(*line.text);
  } else {
    reply_.Raw(*line.text);
  }
  AfterPush();
}

void Connection::DeliverInvalidation(const InvalidationMessage& m) {
  if (closed_) return;
  bool wrote;
  if (on_worker_) {
    worker_pushes_.set_resp3(client_.resp == 3);
    wrote = WriteInvalidation(worker_pushes_, m, client_.subscribed());
  } else {
    wrote = WriteInvalidation(reply_, m, client_.subscribed());
  }
  if (wrote) AfterPush();
}

void Connection::AfterPush() {
  if (!OutputWithinLimits()) {
    if (!on_worker_) std::string().swap(reply_.buffer());
    Shutdown();
    return;
  }
  // A flush on its way (after the worker, after the write log) takes it.
  if (on_worker_ || awaiting_log_) return;
  if (holding_pushes_) {
    pushes_to_flush_ = true;  // the mailbox's batch ends with FlushPushes()
    return;
  }
  Flush(/*close_after=*/false);
}

bool Connection::OutputWithinLimits() {
  const bool pubsub = client_.subscribed();
  const Config::OutputBufferLimit& limit =
      server_.config()
          .output_buffer_limits[pubsub ? Config::kPubSubClients : Config::kNormalClients];
  const size_t pending = reply_.size() + worker_pushes_.size() + out_.size();
  const int64_t hard = limit.hard.load();
  const char* cls = pubsub ? "pubsub" : "normal";
  if (hard > 0 && pending > static_cast<size_t>(hard)) {
    spdlog::warn(
        "Client id={} addr={} closed for overcoming of output buffer limits ({} bytes pending, "
        "client-output-buffer-limit {} hard limit {}).",
        client_.id, client_.addr, pending, cls, hard);
    return false;
  }
  const int64_t soft = limit.soft.load();
  if (soft <= 0 || pending <= static_cast<size_t>(soft)) return true;
  // Over the soft limit: for longer than its seconds closes the client
  // (here, or by the cron if no more output comes).
  const int64_t now = server_.clock().NowMs();
  int64_t since = client_.output_soft_limit_since_ms.load(std::memory_order_relaxed);
  if (since == 0) {
    client_.output_soft_limit_since_ms.store(now, std::memory_order_relaxed);
    return true;
  }
  if (now - since > limit.soft_seconds.load() * 1000) {
    spdlog::warn(
        "Client id={} addr={} closed for overcoming of output buffer limits ({} bytes pending, "
        "over the client-output-buffer-limit {} soft limit {} for {} seconds).",
        client_.id, client_.addr, pending, cls, soft, limit.soft_seconds.load());
    return false;
  }
  return true;
}

}  // namespace stashd::server
