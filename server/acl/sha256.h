// SHA-256 (FIPS 180-4), for ACL password hashes: Redis stores and shows a
// user's passwords as the lowercase hex SHA-256 of the cleartext.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace stashd::server {

// The 64 lowercase hex digits of the SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace stashd::server
