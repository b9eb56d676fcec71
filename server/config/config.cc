#include "server/config/config.h"

#include <sched.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_join.h"
#include "protocol/errors.h"
#include "protocol/resp_parser.h"
#include "server/base/ascii.h"
#include "server/exec/latency.h"
#include "server/exec/notify.h"
#include "store/eviction.h"
#include "store/glob.h"
#include "store/types/hash.h"
#include "store/types/list.h"
#include "store/types/set.h"
#include "store/types/stream.h"
#include "store/types/zset.h"

namespace stashd::server {

int IoThreadCount(int configured) {
  if (configured > 0) return configured;
  // The cores this process may run on (a cpuset or taskset narrows them).
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = CPU_COUNT(&set);
  return std::max(1, cores - 1);
}

namespace {

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Redis memtoll: "1gb", "512mb", "64k", plain bytes.
std::optional<int64_t> ParseMemory(std::string_view s) {
  std::string lower = ToLower(s);
  int64_t mul = 1;
  struct Unit {
    const char* suffix;
    int64_t mul;
  };
  static constexpr Unit kUnits[] = {{"gb", 1024ll * 1024 * 1024},
                                    {"mb", 1024ll * 1024},
                                    {"kb", 1024},
                                    {"g", 1000ll * 1000 * 1000},
                                    {"m", 1000ll * 1000},
                                    {"k", 1000},
                                    {"b", 1}};
  std::string_view num = lower;
  for (const Unit& u : kUnits) {
    std::string_view suf = u.suffix;
    if (num.size() > suf.size() && num.substr(num.size() - suf.size()) == suf) {
      num.remove_suffix(suf.size());
      mul = u.mul;
      break;
    }
  }
  auto v = ParseInt(num);
  if (!v || *v < 0) return std::nullopt;
  return *v * mul;
}

std::optional<bool> ParseBool(std::string_view s) {
  std::string lower = ToLower(s);
  if (lower == "yes") return true;
  if (lower == "no") return false;
  return std::nullopt;
}

// A duration: plain seconds, or a number with a unit: ms, s, m, h, d.
std::optional<int64_t> ParseDuration(std::string_view s) {
  struct Unit {
    const char* suffix;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  for (const Unit& u : kUnits) {
    std::string_view suf = u.suffix;
    if (s.size() > suf.size() && s.substr(s.size() - suf.size()) == suf) {
      auto n = ParseInt(s.substr(0, s.size() - suf.size()));
      if (!n || *n < 0 || *n > INT64_MAX / u.ms) return std::nullopt;
      return *n * u.ms;
    }
  }
  auto n = ParseInt(s);
  if (!n || *n < 0 || *n > INT64_MAX / 1000) return std::nullopt;
  return *n * 1000;
}

// The shortest exact form: "0", "90s", "30m", "6h", "1d", or "<n>ms".
std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0";
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

ConfigError Need1(const std::vector<std::string>& v) {
  if (v.size() != 1) return "wrong number of arguments";
  return std::nullopt;
}

}  // namespace

ConfigTable::ConfigTable(Config* config) : config_(config) {
  Config* c = config_;
  auto int_directive = [this](std::string name, bool runtime, std::atomic<int64_t>* field,
                              int64_t min, int64_t max, bool memory) {
    directives_.push_back(
        {std::move(name), runtime,
         [field, min, max, memory](const std::vector<std::string>& v) -> ConfigError {
           if (auto e = Need1(v)) return e;
           auto n = memory ? ParseMemory(v[0]) : ParseInt(v[0]);
           if (!n) return "argument couldn't be parsed into an integer";
           if (*n < min || *n > max) {
             return "argument must be between " + std::to_string(min) + " and " +
                    std::to_string(max) + " inclusive";
           }
           field->store(*n);
           return std::nullopt;
         },
         [field] { return std::to_string(field->load()); }});
  };
  auto fixed_int = [this](std::string name, int* field, int min, int max) {
    directives_.push_back({std::move(name), false,
                           [field, min, max](const std::vector<std::string>& v) -> ConfigError {
                             if (auto e = Need1(v)) return e;
                             auto n = ParseInt(v[0]);
                             if (!n) return "argument couldn't be parsed into an integer";
                             if (*n < min || *n > max) {
                               return "argument must be between " + std::to_string(min) + " and " +
                                      std::to_string(max) + " inclusive";
                             }
                             *field = static_cast<int>(*n);
                             return std::nullopt;
                           },
                           [field] { return std::to_string(*field); }});
  };
  auto string_directive = [this](std::string name, bool runtime, std::string* field,
                                 std::function<ConfigError(const std::string&)> check) {
    directives_.push_back({std::move(name), runtime,
                           [this, field, check](const std::vector<std::string>& v) -> ConfigError {
                             if (auto e = Need1(v)) return e;
                             if (check) {
                               if (auto e = check(v[0])) return e;
                             }
                             std::lock_guard lock(mu_);
                             *field = v[0];
                             return std::nullopt;
                           },
                           [this, field] {
                             std::lock_guard lock(mu_);
                             return *field;
                           }});
  };

  // port and bind: mutable, a run-time change listens anew (the server's
  // apply checks, server/net/server.cc).
  directives_.push_back({"port", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto n = ParseInt(v[0]);
                           if (!n) return "argument couldn't be parsed into an integer";
                           if (*n < 0 || *n > 65535) {
                             return "argument must be between 0 and 65535 inclusive";
                           }
                           c->port.store(static_cast<int>(*n));
                           return std::nullopt;
                         },
                         [c] { return std::to_string(c->port.load()); }});
  fixed_int("tcp-backlog", &c->tcp_backlog, 0, 65535);
  fixed_int("databases", &c->databases, 1, 1024);
  fixed_int("io-threads", &c->io_threads, 0, 128);
  // A config file gives the addresses as arguments, CONFIG SET as one
  // space-separated value.
  directives_.push_back({"bind", true,
                         [this, c](const std::vector<std::string>& v) -> ConfigError {
                           std::vector<std::string> addrs;
                           for (const std::string& arg : v) {
                             std::istringstream in(arg);
                             for (std::string a; in >> a;) addrs.push_back(a);
                           }
                           if (addrs.empty()) return "wrong number of arguments";
                           if (addrs.size() > 16) return "Too many bind addresses specified.";
                           std::lock_guard lock(mu_);
                           c->bind = std::move(addrs);
                           return std::nullopt;
                         },
                         [this, c] {
                           std::lock_guard lock(mu_);
                           return absl::StrJoin(c->bind, " ");
                         }});
  // Fixed after start-up (config file, command line), as in Redis.
  directives_.push_back({"enable-protected-configs", false,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           const std::string value = ToLower(v[0]);
                           if (value == "no") {
                             c->enable_protected_configs = Config::ProtectedAction::kNo;
                           } else if (value == "yes") {
                             c->enable_protected_configs = Config::ProtectedAction::kYes;
                           } else if (value == "local") {
                             c->enable_protected_configs = Config::ProtectedAction::kLocal;
                           } else {
                             return "argument(s) must be one of the following: no, yes, local";
                           }
                           return std::nullopt;
                         },
                         [c] {
                           switch (c->enable_protected_configs) {
                             case Config::ProtectedAction::kYes:
                               return std::string("yes");
                             case Config::ProtectedAction::kLocal:
                               return std::string("local");
                             case Config::ProtectedAction::kNo:
                               break;
                           }
                           return std::string("no");
                         }});
  int_directive("timeout", true, &c->timeout_s, 0, INT32_MAX, false);
  int_directive("tcp-keepalive", true, &c->tcp_keepalive_s, 0, INT32_MAX, false);
  int_directive("maxclients", true, &c->maxclients, 1, INT32_MAX, false);
  // hz: any non-negative int is accepted and clamped to 1..500, as Redis does.
  directives_.push_back({"hz", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto n = ParseInt(v[0]);
                           if (!n) return "argument couldn't be parsed into an integer";
                           if (*n < 0 || *n > INT32_MAX) {
                             return "argument must be between 0 and 2147483647 inclusive";
                           }
                           c->hz.store(std::clamp<int64_t>(*n, 1, 500));
                           return std::nullopt;
                         },
                         [c] { return std::to_string(c->hz.load()); }});
  directives_.push_back({"maxmemory", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto n = ParseMemory(v[0]);
                           if (!n) return "argument must be a memory value";  // Redis's words
                           c->maxmemory.store(*n);
                           return std::nullopt;
                         },
                         [c] { return std::to_string(c->maxmemory.load()); }});
  directives_.push_back(
      {"maxmemory-policy", true,
       [c](const std::vector<std::string>& v) -> ConfigError {
         if (auto e = Need1(v)) return e;
         auto policy = store::ParseEvictionPolicy(ToLower(v[0]));
         if (!policy) {
           return "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                  "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                  "noeviction";
         }
         c->maxmemory_policy.store(static_cast<int>(*policy));
         return std::nullopt;
       },
       [c] {
         return std::string(store::EvictionPolicyName(
             static_cast<store::EvictionPolicy>(c->maxmemory_policy.load())));
       }});
  int_directive("maxmemory-samples", true, &c->maxmemory_samples, 1, INT32_MAX, false);
  int_directive("lfu-decay-time", true, &c->lfu_decay_time, 0, INT32_MAX, false);
  int_directive("lfu-log-factor", true, &c->lfu_log_factor, 0, INT32_MAX, false);
  // The encoding thresholds of the collection types live in the store (they
  // apply to every value of the type); a change here reaches it at once.
  // Each is an int directive whose setter then hands the type its limits.
  auto encoding_limit = [this, &int_directive](std::string name, std::atomic<int64_t>* field,
                                               int64_t min, int64_t max, bool memory,
                                               void (*apply)(const Config&)) {
    int_directive(std::move(name), true, field, min, max, memory);
    auto set = std::move(directives_.back().set);
    directives_.back().set = [set, apply, c = config_](const std::vector<std::string>& v) {
      ConfigError e = set(v);
      if (!e) apply(*c);
      return e;
    };
  };
  auto hash_limits = [](const Config& c) {
    store::HashObject::SetLimits(static_cast<size_t>(c.hash_max_listpack_entries.load()),
                                 static_cast<size_t>(c.hash_max_listpack_value.load()));
  };
  auto zset_limits = [](const Config& c) {
    store::ZSetObject::SetLimits(static_cast<size_t>(c.zset_max_listpack_entries.load()),
                                 static_cast<size_t>(c.zset_max_listpack_value.load()));
  };
  auto list_limits = [](const Config& c) {
    store::ListObject::SetLimits(c.list_max_listpack_size.load(), c.list_compress_depth.load());
  };
  auto set_limits = [](const Config& c) {
    store::SetObject::SetLimits(static_cast<size_t>(c.set_max_intset_entries.load()));
  };
  auto stream_limits = [](const Config& c) {
    store::StreamObject::SetLimits(static_cast<size_t>(c.stream_node_max_bytes.load()),
                                   static_cast<size_t>(c.stream_node_max_entries.load()));
  };
  encoding_limit("stream-node-max-bytes", &c->stream_node_max_bytes, 0, INT64_MAX, true,
                 stream_limits);
  encoding_limit("stream-node-max-entries", &c->stream_node_max_entries, 0, INT64_MAX, false,
                 stream_limits);
  // Redis's names, and the ziplist names of Redis 6 as aliases.
  for (const char* name : {"hash-max-listpack-entries", "hash-max-ziplist-entries"}) {
    encoding_limit(name, &c->hash_max_listpack_entries, 0, INT64_MAX, true, hash_limits);
  }
  for (const char* name : {"hash-max-listpack-value", "hash-max-ziplist-value"}) {
    encoding_limit(name, &c->hash_max_listpack_value, 0, INT64_MAX, true, hash_limits);
  }
  for (const char* name : {"zset-max-listpack-entries", "zset-max-ziplist-entries"}) {
    encoding_limit(name, &c->zset_max_listpack_entries, 0, INT64_MAX, true, zset_limits);
  }
  for (const char* name : {"zset-max-listpack-value", "zset-max-ziplist-value"}) {
    encoding_limit(name, &c->zset_max_listpack_value, 0, INT64_MAX, true, zset_limits);
  }
  // Redis takes any int for the list node size (clamped to -5..32768 where
  // it is used) and 0..INT_MAX for the depth.
  for (const char* name : {"list-max-listpack-size", "list-max-ziplist-size"}) {
    encoding_limit(name, &c->list_max_listpack_size, INT32_MIN, INT32_MAX, false, list_limits);
  }
  encoding_limit("list-compress-depth", &c->list_compress_depth, 0, INT32_MAX, false, list_limits);
  encoding_limit("set-max-intset-entries", &c->set_max_intset_entries, 0, INT64_MAX, false,
                 set_limits);
  int_directive("hll-sparse-max-bytes", true, &c->hll_sparse_max_bytes, 0, INT64_MAX, true);
  int_directive("proto-max-bulk-len", true, &c->proto_max_bulk_len, 1024 * 1024, INT64_MAX, true);
  int_directive("client-query-buffer-limit", true, &c->client_query_buffer_limit, 1024 * 1024,
                INT64_MAX, true);
  directives_.push_back({"protected-mode", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto b = ParseBool(v[0]);
                           if (!b) return "argument must be 'yes' or 'no'";
                           c->protected_mode.store(*b);
                           return std::nullopt;
                         },
                         [c] { return std::string(c->protected_mode.load() ? "yes" : "no"); }});
  string_directive("requirepass", true, &c->requirepass, nullptr);
  string_directive("aclfile", false, &c->aclfile, nullptr);
  int_directive("acllog-max-len", true, &c->acllog_max_len, 0, INT32_MAX, false);
  directives_.push_back(
      {"acl-pubsub-default", true,
       [c](const std::vector<std::string>& v) -> ConfigError {
         if (auto e = Need1(v)) return e;
         const std::string value = ToLower(v[0]);
         if (value != "allchannels" && value != "resetchannels") {
           return "argument(s) must be one of the following: allchannels, resetchannels";
         }
         c->acl_pubsub_default_all.store(value == "allchannels");
         return std::nullopt;
       },
       [c] {
         return std::string(c->acl_pubsub_default_all.load() ? "allchannels" : "resetchannels");
       }});
  directives_.push_back({"notify-keyspace-events", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto classes = ParseNotifyClasses(v[0]);
                           if (!classes)
                             return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
                           c->notify_keyspace_events.store(*classes);
                           return std::nullopt;
                         },
                         [c] { return NotifyClassesToString(c->notify_keyspace_events.load()); }});
  int_directive("slowlog-log-slower-than", true, &c->slowlog_log_slower_than, -1, INT64_MAX, false);
  int_directive("slowlog-max-len", true, &c->slowlog_max_len, 0, INT64_MAX, false);
  int_directive("latency-monitor-threshold", true, &c->latency_monitor_threshold_ms, 0, INT64_MAX,
                false);
  directives_.push_back({"latency-tracking", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto b = ParseBool(v[0]);
                           if (!b) return "argument must be 'yes' or 'no'";
                           c->latency_tracking.store(*b);
                           return std::nullopt;
                         },
                         [c] { return std::string(c->latency_tracking.load() ? "yes" : "no"); }});
  // Space-separated percentiles, in a config file as one or several
  // arguments, in CONFIG SET as one; empty is allowed (no percentiles).
  directives_.push_back(
      {"latency-tracking-info-percentiles", true,
       [this, c](const std::vector<std::string>& v) -> ConfigError {
         std::vector<double> values;
         for (const std::string& arg : v) {
           std::istringstream in(arg);
           for (std::string w; in >> w;) {
             char* end = nullptr;
             errno = 0;
             const double d = std::strtod(w.c_str(), &end);
             if (end != w.c_str() + w.size() || errno == ERANGE || std::isnan(d) ||
                 std::isspace(static_cast<unsigned char>(w[0]))) {
               return "Invalid latency-tracking-info-percentiles parameters";
             }
             if (d < 0.0 || d > 100.0) {
               return "latency-tracking-info-percentiles parameters should sit between "
                      "[0.0,100.0]";
             }
             values.push_back(d);
           }
         }
         std::lock_guard lock(mu_);
         c->latency_tracking_info_percentiles = std::move(values);
         return std::nullopt;
       },
       [this, c] {
         std::lock_guard lock(mu_);
         std::string out;
         for (double d : c->latency_tracking_info_percentiles) {
           if (!out.empty()) out += ' ';
           out += TrimmedDouble(d);
         }
         return out;
       }});
  int_directive("tracking-table-max-keys", true, &c->tracking_table_max_keys, 0, INT64_MAX, false);
  for (const char* name : {"busy-reply-threshold", "lua-time-limit"}) {
    int_directive(name, true, &c->busy_reply_threshold_ms, 0, INT64_MAX, false);
  }
  // "normal <hard> <soft> <seconds> [replica|slave|pubsub ...]": in a config
  // file as separate arguments, in CONFIG SET as one; classes not named keep
  // their limits.
  directives_.push_back(
      {"client-output-buffer-limit", true,
       [c](const std::vector<std::string>& v) -> ConfigError {
         std::vector<std::string> words;
         for (const std::string& arg : v) {
           std::istringstream in(arg);
           for (std::string w; in >> w;) words.push_back(w);
         }
         if (words.empty() || words.size() % 4 != 0) {
           return "Wrong number of arguments in buffer limit configuration.";
         }
         struct Parsed {
           int cls;
           int64_t hard, soft, seconds;
         };
         std::vector<Parsed> parsed;
         for (size_t i = 0; i < words.size(); i += 4) {
           std::string cls = ToLower(words[i]);
           int index = cls == "normal"                      ? Config::kNormalClients
                       : cls == "slave" || cls == "replica" ? Config::kReplicaClients
                       : cls == "pubsub"                    ? Config::kPubSubClients
                                                            : -1;
           if (index < 0) return "Invalid client class specified in buffer limit configuration.";
           auto hard = ParseMemory(words[i + 1]);
           auto soft = ParseMemory(words[i + 2]);
           auto seconds = ParseInt(words[i + 3]);
           if (!hard || !soft || !seconds || *seconds < 0) {
             return "Error in hard, soft or soft_seconds setting in buffer limit "
                    "configuration.";
           }
           parsed.push_back({index, *hard, *soft, *seconds});
         }
         for (const Parsed& p : parsed) {
           Config::OutputBufferLimit& limit = c->output_buffer_limits[p.cls];
           limit.hard.store(p.hard);
           limit.soft.store(p.soft);
           limit.soft_seconds.store(p.seconds);
         }
         return std::nullopt;
       },
       [c] {
         static const char* kNames[] = {"normal", "slave", "pubsub"};
         std::string out;
         for (int i = 0; i < 3; ++i) {
           const Config::OutputBufferLimit& limit = c->output_buffer_limits[i];
           if (i > 0) out += ' ';
           out += std::string(kNames[i]) + " " + std::to_string(limit.hard.load()) + " " +
                  std::to_string(limit.soft.load()) + " " +
                  std::to_string(limit.soft_seconds.load());
         }
         return out;
       }});
  // dir and dbfilename are PROTECTED in Redis 7.0; stashd keeps them fixed
  // even when enable-protected-configs allows them (RuntimeRefusal): the
  // write log in dir continues the snapshot there, so moving either while
  // serving would split one history over two places.
  string_directive("dir", false, &c->dir, [](const std::string& s) -> ConfigError {
    if (s.empty()) return "directory name cannot be empty";
    return std::nullopt;
  });
  string_directive("dbfilename", false, &c->dbfilename, [](const std::string& s) -> ConfigError {
    if (s.empty() || s.find('/') != std::string::npos) {
      return "dbfilename can't be a path, just a filename";
    }
    return std::nullopt;
  });
  for (Directive& d : directives_) {
    if (d.name == "dir" || d.name == "dbfilename") d.protected_config = true;
  }
  string_directive("logfile", false, &c->logfile, nullptr);
  // The scope directives are fixed after start-up and hidden from CONFIG GET
  // patterns (asked by name, CONFIG GET answers them): tools that walk
  // CONFIG GET * setting each value back know only Redis's fixed configs.
  const size_t first_scope_directive = directives_.size();
  for (Config::Scope& scope : c->scopes) {
    Config::Scope* sc = &scope;
    const std::string base = "scope-" + scope.name + "-";
    directives_.push_back({base + "prefix", false,
                           [sc](const std::vector<std::string>& v) -> ConfigError {
                             if (auto e = Need1(v)) return e;
                             if (v[0].empty()) return "the prefix cannot be empty";
                             sc->prefix = v[0];
                             return std::nullopt;
                           },
                           [sc] { return sc->prefix; }});
    directives_.push_back({base + "default-ttl", false,
                           [sc](const std::vector<std::string>& v) -> ConfigError {
                             if (auto e = Need1(v)) return e;
                             auto ms = ParseDuration(v[0]);
                             if (!ms) {
                               return "argument must be a duration such as 0, 3600, 30m, 6h or 1d";
                             }
                             sc->default_ttl_ms = *ms;
                             return std::nullopt;
                           },
                           [sc] { return FormatDuration(sc->default_ttl_ms); }});
    directives_.push_back({base + "max-value-size", false,
                           [sc](const std::vector<std::string>& v) -> ConfigError {
                             if (auto e = Need1(v)) return e;
                             auto n = ParseMemory(v[0]);
                             if (!n)
                               return "argument must be a memory value such as 0, 4096 or 1mb";
                             sc->max_value_size = *n;
                             return std::nullopt;
                           },
                           [sc] { return std::to_string(sc->max_value_size); }});
  }
  for (size_t i = first_scope_directive; i < directives_.size(); ++i) directives_[i].hidden = true;
  string_directive("loglevel", true, &c->loglevel, [](const std::string& s) -> ConfigError {
    static const char* kLevels[] = {"debug", "verbose", "notice", "warning", "nothing"};
    for (const char* l : kLevels) {
      if (ToLower(s) == l) return std::nullopt;
    }
    // Redis 7.0's wording; "nothing" (Redis 7.2) is accepted too.
    return "argument(s) must be one of the following: debug, verbose, notice, warning";
  });

  directives_.push_back({"daemonize", false,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto b = ParseBool(v[0]);
                           if (!b) return "argument must be 'yes' or 'no'";
                           c->daemonize = *b;
                           return std::nullopt;
                         },
                         [c] { return std::string(c->daemonize ? "yes" : "no"); }});
  // No replication: "no one" (a master, the only role stashd has) and ""
  // are accepted, a master address refused. CONFIG GET shows "" as a Redis
  // master does.
  for (const char* name : {"replicaof", "slaveof"}) {
    directives_.push_back(
        {name, false,
         [](const std::vector<std::string>& v) -> ConfigError {
           if (v.size() == 1 && v[0].empty()) return std::nullopt;  // as CONFIG REWRITE writes it
           if (v.size() != 2) return "wrong number of arguments";
           if (ToLower(v[0]) == "no" && ToLower(v[1]) == "one") return std::nullopt;
           return "stashd has no replication: it cannot be a replica (only 'no one')";
         },
         [] { return std::string(); }});
  }
  // Kept for CONFIG GET and INFO repl_backlog_size; smaller values are raised
  // to Redis's minimum, 16384.
  directives_.push_back({"repl-backlog-size", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           auto n = ParseMemory(v[0]);
                           if (!n) return "argument must be a memory value";
                           c->repl_backlog_size.store(std::max<int64_t>(*n, 16 * 1024));
                           return std::nullopt;
                         },
                         [c] { return std::to_string(c->repl_backlog_size.load()); }});
  // A memory value, or a percentage of maxmemory ("10%", kept as -10).
  directives_.push_back({"maxmemory-clients", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           std::string_view arg = v[0];
                           if (!arg.empty() && arg.back() == '%') {
                             auto pct = ParseInt(arg.substr(0, arg.size() - 1));
                             if (!pct || *pct < 0) {
                               return "argument must be a memory or percent value";
                             }
                             if (*pct > 100)
                               return "percentage argument must be less or equal to 100";
                             c->maxmemory_clients.store(-*pct);
                             return std::nullopt;
                           }
                           auto n = ParseMemory(arg);
                           if (!n) return "argument must be a memory or percent value";
                           c->maxmemory_clients.store(*n);
                           return std::nullopt;
                         },
                         [c] {
                           const int64_t n = c->maxmemory_clients.load();
                           return n < 0 ? std::to_string(-n) + "%" : std::to_string(n);
                         }});
  int_directive("key-load-delay", true, &c->key_load_delay_us, INT32_MIN, INT32_MAX, false);
  directives_.back().hidden = true;

  // Persistence
  auto bool_directive = [this](std::string name, std::atomic<bool>* field) {
    directives_.push_back({std::move(name), true,
                           [field](const std::vector<std::string>& v) -> ConfigError {
                             if (auto e = Need1(v)) return e;
                             auto b = ParseBool(v[0]);
                             if (!b) return "argument must be 'yes' or 'no'";
                             field->store(*b);
                             return std::nullopt;
                           },
                           [field] { return std::string(field->load() ? "yes" : "no"); }});
  };
  // CONFIG SET save "3600 1 300 100" replaces the rules; config-file lines
  // (`save 3600 1`, several values) add to each other, the first one
  // replacing the defaults, as in redis.conf.
  directives_.push_back({"save", true,
                         [this, c](const std::vector<std::string>& v) -> ConfigError {
                           if (v.empty()) return "wrong number of arguments";
                           std::vector<std::string> tokens;
                           for (const std::string& arg : v) {
                             std::istringstream in(arg);
                             for (std::string t; in >> t;) tokens.push_back(t);
                           }
                           if (tokens.size() % 2 != 0) return "Invalid save parameters";
                           for (const std::string& t : tokens) {
                             auto n = ParseInt(t);
                             if (!n || *n < 0) return "Invalid save parameters";
                           }
                           std::string joined = absl::StrJoin(tokens, " ");
                           std::lock_guard lock(mu_);
                           if (v.size() > 1 && c->save_set_at_startup && !c->save.empty() &&
                               !joined.empty()) {
                             c->save += " " + joined;
                           } else {
                             c->save = joined;
                           }
                           if (v.size() > 1) c->save_set_at_startup = true;
                           return std::nullopt;
                         },
                         [this, c] {
                           std::lock_guard lock(mu_);
                           return c->save;
                         }});
  bool_directive("appendonly", &c->appendonly);
  directives_.push_back({"appendfsync", true,
                         [c](const std::vector<std::string>& v) -> ConfigError {
                           if (auto e = Need1(v)) return e;
                           static const char* kPolicies[] = {"always", "everysec", "no"};
                           for (int i = 0; i < 3; ++i) {
                             if (ToLower(v[0]) == kPolicies[i]) {
                               c->appendfsync.store(i);
                               return std::nullopt;
                             }
                           }
                           return "argument(s) must be one of the following: everysec, always, no";
                         },
                         [c] {
                           static const char* kPolicies[] = {"always", "everysec", "no"};
                           return std::string(kPolicies[c->appendfsync.load()]);
                         }});
  string_directive("appendfilename", false, &c->appendfilename,
                   [](const std::string& s) -> ConfigError {
                     if (s.empty() || s.find('/') != std::string::npos) {
                       return "appendfilename can't be a path, just a filename";
                     }
                     return std::nullopt;
                   });
  string_directive("appenddirname", false, &c->appenddirname,
                   [](const std::string& s) -> ConfigError {
                     if (s.empty() || s.find('/') != std::string::npos) {
                       return "appenddirname can't be a path, just a dirname";
                     }
                     return std::nullopt;
                   });
  bool_directive("stop-writes-on-bgsave-error", &c->stop_writes_on_bgsave_error);
  bool_directive("rdbcompression", &c->rdbcompression);
  int_directive("auto-aof-rewrite-percentage", true, &c->auto_aof_rewrite_percentage, 0, INT32_MAX,
                false);
  int_directive("auto-aof-rewrite-min-size", true, &c->auto_aof_rewrite_min_size, 0, INT64_MAX,
                true);
}

