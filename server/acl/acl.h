// Access control lists, compatible with Redis 7.0: users with passwords
// (kept as SHA-256 hashes), on/off, and selectors granting commands (by name,
// subcommand or category), key patterns (~pattern, %R~ read-only, %W~
// write-only) and Pub/Sub channel patterns. The rule syntax is ACL SETUSER's
// (see Acl::SetUser); users are described back in the same syntax (ACL LIST,
// ACL SAVE), with command rules worked out from the permission bitmap as
// Redis 7.0 does (best-fitting categories first, then single commands).
//
// How a command is checked (Acl::Check): a user passes if any of its
// selectors (the root one, then those given in parentheses) allows both the
// command and every key argument of it. A key argument needs read permission
// if its key spec says it is accessed, write permission if it is inserted,
// updated or deleted (a command without key specs: read if it is readonly,
// write if it writes), any pattern match otherwise.
//
// Differences from Redis, on purpose: KEYS, SCAN and RANDOMKEY return only
// keys the user may read, and DELPREFIX requires write permission on every
// key its prefix can name (CanWritePrefix). See README "ACL".
//
// Thread safety: every Acl method is thread-safe. Users are immutable once
// published: ACL SETUSER / LOAD build new AclUser objects and bump version();
// a connection keeps a shared_ptr to the AclUser it authenticated as and
// refreshes it (Refresh) when version() changed.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/exec/command.h"

namespace stashd::server {

struct ClientState;

// Key pattern permissions.
inline constexpr uint8_t kAclKeyRead = 1;
inline constexpr uint8_t kAclKeyWrite = 2;
inline constexpr uint8_t kAclKeyAll = kAclKeyRead | kAclKeyWrite;

// Every command and subcommand of a registry, numbered for permission
// bitmaps, with its ACL categories. Immutable after construction.
class AclCommandTable {
 public:
  struct Command {
    const CommandSpec* spec;
    int parent = -1;            // id of the container, for a subcommand
    std::vector<int> children;  // ids of the subcommands, for a container
    uint32_t categories = 0;    // bit i = AclCategoryNames()[i]
  };

  explicit AclCommandTable(const CommandRegistry& registry);

  size_t size() const { return commands_.size(); }
  const Command& at(int id) const { return commands_[id]; }
  // -1 if the spec is not in the registry.
  int IdOf(const CommandSpec* spec) const;
  // "get" or "config|get", case-insensitive; -1 if unknown.
  int Find(std::string_view full_name) const;
  // Top-level commands in name order (subcommands follow their container
  // through `children`).
  const std::vector<int>& top_level() const { return top_level_; }
  // Category index by name (without '@', case-insensitive), or -1.
  int CategoryIndex(std::string_view name) const;
  const std::vector<std::string_view>& category_names() const { return category_names_; }
  // Ids of the commands and subcommands in a category, each command before
  // its subcommands. +@category allows each of them (a container with all
  // its subcommands).
  const std::vector<int>& CategoryMembers(int category) const {
    return category_members_[category];
  }

 private:
  std::vector<Command> commands_;
  std::vector<int> top_level_;
  absl::flat_hash_map<const CommandSpec*, int> ids_;
  absl::flat_hash_map<std::string, int> by_name_;
  std::vector<std::string_view> category_names_;
  std::vector<std::vector<int>> category_members_;
};

// What a selector allows: commands, keys, channels.
struct AclSelector {
  struct KeyPattern {
    std::string pattern;
    uint8_t perms;  // kAclKey*
  };
  std::vector<uint64_t> allowed;  // one bit per command id
  // Set by +@all (allcommands), cleared only by -@all (nocommands): the rules
  // are described starting from +@all rather than -@all.
  bool all_commands_rule = false;
  // Arguments allowed for a command whose bit is clear ("+select|0").
  std::map<int, std::vector<std::string>> first_args;
  bool all_keys = false;
  std::vector<KeyPattern> keys;
  bool all_channels = false;
  std::vector<std::string> channels;
};

struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  enum class Sanitize { kUnset, kSanitize, kSkip } sanitize = Sanitize::kUnset;
  std::vector<std::string> passwords;  // SHA-256 hex of each password
  std::vector<AclSelector> selectors;  // [0] is the root selector
  // The root selector allows every command, key and channel: checks are
  // skipped.
  bool unrestricted = false;

  // True if some selector grants read access to `key` (all keys, or a
  // pattern with read permission that matches it).
  bool CanReadKey(std::string_view key) const;
  // True if some selector reads every key (allkeys, ~* or %R~*).
  bool ReadsEveryKey() const;
  // True if some selector allows the Pub/Sub channel `name` (a channel
  // pattern matches it), or, with `is_pattern`, has exactly that pattern
  // (PSUBSCRIBE's patterns are compared literally, as in Redis).
  bool AllowsChannel(std::string_view name, bool is_pattern) const;
};

// Ordered as Redis ranks them when no selector allows a command: the error
// reported is the highest one any selector gave.
enum class AclResult { kOk, kDeniedCommand, kDeniedKey, kDeniedChannel };

// For KEYS, SCAN and RANDOMKEY: nullptr when the client may read every key,
// else its user, whose CanReadKey() tells which key names it may see.
const AclUser* AclKeyFilter(const ClientState& client);

class Acl {
 public:
  explicit Acl(const CommandRegistry& registry);
  Acl(const Acl&) = delete;
  Acl& operator=(const Acl&) = delete;

