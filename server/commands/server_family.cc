// The server commands: COMMAND (COUNT LIST INFO DOCS GETKEYS GETKEYSANDFLAGS
// HELP), INFO, CONFIG (GET SET RESETSTAT REWRITE HELP) and TIME.
//
// None of them takes a key; INFO reads the keyspace through
// Keyspace::Stats(), which locks shards itself.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "persistence/file_system.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"
#include "server/base/ascii.h"
#include "server/commands/command_docs.h"
#include "server/commands/redis_compat.h"
#include "server/config/config.h"
#include "server/durability/persistence.h"
#include "server/exec/blocking.h"
#include "server/exec/command.h"
#include "server/exec/maxmemory.h"
#include "server/scripting/script_engine.h"
#include "server/server_state.h"
#include "store/access_clock.h"
#include "store/glob.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

// ---- COMMAND ----

void ReplyAllCommandInfo(CommandContext& ctx) {
  const auto& all = ctx.server.commands().all();
  ctx.reply.ArrayLen(all.size());
  for (const auto& [name, spec] : all) ReplyCommandInfo(spec, ctx.reply);
}

// COMMAND alone: every command's COMMAND INFO entry. A subcommand we do not
// have lands here too (the dispatcher falls back to the parent's handler).
void CmdCommand(CommandContext& ctx) {
  if (ctx.args.size() > 1) {
    ctx.reply.Error(errors::Format(errors::kUnknownSubcommand,
                                   {std::string_view(ctx.args[1]).substr(0, 128), "COMMAND"}));
    return;
  }
  ReplyAllCommandInfo(ctx);
}

void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.commands().all().size()));
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]:
// full names of commands and subcommands. There are no modules, so a module
// filter matches nothing.
void CmdCommandList(CommandContext& ctx) {
  const Args& args = ctx.args;
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view arg;
  if (args.size() == 5 && EqualsIgnoreCase(args[2], "filterby")) {
    arg = args[4];
    if (EqualsIgnoreCase(args[3], "module")) {
      filter = Filter::kModule;
    } else if (EqualsIgnoreCase(args[3], "aclcat")) {
      filter = Filter::kAclCat;
    } else if (EqualsIgnoreCase(args[3], "pattern")) {
      filter = Filter::kPattern;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  } else if (args.size() != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  auto keep = [&](const CommandSpec& spec) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;
      case Filter::kAclCat:
        return HasAclCategory(spec, arg);
      case Filter::kPattern:
        return store::GlobMatch(arg, spec.name, /*nocase=*/true);
    }
    return false;
  };
  std::vector<const std::string*> names;
  for (const auto& [name, spec] : ctx.server.commands().all()) {
    if (keep(spec)) names.push_back(&spec.name);
    for (const CommandSpec& sub : spec.subcommands) {
      if (keep(sub)) names.push_back(&sub.name);
    }
  }
  ctx.reply.ArrayLen(names.size());
  for (const std::string* n : names) ctx.reply.Bulk(*n);
}

// COMMAND INFO [name ...]: an entry per name, null for unknown ones; all
// commands without names.
void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    ReplyAllCommandInfo(ctx);
    return;
  }
  ctx.reply.ArrayLen(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* spec = FindCommandByFullName(ctx.server.commands(), ctx.args[i]);
    if (spec == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyCommandInfo(*spec, ctx.reply);
    }
  }
}

// COMMAND DOCS [name ...]: a map of full name to docs; unknown names are
// left out; all commands without names.
void CmdCommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    for (const auto& [name, spec] : ctx.server.commands().all()) specs.push_back(&spec);
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = FindCommandByFullName(ctx.server.commands(), ctx.args[i]);
      if (spec != nullptr) specs.push_back(spec);
    }
  }
  ctx.reply.MapLen(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.reply.Bulk(spec->name);
    ReplyCommandDocs(*spec, ctx.reply);
  }
}

// COMMAND GETKEYS / GETKEYSANDFLAGS command arg...: the keys of a full
// command line, found with the command's key specs. ACL checks keys the
// same way (server/acl/acl.cc).
template <bool kWithFlags>
void CmdCommandGetKeys(CommandContext& ctx) {
  Args target(ctx.args.begin() + 2, ctx.args.end());
  const CommandSpec* spec = ctx.server.commands().Find(target[0]);
  if (spec != nullptr && !spec->subcommands.empty() && target.size() >= 2) {
    spec = spec->FindSubcommand(absl::AsciiStrToLower(target[1]));
  }
  if (spec == nullptr) {
    ctx.reply.Error(errors::kInvalidCommandSpecified);
    return;
  }
  if (!spec->HasKeys()) {
    ctx.reply.Error(errors::kCommandHasNoKeys);
    return;
  }
  int argc = static_cast<int>(target.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error(errors::kCommandInvalidArgCount);
    return;
  }
  std::vector<KeyArg> keys = KeyArgs(*spec, target);
  if (keys.empty()) {
    // EVAL and FCALL may be given no keys at all (Redis's NO_MANDATORY_KEYS).
    if (spec->flags & kNoMandatoryKeys) {
      ctx.reply.ArrayLen(0);
    } else {
      ctx.reply.Error(errors::kCommandInvalidArgs);
    }
    return;
  }
  ctx.reply.ArrayLen(keys.size());
  for (const KeyArg& key : keys) {
    if (!kWithFlags) {
      ctx.reply.Bulk(target[key.index]);
      continue;
    }
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(target[key.index]);
    std::vector<std::string_view> flags = key.flags.Names();
    ctx.reply.SetLen(flags.size());
    for (std::string_view f : flags) ctx.reply.SimpleString(f);
  }
}

void CmdCommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "(no subcommand)",
                     "    Return details about all Redis commands.",
                     "COUNT",
                     "    Return the total number of commands in this Redis server.",
                     "LIST",
                     "    Return a list of all commands in this Redis server.",
                     "INFO [<command-name> ...]",
                     "    Return details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "DOCS [<command-name> ...]",
                     "    Return documentation details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "GETKEYS <full-command>",
                     "    Return the keys from a full Redis command.",
                     "GETKEYSANDFLAGS <full-command>",
                     "    Return the keys and the access flags from a full Redis command.",
                     "HELP",
                     "    Prints this help.",
                 });
}

// ---- INFO ----

// expired_keys, keyspace_hits and keyspace_misses are counted by the
// keyspace, which has no way to reset them. CONFIG RESETSTAT records their
// values instead and INFO subtracts them. Keyed by run id, which is unique
// to each ServerState.
struct KeyspaceCounters {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t evicted_keys = 0;
};

class KeyspaceCounterBaselines {
 public:
  void Set(const std::string& run_id, const KeyspaceCounters& c) {
    std::lock_guard lock(mu_);
    baselines_[run_id] = c;
  }
  KeyspaceCounters Get(const std::string& run_id) const {
    std::lock_guard lock(mu_);
    auto it = baselines_.find(run_id);
    return it == baselines_.end() ? KeyspaceCounters{} : it->second;
  }

 private:
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, KeyspaceCounters> baselines_;
};

KeyspaceCounterBaselines& Baselines() {
  static auto* baselines = new KeyspaceCounterBaselines();
  return *baselines;
}

KeyspaceCounters CountersSinceReset(ServerState& server, const store::KeyspaceStats& stats) {
  KeyspaceCounters base = Baselines().Get(server.run_id());
  auto since = [](uint64_t now, uint64_t then) { return now >= then ? now - then : 0; };
  return {since(stats.expired_keys, base.expired_keys),
          since(stats.keyspace_hits, base.keyspace_hits),
          since(stats.keyspace_misses, base.keyspace_misses),
          since(stats.evicted_keys, base.evicted_keys)};
}

