// stashd: a Redis-protocol storage server for chatbots.
//
//   stashd [config-file] [--directive value ...]
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/log_reader.h"
#include "persistence/snapshot.h"
#include "server/acl/acl.h"
#include "server/config/config.h"
#include "server/config/logging.h"
#include "server/durability/persistence.h"
#include "server/net/open_files.h"
#include "server/net/server.h"
#include "server/net/systemd_notify.h"
#include "server/scripting/function_store.h"
#include "server/scripting/script_engine.h"
#include "server/server_state.h"
#include "store/clock.h"

namespace {

constexpr char kUsage[] =
    "Usage: stashd [/path/to/stashd.conf] [--directive value ...]\n"
    "       stashd --version\n"
    "       stashd --help\n"
    "       stashd --test-config /path/to/stashd.conf [--directive value ...]\n"
    "                                            (check a config file, and its aclfile, and exit:\n"
    "                                            status 0 if valid, 1 with the error if not)\n"
    "       stashd --check-log FILE [--repair]   (check a write log file; --repair cuts\n"
    "                                            it after its last intact record)\n"
    "       stashd --check-snapshot FILE         (verify every row checksum of a snapshot;\n"
    "                                            status 0 if intact, 1 listing damaged rows)\n"
    "\n"
    "Options (anywhere on the command line):\n"
    "       --ignore-missing-snapshot   start even though the snapshot or write log\n"
    "                                   files the data needs are missing (the snapshot is\n"
    "                                   gone or empty, older than the log, or a log file\n"
    "                                   between others is gone; normally a refusal naming\n"
    "                                   the files): only what the files hold is loaded\n"
    "\n"
    "Examples:\n"
    "       stashd                         (built-in defaults: port 6379, data in ./data)\n"
    "       stashd --port 7000 --bind 127.0.0.1\n"
    "       stashd /etc/stashd/stashd.conf --loglevel verbose\n"
    "\n"
    "Directives use redis.conf names (port, bind, dir, databases, io-threads,\n"
    "requirepass, ...); see conf/stashd.conf for every one of them.\n";

// `stashd --test-config FILE [--directive value ...]`: parses the file (and
// the ACL file it names) as start-up would, without starting.
int TestConfig(int argc, char** argv) {
  if (argc < 3) {
    std::fputs("Usage: stashd --test-config /path/to/stashd.conf [--directive value ...]\n",
               stderr);
    return 2;
  }
  std::vector<char*> args = {argv[0]};
  args.insert(args.end(), argv + 2, argv + argc);
  stashd::server::Config config;
  stashd::server::ConfigTable table(&config);
  bool help = false;
  bool version = false;
  if (auto err =
          table.ParseCommandLine(static_cast<int>(args.size()), args.data(), &help, &version)) {
    std::fprintf(stderr, "stashd: %s\n", err->c_str());
    return 1;
  }
  if (!config.aclfile.empty()) {
    stashd::server::CommandRegistry registry;
    stashd::server::RegisterAllCommands(registry);
    stashd::server::Acl acl(registry);
    if (auto err = acl.CheckFile(config.aclfile)) {
      std::fprintf(stderr, "stashd: aclfile: %s\n", err->c_str());
      return 1;
    }
  }
  std::printf("stashd: configuration file %s is OK\n", argv[2]);
  return 0;
}

// `stashd --check-log FILE [--repair]`, like redis-check-aof.
int CheckLog(int argc, char** argv) {
  bool repair = argc == 4 && std::string_view(argv[3]) == "--repair";
  if (argc != 3 && !repair) {
    std::fputs("Usage: stashd --check-log FILE [--repair]\n", stderr);
    return 2;
  }
  std::string report;
  auto status = stashd::persistence::CheckLogFile(argv[2], repair, &report);
  std::fputs(report.c_str(), status.ok() ? stdout : stderr);
  return status.ok() ? 0 : 1;
}

// `stashd --check-snapshot FILE`: reads every row and checks its checksum.
int CheckSnapshot(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("Usage: stashd --check-snapshot FILE\n", stderr);
    return 2;
  }
  stashd::persistence::SnapshotCheck check;
  auto status = stashd::persistence::VerifySnapshot(argv[2], "", &check);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.message().c_str());
    return 1;
  }
  for (const std::string& line : check.damaged) std::fprintf(stderr, "damaged: %s\n", line.c_str());
  std::printf("%s: snapshot format %d, %llu rows, %llu intact keys, %zu damaged\n", argv[2],
              check.meta.format_version, static_cast<unsigned long long>(check.rows),
              static_cast<unsigned long long>(check.keys), check.damaged.size());
  return check.damaged.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace stashd;
  if (argc >= 2 && std::string_view(argv[1]) == "--check-log") return CheckLog(argc, argv);
  if (argc >= 2 && std::string_view(argv[1]) == "--check-snapshot") {
    return CheckSnapshot(argc, argv);
  }
  if (argc >= 2 && std::string_view(argv[1]) == "--test-config") return TestConfig(argc, argv);
  // Start-up flags that are not directives.
  bool ignore_missing_snapshot = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::string_view(argv[i]) == "--ignore-missing-snapshot") {
      ignore_missing_snapshot = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  argc = static_cast<int>(args.size());
  args.push_back(nullptr);
  argv = args.data();
  auto config = std::make_unique<server::Config>();
  {
    server::ConfigTable table(config.get());
    bool help = false;
    bool version = false;
    if (auto err = table.ParseCommandLine(argc, argv, &help, &version)) {
      std::fprintf(stderr, "stashd: %s\n", err->c_str());
      std::fprintf(stderr, "Run 'stashd --help' for usage.\n");
      return 1;
    }
    if (help) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (version) {
      std::printf("stashd v=%s\n", STASHD_VERSION);
      return 0;
    }
  }

  if (config->daemonize) {
    // As redis-server: the parent exits at once, the child goes on in a new
    // session with its standard streams on /dev/null (a log without a
    // logfile goes nowhere). Before any thread is started.
    const pid_t pid = fork();
    if (pid < 0) {
      std::fprintf(stderr, "stashd: can't daemonize: %s\n", std::strerror(errno));
      return 1;
    }
    if (pid > 0) return 0;
    setsid();
    if (int fd = open("/dev/null", O_RDWR); fd != -1) {
      dup2(fd, STDIN_FILENO);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      if (fd > STDERR_FILENO) close(fd);
    }
  }
  if (auto err = server::SetUpLogging(config->logfile, config->loglevel)) {
    std::fprintf(stderr, "stashd: %s\n", err->c_str());
    return 1;
  }
  if (server::OpenFilesFit fit = server::FitOpenFilesLimit(config->maxclients.load());
      !fit.warning.empty()) {
    // As Redis: below the reserve the server cannot start; else it serves
    // fewer clients than asked.
    if (fit.maxclients < 1) {
      spdlog::critical("{}", fit.warning);
      return 1;
    }
    spdlog::warn("{}", fit.warning);
    config->maxclients.store(fit.maxclients);
  }

  std::error_code ec;
  std::filesystem::create_directories(config->dir, ec);
  if (ec) {
    spdlog::critical("Can't create the data directory '{}': {}", config->dir, ec.message());
    return 1;
  }
  config->dir = std::filesystem::absolute(config->dir).lexically_normal().string();
  if (!config->dir.empty() && config->dir.size() > 1 && config->dir.back() == '/') {
    config->dir.pop_back();
  }

  // systemd (Type=notify): STATUS= while loading, READY=1 once clients are
  // served, STOPPING=1 at shutdown. Nothing outside systemd.
  server::SystemdNotifier systemd;
  auto fail = [&systemd](const std::string& what) {
    spdlog::critical("{}", what);
    systemd.Status("Failed to start: " + what);
    return 1;
  };

  store::SystemClock clock;
  server::ServerState state(&clock, std::move(config));
  state.set_executable(std::filesystem::absolute(argv[0]).string());
  state.config_table().AddChangeListener([&state](std::string_view name) {
    if (name == "loglevel") {
      server::SetLogLevel(state.config_table().Get("loglevel").value_or("notice"));
    }
  });
  spdlog::info("stashd {} starting, pid={}, config file: {}", STASHD_VERSION, getpid(),
               state.config().config_file.empty() ? "(none, built-in defaults)"
                                                  : state.config().config_file);
  // The ACL file's users replace the built-in ones (and so the default
  // user's requirepass), as in Redis.
  if (const std::string& aclfile = state.config().aclfile; !aclfile.empty()) {
    if (auto err = state.acl().LoadFile(aclfile)) {
      return fail("Aborting startup because of errors in the ACL file (aclfile " + aclfile +
                  "): " + *err);
    }
    spdlog::info("ACL users loaded from {}", aclfile);
  }
  server::Server srv(state);
  state.request_shutdown = [&srv] { srv.Stop(); };
  if (auto err = srv.Listen()) {
    return fail(*err + " (check 'bind' and 'port', and that no other server uses the port)");
  }
  spdlog::info("Listening on port {} ({}), data directory {}", srv.port(),
               state.config_table().Get("bind").value_or(""), state.config().dir);
  if (state.config().protected_mode.load() && state.acl().DefaultUserHasNoPassword()) {
    spdlog::info(
        "Protected mode is on and the default user has no password: only clients on the "
        "loopback interface are accepted");
  }
  // MEMORY STATS's startup.allocated: what the server takes before any data.
  state.memory().SetStartup(server::UsedMemory());
  // Load the snapshot and replay the write log before any client is served.
  systemd.Status("Loading the data from " + state.config().dir);
  const auto load_start = std::chrono::steady_clock::now();
  server::Persistence::Options persistence_options;
  persistence_options.ignore_missing_snapshot = ignore_missing_snapshot;
  server::Persistence persistence(state, persistence_options);
  state.keyspace().SetKeyEventListener(nullptr);  // recovery notifies no one
  if (auto st = persistence.Start(); !st.ok()) {
    return fail("Can't load the data from " + state.config().dir + ": " + st.message());
  }
  state.keyspace().SetKeyEventListener(&state.notifier());
  state.set_persistence(&persistence);
  if (auto error = server::LoadFunctionLibraries(state.config().dir, state.scripts())) {
    return fail("Can't load the function libraries: " + *error);
  }
  uint64_t keys = 0;
  for (const auto& db : state.keyspace().Stats().dbs) keys += db.keys;
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  spdlog::info("Data loaded: {} keys in {:.3f} seconds", keys, load_seconds);
  srv.set_on_sighup([] {
    if (auto err = server::ReopenLogFile()) spdlog::warn("Can't reopen the log file: {}", *err);
  });
  spdlog::info("Ready to accept connections tcp");
  systemd.Ready("Ready to accept connections: " + std::to_string(keys) + " keys loaded");
  srv.Run();
  // SHUTDOWN, SIGTERM or SIGINT: the final save, then the log is closed.
  systemd.Stopping("Saving the final snapshot");
  auto st = persistence.Stop();
  state.set_persistence(nullptr);
  if (!st.ok()) {
    spdlog::warn("Errors trying to shut down the server: {}", st.message());
    systemd.Status("Shutdown failed: " + st.message());
    return 1;
  }
  spdlog::info("stashd is now ready to exit, bye bye...");
  return 0;
}
