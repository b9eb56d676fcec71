// The connection commands: PING ECHO QUIT RESET SELECT HELLO AUTH and the
// CLIENT container (ID GETNAME SETNAME SETINFO INFO LIST KILL HELP).
//
// None of them takes a key. Fields that CLIENT LIST shows for other
// connections (name, lib-name, lib-ver, db, resp) are written under the
// client registry's mutex, which CLIENT LIST holds while it reads them.
#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/acl.h"
#include "server/client.h"
#include "server/command.h"
#include "server/commands/client_info.h"
#include "server/commands/redis_compat.h"
#include "server/dispatcher.h"
#include "server/server_state.h"

namespace stashd::server {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return absl::ascii_tolower(static_cast<unsigned char>(x)) ==
                  absl::ascii_tolower(static_cast<unsigned char>(y));
         });
}

// Redis's string2ll: an optional '-', then digits without leading zeros; no
// '+', no spaces, no "-0"; must fit in 64 bits.
bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  if (s == "0") {
    *out = 0;
    return true;
  }
  size_t digits = s[0] == '-' ? 1 : 0;
  if (digits >= s.size() || s[digits] < '1' || s[digits] > '9') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Client names and SETINFO attributes end up in CLIENT LIST, which must stay
// splittable on spaces: only printable ASCII without space is allowed.
bool ValidClientAttr(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '!' && ch <= '~'; });
}

// Authenticates the client as `user` through the ACL (a nopass user takes
// any password). A failure is counted in INFO (acl_access_denied_auth) and
// recorded in ACL LOG.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view password) {
  Acl& acl = ctx.server.acl();
  if (std::shared_ptr<const AclUser> u = acl.Authenticate(user, password)) {
    ctx.client.authenticated = true;
    {
      std::lock_guard lock(ctx.server.clients().mutex());
      ctx.client.user = u->name;
    }
    acl.Refresh(ctx.client);
    return true;
  }
  ctx.server.stats().auth_failures.fetch_add(1, std::memory_order_relaxed);
  Acl::LogEntry entry;
  entry.reason = Acl::LogReason::kAuth;
  entry.context = ctx.client.in_multi ? Acl::LogContext::kMulti : Acl::LogContext::kToplevel;
  entry.object = ctx.args[0];
  entry.username = std::string(user);
  entry.ctime_ms = ctx.server.clock().NowMs();
  {
    std::lock_guard lock(ctx.server.clients().mutex());
    entry.client_info = ClientInfoLine(ctx.client, entry.ctime_ms, /*self=*/true,
                                       absl::AsciiStrToLower(ctx.args[0]));
  }
  acl.AddLogEntry(std::move(entry), static_cast<size_t>(ctx.server.config().acllog_max_len.load()));
  return false;
}

// The full name of the running command as CLIENT LIST shows it in cmd=.
std::string FullName(const CommandContext& ctx) {
  std::string name = absl::AsciiStrToLower(ctx.args[0]);
  if (ctx.args.size() > 1) absl::StrAppend(&name, "|", absl::AsciiStrToLower(ctx.args[1]));
  return name;
}

}  // namespace

// One CLIENT LIST / CLIENT INFO line, fields in Redis 7.2's order (7.0's
// plus lib-name and lib-ver). `self` is the connection running the command:
// its transaction state and current command are shown as Redis does; for
// others, the watch state is owned by their io thread and not shown. Query
// and reply buffers are not tracked per client: their fields read as Redis
// shows them for an idle client. REQUIRES: registry mutex held for other
// clients.
std::string ClientInfoLine(const ClientState& c, int64_t now_ms, bool self,
                           std::string_view current_cmd) {
  std::string flags;
  if (c.in_multi) flags += 'x';
  if (self && c.watch_flag && c.watch_flag->dirty.load(std::memory_order_relaxed)) flags += 'd';
  if (c.close_after_reply) flags += 'c';
  if (c.kill_requested.load(std::memory_order_relaxed)) flags += 'A';
  if (flags.empty()) flags = "N";
  int64_t multi = c.in_multi ? static_cast<int64_t>(c.queued.size()) : -1;
  std::string_view cmd = self ? current_cmd : std::string_view(c.last_command);
  if (cmd.empty()) cmd = "NULL";
  // Approximate memory of the client: its state plus the strings it owns and
  // the 1 KiB reply buffer Redis counts for an idle client.
  size_t tot_mem = sizeof(ClientState) + c.name.capacity() + c.lib_name.capacity() +
                   c.lib_ver.capacity() + c.addr.capacity() + c.laddr.capacity() +
                   c.last_command.capacity() + 1024;
  return absl::StrCat(
      "id=", c.id, " addr=", c.addr, " laddr=", c.laddr, " fd=", c.fd, " name=", c.name,
      " age=", (now_ms - c.created_ms) / 1000,
      " idle=", std::max<int64_t>(0, now_ms - c.last_interaction_ms) / 1000, " flags=", flags,
      " db=", c.db, " sub=0 psub=0 ssub=0 multi=", multi,
      " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=",
      tot_mem, " events=r cmd=", std::string(cmd), " user=", c.user, " redir=-1 resp=", c.resp,
      " lib-name=", c.lib_name, " lib-ver=", c.lib_ver);
}

