// The one reply for a write refused by a bot scope's max-value-size, shared
// by every family that writes values (strings, RENAME/COPY, collections),
// and the one way a *STORE command stores its result.
#pragma once

#include <string>
#include <string_view>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/exec/command.h"
#include "store/keyspace.h"

namespace stashd::server {

inline void ReplyScopeValueTooLarge(protocol::ReplyBuilder& reply,
                                    const store::ScopeConfig& scope) {
  reply.Error(errors::Format(errors::kScopeValueTooLarge,
                             {scope.name, scope.prefix, std::to_string(scope.max_value_size)}));
}

// Stores `result` (one reference, handed over) at `dst` as the *STORE
// commands do (Keyspace::StoreObject: replaces any value, deletes `dst` for
// an empty result, obeys the scope) and replies the result's size, or the
// scope's refusal. Notifies `event` ("sinterstore") for a stored result, "del"
// for a `dst` an empty result deleted, as Redis does.
inline void StoreCollection(CommandContext& ctx, std::string_view dst, store::Object* result,
                            store::WriteEvent event) {
  const auto size = static_cast<int64_t>(result->Size());
  if (size == 0) {
    result->Unref();
    if (ctx.keyspace.Delete(ctx.db(), dst)) ctx.Notify(kNotifyGeneric, "del", dst);
    return ctx.reply.Integer(0);
  }
  const store::ScopeConfig* refused = ctx.keyspace.StoreObject(ctx.db(), dst, result);
  result->Unref();
  if (refused != nullptr) return ReplyScopeValueTooLarge(ctx.reply, *refused);
  ctx.Notify(event.cls, event.name, dst);
  ctx.reply.Integer(size);
}

}  // namespace stashd::server
