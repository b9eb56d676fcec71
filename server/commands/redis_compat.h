// The Redis version stashd speaks for: HELLO's "version" and INFO's
// redis_version report it.
//
// Clients gate features on this number (redis-py, node-redis, go-redis and
// Jedis choose RESP3 handling, CLIENT SETINFO, COMMAND DOCS ... by comparing
// it), so it names the Redis release whose behaviour the commands reproduce,
// not stashd's own version (INFO reports that as stashd_version).
#pragma once

#include <string_view>

namespace stashd::server {

inline constexpr std::string_view kRedisCompatVersion = "7.0.15";

}  // namespace stashd::server
