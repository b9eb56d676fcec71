// The ACL command: CAT DELUSER DRYRUN GENPASS GETUSER HELP LIST LOAD LOG SAVE
// SETUSER USERS WHOAMI, over server/acl/acl.h. Replies are Redis 7.0's.
//
// None of them takes a key. Deleting or reloading users disconnects the
// clients authenticated as them, as Redis does: the calling client after
// its reply, the others at once.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/acl/acl.h"
#include "server/base/ascii.h"
#include "server/commands/command_docs.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/server_state.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

// Closes the connections authenticated as one of `users`: the calling one
// after its reply, the others now.
void DisconnectUsers(CommandContext& ctx, const std::vector<std::string>& users) {
  if (users.empty()) return;
  absl::flat_hash_set<std::string> names(users.begin(), users.end());
  std::vector<std::function<void()>> to_close;
  ctx.server.clients().ForEach([&](ClientState& c, const std::function<void()>& close) {
    if (!names.contains(c.user)) return;
    if (&c == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else {
      c.kill_requested.store(true);
      to_close.push_back(close);
    }
  });
  // Closing may drop a connection's last reference, whose destructor takes
  // the registry mutex ForEach holds: close after the loop.
  for (const std::function<void()>& close : to_close) close();
}

// After ACL SETUSER changed `name`: closes its clients subscribed to a
// channel or pattern the user may no longer use, as Redis 7.0 does (the
// calling one after its reply).
void DisconnectUnpermittedSubscribers(CommandContext& ctx, const std::string& name) {
  std::shared_ptr<const AclUser> user = ctx.server.acl().Find(name);
  if (user == nullptr) return;
  absl::flat_hash_set<const ClientState*> violating;
  ctx.server.pubsub().ForEachSubscription(
      [&](const ClientState* c, PubSubKind kind, const std::string& channel) {
        if (!violating.contains(c) && !user->AllowsChannel(channel, kind == PubSubKind::kPattern)) {
          violating.insert(c);
        }
      });
  if (violating.empty()) return;
  std::vector<std::function<void()>> to_close;
  ctx.server.clients().ForEach([&](ClientState& c, const std::function<void()>& close) {
    if (!violating.contains(&c) || c.user != name) return;
    if (&c == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else {
      c.kill_requested.store(true);
      to_close.push_back(close);
    }
  });
  for (const std::function<void()>& close : to_close) close();
}

void CmdAclSetUser(CommandContext& ctx) {
  std::vector<std::string> rules(ctx.args.begin() + 3, ctx.args.end());
  if (auto err = ctx.server.acl().SetUser(ctx.args[2], rules)) {
    ctx.reply.Error(*err);
    return;
  }
  DisconnectUnpermittedSubscribers(ctx, ctx.args[2]);
  ctx.reply.Ok();
}

void CmdAclDelUser(CommandContext& ctx) {
  std::vector<std::string> names(ctx.args.begin() + 2, ctx.args.end());
  if (std::find(names.begin(), names.end(), "default") != names.end()) {
    ctx.reply.Error(errors::kAclDefaultUserUndeletable);
    return;
  }
  std::vector<std::string> existing;
  for (const std::string& name : names) {
    if (ctx.server.acl().Find(name) != nullptr) existing.push_back(name);
  }
  int deleted = ctx.server.acl().DeleteUsers(names);
  DisconnectUsers(ctx, existing);
  ctx.reply.Integer(deleted);
}

void ReplySelector(CommandContext& ctx, const Acl& acl, const AclSelector& s) {
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(acl.DescribeCommandRules(s));
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(acl.DescribeKeys(s));
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(acl.DescribeChannels(s));
}

void CmdAclGetUser(CommandContext& ctx) {
  const Acl& acl = ctx.server.acl();
  std::shared_ptr<const AclUser> user = acl.Find(ctx.args[2]);
  if (user == nullptr) {
    ctx.reply.Null();
    return;
  }
  std::vector<std::string_view> flags = {user->enabled ? "on" : "off"};
  if (user->nopass) flags.push_back("nopass");
  if (user->sanitize == AclUser::Sanitize::kSkip) flags.push_back("skip-sanitize-payload");
  if (user->sanitize == AclUser::Sanitize::kSanitize) flags.push_back("sanitize-payload");
  ctx.reply.MapLen(6);
  ctx.reply.Bulk("flags");
  ctx.reply.SetLen(flags.size());
  for (std::string_view f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("passwords");
  ctx.reply.ArrayLen(user->passwords.size());
  for (const std::string& p : user->passwords) ctx.reply.Bulk(p);
  ReplySelector(ctx, acl, user->selectors[0]);
  ctx.reply.Bulk("selectors");
  ctx.reply.ArrayLen(user->selectors.size() - 1);
  for (size_t i = 1; i < user->selectors.size(); ++i) {
    ctx.reply.MapLen(3);
    ReplySelector(ctx, acl, user->selectors[i]);
  }
}

void CmdAclList(CommandContext& ctx) {
  std::vector<std::string> lines = ctx.server.acl().DescribeUsers();
  ctx.reply.ArrayLen(lines.size());
  for (const std::string& line : lines) ctx.reply.Bulk(line);
}

void CmdAclUsers(CommandContext& ctx) {
  std::vector<std::string> names = ctx.server.acl().UserNames();
  ctx.reply.ArrayLen(names.size());
  for (const std::string& name : names) ctx.reply.Bulk(name);
}

void CmdAclWhoAmI(CommandContext& ctx) { ctx.reply.Bulk(ctx.client.user); }

void CmdAclLoad(CommandContext& ctx) {
  const std::string& path = ctx.server.config().aclfile;
  if (path.empty()) {
    ctx.reply.Error(errors::kAclNoFile);
    return;
  }
  std::vector<std::string> replaced;
  if (auto err = ctx.server.acl().LoadFile(path, &replaced)) {
    ctx.reply.Error("ERR " + *err);
    return;
  }
  DisconnectUsers(ctx, replaced);
  ctx.reply.Ok();
}

void CmdAclSave(CommandContext& ctx) {
  const std::string& path = ctx.server.config().aclfile;
  if (path.empty()) {
    ctx.reply.Error(errors::kAclNoFile);
    return;
  }
  if (auto err = ctx.server.acl().SaveFile(path)) {
    spdlog::warn("{}", *err);
    ctx.reply.Error(errors::kAclSaveFailed);
    return;
  }
  ctx.reply.Ok();
}

void CmdAclCat(CommandContext& ctx) {
  const AclCommandTable& table = ctx.server.acl().commands();
  if (ctx.args.size() == 2) {
    ctx.reply.ArrayLen(table.category_names().size());
    for (std::string_view name : table.category_names()) ctx.reply.Bulk(name);
    return;
  }
  if (ctx.args.size() != 3) {
    ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "ACL"}));
    return;
  }
  int category = table.CategoryIndex(ctx.args[2]);
  if (category < 0) {
    ctx.reply.Error(errors::Format(errors::kAclUnknownCategory,
                                   {std::string_view(ctx.args[2]).substr(0, 128)}));
    return;
  }
  const std::vector<int>& members = table.CategoryMembers(category);
  ctx.reply.ArrayLen(members.size());
  for (int id : members) ctx.reply.Bulk(table.at(id).spec->name);
}