// Redis bytesToHuman().
std::string BytesToHuman(uint64_t n) {
  constexpr double kK = 1024;
  double d = static_cast<double>(n);
  if (n < 1024) return absl::StrCat(n, "B");
  if (d < kK * kK) return absl::StrFormat("%.2fK", d / kK);
  if (d < kK * kK * kK) return absl::StrFormat("%.2fM", d / (kK * kK));
  if (d < kK * kK * kK * kK) return absl::StrFormat("%.2fG", d / (kK * kK * kK));
  if (d < kK * kK * kK * kK * kK) return absl::StrFormat("%.2fT", d / (kK * kK * kK * kK));
  if (d < kK * kK * kK * kK * kK * kK) {
    return absl::StrFormat("%.2fP", d / (kK * kK * kK * kK * kK));
  }
  return absl::StrCat(n, "B");
}

std::string TimevalSeconds(const timeval& tv) {
  return absl::StrFormat("%d.%06d", static_cast<int64_t>(tv.tv_sec),
                         static_cast<int64_t>(tv.tv_usec));
}

using Lines = std::vector<std::pair<std::string, std::string>>;

void ServerSection(CommandContext& ctx, Lines* out) {
  ServerState& s = ctx.server;
  struct utsname name;
  std::string os = "unknown";
  if (uname(&name) == 0) os = absl::StrCat(name.sysname, " ", name.release, " ", name.machine);
  int64_t now = s.clock().NowMs();
  int64_t uptime = std::max<int64_t>(0, now - s.start_ms()) / 1000;
  const int io_threads = IoThreadCount(s.config().io_threads);
  int64_t hz = s.config().hz.load();
  *out = {
      {"redis_version", std::string(kRedisCompatVersion)},
      {"stashd_version", STASHD_VERSION},
      {"redis_mode", "standalone"},
      {"os", os},
      {"arch_bits", absl::StrCat(sizeof(void*) * 8)},
      // std::chrono::steady_clock, which is clock_gettime(CLOCK_MONOTONIC).
      {"monotonic_clock", "POSIX clock_gettime"},
      {"multiplexing_api", "epoll"},
      {"gcc_version", absl::StrCat(__GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__)},
      {"process_id", absl::StrCat(getpid())},
      {"run_id", s.run_id()},
      {"tcp_port", absl::StrCat(s.tcp_port())},
      {"server_time_usec", absl::StrCat(now * 1000)},
      {"uptime_in_seconds", absl::StrCat(uptime)},
      {"uptime_in_days", absl::StrCat(uptime / 86400)},
      {"hz", absl::StrCat(hz)},
      {"configured_hz", absl::StrCat(hz)},
      {"lru_clock", absl::StrCat(store::LruClock(now))},  // the keys' access-clock time
      {"executable", s.executable()},
      {"config_file", s.config().config_file},
      {"io_threads_active", io_threads > 1 ? "1" : "0"},
  };
}

// Redis's getMemoryOverheadData, from stashd's figures: malloc's in-use
// bytes (total), what the server took before loading data (startup), the
// clients' buffers, the script caches and each database's indexes.
struct MemoryOverhead {
  uint64_t total = 0;
  uint64_t peak = 0;
  uint64_t startup = 0;
  uint64_t clients_normal = 0;
  uint64_t lua_caches = 0;
  uint64_t functions_caches = 0;
  std::vector<std::pair<int, store::Keyspace::DbOverhead>> dbs;  // databases with keys
  uint64_t overhead_total = 0;
  uint64_t keys = 0;
  uint64_t bytes_per_key = 0;
  uint64_t dataset = 0;
  float dataset_perc = 0;
  float peak_perc = 0;
  uint64_t allocated = 0;  // allocator.*: malloc's in-use, held and resident bytes
  uint64_t active = 0;
  uint64_t resident = 0;
  uint64_t rss = 0;
  float allocator_frag = 0;
  int64_t allocator_frag_bytes = 0;
  float allocator_rss = 0;
  int64_t allocator_rss_bytes = 0;
  float rss_extra = 0;
  int64_t rss_extra_bytes = 0;
  float total_frag = 0;
  int64_t total_frag_bytes = 0;
  uint64_t clients = 0;  // connected clients
};

MemoryOverhead GetMemoryOverhead(ServerState& server) {
  MemoryOverhead m;
  m.total = UsedMemory();
  m.peak = server.memory().NotePeak(m.total);
  m.startup = server.memory().startup();
  server.clients().ForEach([&](ClientState& c, const std::function<void()>&) {
    m.clients_normal += ClientMemory(c);
    ++m.clients;
  });
  ScriptEngine& scripts = server.scripts();
  m.lua_caches = scripts.ScriptsMemory();
  for (const ScriptEngine::LibraryInfo& lib : scripts.Libraries()) {
    m.functions_caches += lib.name.size() + lib.code.size();
    for (const auto& f : lib.functions) m.functions_caches += sizeof(f);
  }
  m.overhead_total = m.startup + m.clients_normal + m.lua_caches + m.functions_caches;
  const std::vector<store::Keyspace::DbOverhead> dbs = server.keyspace().Overheads();
  for (size_t db = 0; db < dbs.size(); ++db) {
    if (dbs[db].keys == 0) continue;
    m.dbs.emplace_back(static_cast<int>(db), dbs[db]);
    m.overhead_total += dbs[db].main_bytes + dbs[db].expires_bytes;
    m.keys += dbs[db].keys;
  }
  const uint64_t net = m.total > m.startup ? m.total - m.startup : 0;
  if (m.keys > 0) m.bytes_per_key = net / m.keys;
  m.dataset = m.total > m.overhead_total ? m.total - m.overhead_total : 0;
  m.dataset_perc = net > 0 ? static_cast<float>(m.dataset) * 100 / static_cast<float>(net) : 0;
  m.peak_perc = m.peak > 0 ? static_cast<float>(m.total) * 100 / static_cast<float>(m.peak) : 0;
  // The allocator's figures, as Redis computes them for a build on libc
  // malloc, which reports none: resident is the resident size less Lua's
  // memory, active the same, allocated used_memory. (glibc's mallinfo2
  // would give an active figure, but it walks every free chunk under the
  // arena locks: 100+ ms on a fragmented heap, for each INFO an exporter
  // sends.)
  m.rss = ResidentSetSize();
  m.allocated = m.total;
  const uint64_t lua = scripts.LuaMemory();
  m.resident = m.rss > lua ? m.rss - lua : m.rss;
  m.active = m.resident;
  auto ratio = [](uint64_t a, uint64_t b) {
    return b > 0 ? static_cast<float>(a) / static_cast<float>(b) : 0.0f;
  };
  auto diff = [](uint64_t a, uint64_t b) {
    return static_cast<int64_t>(a) - static_cast<int64_t>(b);
  };
  m.allocator_frag = ratio(m.active, m.allocated);
  m.allocator_frag_bytes = diff(m.active, m.allocated);
  m.allocator_rss = ratio(m.resident, m.active);
  m.allocator_rss_bytes = diff(m.resident, m.active);
  m.rss_extra = ratio(m.rss, m.resident);
  m.rss_extra_bytes = diff(m.rss, m.resident);
  m.total_frag = ratio(m.rss, m.total);
  m.total_frag_bytes = diff(m.rss, m.total);
  return m;
}

