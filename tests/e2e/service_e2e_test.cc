// Running stashd as a service, end to end against the real binary: the
// config file and its errors, --test-config, the systemd unit and the
// sd_notify messages, ACL isolation of two bots over the network, the
// client limits (maxclients, query and output buffers, idle timeout,
// keepalive), protected mode, SIGTERM with writes in flight, SIGHUP and the
// log.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/hiredis_client.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

namespace fs = std::filesystem;

// The reply as text: a string, "(integer) n", "(error) ...", "(nil)", or the
// elements of an array joined by ','.
std::string Str(const Reply& r) {
  if (!r) return "<no reply>";
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return std::string(r->str, r->len);
    case REDIS_REPLY_ERROR:
      return "(error) " + std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return "(integer) " + std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (size_t i = 0; i < r->elements; ++i) {
        if (i > 0) out += ',';
        out += r->element[i]->type == REDIS_REPLY_ARRAY
                   ? "[...]"
                   : std::string(r->element[i]->str, r->element[i]->len);
      }
      return out;
    }
    default:
      return "<other>";
  }
}

std::string Do(redisContext* c, const std::vector<std::string>& args) { return Str(Cmd(c, args)); }

// Runs a shell command; returns its output (stdout and stderr) and sets
// *status to its exit status.
std::string Shell(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  if (status != nullptr) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string SourceFile(const std::string& rel) {
  return std::string(STASHD_SOURCE_DIR) + "/" + rel;
}

std::string TempDir(const std::string& name) {
  std::string dir =
      (fs::temp_directory_path() / ("stashd-svc-" + std::to_string(getpid()) + "-" + name))
          .string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A raw TCP client: sends bytes, reads until a size, EOF or timeout.
class RawConn {
 public:
  explicit RawConn(int port, const char* host = "127.0.0.1", int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, host, &addr.sin_addr);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    SetTimeout(3000);
  }
  ~RawConn() { ::close(fd_); }
  bool connected() const { return connected_; }
  void SetTimeout(int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  bool Send(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      ssize_t n = ::send(fd_, s.data() + done, s.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads until `want` bytes, EOF (closed() then true) or the timeout.
  std::string Read(size_t want = SIZE_MAX) {
    std::string out;
    char buf[65536];
    while (out.size() < want) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = n == 0 || errno == ECONNRESET;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

std::string Resp(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Starts the binary with exactly `args` (a config file may come first) and
// waits until `port` accepts connections.
class Launched {
 public:
  Launched(std::vector<std::string> args, int port)
      : pid_(SpawnStashd(std::move(args), port, "see its log")) {}
  ~Launched() { Stop(SIGKILL); }
  // Sends `sig` and waits; returns the exit status (-1 if killed by a signal).
  int Stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -2;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// ---- Configuration ----

TEST(ServiceE2E, ShippedConfigWithCommandLineOverrides) {
  std::string dir = TempDir("conf");
  int port = FreePort();
  Launched server({SourceFile("conf/stashd.conf"), "--port", std::to_string(port), "--dir", dir,
                   "--logfile", dir + "/log", "--maxclients", "77"},
                  port);
  Conn c = Connect(port);
  ASSERT_TRUE(c && !c->err);
  EXPECT_EQ(Do(c.get(), {"config", "get", "port"}), "port," + std::to_string(port));
  EXPECT_EQ(Do(c.get(), {"config", "get", "maxclients"}), "maxclients,77");
  EXPECT_EQ(Do(c.get(), {"config", "get", "appendfsync"}), "appendfsync,everysec");
  std::string info = Do(c.get(), {"info", "server"});
  EXPECT_THAT(info,
              HasSubstr("config_file:" + fs::canonical(SourceFile("conf/stashd.conf")).string()));
  EXPECT_EQ(server.Stop(), 0);
  // Start-up says what it runs and where.
  std::string log = ReadFile(dir + "/log");
  EXPECT_THAT(log, HasSubstr("stashd 0.1.0 starting"));
  EXPECT_THAT(log, HasSubstr("config file: "));
  EXPECT_THAT(log, HasSubstr("Listening on port " + std::to_string(port)));
  EXPECT_THAT(log, HasSubstr("Data loaded: 0 keys"));
  fs::remove_all(dir);
}

TEST(ServiceE2E, ConfigErrorsExitNonZeroNamingFileLineAndDirective) {
  std::string dir = TempDir("badconf");
  std::string conf = dir + "/bad.conf";
  std::ofstream(conf) << "# comment\nport 6380\nmaxclients lots\n";
  int status = 0;
  std::string out = Shell(std::string(STASHD_BINARY) + " " + conf, &status);
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out,
              HasSubstr(conf + ":3: 'maxclients': argument couldn't be parsed into an integer"));
  out = Shell(std::string(STASHD_BINARY) + " --test-config " + conf, &status);
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr(conf + ":3: 'maxclients'"));
  out = Shell(std::string(STASHD_BINARY) + " --test-config " + SourceFile("conf/stashd.conf"),
              &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("is OK"));
  // An ACL file with an error fails the check, and the start-up.
  std::ofstream(dir + "/users.acl") << "user bot1 on +nosuchcommand\n";
  std::ofstream(conf) << "aclfile " << dir << "/users.acl\n";
  out = Shell(std::string(STASHD_BINARY) + " --test-config " + conf, &status);
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("users.acl:1: Unknown command or category name in ACL"));
  out = Shell(std::string(STASHD_BINARY) + " " + conf + " --port 0 --dir " + dir, &status);
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("errors in the ACL file"));
  fs::remove_all(dir);
}

// ---- systemd ----

// A datagram socket standing for systemd's notification socket.
class FakeNotifySocket {
 public:
  FakeNotifySocket() {
    path_ = (fs::temp_directory_path() / ("stashd-notify-" + std::to_string(getpid()))).string();
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  }
  ~FakeNotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  // The next datagram, or "" after `timeout_ms`.
  std::string Next(int timeout_ms = 10000) {
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string path_;
  int fd_;
};

TEST(ServiceE2E, SdNotifyMessagesInOrder) {
  FakeNotifySocket notify;
  std::string dir = TempDir("notify");
  // Some data to load, so that READY comes after a real load.
  {
    ServerProcess first({}, dir);
    Conn c = Connect(first.port());
    for (int i = 0; i < 100; ++i) Cmd(c.get(), {"set", "k" + std::to_string(i), "v"});
    ASSERT_EQ(first.Stop(), 0);
  }
  ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{}, dir);
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(notify.Next(), "STATUS=Loading the data from " + fs::canonical(dir).string());
  EXPECT_EQ(notify.Next(), "READY=1\nSTATUS=Ready to accept connections: 100 keys loaded");
  Conn c = Connect(server->port());
  EXPECT_EQ(Do(c.get(), {"dbsize"}), "(integer) 100");
  int status = server->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(notify.Next(), "STOPPING=1\nSTATUS=Saving the final snapshot");
  EXPECT_EQ(notify.Next(500), "");
  fs::remove_all(dir);
}

TEST(ServiceE2E, WithoutNotifySocketNothingIsSent) {
  // NOTIFY_SOCKET unset: the server starts and stops as usual.
  ::unsetenv("NOTIFY_SOCKET");
  ServerProcess server;
  Conn c = Connect(server.port());
  EXPECT_EQ(Do(c.get(), {"ping"}), "PONG");
  int status = server.Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(ServiceE2E, SystemdAnalyzeVerifiesTheUnit) {
  if (Shell("command -v systemd-analyze").empty()) GTEST_SKIP() << "no systemd-analyze";
  // Verify checks that ExecStart= exists: point it at the built binary.
  std::string dir = TempDir("unit");
  std::string unit = ReadFile(SourceFile("conf/stashd.service"));
  size_t pos;
  while ((pos = unit.find("/usr/local/bin/stashd")) != std::string::npos) {
    unit.replace(pos, std::string("/usr/local/bin/stashd").size(), STASHD_BINARY);
  }
  ASSERT_THAT(unit, HasSubstr("Type=notify"));
  std::ofstream(dir + "/stashd.service") << unit;
  int status = 0;
  std::string out = Shell("systemd-analyze verify " + dir + "/stashd.service", &status);
  if (out.find("Failed to connect") != std::string::npos ||
      out.find("System has not been booted with systemd") != std::string::npos) {
    GTEST_SKIP() << out;
  }
  EXPECT_EQ(status, 0) << out;
  // Warnings ("Unknown key", "Failed to parse") do not change the status.
  EXPECT_EQ(out, "");
  fs::remove_all(dir);
}

// ---- ACL: two bots over the network ----

TEST(ServiceE2E, AclIsolatesTwoBots) {
  std::string dir = TempDir("acl");
  std::ofstream(dir + "/users.acl")
      << "user default on nopass ~* &* +@all\n"
         "user bot1 on >pw1 ~user:bot1:* ~state:bot1:* ~global:bot1:* +@all -@admin "
         "-@dangerous +delprefix +keys\n"
         "user bot2 on >pw2 ~user:bot2:* ~state:bot2:* ~global:bot2:* +@all -@admin "
         "-@dangerous +delprefix +keys\n";
  ServerProcess server({"--aclfile", dir + "/users.acl"}, dir);
  Conn admin = Connect(server.port());
  for (const char* b : {"bot1", "bot2"}) {
    for (const char* scope : {"user", "state", "global"}) {
      Cmd(admin.get(), {"set", std::string(scope) + ":" + b + ":k", b});
    }
  }
  Conn bot1 = Connect(server.port());
  EXPECT_EQ(Do(bot1.get(), {"auth", "bot1", "wrong"}),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(Do(bot1.get(), {"auth", "bot1", "pw1"}), "OK");
  Conn bot2 = Connect(server.port());
  EXPECT_EQ(Do(bot2.get(), {"hello", "2", "auth", "bot2", "pw2"}).substr(0, 6), "server");
  const std::string noperm_key =
      "(error) NOPERM this user has no permissions to access one of the keys used as arguments";
  // Reads and writes.
  EXPECT_EQ(Do(bot1.get(), {"get", "user:bot1:k"}), "bot1");
  EXPECT_EQ(Do(bot1.get(), {"get", "user:bot2:k"}), noperm_key);
  EXPECT_EQ(Do(bot1.get(), {"set", "state:bot2:k", "x"}), noperm_key);
  EXPECT_EQ(Do(bot2.get(), {"del", "global:bot1:k"}), noperm_key);
  // DELPREFIX, RENAME and COPY across prefixes.
  EXPECT_EQ(Do(bot1.get(), {"delprefix", "user:bot2:"}), noperm_key);
  EXPECT_EQ(Do(bot1.get(), {"delprefix", "user:"}), noperm_key);
  EXPECT_EQ(Do(bot1.get(), {"rename", "user:bot1:k", "user:bot2:k"}), noperm_key);
  EXPECT_EQ(Do(bot1.get(), {"copy", "user:bot2:k", "user:bot1:copy"}), noperm_key);
  EXPECT_EQ(Do(bot1.get(), {"flushall"}),
            "(error) NOPERM this user has no permissions to run the 'flushall' command");
  // KEYS and SCAN list only the bot's own keys.
  Reply keys = Cmd(bot1.get(), {"keys", "*"});
  ASSERT_EQ(keys->type, REDIS_REPLY_ARRAY);
  std::vector<std::string> names;
  for (size_t i = 0; i < keys->elements; ++i) names.push_back(keys->element[i]->str);
  EXPECT_THAT(names, UnorderedElementsAre("user:bot1:k", "state:bot1:k", "global:bot1:k"));
  Reply scan = Cmd(bot2.get(), {"scan", "0", "count", "1000"});
  ASSERT_EQ(scan->type, REDIS_REPLY_ARRAY);
  names.clear();
  for (size_t i = 0; i < scan->element[1]->elements; ++i) {
    names.push_back(scan->element[1]->element[i]->str);
  }
  EXPECT_THAT(names, UnorderedElementsAre("user:bot2:k", "state:bot2:k", "global:bot2:k"));
  // Own prefixes work, and nothing of the other bot moved.
  EXPECT_EQ(Do(bot1.get(), {"delprefix", "state:bot1:"}), "(integer) 1");
  EXPECT_EQ(Do(admin.get(), {"dbsize"}), "(integer) 5");
  // Failed AUTH is counted in INFO and in ACL LOG.
  EXPECT_THAT(Do(admin.get(), {"info", "stats"}), HasSubstr("acl_access_denied_auth:1"));
  Reply log = Cmd(admin.get(), {"acl", "log"});
  ASSERT_EQ(log->type, REDIS_REPLY_ARRAY);
  bool auth_logged = false;
  for (size_t i = 0; i < log->elements; ++i) {
    redisReply* e = log->element[i];
    if (std::string(e->element[3]->str) == "auth" && std::string(e->element[9]->str) == "bot1") {
      auth_logged = true;
    }
  }
  EXPECT_TRUE(auth_logged);
  // ACL SAVE writes the users back; they survive a restart.
  EXPECT_EQ(Do(admin.get(), {"acl", "setuser", "bot3", "on", ">pw3", "~user:bot3:*", "+get"}),
            "OK");
  EXPECT_EQ(Do(admin.get(), {"acl", "save"}), "OK");
  EXPECT_THAT(ReadFile(dir + "/users.acl"), HasSubstr("user bot3 on #"));
  fs::remove_all(dir);
}

// ---- Limits ----

TEST(ServiceE2E, MaxClientsRefusesWithRedisError) {
  ServerProcess server({"--maxclients", "2"});
  RawConn a(server.port());
  RawConn b(server.port());
  ASSERT_TRUE(a.Send(Resp({"PING"})));
  ASSERT_TRUE(b.Send(Resp({"PING"})));
  EXPECT_EQ(a.Read(7), "+PONG\r\n");
  EXPECT_EQ(b.Read(7), "+PONG\r\n");
  RawConn c(server.port());
  EXPECT_EQ(c.Read(), "-ERR max number of clients reached\r\n");
  EXPECT_TRUE(c.closed());
  ASSERT_TRUE(a.Send(Resp({"INFO", "stats"})));
  std::string info = a.Read(2000);
  EXPECT_THAT(info, HasSubstr("rejected_connections:1"));
}

// Before AUTH, Redis 7.0's limits: more than 10 arguments or a bulk string
// over 16384 bytes is answered at once and the connection closed, so a
// stranger cannot make the server hold a large command.
TEST(ServiceE2E, UnauthenticatedClientsCannotSendLargeCommands) {
  ServerProcess server({"--requirepass", "secret"});
  {
    RawConn c(server.port());
    ASSERT_TRUE(c.Send("*11\r\n"));
    EXPECT_EQ(c.Read(), "-ERR Protocol error: unauthenticated multibulk length\r\n");
    EXPECT_TRUE(c.closed());
  }
  {
    RawConn c(server.port());
    ASSERT_TRUE(c.Send("*2\r\n$3\r\nGET\r\n$16385\r\n"));
    EXPECT_EQ(c.Read(), "-ERR Protocol error: unauthenticated bulk length\r\n");
    EXPECT_TRUE(c.closed());
  }
  {
    // A 400 MB announcement is refused before a byte of it is held.
    RawConn c(server.port());
    ASSERT_TRUE(c.Send("*1\r\n$400000000\r\n"));
    EXPECT_EQ(c.Read(), "-ERR Protocol error: unauthenticated bulk length\r\n");
  }
  {
    // Within the limits, the command is parsed and refused as usual; the
    // limits hold for the next command too.
    RawConn c(server.port());
    ASSERT_TRUE(c.Send(Resp({"SET", "k", std::string(16384, 'v')}) + "*11\r\n"));
    EXPECT_EQ(c.Read(),
              "-NOAUTH Authentication required.\r\n"
              "-ERR Protocol error: unauthenticated multibulk length\r\n");
    EXPECT_TRUE(c.closed());
  }
  {
    // AUTH lifts them for what follows, in the same pipeline.
    RawConn c(server.port());
    std::vector<std::string> mset = {"MSET"};
    for (int i = 0; i < 5; ++i) {
      mset.push_back("k" + std::to_string(i));
      mset.push_back(std::string(20000, 'v'));
    }
    ASSERT_TRUE(c.Send(Resp({"AUTH", "secret"}) + Resp(mset) + Resp({"STRLEN", "k4"})));
    EXPECT_EQ(c.Read(18), "+OK\r\n+OK\r\n:20000\r\n");
  }
  {
    // Without a password every client is trusted from the start.
    ServerProcess open_server;
    RawConn c(open_server.port());
    ASSERT_TRUE(c.Send(Resp({"SET", "k", std::string(20000, 'v')})));
    EXPECT_EQ(c.Read(5), "+OK\r\n");
  }
}

// The open-files limit of a running server, lowered from outside (as a
// smaller `ulimit -n` would be).
void SetOpenFilesLimit(pid_t pid, rlim_t soft, rlim_t hard) {
  struct rlimit limit = {soft, hard};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr), 0) << std::strerror(errno);
}

// CPU seconds (user + system) a process has used.
double CpuSeconds(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// As Redis: CONFIG SET maxclients beyond what the open-files limit allows is
// refused, naming the number that fits (limit - 32).
TEST(ServiceE2E, MaxclientsBeyondTheOpenFilesLimitIsRefused) {
  ServerProcess server;
  SetOpenFilesLimit(server.pid(), 256, 256);
  Conn c = Connect(server.port());
  EXPECT_EQ(Do(c.get(), {"CONFIG", "SET", "maxclients", "5000"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'maxclients') - The "
            "operating system is not able to handle the specified number of clients, try with 224");
  EXPECT_EQ(Do(c.get(), {"CONFIG", "GET", "maxclients"}), "maxclients,10000");
  EXPECT_EQ(Do(c.get(), {"CONFIG", "SET", "maxclients", "225"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'maxclients') - The "
            "operating system is not able to handle the specified number of clients, try with 224");
  EXPECT_EQ(Do(c.get(), {"CONFIG", "SET", "maxclients", "224"}), "OK");
  EXPECT_EQ(Do(c.get(), {"CONFIG", "GET", "maxclients"}), "maxclients,224");
  // At start-up the directive is lowered to fit instead, with a warning.
  int status = 0;
  const std::string dir = TempDir("lowfds");
  std::string out = Shell("ulimit -n 256 && " + std::string(STASHD_BINARY) +
                              " --port 0 --appendonly no --save '' --dir " + dir +
                              " --maxclients 5000 & pid=$!; sleep 1; kill $pid; wait $pid",
                          &status);
  EXPECT_THAT(out, HasSubstr("maxclients has been reduced to 224"));
  fs::remove_all(dir);
}

// Out of file descriptors, the accept loop pauses between attempts instead
// of spinning, logs once per interval, and still tells each waiting client
// why it is refused.
TEST(ServiceE2E, OutOfDescriptorsTheAcceptLoopBacksOffAndRefusesClients) {
  ServerProcess server;
  Conn first = Connect(server.port());
  ASSERT_EQ(Do(first.get(), {"PING"}), "PONG");
  // RLIMIT_NOFILE bounds descriptor numbers: set it just above the highest
  // one in use; the free numbers below it (`gaps`) still take clients.
  size_t open_fds = 0;
  int max_fd = 0;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(server.pid()) + "/fd")) {
    ++open_fds;
    max_fd = std::max(max_fd, std::stoi(e.path().filename().string()));
  }
  const size_t gaps = static_cast<size_t>(max_fd) + 1 - open_fds;
  SetOpenFilesLimit(server.pid(), max_fd + 1, max_fd + 1);
  std::vector<std::unique_ptr<RawConn>> extra;
  for (size_t i = 0; i < gaps + 8; ++i) {
    extra.push_back(std::make_unique<RawConn>(server.port()));
    if (i < gaps) {  // served: wait until it is, so that the order is known
      ASSERT_TRUE(extra.back()->Send("PING\r\n"));
      ASSERT_EQ(extra.back()->Read(7), "+PONG\r\n");
    }
  }
  const double cpu_before = CpuSeconds(server.pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double cpu = CpuSeconds(server.pid()) - cpu_before;
  EXPECT_LT(cpu, 0.2) << "the accept loop spins";
  for (size_t i = gaps; i < extra.size(); ++i) {
    EXPECT_EQ(extra[i]->Read(), "-ERR max number of clients reached\r\n") << i;
    EXPECT_TRUE(extra[i]->closed());
  }
  EXPECT_EQ(Do(first.get(), {"PING"}), "PONG");
  std::string log = ReadFile(server.dir() + "/stashd.log");
  size_t lines = 0;
  for (size_t pos = log.find("Accepting client connection"); pos != std::string::npos;
       pos = log.find("Accepting client connection", pos + 1)) {
    ++lines;
  }
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 2u) << log;
}

// INFO's used_memory, in bytes.
int64_t UsedMemory(redisContext* c) {
  std::string info = Do(c, {"INFO", "memory"});
  auto pos = info.find("used_memory:");
  return pos == std::string::npos ? -1 : std::stoll(info.substr(pos + 12));
}

// The buffers one large value went through (the query buffer, the write
// log's) are given back once it is stored, and nothing is left after DEL.
TEST(ServiceE2E, MemoryOfALargeValueIsGivenBackAfterDel) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator keeps freed memory in quarantine (used_memory is RSS there)";
#endif
  ServerProcess server({"--appendonly", "yes"});
  Conn c = Connect(server.port(), 20000);
  const int64_t base = UsedMemory(c.get());
  const std::string big(64 << 20, 'v');
  ASSERT_EQ(Do(c.get(), {"SET", "big", big}), "OK");
  ASSERT_EQ(Do(c.get(), {"DEL", "big"}), "(integer) 1");
  int64_t used = 0;
  // The log is written within its second; a loaded machine (CI) may take
  // several to write 64 MB, so wait up to 20 s.
  for (int i = 0; i < 200; ++i) {
    used = UsedMemory(c.get());
    if (used - base < (8 << 20)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LT(used - base, 8 << 20) << "base " << base << ", after DEL " << used;
}

// The server's peak resident memory (VmHWM), in bytes.
int64_t PeakRss(pid_t pid) {
  std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
  auto pos = status.find("VmHWM:");
  return pos == std::string::npos ? -1 : std::stoll(status.substr(pos + 6)) * 1024;
}

// SET of a large value with the write log on holds three copies at its peak:
// the argument, the stored value and the log record (each exactly sized; it
// was five: the argument rounded up to a power of two, the record doubled
// while encoded and copied again into the log's buffer). The stored value
// and the log record are the store's and the log's own copies.
TEST(ServiceE2E, PeakMemoryOfALargeSetIsThreeTimesTheValue) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator keeps freed memory in quarantine";
#endif
  // No automatic snapshot in the middle (its SQLite pages would count too).
  ServerProcess server({"--appendonly", "yes", "--auto-aof-rewrite-min-size", "1gb"});
  Conn c = Connect(server.port(), 20000);
  const int64_t base = PeakRss(server.pid());
  const int64_t size = 100 << 20;
  ASSERT_EQ(Do(c.get(), {"SET", "big", std::string(size, 'v')}), "OK");
  const int64_t peak = PeakRss(server.pid()) - base;
  EXPECT_LT(peak, size * 7 / 2) << "peak " << peak / (1 << 20) << " MB for a 100 MB value";
}

TEST(ServiceE2E, QueryBufferLimitClosesTheClient) {
  ServerProcess server({"--client-query-buffer-limit", "1mb"});
  // A value just under the limit is fine.
  RawConn ok(server.port());
  ASSERT_TRUE(ok.Send(Resp({"SET", "k", std::string(900 * 1024, 'x')})));
  EXPECT_EQ(ok.Read(5), "+OK\r\n");
  // A command that keeps growing past it closes the connection, no reply.
  RawConn big(server.port());
  big.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n");
  big.Send(std::string(1500 * 1024, 'y'));
  EXPECT_EQ(big.Read(), "");
  EXPECT_TRUE(big.closed());
  RawConn after(server.port());
  ASSERT_TRUE(after.Send(Resp({"STRLEN", "k"})));
  EXPECT_EQ(after.Read(9), ":921600\r\n");
}

// Resident memory of a process, from /proc.
uint64_t RssBytes(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  uint64_t size = 0;
  uint64_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

TEST(ServiceE2E, OutputBufferLimitClosesAPipelinedReaderThatNeverReads) {
  ServerProcess server({"--client-output-buffer-limit", "normal 4mb 0 0"});
  Conn admin = Connect(server.port());
  const std::string value(256 * 1024, 'v');
  ASSERT_EQ(Do(admin.get(), {"set", "big", value}), "OK");
  const uint64_t rss_before = RssBytes(server.pid());
  // 2000 pipelined GETs of 256 KiB: 500 MiB of replies if nothing stopped it.
  RawConn greedy(server.port(), "127.0.0.1", 4096);
  std::string pipeline;
  for (int i = 0; i < 2000; ++i) pipeline += Resp({"GET", "big"});
  greedy.Send(pipeline);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const uint64_t rss_after = RssBytes(server.pid());
  EXPECT_LT(rss_after, rss_before + 64ull * 1024 * 1024)
      << "before " << rss_before << " after " << rss_after;
  // The client is disconnected before its replies pass the limit by much.
  greedy.SetTimeout(5000);
  std::string got = greedy.Read();
  EXPECT_TRUE(greedy.closed());
  EXPECT_LT(got.size(), 8u * 1024 * 1024);
  // The server goes on serving others.
  EXPECT_EQ(Do(admin.get(), {"strlen", "big"}), "(integer) 262144");
  // The default limit is 256mb for normal clients.
  ServerProcess defaults;
  Conn d = Connect(defaults.port());
  EXPECT_EQ(Do(d.get(), {"config", "get", "client-output-buffer-limit"}),
            "client-output-buffer-limit,normal 268435456 0 0 slave 268435456 67108864 60 pubsub "
            "33554432 8388608 60");
}

TEST(ServiceE2E, OutputBufferSoftLimitClosesASlowReader) {
  ServerProcess server({"--client-output-buffer-limit", "normal 0 1mb 1", "--hz", "50"});
  Conn admin = Connect(server.port());
  ASSERT_EQ(Do(admin.get(), {"set", "big", std::string(16 * 1024 * 1024, 'v')}), "OK");
  RawConn slow(server.port(), "127.0.0.1", 4096);
  slow.Send(Resp({"GET", "big"}));
  // It reads nothing for a while: the reply stays stuck above the soft limit.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  slow.SetTimeout(5000);
  std::string got = slow.Read();
  EXPECT_TRUE(slow.closed());
  EXPECT_LT(got.size(), 16u * 1024 * 1024);
  // A client that reads at once gets the whole value.
  Conn fast = Connect(server.port());
  EXPECT_EQ(Do(fast.get(), {"get", "big"}).size(), 16u * 1024 * 1024);
}

TEST(ServiceE2E, IdleClientsAreClosedAfterTimeout) {
  ServerProcess server({"--timeout", "1"});
  RawConn idle(server.port());
  ASSERT_TRUE(idle.Send(Resp({"PING"})));
  EXPECT_EQ(idle.Read(7), "+PONG\r\n");
  idle.SetTimeout(5000);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(idle.Read(), "");
  EXPECT_TRUE(idle.closed());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  // A client that keeps talking stays.
  RawConn busy(server.port());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(busy.Send(Resp({"PING"})));
    EXPECT_EQ(busy.Read(7), "+PONG\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
}

TEST(ServiceE2E, TcpKeepaliveIsSetOnClientSockets) {
  if (Shell("command -v ss").empty()) GTEST_SKIP() << "no ss";
  ServerProcess server({"--tcp-keepalive", "7"});
  RawConn c(server.port());
  ASSERT_TRUE(c.Send(Resp({"PING"})));
  ASSERT_EQ(c.Read(7), "+PONG\r\n");
  std::string ss =
      Shell("ss -tnoH state established '( sport = :" + std::to_string(server.port()) + " )'");
  EXPECT_THAT(ss, HasSubstr("keepalive")) << ss;
  // 0 turns it off (for new connections).
  Conn admin = Connect(server.port());
  EXPECT_EQ(Do(admin.get(), {"config", "set", "tcp-keepalive", "0"}), "OK");
  RawConn d(server.port());
  ASSERT_TRUE(d.Send(Resp({"CLIENT", "ID"})));
  std::string id = d.Read();
  ASSERT_THAT(id, StartsWith(":"));
  // The new connection is the only one without a keepalive timer.
  ss = Shell("ss -tnoH state established '( sport = :" + std::to_string(server.port()) + " )'");
  size_t lines = 0;
  size_t with_timer = 0;
  std::istringstream in(ss);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    if (line.find("keepalive") != std::string::npos) ++with_timer;
  }
  EXPECT_EQ(lines, 3u) << ss;
  EXPECT_EQ(with_timer, 2u) << ss;
}

// ---- Protected mode ----

// A non-loopback IPv4 address of this host, or "".
std::string ExternalAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* i = list; i != nullptr && found.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(a->sin_addr.s_addr) >> 24) == 127) continue;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf));
    found = buf;
  }
  freeifaddrs(list);
  return found;
}

