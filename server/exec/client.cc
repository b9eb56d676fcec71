#include "server/exec/client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace stashd::server {

size_t ClientMemory(const ClientState& c) {
  const ClientState::Buffers& b = c.buffers;
  auto get = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return sizeof(ClientState) + c.name.capacity() + c.lib_name.capacity() + c.lib_ver.capacity() +
         c.addr.capacity() + c.laddr.capacity() + c.last_command.capacity() + get(b.qbuf) +
         get(b.qbuf_free) + get(b.argv_mem) + get(b.rbs) + get(b.omem);
}

// The buffers are as the client's io thread last published them. For other
// connections the watch state is owned by their io thread and not shown.
std::string ClientInfoLine(const ClientState& c, int64_t now_ms, bool self,
                           std::string_view current_cmd) {
  std::string flags;
  const uint32_t sub = c.sub_count.load(std::memory_order_relaxed);
  const uint32_t psub = c.psub_count.load(std::memory_order_relaxed);
  const uint32_t ssub = c.ssub_count.load(std::memory_order_relaxed);
  if (c.monitor.load(std::memory_order_relaxed)) flags += 'O';
  if (sub + psub + ssub > 0) flags += 'P';
  if (c.in_multi) flags += 'x';
  if (c.blocked != nullptr || c.postponed.load(std::memory_order_relaxed)) flags += 'b';
  if (c.tracking.on) {
    flags += 't';
    if (c.tracking_redir_broken.load(std::memory_order_relaxed)) flags += 'R';
    if (c.tracking.bcast) flags += 'B';
  }
  if (self && c.watch_flag && c.watch_flag->dirty.load(std::memory_order_relaxed)) flags += 'd';
  if (c.close_after_reply) flags += 'c';
  if (c.kill_requested.load(std::memory_order_relaxed)) flags += 'A';
  if (c.no_evict.load(std::memory_order_relaxed)) flags += 'e';
  if (flags.empty()) flags = "N";
  int64_t multi = c.in_multi ? static_cast<int64_t>(c.queued.size()) : -1;
  std::string_view cmd = self ? current_cmd : std::string_view(c.last_command);
  if (cmd.empty()) cmd = "NULL";
  const ClientState::Buffers& b = c.buffers;
  auto get = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return absl::StrCat(
      "id=", c.id, " addr=", c.addr, " laddr=", c.laddr, " fd=", c.fd, " name=", c.name,
      " age=", (now_ms - c.created_ms) / 1000,
      " idle=", std::max<int64_t>(0, now_ms - c.last_interaction_ms) / 1000, " flags=", flags,
      " db=", c.db, " sub=", sub, " psub=", psub, " ssub=", ssub, " multi=", multi,
      " qbuf=", get(b.qbuf), " qbuf-free=", get(b.qbuf_free), " argv-mem=", get(b.argv_mem),
      " multi-mem=0 rbs=", get(b.rbs), " rbp=", get(b.rbp), " obl=", get(b.obl),
      " oll=", get(b.oll), " omem=", get(b.omem), " tot-mem=", ClientMemory(c),
      " events=r cmd=", std::string(cmd), " user=", c.user,
      " redir=", c.tracking.on ? static_cast<int64_t>(c.tracking.redirect) : int64_t{-1},
      " resp=", c.resp, " lib-name=", c.lib_name, " lib-ver=", c.lib_ver);
}

}  // namespace stashd::server
