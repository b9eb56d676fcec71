// Operator tooling: SLOWLOG and LATENCY, as Redis 7.0 (what they record is
// in server/exec/latency.h), and MONITOR (server/exec/monitor.h).
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/exec/command.h"
#include "server/exec/dispatcher.h"
#include "server/exec/latency.h"
#include "server/server_state.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

// ---- SLOWLOG ----

// SLOWLOG GET [count]: the newest `count` entries (10 by default, -1: all).
void CmdSlowlogGet(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "SLOWLOG"}));
    return;
  }
  SlowLog& log = ctx.server.slowlog();
  size_t count = 10;
  if (ctx.args.size() == 3) {
    std::optional<int64_t> n = store::ParseInt64(ctx.args[2]);
    if (!n || *n < -1) {
      ctx.reply.Error(errors::kSlowlogCountRange);
      return;
    }
    count = *n == -1 ? log.Len() : static_cast<size_t>(*n);
  }
  std::vector<SlowLogEntry> entries = log.Newest(count);
  ctx.reply.ArrayLen(entries.size());
  for (const SlowLogEntry& e : entries) {
    ctx.reply.ArrayLen(6);
    ctx.reply.Integer(e.id);
    ctx.reply.Integer(e.unix_time_s);
    ctx.reply.Integer(e.usec);
    ctx.reply.ArrayLen(e.argv.size());
    for (const std::string& arg : e.argv) ctx.reply.Bulk(arg);
    ctx.reply.Bulk(e.addr);
    ctx.reply.Bulk(e.name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.slowlog().Len()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server.slowlog().Reset();
  ctx.reply.Ok();
}

void CmdSlowlogHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET [<count>]",
             "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
             "    Entries are made of:",
             "    id, timestamp, time in microseconds, arguments array, client IP and port,",
             "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
             "    Reset the slowlog.", "HELP", "    Prints this help."});
}

// ---- LATENCY ----

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

void CmdLatencyLatest(CommandContext& ctx) {
  auto events = ctx.server.latency_monitor().Snapshot();
  ctx.reply.ArrayLen(events.size());
  for (const auto& [name, ts] : events) {
    const auto& last = ts.samples[static_cast<size_t>((ts.idx + LatencyMonitor::kSamples - 1) %
                                                      LatencyMonitor::kSamples)];
    ctx.reply.ArrayLen(4);
    ctx.reply.Bulk(name);
    ctx.reply.Integer(last.time);
    ctx.reply.Integer(last.latency_ms);
    ctx.reply.Integer(ts.max);
  }
}

void CmdLatencyHistory(CommandContext& ctx) {
  LatencyMonitor::Series ts;
  if (!ctx.server.latency_monitor().Find(ctx.args[2], &ts)) {
    ctx.reply.ArrayLen(0);
    return;
  }
  std::vector<LatencyMonitor::Sample> samples;
  for (int j = 0; j < LatencyMonitor::kSamples; ++j) {
    const auto& s = ts.samples[static_cast<size_t>((ts.idx + j) % LatencyMonitor::kSamples)];
    if (s.time != 0) samples.push_back(s);
  }
  ctx.reply.ArrayLen(samples.size());
  for (const auto& s : samples) {
    ctx.reply.ArrayLen(2);
    ctx.reply.Integer(s.time);
    ctx.reply.Integer(s.latency_ms);
  }
}

void CmdLatencyReset(CommandContext& ctx) {
  std::vector<std::string> events(ctx.args.begin() + 2, ctx.args.end());
  ctx.reply.Integer(ctx.server.latency_monitor().Reset(events));
}

void CmdLatencyGraph(CommandContext& ctx) {
  LatencyMonitor::Series ts;
  if (!ctx.server.latency_monitor().Find(ctx.args[2], &ts)) {
    ctx.reply.Error(errors::Format(errors::kLatencyNoSamples, {ctx.args[2]}));
    return;
  }
  ctx.reply.Verbatim(LatencyGraph(ctx.args[2], ts, NowSeconds()));
}

