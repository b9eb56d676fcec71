// What COMMAND INFO and COMMAND DOCS say about a row of the command table, in
// Redis 7.0's reply shapes. (The table's own queries, ACL categories and key
// arguments, are in server/exec/command.h.)
//
// Thread safety: the command table is immutable after start-up; these are
// pure functions of it.
#pragma once

#include "server/exec/command.h"

namespace stashd::protocol {
class ReplyBuilder;
}

namespace stashd::server {

// Appends the COMMAND INFO entry of `spec`:
//   [name, arity, [flags], first, last, step, [acl categories], [tips],
//    [key specs], [subcommand entries]]
// Flags, categories, tips and key specs are sets in RESP3, and so is an
// empty subcommand list; key specs are maps.
void ReplyCommandInfo(const CommandSpec& spec, protocol::ReplyBuilder& reply);

// Appends the COMMAND DOCS value of `spec` (not its name): a map of summary,
// since, group, complexity, doc_flags, deprecated_since, replaced_by,
// history, arguments (those that are set; group always) and, for a
// container command, "subcommands" mapping each full name to its own docs.
// Each argument is a map of name, type, key_spec_index, token, since,
// deprecated_since, flags and (for oneof and block) its own arguments.
void ReplyCommandDocs(const CommandSpec& spec, protocol::ReplyBuilder& reply);

}  // namespace stashd::server
