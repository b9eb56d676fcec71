// The one reply for a write refused by a bot scope's max-value-size, shared
// by every family that writes values (strings, RENAME/COPY, collections),
// and the one way a *STORE command stores its result.
#pragma once

#include <string>
#include <string_view>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
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
// scope's refusal.
inline void StoreCollection(store::Keyspace& keyspace, int db, std::string_view dst,
                            store::Object* result, protocol::ReplyBuilder& reply) {
  const auto size = static_cast<int64_t>(result->Size());
  const store::ScopeConfig* refused = keyspace.StoreObject(db, dst, result);
  result->Unref();
  if (refused != nullptr) return ReplyScopeValueTooLarge(reply, *refused);
  reply.Integer(size);
}

}  // namespace stashd::server
