// PING ECHO QUIT RESET SELECT HELLO AUTH CLIENT through the dispatcher, in
// RESP2 and RESP3. Expected replies and error texts are those of
// redis-server 7.0.15 (CLIENT SETINFO and the lib-name / lib-ver fields:
// Redis 7.2).
#include <map>
#include <string>
#include <vector>

#include "commands/command_fixture.h"

namespace stashd::test {
namespace {

class ConnectionTest : public CommandTest {
 protected:
  void RequirePassword(const std::string& password) {
    ASSERT_FALSE(server().config_table().Set("requirepass", {password}, false).has_value());
  }

  // "k1=v1 k2=v2 ..." → map; fails the test on a malformed field.
  static std::map<std::string, std::string> Fields(const std::string& line) {
    std::map<std::string, std::string> out;
    size_t pos = 0;
    while (pos < line.size()) {
      size_t end = line.find(' ', pos);
      if (end == std::string::npos) end = line.size();
      std::string field = line.substr(pos, end - pos);
      size_t eq = field.find('=');
      EXPECT_NE(eq, std::string::npos) << field;
      if (eq != std::string::npos) out[field.substr(0, eq)] = field.substr(eq + 1);
      pos = end + 1;
    }
    return out;
  }

  // The lines of a CLIENT LIST reply, each checked to end with '\n'.
  static std::vector<std::string> Lines(const RespValue& v) {
    std::vector<std::string> out;
    EXPECT_TRUE(v.IsString());
    const std::string& s = v.str;
    EXPECT_TRUE(s.empty() || s.back() == '\n') << s;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = s.find('\n', pos);
      if (end == std::string::npos) end = s.size();
      out.push_back(s.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }

  // The HELLO reply in RESP2 for a client id.
  static std::string Hello2(uint64_t id) {
    return "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
           "$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:" +
           std::to_string(id) +
           "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
           "$7\r\nmodules\r\n*0\r\n";
  }
  static std::string Hello3(uint64_t id) {
    return "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
           "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:" +
           std::to_string(id) +
           "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
           "$7\r\nmodules\r\n*0\r\n";
  }
};

// ---- PING ECHO ----

TEST_F(ConnectionTest, Ping) {
  EXPECT_EQ(RunRaw({"ping"}), "+PONG\r\n");
  EXPECT_EQ(RunRaw({"PING", "hello world"}), "$11\r\nhello world\r\n");
  EXPECT_THAT(Run({"ping", "a", "b"}), ErrorIs("ERR wrong number of arguments for 'ping' command"));
  Run({"hello", "3"});
  EXPECT_EQ(RunRaw({"ping"}), "+PONG\r\n");
  EXPECT_EQ(RunRaw({"ping", "x"}), "$1\r\nx\r\n");
}

TEST_F(ConnectionTest, Echo) {
  EXPECT_EQ(RunRaw({"echo", "hi"}), "$2\r\nhi\r\n");
  EXPECT_EQ(RunRaw({"echo", ""}), "$0\r\n\r\n");
  EXPECT_THAT(Run({"echo"}), ErrorIs("ERR wrong number of arguments for 'echo' command"));
  EXPECT_THAT(Run({"echo", "a", "b"}), ErrorIs("ERR wrong number of arguments for 'echo' command"));
}

// ---- SELECT ----

TEST_F(ConnectionTest, SelectSwitchesDatabase) {
  EXPECT_EQ(RunRaw({"select", "5"}), "+OK\r\n");
  EXPECT_EQ(client().db, 5);
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"select", "0"}), "OK");
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  Run({"select", "5"});
  EXPECT_EQ(Run({"get", "k"}), "v");
  EXPECT_EQ(Run({"select", "15"}), "OK");
}