void ClientsSection(CommandContext& ctx, Lines* out) {
  const auto [recent_input, recent_output] = ctx.server.stats().RecentMaxClientBuffers();
  *out = {
      {"connected_clients", absl::StrCat(ctx.server.clients().size())},
      {"cluster_connections", "0"},
      {"maxclients", absl::StrCat(ctx.server.config().maxclients.load())},
      {"client_recent_max_input_buffer", absl::StrCat(recent_input)},
      {"client_recent_max_output_buffer", absl::StrCat(recent_output)},
      {"blocked_clients", absl::StrCat(ctx.server.stats().blocked_clients.load())},
      {"tracking_clients", absl::StrCat(ctx.server.tracking().clients())},
      {"clients_in_timeout_table", "0"},
  };
}

void MemorySection(CommandContext& ctx, Lines* out) {
  // The figures of MEMORY STATS (GetMemoryOverhead), under Redis 7.0's INFO
  // names and in its order.
  const MemoryOverhead m = GetMemoryOverhead(ctx.server);
  const uint64_t total =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  ScriptEngine& scripts = ctx.server.scripts();
  const uint64_t lua = scripts.LuaMemory();
  const uint64_t scripts_bytes = scripts.ScriptsMemory();
  uint64_t functions = 0;
  const std::vector<ScriptEngine::LibraryInfo> libraries = scripts.Libraries();
  for (const ScriptEngine::LibraryInfo& lib : libraries) functions += lib.functions.size();
  const Config& config = ctx.server.config();
  const auto maxmemory = static_cast<uint64_t>(config.maxmemory.load());
  const auto policy = static_cast<store::EvictionPolicy>(config.maxmemory_policy.load());
  const uint64_t net = m.total > m.startup ? m.total - m.startup : 0;
  auto perc = [](uint64_t part, uint64_t whole) {
    return absl::StrFormat(
        "%.2f%%", whole > 0 ? static_cast<double>(part) * 100 / static_cast<double>(whole) : 0.0);
  };
  auto ratio = [](float r) { return absl::StrFormat("%.2f", r); };
  *out = {
      {"used_memory", absl::StrCat(m.total)},
      {"used_memory_human", BytesToHuman(m.total)},
      {"used_memory_rss", absl::StrCat(m.rss)},
      {"used_memory_rss_human", BytesToHuman(m.rss)},
      {"used_memory_peak", absl::StrCat(m.peak)},
      {"used_memory_peak_human", BytesToHuman(m.peak)},
      {"used_memory_peak_perc", perc(m.total, m.peak)},
      {"used_memory_overhead", absl::StrCat(m.overhead_total)},
      {"used_memory_startup", absl::StrCat(m.startup)},
      {"used_memory_dataset", absl::StrCat(m.dataset)},
      {"used_memory_dataset_perc", perc(m.dataset, net)},
      {"allocator_allocated", absl::StrCat(m.allocated)},
      {"allocator_active", absl::StrCat(m.active)},
      {"allocator_resident", absl::StrCat(m.resident)},
      {"total_system_memory", absl::StrCat(total)},
      {"total_system_memory_human", BytesToHuman(total)},
      {"used_memory_lua", absl::StrCat(lua)},
      {"used_memory_vm_eval", absl::StrCat(lua)},
      {"used_memory_lua_human", BytesToHuman(lua)},
      {"used_memory_scripts_eval", absl::StrCat(scripts_bytes)},
      {"number_of_cached_scripts", absl::StrCat(scripts.ScriptCount())},
      {"number_of_functions", absl::StrCat(functions)},
      {"number_of_libraries", absl::StrCat(libraries.size())},
      {"used_memory_vm_total", absl::StrCat(lua)},
      {"used_memory_vm_total_human", BytesToHuman(lua)},
      {"used_memory_functions", absl::StrCat(m.functions_caches)},
      {"used_memory_scripts", absl::StrCat(scripts_bytes + m.functions_caches)},
      {"used_memory_scripts_human", BytesToHuman(scripts_bytes + m.functions_caches)},
      {"maxmemory", absl::StrCat(maxmemory)},
      {"maxmemory_human", BytesToHuman(maxmemory)},
      {"maxmemory_policy", std::string(store::EvictionPolicyName(policy))},
      {"allocator_frag_ratio", ratio(m.allocator_frag)},
      {"allocator_frag_bytes", absl::StrCat(m.allocator_frag_bytes)},
      {"allocator_rss_ratio", ratio(m.allocator_rss)},
      {"allocator_rss_bytes", absl::StrCat(m.allocator_rss_bytes)},
      {"rss_overhead_ratio", ratio(m.rss_extra)},
      {"rss_overhead_bytes", absl::StrCat(m.rss_extra_bytes)},
      {"mem_fragmentation_ratio", ratio(m.total_frag)},
      {"mem_fragmentation_bytes", absl::StrCat(m.total_frag_bytes)},
      // Redis leaves replica and AOF buffers out of maxmemory: stashd has none.
      {"mem_not_counted_for_evict", "0"},
      {"mem_replication_backlog", "0"},
      {"mem_total_replication_buffers", "0"},
      {"mem_clients_slaves", "0"},
      {"mem_clients_normal", absl::StrCat(m.clients_normal)},
      {"mem_cluster_links", "0"},
      {"mem_aof_buffer", "0"},  // the write log is written as commands run
      {"mem_allocator", "libc"},
      // stashd has no active defragmentation.
      {"active_defrag_running", "0"},
      // Entries FLUSHDB/FLUSHALL ASYNC detached and not yet freed, as Redis.
      {"lazyfree_pending_objects", absl::StrCat(ctx.keyspace.LazyFreePending())},
      {"lazyfreed_objects", absl::StrCat(ctx.keyspace.LazyFreed())},
  };
}

void PersistenceSection(CommandContext& ctx, Lines* out) {
  if (Persistence* p = ctx.server.persistence()) {
    p->AppendInfo(out);
    return;
  }
  *out = {{"loading", "0"}, {"async_loading", "0"}};
}