const ConfigTable::Directive* ConfigTable::FindDirective(std::string_view name) const {
  std::string lower = ToLower(name);
  for (const Directive& d : directives_) {
    if (d.name == lower) return &d;
  }
  return nullptr;
}

void ConfigTable::AddApplyCheck(std::string_view name, std::function<ConfigError()> fn) {
  apply_checks_[ToLower(name)] = std::move(fn);
}

bool ConfigTable::Known(std::string_view name) const { return FindDirective(name) != nullptr; }

ConfigError ConfigTable::Set(std::string_view name, const std::vector<std::string>& values,
                             bool at_startup) {
  const Directive* d = FindDirective(name);
  if (d == nullptr)
    return "Unknown option or number of arguments for CONFIG SET - '" + std::string(name) + "'";
  if (!at_startup && !d->mutable_at_runtime) return std::string(errors::kConfigImmutable);
  auto check = at_startup ? apply_checks_.end() : apply_checks_.find(d->name);
  std::string old_value;
  if (check != apply_checks_.end()) old_value = d->get();
  if (auto e = d->set(values)) return e;
  if (check != apply_checks_.end()) {
    if (ConfigError e = check->second()) {
      d->set({old_value});
      return e;
    }
  }
  if (!at_startup) {
    for (const auto& listener : on_change_) listener(d->name);
  }
  return std::nullopt;
}

