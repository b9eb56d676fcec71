// Operator tooling: the slow log (SLOWLOG), the latency monitor (LATENCY
// LATEST / HISTORY / GRAPH / DOCTOR) and the per-command latency histograms
// (LATENCY HISTOGRAM, INFO latencystats), with Redis 7.0's semantics.
//
// The dispatcher times every command once (one monotonic clock read before
// and after its handler, shared with INFO commandstats) and hands the
// duration to RecordCommandTime(). The common case, a command that is not
// slow, costs a few relaxed atomic loads and one relaxed increment in the
// command's histogram (per-thread slots, as StatCounter); the slow log and
// the latency monitor take their mutex only when something is recorded.
//
// Thread safety: every class here may be used from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/exec/args.h"

namespace stashd::server {

struct ClientState;
struct CommandSpec;
struct CommandStats;
class ServerState;

// A command's latency distribution, laid out as the hdr_histogram Redis
// keeps per command (1 ns to 1 s, 2 significant digits: 256 unit buckets,
// then 128 sub-buckets per power of two), so that LATENCY HISTOGRAM and the
// INFO latencystats percentiles answer the same numbers as Redis for the
// same durations. Durations are recorded in microseconds, as Redis does.
class LatencyHistogram {
 public:
  LatencyHistogram() = default;
  ~LatencyHistogram();
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  void Record(int64_t usec);
  // Calls recorded since the last Reset().
  uint64_t Total() const;
  // LATENCY HISTOGRAM's histogram_usec: (bucket upper bound in µs,
  // cumulative calls) for the power-of-two buckets whose count grows.
  std::vector<std::pair<int64_t, uint64_t>> CumulativeBuckets() const;
  // hdr_value_at_percentile, in nanoseconds (INFO latencystats divides by 1000).
  int64_t ValueAtPercentile(double percentile) const;
  // CONFIG RESETSTAT. Recordings racing with it may survive.
  void Reset();

  static constexpr size_t kCounts = 3072;  // indexes of 1 ns .. 1e9 ns

 private:
  static constexpr size_t kSlots = 4;
  using Counts = std::array<std::atomic<uint64_t>, kCounts>;
  // Sums the slots into one array.
  std::vector<uint64_t> Merged() const;
  // Allocated by the first recording on each slot.
  std::array<std::atomic<Counts*>, kSlots> slots_{};
};

// One SLOWLOG GET entry.
struct SlowLogEntry {
  int64_t id = 0;
  int64_t unix_time_s = 0;
  int64_t usec = 0;
  std::vector<std::string> argv;  // trimmed and redacted
  std::string addr;               // ip:port of the client
  std::string name;               // the client's name, "" if none
};

class SlowLog {
 public:
  // Adds `entry` (giving it the next id) and drops the oldest entries beyond
  // `max_len`, as Redis does on each push.
  void Push(SlowLogEntry entry, size_t max_len);
  // The newest `count` entries, newest first.
  std::vector<SlowLogEntry> Newest(size_t count) const;
  size_t Len() const;
  void Reset();

  // The argv an entry keeps of a command line: at most 32 arguments (the
  // last saying "... (N more arguments)"), each cut at 128 bytes ("...
  // (N more bytes)"), the arguments `redacted` marks as "(redacted)".
  static std::vector<std::string> EntryArgv(const Args& args, const std::vector<bool>& redacted);

 private:
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // newest first
  int64_t next_id_ = 0;
};

// The latency monitor: per event, the last 160 samples (one per second at
// most, the highest of that second) and the all-time maximum, in ms.
class LatencyMonitor {
 public:
  static constexpr int kSamples = 160;
  struct Sample {
    int32_t time = 0;  // unix seconds; 0: unused
    uint32_t latency_ms = 0;
  };
  struct Series {
    int idx = 0;
    uint32_t max = 0;
    std::array<Sample, kSamples> samples{};
  };

  void AddSample(std::string_view event, int64_t latency_ms, int64_t now_s);
  // Copies of the series, by event name.
  std::map<std::string, Series, std::less<>> Snapshot() const;
  bool Find(std::string_view event, Series* out) const;
  // Resets the named event (all when empty); returns how many were reset.
  int Reset(const std::vector<std::string>& events);

 private:
  mutable std::mutex mu_;
  std::map<std::string, Series, std::less<>> events_;
};

// Records a sample for `event` (Redis's event names: "expire-cycle",
// "fork", "aof-fsync-always" ...) if latency-monitor-threshold is set and
// `latency_ms` reaches it.
void LatencySampleIfNeeded(ServerState& server, std::string_view event, int64_t latency_ms);

// After a command ran (or a blocked one was served) for `usec`
// microseconds: its latency histogram (in `stats`, the command's
// commandstats row), the "command" / "fast-command" latency events, and the
// slow log (with `args`, the command line as the client sent it).
void RecordCommandTime(ServerState& server, const CommandSpec& spec, CommandStats& stats,
                       const ClientState& client, const Args& args, int64_t usec);

// The LATENCY GRAPH text of one event (Redis's ASCII sparkline).
std::string LatencyGraph(std::string_view event, const LatencyMonitor::Series& series,
                         int64_t now_s);

// "%f" with the trailing zeros (and a trailing dot) removed, as Redis
// prints percentiles ("50", "99.9").
std::string TrimmedDouble(double d);

}  // namespace stashd::server
