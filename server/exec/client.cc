#include "server/exec/client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace stashd::server {

// Query and reply buffers are not tracked per client: their fields read as
// Redis shows them for an idle client. For other connections the watch state
// is owned by their io thread and not shown.
std::string ClientInfoLine(const ClientState& c, int64_t now_ms, bool self,
                           std::string_view current_cmd) {
  std::string flags;
  const uint32_t sub = c.sub_count.load(std::memory_order_relaxed);
  const uint32_t psub = c.psub_count.load(std::memory_order_relaxed);
  const uint32_t ssub = c.ssub_count.load(std::memory_order_relaxed);
  if (sub + psub + ssub > 0) flags += 'P';
  if (c.in_multi) flags += 'x';
  if (c.blocked != nullptr) flags += 'b';
  if (c.tracking.on) {
    flags += 't';
    if (c.tracking_redir_broken.load(std::memory_order_relaxed)) flags += 'R';
    if (c.tracking.bcast) flags += 'B';
  }
  if (self && c.watch_flag && c.watch_flag->dirty.load(std::memory_order_relaxed)) flags += 'd';
  if (c.close_after_reply) flags += 'c';
  if (c.kill_requested.load(std::memory_order_relaxed)) flags += 'A';
  if (flags.empty()) flags = "N";
  int64_t multi = c.in_multi ? static_cast<int64_t>(c.queued.size()) : -1;
  std::string_view cmd = self ? current_cmd : std::string_view(c.last_command);
  if (cmd.empty()) cmd = "NULL";
  // Approximate memory of the client: its state plus the strings it owns and
  // the 1 KiB reply buffer Redis counts for an idle client.
  size_t tot_mem = sizeof(ClientState) + c.name.capacity() + c.lib_name.capacity() +
                   c.lib_ver.capacity() + c.addr.capacity() + c.laddr.capacity() +
                   c.last_command.capacity() + 1024;
  return absl::StrCat(
      "id=", c.id, " addr=", c.addr, " laddr=", c.laddr, " fd=", c.fd, " name=", c.name,
      " age=", (now_ms - c.created_ms) / 1000,
      " idle=", std::max<int64_t>(0, now_ms - c.last_interaction_ms) / 1000, " flags=", flags,
      " db=", c.db, " sub=", sub, " psub=", psub, " ssub=", ssub, " multi=", multi,
      " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=",
      tot_mem, " events=r cmd=", std::string(cmd), " user=", c.user,
      " redir=", c.tracking.on ? static_cast<int64_t>(c.tracking.redirect) : int64_t{-1}, " resp=", c.resp,
      " lib-name=", c.lib_name, " lib-ver=", c.lib_ver);
}

}  // namespace stashd::server
