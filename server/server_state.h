// State shared by every connection: configuration, the keyspace, the command
// table, the client registry and server-wide statistics.
//
// Thread safety: the command table is immutable after start-up; counters are
// atomics; ClientRegistry has its own mutex; the keyspace follows its own
// shard-locking rules (store/keyspace.h).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/base/stat_counter.h"
#include "server/config/config.h"
#include "server/exec/client.h"
#include "server/exec/client_pause.h"
#include "server/exec/command.h"
#include "server/exec/command_journal.h"
#include "server/exec/command_runner.h"
#include "server/exec/latency.h"
#include "server/exec/maxmemory.h"
#include "server/exec/monitor.h"
#include "server/exec/notify.h"
#include "server/exec/pubsub.h"
#include "server/exec/tracking.h"
#include "store/clock.h"
#include "store/keyspace.h"

namespace stashd::server {

struct CommandStats {
  StatCounter calls;
  StatCounter usec;
  StatCounter rejected_calls;
  StatCounter failed_calls;
  // LATENCY HISTOGRAM, INFO latencystats (latency-tracking).
  LatencyHistogram histogram;
};

struct ServerStats {
  StatCounter total_connections_received;
  StatCounter total_commands_processed;
  StatCounter rejected_connections;
  StatCounter total_net_input_bytes;
  StatCounter total_net_output_bytes;
  StatCounter total_error_replies;
  StatCounter unexpected_error_replies;
  StatCounter auth_failures;
  // Clients closed because all clients together passed maxmemory-clients.
  StatCounter evicted_clients;
  // Clients waiting in a blocking command now (INFO blocked_clients).
  std::atomic<int64_t> blocked_clients{0};
  // Reads from and writes to client sockets (Redis counts a read event and
  // a write call each), and how many of them io threads other than the
  // main one (the thread of main(), which also runs the cron) did.
  StatCounter total_reads_processed;
  StatCounter total_writes_processed;
  StatCounter io_threaded_reads_processed;
  StatCounter io_threaded_writes_processed;
  // Counts one read / write on the calling thread.
  void CountRead() {
    total_reads_processed.fetch_add(1);
    if (std::this_thread::get_id() != main_thread) io_threaded_reads_processed.fetch_add(1);
  }
  void CountWrite() {
    total_writes_processed.fetch_add(1);
    if (std::this_thread::get_id() != main_thread) io_threaded_writes_processed.fetch_add(1);
  }
  const std::thread::id main_thread = std::this_thread::get_id();  // built by main()
  // Active expiry (the cron): runs that stopped at their time limit with
  // expired keys left, and the time spent in them (microseconds).
  std::atomic<uint64_t> expired_time_cap_reached_count{0};
  std::atomic<uint64_t> expire_cycle_us{0};
  // INFO expired_stale_perc, as Redis's: a running average (weight 0.05 per
  // cron run) of the share of keys with a deadline that had already passed
  // it when active expiry ran.
  std::atomic<double> expired_stale_perc{0};
  void NoteExpireCycle(uint64_t deleted, uint64_t volatile_keys) {
    if (volatile_keys == 0) return;
    const double current = static_cast<double>(deleted) / static_cast<double>(volatile_keys);
    expired_stale_perc.store(current * 0.05 + expired_stale_perc.load() * 0.95);
  }
  // RESTORE payloads decoded in full (INFO dump_payload_sanitizations):
  // stashd rebuilds every value it restores, so each one is checked deeply.
  StatCounter dump_payload_sanitizations;

  // INFO client_recent_max_input_buffer / client_recent_max_output_buffer:
  // the largest client buffers the cron saw in the last kRecentSeconds
  // seconds, one slot per second, as Redis's clientsCron keeps them.
  void NoteClientBuffers(int64_t now_ms, uint64_t input, uint64_t output);
  std::pair<uint64_t, uint64_t> RecentMaxClientBuffers() const;

  // instantaneous_ops_per_sec / input_kbps / output_kbps, as Redis computes
  // them: every 100 ms the cron samples the rate since the previous sample;
  // INFO shows the mean of the last kInstantaneousSamples samples.
  void SampleInstantaneous(int64_t now_ms);
  struct Instantaneous {
    double ops_per_sec = 0;
    double input_kbps = 0;
    double output_kbps = 0;
  };
  Instantaneous InstantaneousMetrics() const;

  // Counts one error reply: total_error_replies, and INFO errorstats by the
  // error's code (its first word, as Redis's afterErrorReply takes it: "ERR"
  // when there is no space in its first 32 bytes). `error` is the reply's
  // text, with or without the leading '-'.
  void CountErrorReply(std::string_view error);
  // errorstat_<code>:count=<n>, in code order (INFO errorstats).
  std::vector<std::pair<std::string, uint64_t>> ErrorCounts() const;
  // CONFIG RESETSTAT.
  void ResetErrorCounts();

