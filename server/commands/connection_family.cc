// The connection commands: PING ECHO QUIT RESET SELECT HELLO AUTH and the
// CLIENT container (ID GETNAME SETNAME SETINFO INFO LIST KILL HELP).
//
// None of them takes a key. Fields that CLIENT LIST shows for other
// connections (name, lib-name, lib-ver, db, resp) are written under the
// client registry's mutex, which CLIENT LIST holds while it reads them.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/acl/acl.h"
#include "server/base/ascii.h"
#include "server/commands/redis_compat.h"
#include "server/exec/blocking.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/exec/dispatcher.h"
#include "server/server_state.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

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

// Turns client-side caching off for the client (CLIENT TRACKING OFF, RESET).
void DisableTracking(CommandContext& ctx) {
  ClientState& c = ctx.client;
  if (!c.tracking.on) return;
  ctx.server.tracking().Disable(c);
  std::lock_guard lock(ctx.server.clients().mutex());
  c.tracking.on = false;
  c.tracking.bcast = false;
  c.tracking.redirect = 0;
}

// ---- PING ECHO QUIT RESET SELECT ----

void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error(errors::Format(errors::kWrongArgs, {"ping"}));
    return;
  }
  // A subscribed RESP2 client gets PING's reply in the form of a message.
  if (ctx.client.resp == 2 && ctx.client.subscribed()) {
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.args.size() == 1 ? std::string_view() : std::string_view(ctx.args[1]));
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
// no subscriptions, not monitoring, database 0, RESP2, no name, and not
// authenticated if a password is set.
void CmdReset(CommandContext& ctx) {
  ClientState& c = ctx.client;
  c.in_multi = false;
  c.multi_failed = false;
  c.queued.clear();
  ctx.server.dispatcher().UnwatchAll(c);
  ctx.server.pubsub().UnsubscribeAll(c);
  ctx.server.monitors().Remove(c);
  DisableTracking(ctx);
  c.reply_off = false;
  c.reply_skip_next = false;
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
  std::optional<int64_t> parsed = store::ParseInt64(ctx.args[1]);
  if (!parsed) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  const int64_t db = *parsed;
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
    std::optional<int64_t> parsed = store::ParseInt64(args[next++]);
    if (!parsed) {
      ctx.reply.Error(errors::kHelloProtoNotInteger);
      return;
    }
    version = *parsed;
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
    if (ctx.client.tracking.on) ctx.server.tracking().ProtocolChanged(ctx.client);
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

// CLIENT REPLY ON|OFF|SKIP: the dispatcher drops the muted replies.
void CmdClientReply(CommandContext& ctx) {
  const std::string mode = ToLower(ctx.args[2]);
  if (mode == "on") {
    ctx.client.reply_off = false;
    ctx.client.reply_skip = false;
    ctx.client.reply_skip_next = false;
    ctx.reply.Ok();
  } else if (mode == "off") {
    ctx.client.reply_off = true;
  } else if (mode == "skip") {
    if (!ctx.client.reply_off) ctx.client.reply_skip_next = true;
  } else {
    ctx.reply.Error(errors::kSyntax);
  }
}

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
      std::optional<int64_t> id = store::ParseInt64(args[i]);
      if (!id) {
        ctx.reply.Error(errors::kInvalidClientId);
        return;
      }
      ids.push_back(static_cast<uint64_t>(*id));
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
        std::optional<int64_t> v = store::ParseInt64(value);
        if (!v || *v < 1) {
          ctx.reply.Error(errors::kClientIdNotPositive);
          return;
        }
        id = static_cast<uint64_t>(*v);
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

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: ends the block of a client
// waiting in BLPOP and the like as if it timed out (or with the UNBLOCKED
// error); 1 if it was blocked, else 0.
void CmdClientUnblock(CommandContext& ctx) {
  const Args& args = ctx.args;
  if (args.size() > 4) {
    return ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {args[1], "CLIENT"}));
  }
  auto why = BlockedClient::State::kTimedOut;
  if (args.size() == 4) {
    if (EqualsIgnoreCase(args[3], "error")) {
      why = BlockedClient::State::kUnblocked;
    } else if (!EqualsIgnoreCase(args[3], "timeout")) {
      return ctx.reply.Error(errors::kUnblockReason);
    }
  }
  std::optional<int64_t> id = store::ParseInt64(args[2]);
  if (!id) return ctx.reply.Error(errors::kNotInteger);
  std::shared_ptr<BlockedClient> target;
  ctx.server.clients().ForEach([&](ClientState& c, const std::function<void()>&) {
    if (static_cast<int64_t>(c.id) == *id) target = c.blocked;
  });
  if (target == nullptr || !EndBlock(ctx.server, *target, why)) return ctx.reply.Integer(0);
  target->wake(0);  // nothing was logged for it
  ctx.reply.Integer(1);
}

