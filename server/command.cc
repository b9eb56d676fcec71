#include "server/command.h"

#include <cassert>

#include "protocol/reply_builder.h"
#include "server/ascii.h"
#include "server/client.h"

namespace stashd::server {

int CommandContext::db() const { return client.db; }

void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.ArrayLen(lines.size());
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
}

void CommandSpec::KeyIndexes(const Args& args, std::vector<int>* out) const {
  if (first_key <= 0) return;
  int argc = static_cast<int>(args.size());
  int last = last_key >= 0 ? last_key : argc + last_key;
  int s = step > 0 ? step : 1;
  for (int i = first_key; i <= last && i < argc; i += s) out->push_back(i);
}

const CommandSpec* CommandSpec::FindSubcommand(std::string_view lowercase_name) const {
  for (const CommandSpec& sub : subcommands) {
    // Subcommand names are "parent|sub".
    std::string_view n = sub.name;
    auto bar = n.find('|');
    if (bar != std::string_view::npos && n.substr(bar + 1) == lowercase_name) return &sub;
  }
  return nullptr;
}

void CommandRegistry::Register(CommandSpec spec) {
  assert(ToLower(spec.name) == spec.name);
  std::string name = spec.name;
  bool inserted = commands_.emplace(name, std::move(spec)).second;
  assert(inserted);
  (void)inserted;
}

const CommandSpec* CommandRegistry::Find(std::string_view name) const {
  auto it = commands_.find(absl::string_view(name.data(), name.size()));
  if (it == commands_.end()) {
    if (name.size() > 64) return nullptr;
    char lower[64];
    for (size_t i = 0; i < name.size(); ++i) lower[i] = AsciiLower(name[i]);
    it = commands_.find(absl::string_view(lower, name.size()));
    if (it == commands_.end()) return nullptr;
  }
  return &it->second;
}

void RegisterAllCommands(CommandRegistry& registry) {
  RegisterStringFamily(registry);
  RegisterKeyspaceFamily(registry);
  RegisterConnectionFamily(registry);
  RegisterServerFamily(registry);
  RegisterTransactionFamily(registry);
  RegisterPersistenceFamily(registry);
  RegisterAclFamily(registry);
}

}  // namespace stashd::server
