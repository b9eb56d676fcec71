#include "server/exec/command.h"

#include <algorithm>
#include <array>
#include <cassert>

#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/exec/client.h"

namespace stashd::server {
namespace {

// Redis's ACL category table (acl.c), in AclCategory bit order.
constexpr std::array<std::string_view, kAclCategoryCount> kCategoryNames = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

constexpr std::array<std::string_view, kAclCategoryCount> kCategoryNamesWithAt = {
    "@keyspace",   "@read",        "@write",    "@set",         "@sortedset", "@list",
    "@hash",       "@string",      "@bitmap",   "@hyperloglog", "@geo",       "@stream",
    "@pubsub",     "@admin",       "@fast",     "@slow",        "@blocking",  "@dangerous",
    "@connection", "@transaction", "@scripting"};

// In KeySpecFlag bit order.
constexpr std::array<std::string_view, kKeySpecFlagCount> kKeySpecFlagNames = {
    "RO",     "RW",     "OW",      "RM",         "access",        "update",
    "insert", "delete", "not_key", "incomplete", "variable_flags"};

}  // namespace

int CommandContext::db() const { return client.db; }

std::string_view AclCategorySet::const_iterator::operator*() const {
  return kCategoryNamesWithAt[i_];
}

std::vector<std::string_view> KeySpecFlags::Names() const {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < kKeySpecFlagCount; ++i) {
    if ((bits_ >> i) & 1) out.push_back(kKeySpecFlagNames[i]);
  }
  return out;
}

const char* ArgTypeName(ArgType type) {
  switch (type) {
    case ArgType::kString:
      return "string";
    case ArgType::kInteger:
      return "integer";
    case ArgType::kDouble:
      return "double";
    case ArgType::kKey:
      return "key";
    case ArgType::kPattern:
      return "pattern";
    case ArgType::kUnixTime:
      return "unix-time";
    case ArgType::kPureToken:
      return "pure-token";
    case ArgType::kOneOf:
      return "oneof";
    case ArgType::kBlock:
      return "block";
  }
  return "string";
}

void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.ArrayLen(lines.size());
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
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

AclCategorySet AclCategoriesOf(const CommandSpec& spec) {
  AclCategorySet set = spec.acl_categories;
  // Redis setImplicitACLCategories().
  if (spec.flags & kWrite) set |= AclCategory::kWrite;
  if (spec.flags & kReadonly && !set.Has(AclCategory::kScripting)) set |= AclCategory::kRead;
  if (spec.flags & kAdmin) set |= AclCategory::kAdmin | AclCategory::kDangerous;
  if (spec.flags & kPubSub) set |= AclCategory::kPubSub;
  if (spec.flags & kFast) set |= AclCategory::kFast;
  if (spec.flags & kBlocking) set |= AclCategory::kBlocking;
  if (!set.Has(AclCategory::kFast)) set |= AclCategory::kSlow;
  return set;
}

std::vector<std::string_view> AclCategories(const CommandSpec& spec) {
  AclCategorySet set = AclCategoriesOf(spec);
  return std::vector<std::string_view>(set.begin(), set.end());
}

std::vector<std::string_view> AclCategoryNames() {
  return std::vector<std::string_view>(kCategoryNames.begin(), kCategoryNames.end());
}

bool HasAclCategory(const CommandSpec& spec, std::string_view category) {
  for (size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (EqualsIgnoreCase(kCategoryNames[i], category)) {
      return AclCategoriesOf(spec).bits() & (uint32_t{1} << i);
    }
  }
  return false;
}

const CommandSpec* FindCommandByFullName(const CommandRegistry& registry, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return registry.Find(name);
  const CommandSpec* parent = registry.Find(name.substr(0, bar));
  std::string_view sub = name.substr(bar + 1);
  if (parent == nullptr || sub.find('|') != std::string_view::npos) return nullptr;
  return parent->FindSubcommand(ToLower(sub));
}

std::vector<KeySpecRange> KeySpecRanges(const CommandSpec& spec) {
  std::vector<KeySpecRange> ranges;
  if (!spec.HasKeys()) return ranges;
  int step = spec.step > 0 ? spec.step : 1;
  size_t n = std::max<size_t>(1, spec.key_spec_flags.size());
  for (size_t i = 0; i < n; ++i) {
    KeySpecRange r;
    r.index = spec.first_key + static_cast<int>(i) * step;
    r.flags = spec.key_spec_flags.empty() ? KeySpecFlags() : spec.key_spec_flags[i];
    if (i + 1 < n) {
      r.lastkey = 0;
      r.keystep = 1;
    } else {
      r.lastkey = spec.last_key < 0 ? spec.last_key : spec.last_key - r.index;
      r.keystep = step;
    }
    ranges.push_back(r);
  }
  return ranges;
}

std::vector<KeyArg> KeyArgs(const CommandSpec& spec, const Args& args) {
  std::vector<KeyArg> keys;
  int argc = static_cast<int>(args.size());
  for (const KeySpecRange& r : KeySpecRanges(spec)) {
    int last = r.lastkey >= 0 ? r.index + r.lastkey : argc + r.lastkey;
    for (int i = r.index; i <= last && i < argc; i += r.keystep) keys.push_back({i, r.flags});
  }
  return keys;
}

void RegisterAllCommands(CommandRegistry& registry) {
  RegisterStringFamily(registry);
  RegisterHashFamily(registry);
  RegisterZSetFamily(registry);
  RegisterKeyspaceFamily(registry);
  RegisterConnectionFamily(registry);
  RegisterServerFamily(registry);
  RegisterTransactionFamily(registry);
  RegisterPersistenceFamily(registry);
  RegisterAclFamily(registry);
}

}  // namespace stashd::server