// CLIENT PAUSE timeout [WRITE|ALL]: Redis checks the mode, then the
// timeout (milliseconds). A pause already running keeps the later end and
// the stricter mode.
void CmdClientPause(CommandContext& ctx) {
  const Args& args = ctx.args;
  if (args.size() > 4) {
    return ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {args[1], "CLIENT"}));
  }
  ClientPause::Mode mode = ClientPause::Mode::kAll;
  if (args.size() == 4) {
    if (EqualsIgnoreCase(args[3], "write")) {
      mode = ClientPause::Mode::kWrite;
    } else if (!EqualsIgnoreCase(args[3], "all")) {
      return ctx.reply.Error(errors::kPauseMode);
    }
  }
  std::optional<int64_t> ms = store::ParseInt64(args[2]);
  if (!ms) return ctx.reply.Error(errors::kTimeoutNotInteger);
  if (*ms < 0) return ctx.reply.Error(errors::kTimeoutNegative);
  const int64_t now = ctx.server.clock().NowMs();
  const int64_t end = *ms == 0 ? 0
                      : *ms > std::numeric_limits<int64_t>::max() - now
                          ? std::numeric_limits<int64_t>::max()
                          : now + *ms;
  ctx.server.pause().Pause(end, mode);
  // Keys do not expire while clients are paused, in either mode (Redis 7.0).
  ctx.keyspace.PauseExpiry(ctx.server.pause().end_ms());
  ctx.reply.Ok();
}

// CLIENT UNPAUSE: ends the pause; the clients it held run their commands.
void CmdClientUnpause(CommandContext& ctx) {
  ctx.server.pause().Unpause();
  ctx.keyspace.PauseExpiry(0);
  ctx.reply.Ok();
}