// One command's LATENCY HISTOGRAM entry: its full name, then a map of calls
// and histogram_usec (bucket -> cumulative calls).
void ReplyCommandHistogram(CommandContext& ctx, const CommandSpec& spec) {
  const LatencyHistogram& h = ctx.server.command_stats(&spec).histogram;
  ctx.reply.Bulk(spec.name);
  ctx.reply.MapLen(2);
  ctx.reply.Bulk("calls");
  ctx.reply.Integer(static_cast<int64_t>(h.Total()));
  ctx.reply.Bulk("histogram_usec");
  auto buckets = h.CumulativeBuckets();
  ctx.reply.MapLen(buckets.size());
  for (const auto& [usec, count] : buckets) {
    ctx.reply.Integer(usec);
    ctx.reply.Integer(static_cast<int64_t>(count));
  }
}

bool HasHistogram(CommandContext& ctx, const CommandSpec& spec) {
  return ctx.server.command_stats(&spec).histogram.Total() > 0;
}

// A command and its subcommands, those with recorded calls.
void CollectHistograms(CommandContext& ctx, const CommandSpec& spec,
                       std::vector<const CommandSpec*>* out) {
  if (HasHistogram(ctx, spec)) out->push_back(&spec);
  for (const CommandSpec& sub : spec.subcommands) {
    if (HasHistogram(ctx, sub)) out->push_back(&sub);
  }
}

// LATENCY HISTOGRAM [command ...]: every command with calls, or the named
// ones ("client" names its subcommands too, "client|id" one of them);
// unknown names are skipped.
void CmdLatencyHistogram(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  CommandRegistry& registry = ctx.server.commands();
  if (ctx.args.size() == 2) {
    for (const auto& [name, spec] : registry.all()) CollectHistograms(ctx, spec, &specs);
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      std::vector<std::string> parts = absl::StrSplit(ctx.args[i], '|');
      if (parts.size() > 2) continue;
      const CommandSpec* spec = registry.Find(parts[0]);
      if (spec != nullptr && parts.size() == 2) {
        spec = spec->FindSubcommand(absl::AsciiStrToLower(parts[1]));
      }
      if (spec != nullptr) CollectHistograms(ctx, *spec, &specs);
    }
  }
  ctx.reply.MapLen(specs.size());
  for (const CommandSpec* spec : specs) ReplyCommandHistogram(ctx, *spec);
}

// Bytes of transparent huge pages the process uses (AnonHugePages in
// /proc/self/smaps), for LATENCY DOCTOR's advice, as Redis.
int64_t AnonHugePagesBytes() {
  std::ifstream in("/proc/self/smaps");
  int64_t kb = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("AnonHugePages:", 0) != 0) continue;
    kb += std::strtoll(line.c_str() + 14, nullptr, 10);
  }
  return kb * 1024;
}