TEST(ServiceE2E, ProtectedModeAcceptsOnlyLoopbackWithoutPassword) {
  std::string external = ExternalAddress();
  if (external.empty()) GTEST_SKIP() << "no non-loopback IPv4 address";
  ServerProcess server({"--bind", "0.0.0.0"});
  RawConn outside(server.port(), external.c_str());
  ASSERT_TRUE(outside.connected());
  const std::string denied =
      "-DENIED Redis is running in protected mode because protected mode is enabled and no "
      "password is set for the default user. In this mode connections are only accepted from "
      "the loopback interface. If you want to connect from external computers to Redis you may "
      "adopt one of the following solutions: 1) Just disable protected mode sending the command "
      "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
      "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
      "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
      "Alternatively you can just disable the protected mode by editing the Redis configuration "
      "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
      "If you started the server manually just for testing, restart it with the "
      "'--protected-mode no' option. 4) Setup a an authentication password for the default "
      "user. NOTE: You only need to do one of the above things in order for the server to start "
      "accepting connections from the outside.\r\n";
  EXPECT_EQ(outside.Read(), denied);
  EXPECT_TRUE(outside.closed());
  // Loopback clients are served.
  Conn local = Connect(server.port());
  EXPECT_EQ(Do(local.get(), {"ping"}), "PONG");
  // With a password, outside clients connect (and must authenticate).
  EXPECT_EQ(Do(local.get(), {"config", "set", "requirepass", "pw"}), "OK");
  RawConn outside2(server.port(), external.c_str());
  ASSERT_TRUE(outside2.Send(Resp({"PING"})));
  const std::string noauth = "-NOAUTH Authentication required.\r\n";
  EXPECT_EQ(outside2.Read(noauth.size()), noauth);
  ASSERT_TRUE(outside2.Send(Resp({"AUTH", "pw"})));
  EXPECT_EQ(outside2.Read(5), "+OK\r\n");
  // protected-mode no opens the server without a password.
  EXPECT_EQ(Do(local.get(), {"auth", "pw"}), "OK");
  EXPECT_EQ(Do(local.get(), {"config", "set", "requirepass", ""}), "OK");
  EXPECT_EQ(Do(local.get(), {"config", "set", "protected-mode", "no"}), "OK");
  RawConn outside3(server.port(), external.c_str());
  ASSERT_TRUE(outside3.Send(Resp({"PING"})));
  EXPECT_EQ(outside3.Read(7), "+PONG\r\n");
}

