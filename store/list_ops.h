// The list operations that move items in and out of lists at their ends:
// push, pop and move, as keyspace operations apart from argument parsing
// and replies (server/commands/list_family.cc). They are what a blocking
// layer calls too: a push that may serve a waiter, a pop on its behalf.
//
// Each opens the key through Keyspace::Write (WRONGTYPE, scope policy,
// copy-on-write, accounting, WATCH, deletion of an emptied list) and
// records what it did with ListObject's delta ops: a pop is logged as the
// number of items it removed from an end, never as the command.
//
// Thread safety: REQUIRE the shard of every key named locked by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/keyspace.h"
#include "store/string_ops.h"
#include "store/types/list.h"

namespace stashd::store {

using ListEnd = ListObject::End;

// LPUSH / RPUSH (and LPUSHX / RPUSHX with `only_if_exists`): pushes `items`
// one by one at `end`. Returns the new length (0 for a missing key with
// only_if_exists). Errors: kWrongType, kScopeLimit (nothing changed).
OpResult<int64_t> ListPush(Keyspace& ks, int db, std::string_view key, ListEnd end,
                           std::span<const std::string_view> items, bool only_if_exists = false);

// LPOP / RPOP / LMPOP: removes up to `count` items from `end`, in the order
// popped. nullopt if the key is missing. Error: kWrongType.
OpResult<std::optional<std::vector<std::string>>> ListPop(Keyspace& ks, int db,
                                                          std::string_view key, ListEnd end,
                                                          size_t count);

// LMOVE / RPOPLPUSH: pops one item from `from` of `src` and pushes it at
// `to` of `dst` (which may be the same key: a rotation). nullopt if `src`
// is missing. Errors: kWrongType (src, then dst; nothing changed),
// kScopeLimit (dst would exceed its scope; nothing changed).
OpResult<std::optional<std::string>> ListMove(Keyspace& ks, int db, std::string_view src,
                                              std::string_view dst, ListEnd from, ListEnd to);

}  // namespace stashd::store
