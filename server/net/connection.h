// One client connection: reads bytes, parses every complete command in them,
// runs each through the dispatcher and sends all their replies with one write
// (so a pipelined batch costs one read and one write).
//
// A command that may run long (kRunsLong: DELPREFIX, or an EXEC queuing it)
// runs on a background worker instead: the connection stops parsing its
// input until the command is done, then goes on where it stopped, so replies
// keep their order while the io thread serves its other connections.
// A script (kRunsScript) runs here, on the io thread; if it runs long, a
// helper thread serves the thread's other connections (io_rescue.h), and
// this connection is `on_worker_` meanwhile, as if a worker ran it.
//
// A client blocked in BLPOP and the like (server/exec/blocking.h) has its
// earlier replies sent, then its input is read but not run until the block
// ends: served by another client's push (ClientState::wake posts the reply
// here), its timeout (a timer here), CLIENT UNBLOCK, or its closing. Reading
// on is how a blocked client that goes away is noticed and unregistered, so
// that no element is popped for a dead connection.
//
// Pub/Sub messages and MONITOR lines for this client (ClientState::deliver,
// deliver_monitor) are handed to the io thread (through its PushMailbox, in
// batches) and written behind the replies already built, in the order they
// were published; a write already in flight is followed by another. A
// client whose unsent output passes its class of client-output-buffer-limit
// (pubsub while subscribed) is closed.
//
// Thread safety: a connection lives on one io_context (one thread); Close()
// may be called from any thread and posts to that thread. While a worker
// runs a command for it, the worker alone touches the client state, the
// arguments and the reply buffer (the io thread only reads and closes the
// socket meanwhile). While the client is blocked, a thread serving it reads
// the client state (database, protocol) and writes only the
// BlockedClient's own reply.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"
#include "server/exec/client.h"
#include "server/exec/pubsub.h"
#include "server/net/push_mailbox.h"

namespace stashd::server {

class ServerState;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `workers` runs the commands flagged kRunsLong.
  Connection(boost::asio::ip::tcp::socket socket, ServerState& server,
             boost::asio::any_io_executor workers);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers the client and starts reading.
  void Start();
  // Closes the socket; thread-safe.
  void Close();

  // The state of this connection's client.
  ClientState& client() { return client_; }

 private:
  void DoRead();
  void OnRead(const boost::system::error_code& ec, size_t n);
  // Parses and runs every complete command in the input buffer. Returns
  // false when the connection must close after the replies are sent.
  bool ProcessInput();
  // After a command ran: false when the connection must close (output
  // buffer limit, QUIT, CLIENT KILL).
  bool AfterCommand();
  // The end of a round of input: sends the replies (once the write log holds
  // what they acknowledge) and reads on, or closes. Does nothing while a
  // worker runs a command for this connection.
  void FinishInput(bool keep_open);
  // Runs args_ on a worker; ResumeInput() continues on the io thread.
  // Runs a script (kRunsScript) on this io thread, watched by an
  // InlineScriptWatch; false if the connection was closed meanwhile.
  bool RunScriptHere();
  void RunOnWorker();
  void ResumeInput();
  void Flush(bool close_after);
  void Shutdown();
  // Room for kReadChunk more bytes of input at in_[in_end_].
  void MakeRoom();
  // Empties args_ after a command, giving back a large one's memory.
  void ReleaseArgs();
  // Publishes the buffers' sizes in client_.buffers (CLIENT LIST); `unparsed`
  // is the input not yet run, the command being run included. Only while no
  // worker owns reply_.
  void PublishBuffers(size_t unparsed);

  friend class PushMailbox;
  // From the mailbox, on the io thread: one message or invalidation, not
  // sent yet; returns true the first time a batch needs FlushPushes().
  bool DeliverPush(const PushMailbox::Push& push);
  // The end of the mailbox's batch: sends what DeliverPush() wrote, with one
  // write for all of this connection's messages in the batch.
  void FlushPushes();
  // A published message arrived (queued by ClientState::deliver).
  void DeliverMessage(const PubSubMessage& m);
  // A MONITOR line arrived (queued by ClientState::deliver_monitor).
  void DeliverMonitorLine(const MonitorLine& line);
  // An invalidation arrived (queued by ClientState::deliver_invalidation).
  void DeliverInvalidation(const InvalidationMessage& m);
  // After a message was written: enforces the output limits and sends it.
  void AfterPush();
  // After output grew: false if it passed the client's output buffer
  // limit (the pubsub class while subscribed), and the client must close.
  bool OutputWithinLimits();

  // Blocking: arms the block's timer (if it has a deadline).
  void EnterBlocked();
  // While blocked: waits for the peer to send or close (reading what it
  // sends, without running it).
  void WatchPeer();
  void OnPeerReadable(const boost::system::error_code& ec);
  // The block ended (ClientState::wake): its reply joins the others and
  // input runs on.
  void Unblocked();
  // Sends the block's reply and runs the input that waited behind it.
  void RunAfterBlock();
  void OnBlockTimeout(const boost::system::error_code& ec, uint64_t seq);

  // Runs args_ (parsed, or kept from a postponed run). False when the
  // connection must close.
  bool RunParsed();
  // CLIENT PAUSE held args_: wait (reading on, running nothing) until the
  // pause's end or UNPAUSE, then RunPostponed().
  void EnterPaused();
  void PauseOver();
  void RunPostponed();
  // Leaves the paused state (the client closes or is resumed).
  void LeavePaused();

  boost::asio::ip::tcp::socket socket_;
  ServerState& server_;
  ClientState client_;
  protocol::RequestParser parser_;
  protocol::ReplyBuilder reply_;
  std::string out_;  // the bytes being written
  std::vector<char> in_;
  size_t in_begin_ = 0;  // unparsed input is in_[in_begin_, in_end_)
  size_t in_end_ = 0;
  Args args_;
  boost::asio::any_io_executor workers_;
  // The io thread's write log position when this round of input began.
  uint64_t log_before_ = 0;
  bool on_worker_ = false;  // a worker runs args_: input is paused
  bool closed_ = false;
  bool writing_ = false;                    // an async_write is outstanding
  bool holding_pushes_ = false;             // in DeliverPush: AfterPush does not flush
  bool pushes_to_flush_ = false;            // FlushPushes() has something to send
  bool blocked_ = false;                    // client_.blocked is set: input is not run
  bool watching_peer_ = false;              // an async_wait for input is outstanding
  bool resume_after_write_ = false;         // unblocked while writing: go on after it
  bool paused_ = false;                     // CLIENT PAUSE holds args_
  bool run_postponed_after_write_ = false;  // the pause ended while writing
  bool reading_ = false;                    // an async_read_some is outstanding
  bool awaiting_log_ = false;               // a Flush waits for the write log
  // Flush() was called while writing: flush again once the write is done.
  bool flush_after_write_ = false;
  bool close_after_write_ = false;
  // Messages that arrived while a worker owned reply_.
  protocol::ReplyBuilder worker_pushes_;
  boost::asio::steady_timer block_timer_;
  uint64_t block_seq_ = 0;  // counts the blocks, for the timer's handler
  size_t reply_peak_ = 0;   // the most bytes reply_ held (CLIENT LIST rbp)
};

}  // namespace stashd::server