// CLIENT NO-EVICT ON|OFF.
void CmdClientNoEvict(CommandContext& ctx) {
  const std::string& arg = ctx.args[2];
  if (EqualsIgnoreCase(arg, "on")) {
    ctx.client.no_evict.store(true, std::memory_order_relaxed);
  } else if (EqualsIgnoreCase(arg, "off")) {
    ctx.client.no_evict.store(false, std::memory_order_relaxed);
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  ctx.reply.Ok();
}

// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT]
// [NOLOOP]: the options are parsed (REDIRECT's client checked) whatever the
// switch says, then checked against each other and the client's current
// mode in Redis's order.
void CmdClientTracking(CommandContext& ctx) {
  const Args& args = ctx.args;
  TrackingOptions o;
  for (size_t i = 3; i < args.size(); ++i) {
    const bool more = i + 1 < args.size();
    if (EqualsIgnoreCase(args[i], "redirect") && more) {
      ++i;
      if (o.redirect != 0) return ctx.reply.Error(errors::kTrackingSingleRedirect);
      std::optional<int64_t> id = store::ParseInt64(args[i]);
      if (!id) return ctx.reply.Error(errors::kNotInteger);
      // The client must exist now; it may still go away later.
      if (*id <= 0 ||
          !ctx.server.clients().WithClient(static_cast<uint64_t>(*id), [](ClientState&) {})) {
        return ctx.reply.Error(errors::kTrackingRedirectMissing);
      }
      o.redirect = static_cast<uint64_t>(*id);
    } else if (EqualsIgnoreCase(args[i], "bcast")) {
      o.bcast = true;
    } else if (EqualsIgnoreCase(args[i], "optin")) {
      o.optin = true;
    } else if (EqualsIgnoreCase(args[i], "optout")) {
      o.optout = true;
    } else if (EqualsIgnoreCase(args[i], "noloop")) {
      o.noloop = true;
    } else if (EqualsIgnoreCase(args[i], "prefix") && more) {
      o.prefixes.push_back(args[++i]);
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  ClientState& c = ctx.client;
  if (EqualsIgnoreCase(args[2], "off")) {
    DisableTracking(ctx);
    return ctx.reply.Ok();
  }
  if (!EqualsIgnoreCase(args[2], "on")) return ctx.reply.Error(errors::kSyntax);
  if (!o.bcast && !o.prefixes.empty()) return ctx.reply.Error(errors::kTrackingPrefixNeedsBcast);
  if (c.tracking.on && c.tracking.bcast != o.bcast) {
    return ctx.reply.Error(errors::kTrackingBcastSwitch);
  }
  if (o.bcast && (o.optin || o.optout)) return ctx.reply.Error(errors::kTrackingOptInBcast);
  if (o.optin && o.optout) return ctx.reply.Error(errors::kTrackingOptInAndOptOut);
  if ((o.optin && c.tracking.optout) || (o.optout && c.tracking.optin)) {
    return ctx.reply.Error(errors::kTrackingOptInSwitch);
  }
  if (o.bcast) {
    if (auto conflict = ClientTracking::PrefixConflict(c.tracking, o.prefixes)) {
      return ctx.reply.Error(*conflict);
    }
  }
  ctx.server.tracking().Enable(c, o);
  {
    std::lock_guard lock(ctx.server.clients().mutex());
    c.tracking.on = true;
    c.tracking.bcast = o.bcast;
    c.tracking.redirect = o.redirect;
  }
  ctx.reply.Ok();
}

// CLIENT CACHING YES|NO: whether the next command's keys are tracked, in
// OPTIN (YES) or OPTOUT (NO) mode.
void CmdClientCaching(CommandContext& ctx) {
  TrackingState& t = ctx.client.tracking;
  if (!t.on) return ctx.reply.Error(errors::kCachingNotTracking);
  if (EqualsIgnoreCase(ctx.args[2], "yes")) {
    if (!t.optin) return ctx.reply.Error(errors::kCachingYesNeedsOptIn);
  } else if (EqualsIgnoreCase(ctx.args[2], "no")) {
    if (!t.optout) return ctx.reply.Error(errors::kCachingNoNeedsOptOut);
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  t.caching = true;
  ctx.reply.Ok();
}

// CLIENT GETREDIR: the client invalidations are redirected to, 0 for none,
// -1 when tracking is off.
void CmdClientGetRedir(CommandContext& ctx) {
  const TrackingState& t = ctx.client.tracking;
  ctx.reply.Integer(t.on ? static_cast<int64_t>(t.redirect) : -1);
}

// CLIENT TRACKINGINFO: flags (a set), redirect, prefixes, as Redis.
void CmdClientTrackingInfo(CommandContext& ctx) {
  const TrackingState& t = ctx.client.tracking;
  std::vector<std::string_view> flags;
  if (!t.on) {
    flags.push_back("off");
  } else {
    flags.push_back("on");
    if (t.bcast) flags.push_back("bcast");
    if (t.optin) {
      flags.push_back("optin");
      if (t.caching) flags.push_back("caching-yes");
    }
    if (t.optout) {
      flags.push_back("optout");
      if (t.caching) flags.push_back("caching-no");
    }
    if (t.noloop) flags.push_back("noloop");
    if (t.redirect != 0 && ctx.client.tracking_redir_broken.load(std::memory_order_relaxed)) {
      flags.push_back("broken_redirect");
    }
  }
  ctx.reply.MapLen(3);
  ctx.reply.Bulk("flags");
  ctx.reply.SetLen(flags.size());
  for (std::string_view f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("redirect");
  ctx.reply.Integer(t.on ? static_cast<int64_t>(t.redirect) : -1);
  ctx.reply.Bulk("prefixes");
  ctx.reply.ArrayLen(t.prefixes.size());
  for (const std::string& p : t.prefixes) ctx.reply.Bulk(p);
}

void CmdClientHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "CACHING (YES|NO)",
                     "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT "
                     "modes.",
                     "GETREDIR",
                     "    Return the client ID we are redirecting to when tracking is enabled.",
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
                     "UNPAUSE",
                     "    Stop the current client pause, resuming traffic.",
                     "PAUSE <timeout> [WRITE|ALL]",
                     "    Suspend all, or just write, clients for <timeout> milliseconds.",
                     "SETNAME <name>",
                     "    Assign the name <name> to the current connection.",
                     "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                     "    Unblock the specified blocked client.",
                     "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                     "         [OPTIN] [OPTOUT] [NOLOOP]",
                     "    Control server assisted client side caching.",
                     "TRACKINGINFO",
                     "    Report tracking status for the current connection.",
                     "NO-EVICT (ON|OFF)",
                     "    Protect current client connection from eviction.",
                     "SETINFO <option> <value>",
                     "    Set client meta attr. Options are:",
                     "    * LIB-NAME: the client lib name.",
                     "    * LIB-VER: the client lib version.",
                     "HELP",
                     "    Prints this help.",
                 });
}

constexpr char kNondeterministic[] = "nondeterministic_output";

}  // namespace

namespace {

// The slow log hides AUTH's username and password (Redis redacts them
// whenever AUTH runs with one or two arguments).
void RedactAuth(const Args& args, std::vector<bool>* redacted) {
  if (args.size() > 3) return;
  for (size_t i = 1; i < args.size(); ++i) (*redacted)[i] = true;
}

// HELLO's AUTH username and password, for the options read before a
// syntax error, as Redis.
void RedactHello(const Args& args, std::vector<bool>* redacted) {
  if (args.size() < 2) return;
  std::optional<int64_t> version = store::ParseInt64(args[1]);
  if (!version || *version < 2 || *version > 3) return;
  for (size_t i = 2; i < args.size(); ++i) {
    const size_t more = args.size() - 1 - i;
    if (EqualsIgnoreCase(args[i], "auth") && more >= 2) {
      (*redacted)[i + 1] = true;
      (*redacted)[i + 2] = true;
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "setname") && more >= 1) {
      ++i;
    } else {
      return;
    }
  }
}

}  // namespace