// ACL GENPASS [bits]: `bits` random bits (256 by default) as hex digits.
void CmdAclGenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.args.size() == 3) {
    std::optional<int64_t> parsed = store::ParseInt64(ctx.args[2]);
    if (!parsed) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    bits = *parsed;
  } else if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "ACL"}));
    return;
  }
  if (bits <= 0 || bits > 4096) {
    ctx.reply.Error(errors::kAclGenpassBits);
    return;
  }
  size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::string bytes(chars, '\0');
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(bytes.data(), static_cast<std::streamsize>(chars))) {
    std::random_device rd;
    for (char& b : bytes) b = static_cast<char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(chars, '0');
  for (size_t i = 0; i < chars; ++i) out[i] = kHex[static_cast<unsigned char>(bytes[i]) & 15];
  ctx.reply.Bulk(out);
}

// ACL LOG [count | RESET]
void CmdAclLog(CommandContext& ctx) {
  Acl& acl = ctx.server.acl();
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    if (EqualsIgnoreCase(ctx.args[2], "reset")) {
      acl.ResetLog();
      ctx.reply.Ok();
      return;
    }
    std::optional<int64_t> parsed = store::ParseInt64(ctx.args[2]);
    if (!parsed) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    count = std::max<int64_t>(0, *parsed);
  } else if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "ACL"}));
    return;
  }
  std::vector<Acl::LogEntry> entries = acl.LogEntries(static_cast<size_t>(count));
  const int64_t now = ctx.server.clock().NowMs();
  ctx.reply.ArrayLen(entries.size());
  for (const Acl::LogEntry& e : entries) {
    static constexpr std::string_view kReasons[] = {"command", "key", "channel", "auth"};
    static constexpr std::string_view kContexts[] = {"toplevel", "multi", "lua", "module"};
    ctx.reply.MapLen(7);
    ctx.reply.Bulk("count");
    ctx.reply.Integer(static_cast<int64_t>(e.count));
    ctx.reply.Bulk("reason");
    ctx.reply.Bulk(kReasons[static_cast<int>(e.reason)]);
    ctx.reply.Bulk("context");
    ctx.reply.Bulk(kContexts[static_cast<int>(e.context)]);
    ctx.reply.Bulk("object");
    ctx.reply.Bulk(e.object);
    ctx.reply.Bulk("username");
    ctx.reply.Bulk(e.username);
    ctx.reply.Bulk("age-seconds");
    ctx.reply.Double(static_cast<double>(now - e.ctime_ms) / 1000);
    ctx.reply.Bulk("client-info");
    ctx.reply.Bulk(e.client_info);
  }
}