namespace {

// Redis client types. Every stashd connection is a normal client: there is no
// replication, and no Pub/Sub yet.
enum class ClientType { kNormal, kReplica, kPubSub, kMaster, kUnknown };

ClientType ParseClientType(std::string_view s) {
  if (EqualsIgnoreCase(s, "normal")) return ClientType::kNormal;
  if (EqualsIgnoreCase(s, "slave") || EqualsIgnoreCase(s, "replica")) return ClientType::kReplica;
  if (EqualsIgnoreCase(s, "pubsub")) return ClientType::kPubSub;
  if (EqualsIgnoreCase(s, "master")) return ClientType::kMaster;
  return ClientType::kUnknown;
}

void SetClientName(CommandContext& ctx, std::string_view name) {
  std::lock_guard lock(ctx.server.clients().mutex());
  ctx.client.name.assign(name);
}

// ---- PING ECHO QUIT RESET SELECT ----

void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error(errors::Format(errors::kWrongArgs, {"ping"}));
    return;
  }
  if (ctx.args.size() == 1) {
    ctx.reply.SimpleString("PONG");
  } else {
    ctx.reply.Bulk(ctx.args[1]);
  }
}

void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

// Back to the state of a new connection: no transaction, no watched keys,
// database 0, RESP2, no name, and not authenticated if a password is set.
void CmdReset(CommandContext& ctx) {
  ClientState& c = ctx.client;
  c.in_multi = false;
  c.multi_failed = false;
  c.queued.clear();
  ctx.server.dispatcher().UnwatchAll(c);
  {
    std::lock_guard lock(ctx.server.clients().mutex());
    c.db = 0;
    c.resp = 2;
    c.name.clear();
  }
  ctx.reply.set_resp3(false);
  {
    std::lock_guard lock(ctx.server.clients().mutex());
    c.user = "default";
  }
  ctx.server.acl().Refresh(c);
  c.authenticated = ctx.server.acl().DefaultUserIsOpen();
  ctx.reply.SimpleString("RESET");
}

void CmdSelect(CommandContext& ctx) {
  int64_t db = 0;
  if (!ParseInt64(ctx.args[1], &db)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  // Redis's getIntFromObjectOrReply: an integer beyond int has its own message.
  if (db < INT_MIN || db > INT_MAX) {
    ctx.reply.Error(errors::Format(errors::kValueOutOfRange,
                                   {std::to_string(INT_MIN), std::to_string(INT_MAX)}));
    return;
  }
  if (db < 0 || db >= ctx.keyspace.databases()) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  {
    std::lock_guard lock(ctx.server.clients().mutex());
    ctx.client.db = static_cast<int>(db);
  }
  ctx.reply.Ok();
}

// ---- HELLO AUTH ----

void CmdHello(CommandContext& ctx) {
  const Args& args = ctx.args;
  int64_t version = 0;
  size_t next = 1;
  if (args.size() >= 2) {
    if (!ParseInt64(args[next++], &version)) {
      ctx.reply.Error(errors::kHelloProtoNotInteger);
      return;
    }
    if (version < 2 || version > 3) {
      ctx.reply.Error(errors::kNoProto);
      return;
    }
  }
  const std::string* user = nullptr;
  const std::string* password = nullptr;
  const std::string* name = nullptr;
  for (size_t i = next; i < args.size(); ++i) {
    size_t more = args.size() - 1 - i;
    if (EqualsIgnoreCase(args[i], "auth") && more >= 2) {
      user = &args[i + 1];
      password = &args[i + 2];
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "setname") && more >= 1) {
      name = &args[i + 1];
      ++i;
    } else {
      ctx.reply.Error(errors::Format(errors::kHelloSyntax, {args[i]}));
      return;
    }
  }
  if (user != nullptr && !Authenticate(ctx, *user, *password)) {
    ctx.reply.Error(errors::kWrongPass);
    return;
  }
  if (!ctx.client.authenticated) {
    if (!ctx.server.acl().DefaultUserIsOpen()) {
      ctx.reply.Error(errors::kHelloNoAuth);
      return;
    }
    ctx.client.authenticated = true;
  }
  if (name != nullptr) {
    if (!ValidClientAttr(*name)) {
      ctx.reply.Error(errors::kClientNameInvalid);
      return;
    }
    SetClientName(ctx, *name);
  }
  if (version != 0) {
    {
      std::lock_guard lock(ctx.server.clients().mutex());
      ctx.client.resp = static_cast<int>(version);
    }
    // The reply below is already in the new protocol.
    ctx.reply.set_resp3(version == 3);
  }
  ctx.reply.MapLen(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk(kRedisCompatVersion);
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(ctx.client.resp);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.ArrayLen(0);
}

void CmdAuth(CommandContext& ctx) {
  const Args& args = ctx.args;
  if (args.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::string_view user = "default";
  std::string_view password;
  if (args.size() == 2) {
    if (ctx.server.acl().DefaultUserHasNoPassword()) {
      ctx.reply.Error(errors::kAuthNotConfigured);
      return;
    }
    password = args[1];
  } else {
    user = args[1];
    password = args[2];
  }
  if (Authenticate(ctx, user, password)) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(errors::kWrongPass);
  }
}

// ---- CLIENT ----

void CmdClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id)); }

