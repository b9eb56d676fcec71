#include "server/exec/monitor.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_format.h"
#include "server/exec/client.h"
#include "server/exec/command.h"

namespace stashd::server {
namespace {

void AppendQuoted(std::string* out, std::string_view arg) {
  out->push_back('"');
  for (char ch : arg) {
    switch (ch) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      default:
        if (ch >= ' ' && ch <= '~') {
          out->push_back(ch);
        } else {
          absl::StrAppendFormat(out, "\\x%02x", static_cast<unsigned char>(ch));
        }
    }
  }
  out->push_back('"');
}

}  // namespace

std::string FormatMonitorLine(int64_t now_us, int db, std::string_view origin, const Args& args,
                              const std::vector<bool>& redacted) {
  std::string out =
      absl::StrFormat("+%d.%06d [%d %s]", now_us / 1000000, now_us % 1000000, db, origin);
  for (size_t i = 0; i < args.size(); ++i) {
    out.push_back(' ');
    AppendQuoted(&out, i < redacted.size() && redacted[i] ? "(redacted)" : args[i]);
  }
  out.append("\r\n");
  return out;
}

bool MonitorFeed::Add(ClientState& client) {
  std::lock_guard lock(mu_);
  if (client.monitor.load(std::memory_order_relaxed)) return false;
  client.monitor.store(true, std::memory_order_relaxed);
  monitors_.push_back(&client);
  count_.store(static_cast<int>(monitors_.size()), std::memory_order_relaxed);
  return true;
}

void MonitorFeed::Remove(ClientState& client) {
  if (!client.monitor.load(std::memory_order_relaxed)) return;  // only its thread sets it
  std::lock_guard lock(mu_);
  client.monitor.store(false, std::memory_order_relaxed);
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), &client), monitors_.end());
  count_.store(static_cast<int>(monitors_.size()), std::memory_order_relaxed);
}

void MonitorFeed::Feed(const CommandSpec& spec, const ClientState& client, int db,
                       const Args& args) {
  if (spec.flags & kAdmin) return;
  std::vector<bool> redacted;
  if (spec.redact != nullptr) {
    redacted.assign(args.size(), false);
    spec.redact(args, &redacted);
  }
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  auto text = std::make_shared<const std::string>(FormatMonitorLine(
      now_us, db, client.in_script ? std::string_view("lua") : client.addr, args, redacted));
  std::lock_guard lock(mu_);
  for (ClientState* m : monitors_) {
    if (m->deliver_monitor) m->deliver_monitor(MonitorLine{text});
  }
}

}  // namespace stashd::server
