// The server log: spdlog with Redis's levels and line format,
//
//   12345:M 26 Nov 2026 04:47:09.123 * Ready to accept connections tcp
//
// ('.' debug, '-' verbose, '*' notice, '#' warning), to a file (`logfile`)
// or to standard output. When standard output is the systemd journal
// ($JOURNAL_STREAM), lines carry a syslog priority prefix ("<5>...") instead
// of the pid and time, which the journal adds itself, so that
// `journalctl -p warning` works.
//
// Levels map onto spdlog's: debug → trace, verbose → debug, notice → info,
// warning → warn, nothing → off. Code logs notice lines with spdlog::info,
// verbose ones with spdlog::debug.
//
// Thread safety: logging is thread-safe; SetUpLogging must run before other
// threads log; SetLogLevel and ReopenLogFile may be called from any thread.
#pragma once

#include <spdlog/common.h>

#include <optional>
#include <string>
#include <string_view>

namespace stashd::server {

// The spdlog level of a `loglevel` value; notice for an unknown one.
spdlog::level::level_enum LogLevelFor(std::string_view loglevel);

// Installs the default logger. Returns an error message if `logfile` cannot
// be opened for appending.
std::optional<std::string> SetUpLogging(const std::string& logfile, std::string_view loglevel);

void SetLogLevel(std::string_view loglevel);

// Reopens the log file (SIGHUP, after logrotate moved it away); nothing when
// logging to standard output. Returns an error message if it cannot be
// reopened (logging then goes on to the old file).
std::optional<std::string> ReopenLogFile();

// True if standard output is the systemd journal's stream.
bool StdoutIsJournal();

}  // namespace stashd::server