void CmdClientGetName(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.name);
  }
}

void CmdClientSetName(CommandContext& ctx) {
  if (!ValidClientAttr(ctx.args[2])) {
    ctx.reply.Error(errors::kClientNameInvalid);
    return;
  }
  SetClientName(ctx, ctx.args[2]);
  ctx.reply.Ok();
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2). Client libraries send it
// right after connecting; an empty value clears the attribute.
void CmdClientSetInfo(CommandContext& ctx) {
  const std::string& attr = ctx.args[2];
  const std::string& value = ctx.args[3];
  std::string ClientState::*field = nullptr;
  if (EqualsIgnoreCase(attr, "lib-name")) {
    field = &ClientState::lib_name;
  } else if (EqualsIgnoreCase(attr, "lib-ver")) {
    field = &ClientState::lib_ver;
  } else {
    ctx.reply.Error(errors::Format(errors::kClientUnrecognizedOption, {attr}));
    return;
  }
  if (!ValidClientAttr(value)) {
    ctx.reply.Error(errors::Format(errors::kClientAttrInvalid, {attr}));
    return;
  }
  {
    std::lock_guard lock(ctx.server.clients().mutex());
    ctx.client.*field = value;
  }
  ctx.reply.Ok();
}

void CmdClientInfo(CommandContext& ctx) {
  std::string line =
      ClientInfoLine(ctx.client, ctx.server.clock().NowMs(), /*self=*/true, FullName(ctx));
  line += '\n';
  ctx.reply.Verbatim(line);
}