 private:
  // Distinct codes tracked at most (Redis: ERROR_STATS_NUMBER); a new code
  // beyond it still counts in total_error_replies.
  static constexpr size_t kMaxErrorCodes = 128;
  static constexpr size_t kInstantaneousSamples = 16;
  struct RateSamples {
    uint64_t last_value = 0;
    std::array<double, kInstantaneousSamples> samples{};
  };
  mutable std::mutex instantaneous_mu_;
  int64_t last_sample_ms_ = 0;  // guarded by instantaneous_mu_, as what follows
  size_t next_sample_ = 0;
  RateSamples ops_, input_, output_;
  static constexpr size_t kRecentSeconds = 8;
  struct BufferPeak {
    int64_t second = -1;
    uint64_t input = 0;
    uint64_t output = 0;
  };
  mutable std::mutex peaks_mu_;
  std::array<BufferPeak, kRecentSeconds> buffer_peaks_{};  // guarded by peaks_mu_
  int64_t last_peak_second_ = -1;                          // guarded by peaks_mu_
  mutable std::mutex errors_mu_;
  std::map<std::string, uint64_t, std::less<>> error_counts_;  // guarded by errors_mu_
};

// Live connections, for CLIENT LIST / KILL / INFO clients.
class ClientRegistry {
 public:
  struct Entry {
    ClientState* state;
    std::function<void()> close;  // asks the connection to close (thread-safe)
  };
  void Add(ClientState* c, std::function<void()> close);
  void Remove(ClientState* c);
  size_t size() const;
  uint64_t NextId() { return next_id_.fetch_add(1) + 1; }
  // Calls fn for each client under the registry mutex.
  void ForEach(const std::function<void(ClientState&, const std::function<void()>&)>& fn) const;
  // Calls fn under the registry mutex for the client with this id, unless
  // it is closing; false if there is none.
  bool WithClient(uint64_t id, absl::FunctionRef<void(ClientState&)> fn) const;
  // Guards the CLIENT LIST fields of every ClientState (name, lib, last command, db).
  std::mutex& mutex() const { return mu_; }

 private:
  mutable std::mutex mu_;
  std::vector<Entry> clients_;
  absl::flat_hash_map<uint64_t, ClientState*> by_id_;
  std::atomic<uint64_t> next_id_{0};
};

class Acl;
class Persistence;
class ScriptEngine;

// `p` as the dispatcher sees it (defined in persistence.cc, where Persistence
// is complete, so that this header need not include persistence.h).
CommandJournal* AsCommandJournal(Persistence* p);

class ServerState {
 public:
  ServerState(const store::Clock* clock, std::unique_ptr<Config> config);
  ~ServerState();
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  const store::Clock& clock() const { return *clock_; }
  Config& config() { return *config_; }
  ConfigTable& config_table() { return config_table_; }
  store::Keyspace& keyspace() { return *keyspace_; }
  CommandRegistry& commands() { return commands_; }
  CommandRunner& dispatcher() { return *dispatcher_; }
  Acl& acl() { return *acl_; }
  // The Lua engine (EVAL, SCRIPT).
  ScriptEngine& scripts() { return *scripts_; }
  ClientRegistry& clients() { return clients_; }
  // Pub/Sub subscriptions (server/exec/pubsub.h).
  PubSubRegistry& pubsub() { return pubsub_; }
  // Keyspace notifications (server/exec/notify.h), published through pubsub().
  KeyspaceNotifier& notifier() { return notifier_; }
  // Client-side caching (server/exec/tracking.h).
  ClientTracking& tracking() { return *tracking_; }
  // The clients in MONITOR mode (server/exec/monitor.h).
  MonitorFeed& monitors() { return monitors_; }
  ServerStats& stats() { return stats_; }
  MemoryFigures& memory() { return memory_; }
  // Set when CONFIG SET changed maxmemory: Redis evicts at once then, not
  // only before the next command. The dispatcher takes it after the command
  // (no shard lock held).
  bool TakeEvictionRequest() { return evict_now_.exchange(false, std::memory_order_relaxed); }
  ClientPause& pause() { return pause_; }
  CommandStats& command_stats(const CommandSpec* spec);
  // SLOWLOG and the latency monitor (server/exec/latency.h).
  SlowLog& slowlog() { return slowlog_; }
  LatencyMonitor& latency_monitor() { return latency_monitor_; }

  int64_t start_ms() const { return start_ms_; }
  const std::string& run_id() const { return run_id_; }
  int tcp_port() const { return tcp_port_.load(); }
  void set_tcp_port(int port) { tcp_port_.store(port); }
  const std::string& executable() const { return executable_; }
  void set_executable(std::string path) { executable_ = std::move(path); }

  // Asks the server to stop (SHUTDOWN, signals). Set by server.cc.
  std::function<void()> request_shutdown;

  // Snapshots and the write log; nullptr when the server runs without them
  // (command tests). Owned by main(), set before clients are accepted.
  Persistence* persistence() const { return persistence_; }
  // The same, as the dispatcher uses it.
  CommandJournal* command_journal() const { return command_journal_; }
  void set_persistence(Persistence* p) {
    persistence_ = p;
    command_journal_ = p == nullptr ? nullptr : AsCommandJournal(p);
  }

 private:
  // Tells the keyspace how accesses update its clocks (maxmemory-policy's
  // LRU or LFU family, lfu-log-factor, lfu-decay-time).
  void ApplyAccessPolicy();

  const store::Clock* clock_;
  std::unique_ptr<Config> config_;
  ConfigTable config_table_;
  std::unique_ptr<store::Keyspace> keyspace_;
  CommandRegistry commands_;
  ClientRegistry clients_;
  PubSubRegistry pubsub_;
  KeyspaceNotifier notifier_{pubsub_, config_->notify_keyspace_events};
  std::unique_ptr<ClientTracking> tracking_;
  MonitorFeed monitors_;
  std::unique_ptr<CommandRunner> dispatcher_;
  std::unique_ptr<Acl> acl_;
  std::unique_ptr<ScriptEngine> scripts_;
  ServerStats stats_;
  SlowLog slowlog_;
  LatencyMonitor latency_monitor_;
  MemoryFigures memory_;
  std::atomic<bool> evict_now_{false};
  ClientPause pause_;
  absl::flat_hash_map<const CommandSpec*, std::unique_ptr<CommandStats>> command_stats_;
  int64_t start_ms_;
  std::string run_id_;
  std::atomic<int> tcp_port_{0};  // changed by CONFIG SET port
  std::string executable_;
  Persistence* persistence_ = nullptr;
  CommandJournal* command_journal_ = nullptr;
};

}  // namespace stashd::server
