// Server configuration: the directives, their defaults, and parsing from the
// command line (`stashd [config-file] [--directive value ...]`), from a config
// file (redis.conf syntax) and from CONFIG SET.
//
// Directive names follow redis.conf where the meaning is the same.
//
// Thread safety: Config is read by every io thread. Fields that CONFIG SET
// may change at run time are atomics or guarded by ConfigTable's mutex;
// the rest are fixed after start-up.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stashd::server {

// The number of io threads `io-threads` asks for: the number itself, or for
// 0 (automatic) one per core but one, at least one. The core left over is for
// the clients and services beside the server, and for its own snapshot and
// log threads: on 2 cores with the client beside it, 2 io threads served
// pipelined SET/GET at 0.72-0.92x of 1 (bench/RESULTS.md). Redis's advice is
// the same (io threads only with 4 cores or more, leaving one spare).
int IoThreadCount(int configured);

struct Config {
  // Network. CONFIG SET port / bind listen anew (server/net/server.h);
  // `bind` is guarded by ConfigTable's mutex: read it with ConfigTable::bind().
  std::vector<std::string> bind = {"127.0.0.1", "-::1"};
  std::atomic<int> port{6379};
  int tcp_backlog = 511;
  std::atomic<int64_t> timeout_s{0};  // idle client timeout, 0 = never
  std::atomic<int64_t> tcp_keepalive_s{300};
  std::atomic<int64_t> maxclients{10000};
  std::atomic<bool> protected_mode{true};

  // daemonize (fixed after start-up): detach from the terminal at start-up,
  // standard streams to /dev/null, as redis-server does.
  bool daemonize = false;

  // Replication: stashd runs standalone and has no replicas. replicaof
  // (alias slaveof) takes only "no one"; repl-backlog-size is kept for
  // CONFIG GET / INFO (Redis allocates the backlog only once a replica
  // attaches, so on a server without replicas it has no effect there either).
  std::atomic<int64_t> repl_backlog_size{1024 * 1024};

  // key-load-delay (hidden, as in Redis: a testing aid): a pause in µs after
  // each key loaded at start-up (negative -n: a 1 µs pause for one key in n,
  // at random). 0: none.
  std::atomic<int64_t> key_load_delay_us{0};

  // Threads and keyspace
  int io_threads = 0;  // 0 = automatic: IoThreadCount()
  int databases = 16;
  std::atomic<int64_t> hz{10};
  // The compact-encoding thresholds for hashes (store::HashObject), with
  // Redis's names (and the ziplist names as aliases).
  std::atomic<int64_t> hash_max_listpack_entries{512};
  std::atomic<int64_t> hash_max_listpack_value{64};
  // The list node limits (store::ListObject): list-max-listpack-size (alias
  // list-max-ziplist-size) and list-compress-depth (accepted, kept, unused).
  std::atomic<int64_t> list_max_listpack_size{-2};
  std::atomic<int64_t> list_compress_depth{0};
  // The same for sorted sets (store::ZSetObject).
  std::atomic<int64_t> zset_max_listpack_entries{128};
  std::atomic<int64_t> zset_max_listpack_value{64};
  // The intset threshold for sets (store::SetObject).
  std::atomic<int64_t> set_max_intset_entries{512};
  // A sparse HyperLogLog that would grow past this many bytes (header
  // included) turns dense (store/hyperloglog.h).
  std::atomic<int64_t> hll_sparse_max_bytes{3000};
  // The stream block limits (store::StreamObject).
  std::atomic<int64_t> stream_node_max_bytes{4096};
  std::atomic<int64_t> stream_node_max_entries{100};

  // Limits
  std::atomic<int64_t> proto_max_bulk_len{512ll * 1024 * 1024};
  std::atomic<int64_t> client_query_buffer_limit{1024ll * 1024 * 1024};

  // Security (guarded by ConfigTable's mutex)
  // enable-protected-configs (fixed after start-up): whether CONFIG SET may
  // change the PROTECTED configs (dir, dbfilename): never, always, or only
  // for clients connected from a loopback address (Redis 7.0's rule).
  enum class ProtectedAction { kNo, kYes, kLocal };
  ProtectedAction enable_protected_configs = ProtectedAction::kNo;
  std::string requirepass;
  std::string aclfile;  // users file for ACL LOAD / SAVE; fixed after start-up
  std::atomic<int64_t> acllog_max_len{128};
  // acl-pubsub-default: new users (and "reset") start with allchannels
  // (true) or resetchannels (false, Redis 7.0's default).
  std::atomic<bool> acl_pubsub_default_all{false};
  // notify-keyspace-events: the NotifyClass bits (server/exec/notify.h) of
  // the keyspace notifications to publish; 0 (Redis's default) publishes none.
  std::atomic<uint32_t> notify_keyspace_events{0};
  // busy-reply-threshold (alias lua-time-limit): after this long, a running
  // script makes other clients' commands fail with BUSY (0: never).
  std::atomic<int64_t> busy_reply_threshold_ms{5000};
  // tracking-table-max-keys: the most keys client-side caching remembers
  // (server/exec/tracking.h); beyond it keys are evicted and their clients
  // invalidated. 0: no limit.
  std::atomic<int64_t> tracking_table_max_keys{1000000};