// CLIENT LIST [TYPE type | ID id [id ...]]
void CmdClientList(CommandContext& ctx) {
  const Args& args = ctx.args;
  bool by_type = false;
  ClientType type = ClientType::kNormal;
  std::vector<uint64_t> ids;
  bool by_id = false;
  if (args.size() == 4 && EqualsIgnoreCase(args[2], "type")) {
    type = ParseClientType(args[3]);
    if (type == ClientType::kUnknown) {
      ctx.reply.Error(errors::Format(errors::kUnknownClientType, {args[3]}));
      return;
    }
    by_type = true;
  } else if (args.size() > 3 && EqualsIgnoreCase(args[2], "id")) {
    by_id = true;
    for (size_t i = 3; i < args.size(); ++i) {
      int64_t id = 0;
      if (!ParseInt64(args[i], &id)) {
        ctx.reply.Error(errors::kInvalidClientId);
        return;
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (args.size() != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }

  int64_t now = ctx.server.clock().NowMs();
  std::string current = FullName(ctx);
  std::string out;
  if (by_id) {
    // Lines come in the order the ids were given, repeated ids included.
    absl::flat_hash_map<uint64_t, std::string> lines;
    ctx.server.clients().ForEach([&](ClientState& c, const std::function<void()>&) {
      if (std::find(ids.begin(), ids.end(), c.id) != ids.end()) {
        lines[c.id] = ClientInfoLine(c, now, &c == &ctx.client, current);
      }
    });
    for (uint64_t id : ids) {
      auto it = lines.find(id);
      if (it != lines.end()) absl::StrAppend(&out, it->second, "\n");
    }
  } else if (!by_type || type == ClientType::kNormal) {
    ctx.server.clients().ForEach([&](ClientState& c, const std::function<void()>&) {
      absl::StrAppend(&out, ClientInfoLine(c, now, &c == &ctx.client, current), "\n");
    });
  }
  ctx.reply.Verbatim(out);
}

// CLIENT KILL ip:port            (old form: +OK or an error)
// CLIENT KILL <filter> <value>... (new form: the number of clients killed)
// Filters: ID, TYPE, ADDR, LADDR, USER, SKIPME (yes by default). Another
// connection is asked to close; the calling one closes after this reply.
void CmdClientKill(CommandContext& ctx) {
  const Args& args = ctx.args;
  const std::string* addr = nullptr;
  const std::string* laddr = nullptr;
  const std::string* user = nullptr;
  ClientType type = ClientType::kUnknown;  // any
  uint64_t id = 0;                         // any
  bool skipme = true;
  bool old_form = args.size() == 3;
  if (old_form) {
    addr = &args[2];
    skipme = false;  // with the old form a client may kill itself
  } else if (args.size() > 3 && args.size() % 2 == 0) {
    for (size_t i = 2; i < args.size(); i += 2) {
      const std::string& opt = args[i];
      const std::string& value = args[i + 1];
      if (EqualsIgnoreCase(opt, "id")) {
        int64_t v = 0;
        if (!ParseInt64(value, &v) || v < 1) {
          ctx.reply.Error(errors::kClientIdNotPositive);
          return;
        }
        id = static_cast<uint64_t>(v);
      } else if (EqualsIgnoreCase(opt, "type")) {
        type = ParseClientType(value);
        if (type == ClientType::kUnknown) {
          ctx.reply.Error(errors::Format(errors::kUnknownClientType, {value}));
          return;
        }
      } else if (EqualsIgnoreCase(opt, "addr")) {
        addr = &value;
      } else if (EqualsIgnoreCase(opt, "laddr")) {
        laddr = &value;
      } else if (EqualsIgnoreCase(opt, "user")) {
        if (ctx.server.acl().Find(value) == nullptr) {
          ctx.reply.Error(errors::Format(errors::kNoSuchUser, {value}));
          return;
        }
        user = &value;
      } else if (EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(value, "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(value, "no")) {
          skipme = false;
        } else {
          ctx.reply.Error(errors::kSyntax);
          return;
        }
      } else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    }
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }

  int64_t killed = 0;
  bool kill_self = false;
  // Closing a connection may drop its last reference, and its destructor
  // takes the registry mutex that ForEach holds: close after the loop.
  std::vector<std::function<void()>> to_close;
  ctx.server.clients().ForEach([&](ClientState& c, const std::function<void()>& close) {
    if (addr != nullptr && c.addr != *addr) return;
    if (laddr != nullptr && c.laddr != *laddr) return;
    if (type != ClientType::kUnknown && type != ClientType::kNormal) return;
    if (id != 0 && c.id != id) return;
    if (user != nullptr && c.user != *user) return;
    bool self = &c == &ctx.client;
    if (self && skipme) return;
    if (self) {
      kill_self = true;
    } else {
      c.kill_requested.store(true);
      to_close.push_back(close);
    }
    ++killed;
  });
  for (const std::function<void()>& close : to_close) close();
  if (old_form) {
    if (killed == 0) {
      ctx.reply.Error(errors::kNoSuchClient);
    } else {
      ctx.reply.Ok();
    }
  } else {
    ctx.reply.Integer(killed);
  }
  // Only after the reply is queued, so that it is still sent.
  if (kill_self) ctx.client.close_after_reply = true;
}

void CmdClientHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "GETNAME",
                     "    Return the name of the current connection.",
                     "ID",
                     "    Return the ID of the current connection.",
                     "INFO",
                     "    Return information about the current client connection.",
                     "KILL <ip:port>",
                     "    Kill connection made from <ip:port>.",
                     "KILL <option> <value> [<option> <value> [...]]",
                     "    Kill connections. Options are:",
                     "    * ADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made from the specified address",
                     "    * LADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made to specified local address",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Kill connections by type.",
                     "    * USER <username>",
                     "      Kill connections authenticated by <username>.",
                     "    * SKIPME (YES|NO)",
                     "      Skip killing current connection (default: yes).",
                     "    * ID <client-id>",
                     "      Kill connections by client id.",
                     "LIST [options ...]",
                     "    Return information about client connections. Options:",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Return clients of specified type.",
                     "    * ID <client-id> [<client-id> ...]",
                     "      Return clients of specified IDs only.",
                     "SETNAME <name>",
                     "    Assign the name <name> to the current connection.",
                     "SETINFO <option> <value>",
                     "    Set client meta attr. Options are:",
                     "    * LIB-NAME: the client lib name.",
                     "    * LIB-VER: the client lib version.",
                     "HELP",
                     "    Prints this help.",
                 });
}