ConfigError ConfigTable::RuntimeRefusal(std::string_view name, bool local_client) const {
  const Directive* d = FindDirective(name);
  if (d == nullptr) return std::nullopt;
  if (d->protected_config) {
    const Config::ProtectedAction allowed = config_->enable_protected_configs;
    if (allowed == Config::ProtectedAction::kNo ||
        (allowed == Config::ProtectedAction::kLocal && !local_client)) {
      return std::string(errors::kConfigProtected);
    }
    if (!d->mutable_at_runtime) return std::string(errors::kConfigProtectedFixed);
  }
  if (!d->mutable_at_runtime) return std::string(errors::kConfigImmutable);
  return std::nullopt;
}

std::vector<std::string> ConfigTable::bind() const {
  std::lock_guard lock(mu_);
  return config_->bind;
}

std::optional<std::string> ConfigTable::Get(std::string_view name) const {
  const Directive* d = FindDirective(name);
  if (d == nullptr) return std::nullopt;
  return d->get();
}

std::vector<std::string> ConfigTable::Match(std::string_view pattern) const {
  std::vector<std::string> out;
  for (const Directive& d : directives_) {
    if (!d.hidden && store::GlobMatch(pattern, d.name, /*nocase=*/true)) out.push_back(d.name);
  }
  return out;
}

