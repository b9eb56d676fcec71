// CONFIG SET port / bind on the real binary: a new port is opened before the
// old one closes, a port in use is refused with Redis's error while the old
// port keeps serving, and connected clients stay connected.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "support/hiredis_client.h"
#include "support/server_process.h"

namespace stashd::test {
namespace {

// A socket listening on 127.0.0.1 (an ephemeral port) until destroyed.
class Occupied {
 public:
  Occupied() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Occupied() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string Str(const Reply& r) { return r && r->str != nullptr ? std::string(r->str) : ""; }

std::string ConfigGet(redisContext* c, const std::string& name) {
  Reply r = Cmd(c, {"CONFIG", "GET", name});
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return "<no reply>";
  return r->element[1]->str;
}

// Waits up to 2 s for Serves(port) to become `want`.
bool EventuallyServes(int port, bool want) {
  for (int i = 0; i < 100; ++i) {
    if (Serves(port) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(ConfigListenE2E, PortInUseIsRefusedAndTheOldPortServesOn) {
  ServerProcess server;
  Conn c = Connect(server.port());
  ASSERT_TRUE(c && !c->err);
  Occupied busy;
  Reply r = Cmd(c.get(), {"CONFIG", "SET", "port", std::to_string(busy.port())});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(Str(r),
            "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on "
            "this port. Check server logs.");
  EXPECT_EQ(ConfigGet(c.get(), "port"), std::to_string(server.port()));
  EXPECT_TRUE(Serves(server.port()));
  Conn fresh = Connect(server.port());
  ASSERT_TRUE(fresh && !fresh->err);
  EXPECT_EQ(Str(Cmd(fresh.get(), {"PING"})), "PONG");

  // All or nothing: a refused port puts back what the same CONFIG SET changed.
  r = Cmd(c.get(), {"CONFIG", "SET", "hz", "50", "port", std::to_string(busy.port())});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(ConfigGet(c.get(), "hz"), "10");
}

TEST(ConfigListenE2E, LivePortChangeKeepsConnectedClients) {
  ServerProcess server;
  const int old_port = server.port();
  Conn c = Connect(old_port);
  ASSERT_TRUE(c && !c->err);
  ASSERT_EQ(Str(Cmd(c.get(), {"SET", "k", "v"})), "OK");
  const int new_port = FreePort();
  Reply r = Cmd(c.get(), {"CONFIG", "SET", "port", std::to_string(new_port)});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->type, REDIS_REPLY_STATUS) << Str(r);
  EXPECT_EQ(Str(r), "OK");

  EXPECT_TRUE(Serves(new_port));
  EXPECT_TRUE(EventuallyServes(old_port, false)) << "the old port still accepts clients";
  // The connection made on the old port is still served.
  EXPECT_EQ(Str(Cmd(c.get(), {"GET", "k"})), "v");
  EXPECT_EQ(ConfigGet(c.get(), "port"), std::to_string(new_port));
  Conn moved = Connect(new_port);
  ASSERT_TRUE(moved && !moved->err);
  EXPECT_EQ(Str(Cmd(moved.get(), {"GET", "k"})), "v");
  Reply info = Cmd(moved.get(), {"INFO", "server"});
  ASSERT_TRUE(info);
  EXPECT_NE(Str(info).find("tcp_port:" + std::to_string(new_port) + "\r\n"), std::string::npos);

  // The same port again: nothing to do.
  EXPECT_EQ(Str(Cmd(moved.get(), {"CONFIG", "SET", "port", std::to_string(new_port)})), "OK");
  EXPECT_TRUE(Serves(new_port));
}

TEST(ConfigListenE2E, BindChange) {
  ServerProcess server;
  Conn c = Connect(server.port());
  ASSERT_TRUE(c && !c->err);
  // An address of no local interface (TEST-NET-1): refused, the old
  // addresses are served again.
  Reply r = Cmd(c.get(), {"CONFIG", "SET", "bind", "192.0.2.1"});
  ASSERT_TRUE(r);
  EXPECT_EQ(Str(r),
            "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to "
            "specified addresses.");
  EXPECT_EQ(ConfigGet(c.get(), "bind"), "127.0.0.1");
  EXPECT_TRUE(Serves(server.port()));

  // Every interface, overlapping the loopback address listened on now.
  EXPECT_EQ(Str(Cmd(c.get(), {"CONFIG", "SET", "bind", "* -::*"})), "OK");
  EXPECT_EQ(ConfigGet(c.get(), "bind"), "* -::*");
  EXPECT_TRUE(Serves(server.port()));
  EXPECT_EQ(Str(Cmd(c.get(), {"PING"})), "PONG");

  // Another loopback address only: 127.0.0.1 closes.
  EXPECT_EQ(Str(Cmd(c.get(), {"CONFIG", "SET", "bind", "127.0.0.2"})), "OK");
  EXPECT_TRUE(EventuallyServes(server.port(), false));
  EXPECT_EQ(Str(Cmd(c.get(), {"PING"})), "PONG");
  EXPECT_EQ(Str(Cmd(c.get(), {"CONFIG", "SET", "bind", "127.0.0.1"})), "OK");
  EXPECT_TRUE(Serves(server.port()));
}

}  // namespace
}  // namespace stashd::test