// ---- Shutdown ----

TEST(ServiceE2E, SigtermWithWritesInFlightLosesNothingAcknowledged) {
  std::string dir = TempDir("sigterm");
  auto server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--appendfsync", "everysec", "--save", ""}, dir);
  const int port = server->port();
  std::mutex mu;
  std::map<std::string, std::string> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      Conn c = Connect(port);
      if (!c || c->err) return;
      for (int i = 0; !stop.load(); ++i) {
        // Pipelines of 20 SETs: some are in flight when SIGTERM arrives.
        const int batch = 20;
        for (int j = 0; j < batch; ++j) {
          std::string key = "w" + std::to_string(w) + ":" + std::to_string(i * batch + j);
          redisAppendCommand(c.get(), "SET %s %s", key.c_str(), key.c_str());
        }
        for (int j = 0; j < batch; ++j) {
          redisReply* r = nullptr;
          if (redisGetReply(c.get(), reinterpret_cast<void**>(&r)) != REDIS_OK || r == nullptr) {
            return;
          }
          if (r->type == REDIS_REPLY_STATUS) {
            std::string key = "w" + std::to_string(w) + ":" + std::to_string(i * batch + j);
            std::lock_guard lock(mu);
            acked[key] = key;
          }
          freeReplyObject(r);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  int status = server->Stop(SIGTERM);
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_GT(acked.size(), 100u);
  server.reset();

  ServerProcess again({}, dir);
  Conn c = Connect(again.port());
  size_t missing = 0;
  for (const auto& [key, value] : acked) redisAppendCommand(c.get(), "GET %s", key.c_str());
  for (const auto& [key, value] : acked) {
    redisReply* r = nullptr;
    ASSERT_EQ(redisGetReply(c.get(), reinterpret_cast<void**>(&r)), REDIS_OK);
    Reply reply(r);
    if (Str(reply) != value) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged writes";
  fs::remove_all(dir);
}

// ---- Logging ----

TEST(ServiceE2E, SighupReopensTheLogFileAndNothingIsLoggedPerCommand) {
  std::string dir = TempDir("log");
  ServerProcess server({"--save", ""}, dir);
  const std::string log = dir + "/stashd.log";
  Conn c = Connect(server.port());
  ASSERT_EQ(Do(c.get(), {"ping"}), "PONG");
  const std::string before = ReadFile(log);
  EXPECT_THAT(before, HasSubstr(":M "));
  EXPECT_THAT(before, HasSubstr(" * Ready to accept connections"));
  // Commands, errors and failed AUTHs log nothing at the default level.
  for (int i = 0; i < 50; ++i) {
    Cmd(c.get(), {"set", "k" + std::to_string(i), "v"});
    Cmd(c.get(), {"get", "k"});
    Cmd(c.get(), {"nosuchcommand"});
    Cmd(c.get(), {"auth", "x", "y"});
  }
  EXPECT_EQ(ReadFile(log), before);
  // logrotate: move the file away, SIGHUP, and the next lines go to a new one.
  fs::rename(log, log + ".1");
  ::kill(server.pid(), SIGHUP);
  for (int i = 0; i < 100 && !fs::exists(log); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(fs::exists(log));
  EXPECT_EQ(Do(c.get(), {"save"}), "OK");
  EXPECT_THAT(ReadFile(log), HasSubstr("DB saved on disk"));
  EXPECT_THAT(ReadFile(log + ".1"), HasSubstr("Received SIGHUP"));
  // loglevel verbose shows protocol errors; warning hides notices.
  EXPECT_EQ(Do(c.get(), {"config", "set", "loglevel", "verbose"}), "OK");
  RawConn bad(server.port());
  bad.Send("*1\r\n$x\r\n");
  bad.Read();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_THAT(ReadFile(log), HasSubstr(" - Protocol error"));
  EXPECT_EQ(Do(c.get(), {"config", "set", "loglevel", "warning"}), "OK");
  const std::string quiet = ReadFile(log);
  EXPECT_EQ(Do(c.get(), {"save"}), "OK");
  EXPECT_EQ(ReadFile(log), quiet);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace stashd::test
