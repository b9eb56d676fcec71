#include "server/exec/command.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <optional>
#include <utility>

#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/exec/client.h"
#include "server/server_state.h"
#include "store/string_ops.h"

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

void CommandContext::Notify(uint32_t cls, std::string_view event, std::string_view key) {
  KeyspaceNotifier& n = server.notifier();
  if (n.Wants(cls)) n.Notify(cls, event, client.db, key);
}

void CommandContext::NotifyDb(int db, uint32_t cls, std::string_view event, std::string_view key) {
  KeyspaceNotifier& n = server.notifier();
  if (n.Wants(cls)) n.Notify(cls, event, db, key);
}

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

std::vector<KeySpec> KeySpecsOf(const CommandSpec& spec) {
  if (!spec.key_specs.empty()) return spec.key_specs;
  std::vector<KeySpec> specs;
  if (spec.first_key <= 0) return specs;
  const int step = spec.step > 0 ? spec.step : 1;
  const size_t n = std::max<size_t>(1, spec.key_spec_flags.size());
  for (size_t i = 0; i < n; ++i) {
    const int index = spec.first_key + static_cast<int>(i) * step;
    KeySpec k = KeySpec::Index(
        index, spec.key_spec_flags.empty() ? KeySpecFlags() : spec.key_spec_flags[i]);
    // Every spec but the last covers one key; the last runs on to last_key.
    if (i + 1 == n) {
      k = std::move(k).Range(spec.last_key < 0 ? spec.last_key : spec.last_key - index, step, 0);
    }
    specs.push_back(std::move(k));
  }
  return specs;
}

bool HasMovableKeys(const CommandSpec& spec) {
  if (spec.get_keys != nullptr) return true;
  return std::any_of(spec.key_specs.begin(), spec.key_specs.end(), [](const KeySpec& k) {
    return k.begin != KeySpec::Begin::kIndex || k.find != KeySpec::Find::kRange;
  });
}

namespace {

// The keys of one spec, as Redis's getKeysUsingKeySpecs finds them.
void ForEachKeyOfSpec(const KeySpec& k, const Args& args,
                      absl::FunctionRef<void(int index, KeySpecFlags flags)> fn) {
  const int argc = static_cast<int>(args.size());
  int first = 0;
  switch (k.begin) {
    case KeySpec::Begin::kIndex:
      first = k.index;
      break;
    case KeySpec::Begin::kKeyword: {
      const int start = k.startfrom > 0 ? k.startfrom : argc + k.startfrom;
      const int end = k.startfrom > 0 ? argc - 1 : 1;
      const int dir = start <= end ? 1 : -1;
      for (int i = start;; i += dir) {
        if (i >= argc || i < 1) return;
        if (EqualsIgnoreCase(args[i], k.keyword)) {
          first = i + 1;
          break;
        }
        if (i == end) return;
      }
      break;
    }
    case KeySpec::Begin::kUnknown:
      return;
  }
  int last = 0;
  int step = k.keystep > 0 ? k.keystep : 1;
  switch (k.find) {
    case KeySpec::Find::kRange:
      if (k.lastkey >= 0) {
        last = first + k.lastkey;
      } else if (k.limit == 0) {
        last = argc + k.lastkey;
      } else {
        last = first + ((argc - first) / k.limit + k.lastkey);
      }
      break;
    case KeySpec::Find::kKeynum: {
      // Checked by KeynumValid: a count of keys that are all there.
      const int64_t numkeys = *store::ParseInt64(args[first + k.keynumidx]);
      first += k.firstkey;
      last = first + static_cast<int>(numkeys - 1) * step;
      break;
    }
    case KeySpec::Find::kUnknown:
      return;
  }
  for (int i = first; i <= last && i < argc; i += step) fn(i, k.flags);
}

// Where the spec's key count is, if it has one (kIndex + kKeynum): Redis's
// getkeys functions for these commands (ZUNIONSTORE, ZMPOP, LMPOP,
// SINTERCARD, EVAL...) find no key at all unless the count is at least 1 and
// that many keys follow it.
bool KeynumValid(const KeySpec& k, const Args& args) {
  if (k.find != KeySpec::Find::kKeynum || k.begin != KeySpec::Begin::kIndex) return true;
  const int argc = static_cast<int>(args.size());
  const int at = k.index + k.keynumidx;
  if (at >= argc) return false;
  const std::optional<int64_t> count = store::ParseInt64(args[at]);
  const int step = k.keystep > 0 ? k.keystep : 1;
  return count && *count >= 1 && *count <= (argc - (k.index + k.firstkey) + step - 1) / step;
}

}  // namespace

void ForEachKeyArg(const CommandSpec& spec, const Args& args,
                   absl::FunctionRef<void(int index, KeySpecFlags flags)> fn) {
  if (spec.key_specs.empty()) {
    // The common case, without building specs: index + range from the row.
    if (spec.first_key <= 0) return;
    const int argc = static_cast<int>(args.size());
    const int step = spec.step > 0 ? spec.step : 1;
    const int last = spec.last_key >= 0 ? spec.last_key : argc + spec.last_key;
    const size_t nflags = spec.key_spec_flags.size();
    size_t n = 0;
    for (int i = spec.first_key; i <= last && i < argc; i += step, ++n) {
      fn(i, nflags == 0 ? KeySpecFlags() : spec.key_spec_flags[std::min(n, nflags - 1)]);
    }
  } else {
    for (const KeySpec& k : spec.key_specs) {
      if (!KeynumValid(k, args)) return;
    }
    for (const KeySpec& k : spec.key_specs) ForEachKeyOfSpec(k, args, fn);
  }
  if (spec.get_keys != nullptr) spec.get_keys(args, fn);
}

std::vector<KeyArg> KeyArgs(const CommandSpec& spec, const Args& args) {
  std::vector<KeyArg> keys;
  ForEachKeyArg(spec, args, [&](int index, KeySpecFlags flags) {
    if (flags.Has(KeySpecFlag::kVariableFlags) && spec.variable_key_flags != nullptr) {
      flags = spec.variable_key_flags(args);
    }
    keys.push_back({index, flags});
  });
  return keys;
}

void RegisterAllCommands(CommandRegistry& registry) {
  RegisterStringFamily(registry);
  RegisterHashFamily(registry);
  RegisterGeoFamily(registry);
  RegisterBitmapFamily(registry);
  RegisterHyperLogLogFamily(registry);
  RegisterSortFamily(registry);
  RegisterListFamily(registry);
  RegisterZSetFamily(registry);
  RegisterSetFamily(registry);
  RegisterKeyspaceFamily(registry);
  RegisterConnectionFamily(registry);
  RegisterServerFamily(registry);
  RegisterTransactionFamily(registry);
  RegisterPersistenceFamily(registry);
  RegisterAclFamily(registry);
  RegisterScriptingFamily(registry);
  RegisterPubSubFamily(registry);
  RegisterDumpFamily(registry);
  RegisterStreamFamily(registry);
  RegisterIntrospectionFamily(registry);
  RegisterClusterFamily(registry);
}

}  // namespace stashd::server