// Beyond int, Redis's getIntFromObjectOrReply has its own message.
TEST_F(ConnectionTest, SelectBeyondIntGivesTheRangeMessage) {
  const std::string range =
      "ERR value is out of range, value must between -2147483648 and 2147483647";
  EXPECT_THAT(Run({"select", "2147483648"}), ErrorIs(range));
  EXPECT_THAT(Run({"select", "-2147483649"}), ErrorIs(range));
  EXPECT_THAT(Run({"select", "2147483647"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"select", "9223372036854775808"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_EQ(client().db, 0);
}

TEST_F(ConnectionTest, SelectErrors) {
  EXPECT_THAT(Run({"select", "16"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"select", "-1"}), ErrorIs("ERR DB index is out of range"));
  // redis-server 7.0.15 answers the range message here too (this assertion
  // expected "not an integer" before item 10 of issue 9).
  EXPECT_THAT(Run({"select", "99999999999"}),
              ErrorIs("ERR value is out of range, value must between -2147483648 and 2147483647"));
  for (const char* bad : {"x", "1.5", "01", "+1", " 1", ""}) {
    EXPECT_THAT(Run({"select", bad}), ErrorIs("ERR value is not an integer or out of range"))
        << bad;
  }
  EXPECT_EQ(client().db, 0);
  EXPECT_THAT(Run({"select"}), ErrorIs("ERR wrong number of arguments for 'select' command"));
  EXPECT_THAT(Run({"select", "1", "2"}),
              ErrorIs("ERR wrong number of arguments for 'select' command"));
}

// ---- QUIT ----

TEST_F(ConnectionTest, QuitRepliesOkThenCloses) {
  EXPECT_EQ(RunRaw({"quit"}), "+OK\r\n");
  EXPECT_TRUE(client().close_after_reply);
}

TEST_F(ConnectionTest, QuitTakesAnyArgumentsAndRunsInsideMulti) {
  Run({"multi"});
  EXPECT_EQ(RunRaw({"quit", "extra"}), "+OK\r\n");
  EXPECT_TRUE(client().close_after_reply);
}

// ---- RESET ----

TEST_F(ConnectionTest, ResetRestoresANewConnectionState) {
  Run({"hello", "3", "setname", "app"});
  Run({"select", "3"});
  Run({"watch", "w"});
  Run({"multi"});
  EXPECT_EQ(Run({"set", "a", "1"}), "QUEUED");
  // RESET is not queued.
  EXPECT_EQ(RunRaw({"reset"}), "+RESET\r\n");
  EXPECT_FALSE(client().in_multi);
  EXPECT_TRUE(client().queued.empty());
  EXPECT_TRUE(client().watched.empty());
  EXPECT_EQ(client().db, 0);
  EXPECT_EQ(client().resp, 2);
  EXPECT_FALSE(client_->reply.resp3());
  EXPECT_THAT(Run({"exec"}), ErrorIs("ERR EXEC without MULTI"));
  EXPECT_EQ(RunRaw({"client", "getname"}), "$-1\r\n");
  EXPECT_THAT(Run({"get", "a"}), IsNil());
  EXPECT_THAT(Run({"reset", "x"}), ErrorIs("ERR wrong number of arguments for 'reset' command"));
}

TEST_F(ConnectionTest, ResetDeauthenticatesWhenAPasswordIsSet) {
  RequirePassword("pw");
  EXPECT_EQ(Run({"auth", "pw"}), "OK");
  EXPECT_EQ(Run({"ping"}), "PONG");
  EXPECT_EQ(RunRaw({"reset"}), "+RESET\r\n");
  EXPECT_THAT(Run({"ping"}), ErrorIs("NOAUTH Authentication required."));
}

TEST_F(ConnectionTest, ResetKeepsAuthenticationWithoutPassword) {
  EXPECT_EQ(RunRaw({"reset"}), "+RESET\r\n");
  EXPECT_EQ(Run({"ping"}), "PONG");
}

// ---- HELLO ----

TEST_F(ConnectionTest, HelloWithoutArgumentsKeepsResp2) {
  EXPECT_EQ(RunRaw({"hello"}), Hello2(client().id));
  EXPECT_EQ(client().resp, 2);
}

TEST_F(ConnectionTest, Hello3SwitchesToResp3BeforeReplying) {
  EXPECT_EQ(RunRaw({"hello", "3"}), Hello3(client().id));
  EXPECT_EQ(client().resp, 3);
  EXPECT_TRUE(client_->reply.resp3());
  // Later replies use RESP3 types.
  EXPECT_EQ(RunRaw({"client", "getname"}), "_\r\n");
  EXPECT_EQ(RunRaw({"hello"}), Hello3(client().id));
  EXPECT_EQ(RunRaw({"hello", "2"}), Hello2(client().id));
  EXPECT_EQ(RunRaw({"client", "getname"}), "$-1\r\n");
}

TEST_F(ConnectionTest, HelloSetName) {
  EXPECT_EQ(RunRaw({"hello", "2", "SETNAME", "worker-1"}), Hello2(client().id));
  EXPECT_EQ(Run({"client", "getname"}), "worker-1");
  EXPECT_THAT(Run({"hello", "3", "setname", "a b"}),
              ErrorIs("ERR Client names cannot contain spaces, newlines or special characters."));
  // Nothing changed: the name check comes before the protocol switch.
  EXPECT_EQ(client().resp, 2);
  EXPECT_EQ(Run({"client", "getname"}), "worker-1");
}

TEST_F(ConnectionTest, HelloErrors) {
  EXPECT_THAT(Run({"hello", "4"}), ErrorIs("NOPROTO unsupported protocol version"));
  EXPECT_THAT(Run({"hello", "1"}), ErrorIs("NOPROTO unsupported protocol version"));
  EXPECT_THAT(Run({"hello", "abc"}),
              ErrorIs("ERR Protocol version is not an integer or out of range"));
  EXPECT_THAT(Run({"hello", "3", "foo"}), ErrorIs("ERR Syntax error in HELLO option 'foo'"));
  EXPECT_THAT(Run({"hello", "3", "setname"}),
              ErrorIs("ERR Syntax error in HELLO option 'setname'"));
  EXPECT_THAT(Run({"hello", "3", "auth", "default"}),
              ErrorIs("ERR Syntax error in HELLO option 'auth'"));
  EXPECT_EQ(client().resp, 2);
}

TEST_F(ConnectionTest, HelloAuthWithoutPasswordConfigured) {
  // The default user has no password: any password is accepted for it.
  EXPECT_EQ(RunRaw({"hello", "2", "auth", "default", "anything"}), Hello2(client().id));
  EXPECT_THAT(Run({"hello", "3", "auth", "someone", "x"}),
              ErrorIs("WRONGPASS invalid username-password pair or user is disabled."));
}

TEST_F(ConnectionTest, HelloWithPassword) {
  RequirePassword("s3cret");
  const char* kHelloNoAuth =
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
      "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
      "protocol version at the same time";
  EXPECT_THAT(Run({"hello"}), ErrorIs(kHelloNoAuth));
  EXPECT_THAT(Run({"hello", "3", "setname", "x"}), ErrorIs(kHelloNoAuth));
  EXPECT_THAT(Run({"hello", "3", "auth", "default", "wrong"}),
              ErrorIs("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(server().stats().auth_failures.load(), 1u);
  EXPECT_EQ(client().resp, 2);
  EXPECT_EQ(RunRaw({"hello", "3", "auth", "default", "s3cret", "setname", "nm"}),
            Hello3(client().id));
  EXPECT_EQ(Run({"client", "getname"}), "nm");
  EXPECT_EQ(Run({"ping"}), "PONG");
}

// ---- AUTH ----

TEST_F(ConnectionTest, AuthWithoutPasswordConfigured) {
  EXPECT_THAT(Run({"auth", "x"}),
              ErrorIs("ERR AUTH <password> called without any password configured for the "
                      "default user. Are you sure your configuration is correct?"));
  EXPECT_EQ(RunRaw({"auth", "default", "x"}), "+OK\r\n");
  EXPECT_THAT(Run({"auth", "other", "x"}),
              ErrorIs("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_THAT(Run({"auth", "a", "b", "c"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"auth"}), ErrorIs("ERR wrong number of arguments for 'auth' command"));
}

TEST_F(ConnectionTest, AuthFlowWithRequirepass) {
  RequirePassword("pw");
  EXPECT_THAT(Run({"get", "k"}), ErrorIs("NOAUTH Authentication required."));
  EXPECT_THAT(Run({"ping"}), ErrorIs("NOAUTH Authentication required."));
  EXPECT_THAT(Run({"client", "id"}), ErrorIs("NOAUTH Authentication required."));
  EXPECT_THAT(Run({"auth", "wrong"}),
              ErrorIs("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_THAT(Run({"auth", "default", "wrong"}),
              ErrorIs("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_THAT(Run({"auth", "pwx"}),
              ErrorIs("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(server().stats().auth_failures.load(), 3u);
  EXPECT_THAT(Run({"get", "k"}), ErrorIs("NOAUTH Authentication required."));
  EXPECT_EQ(RunRaw({"auth", "pw"}), "+OK\r\n");
  EXPECT_THAT(Run({"get", "k"}), IsNil());
  EXPECT_EQ(Run({"set", "k", "v"}), "OK");

  // Another connection is not authenticated by this one.
  TestClient& other = NewClient();
  EXPECT_THAT(Run(other, {"get", "k"}), ErrorIs("NOAUTH Authentication required."));
  EXPECT_EQ(Run(other, {"auth", "default", "pw"}), "OK");
  EXPECT_EQ(Run(other, {"get", "k"}), "v");
  EXPECT_EQ(server().stats().auth_failures.load(), 3u);
}

TEST_F(ConnectionTest, QuitNeedsNoAuthentication) {
  RequirePassword("pw");
  EXPECT_EQ(RunRaw({"quit"}), "+OK\r\n");
}

// ---- CLIENT ID / SETNAME / GETNAME / SETINFO ----

TEST_F(ConnectionTest, ClientIdIsTheConnectionId) {
  EXPECT_THAT(Run({"client", "id"}), IsInt(client().id));
  TestClient& other = NewClient();
  EXPECT_THAT(Run(other, {"CLIENT", "ID"}), IsInt(other.state.id));
  EXPECT_NE(client().id, other.state.id);
  EXPECT_THAT(Run({"client", "id", "x"}),
              ErrorIs("ERR wrong number of arguments for 'client|id' command"));
}

TEST_F(ConnectionTest, ClientSetNameGetName) {
  EXPECT_EQ(RunRaw({"client", "getname"}), "$-1\r\n");
  EXPECT_EQ(RunRaw({"client", "setname", "my-conn_1"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"client", "getname"}), "$9\r\nmy-conn_1\r\n");
  for (const char* bad : {"a b", "a\nb", "caf\xc3\xa9", "\x7f", "tab\t"}) {
    EXPECT_THAT(Run({"client", "setname", bad}),
                ErrorIs("ERR Client names cannot contain spaces, newlines or special characters."))
        << bad;
  }
  EXPECT_EQ(Run({"client", "getname"}), "my-conn_1");
  // An empty name removes the name.
  EXPECT_EQ(Run({"client", "setname", ""}), "OK");
  EXPECT_THAT(Run({"client", "getname"}), IsNil());
  EXPECT_THAT(Run({"client", "setname"}),
              ErrorIs("ERR wrong number of arguments for 'client|setname' command"));
}

TEST_F(ConnectionTest, ClientSetInfo) {
  EXPECT_EQ(RunRaw({"client", "setinfo", "LIB-NAME", "redis-py"}), "+OK\r\n");
  EXPECT_EQ(RunRaw({"client", "setinfo", "lib-ver", "5.0.1"}), "+OK\r\n");
  auto fields = Fields(Lines(Run({"client", "info"}))[0]);
  EXPECT_EQ(fields["lib-name"], "redis-py");
  EXPECT_EQ(fields["lib-ver"], "5.0.1");
  EXPECT_THAT(Run({"client", "setinfo", "lib-name", "a b"}),
              ErrorIs("ERR lib-name cannot contain spaces, newlines or special characters."));
  EXPECT_THAT(Run({"client", "setinfo", "LIB-VER", "1\n2"}),
              ErrorIs("ERR LIB-VER cannot contain spaces, newlines or special characters."));
  EXPECT_THAT(Run({"client", "setinfo", "color", "red"}),
              ErrorIs("ERR Unrecognized option 'color'"));
  EXPECT_THAT(Run({"client", "setinfo", "lib-name"}),
              ErrorIs("ERR wrong number of arguments for 'client|setinfo' command"));
  // Empty clears it.
  EXPECT_EQ(Run({"client", "setinfo", "lib-name", ""}), "OK");
  fields = Fields(Lines(Run({"client", "info"}))[0]);
  EXPECT_EQ(fields["lib-name"], "");
  EXPECT_EQ(fields["lib-ver"], "5.0.1");
}

// ---- CLIENT INFO / LIST ----

TEST_F(ConnectionTest, ClientInfoLine) {
  Run({"client", "setname", "me"});
  Run({"select", "2"});
  AdvanceTime(3500);
  RespValue info = Run({"client", "info"});
  EXPECT_EQ(info.kind, RespValue::Kind::kBulk);
  std::vector<std::string> lines = Lines(info);
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  // Field order as Redis prints it.
  std::vector<std::string> order;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t eq = line.find('=', pos);
    order.push_back(line.substr(pos, eq - pos));
    pos = line.find(' ', eq);
    if (pos == std::string::npos) break;
    ++pos;
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{
                "id",        "addr", "laddr", "fd",   "name",     "age",    "idle",      "flags",
                "db",        "sub",  "psub",  "ssub", "multi",    "qbuf",   "qbuf-free", "argv-mem",
                "multi-mem", "rbs",  "rbp",   "obl",  "oll",      "omem",   "tot-mem",   "events",
                "cmd",       "user", "redir", "resp", "lib-name", "lib-ver"}));
  auto f = Fields(line);
  EXPECT_EQ(f["id"], std::to_string(client().id));
  EXPECT_EQ(f["addr"], client().addr);
  EXPECT_EQ(f["laddr"], "127.0.0.1:6379");
  EXPECT_EQ(f["name"], "me");
  EXPECT_EQ(f["age"], "3");
  EXPECT_EQ(f["flags"], "N");
  EXPECT_EQ(f["db"], "2");
  EXPECT_EQ(f["sub"], "0");
  EXPECT_EQ(f["psub"], "0");
  EXPECT_EQ(f["ssub"], "0");
  EXPECT_EQ(f["multi"], "-1");
  EXPECT_EQ(f["events"], "r");
  EXPECT_EQ(f["cmd"], "client|info");
  EXPECT_EQ(f["user"], "default");
  EXPECT_EQ(f["redir"], "-1");
  EXPECT_EQ(f["resp"], "2");
  EXPECT_GT(std::stoll(f["tot-mem"]), 0);
}

TEST_F(ConnectionTest, ClientInfoIsVerbatimInResp3) {
  Run({"hello", "3"});
  std::string raw = RunRaw({"client", "info"});
  EXPECT_EQ(raw[0], '=');
  EXPECT_NE(raw.find("\r\ntxt:id="), std::string::npos) << raw;
  RespValue v = Run({"client", "info"});
  EXPECT_EQ(v.kind, RespValue::Kind::kVerbatim);
  EXPECT_EQ(Fields(Lines(v)[0])["resp"], "3");
}

TEST_F(ConnectionTest, ClientListShowsEveryClientInIdOrder) {
  TestClient& other = NewClient();
  Run(other, {"client", "setname", "other"});
  Run(other, {"get", "x"});
  Run({"multi"});
  Run({"set", "a", "1"});
  Run({"set", "b", "2"});
  // Inside MULTI, CLIENT LIST is queued: look from the other client.
  std::vector<std::string> lines = Lines(Run(other, {"client", "list"}));
  ASSERT_EQ(lines.size(), 2u);
  auto me = Fields(lines[0]);
  auto them = Fields(lines[1]);
  EXPECT_EQ(me["id"], std::to_string(client().id));
  EXPECT_EQ(me["flags"], "x");
  EXPECT_EQ(me["multi"], "2");
  EXPECT_EQ(me["name"], "");
  EXPECT_EQ(them["id"], std::to_string(other.state.id));
  EXPECT_EQ(them["name"], "other");
  EXPECT_EQ(them["cmd"], "client|list");
  EXPECT_EQ(them["flags"], "N");
  Run({"discard"});
}

TEST_F(ConnectionTest, ClientListNeverRunCommandShowsNull) {
  TestClient& other = NewClient();
  std::vector<std::string> lines = Lines(Run({"client", "list"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[1])["id"], std::to_string(other.state.id));
  EXPECT_EQ(Fields(lines[1])["cmd"], "NULL");
}

TEST_F(ConnectionTest, ClientListFilters) {
  TestClient& other = NewClient();
  EXPECT_EQ(Lines(Run({"client", "list", "type", "normal"})).size(), 2u);
  EXPECT_EQ(Lines(Run({"client", "list", "TYPE", "Normal"})).size(), 2u);
  for (const char* type : {"pubsub", "master", "replica", "slave"}) {
    EXPECT_EQ(RunRaw({"client", "list", "type", type}), "$0\r\n\r\n") << type;
  }
  EXPECT_THAT(Run({"client", "list", "type", "foo"}), ErrorIs("ERR Unknown client type 'foo'"));

  std::string other_id = std::to_string(other.state.id);
  std::string my_id = std::to_string(client().id);
  std::vector<std::string> lines = Lines(Run({"client", "list", "id", other_id, "999", my_id}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[0])["id"], other_id);
  EXPECT_EQ(Fields(lines[1])["id"], my_id);
  EXPECT_EQ(RunRaw({"client", "list", "id", "0"}), "$0\r\n\r\n");
  EXPECT_THAT(Run({"client", "list", "id", "1", "x"}), ErrorIs("ERR Invalid client ID"));
  EXPECT_THAT(Run({"client", "list", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "list", "type"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "list", "id"}), ErrorIs("ERR syntax error"));
}

// ---- CLIENT KILL ----

TEST_F(ConnectionTest, ClientKillOldForm) {
  TestClient& other = NewClient();
  EXPECT_THAT(Run({"client", "kill", "1.2.3.4:5"}), ErrorIs("ERR No such client"));
  EXPECT_FALSE(other.state.kill_requested.load());
  EXPECT_EQ(RunRaw({"client", "kill", other.state.addr}), "+OK\r\n");
  EXPECT_TRUE(other.state.kill_requested.load());
  EXPECT_FALSE(client().close_after_reply);
}

TEST_F(ConnectionTest, ClientKillOldFormMayKillItself) {
  EXPECT_EQ(RunRaw({"client", "kill", client().addr}), "+OK\r\n");
  EXPECT_TRUE(client().close_after_reply);
}

TEST_F(ConnectionTest, ClientKillById) {
  TestClient& other = NewClient();
  TestClient& third = NewClient();
  EXPECT_EQ(RunRaw({"client", "kill", "id", std::to_string(other.state.id)}), ":1\r\n");
  EXPECT_TRUE(other.state.kill_requested.load());
  EXPECT_FALSE(third.state.kill_requested.load());
  EXPECT_THAT(Run({"client", "kill", "id", "12345"}), IsInt(0));
  for (const char* bad : {"0", "-5", "x", "99999999999999999999"}) {
    EXPECT_THAT(Run({"client", "kill", "id", bad}),
                ErrorIs("ERR client-id should be greater than 0"))
        << bad;
  }
}

TEST_F(ConnectionTest, ClientKillSkipsCallerUnlessSkipmeNo) {
  TestClient& other = NewClient();
  EXPECT_THAT(Run({"client", "kill", "addr", client().addr}), IsInt(0));
  EXPECT_FALSE(client().close_after_reply);
  EXPECT_THAT(Run({"client", "kill", "laddr", "127.0.0.1:6379", "skipme", "yes"}), IsInt(1));
  EXPECT_TRUE(other.state.kill_requested.load());
  EXPECT_FALSE(client().close_after_reply);
  EXPECT_EQ(RunRaw({"client", "kill", "addr", client().addr, "SKIPME", "NO"}), ":1\r\n");
  EXPECT_TRUE(client().close_after_reply);
}

TEST_F(ConnectionTest, ClientKillFilters) {
  TestClient& other = NewClient();
  EXPECT_THAT(Run({"client", "kill", "type", "pubsub"}), IsInt(0));
  EXPECT_THAT(Run({"client", "kill", "type", "master"}), IsInt(0));
  EXPECT_THAT(Run({"client", "kill", "addr", other.state.addr, "laddr", "1.1.1.1:1"}), IsInt(0));
  EXPECT_FALSE(other.state.kill_requested.load());
  EXPECT_THAT(Run({"client", "kill", "user", "nouser"}), ErrorIs("ERR No such user 'nouser'"));
  EXPECT_THAT(Run({"client", "kill", "type", "foo"}), ErrorIs("ERR Unknown client type 'foo'"));
  EXPECT_THAT(Run({"client", "kill", "skipme", "maybe"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "kill", "foo", "bar"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "kill", "a", "b", "c"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"client", "kill"}),
              ErrorIs("ERR wrong number of arguments for 'client|kill' command"));
  EXPECT_FALSE(other.state.kill_requested.load());
  EXPECT_THAT(Run({"client", "kill", "user", "default", "type", "normal"}), IsInt(1));
  EXPECT_TRUE(other.state.kill_requested.load());
}

// ---- CLIENT HELP and unknown subcommands ----

TEST_F(ConnectionTest, ClientHelp) {
  RespValue help = Run({"client", "help"});
  ASSERT_EQ(help.kind, RespValue::Kind::kArray);
  ASSERT_GT(help.size(), 10u);
  EXPECT_EQ(help[0], "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_EQ(help[help.size() - 2], "HELP");
  EXPECT_EQ(help[help.size() - 1], "    Prints this help.");
  EXPECT_EQ(help[0].kind, RespValue::Kind::kSimple);
  EXPECT_THAT(Run({"client", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try CLIENT HELP."));
  EXPECT_THAT(Run({"client"}), ErrorIs("ERR wrong number of arguments for 'client' command"));
}

}  // namespace
}  // namespace stashd::test
