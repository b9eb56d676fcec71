// The arguments of one command line, argv[0] being the command name as the
// client sent it. Its own header so that client state and the command table
// can both name it without including each other.
#pragma once

#include <string>
#include <vector>

namespace stashd::server {

using Args = std::vector<std::string>;

}  // namespace stashd::server