// ACL DRYRUN username command [arg ...]: whether the user could run it.
void CmdAclDryRun(CommandContext& ctx) {
  const Acl& acl = ctx.server.acl();
  std::shared_ptr<const AclUser> user = acl.Find(ctx.args[2]);
  if (user == nullptr) {
    ctx.reply.Error(errors::Format(errors::kAclUserNotFound, {ctx.args[2]}));
    return;
  }
  Args target(ctx.args.begin() + 3, ctx.args.end());
  const CommandSpec* spec = ctx.server.commands().Find(target[0]);
  if (spec != nullptr && !spec->subcommands.empty() && target.size() >= 2) {
    spec = spec->FindSubcommand(ToLower(target[1]));
  }
  if (spec == nullptr) {
    ctx.reply.Error(errors::Format(errors::kAclCommandNotFound, {target[0]}));
    return;
  }
  int argc = static_cast<int>(target.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error(errors::Format(errors::kWrongArgs, {spec->name}));
    return;
  }
  int denied = 0;
  switch (acl.Check(*user, *spec, target, &denied)) {
    case AclResult::kOk:
      ctx.reply.Ok();
      break;
    case AclResult::kDeniedCommand:
      ctx.reply.Bulk(errors::Format(errors::kAclDryrunDeniedCommand, {spec->name}));
      break;
    case AclResult::kDeniedKey:
      ctx.reply.Bulk(errors::Format(errors::kAclDryrunDeniedKey, {target[denied]}));
      break;
    case AclResult::kDeniedChannel:
      ctx.reply.Bulk(errors::Format(errors::kAclDryrunDeniedChannel, {target[denied]}));
      break;
  }
}

void CmdAclHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {
                "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CAT [<category>]",
                "    List all commands that belong to <category>, or all command categories",
                "    when no category is specified.",
                "DELUSER <username> [<username> ...]",
                "    Delete a list of users.",
                "DRYRUN <username> <command> [<arg> ...]",
                "    Returns whether the user can execute the given command without executing the "
                "command.",
                "GETUSER <username>",
                "    Get the user's details.",
                "GENPASS [<bits>]",
                "    Generate a secure 256-bit user password. The optional `bits` argument can",
                "    be used to specify a different size.",
                "LIST",
                "    Show users details in config file format.",
                "LOAD",
                "    Reload users from the ACL file.",
                "LOG [<count> | RESET]",
                "    Show the ACL log entries.",
                "SAVE",
                "    Save the current config to the ACL file.",
                "SETUSER <username> <attribute> [<attribute> ...]",
                "    Create or modify a user with the specified attributes.",
                "USERS",
                "    List all the registered usernames.",
                "WHOAMI",
                "    Return the current connection username.",
                "HELP",
                "    Prints this help.",
            });
}

}  // namespace

namespace {

// The slow log hides ACL SETUSER's user name and rules (they may hold
// passwords), as Redis.
void RedactAclSetUser(const Args& args, std::vector<bool>* redacted) {
  for (size_t i = 2; i < args.size(); ++i) (*redacted)[i] = true;
}

}  // namespace

