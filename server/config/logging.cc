#include "server/config/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "server/base/ascii.h"

namespace stashd::server {
namespace {

// Redis's level marks.
class LevelMarkFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char mark = '#';
    switch (msg.level) {
      case spdlog::level::trace:
        mark = '.';
        break;
      case spdlog::level::debug:
        mark = '-';
        break;
      case spdlog::level::info:
        mark = '*';
        break;
      default:
        break;
    }
    dest.push_back(mark);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelMarkFlag>();
  }
};

// The syslog priority the journal reads from a "<N>" line prefix.
class SyslogPriorityFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char priority = '5';
    switch (msg.level) {
      case spdlog::level::trace:
        priority = '7';
        break;
      case spdlog::level::debug:
        priority = '6';
        break;
      case spdlog::level::info:
        priority = '5';
        break;
      case spdlog::level::warn:
        priority = '4';
        break;
      case spdlog::level::err:
        priority = '3';
        break;
      default:
        priority = '2';
        break;
    }
    dest.push_back('<');
    dest.push_back(priority);
    dest.push_back('>');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SyslogPriorityFlag>();
  }
};

// Appends to a file that can be reopened under the same name.
class ReopenableFileSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static std::shared_ptr<ReopenableFileSink> Open(const std::string& path, std::string* error) {
    std::FILE* f = std::fopen(path.c_str(), "a");
    if (f == nullptr) {
      *error = std::strerror(errno);
      return nullptr;
    }
    return std::shared_ptr<ReopenableFileSink>(new ReopenableFileSink(path, f));
  }
  ~ReopenableFileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  std::optional<std::string> Reopen() {
    std::lock_guard lock(mutex_);
    std::FILE* f = std::fopen(path_.c_str(), "a");
    if (f == nullptr) return std::string(std::strerror(errno));
    std::fclose(file_);
    file_ = f;
    return std::nullopt;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), file_);
  }
  void flush_() override { std::fflush(file_); }

 private:
  ReopenableFileSink(std::string path, std::FILE* f) : path_(std::move(path)), file_(f) {}
  std::string path_;
  std::FILE* file_;
};

std::shared_ptr<ReopenableFileSink>& FileSink() {
  static auto* sink = new std::shared_ptr<ReopenableFileSink>();
  return *sink;
}

}  // namespace

spdlog::level::level_enum LogLevelFor(std::string_view loglevel) {
  std::string l = ToLower(loglevel);
  if (l == "debug") return spdlog::level::trace;
  if (l == "verbose") return spdlog::level::debug;
  if (l == "warning") return spdlog::level::warn;
  if (l == "nothing") return spdlog::level::off;
  return spdlog::level::info;
}

bool StdoutIsJournal() {
  // $JOURNAL_STREAM is "<device>:<inode>" of the journal's stream socket.
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return false;
  unsigned long long dev = 0;
  unsigned long long ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st;
  if (fstat(STDOUT_FILENO, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

std::optional<std::string> SetUpLogging(const std::string& logfile, std::string_view loglevel) {
  spdlog::sink_ptr sink;
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (logfile.empty() && StdoutIsJournal()) {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%v");
  } else {
    if (logfile.empty()) {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      std::string error;
      std::shared_ptr<ReopenableFileSink> file = ReopenableFileSink::Open(logfile, &error);
      if (file == nullptr) return "can't open the log file '" + logfile + "': " + error;
      FileSink() = file;
      sink = file;
    }
    formatter->add_flag<LevelMarkFlag>('*').set_pattern(std::to_string(getpid()) +
                                                        ":M %d %b %Y %H:%M:%S.%e %* %v");
  }
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>("stashd", sink);
  logger->set_level(LogLevelFor(loglevel));
  // Every line goes out at once, as Redis writes them: a crash loses none.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  return std::nullopt;
}

void SetLogLevel(std::string_view loglevel) { spdlog::set_level(LogLevelFor(loglevel)); }

std::optional<std::string> ReopenLogFile() {
  std::shared_ptr<ReopenableFileSink> file = FileSink();
  if (file == nullptr) return std::nullopt;
  return file->Reopen();
}

}  // namespace stashd::server