struct Docs {
  std::string summary;
  std::string since;
  std::string complexity;
};

CommandSpec Row(std::string name, int arity, uint32_t flags, Handler handler, Docs docs,
                std::vector<std::string> acl = {"@connection"},
                std::vector<std::string> tips = {}) {
  CommandSpec s;
  s.name = std::move(name);
  s.arity = arity;
  s.flags = flags;
  s.handler = handler;
  s.acl_categories = std::move(acl);
  s.summary = std::move(docs.summary);
  s.since = std::move(docs.since);
  s.group = "connection";
  s.complexity = std::move(docs.complexity);
  s.tips = std::move(tips);
  return s;
}

}  // namespace

void RegisterConnectionFamily(CommandRegistry& r) {
  // QUIT and RESET run at once even inside MULTI, as in Redis.
  constexpr uint32_t kHandshake = kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy;
  constexpr uint32_t kClientSub = kNoScript | kLoading | kStale;
  constexpr uint32_t kClientAdmin = kAdmin | kNoScript | kLoading | kStale;

  r.Register(Row("ping", -1, kFast, CmdPing, {"Ping the server", "1.0.0", "O(1)"}, {"@connection"},
                 {"request_policy:all_shards", "response_policy:all_succeeded"}));
  r.Register(Row("echo", 2, kLoading | kStale | kFast, CmdEcho,
                 {"Echo the given string", "1.0.0", "O(1)"}));
  r.Register(Row("quit", -1, kHandshake | kMultiControl, CmdQuit,
                 {"Close the connection", "1.0.0", "O(1)"}));
  r.Register(Row("reset", 1, kHandshake | kMultiControl, CmdReset,
                 {"Reset the connection", "6.2.0", "O(1)"}));
  r.Register(Row("select", 2, kLoading | kStale | kFast, CmdSelect,
                 {"Change the selected database for the current connection", "1.0.0", "O(1)"}));
  r.Register(Row("hello", -1, kHandshake, CmdHello, {"Handshake with Redis", "6.0.0", "O(1)"}));
  r.Register(Row("auth", -2, kHandshake, CmdAuth,
                 {"Authenticate to the server", "1.0.0",
                  "O(N) where N is the number of passwords defined for the user"}));

  CommandSpec client =
      Row("client", -2, 0, nullptr,
          {"A container for client connection commands", "2.4.0", "Depends on subcommand."}, {});
  client.subcommands.push_back(
      Row("client|id", 2, kClientSub, CmdClientId,
          {"Returns the client ID for the current connection", "5.0.0", "O(1)"}));
  client.subcommands.push_back(Row("client|getname", 2, kClientSub, CmdClientGetName,
                                   {"Get the current connection name", "2.6.9", "O(1)"}));
  client.subcommands.push_back(Row("client|setname", 3, kClientSub, CmdClientSetName,
                                   {"Set the current connection name", "2.6.9", "O(1)"}));
  client.subcommands.push_back(
      Row("client|setinfo", 4, kClientSub, CmdClientSetInfo,
          {"Sets information specific to the client or connection.", "7.2.0", "O(1)"},
          {"@connection"}, {"request_policy:all_nodes", "response_policy:all_succeeded"}));
  client.subcommands.push_back(
      Row("client|info", 2, kClientSub, CmdClientInfo,
          {"Returns information about the current client connection.", "6.2.0", "O(1)"},
          {"@connection"}, {"nondeterministic_output"}));
  client.subcommands.push_back(Row("client|list", -2, kClientAdmin, CmdClientList,
                                   {"Get the list of client connections", "2.4.0",
                                    "O(N) where N is the number of client connections"},
                                   {"@connection"}, {"nondeterministic_output"}));
  client.subcommands.push_back(Row("client|kill", -3, kClientAdmin, CmdClientKill,
                                   {"Kill the connection of a client", "2.4.0",
                                    "O(N) where N is the number of client connections"}));
  client.subcommands.push_back(
      Row("client|help", 2, kLoading | kStale, CmdClientHelp,
          {"Show helpful text about the different subcommands", "5.0.0", "O(1)"}));
  r.Register(std::move(client));
}

}  // namespace stashd::server