std::vector<std::string> ConfigTable::Names() const {
  std::vector<std::string> out;
  out.reserve(directives_.size());
  for (const Directive& d : directives_) out.push_back(d.name);
  return out;
}

std::vector<double> ConfigTable::latency_percentiles() const {
  std::lock_guard lock(mu_);
  return config_->latency_tracking_info_percentiles;
}

std::string ConfigTable::requirepass() const {
  std::lock_guard lock(mu_);
  return config_->requirepass;
}

ConfigError ConfigTable::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot open config file '" + path + "': " + std::strerror(errno);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string_view sv = line;
    while (!sv.empty() && std::isspace(static_cast<unsigned char>(sv.front()))) sv.remove_prefix(1);
    while (!sv.empty() && std::isspace(static_cast<unsigned char>(sv.back()))) sv.remove_suffix(1);
    if (sv.empty() || sv[0] == '#') continue;
    auto where = [&] { return path + ":" + std::to_string(lineno) + ": "; };
    auto args = protocol::SplitArgs(sv);
    if (!args) return where() + "unbalanced quotes in configuration line";
    if (args->empty()) continue;
    std::string name = ToLower((*args)[0]);
    std::vector<std::string> values(args->begin() + 1, args->end());
    if (!Known(name)) return where() + "unknown directive '" + name + "'";
    if (auto e = Set(name, values, /*at_startup=*/true)) {
      return where() + "'" + name + "': " + *e;
    }
  }
  return std::nullopt;
}