void StatsSection(CommandContext& ctx, Lines* out) {
  const ServerStats& st = ctx.server.stats();
  store::KeyspaceStats ks = ctx.keyspace.Stats();
  KeyspaceCounters kc = CountersSinceReset(ctx.server, ks);
  const ServerStats::Instantaneous rates = st.InstantaneousMetrics();
  // Replication, forks and MIGRATE are facts of a server without replicas
  // that never forks and has no MIGRATE: zero.
  *out = {
      {"total_connections_received", absl::StrCat(st.total_connections_received.load())},
      {"total_commands_processed", absl::StrCat(st.total_commands_processed.load())},
      {"instantaneous_ops_per_sec", absl::StrCat(static_cast<int64_t>(rates.ops_per_sec))},
      {"total_net_input_bytes", absl::StrCat(st.total_net_input_bytes.load())},
      {"total_net_output_bytes", absl::StrCat(st.total_net_output_bytes.load())},
      {"total_net_repl_input_bytes", "0"},
      {"total_net_repl_output_bytes", "0"},
      {"instantaneous_input_kbps", absl::StrFormat("%.2f", rates.input_kbps)},
      {"instantaneous_output_kbps", absl::StrFormat("%.2f", rates.output_kbps)},
      {"instantaneous_input_repl_kbps", "0.00"},
      {"instantaneous_output_repl_kbps", "0.00"},
      {"rejected_connections", absl::StrCat(st.rejected_connections.load())},
      {"sync_full", "0"},
      {"sync_partial_ok", "0"},
      {"sync_partial_err", "0"},
      {"expired_keys", absl::StrCat(kc.expired_keys)},
      {"expired_stale_perc", absl::StrFormat("%.2f", st.expired_stale_perc.load() * 100)},
      {"expired_time_cap_reached_count", absl::StrCat(st.expired_time_cap_reached_count.load())},
      {"expire_cycle_cpu_milliseconds", absl::StrCat(st.expire_cycle_us.load() / 1000)},
      {"evicted_keys", absl::StrCat(kc.evicted_keys)},
      {"evicted_clients", absl::StrCat(st.evicted_clients.load())},
      {"keyspace_hits", absl::StrCat(kc.keyspace_hits)},
      {"keyspace_misses", absl::StrCat(kc.keyspace_misses)},
      {"pubsub_channels", absl::StrCat(ctx.server.pubsub().ChannelCount(/*shard=*/false))},
      {"pubsub_patterns", absl::StrCat(ctx.server.pubsub().NumPat())},
      {"pubsubshard_channels", absl::StrCat(ctx.server.pubsub().ChannelCount(/*shard=*/true))},
      {"latest_fork_usec", "0"},
      {"total_forks", "0"},
      {"migrate_cached_sockets", "0"},
      {"slave_expires_tracked_keys", "0"},
      // stashd has no active defragmentation.
      {"active_defrag_hits", "0"},
      {"active_defrag_misses", "0"},
      {"active_defrag_key_hits", "0"},
      {"active_defrag_key_misses", "0"},
      {"total_active_defrag_time", "0"},
      {"current_active_defrag_time", "0"},
      {"tracking_total_keys", absl::StrCat(ctx.server.tracking().total_keys())},
      {"tracking_total_items", absl::StrCat(ctx.server.tracking().total_items())},
      {"tracking_total_prefixes", absl::StrCat(ctx.server.tracking().total_prefixes())},
      {"unexpected_error_replies", absl::StrCat(st.unexpected_error_replies.load())},
      {"total_error_replies", absl::StrCat(st.total_error_replies.load())},
      {"dump_payload_sanitizations", absl::StrCat(st.dump_payload_sanitizations.load())},
      {"total_reads_processed", absl::StrCat(st.total_reads_processed.load())},
      {"total_writes_processed", absl::StrCat(st.total_writes_processed.load())},
      {"io_threaded_reads_processed", absl::StrCat(st.io_threaded_reads_processed.load())},
      {"io_threaded_writes_processed", absl::StrCat(st.io_threaded_writes_processed.load())},
      // Redis 7.2's name for failed AUTH / HELLO AUTH attempts.
      {"acl_access_denied_auth", absl::StrCat(st.auth_failures.load())},
  };
}

// A master without replicas, as Redis 7.0 reports one (stashd has no
// replication): the replication ID is random per process, as Redis's.
void ReplicationSection(CommandContext& ctx, Lines* out) {
  static const std::string replid = [] {
    std::random_device rd;
    std::string id;
    for (int i = 0; i < 40; ++i) id.push_back("0123456789abcdef"[rd() % 16]);
    return id;
  }();
  *out = {{"role", "master"},
          {"connected_slaves", "0"},
          {"master_failover_state", "no-failover"},
          {"master_replid", replid},
          {"master_replid2", std::string(40, '0')},
          {"master_repl_offset", "0"},
          {"second_repl_offset", "-1"},
          {"repl_backlog_active", "0"},
          {"repl_backlog_size", absl::StrCat(ctx.server.config().repl_backlog_size.load())},
          {"repl_backlog_first_byte_offset", "0"},
          {"repl_backlog_histlen", "0"}};
}

// The CPU time of the main thread (the initial one: it runs main(), the
// first io context and the cron), from /proc/self/task/<pid>/stat: system
// and user seconds, as Redis's used_cpu_*_main_thread.
std::optional<std::pair<std::string, std::string>> MainThreadCpu() {
  std::ifstream in("/proc/self/task/" + std::to_string(getpid()) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  // After "pid (comm)": state is field 3; utime and stime are fields 14, 15.
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  if (!fields) return std::nullopt;
  const long ticks = sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return std::nullopt;
  auto seconds = [ticks](uint64_t t) {
    return absl::StrFormat("%d.%06d", t / ticks, (t % ticks) * 1000000 / ticks);
  };
  return std::make_pair(seconds(stime), seconds(utime));
}

void CpuSection(CommandContext&, Lines* out) {
  struct rusage self;
  struct rusage children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  *out = {
      {"used_cpu_sys", TimevalSeconds(self.ru_stime)},
      {"used_cpu_user", TimevalSeconds(self.ru_utime)},
      {"used_cpu_sys_children", TimevalSeconds(children.ru_stime)},
      {"used_cpu_user_children", TimevalSeconds(children.ru_utime)},
  };
  if (auto main_thread = MainThreadCpu()) {
    out->emplace_back("used_cpu_sys_main_thread", main_thread->first);
    out->emplace_back("used_cpu_user_main_thread", main_thread->second);
  }
}

void ModulesSection(CommandContext&, Lines* out) { out->clear(); }

void ErrorStatsSection(CommandContext& ctx, Lines* out) {
  out->clear();
  for (const auto& [code, count] : ctx.server.stats().ErrorCounts()) {
    out->emplace_back(absl::StrCat("errorstat_", code), absl::StrCat("count=", count));
  }
}

void CommandStatsSection(CommandContext& ctx, Lines* out) {
  out->clear();
  auto add = [&](const CommandSpec& spec) {
    const CommandStats& cs = ctx.server.command_stats(&spec);
    uint64_t calls = cs.calls.load();
    uint64_t usec = cs.usec.load();
    uint64_t rejected = cs.rejected_calls.load();
    uint64_t failed = cs.failed_calls.load();
    if (calls == 0 && rejected == 0 && failed == 0) return;
    double per_call = calls == 0 ? 0 : static_cast<double>(usec) / static_cast<double>(calls);
    out->emplace_back(absl::StrCat("cmdstat_", spec.name),
                      absl::StrFormat("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,"
                                      "failed_calls=%d",
                                      calls, usec, per_call, rejected, failed));
  };
  for (const auto& [name, spec] : ctx.server.commands().all()) {
    add(spec);
    for (const CommandSpec& sub : spec.subcommands) add(sub);
  }
}

// Percentiles of each command's latency (latency-tracking), as Redis:
// latency_percentiles_usec_<command>:p50=1.003,p99=...; only the header
// while latency-tracking is off.
void LatencyStatsSection(CommandContext& ctx, Lines* out) {
  out->clear();
  if (!ctx.server.config().latency_tracking.load()) return;
  const std::vector<double> percentiles = ctx.server.config_table().latency_percentiles();
  auto add = [&](const CommandSpec& spec) {
    const LatencyHistogram& h = ctx.server.command_stats(&spec).histogram;
    if (h.Total() == 0) return;
    std::string value;
    for (double p : percentiles) {
      if (!value.empty()) value += ',';
      absl::StrAppendFormat(&value, "p%s=%.3f", TrimmedDouble(p),
                            static_cast<double>(h.ValueAtPercentile(p)) / 1000.0);
    }
    out->emplace_back(absl::StrCat("latency_percentiles_usec_", spec.name), std::move(value));
  };
  for (const auto& [name, spec] : ctx.server.commands().all()) {
    add(spec);
    for (const CommandSpec& sub : spec.subcommands) add(sub);
  }
}

void ClusterSection(CommandContext&, Lines* out) { *out = {{"cluster_enabled", "0"}}; }

void KeyspaceSection(CommandContext& ctx, Lines* out) {
  out->clear();
  store::KeyspaceStats ks = ctx.keyspace.Stats();
  for (size_t db = 0; db < ks.dbs.size(); ++db) {
    if (ks.dbs[db].keys == 0) continue;
    out->emplace_back(
        absl::StrCat("db", db),
        absl::StrCat("keys=", ks.dbs[db].keys, ",expires=", ks.dbs[db].expires, ",avg_ttl=0"));
  }
}

// The bot scopes (README "Bot scopes"): one line each, in the keyspace
// section's key=value style; memory is the bytes of the scope's entries.
void ScopesSection(CommandContext& ctx, Lines* out) {
  out->clear();
  store::KeyspaceStats ks = ctx.keyspace.Stats();
  const auto& configs = ctx.keyspace.scopes();
  for (size_t i = 0; i < ks.scopes.size() && i < configs.size(); ++i) {
    const store::ScopeStats& st = ks.scopes[i];
    out->emplace_back(
        absl::StrCat("scope_", st.name),
        absl::StrCat("keys=", st.keys, ",expires=", st.expires, ",hits=", st.hits, ",misses=",
                     st.misses, ",memory=", st.bytes, ",default_ttl_ms=", configs[i].default_ttl_ms,
                     ",max_value_size=", configs[i].max_value_size, ",prefix=", configs[i].prefix));
  }
}

struct InfoSection {
  std::string_view name;   // as INFO <section> selects it
  std::string_view title;  // the "# Title" line
  bool in_default;
  void (*fill)(CommandContext& ctx, Lines* out);
};

// In Redis's order, which the output follows whatever the order asked.
constexpr InfoSection kInfoSections[] = {
    {"server", "Server", true, ServerSection},
    {"clients", "Clients", true, ClientsSection},
    {"memory", "Memory", true, MemorySection},
    {"persistence", "Persistence", true, PersistenceSection},
    {"stats", "Stats", true, StatsSection},
    {"replication", "Replication", true, ReplicationSection},
    {"cpu", "CPU", true, CpuSection},
    {"modules", "Modules", true, ModulesSection},
    {"commandstats", "Commandstats", false, CommandStatsSection},
    {"errorstats", "Errorstats", true, ErrorStatsSection},
    {"latencystats", "Latencystats", false, LatencyStatsSection},
    {"cluster", "Cluster", true, ClusterSection},
    {"keyspace", "Keyspace", true, KeyspaceSection},
    {"scopes", "Scopes", true, ScopesSection},
};

// INFO [section ...]: "default" (also with no argument), "all",
// "everything" or section names; unknown names select nothing.
void CmdInfo(CommandContext& ctx) {
  absl::flat_hash_set<std::string> wanted;
  bool all = false;
  bool defaults = ctx.args.size() == 1;
  std::vector<std::string> lowered;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    lowered.push_back(absl::AsciiStrToLower(ctx.args[i]));
  }
  for (const std::string& name : lowered) {
    if (name == "all" || name == "everything") {
      all = true;
    } else if (name == "default") {
      defaults = true;
    } else {
      wanted.insert(name);
    }
  }
  std::string text;
  Lines lines;
  for (const InfoSection& section : kInfoSections) {
    if (!all && !(defaults && section.in_default) && !wanted.contains(std::string(section.name)))
      continue;
    section.fill(ctx, &lines);
    if (!text.empty()) text += "\r\n";
    absl::StrAppend(&text, "# ", std::string(section.title), "\r\n");
    for (const auto& [key, value] : lines) absl::StrAppend(&text, key, ":", value, "\r\n");
  }
  ctx.reply.Verbatim(text);
}