  // acl-pubsub-default: read whenever a user or selector is created (or
  // "reset"); true gives it allchannels. Set once before use.
  void UsePubSubDefault(const std::atomic<bool>* all_channels) {
    pubsub_default_all_ = all_channels;
  }

  // ---- Users ----

  // nullptr if there is no such user.
  std::shared_ptr<const AclUser> Find(std::string_view name) const;
  // Incremented by every change of any user.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

  // ACL SETUSER: applies `rules` to the user, creating it if missing, all
  // or nothing. Returns Redis's error text ("ERR Error in ACL SETUSER
  // modifier ...") on failure.
  std::optional<std::string> SetUser(std::string_view name, const std::vector<std::string>& rules);
  // ACL DELUSER: removes the users that exist, returns how many. REQUIRES:
  // "default" not among them.
  int DeleteUsers(const std::vector<std::string>& names);
  // Sorted user names (ACL USERS) and "user <name> <rules>" lines (ACL LIST).
  std::vector<std::string> UserNames() const;
  std::vector<std::string> DescribeUsers() const;
  // The rules of one user without its name, as ACL LIST shows them.
  std::string Describe(const AclUser& user) const;
  std::string DescribeCommandRules(const AclSelector& selector) const;
  std::string DescribeKeys(const AclSelector& selector) const;  // ACL GETUSER "keys"
  std::string DescribeChannels(const AclSelector& selector) const;

  // requirepass: the default user's password (empty: nopass), as Redis's
  // "resetpass >password" / "resetpass nopass".
  void SetDefaultPassword(std::string_view password);
  // True when new connections are authenticated at once: the default user
  // is on and has nopass.
  bool DefaultUserIsOpen() const;
  // True if the default user has nopass, on or off (protected mode and
  // one-argument AUTH look at this alone, as in Redis).
  bool DefaultUserHasNoPassword() const;

  // AUTH / HELLO AUTH: the user if it is on and the password matches (any
  // password for a nopass user), else nullptr.
  std::shared_ptr<const AclUser> Authenticate(std::string_view name,
                                              std::string_view password) const;

  // Points `client.acl_user` at the current version of `client.user`. If the
  // user no longer exists, the client becomes the default user,
  // unauthenticated (its connection is being closed).
  void Refresh(ClientState& client) const;

  // ---- Checks ----

  // Whether `user` may run `spec` (resolved to the subcommand, if any) with
  // `args`. On kDeniedKey (kDeniedChannel), *denied_arg is the index of the
  // key (channel) argument.
  // DELPREFIX's arguments are prefixes: each needs a selector with all keys
  // or a write pattern "<literal>*" whose literal starts the prefix, so that
  // every key it can delete is writable.
  AclResult Check(const AclUser& user, const CommandSpec& spec, const Args& args,
                  int* denied_arg) const;

  // ---- The ACL file ----

  // ACL LOAD / start-up: replaces every user by those of the file, or
  // changes nothing if the file has any error; returns the errors (Redis's
  // text). `old_users` receives the names of the users replaced (their
  // clients must be disconnected).
  std::optional<std::string> LoadFile(const std::string& path,
                                      std::vector<std::string>* old_users = nullptr);
  // Checks a file without loading it (stashd --test-config).
  std::optional<std::string> CheckFile(const std::string& path) const;
  // ACL SAVE: writes every user to `path` atomically. Returns an error
  // message for the log on failure.
  std::optional<std::string> SaveFile(const std::string& path) const;

  // ---- ACL LOG ----

  enum class LogReason { kCommand, kKey, kChannel, kAuth };
  enum class LogContext { kToplevel, kMulti, kLua, kModule };
  struct LogEntry {
    uint64_t count = 1;
    LogReason reason;
    LogContext context;
    std::string object;    // command, key or, for kAuth, the command name (AUTH/HELLO)
    std::string username;  // the user the client was, or tried to become
    int64_t ctime_ms = 0;  // last occurrence
    std::string client_info;
  };
  // Adds an entry, or bumps the count of a similar one (same reason,
  // context, object and user, within 60 s, among the 10 newest). Keeps at
  // most `max_len` entries.
  void AddLogEntry(LogEntry entry, size_t max_len);
  // Newest first.
  std::vector<LogEntry> LogEntries(size_t count) const;
  void ResetLog();

  const AclCommandTable& commands() const { return commands_; }

 private:
  using UserMap = std::map<std::string, std::shared_ptr<const AclUser>>;

  // Applies one rule to `user`; returns Redis's reason on failure.
  std::optional<std::string> ApplyRule(AclUser& user, std::string_view rule) const;
  std::optional<std::string> ApplySelectorRule(AclSelector& s, std::string_view rule) const;
  AclSelector NewSelector() const;
  AclUser NewUser(std::string_view name) const;
  AclUser DefaultUserTemplate() const;
  void Finish(AclUser& user) const;
  // Parses a whole ACL file into a user map (or the errors).
  std::optional<std::string> ParseFile(const std::string& path, UserMap* users) const;
  void Publish(UserMap users);

  AclCommandTable commands_;
  const std::atomic<bool>* pubsub_default_all_ = nullptr;
  mutable std::mutex mu_;
  UserMap users_;  // guarded by mu_
  std::atomic<uint64_t> version_{1};
  mutable std::mutex log_mu_;
  std::vector<LogEntry> log_;  // newest first; guarded by log_mu_
};

}  // namespace stashd::server