  // Operator tooling (server/exec/latency.h). slowlog-log-slower-than: a
  // command taking at least this many µs goes to the slow log (-1: none, 0:
  // every command); slowlog-max-len: the entries kept.
  std::atomic<int64_t> slowlog_log_slower_than{10000};
  std::atomic<int64_t> slowlog_max_len{128};
  // latency-monitor-threshold: events lasting at least this many ms are
  // sampled by the latency monitor (0: off).
  std::atomic<int64_t> latency_monitor_threshold_ms{0};
  // latency-tracking: per-command latency histograms; the percentiles INFO
  // latencystats shows (latency-tracking-info-percentiles) are read with
  // ConfigTable::latency_percentiles().
  std::atomic<bool> latency_tracking{true};
  std::vector<double> latency_tracking_info_percentiles = {50.0, 99.0, 99.9};
  // maxmemory: past this many bytes of used memory (INFO used_memory) the
  // server evicts keys by `maxmemory_policy` before each command, and refuses
  // the commands that may grow memory (denyoom) when nothing can be evicted.
  // 0: no limit.
  std::atomic<int64_t> maxmemory{0};
  // maxmemory-policy: an EvictionPolicy (store/eviction.h). The keyspace
  // is told its access-clock family (LRU or LFU) by ServerState.
  std::atomic<int> maxmemory_policy{0};
  // maxmemory-samples: keys sampled per eviction by the LRU/LFU policies.
  std::atomic<int64_t> maxmemory_samples{5};
  // lfu-log-factor / lfu-decay-time: how fast an LFU access counter grows
  // and decays (minutes per decrement) (store/access_clock.h).
  std::atomic<int64_t> lfu_log_factor{10};
  std::atomic<int64_t> lfu_decay_time{1};
  // maxmemory-clients: past this many bytes taken by all clients together
  // (CLIENT LIST tot-mem), the server's cron closes the biggest clients
  // until they fit (CLIENT NO-EVICT exempts one), counting them in INFO
  // evicted_clients. A negative value -p is p percent of maxmemory. 0: no
  // limit. Read it with MaxmemoryClientsBytes().
  std::atomic<int64_t> maxmemory_clients{0};
  int64_t MaxmemoryClientsBytes() const {
    const int64_t v = maxmemory_clients.load(std::memory_order_relaxed);
    if (v >= 0) return v;
    return static_cast<int64_t>(static_cast<double>(maxmemory.load(std::memory_order_relaxed)) *
                                static_cast<double>(-v) / 100.0);
  }

  // client-output-buffer-limit, per client class: a client whose pending
  // replies exceed `hard` bytes, or stay above `soft` bytes for
  // `soft_seconds`, is disconnected (0 = no limit). A client with
  // subscriptions is of the pubsub class, others normal; stashd has no
  // replicas, the replica class is kept for CONFIG GET.
  struct OutputBufferLimit {
    std::atomic<int64_t> hard{0};
    std::atomic<int64_t> soft{0};
    std::atomic<int64_t> soft_seconds{0};
  };
  enum OutputBufferClass { kNormalClients = 0, kReplicaClients = 1, kPubSubClients = 2 };
  OutputBufferLimit output_buffer_limits[3] = {
      {256ll * 1024 * 1024, 0, 0},  // normal: see conf/stashd.conf
      {256ll * 1024 * 1024, 64ll * 1024 * 1024, 60},
      {32ll * 1024 * 1024, 8ll * 1024 * 1024, 60}};

  // Files
  std::string dir = "./data";
  std::string dbfilename = "stashd.db";
  std::string logfile;  // empty = stdout
  std::string loglevel = "notice";
  std::string config_file;  // absolute path of the file we were started with

  // Bot scopes (README "Bot scopes"): keys starting with `prefix` belong to
  // the scope; a write that gives no TTL gets `default_ttl_ms` (0 = none); a
  // value over `max_value_size` bytes (0 = no limit) is refused. Fixed after
  // start-up. Directives: scope-<name>-prefix, scope-<name>-default-ttl,
  // scope-<name>-max-value-size.
  struct Scope {
    std::string name;
    std::string prefix;
    int64_t default_ttl_ms = 0;
    int64_t max_value_size = 0;
  };
  std::vector<Scope> scopes = {{"state", "state:"}, {"user", "user:"}, {"global", "global:"}};