// ---- CONFIG ----

std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(' ', pos);
    if (end == std::string_view::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string_view StripWhitespace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool HasGlobChars(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// CONFIG GET pattern [pattern ...]: each matching directive once, with its
// value. An exact name is answered in the spelling it was asked in.
void CmdConfigGet(CommandContext& ctx) {
  const ConfigTable& table = ctx.server.config_table();
  absl::flat_hash_set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> found;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const std::string& pattern = ctx.args[i];
    if (!HasGlobChars(pattern)) {
      std::optional<std::string> value = table.Get(pattern);
      if (value && seen.insert(absl::AsciiStrToLower(pattern)).second) {
        found.emplace_back(pattern, std::move(*value));
      }
      continue;
    }
    for (std::string& name : table.Match(pattern)) {
      if (!seen.insert(name).second) continue;
      std::optional<std::string> value = table.Get(name);
      if (value) found.emplace_back(std::move(name), std::move(*value));
    }
  }
  ctx.reply.MapLen(found.size());
  for (const auto& [name, value] : found) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

// Redis's islocalClient: connected from 127.0.0.1 or ::1 (addr is "ip:port").
bool IsLocalClient(const ClientState& client) {
  std::string_view host = client.addr;
  host = host.substr(0, host.rfind(':'));
  return host == "127.0.0.1" || host == "::1";
}

// CONFIG SET name value [name value ...]: all or nothing. Names are checked
// first (unknown, repeated); then values are applied in order, and if one is
// refused the ones already applied get their old values back.
void CmdConfigSet(CommandContext& ctx) {
  const Args& args = ctx.args;
  if (args.size() % 2 != 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  ConfigTable& table = ctx.server.config_table();
  absl::flat_hash_set<std::string> names;
  for (size_t i = 2; i < args.size(); i += 2) {
    if (!table.Known(args[i])) {
      ctx.reply.Error(errors::Format(errors::kConfigUnknownOption, {args[i]}));
      return;
    }
    if (ConfigError refusal = table.RuntimeRefusal(args[i], IsLocalClient(ctx.client))) {
      ctx.reply.Error(errors::Format(errors::kConfigSetFailed, {args[i], *refusal}));
      return;
    }
    if (!names.insert(absl::AsciiStrToLower(args[i])).second) {
      ctx.reply.Error(
          errors::Format(errors::kConfigSetFailed, {args[i], errors::kConfigDuplicateParameter}));
      return;
    }
  }
  std::vector<std::pair<std::string, std::string>> applied;  // name, old value
  for (size_t i = 2; i < args.size(); i += 2) {
    std::string old = table.Get(args[i]).value_or("");
    if (ConfigError err = table.Set(args[i], {args[i + 1]}, /*at_startup=*/false)) {
      for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
        table.Set(it->first, {it->second}, /*at_startup=*/false);
      }
      ctx.reply.Error(errors::Format(errors::kConfigSetFailed, {args[i], *err}));
      return;
    }
    applied.emplace_back(args[i], std::move(old));
  }
  ctx.reply.Ok();
}

// The slow log hides the values of Redis's sensitive directives (passwords)
// in CONFIG SET, whether or not the command succeeds.
void RedactConfigSet(const Args& args, std::vector<bool>* redacted) {
  for (size_t i = 2; i + 1 < args.size(); i += 2) {
    const std::string name = absl::AsciiStrToLower(args[i]);
    if (name == "requirepass" || name == "masterauth" || name == "masteruser") {
      (*redacted)[i + 1] = true;
    }
  }
}

// CONFIG RESETSTAT: zeroes what INFO stats and commandstats count.
void CmdConfigResetStat(CommandContext& ctx) {
  ServerStats& st = ctx.server.stats();
  for (StatCounter* counter :
       {&st.total_connections_received, &st.total_commands_processed, &st.rejected_connections,
        &st.total_net_input_bytes, &st.total_net_output_bytes, &st.total_error_replies,
        &st.unexpected_error_replies, &st.auth_failures, &st.evicted_clients,
        &st.total_reads_processed, &st.total_writes_processed, &st.io_threaded_reads_processed,
        &st.io_threaded_writes_processed}) {
    counter->store(0);
  }
  st.expired_time_cap_reached_count.store(0);
  st.expire_cycle_us.store(0);
  st.ResetErrorCounts();
  auto reset = [&](const CommandSpec& spec) {
    CommandStats& cs = ctx.server.command_stats(&spec);
    cs.calls.store(0);
    cs.usec.store(0);
    cs.rejected_calls.store(0);
    cs.failed_calls.store(0);
    cs.histogram.Reset();
  };
  for (const auto& [name, spec] : ctx.server.commands().all()) {
    reset(spec);
    for (const CommandSpec& sub : spec.subcommands) reset(sub);
  }
  ctx.keyspace.ResetLazyFreed();
  store::KeyspaceStats ks = ctx.keyspace.Stats();
  Baselines().Set(ctx.server.run_id(),
                  {ks.expired_keys, ks.keyspace_hits, ks.keyspace_misses, ks.evicted_keys});
  ctx.reply.Ok();
}

// A value as a config file line argument: bare when SplitArgs would read it
// back unchanged, else double-quoted with escapes.
std::string ConfigFileValue(std::string_view value) {
  bool bare = !value.empty() && std::all_of(value.begin(), value.end(), [](char ch) {
    return ch > ' ' && ch <= '~' && ch != '"' && ch != '\'' && ch != '\\';
  });
  if (bare) return std::string(value);
  std::string out = "\"";
  for (char ch : value) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (ch >= ' ' && ch <= '~') {
          out += ch;
        } else {
          out += absl::StrFormat("\\x%02x", static_cast<unsigned char>(ch));
        }
    }
  }
  out += '"';
  return out;
}

