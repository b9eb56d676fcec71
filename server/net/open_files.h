// The open-files limit (RLIMIT_NOFILE) against `maxclients`, as Redis's
// adjustOpenFilesLimit: every client needs a descriptor, plus a reserve for
// listening sockets, the log, the snapshot and write log files.
//
// Thread safety: changes a process-wide limit; call from one thread at a
// time (start-up, or CONFIG SET, which runs under the config's rules).
#pragma once

#include <cstdint>
#include <string>

namespace stashd::server {

// Descriptors needed besides one per client (Redis's CONFIG_MIN_RESERVED_FDS).
inline constexpr int64_t kReservedFds = 32;

struct OpenFilesFit {
  int64_t maxclients;   // the largest maxclients <= the wanted one that fits
  std::string warning;  // empty when the wanted maxclients fits
};

// Raises RLIMIT_NOFILE to maxclients + kReservedFds if needed and allowed
// (trying smaller steps when the whole is refused); if it cannot get that
// far, returns the maxclients that fits the limit obtained, with the warning
// to log (Redis's wording). maxclients is 0 when not even the reserve fits.
OpenFilesFit FitOpenFilesLimit(int64_t maxclients);

}  // namespace stashd::server
