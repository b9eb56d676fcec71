// What COMMAND and its subcommands say about the command table, in Redis
// 7.0's reply shapes: COMMAND INFO entries, COMMAND DOCS maps, the ACL
// categories of a command and the keys (with their key-spec flags) of a full
// command line.
//
// Thread safety: the command table is immutable after start-up; these are
// pure functions of it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/command.h"

namespace stashd::protocol {
class ReplyBuilder;
}

namespace stashd::server {

// The ACL categories of `spec` as Redis reports them: the explicit ones plus
// those its flags imply (write → @write, readonly → @read, admin → @admin
// and @dangerous, pubsub → @pubsub, fast → @fast, blocking → @blocking, and
// @slow when not @fast), without duplicates, in Redis's category order
// (@keyspace @read @write @set @sortedset @list @hash @string ... @fast
// @slow @blocking @dangerous @connection @transaction @scripting).
std::vector<std::string_view> AclCategories(const CommandSpec& spec);

// True if `category` (without '@', case-insensitive) is one of AclCategories.
bool HasAclCategory(const CommandSpec& spec, std::string_view category);

// Every ACL category name (without '@') in Redis's order, as ACL CAT lists them.
std::vector<std::string_view> AclCategoryNames();

// Looks up "name" or "parent|sub", case-insensitively; nullptr if unknown.
const CommandSpec* FindCommandByFullName(const CommandRegistry& registry, std::string_view name);

// Appends the COMMAND INFO entry of `spec`:
//   [name, arity, [flags], first, last, step, [acl categories], [tips],
//    [key specs], [subcommand entries]]
// Flags, categories, tips and key specs are sets in RESP3, and so is an
// empty subcommand list; key specs are maps.
void ReplyCommandInfo(const CommandSpec& spec, protocol::ReplyBuilder& reply);

// Appends the COMMAND DOCS value of `spec` (not its name): a map of summary,
// since, group, complexity (those that are set; group always) and, for a
// container command, "subcommands" mapping each full name to its own docs.
void ReplyCommandDocs(const CommandSpec& spec, protocol::ReplyBuilder& reply);

// The words of a key_spec_flags entry: "RW access delete" → RW, access, delete.
std::vector<std::string_view> SplitKeySpecFlags(std::string_view flags);

// One key argument found by the key specs of a command.
struct KeyArg {
  int index;                 // position in the command line (0 = name)
  const std::string* flags;  // the key spec's flags ("RW access delete"); may be empty
};

// The key arguments of `args` (args[0] being the command name) according to
// the key specs of `spec`, in key-spec order. Positions past the end of
// `args` are skipped, as Redis does for variadic commands.
std::vector<KeyArg> KeyArgs(const CommandSpec& spec, const Args& args);

}  // namespace stashd::server