// The config file line for a directive's current value. "bind" holds a list
// (CONFIG GET joins it with spaces): one argument per address.
std::string ConfigFileLine(const std::string& name, const std::string& value) {
  std::string line = name;
  if (name == "bind") {
    for (std::string_view addr : SplitWords(value)) {
      absl::StrAppend(&line, " ", ConfigFileValue(addr));
    }
  } else {
    absl::StrAppend(&line, " ", ConfigFileValue(value));
  }
  return line;
}

constexpr std::string_view kRewriteSignature = "# Generated by CONFIG REWRITE";

// CONFIG REWRITE: rewrites the config file the server was started with so
// that it holds the running configuration. Comments, blank lines and lines
// we do not understand are kept; the first line of each directive gets the
// current value and later ones are dropped; directives missing from the file
// whose value differs from the default are appended after a signature line,
// as Redis does.
void CmdConfigRewrite(CommandContext& ctx) {
  const std::string& path = ctx.server.config().config_file;
  if (path.empty()) {
    ctx.reply.Error(errors::kConfigNoFile);
    return;
  }
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    if (!in && errno != ENOENT) {
      ctx.reply.Error(errors::Format(errors::kConfigRewriteFailed, {std::strerror(errno)}));
      return;
    }
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  }
  const ConfigTable& table = ctx.server.config_table();
  Config defaults;
  ConfigTable default_table(&defaults);

  absl::flat_hash_set<std::string> written;
  bool has_signature = false;
  std::string out;
  for (const std::string& line : lines) {
    std::string_view trimmed = StripWhitespace(line);
    if (trimmed == kRewriteSignature) has_signature = true;
    std::optional<std::vector<std::string>> words;
    if (!trimmed.empty() && trimmed[0] != '#') words = protocol::SplitArgs(trimmed);
    if (!words || words->empty() || !table.Known((*words)[0])) {
      absl::StrAppend(&out, line, "\n");
      continue;
    }
    std::string name = absl::AsciiStrToLower((*words)[0]);
    if (!written.insert(name).second) continue;
    absl::StrAppend(&out, ConfigFileLine(name, table.Get(name).value_or("")), "\n");
  }
  std::vector<std::string> appended;
  for (const std::string& name : table.Names()) {
    if (written.contains(name)) continue;
    std::string value = table.Get(name).value_or("");
    if (value == default_table.Get(name).value_or("")) continue;
    appended.push_back(ConfigFileLine(name, value));
  }
  if (!appended.empty() && !has_signature)
    absl::StrAppend(&out, std::string(kRewriteSignature), "\n");
  for (const std::string& line : appended) absl::StrAppend(&out, line, "\n");

  if (persistence::Status st = persistence::ReplaceFileAtomically(nullptr, path, out); !st.ok()) {
    ctx.reply.Error(
        errors::Format(errors::kConfigRewriteFailed, {std::strerror(st.error_number())}));
    return;
  }
  ctx.reply.Ok();
}

void CmdConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "GET <pattern>",
                     "    Return parameters matching the glob-like <pattern> and their values.",
                     "SET <directive> <value>",
                     "    Set the configuration <directive> to <value>.",
                     "RESETSTAT",
                     "    Reset statistics reported by the INFO command.",
                     "REWRITE",
                     "    Rewrite the configuration file.",
                     "HELP",
                     "    Prints this help.",
                 });
}

// ---- TIME ----

// [unix seconds, microseconds] as bulk strings. The clock has millisecond
// resolution, so the microseconds are a multiple of 1000.
void CmdTime(CommandContext& ctx) {
  store::ClockThaw thaw;  // a script's frozen time is for expiry only
  int64_t ms = ctx.server.clock().NowMs();
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(absl::StrCat(ms / 1000));
  ctx.reply.Bulk(absl::StrCat((ms % 1000) * 1000));
}

// ---- WAIT ----

// WAIT numreplicas timeout: stashd has no replicas, so no write is ever
// acknowledged by one. As Redis answers with none connected: 0 at once when
// numreplicas <= 0 (or inside MULTI), else 0 once the timeout (in ms; 0:
// forever, until CLIENT UNBLOCK) has passed.
void CmdWait(CommandContext& ctx) {
  std::optional<int64_t> numreplicas = store::ParseInt64(ctx.args[1]);
  if (!numreplicas) return ctx.reply.Error(errors::kNotInteger);
  int64_t deadline;
  if (!ParseBlockTimeout(ctx, ctx.args[2], /*in_ms=*/true, &deadline)) return;
  const int64_t acknowledged = 0;
  if (acknowledged >= *numreplicas) return ctx.reply.Integer(acknowledged);
  BlockOrTimeout(ctx, {}, deadline, store::ValueType::kString, TimeoutReply::kZero);
}

constexpr char kUnordered[] = "nondeterministic_output_order";

}  // namespace

// ---- MEMORY ----

// MEMORY USAGE key [SAMPLES count]: stashd counts collections exactly, so
// SAMPLES is checked and otherwise changes nothing.
void CmdMemoryUsage(CommandContext& ctx) {
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "samples") && j + 1 < ctx.args.size()) {
      std::optional<int64_t> samples = store::ParseInt64(ctx.args[j + 1]);
      if (!samples) return ctx.reply.Error(errors::kNotInteger);
      if (*samples < 0) return ctx.reply.Error(errors::kSyntax);
      ++j;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  std::optional<size_t> bytes = ctx.keyspace.MemoryUsage(ctx.db(), ctx.args[2]);
  if (!bytes) return ctx.reply.Null();
  ctx.reply.Integer(static_cast<int64_t>(*bytes));
}

