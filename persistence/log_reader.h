// Reading write log files: record by record, telling a torn tail (what a
// crash in the middle of a write leaves: dropped with a warning) from
// corruption anywhere else (an error naming the file and the byte offset).
// Also the checker behind `stashd --check-log FILE [--repair]`.
//
// Thread safety: functions only; a file must not be written while read.
#pragma once

#include <absl/functional/function_ref.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "persistence/status.h"

namespace stashd::persistence {

struct LogScan {
  uint64_t seq = 0;      // from the file header; 0 if the header is missing
  uint64_t records = 0;  // intact records read
  uint64_t file_size = 0;
  uint64_t valid_size = 0;  // offset just past the last intact record
  bool torn_tail = false;   // the bytes from valid_size on are an incomplete last record
};

// Reads the log file at `path`, calling `fn(payload, offset)` for every
// intact record in file order (`offset` is where its header starts). A torn
// tail is reported in *scan and is not an error. Returns Corruption naming
// the file and offset for damage before the tail, NotSupported for a file
// that is not a stashd log or has a newer format, or the first error `fn`
// returns.
Status ReadLogFile(const std::string& path,
                   absl::FunctionRef<Status(std::string_view payload, uint64_t offset)> fn,
                   LogScan* scan);

// Checks a log file like redis-check-aof. With `repair`, truncates it after
// its last intact record, first copying the bytes dropped to
// "<path>.dropped". Appends a human-readable report to *report. Returns an
// error if the file is damaged and was not repaired.
Status CheckLogFile(const std::string& path, bool repair, std::string* report);

}  // namespace stashd::persistence
