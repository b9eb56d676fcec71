#include "server/net/systemd_notify.h"

#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace stashd::server {
namespace {

std::string SocketFromEnvironment() {
  const char* env = std::getenv("NOTIFY_SOCKET");
  return env == nullptr ? "" : env;
}

}  // namespace

SystemdNotifier::SystemdNotifier() : SystemdNotifier(SocketFromEnvironment()) {}

SystemdNotifier::SystemdNotifier(const std::string& socket_path) {
  // Only absolute paths and abstract names are valid (sd_notify(3)).
  if (socket_path.size() < 2 || (socket_path[0] != '/' && socket_path[0] != '@') ||
      socket_path.size() >= sizeof(addr_.sun_path)) {
    return;
  }
  addr_.sun_family = AF_UNIX;
  std::memcpy(addr_.sun_path, socket_path.data(), socket_path.size());
  if (socket_path[0] == '@') addr_.sun_path[0] = '\0';
  addr_len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path.size());
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

bool SystemdNotifier::Notify(std::string_view state) {
  if (fd_ < 0) return false;
  ssize_t n = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr_), addr_len_);
  return n == static_cast<ssize_t>(state.size());
}

}  // namespace stashd::server
