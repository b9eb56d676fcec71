// The one-line description of a client that CLIENT LIST, CLIENT INFO and
// ACL LOG show ("id=7 addr=127.0.0.1:50000 laddr=... cmd=get user=bot1 ...").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stashd::server {

struct ClientState;

// Fields in Redis 7.2's order. `self` is the connection running the
// command `current_cmd` (its transaction state and current command are
// shown as Redis does). REQUIRES: the client registry mutex held when `c`
// is another connection.
std::string ClientInfoLine(const ClientState& c, int64_t now_ms, bool self,
                           std::string_view current_cmd);

}  // namespace stashd::server
