// Tells systemd how the service is doing, with the notification protocol of
// sd_notify(3): newline-separated assignments ("READY=1", "STATUS=...",
// "STOPPING=1") sent as one datagram to the AF_UNIX socket named by
// $NOTIFY_SOCKET (a path, or an abstract name when it starts with '@').
// systemd sets $NOTIFY_SOCKET for a Type=notify service; without it every
// call does nothing, so the server behaves the same outside systemd.
//
// The server sends, in this order: STATUS= lines while it loads its data,
// READY=1 once the data is loaded and clients are served, STOPPING=1 when
// it starts shutting down, and STATUS= lines during the final save.
//
// Thread safety: Notify() may be called from any thread.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <string>
#include <string_view>

namespace stashd::server {

class SystemdNotifier {
 public:
  // Uses $NOTIFY_SOCKET.
  SystemdNotifier();
  // Uses `socket_path` ("" = disabled), e.g. in tests.
  explicit SystemdNotifier(const std::string& socket_path);
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return fd_ >= 0; }

  // Sends `state` as one datagram. False if disabled or the send failed.
  bool Notify(std::string_view state);
  bool Status(std::string_view status) { return Notify("STATUS=" + std::string(status)); }
  bool Ready(std::string_view status) { return Notify("READY=1\nSTATUS=" + std::string(status)); }
  bool Stopping(std::string_view status) {
    return Notify("STOPPING=1\nSTATUS=" + std::string(status));
  }

 private:
  int fd_ = -1;
  sockaddr_un addr_{};
  socklen_t addr_len_ = 0;
};

}  // namespace stashd::server
