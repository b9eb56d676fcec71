#include "server/exec/latency.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>

#include "server/base/thread_slot.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/server_state.h"

namespace stashd::server {
namespace {

constexpr int64_t kMaxNs = 1'000'000'000;  // Redis's LATENCY_HISTOGRAM_MAX_VALUE

// hdr_histogram's index of a value (ns) with 2 significant digits: values
// below 256 have their own index; above, each power of two [2^k, 2^(k+1))
// is cut in 128 equal ranges.
size_t IndexOf(int64_t v) {
  if (v < 256) return static_cast<size_t>(v);
  const int k = std::bit_width(static_cast<uint64_t>(v)) - 1;
  const int shift = k - 7;
  const int64_t sub = v >> shift;  // 128..255
  return static_cast<size_t>(256 + (k - 8) * 128 + (sub - 128));
}

int64_t LowestAt(size_t index) {
  if (index < 256) return static_cast<int64_t>(index);
  const size_t b = (index - 256) / 128;
  const int64_t sub = 128 + static_cast<int64_t>((index - 256) % 128);
  return sub << (b + 1);
}

int64_t HighestAt(size_t index) {
  if (index < 256) return static_cast<int64_t>(index);
  const size_t b = (index - 256) / 128;
  const int64_t sub = 128 + static_cast<int64_t>((index - 256) % 128);
  return ((sub + 1) << (b + 1)) - 1;
}

constexpr int kSlowlogMaxArgc = 32;        // SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t kSlowlogMaxString = 128;  // SLOWLOG_ENTRY_MAX_STRING

}  // namespace

// ---- LatencyHistogram ----

LatencyHistogram::~LatencyHistogram() {
  for (auto& slot : slots_) delete slot.load();
}

void LatencyHistogram::Record(int64_t usec) {
  int64_t ns = usec * 1000;
  if (ns < 1) ns = 1;
  if (ns > kMaxNs) ns = kMaxNs;
  std::atomic<Counts*>& slot = slots_[ThreadSlot() % kSlots];
  Counts* counts = slot.load(std::memory_order_acquire);
  if (counts == nullptr) {
    auto fresh = std::make_unique<Counts>();
    for (auto& c : *fresh) c.store(0, std::memory_order_relaxed);
    if (slot.compare_exchange_strong(counts, fresh.get(), std::memory_order_acq_rel)) {
      counts = fresh.release();
    }  // else another thread of this slot won: `counts` is its array
  }
  (*counts)[IndexOf(ns)].fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> LatencyHistogram::Merged() const {
  std::vector<uint64_t> out;
  for (const auto& slot : slots_) {
    const Counts* counts = slot.load(std::memory_order_acquire);
    if (counts == nullptr) continue;
    if (out.empty()) out.assign(kCounts, 0);
    for (size_t i = 0; i < kCounts; ++i) out[i] += (*counts)[i].load(std::memory_order_relaxed);
  }
  return out;
}

uint64_t LatencyHistogram::Total() const {
  uint64_t total = 0;
  for (const auto& slot : slots_) {
    const Counts* counts = slot.load(std::memory_order_acquire);
    if (counts == nullptr) continue;
    for (const auto& c : *counts) total += c.load(std::memory_order_relaxed);
  }
  return total;
}

void LatencyHistogram::Reset() {
  for (auto& slot : slots_) {
    Counts* counts = slot.load(std::memory_order_acquire);
    if (counts == nullptr) continue;
    for (auto& c : *counts) c.store(0, std::memory_order_relaxed);
  }
}

// As Redis's fillCommandCDF: hdr's logarithmic iteration from 1024 ns,
// doubling. The step for 2^k ns counts every index whose range starts at
// or below 2^k and is labelled with that index's highest value, in µs.
std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::CumulativeBuckets() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  const std::vector<uint64_t> counts = Merged();
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  uint64_t cumulative = 0;
  uint64_t previous = 0;
  size_t next = 0;  // first index not summed yet
  for (int k = 10; cumulative < total; ++k) {
    const int64_t level = int64_t{1} << k;
    size_t last = next;
    while (next < kCounts && LowestAt(next) <= level) cumulative += counts[next++];
    last = next == 0 ? 0 : next - 1;
    // Past the last index (values clamped to 1 s) the iteration stops on it.
    const int64_t highest = next < kCounts ? HighestAt(IndexOf(level)) : HighestAt(last);
    if (cumulative > previous) out.emplace_back(highest / 1000, cumulative);
    previous = cumulative;
    if (next >= kCounts) break;
  }
  return out;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const std::vector<uint64_t> counts = Merged();
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  const double requested = percentile < 100.0 ? percentile : 100.0;
  int64_t wanted = static_cast<int64_t>(requested / 100 * static_cast<double>(total) + 0.5);
  if (wanted < 1) wanted = 1;
  uint64_t running = 0;
  size_t found = 0;
  bool hit = false;
  for (size_t i = 0; i < counts.size(); ++i) {
    running += counts[i];
    if (static_cast<int64_t>(running) >= wanted) {
      found = i;
      hit = true;
      break;
    }
  }
  if (!hit) return 0;
  return percentile == 0.0 ? LowestAt(found) : HighestAt(found);
}

// ---- SlowLog ----

void SlowLog::Push(SlowLogEntry entry, size_t max_len) {
  std::lock_guard lock(mu_);
  entry.id = next_id_++;
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::Newest(size_t count) const {
  std::lock_guard lock(mu_);
  count = std::min(count, entries_.size());
  return std::vector<SlowLogEntry>(entries_.begin(),
                                   entries_.begin() + static_cast<ptrdiff_t>(count));
}

size_t SlowLog::Len() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

std::vector<std::string> SlowLog::EntryArgv(const Args& args, const std::vector<bool>& redacted) {
  const int argc = static_cast<int>(args.size());
  const int kept = std::min(argc, kSlowlogMaxArgc);
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(kept));
  for (int j = 0; j < kept; ++j) {
    if (kept != argc && j == kept - 1) {
      out.push_back("... (" + std::to_string(argc - kept + 1) + " more arguments)");
      continue;
    }
    const size_t i = static_cast<size_t>(j);
    if (i < redacted.size() && redacted[i]) {
      out.emplace_back("(redacted)");
      continue;
    }
    const std::string& arg = args[i];
    if (arg.size() > kSlowlogMaxString) {
      out.push_back(arg.substr(0, kSlowlogMaxString) + "... (" +
                    std::to_string(arg.size() - kSlowlogMaxString) + " more bytes)");
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

// ---- LatencyMonitor ----

void LatencyMonitor::AddSample(std::string_view event, int64_t latency_ms, int64_t now_s) {
  const auto latency = static_cast<uint32_t>(std::min<int64_t>(latency_ms, UINT32_MAX));
  const auto now = static_cast<int32_t>(now_s);
  std::lock_guard lock(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), Series{}).first;
  Series& ts = it->second;
  if (latency > ts.max) ts.max = latency;
  // One sample per second: the highest of that second.
  Sample& prev = ts.samples[static_cast<size_t>((ts.idx + kSamples - 1) % kSamples)];
  if (prev.time == now) {
    if (latency > prev.latency_ms) prev.latency_ms = latency;
    return;
  }
  ts.samples[static_cast<size_t>(ts.idx)] = {now, latency};
  ts.idx = (ts.idx + 1) % kSamples;
}

std::map<std::string, LatencyMonitor::Series, std::less<>> LatencyMonitor::Snapshot() const {
  std::lock_guard lock(mu_);
  return events_;
}

bool LatencyMonitor::Find(std::string_view event, Series* out) const {
  std::lock_guard lock(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) return false;
  *out = it->second;
  return true;
}

int LatencyMonitor::Reset(const std::vector<std::string>& events) {
  std::lock_guard lock(mu_);
  if (events.empty()) {
    int n = static_cast<int>(events_.size());
    events_.clear();
    return n;
  }
  int n = 0;
  for (const std::string& name : events) {
    // Redis compares event names case-insensitively here.
    for (auto it = events_.begin(); it != events_.end(); ++it) {
      if (it->first.size() == name.size() &&
          std::equal(name.begin(), name.end(), it->first.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        events_.erase(it);
        ++n;
        break;
      }
    }
  }
  return n;
}

void LatencySampleIfNeeded(ServerState& server, std::string_view event, int64_t latency_ms) {
  const int64_t threshold =
      server.config().latency_monitor_threshold_ms.load(std::memory_order_relaxed);
  if (threshold == 0 || latency_ms < threshold) return;
  server.latency_monitor().AddSample(event, latency_ms, static_cast<int64_t>(std::time(nullptr)));
}

void RecordCommandTime(ServerState& server, const CommandSpec& spec, CommandStats& stats,
                       const ClientState& client, const Args& args, int64_t usec) {
  Config& config = server.config();
  if (config.latency_tracking.load(std::memory_order_relaxed)) stats.histogram.Record(usec);
  LatencySampleIfNeeded(server, (spec.flags & kFast) ? "fast-command" : "command", usec / 1000);
  if (spec.flags & kSkipSlowlog) return;
  const int64_t slower_than = config.slowlog_log_slower_than.load(std::memory_order_relaxed);
  if (slower_than < 0 || usec < slower_than) return;
  // Slow: build the entry.
  std::vector<bool> redacted;
  if (spec.redact != nullptr) {
    redacted.assign(args.size(), false);
    spec.redact(args, &redacted);
  }
  SlowLogEntry entry;
  entry.unix_time_s = static_cast<int64_t>(std::time(nullptr));
  entry.usec = usec;
  entry.argv = SlowLog::EntryArgv(args, redacted);
  if (client.in_script) {
    entry.addr = "?:0";  // Redis logs a script's calls as its script client's
  } else {
    std::lock_guard lock(server.clients().mutex());
    entry.addr = client.addr;
    entry.name = client.name;
  }
  server.slowlog().Push(
      std::move(entry),
      static_cast<size_t>(config.slowlog_max_len.load(std::memory_order_relaxed)));
}

// ---- LATENCY GRAPH ----

namespace {

// Redis's sparkline (sparkline.c), rendered with the "fill" option.
struct SparkSample {
  double value;
  std::string label;
};

std::string SparklineRange(const std::vector<SparkSample>& seq, double min, double max, bool labels,
                           int rows, size_t offset, size_t len) {
  static constexpr char kFill[] = "_o#";
  constexpr int kCharsetLen = 3;
  constexpr int kLabelMarginTop = 1;
  std::string out;
  double relmax = max - min;
  if (relmax == 0) relmax = 1;
  const int steps = kCharsetLen * rows;
  int row = 0;
  bool loop = true;
  std::string chars;
  while (loop) {
    loop = false;
    chars.assign(len, ' ');
    for (size_t j = 0; j < len; ++j) {
      const SparkSample& s = seq[j + offset];
      const double relval = s.value - min;
      int step = static_cast<int>(static_cast<int>(relval * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < rows) {
        const int charidx = step - ((rows - row - 1) * kCharsetLen);
        loop = true;
        if (charidx >= 0 && charidx < kCharsetLen) {
          chars[j] = kFill[charidx];
        } else if (charidx >= kCharsetLen) {
          chars[j] = '|';
        }
      } else {
        if (labels && row - rows < kLabelMarginTop) {
          loop = true;
          break;
        }
        if (!s.label.empty()) {
          const int label_char = row - rows - kLabelMarginTop;
          if (static_cast<int>(s.label.size()) > label_char) {
            loop = true;
            chars[j] = s.label[static_cast<size_t>(label_char)];
          }
        }
      }
    }
    if (loop) {
      ++row;
      out += chars;
      out += '\n';
    }
  }
  return out;
}

}  // namespace

std::string LatencyGraph(std::string_view event, const LatencyMonitor::Series& ts, int64_t now_s) {
  constexpr size_t kCols = 80;  // LATENCY_GRAPH_COLS
  std::vector<SparkSample> seq;
  uint32_t min = 0;
  uint32_t max = 0;
  double seq_min = 0;
  double seq_max = 0;
  bool labels = false;
  for (int j = 0; j < LatencyMonitor::kSamples; ++j) {
    const LatencyMonitor::Sample& s =
        ts.samples[static_cast<size_t>((ts.idx + j) % LatencyMonitor::kSamples)];
    if (s.time == 0) continue;
    if (seq.empty()) {
      min = max = s.latency_ms;
    } else {
      max = std::max(max, s.latency_ms);
      min = std::min(min, s.latency_ms);
    }
    const int64_t elapsed = now_s - s.time;
    char buf[64];
    if (elapsed < 60) {
      std::snprintf(buf, sizeof(buf), "%ds", static_cast<int>(elapsed));
    } else if (elapsed < 3600) {
      std::snprintf(buf, sizeof(buf), "%dm", static_cast<int>(elapsed / 60));
    } else if (elapsed < 3600 * 24) {
      std::snprintf(buf, sizeof(buf), "%dh", static_cast<int>(elapsed / 3600));
    } else {
      std::snprintf(buf, sizeof(buf), "%dd", static_cast<int>(elapsed / (3600 * 24)));
    }
    const double value = s.latency_ms;
    if (seq.empty()) {
      seq_min = seq_max = value;
    } else if (value < seq_min) {
      seq_min = value;
    } else if (value > seq_max) {
      seq_max = value;
    }
    seq.push_back({value, buf});
    labels = labels || buf[0] != '\0';
  }
  std::string out = std::string(event) + " - high " + std::to_string(max) + " ms, low " +
                    std::to_string(min) + " ms (all time high " + std::to_string(ts.max) + " ms)\n";
  out.append(kCols, '-');
  out += '\n';
  for (size_t j = 0; j < seq.size(); j += kCols) {
    const size_t sublen = std::min(seq.size() - j, kCols);
    if (j != 0) out += '\n';
    out += SparklineRange(seq, seq_min, seq_max, labels, 4, j, sublen);
  }
  return out;
}

std::string TrimmedDouble(double d) {
  char buf[128];
  int len = std::snprintf(buf, sizeof(buf), "%f", d);
  std::string s(buf, static_cast<size_t>(len));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

}  // namespace stashd::server
