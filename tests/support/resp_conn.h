// A raw RESP client for end-to-end tests: sends commands and reads replies
// one at a time with their exact bytes, with deadlines instead of sleeps.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/resp_value.h"

namespace stashd::test {

inline constexpr std::chrono::milliseconds kDeadline{10000};  // for what must happen "soon"

// A raw RESP client: sends commands (one or many per write) and reads
// replies one at a time, keeping the exact bytes of each, so that a null
// bulk ($-1), a null array (*-1) and the RESP3 null (_) can be told apart.
class RespConn {
 public:
  explicit RespConn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RespConn() { Close(); }
  RespConn(const RespConn&) = delete;
  RespConn& operator=(const RespConn&) = delete;

  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  static std::string Encode(const std::vector<std::string>& args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return out;
  }
  void SendRaw(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  void Send(const std::vector<std::string>& args) { SendRaw(Encode(args)); }

  // The next reply, or nullopt if none arrived within `timeout` (or the
  // server closed the connection: see closed()). `raw` gets its bytes.
  std::optional<RespValue> Read(std::chrono::milliseconds timeout = kDeadline,
                                std::string* raw = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      size_t pos = 0;
      if (auto v = ParseResp(buf_, &pos)) {
        if (raw != nullptr) *raw = buf_.substr(0, pos);
        buf_.erase(0, pos);
        return v;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0 || closed_) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) != 1) continue;
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        closed_ = true;
        continue;
      }
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }
  // The exact bytes of the next reply ("" if none arrived in time).
  std::string ReadRaw(std::chrono::milliseconds timeout = kDeadline) {
    std::string raw;
    Read(timeout, &raw);
    return raw;
  }
  RespValue Call(const std::vector<std::string>& args) {
    Send(args);
    auto v = Read();
    EXPECT_TRUE(v.has_value()) << "no reply to " << args[0];
    return v.value_or(RespValue{});
  }
  // True if the server closed the connection within `timeout` (any bytes
  // sent before are kept for Read).
  bool WaitClosed(std::chrono::milliseconds timeout = kDeadline) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_ && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        closed_ = true;
      } else {
        buf_.append(chunk, static_cast<size_t>(n));
      }
    }
    return closed_;
  }
  // Bytes received and not yet read as a reply.
  const std::string& pending() const { return buf_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buf_;
};

}  // namespace stashd::test
