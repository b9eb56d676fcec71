#include "server/net/open_files.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace stashd::server {

OpenFilesFit FitOpenFilesLimit(int64_t maxclients) {
  const rlim_t wanted = static_cast<rlim_t>(maxclients + kReservedFds);
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {maxclients, {}};
  if (limit.rlim_cur >= wanted) return {maxclients, {}};
  const rlim_t old = limit.rlim_cur;
  int error = EPERM;
  // Try the wanted limit, then smaller ones, down to the current one.
  for (rlim_t target = wanted; target > old;) {
    struct rlimit attempt = {target, std::max(target, limit.rlim_max)};
    if (setrlimit(RLIMIT_NOFILE, &attempt) == 0) {
      if (target == wanted) return {maxclients, {}};
      break;
    }
    attempt.rlim_max = limit.rlim_max;
    if (target <= limit.rlim_max && setrlimit(RLIMIT_NOFILE, &attempt) == 0) {
      if (target == wanted) return {maxclients, {}};
      break;
    }
    error = errno;
    target = target > old + 16 ? target - 16 : old;
  }
  getrlimit(RLIMIT_NOFILE, &limit);
  const int64_t fit = static_cast<int64_t>(limit.rlim_cur) - kReservedFds;
  if (fit < 1) {
    return {0, "Your current 'ulimit -n' of " + std::to_string(limit.rlim_cur) +
                   " is not enough for the server to start. Please increase your open file "
                   "limit to at least " +
                   std::to_string(wanted) + "."};
  }
  return {fit, "You requested maxclients of " + std::to_string(maxclients) +
                   " requiring at least " + std::to_string(wanted) +
                   " max file descriptors. Server can't set maximum open files to " +
                   std::to_string(wanted) + " because of OS error: " + std::strerror(error) +
                   ". Current maximum open files is " + std::to_string(limit.rlim_cur) +
                   ". maxclients has been reduced to " + std::to_string(fit) +
                   " to compensate for low ulimit. If you need higher maxclients increase "
                   "'ulimit -n' (under systemd: LimitNOFILE= in the unit)."};
}

}  // namespace stashd::server
