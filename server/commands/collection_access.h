// The one way a collection command reaches its key: a read that replies
// WRONGTYPE for another type, and the check of a KeyWriter's status.
// Shared by the hash, list, set, sorted set and geo families.
#pragma once

#include <string_view>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/exec/command.h"
#include "store/keyspace.h"

namespace stashd::server {

// The collection of `type` at `key` for a read command (counted in keyspace
// hits/misses): nullptr if the key is missing. Sets *wrong_type (and replies
// WRONGTYPE) if it holds another type.
template <typename T>
const T* ReadCollection(CommandContext& ctx, std::string_view key, store::ValueType type,
                        bool* wrong_type) {
  *wrong_type = false;
  auto v = ctx.keyspace.Find(ctx.db(), key, store::Keyspace::Lookup::kRead);
  if (!v) return nullptr;
  if (v->type != type) {
    *wrong_type = true;
    ctx.reply.Error(errors::kWrongType);
    return nullptr;
  }
  return &v->As<T>();
}

// True if the writer holds the key's collection; replies WRONGTYPE if the
// key holds another type (a missing key with kFail: false, no reply).
inline bool OpenCollection(CommandContext& ctx, const store::KeyWriter& w) {
  if (w.status() == store::KeyWriter::Status::kWrongType) {
    ctx.reply.Error(errors::kWrongType);
    return false;
  }
  return w.ok();
}

}  // namespace stashd::server
