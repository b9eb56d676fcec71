// One client connection: reads bytes, parses every complete command in them,
// runs each through the dispatcher and sends all their replies with one write
// (so a pipelined batch costs one read and one write).
//
// Thread safety: a connection lives on one io_context (one thread); Close()
// may be called from any thread and posts to that thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"
#include "server/exec/client.h"

namespace stashd::server {

class ServerState;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ServerState& server);
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
  void Flush(bool close_after);
  void Shutdown();

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
  bool closed_ = false;
};

}  // namespace stashd::server
