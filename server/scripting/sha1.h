// SHA-1 (FIPS 180-4), as Redis names scripts: the 40 lowercase hex digits of
// the digest of the script body (EVALSHA, SCRIPT LOAD, redis.sha1hex).
#pragma once

#include <string>
#include <string_view>

namespace stashd::server {

std::string Sha1Hex(std::string_view data);

}  // namespace stashd::server