// MEMORY STATS: Redis 7.0's fields, in its order.
void CmdMemoryStats(CommandContext& ctx) {
  const MemoryOverhead m = GetMemoryOverhead(ctx.server);
  protocol::ReplyBuilder& r = ctx.reply;
  r.MapLen(27 + m.dbs.size());
  auto integer = [&](std::string_view name, int64_t v) {
    r.Bulk(name);
    r.Integer(v);
  };
  auto real = [&](std::string_view name, float v) {
    r.Bulk(name);
    r.Double(v);
  };
  integer("peak.allocated", static_cast<int64_t>(m.peak));
  integer("total.allocated", static_cast<int64_t>(m.total));
  integer("startup.allocated", static_cast<int64_t>(m.startup));
  integer("replication.backlog", 0);  // stashd has no replication
  integer("clients.slaves", 0);
  integer("clients.normal", static_cast<int64_t>(m.clients_normal));
  integer("cluster.links", 0);
  integer("aof.buffer", 0);  // the write log is written as commands run
  integer("lua.caches", static_cast<int64_t>(m.lua_caches));
  integer("functions.caches", static_cast<int64_t>(m.functions_caches));
  for (const auto& [db, o] : m.dbs) {
    r.Bulk(absl::StrCat("db.", db));
    r.MapLen(3);
    integer("overhead.hashtable.main", static_cast<int64_t>(o.main_bytes));
    integer("overhead.hashtable.expires", static_cast<int64_t>(o.expires_bytes));
    integer("overhead.hashtable.slot-to-keys", 0);  // no cluster mode
  }
  integer("overhead.total", static_cast<int64_t>(m.overhead_total));
  integer("keys.count", static_cast<int64_t>(m.keys));
  integer("keys.bytes-per-key", static_cast<int64_t>(m.bytes_per_key));
  integer("dataset.bytes", static_cast<int64_t>(m.dataset));
  real("dataset.percentage", m.dataset_perc);
  real("peak.percentage", m.peak_perc);
  integer("allocator.allocated", static_cast<int64_t>(m.allocated));
  integer("allocator.active", static_cast<int64_t>(m.active));
  integer("allocator.resident", static_cast<int64_t>(m.resident));
  real("allocator-fragmentation.ratio", m.allocator_frag);
  integer("allocator-fragmentation.bytes", m.allocator_frag_bytes);
  real("allocator-rss.ratio", m.allocator_rss);
  integer("allocator-rss.bytes", m.allocator_rss_bytes);
  real("rss-overhead.ratio", m.rss_extra);
  integer("rss-overhead.bytes", m.rss_extra_bytes);
  real("fragmentation", m.total_frag);
  integer("fragmentation.bytes", m.total_frag_bytes);
}

// MEMORY DOCTOR: Redis 7.0's diagnosis and texts. stashd has no replicas,
// so the replica-buffer report never applies.
std::string MemoryDoctorReport(const MemoryOverhead& m, size_t cached_scripts) {
  constexpr int64_t k10Mb = 10 << 20;
  if (m.total < 5 * 1024 * 1024) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  const bool high_peak = static_cast<float>(m.peak) / static_cast<float>(m.total) > 1.5f;
  const bool high_frag = m.total_frag > 1.4f && m.total_frag_bytes > k10Mb;
  const bool high_alloc_frag = m.allocator_frag > 1.1f && m.allocator_frag_bytes > k10Mb;
  const bool high_alloc_rss = m.allocator_rss > 1.1f && m.allocator_rss_bytes > k10Mb;
  const bool high_proc_rss = m.rss_extra > 1.1f && m.rss_extra_bytes > k10Mb;
  const bool big_client_buf = m.clients > 0 && m.clients_normal / m.clients > 1024 * 200;
  const bool many_scripts = cached_scripts > 1000;
  if (!high_peak && !high_frag && !high_alloc_frag && !high_alloc_rss && !high_proc_rss &&
      !big_client_buf && !many_scripts) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (high_peak) {
    s += " * Peak memory: In the past this instance used more than 150% the memory that is "
         "currently using. The allocator is normally not able to release memory after a peak, "
         "so you can expect to see a big fragmentation ratio, however this is actually harmless "
         "and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) "
         "is currently bigger than expected, the memory will be used as soon as you fill the "
         "Redis instance with more data. If the memory peak was only occasional and you want to "
         "try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other "
         "option is to shutdown and restart the instance.\n\n";
  }
  if (high_frag) {
    s += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
         "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
         "than the sum of the logical allocations Redis performed). This problem is usually due "
         "either to a large peak memory (check if there is a peak memory entry above in the "
         "report) or may result from a workload that causes the allocator to fragment memory a "
         "lot. If the problem is a large peak memory, then there is no issue. Otherwise, make "
         "sure you are using the Jemalloc allocator and not the default libc malloc. Note: The "
         "currently used allocator is \"libc\".\n\n";
  }
  if (high_alloc_frag) {
    s += " * High allocator fragmentation: This instance has an allocator external "
         "fragmentation greater than 1.1. This problem is usually due either to a large peak "
         "memory (check if there is a peak memory entry above in the report) or may result from "
         "a workload that causes the allocator to fragment memory a lot. You can try enabling "
         "'activedefrag' config option.\n\n";
  }
  if (high_alloc_rss) {
    s += " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
         "than 1.1 (this means that the Resident Set Size of the allocator is much larger than "
         "the sum what the allocator actually holds). This problem is usually due to a large "
         "peak memory (check if there is a peak memory entry above in the report), you can try "
         "the MEMORY PURGE command to reclaim it.\n\n";
  }
  if (high_proc_rss) {
    s += " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
         "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
         "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
         "Modules.\n\n";
  }
  if (big_client_buf) {
    s += " * Big client buffers: The clients output buffers in this instance are greater than "
         "200K per client (on average). This may result from different causes, like Pub/Sub "
         "clients subscribed to channels bot not receiving data fast enough, so that data piles "
         "on the Redis instance output buffer, or clients sending commands with large replies "
         "or very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
         "command in order to investigate the issue if it causes problems in your instance, or "
         "to understand better why certain clients are using a big amount of memory.\n\n";
  }
  if (many_scripts) {
    s += " * Many scripts: There seem to be many cached scripts in this instance (more than "
         "1000). This may be because scripts are generated and `EVAL`ed, instead of being "
         "parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT "
         "FLUSH` is called periodically, the scripts' caches may end up consuming most of your "
         "memory.\n\n";
  }
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  return s;
}

void CmdMemoryDoctor(CommandContext& ctx) {
  ctx.reply.Verbatim(
      MemoryDoctorReport(GetMemoryOverhead(ctx.server), ctx.server.scripts().ScriptCount()));
}

// MEMORY PURGE: hands freed pages back to the system (glibc malloc_trim).
void CmdMemoryPurge(CommandContext& ctx) {
  malloc_trim(0);
  ctx.reply.Ok();
}

// MEMORY MALLOC-STATS: what Redis answers when not built with jemalloc.
void CmdMemoryMallocStats(CommandContext& ctx) {
  ctx.reply.Bulk("Stats not supported for the current allocator");
}

void CmdMemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                  "    Return memory problems reports.", "MALLOC-STATS",
                  "    Return internal statistics report from the memory allocator.", "PURGE",
                  "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
                  "    Return information about the memory usage of the server.",
                  "USAGE <key> [SAMPLES <count>]",
                  "    Return memory in bytes used by <key> and its value. Nested values are",
                  "    sampled up to <count> times (default: 5, 0 means sample all).", "HELP",
                  "    Prints this help."});
}

