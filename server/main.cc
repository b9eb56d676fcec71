// stashd: a Redis-protocol storage server for chatbots.
//
//   stashd [config-file] [--directive value ...]
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

#include "persistence/log_reader.h"
#include "server/config.h"
#include "server/persistence.h"
#include "server/server.h"
#include "server/server_state.h"
#include "store/clock.h"

namespace {

constexpr char kUsage[] =
    "Usage: stashd [/path/to/stashd.conf] [--directive value ...]\n"
    "       stashd --version\n"
    "       stashd --help\n"
    "       stashd --check-log FILE [--repair]   (check a write log file; --repair cuts\n"
    "                                            it after its last intact record)\n"
    "\n"
    "Examples:\n"
    "       stashd                         (built-in defaults: port 6379, data in ./data)\n"
    "       stashd --port 7000 --bind 127.0.0.1\n"
    "       stashd /etc/stashd/stashd.conf --loglevel verbose\n"
    "\n"
    "Directives use redis.conf names (port, bind, dir, databases, io-threads,\n"
    "requirepass, ...); see conf/stashd.conf for every one of them.\n";

spdlog::level::level_enum LevelFor(const std::string& name) {
  if (name == "debug") return spdlog::level::debug;
  if (name == "verbose") return spdlog::level::debug;
  if (name == "warning") return spdlog::level::warn;
  if (name == "nothing") return spdlog::level::off;
  return spdlog::level::info;
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

}  // namespace

int main(int argc, char** argv) {
  using namespace stashd;
  if (argc >= 2 && std::string_view(argv[1]) == "--check-log") return CheckLog(argc, argv);
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

  std::shared_ptr<spdlog::logger> logger;
  try {
    if (config->logfile.empty()) {
      logger = spdlog::stdout_logger_mt("stashd");
    } else {
      logger = spdlog::basic_logger_mt("stashd", config->logfile);
    }
  } catch (const spdlog::spdlog_ex& e) {
    std::fprintf(stderr, "stashd: cannot open logfile '%s': %s\n", config->logfile.c_str(),
                 e.what());
    return 1;
  }
  logger->set_pattern(fmt::format("{}:M %d %b %Y %H:%M:%S.%e %^%L%$ %v", getpid()));
  logger->set_level(LevelFor(config->loglevel));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);

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

  store::SystemClock clock;
  server::ServerState state(&clock, std::move(config));
  state.set_executable(std::filesystem::absolute(argv[0]).string());
  server::Server srv(state);
  state.request_shutdown = [&srv] { srv.Stop(); };
  if (auto err = srv.Listen()) {
    spdlog::critical("{}", *err);
    return 1;
  }
  spdlog::info("stashd {} starting, pid={}, port={}, config file: {}", STASHD_VERSION, getpid(),
               srv.port(),
               state.config().config_file.empty() ? "(none, built-in defaults)"
                                                  : state.config().config_file);
  // Load the snapshot and replay the write log before any client is served.
  server::Persistence persistence(state);
  if (auto st = persistence.Start(); !st.ok()) {
    spdlog::critical("Can't load the data: {}", st.message());
    return 1;
  }
  state.set_persistence(&persistence);
  spdlog::info("Ready to accept connections tcp");
  srv.Run();
  // SHUTDOWN, SIGTERM or SIGINT: the final save, then the log is closed.
  auto st = persistence.Stop();
  state.set_persistence(nullptr);
  if (!st.ok()) {
    spdlog::warn("Errors trying to shut down the server: {}", st.message());
    return 1;
  }
  spdlog::info("stashd is now ready to exit, bye bye...");
  return 0;
}
