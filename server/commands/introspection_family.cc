// Operator tooling: SLOWLOG and LATENCY, as Redis 7.0 (what they record is
// in server/exec/latency.h).
#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/exec/command.h"
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

}  // namespace

void RegisterIntrospectionFamily(CommandRegistry& r) {
  constexpr uint32_t kAdminLoading = kAdmin | kLoading | kStale;
  constexpr uint32_t kLatencyAdmin = kAdmin | kNoScript | kLoading | kStale;
  const std::vector<std::string> kLatencyTips = {
      "nondeterministic_output", "request_policy:all_nodes", "response_policy:special"};
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
