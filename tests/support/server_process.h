// Starts the real stashd binary on a free loopback port for end-to-end tests
// and stops it (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace stashd::test {

// A port that was free a moment ago (bind to 0, read it, close).
inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

// True if a server on `port` answers a PING (any reply: +PONG, -NOAUTH ...)
// within 200 ms. stashd listens before it loads its data and serves nobody
// until the load is done, so a connection alone says nothing: a server
// that then refuses to start (a damaged snapshot) has accepted it too.
inline bool Serves(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
    pollfd p{fd, POLLIN, 0};
    char byte;
    ok = ::poll(&p, 1, 200) == 1 && ::recv(fd, &byte, 1, 0) == 1;
  }
  ::close(fd);
  return ok;
}

// Starts the stashd binary with `args` (after argv[0]) and waits until it
// serves clients on `port`; returns its pid. Throws if it exits first or
// does not start within 20 s (`hint` says where to look).
inline pid_t SpawnStashd(std::vector<std::string> args, int port, const std::string& hint) {
  args.insert(args.begin(), STASHD_BINARY);
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!Serves(port)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      throw std::runtime_error("stashd exited at start-up; " + hint);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      throw std::runtime_error("stashd did not start; " + hint);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pid;
}

class ServerProcess {
 public:
  // Extra arguments are passed after --port/--bind/--dir.
  explicit ServerProcess(std::vector<std::string> extra = {}, std::string dir = "") {
    port_ = FreePort();
    if (dir.empty()) {
      dir = (std::filesystem::temp_directory_path() /
             ("stashd-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(port_)))
                .string();
    }
    dir_ = dir;
    std::filesystem::create_directories(dir_);
    std::vector<std::string> args = {
        "--port",    std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_,
        "--logfile", dir_ + "/stashd.log"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = SpawnStashd(std::move(args), port_, "see " + dir_ + "/stashd.log");
  }
  ~ServerProcess() { Stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // SIGTERM and wait; returns the exit status (or -1).
  int Stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;
};

}  // namespace stashd::test