// LATENCY DOCTOR: Redis's report, its statistics per event and the advice
// they call for, word for word.
std::string LatencyReport(CommandContext& ctx) {
  const Config& config = ctx.server.config();
  const int64_t threshold = config.latency_monitor_threshold_ms.load();
  auto events = ctx.server.latency_monitor().Snapshot();
  std::string report;
  if (events.empty() && threshold == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  bool slowlog_enabled = false, slowlog_tuning = false, slowlog_inspect = false;
  bool disk_contention = false, scheduler = false, data_writeback = false;
  bool local_disk = false, ssd = false, write_load_info = false, hz = false;
  bool large_objects = false, relax_fsync_policy = false, disable_thp = false;
  int advices = 0;
  int eventnum = 0;
  const int64_t now = NowSeconds();
  for (const auto& [event, ts] : events) {
    ++eventnum;
    if (eventnum == 1) {
      report +=
          "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
          "about it, do you Dave?\n\n";
    }
    // Samples, average, mean absolute deviation, period since the oldest.
    int samples = 0;
    uint64_t sum = 0;
    int64_t oldest = 0;
    for (const auto& s : ts.samples) {
      if (s.time == 0) continue;
      ++samples;
      sum += s.latency_ms;
      if (oldest == 0 || s.time < oldest) oldest = s.time;
    }
    uint64_t avg = 0, mad = 0;
    int64_t period = 0;
    if (samples > 0) {
      avg = sum / static_cast<uint64_t>(samples);
      period = now - oldest;
      if (period == 0) period = 1;
      uint64_t deviation = 0;
      for (const auto& s : ts.samples) {
        if (s.time == 0) continue;
        int64_t delta = static_cast<int64_t>(avg) - static_cast<int64_t>(s.latency_ms);
        deviation += static_cast<uint64_t>(delta < 0 ? -delta : delta);
      }
      mad = deviation / static_cast<uint64_t>(samples);
    }
    absl::StrAppendFormat(&report,
                          "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period "
                          "%.2f sec). Worst all time event %lums.",
                          eventnum, event, samples, avg, mad, static_cast<double>(period) / samples,
                          uint64_t{ts.max});
    const std::string name = absl::AsciiStrToLower(event);
    if (name == "command") {
      const int64_t slower_than = config.slowlog_log_slower_than.load();
      if (slower_than < 0) {
        slowlog_enabled = true;
        ++advices;
      } else if (slower_than / 1000 > threshold) {
        slowlog_tuning = true;
        ++advices;
      }
      slowlog_inspect = true;
      large_objects = true;
      advices += 2;
    }
    if (name == "fast-command") {
      scheduler = true;
      ++advices;
    }
    if (name == "aof-write-pending-fsync") {
      local_disk = disk_contention = ssd = data_writeback = true;
      advices += 4;
    }
    if (name == "aof-write-alone") {
      local_disk = data_writeback = ssd = true;
      advices += 3;
    }
    if (name == "aof-fsync-always") {
      relax_fsync_policy = true;
      ++advices;
    }
    if (name == "aof-fstat" || name == "rdb-unlink-temp-file") {
      disk_contention = local_disk = true;
      advices += 2;
    }
    if (name == "aof-rewrite-diff-write" || name == "aof-rename") {
      write_load_info = data_writeback = ssd = local_disk = true;
      advices += 4;
    }
    if (name == "expire-cycle") {
      hz = large_objects = true;
      advices += 2;
    }
    report += '\n';
  }
  if (AnonHugePagesBytes() > 0) {
    disable_thp = true;
    ++advices;
  }
  if (eventnum == 0 && advices == 0) {
    report +=
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, "
        "and think things over.\n";
    return report;
  }
  if (eventnum > 0 && advices == 0) {
    report +=
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please "
        "use the Redis community to get some help, providing this report in your help "
        "request.\n";
    return report;
  }
  report += "\nI have a few advices for you:\n\n";
  const auto threshold_us = static_cast<unsigned long long>(threshold) * 1000;
  if (slowlog_enabled) {
    absl::StrAppendFormat(
        &report,
        "- There are latency issues with potentially slow commands you are using. Try to enable "
        "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %u'. If "
        "the Slow log is disabled Redis is not able to log slow commands execution for you.\n",
        threshold_us);
  }
  if (slowlog_tuning) {
    absl::StrAppendFormat(
        &report,
        "- Your current Slow Log configuration only logs events that are slower than your "
        "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than "
        "%u'.\n",
        threshold_us);
  }
  if (slowlog_inspect) {
    report +=
        "- Check your Slow Log to understand what are the commands you are running which are too "
        "slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
  }
  if (scheduler) {
    report +=
        "- The system is slow to execute Redis code paths not containing system calls. This "
        "usually means the system does not provide Redis CPU time to run for long periods. You "
        "should try to:\n"
        "  1) Lower the system load.\n"
        "  2) Use a computer / VM just for Redis if you are running other software in the same "
        "system.\n"
        "  3) Check if you have a \"noisy neighbour\" problem.\n"
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
        "your system.\n"
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if "
        "you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (local_disk) {
    report +=
        "- It is strongly advised to use local disks for persistence, especially if you are "
        "using AOF. Remote disks provided by platform-as-a-service providers are known to be "
        "slow.\n";
  }
  if (ssd) {
    report +=
        "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting "
        "and AOF log rewriting (resulting in smaller memory usage). With extremely high write "
        "load SSD disks can be a good option. However Redis should perform reasonably with high "
        "load using normal disks. Use this advice as a last resort.\n";
  }
  if (data_writeback) {
    report +=
        "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost "
        "compared to data=ordered, however this mode of operation provides less guarantees, and "
        "sometimes it can happen that after a hard crash the AOF file will have a half-written "
        "command at the end and will require to be repaired before Redis restarts.\n";
  }
  if (disk_contention) {
    report +=
        "- Try to lower the disk contention. This is often caused by other disk intensive "
        "processes running in the same computer (including other Redis instances).\n";
  }
  if (relax_fsync_policy && config.appendfsync.load() == 0) {
    report +=
        "- Your fsync policy is set to 'always'. It is very hard to get good performances with "
        "such a setup, if possible try to relax the fsync policy to 'onesec'.\n";
  }
  if (write_load_info) {
    report +=
        "- Latency during the AOF atomic rename operation or when the final difference is "
        "flushed to the AOF file at the end of the rewrite, sometimes is caused by very high "
        "write load, causing the AOF buffer to get very large. If possible try to send less "
        "commands to accomplish the same work, or use Lua scripts to group multiple operations "
        "into a single EVALSHA call.\n";
  }
  if (hz && config.hz.load() < 100) {
    report +=
        "- In order to make the Redis keys expiring process more incremental, try to set the "
        "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (large_objects) {
    report +=
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
        "blocking operation. If you have very large objects that are often deleted, expired, or "
        "evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  if (disable_thp) {
    report +=
        "- I detected a non zero amount of anonymous huge pages used by your process. This "
        "creates very serious latency events in different conditions, especially when Redis is "
        "persisting on disk. To disable THP support use the command 'echo never > "
        "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it to "
        "/etc/rc.local so that the command will be executed again after a reboot. Note that "
        "even if you have already disabled THP, you still need to restart the Redis process to "
        "get rid of the huge pages already created.\n";
  }
  return report;
}

void CmdLatencyDoctor(CommandContext& ctx) { ctx.reply.Verbatim(LatencyReport(ctx)); }

void CmdLatencyHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                  "    Return a human readable latency analysis report.", "GRAPH <event>",
                  "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>",
                  "    Return time-latency samples for the <event> class.", "LATEST",
                  "    Return the latest latency samples for all events.", "RESET [<event> ...]",
                  "    Reset latency data of one or more <event> classes.",
                  "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]",
                  "    Return a cumulative distribution of latencies in the format of a "
                  "histogram for the specified command names.",
                  "    If no commands are specified then all histograms are replied.", "HELP",
                  "    Prints this help."});
}

