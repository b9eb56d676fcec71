#include "server/server_state.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "server/acl/acl.h"
#include "server/net/open_files.h"
#include "server/scripting/script_engine.h"

namespace stashd::server {

void ClientRegistry::Add(ClientState* c, std::function<void()> close) {
  std::lock_guard lock(mu_);
  clients_.push_back({c, std::move(close)});
  by_id_[c->id] = c;
}

void ClientRegistry::Remove(ClientState* c) {
  std::lock_guard lock(mu_);
  auto it =
      std::find_if(clients_.begin(), clients_.end(), [c](const Entry& e) { return e.state == c; });
  if (it != clients_.end()) {
    *it = std::move(clients_.back());
    clients_.pop_back();
  }
  auto jt = by_id_.find(c->id);
  if (jt != by_id_.end() && jt->second == c) by_id_.erase(jt);
}

bool ClientRegistry::WithClient(uint64_t id, absl::FunctionRef<void(ClientState&)> fn) const {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second->closing.load(std::memory_order_relaxed)) return false;
  fn(*it->second);
  return true;
}

size_t ClientRegistry::size() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

void ClientRegistry::ForEach(
    const std::function<void(ClientState&, const std::function<void()>&)>& fn) const {
  std::lock_guard lock(mu_);
  std::vector<const Entry*> sorted;
  sorted.reserve(clients_.size());
  for (const Entry& e : clients_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(),
            [](const Entry* a, const Entry* b) { return a->state->id < b->state->id; });
  for (const Entry* e : sorted) fn(*e->state, e->close);
}

namespace {
std::string RandomHex(size_t n) {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(n, '0');
  for (char& c : s) c = kHex[gen() % 16];
  return s;
}
}  // namespace

ServerState::ServerState(const store::Clock* clock, std::unique_ptr<Config> config)
    : clock_(clock),
      config_(std::move(config)),
      config_table_(config_.get()),
      start_ms_(clock->NowMs()),
      run_id_(RandomHex(40)) {
  store::Keyspace::Options opts;
  opts.databases = config_->databases;
  opts.clock = clock_;
  for (const Config::Scope& sc : config_->scopes) {
    opts.scopes.push_back(
        {sc.name, sc.prefix, sc.default_ttl_ms, static_cast<uint64_t>(sc.max_value_size)});
  }
  // A secret key for the key hash (see Keyspace::HashKey); a snapshot
  // written with another one brings its own at load.
  std::random_device random;
  opts.hash_seed = {(uint64_t{random()} << 32) | random(), (uint64_t{random()} << 32) | random()};
  keyspace_ = std::make_unique<store::Keyspace>(opts);
  keyspace_->SetKeyEventListener(&notifier_);
  tracking_ = std::make_unique<ClientTracking>(
      *keyspace_,
      [this](uint64_t id, absl::FunctionRef<void(ClientState&)> fn) {
        return clients_.WithClient(id, fn);
      },
      config_->tracking_table_max_keys);
  RegisterAllCommands(commands_);
  for (const auto& [name, spec] : commands_.all()) {
    spec.stats = (command_stats_[&spec] = std::make_unique<CommandStats>()).get();
    for (const CommandSpec& sub : spec.subcommands) {
      sub.stats = (command_stats_[&sub] = std::make_unique<CommandStats>()).get();
    }
  }
  dispatcher_ = NewDispatcher(*this);
  // requirepass is the default user's password, at start-up and after
  // CONFIG SET (Redis's ACLUpdateDefaultUserPassword).
  acl_ = std::make_unique<Acl>(commands_);
  acl_->UsePubSubDefault(&config_->acl_pubsub_default_all);
  scripts_ = std::make_unique<ScriptEngine>();
  acl_->SetDefaultPassword(config_table_.requirepass());
  // CONFIG SET maxclients: refused, as in Redis, when the open-files limit
  // cannot be raised to hold that many clients (the message says how many
  // fit); otherwise the limit is raised now.
  config_table_.AddApplyCheck("maxclients", [this]() -> ConfigError {
    OpenFilesFit fit = FitOpenFilesLimit(config_->maxclients.load());
    if (fit.warning.empty()) return std::nullopt;
    spdlog::warn("{}", fit.warning);
    return "The operating system is not able to handle the specified number of clients, try "
           "with " +
           std::to_string(fit.maxclients);
  });
  config_table_.AddChangeListener([this](std::string_view name) {
    if (name == "requirepass") acl_->SetDefaultPassword(config_table_.requirepass());
    if (name == "maxmemory-policy" || name == "lfu-log-factor" || name == "lfu-decay-time") {
      ApplyAccessPolicy();
    }
    if (name == "maxmemory") evict_now_.store(true, std::memory_order_relaxed);
  });
  ApplyAccessPolicy();
}