void RegisterAclFamily(CommandRegistry& r) {
  constexpr uint32_t kInfo = kNoScript | kLoading | kStale;
  constexpr uint32_t kAdminInfo = kAdmin | kNoScript | kLoading | kStale;

  r.Register(
      {.name = "acl",
       .arity = -2,
       .handler = nullptr,
       .summary = "A container for Access List Control commands ",
       .since = "6.0.0",
       .group = "server",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "acl|cat",
            .arity = -2,
            .flags = kInfo,
            .handler = CmdAclCat,
            .summary = "List the ACL categories or the commands inside a category",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(1) since the categories and commands are a fixed set.",
            .arguments = {ArgString("categoryname").Optional()}},
           {.name = "acl|deluser",
            .arity = -3,
            .flags = kAdminInfo,
            .handler = CmdAclDelUser,
            .summary = "Remove the specified ACL users and the associated rules",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(1) amortized time considering the typical user.",
            .arguments = {ArgString("username").Multiple()}},
           {.name = "acl|dryrun",
            .arity = -4,
            .flags = kAdminInfo,
            .handler = CmdAclDryRun,
            .summary = "Returns whether the user can execute the given command without executing "
                       "the command.",
            .since = "7.0.0",
            .group = "server",
            .complexity = "O(1).",
            .arguments = {ArgString("username"), ArgString("command"),
                          ArgString("arg").Optional().Multiple()}},
           {.name = "acl|genpass",
            .arity = -2,
            .flags = kInfo,
            .handler = CmdAclGenPass,
            .summary = "Generate a pseudorandom secure password to use for ACL users",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(1)",
            .arguments = {ArgInteger("bits").Optional()}},
           {.name = "acl|getuser",
            .arity = 3,
            .flags = kAdminInfo,
            .handler = CmdAclGetUser,
            .summary = "Get the rules for a specific ACL user",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(N). Where N is the number of password, command and pattern rules that "
                          "the user has.",
            .history = {{"6.2.0", "Added Pub/Sub channel patterns."},
                        {"7.0.0",
                         "Added selectors and changed the format of key and channel patterns from "
                         "a list to their rule representation."}},
            .arguments = {ArgString("username")}},
           {.name = "acl|help",
            .arity = 2,
            .flags = kLoading | kStale,
            .handler = CmdAclHelp,
            .summary = "Show helpful text about the different subcommands",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "acl|list",
            .arity = 2,
            .flags = kAdminInfo,
            .handler = CmdAclList,
            .summary = "List the current ACL rules in ACL config file format",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(N). Where N is the number of configured users."},
           {.name = "acl|load",
            .arity = 2,
            .flags = kAdminInfo,
            .handler = CmdAclLoad,
            .summary = "Reload the ACLs from the configured ACL file",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(N). Where N is the number of configured users."},
           {.name = "acl|log",
            .arity = -2,
            .flags = kAdminInfo,
            .handler = CmdAclLog,
            .summary = "List latest events denied because of ACLs in place",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(N) with N being the number of entries shown.",
            .arguments = {ArgOneOf("operation", {ArgInteger("count"), ArgToken("reset", "RESET")})
                              .Optional()}},
           {.name = "acl|save",
            .arity = 2,
            .flags = kAdminInfo,
            .handler = CmdAclSave,
            .summary = "Save the current ACL rules in the configured ACL file",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(N). Where N is the number of configured users."},
           {.name = "acl|setuser",
            .arity = -3,
            .flags = kAdminInfo,
            .handler = CmdAclSetUser,
            .redact = RedactAclSetUser,
            .summary = "Modify or create the rules for a specific ACL user",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(N). Where N is the number of rules provided.",
            .history = {{"6.2.0", "Added Pub/Sub channel patterns."},
                        {"7.0.0", "Added selectors and key based permissions."}},
            .arguments = {ArgString("username"), ArgString("rule").Optional().Multiple()}},
           {.name = "acl|users",
            .arity = 2,
            .flags = kAdminInfo,
            .handler = CmdAclUsers,
            .summary = "List the username of all the configured ACL rules",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(N). Where N is the number of configured users."},
           {.name = "acl|whoami",
            .arity = 2,
            .flags = kInfo,
            .handler = CmdAclWhoAmI,
            .summary = "Return the name of the user associated to the current connection",
            .since = "6.0.0",
            .group = "server",
            .complexity = "O(1)"}}});
}

}  // namespace stashd::server
