// The one reply for a write refused by a bot scope's max-value-size, shared
// by every family that writes values (strings, RENAME/COPY, collections).
#pragma once

#include <string>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "store/keyspace.h"

namespace stashd::server {

inline void ReplyScopeValueTooLarge(protocol::ReplyBuilder& reply,
                                    const store::ScopeConfig& scope) {
  reply.Error(errors::Format(errors::kScopeValueTooLarge,
                             {scope.name, scope.prefix, std::to_string(scope.max_value_size)}));
}

}  // namespace stashd::server