// ---- MONITOR ----

// MONITOR: from now on the client is shown every command the server runs.
// Refused inside EXEC (Redis's DENY BLOCKING clients); a client already
// monitoring gets no reply at all, as in Redis.
void CmdMonitor(CommandContext& ctx) {
  if (Dispatcher::InExec()) {
    ctx.reply.Error(errors::kMonitorDenyBlocking);
    return;
  }
  if (ctx.server.monitors().Add(ctx.client)) ctx.reply.Ok();
}

}  // namespace

void RegisterIntrospectionFamily(CommandRegistry& r) {
  constexpr uint32_t kAdminLoading = kAdmin | kLoading | kStale;
  constexpr uint32_t kLatencyAdmin = kAdmin | kNoScript | kLoading | kStale;
  const std::vector<std::string> kLatencyTips = {
      "nondeterministic_output", "request_policy:all_nodes", "response_policy:special"};
  r.Register({.name = "monitor",
              .arity = 1,
              .flags = kAdmin | kNoScript | kLoading | kStale,
              .handler = CmdMonitor,
              .summary = "Listen for all requests received by the server in real time",
              .since = "1.0.0",
              .group = "server"});
  r.Register({.name = "slowlog",
              .arity = -2,
              .handler = nullptr,
              .summary = "A container for slow log commands",
              .since = "2.2.12",
              .group = "server",
              .complexity = "Depends on subcommand.",
              .subcommands = {
                  {.name = "slowlog|get",
                   .arity = -2,
                   .flags = kAdminLoading,
                   .handler = CmdSlowlogGet,
                   .tips = {"request_policy:all_nodes", "nondeterministic_output"},
                   .summary = "Get the slow log's entries",
                   .since = "2.2.12",
                   .group = "server",
                   .complexity = "O(N) where N is the number of entries returned",
                   .history = {{"4.0.0", "Added client IP address, port and name to the reply."}},
                   .arguments = {ArgInteger("count").Optional()}},
                  {.name = "slowlog|len",
                   .arity = 2,
                   .flags = kAdminLoading,
                   .handler = CmdSlowlogLen,
                   .tips = {"request_policy:all_nodes", "response_policy:agg_sum",
                            "nondeterministic_output"},
                   .summary = "Get the slow log's length",
                   .since = "2.2.12",
                   .group = "server",
                   .complexity = "O(1)"},
                  {.name = "slowlog|reset",
                   .arity = 2,
                   .flags = kAdminLoading,
                   .handler = CmdSlowlogReset,
                   .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
                   .summary = "Clear all entries from the slow log",
                   .since = "2.2.12",
                   .group = "server",
                   .complexity = "O(N) where N is the number of entries in the slowlog"},
                  {.name = "slowlog|help",
                   .arity = 2,
                   .flags = kLoading | kStale,
                   .handler = CmdSlowlogHelp,
                   .summary = "Show helpful text about the different subcommands",
                   .since = "6.2.0",
                   .group = "server",
                   .complexity = "O(1)"}}});
  r.Register(
      {.name = "latency",
       .arity = -2,
       .handler = nullptr,
       .summary = "A container for latency diagnostics commands",
       .since = "2.8.13",
       .group = "server",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "latency|histogram",
            .arity = -2,
            .flags = kLatencyAdmin,
            .handler = CmdLatencyHistogram,
            .tips = kLatencyTips,
            .summary = "Return the cumulative distribution of latencies of a subset of commands "
                       "or all.",
            .since = "7.0.0",
            .group = "server",
            .complexity = "O(N) where N is the number of commands with latency information "
                          "being retrieved.",
            .arguments = {ArgString("command").Optional().Multiple()}},
           {.name = "latency|latest",
            .arity = 2,
            .flags = kLatencyAdmin,
            .handler = CmdLatencyLatest,
            .tips = kLatencyTips,
            .summary = "Return the latest latency samples for all events.",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "latency|history",
            .arity = 3,
            .flags = kLatencyAdmin,
            .handler = CmdLatencyHistory,
            .tips = kLatencyTips,
            .summary = "Return timestamp-latency samples for the event.",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(1)",
            .arguments = {ArgString("event")}},
           {.name = "latency|reset",
            .arity = -2,
            .flags = kLatencyAdmin,
            .handler = CmdLatencyReset,
            .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
            .summary = "Reset latency data for one or more events.",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(1)",
            .arguments = {ArgString("event").Optional().Multiple()}},
           {.name = "latency|graph",
            .arity = 3,
            .flags = kLatencyAdmin,
            .handler = CmdLatencyGraph,
            .tips = kLatencyTips,
            .summary = "Return a latency graph for the event.",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(1)",
            .arguments = {ArgString("event")}},
           {.name = "latency|doctor",
            .arity = 2,
            .flags = kLatencyAdmin,
            .handler = CmdLatencyDoctor,
            .tips = kLatencyTips,
            .summary = "Return a human readable latency analysis report.",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "latency|help",
            .arity = 2,
            .flags = kLoading | kStale,
            .handler = CmdLatencyHelp,
            .summary = "Show helpful text about the different subcommands.",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(1)"}}});
}

}  // namespace stashd::server