ConfigError ConfigTable::ParseCommandLine(int argc, char** argv, bool* show_help,
                                          bool* show_version) {
  *show_help = false;
  *show_version = false;
  int i = 1;
  if (i < argc) {
    std::string_view first = argv[i];
    if (first == "--help" || first == "-h") {
      *show_help = true;
      return std::nullopt;
    }
    if (first == "--version" || first == "-v") {
      *show_version = true;
      return std::nullopt;
    }
    if (first.substr(0, 2) != "--") {
      if (auto e = LoadFile(std::string(first))) return e;
      // Absolute, as Redis keeps it: CONFIG REWRITE and INFO use it.
      std::error_code ec;
      std::filesystem::path absolute = std::filesystem::absolute(std::string(first), ec);
      config_->config_file = ec ? std::string(first) : absolute.lexically_normal().string();
      ++i;
    }
  }
  while (i < argc) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--" || arg.size() == 2) {
      return "unexpected argument '" + std::string(arg) +
             "' (directives are given as --name value)";
    }
    std::string name = ToLower(arg.substr(2));
    if (name == "help") {
      *show_help = true;
      return std::nullopt;
    }
    if (name == "version") {
      *show_version = true;
      return std::nullopt;
    }
    std::vector<std::string> values;
    ++i;
    while (i < argc && std::string_view(argv[i]).substr(0, 2) != "--")
      values.emplace_back(argv[i++]);
    if (!Known(name)) return "unknown directive '--" + name + "'";
    if (auto e = Set(name, values, /*at_startup=*/true)) {
      return "directive '--" + name + "': " + *e;
    }
  }
  // Scope prefixes must not overlap, or a key would belong to two scopes.
  for (const Config::Scope& a : config_->scopes) {
    for (const Config::Scope& b : config_->scopes) {
      if (&a != &b && b.prefix.compare(0, a.prefix.size(), a.prefix) == 0) {
        return "scope-" + b.name + "-prefix '" + b.prefix + "' starts with scope-" + a.name +
               "-prefix '" + a.prefix + "': scope prefixes must not overlap";
      }
    }
  }
  return std::nullopt;
}

}  // namespace stashd::server