  // Persistence (see server/durability/persistence.h). `save` is guarded by
  // ConfigTable's mutex: read it with ConfigTable::Get("save").
  std::string save = "3600 1 300 100 60 10000";  // "<seconds> <changes>" pairs; "" = none
  bool save_set_at_startup = false;              // later `save` lines of the config file add rules
  std::atomic<bool> appendonly{true};
  std::atomic<int> appendfsync{1};  // 0 always, 1 everysec, 2 no
  std::string appendfilename = "appendonly.slog";
  std::string appenddirname = "appendonlydir";
  std::atomic<bool> stop_writes_on_bgsave_error{true};
  // rdbcompression: DUMP and FUNCTION DUMP write strings of more than 20
  // bytes LZF-compressed when that saves at least 4 bytes, as Redis writes
  // its RDB (stashd's own snapshots are SQLite and not affected).
  std::atomic<bool> rdbcompression{true};
  std::atomic<int64_t> auto_aof_rewrite_percentage{100};
  std::atomic<int64_t> auto_aof_rewrite_min_size{64ll * 1024 * 1024};
};

// Result of applying a directive: empty on success, else the reason.
using ConfigError = std::optional<std::string>;

class ConfigTable {
 public:
  explicit ConfigTable(Config* config);

  // Applies `name value...` (name case-insensitive). `at_startup` allows
  // directives that cannot change at run time.
  ConfigError Set(std::string_view name, const std::vector<std::string>& values, bool at_startup);

  // CONFIG SET's refusal of `name` before any value is applied, as Redis
  // checks: "can't set immutable config" for a directive fixed after
  // start-up, "can't set protected config" for a protected one
  // (enable-protected-configs) when `local_client` (a client connected from
  // a loopback address) may not change it. nullopt: may be set.
  ConfigError RuntimeRefusal(std::string_view name, bool local_client) const;

  // The `bind` addresses (a copy, under the mutex).
  std::vector<std::string> bind() const;
  // Current value of a directive as CONFIG GET shows it; nullopt if unknown.
  std::optional<std::string> Get(std::string_view name) const;

  // Names of all directives matching a glob pattern (CONFIG GET pattern),
  // except the hidden ones (Redis's HIDDEN_CONFIG: key-load-delay, and
  // stashd's own fixed scope-* directives), which CONFIG GET answers only
  // by their exact name.
  std::vector<std::string> Match(std::string_view pattern) const;
  // Every directive's name, hidden ones included (CONFIG REWRITE).
  std::vector<std::string> Names() const;

  bool Known(std::string_view name) const;

  // Parses argv as redis-server does: an optional config file first, then
  // "--name value [value...]" pairs. Sets *show_help / *show_version for
  // --help / --version. Returns an error message naming the directive.
  ConfigError ParseCommandLine(int argc, char** argv, bool* show_help, bool* show_version);

  // Loads a redis.conf-style file. Errors carry "file:line".
  ConfigError LoadFile(const std::string& path);

  std::string requirepass() const;
  std::vector<double> latency_percentiles() const;

  // Adds a callback run after a directive changed at run time (CONFIG SET),
  // with the directive's name, e.g. to apply a new loglevel. Listeners are
  // added before clients are served (not thread-safe against Set).
  void AddChangeListener(std::function<void(std::string_view name)> fn) {
    on_change_.push_back(std::move(fn));
  }

  // Adds a check run by a run-time Set of `name` once the new value is in
  // place (before the change listeners): an error refuses the change, and
  // the old value is put back (as Redis's apply functions, e.g. maxclients
  // against the open-files limit). Added before clients are served.
  void AddApplyCheck(std::string_view name, std::function<ConfigError()> fn);

 private:
  struct Directive {
    std::string name;
    bool mutable_at_runtime;  // for a protected one: if enable-protected-configs allows
    std::function<ConfigError(const std::vector<std::string>&)> set;
    std::function<std::string()> get;
    bool protected_config = false;  // Redis's PROTECTED_CONFIG
    bool hidden = false;            // Redis's HIDDEN_CONFIG: not matched by patterns
  };
  const Directive* FindDirective(std::string_view name) const;

  Config* config_;
  std::vector<Directive> directives_;
  mutable std::mutex mu_;  // guards string fields changed at run time
  std::vector<std::function<void(std::string_view)>> on_change_;
  std::map<std::string, std::function<ConfigError()>, std::less<>> apply_checks_;  // by name
};

}  // namespace stashd::server