void RegisterConnectionFamily(CommandRegistry& r) {
  // QUIT and RESET run at once even inside MULTI, as in Redis.
  constexpr uint32_t kHandshake = kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy;
  // A CLIENT subcommand leaves CLIENT CACHING's choice for the next command.
  constexpr uint32_t kClientSub = kNoScript | kLoading | kStale | kKeepsCaching;
  constexpr uint32_t kClientAdmin = kAdmin | kNoScript | kLoading | kStale | kKeepsCaching;

  r.Register({.name = "ping",
              .arity = -1,
              .flags = kFast | kDeniedOnDiskError,
              .handler = CmdPing,
              .acl_categories = AclCategory::kConnection,
              .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
              .summary = "Ping the server",
              .since = "1.0.0",
              .group = "connection",
              .complexity = "O(1)",
              .arguments = {ArgString("message").Optional()}});
  r.Register({.name = "echo",
              .arity = 2,
              .flags = kLoading | kStale | kFast,
              .handler = CmdEcho,
              .acl_categories = AclCategory::kConnection,
              .summary = "Echo the given string",
              .since = "1.0.0",
              .group = "connection",
              .complexity = "O(1)",
              .arguments = {ArgString("message")}});
  r.Register({.name = "quit",
              .arity = -1,
              .flags = kHandshake | kMultiControl,
              .handler = CmdQuit,
              .acl_categories = AclCategory::kConnection,
              .summary = "Close the connection",
              .since = "1.0.0",
              .group = "connection",
              .complexity = "O(1)"});
  r.Register({.name = "reset",
              .arity = 1,
              .flags = kHandshake | kMultiControl,
              .handler = CmdReset,
              .acl_categories = AclCategory::kConnection,
              .summary = "Reset the connection",
              .since = "6.2.0",
              .group = "connection",
              .complexity = "O(1)"});
  r.Register({.name = "select",
              .arity = 2,
              .flags = kLoading | kStale | kFast,
              .handler = CmdSelect,
              .acl_categories = AclCategory::kConnection,
              .summary = "Change the selected database for the current connection",
              .since = "1.0.0",
              .group = "connection",
              .complexity = "O(1)",
              .arguments = {ArgInteger("index")}});
  r.Register(
      {.name = "hello",
       .arity = -1,
       .flags = kHandshake,
       .handler = CmdHello,
       .acl_categories = AclCategory::kConnection,
       .redact = RedactHello,
       .summary = "Handshake with Redis",
       .since = "6.0.0",
       .group = "connection",
       .complexity = "O(1)",
       .history = {{"6.2.0",
                    "`protover` made optional; when called without arguments the command reports "
                    "the current connection's context."}},
       .arguments = {ArgBlock("arguments", {ArgInteger("protover"),
                                            ArgBlock("username_password",
                                                     {ArgString("username"), ArgString("password")})
                                                .Token("AUTH")
                                                .Optional(),
                                            ArgString("clientname").Token("SETNAME").Optional()})
                         .Optional()}});
  r.Register(
      {.name = "auth",
       .arity = -2,
       .flags = kHandshake,
       .handler = CmdAuth,
       .acl_categories = AclCategory::kConnection,
       .redact = RedactAuth,
       .summary = "Authenticate to the server",
       .since = "1.0.0",
       .group = "connection",
       .complexity = "O(N) where N is the number of passwords defined for the user",
       .history = {{"6.0.0", "Added ACL style (username and password)."}},
       .arguments = {ArgString("username").Since("6.0.0").Optional(), ArgString("password")}});
  r.Register(
      {.name = "client",
       .arity = -2,
       .handler = nullptr,
       .summary = "A container for client connection commands",
       .since = "2.4.0",
       .group = "connection",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "client|id",
            .arity = 2,
            .flags = kClientSub,
            .handler = CmdClientId,
            .acl_categories = AclCategory::kConnection,
            .summary = "Returns the client ID for the current connection",
            .since = "5.0.0",
            .group = "connection",
            .complexity = "O(1)"},
           {.name = "client|reply",
            .arity = 3,
            .flags = kClientSub,
            .handler = CmdClientReply,
            .acl_categories = AclCategory::kConnection,
            .summary = "Instruct the server whether to reply to commands",
            .since = "3.2.0",
            .group = "connection",
            .complexity = "O(1)",
            .arguments = {ArgOneOf("action", {ArgToken("on", "ON"), ArgToken("off", "OFF"),
                                              ArgToken("skip", "SKIP")})}},
           {.name = "client|getname",
            .arity = 2,
            .flags = kClientSub,
            .handler = CmdClientGetName,
            .acl_categories = AclCategory::kConnection,
            .summary = "Get the current connection name",
            .since = "2.6.9",
            .group = "connection",
            .complexity = "O(1)"},
           {.name = "client|setname",
            .arity = 3,
            .flags = kClientSub,
            .handler = CmdClientSetName,
            .acl_categories = AclCategory::kConnection,
            .summary = "Set the current connection name",
            .since = "2.6.9",
            .group = "connection",
            .complexity = "O(1)",
            .arguments = {ArgString("connection-name")}},
           {.name = "client|setinfo",
            .arity = 4,
            .flags = kClientSub,
            .handler = CmdClientSetInfo,
            .acl_categories = AclCategory::kConnection,
            .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
            .summary = "Sets information specific to the client or connection.",
            .since = "7.2.0",
            .group = "connection",
            .complexity = "O(1)",
            .arguments = {ArgOneOf("attr", {ArgString("libname").Token("LIB-NAME"),
                                            ArgString("libver").Token("LIB-VER")})}},
           {.name = "client|info",
            .arity = 2,
            .flags = kClientSub,
            .handler = CmdClientInfo,
            .acl_categories = AclCategory::kConnection,
            .tips = {kNondeterministic},
            .summary = "Returns information about the current client connection.",
            .since = "6.2.0",
            .group = "connection",
            .complexity = "O(1)"},
           {.name = "client|list",
            .arity = -2,
            .flags = kClientAdmin,
            .handler = CmdClientList,
            .acl_categories = AclCategory::kConnection,
            .tips = {kNondeterministic},
            .summary = "Get the list of client connections",
            .since = "2.4.0",
            .group = "connection",
            .complexity = "O(N) where N is the number of client connections",
            .history = {{"2.8.12", "Added unique client `id` field."},
                        {"5.0.0", "Added optional `TYPE` filter."},
                        {"6.0.0", "Added `user` field."},
                        {"6.2.0",
                         "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional "
                         "`ID` filter."},
                        {"7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."},
                        {"7.0.3", "Added `ssub` field."}},
            .arguments = {ArgOneOf("normal_master_replica_pubsub",
                                   {ArgToken("normal", "NORMAL"), ArgToken("master", "MASTER"),
                                    ArgToken("replica", "REPLICA"), ArgToken("pubsub", "PUBSUB")})
                              .Token("TYPE")
                              .Since("5.0.0")
                              .Optional(),
                          ArgBlock("id", {ArgInteger("client-id").Multiple()})
                              .Token("ID")
                              .Since("6.2.0")
                              .Optional()}},
           {.name = "client|unblock",
            .arity = -3,
            .flags = kClientAdmin,
            .handler = CmdClientUnblock,
            .acl_categories = AclCategory::kConnection,
            .summary = "Unblock a client blocked in a blocking command from a different connection",
            .since = "5.0.0",
            .group = "connection",
            .complexity = "O(log N) where N is the number of client connections",
            .arguments = {ArgInteger("client-id"),
                          ArgOneOf("timeout_error",
                                   {ArgToken("timeout", "TIMEOUT"), ArgToken("error", "ERROR")})
                              .Optional()}},
           {.name = "client|pause",
            .arity = -3,
            .flags = kClientAdmin,
            .handler = CmdClientPause,
            .acl_categories = AclCategory::kConnection,
            .summary = "Stop processing commands from clients for some time",
            .since = "2.9.50",
            .group = "connection",
            .complexity = "O(1)",
            .history = {{"6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."}},
            .arguments = {ArgInteger("timeout"),
                          ArgOneOf("mode", {ArgToken("write", "WRITE"), ArgToken("all", "ALL")})
                              .Since("6.2.0")
                              .Optional()}},
           {.name = "client|unpause",
            .arity = 2,
            .flags = kClientAdmin,
            .handler = CmdClientUnpause,
            .acl_categories = AclCategory::kConnection,
            .summary = "Resume processing of clients that were paused",
            .since = "6.2.0",
            .group = "connection",
            .complexity = "O(N) Where N is the number of paused clients"},
           {.name = "client|no-evict",
            .arity = 3,
            .flags = kClientAdmin,
            .handler = CmdClientNoEvict,
            .acl_categories = AclCategory::kConnection,
            .summary = "Set client eviction mode for the current connection",
            .since = "7.0.0",
            .group = "connection",
            .complexity = "O(1)",
            .arguments = {ArgOneOf("enabled", {ArgToken("on", "ON"), ArgToken("off", "OFF")})}},
           {.name = "client|kill",
            .arity = -3,
            .flags = kClientAdmin,
            .handler = CmdClientKill,
            .acl_categories = AclCategory::kConnection,
            .summary = "Kill the connection of a client",
            .since = "2.4.0",
            .group = "connection",
            .complexity = "O(N) where N is the number of client connections",
            .history = {{"2.8.12", "Added new filter format."},
                        {"2.8.12", "`ID` option."},
                        {"3.2.0", "Added `master` type in for `TYPE` option."},
                        {"5.0.0",
                         "Replaced `slave` `TYPE` with `replica`. `slave` still supported for "
                         "backward compatibility."},
                        {"6.2.0", "`LADDR` option."}},
            .arguments = {ArgOneOf(
                "filter", {ArgString("ip:port").DeprecatedSince("2.8.12"),
                           ArgOneOf("new-format",
                                    {ArgInteger("client-id").Token("ID").Since("2.8.12").Optional(),
                                     ArgOneOf("normal_master_slave_pubsub",
                                              {ArgToken("normal", "NORMAL"),
                                               ArgToken("master", "MASTER").Since("3.2.0"),
                                               ArgToken("slave", "SLAVE"),
                                               ArgToken("replica", "REPLICA").Since("5.0.0"),
                                               ArgToken("pubsub", "PUBSUB")})
                                         .Token("TYPE")
                                         .Since("2.8.12")
                                         .Optional(),
                                     ArgString("username").Token("USER").Optional(),
                                     ArgString("ip:port").Token("ADDR").Optional(),
                                     ArgString("ip:port").Token("LADDR").Since("6.2.0").Optional(),
                                     ArgString("yes/no").Token("SKIPME").Optional()})
                               .Multiple()})}},
           {.name = "client|tracking",
            .arity = -3,
            .flags = kClientSub,
            .handler = CmdClientTracking,
            .acl_categories = AclCategory::kConnection,
            .summary = "Enable or disable server assisted client side caching support",
            .since = "6.0.0",
            .group = "connection",
            .complexity = "O(1). Some options may introduce additional complexity.",
            .arguments = {ArgOneOf("status", {ArgToken("on", "ON"), ArgToken("off", "OFF")}),
                          ArgInteger("client-id").Token("REDIRECT").Optional(),
                          ArgString("prefix").Token("PREFIX").Optional().Multiple().MultipleToken(),
                          ArgToken("bcast", "BCAST").Optional(),
                          ArgToken("optin", "OPTIN").Optional(),
                          ArgToken("optout", "OPTOUT").Optional(),
                          ArgToken("noloop", "NOLOOP").Optional()}},
           {.name = "client|caching",
            .arity = 3,
            .flags = kClientSub,
            .handler = CmdClientCaching,
            .acl_categories = AclCategory::kConnection,
            .summary = "Instruct the server about tracking or not keys in the next request",
            .since = "6.0.0",
            .group = "connection",
            .complexity = "O(1)",
            .arguments = {ArgOneOf("mode", {ArgToken("yes", "YES"), ArgToken("no", "NO")})}},
           {.name = "client|getredir",
            .arity = 2,
            .flags = kClientSub,
            .handler = CmdClientGetRedir,
            .acl_categories = AclCategory::kConnection,
            .summary = "Get tracking notifications redirection client ID if any",
            .since = "6.0.0",
            .group = "connection",
            .complexity = "O(1)"},
           {.name = "client|trackinginfo",
            .arity = 2,
            .flags = kClientSub,
            .handler = CmdClientTrackingInfo,
            .acl_categories = AclCategory::kConnection,
            .summary = "Return information about server assisted client side caching for the "
                       "current connection",
            .since = "6.2.0",
            .group = "connection",
            .complexity = "O(1)"},
           {.name = "client|help",
            .arity = 2,
            .flags = kLoading | kStale | kKeepsCaching,
            .handler = CmdClientHelp,
            .acl_categories = AclCategory::kConnection,
            .summary = "Show helpful text about the different subcommands",
            .since = "5.0.0",
            .group = "connection",
            .complexity = "O(1)"}}});
}

}  // namespace stashd::server