void RegisterServerFamily(CommandRegistry& r) {
  constexpr uint32_t kLoadingStale = kLoading | kStale;
  constexpr uint32_t kConfigAdmin = kAdmin | kNoScript | kLoading | kStale;

  r.Register(
      {.name = "command",
       .arity = -1,
       .flags = kLoadingStale,
       .handler = CmdCommand,
       .acl_categories = AclCategory::kConnection,
       .tips = {kUnordered},
       .summary = "Get array of Redis command details",
       .since = "2.8.13",
       .group = "server",
       .complexity = "O(N) where N is the total number of Redis commands",
       .subcommands = {
           {.name = "command|count",
            .arity = 2,
            .flags = kLoadingStale,
            .handler = CmdCommandCount,
            .acl_categories = AclCategory::kConnection,
            .summary = "Get total number of Redis commands",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "command|list",
            .arity = -2,
            .flags = kLoadingStale,
            .handler = CmdCommandList,
            .acl_categories = AclCategory::kConnection,
            .tips = {kUnordered},
            .summary = "Get an array of Redis command names",
            .since = "7.0.0",
            .group = "server",
            .complexity = "O(N) where N is the total number of Redis commands",
            .arguments = {ArgOneOf("filterby", {ArgString("module-name").Token("MODULE"),
                                                ArgString("category").Token("ACLCAT"),
                                                ArgPattern("pattern").Token("PATTERN")})
                              .Token("FILTERBY")
                              .Optional()}},
           {.name = "command|info",
            .arity = -2,
            .flags = kLoadingStale,
            .handler = CmdCommandInfo,
            .acl_categories = AclCategory::kConnection,
            .tips = {kUnordered},
            .summary =
                "Get array of specific Redis command details, or all when no argument is given.",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(N) where N is the number of commands to look up",
            .history = {{"7.0.0",
                         "Allowed to be called with no argument to get info on all commands."}},
            .arguments = {ArgString("command-name").Optional().Multiple()}},
           {.name = "command|docs",
            .arity = -2,
            .flags = kLoadingStale,
            .handler = CmdCommandDocs,
            .acl_categories = AclCategory::kConnection,
            .tips = {kUnordered},
            .summary = "Get array of specific Redis command documentation",
            .since = "7.0.0",
            .group = "server",
            .complexity = "O(N) where N is the number of commands to look up",
            .arguments = {ArgString("command-name").Optional().Multiple()}},
           {.name = "command|getkeys",
            .arity = -4,
            .flags = kLoadingStale,
            .handler = CmdCommandGetKeys<false>,
            .acl_categories = AclCategory::kConnection,
            .summary = "Extract keys given a full Redis command",
            .since = "2.8.13",
            .group = "server",
            .complexity = "O(N) where N is the number of arguments to the command"},
           {.name = "command|getkeysandflags",
            .arity = -4,
            .flags = kLoadingStale,
            .handler = CmdCommandGetKeys<true>,
            .acl_categories = AclCategory::kConnection,
            .summary = "Extract keys and access flags given a full Redis command",
            .since = "7.0.0",
            .group = "server",
            .complexity = "O(N) where N is the number of arguments to the command"},
           {.name = "command|help",
            .arity = 2,
            .flags = kLoadingStale,
            .handler = CmdCommandHelp,
            .acl_categories = AclCategory::kConnection,
            .summary = "Show helpful text about the different subcommands",
            .since = "5.0.0",
            .group = "server",
            .complexity = "O(1)"}}});
  r.Register(
      {.name = "memory",
       .arity = -2,
       .summary = "A container for memory diagnostics commands",
       .since = "4.0.0",
       .group = "server",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "memory|usage",
            .arity = -3,
            .flags = kReadonly,
            .first_key = 2,
            .last_key = 2,
            .step = 1,
            .handler = CmdMemoryUsage,
            .key_spec_flags = {KeySpecFlag::kRO},
            .summary = "Estimate the memory usage of a key",
            .since = "4.0.0",
            .group = "server",
            .complexity = "O(N) where N is the number of samples.",
            .arguments = {ArgKey("key", 0), ArgInteger("count").Token("SAMPLES").Optional()}},
           {.name = "memory|doctor",
            .arity = 2,
            .handler = CmdMemoryDoctor,
            .tips = {"nondeterministic_output", "request_policy:all_shards",
                     "response_policy:special"},
            .summary = "Outputs memory problems report",
            .since = "4.0.0",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "memory|stats",
            .arity = 2,
            .handler = CmdMemoryStats,
            .tips = {"nondeterministic_output", "request_policy:all_shards",
                     "response_policy:special"},
            .summary = "Show memory usage details",
            .since = "4.0.0",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "memory|purge",
            .arity = 2,
            .handler = CmdMemoryPurge,
            .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
            .summary = "Ask the allocator to release memory",
            .since = "4.0.0",
            .group = "server",
            .complexity = "Depends on how much memory is allocated, could be slow"},
           {.name = "memory|malloc-stats",
            .arity = 2,
            .handler = CmdMemoryMallocStats,
            .tips = {"nondeterministic_output", "request_policy:all_shards",
                     "response_policy:special"},
            .summary = "Show allocator internal stats",
            .since = "4.0.0",
            .group = "server",
            .complexity = "Depends on how much memory is allocated, could be slow"},
           {.name = "memory|help",
            .arity = 2,
            .flags = kLoading | kStale,
            .handler = CmdMemoryHelp,
            .summary = "Show helpful text about the different subcommands",
            .since = "4.0.0",
            .group = "server",
            .complexity = "O(1)"}}});
  r.Register(
      {.name = "info",
       .arity = -1,
       .flags = kLoadingStale,
       .handler = CmdInfo,
       .acl_categories = AclCategory::kDangerous,
       .tips = {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
       .summary = "Get information and statistics about the server",
       .since = "1.0.0",
       .group = "server",
       .complexity = "O(1)",
       .history = {{"7.0.0", "Added support for taking multiple section arguments."}},
       .arguments = {ArgString("section").Optional().Multiple()}});
  r.Register(
      {.name = "config",
       .arity = -2,
       .handler = nullptr,
       .summary = "A container for server configuration commands",
       .since = "2.0.0",
       .group = "server",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "config|get",
            .arity = -3,
            .flags = kConfigAdmin,
            .handler = CmdConfigGet,
            .summary = "Get the values of configuration parameters",
            .since = "2.0.0",
            .group = "server",
            .complexity = "O(N) when N is the number of configuration parameters provided",
            .history = {{"7.0.0",
                         "Added the ability to pass multiple pattern parameters in one call"}},
            .arguments = {ArgBlock("parameter", {ArgString("parameter")}).Multiple()}},
           {.name = "config|set",
            .arity = -4,
            .flags = kConfigAdmin,
            .handler = CmdConfigSet,
            .redact = RedactConfigSet,
            .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
            .summary = "Set configuration parameters to the given values",
            .since = "2.0.0",
            .group = "server",
            .complexity = "O(N) when N is the number of configuration parameters provided",
            .history = {{"7.0.0", "Added the ability to set multiple parameters in one call."}},
            .arguments = {ArgBlock("parameter_value", {ArgString("parameter"), ArgString("value")})
                              .Multiple()}},
           {.name = "config|resetstat",
            .arity = 2,
            .flags = kConfigAdmin,
            .handler = CmdConfigResetStat,
            .summary = "Reset the stats returned by INFO",
            .since = "2.0.0",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "config|rewrite",
            .arity = 2,
            .flags = kConfigAdmin,
            .handler = CmdConfigRewrite,
            .summary = "Rewrite the configuration file with the in memory configuration",
            .since = "2.8.0",
            .group = "server",
            .complexity = "O(1)"},
           {.name = "config|help",
            .arity = 2,
            .flags = kLoadingStale,
            .handler = CmdConfigHelp,
            .summary = "Show helpful text about the different subcommands",
            .since = "5.0.0",
            .group = "server",
            .complexity = "O(1)"}}});
  r.Register({.name = "wait",
              .arity = 3,
              .flags = kNoScript,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .handler = CmdWait,
              .acl_categories = AclCategory::kConnection,
              .key_spec_flags = {},
              .tips = {"request_policy:all_shards", "response_policy:agg_min"},
              .summary = "Wait for the synchronous replication of all the write commands sent in "
                         "the context of the current connection",
              .since = "3.0.0",
              .group = "generic",
              .complexity = "O(1)",
              .arguments = {ArgInteger("numreplicas"), ArgInteger("timeout")}});
  r.Register({.name = "time",
              .arity = 1,
              .flags = kLoadingStale | kFast,
              .handler = CmdTime,
              .tips = {"nondeterministic_output"},
              .summary = "Return the current server time",
              .since = "2.6.0",
              .group = "server",
              .complexity = "O(1)"});
}

}  // namespace stashd::server