ServerState::~ServerState() = default;

void ServerState::ApplyAccessPolicy() {
  const auto policy = static_cast<store::EvictionPolicy>(config_->maxmemory_policy.load());
  keyspace_->SetAccessPolicy({.lfu = store::IsLfuPolicy(policy),
                              .lfu_log_factor = config_->lfu_log_factor.load(),
                              .lfu_decay_time = config_->lfu_decay_time.load()});
}

void ServerStats::SampleInstantaneous(int64_t now_ms) {
  std::lock_guard lock(instantaneous_mu_);
  const int64_t elapsed_ms = now_ms - last_sample_ms_;
  const bool first = last_sample_ms_ == 0;
  if (!first && elapsed_ms < 100) return;
  auto sample = [&](RateSamples& r, uint64_t value, double per_second_unit) {
    if (!first && elapsed_ms > 0) {
      const uint64_t delta = value >= r.last_value ? value - r.last_value : 0;  // after RESETSTAT
      r.samples[next_sample_] =
          static_cast<double>(delta) * 1000.0 / static_cast<double>(elapsed_ms) / per_second_unit;
    }
    r.last_value = value;
  };
  sample(ops_, total_commands_processed.load(), 1);
  sample(input_, total_net_input_bytes.load(), 1024);
  sample(output_, total_net_output_bytes.load(), 1024);
  if (!first) next_sample_ = (next_sample_ + 1) % kInstantaneousSamples;
  last_sample_ms_ = now_ms;
}

ServerStats::Instantaneous ServerStats::InstantaneousMetrics() const {
  std::lock_guard lock(instantaneous_mu_);
  auto mean = [](const RateSamples& r) {
    double sum = 0;
    for (double v : r.samples) sum += v;
    return sum / kInstantaneousSamples;
  };
  return {mean(ops_), mean(input_), mean(output_)};
}

void ServerStats::NoteClientBuffers(int64_t now_ms, uint64_t input, uint64_t output) {
  const int64_t second = now_ms / 1000;
  std::lock_guard lock(peaks_mu_);
  BufferPeak& slot = buffer_peaks_[static_cast<size_t>(second) % kRecentSeconds];
  if (slot.second != second) slot = {second, 0, 0};
  slot.input = std::max(slot.input, input);
  slot.output = std::max(slot.output, output);
  last_peak_second_ = std::max(last_peak_second_, second);
}

std::pair<uint64_t, uint64_t> ServerStats::RecentMaxClientBuffers() const {
  std::lock_guard lock(peaks_mu_);
  uint64_t input = 0;
  uint64_t output = 0;
  for (const BufferPeak& slot : buffer_peaks_) {
    if (slot.second < 0 || slot.second + static_cast<int64_t>(kRecentSeconds) <= last_peak_second_)
      continue;
    input = std::max(input, slot.input);
    output = std::max(output, slot.output);
  }
  return {input, output};
}

void ServerStats::CountErrorReply(std::string_view error) {
  total_error_replies.fetch_add(1, std::memory_order_relaxed);
  if (!error.empty() && error[0] == '-') error.remove_prefix(1);
  error = error.substr(0, error.find('\r'));
  std::string_view code = "ERR";
  const size_t space = error.substr(0, 31).find(' ');
  if (space != std::string_view::npos) code = error.substr(0, space);
  std::lock_guard lock(errors_mu_);
  auto it = error_counts_.find(code);
  if (it == error_counts_.end()) {
    if (error_counts_.size() >= kMaxErrorCodes) return;
    it = error_counts_.emplace(std::string(code), 0).first;
  }
  ++it->second;
}

std::vector<std::pair<std::string, uint64_t>> ServerStats::ErrorCounts() const {
  std::lock_guard lock(errors_mu_);
  return {error_counts_.begin(), error_counts_.end()};
}

void ServerStats::ResetErrorCounts() {
  std::lock_guard lock(errors_mu_);
  error_counts_.clear();
}

CommandStats& ServerState::command_stats(const CommandSpec* spec) { return *spec->stats; }

}  // namespace stashd::server
