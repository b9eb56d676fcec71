#include "server/acl/acl.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "persistence/file_system.h"
#include "protocol/errors.h"
#include "protocol/resp_parser.h"
#include "server/acl/sha256.h"
#include "server/base/ascii.h"
#include "server/exec/client.h"
#include "store/glob.h"

namespace stashd::server {
namespace {

constexpr int64_t kLogGroupingMs = 60'000;
constexpr size_t kLogGroupingScan = 10;

bool HasSpaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || std::isspace(static_cast<unsigned char>(c));
  });
}

bool ValidHash(std::string_view h) {
  return h.size() == 64 && std::all_of(h.begin(), h.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Compares two hashes in time independent of where they differ.
bool SameHash(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool GetBit(const AclSelector& s, int id) {
  return (s.allowed[static_cast<size_t>(id) / 64] >> (id % 64)) & 1;
}

void SetBit(AclSelector& s, int id, bool value) {
  uint64_t mask = uint64_t{1} << (id % 64);
  if (value) {
    s.allowed[static_cast<size_t>(id) / 64] |= mask;
  } else {
    s.allowed[static_cast<size_t>(id) / 64] &= ~mask;
  }
}

// Allowing or denying a container applies to its subcommands too; it also
// forgets the first arguments allowed for it.
void ChangePerm(const AclCommandTable& table, AclSelector& s, int id, bool allow) {
  SetBit(s, id, allow);
  s.first_args.erase(id);
  for (int child : table.at(id).children) SetBit(s, child, allow);
}

void ApplyCategory(const AclCommandTable& table, AclSelector& s, int category, bool allow) {
  for (int id : table.CategoryMembers(category)) ChangePerm(table, s, id, allow);
}

void SetAllCommands(AclSelector& s, bool allow) {
  std::fill(s.allowed.begin(), s.allowed.end(), allow ? ~uint64_t{0} : 0);
  s.all_commands_rule = allow;
  s.first_args.clear();
}

// The permissions a key argument needs, from its key spec flags: read if
// the key is accessed, write if it is inserted, updated or deleted. Flags
// that vary with the command line come from the row (SET reads its key only
// with GET). Without key spec flags, from the command's flags.
uint8_t NeededPerms(const CommandSpec& spec, const Args& args, KeySpecFlags flags) {
  if (flags.Has(KeySpecFlag::kVariableFlags) && spec.variable_key_flags != nullptr) {
    flags = spec.variable_key_flags(args);
  }
  if (flags.empty()) {
    if (spec.flags & kWrite) return kAclKeyWrite;
    if (spec.flags & kReadonly) return kAclKeyRead;
    return 0;
  }
  uint8_t need = 0;
  if (flags.Has(KeySpecFlag::kAccess)) need |= kAclKeyRead;
  if (flags.Has(KeySpecFlag::kInsert) || flags.Has(KeySpecFlag::kUpdate) ||
      flags.Has(KeySpecFlag::kDelete)) {
    need |= kAclKeyWrite;
  }
  return need;
}

// Channel patterns match a channel; a pattern being subscribed (PSUBSCRIBE)
// must equal one of them (Redis's ACLCheckChannelAgainstList).
bool SelectorAllowsChannel(const AclSelector& s, std::string_view name, bool is_pattern) {
  if (s.all_channels) return true;
  return std::any_of(s.channels.begin(), s.channels.end(), [&](const std::string& p) {
    return is_pattern ? p == name : store::GlobMatch(p, name);
  });
}

bool KeyAllowed(const AclSelector& s, std::string_view key, uint8_t need) {
  if (s.all_keys) return true;
  for (const AclSelector::KeyPattern& p : s.keys) {
    if ((p.perms & need) != need) continue;
    if (store::GlobMatch(p.pattern, key)) return true;
  }
  return false;
}

// Every key starting with `prefix` matches a write pattern of the selector.
bool PrefixWritable(const AclSelector& s, std::string_view prefix) {
  if (s.all_keys) return true;
  for (const AclSelector::KeyPattern& p : s.keys) {
    if (!(p.perms & kAclKeyWrite)) continue;
    std::optional<std::string_view> literal = store::LiteralPrefix(p.pattern);
    if (literal && prefix.substr(0, literal->size()) == *literal) return true;
  }
  return false;
}

// Redis's ACLMergeSelectorArguments: a selector spread over several
// arguments ("(~a" "+get)") becomes one. nullopt if a parenthesis is left
// open; *open_index is then the argument that opened it.
std::optional<std::vector<std::string>> MergeSelectorArgs(const std::vector<std::string>& args,
                                                          size_t* open_index) {
  std::vector<std::string> out;
  std::string selector;
  bool open = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& op = args[i];
    if (!open && !op.empty() && op.front() == '(' && op.back() != ')') {
      selector = op;
      open = true;
      *open_index = i;
      continue;
    }
    if (open) {
      selector += " " + op;
      if (!op.empty() && op.back() == ')') {
        out.push_back(std::move(selector));
        open = false;
      }
      continue;
    }
    out.push_back(op);
  }
  if (open) return std::nullopt;
  return out;
}

std::string Trim(std::string_view s, std::string_view chars) {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(chars);
  return std::string(s.substr(b, e - b + 1));
}

// sdssplitlen(line, " "): every single space separates, so two spaces make an
// empty argument (an empty rule is a no-op).
std::vector<std::string> SplitOnSpaces(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t sp = line.find(' ', start);
    if (sp == std::string_view::npos) {
      out.emplace_back(line.substr(start));
      break;
    }
    out.emplace_back(line.substr(start, sp - start));
    start = sp + 1;
  }
  return out;
}

}  // namespace

// ---- AclCommandTable ----

AclCommandTable::AclCommandTable(const CommandRegistry& registry)
    : category_names_(AclCategoryNames()) {
  std::vector<const CommandSpec*> specs;
  for (const auto& [name, spec] : registry.all()) specs.push_back(&spec);
  std::sort(specs.begin(), specs.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  // AclCategorySet bit i is category_names_[i].
  auto categories_of = [](const CommandSpec& spec) { return AclCategoriesOf(spec).bits(); };
  auto add = [&](const CommandSpec* spec, int parent) {
    int id = static_cast<int>(commands_.size());
    commands_.push_back({spec, parent, {}, categories_of(*spec)});
    ids_[spec] = id;
    by_name_[ToLower(spec->name)] = id;
    return id;
  };
  for (const CommandSpec* spec : specs) {
    int id = add(spec, -1);
    top_level_.push_back(id);
    for (const CommandSpec& sub : spec->subcommands) {
      int sub_id = add(&sub, id);
      commands_[id].children.push_back(sub_id);
    }
  }
  category_members_.resize(category_names_.size());
  // Members in the order Redis visits them: each command, then its
  // subcommands.
  for (int top : top_level_) {
    std::vector<int> ids = {top};
    ids.insert(ids.end(), commands_[top].children.begin(), commands_[top].children.end());
    for (int id : ids) {
      for (size_t c = 0; c < category_names_.size(); ++c) {
        if (commands_[id].categories & (uint32_t{1} << c)) category_members_[c].push_back(id);
      }
    }
  }
}

int AclCommandTable::IdOf(const CommandSpec* spec) const {
  auto it = ids_.find(spec);
  return it == ids_.end() ? -1 : it->second;
}

int AclCommandTable::Find(std::string_view full_name) const {
  auto it = by_name_.find(ToLower(full_name));
  return it == by_name_.end() ? -1 : it->second;
}

int AclCommandTable::CategoryIndex(std::string_view name) const {
  for (size_t i = 0; i < category_names_.size(); ++i) {
    if (EqualsIgnoreCase(category_names_[i], name)) return static_cast<int>(i);
  }
  return -1;
}

// ---- AclUser ----

bool AclUser::CanReadKey(std::string_view key) const {
  for (const AclSelector& s : selectors) {
    if (KeyAllowed(s, key, kAclKeyRead)) return true;
  }
  return false;
}

bool AclUser::ReadsEveryKey() const {
  for (const AclSelector& s : selectors) {
    if (s.all_keys) return true;
    for (const AclSelector::KeyPattern& p : s.keys) {
      if (p.pattern == "*" && (p.perms & kAclKeyRead)) return true;
    }
  }
  return false;
}

bool AclUser::AllowsChannel(std::string_view name, bool is_pattern) const {
  return std::any_of(selectors.begin(), selectors.end(), [&](const AclSelector& s) {
    return SelectorAllowsChannel(s, name, is_pattern);
  });
}

const AclUser* AclKeyFilter(const ClientState& client) {
  const AclUser* user = client.acl_user.get();
  if (user == nullptr || user->unrestricted || user->ReadsEveryKey()) return nullptr;
  return user;
}

// ---- Acl: users ----

Acl::Acl(const CommandRegistry& registry) : commands_(registry) {
  UserMap users;
  users["default"] = std::make_shared<const AclUser>(DefaultUserTemplate());
  Publish(std::move(users));
}

AclSelector Acl::NewSelector() const {
  AclSelector s;
  s.allowed.assign((commands_.size() + 63) / 64, 0);
  s.all_channels = pubsub_default_all_ != nullptr && pubsub_default_all_->load();
  return s;
}

AclUser Acl::NewUser(std::string_view name) const {
  AclUser u;
  u.name = std::string(name);
  u.selectors.push_back(NewSelector());
  return u;
}

AclUser Acl::DefaultUserTemplate() const {
  AclUser u = NewUser("default");
  for (std::string_view rule : {"+@all", "~*", "&*", "on", "nopass"}) ApplyRule(u, rule);
  Finish(u);
  return u;
}

// Computes the derived fields once the rules are applied.
void Acl::Finish(AclUser& user) const {
  const AclSelector& root = user.selectors[0];
  bool all_bits = true;
  for (size_t id = 0; id < commands_.size(); ++id) {
    if (!GetBit(root, static_cast<int>(id))) {
      all_bits = false;
      break;
    }
  }
  user.unrestricted = all_bits && root.all_keys && root.all_channels;
}

void Acl::Publish(UserMap users) {
  std::lock_guard lock(mu_);
  users_ = std::move(users);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const AclUser> Acl::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = users_.find(std::string(name));
  return it == users_.end() ? nullptr : it->second;
}

std::optional<std::string> Acl::ApplySelectorRule(AclSelector& s, std::string_view op) const {
  if (EqualsIgnoreCase(op, "allkeys") || op == "~*") {
    s.all_keys = true;
    s.keys.clear();
  } else if (EqualsIgnoreCase(op, "resetkeys")) {
    s.all_keys = false;
    s.keys.clear();
  } else if (EqualsIgnoreCase(op, "allchannels") || op == "&*") {
    s.all_channels = true;
    s.channels.clear();
  } else if (EqualsIgnoreCase(op, "resetchannels")) {
    s.all_channels = false;
    s.channels.clear();
  } else if (EqualsIgnoreCase(op, "allcommands") || EqualsIgnoreCase(op, "+@all")) {
    SetAllCommands(s, true);
  } else if (EqualsIgnoreCase(op, "nocommands") || EqualsIgnoreCase(op, "-@all")) {
    SetAllCommands(s, false);
  } else if (op[0] == '~' || op[0] == '%') {
    if (s.all_keys) return std::string(errors::kAclRulePatternAfterAllKeys);
    uint8_t perms = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      for (; offset < op.size(); ++offset) {
        char c = AsciiUpper(op[offset]);
        if (c == 'R' && !(perms & kAclKeyRead)) {
          perms |= kAclKeyRead;
        } else if (c == 'W' && !(perms & kAclKeyWrite)) {
          perms |= kAclKeyWrite;
        } else if (op[offset] == '~') {
          ++offset;
          break;
        } else {
          return std::string(errors::kAclRuleSyntax);
        }
      }
      if (perms == 0) return std::string(errors::kAclRuleSyntax);
    } else {
      perms = kAclKeyAll;
    }
    std::string_view pattern = op.substr(std::min(offset, op.size()));
    if (HasSpaces(pattern)) return std::string(errors::kAclRuleSyntax);
    auto it = std::find_if(s.keys.begin(), s.keys.end(),
                           [&](const AclSelector::KeyPattern& p) { return p.pattern == pattern; });
    if (it == s.keys.end()) {
      s.keys.push_back({std::string(pattern), perms});
    } else {
      it->perms |= perms;
    }
    s.all_keys = false;
  } else if (op[0] == '&') {
    if (s.all_channels) return std::string(errors::kAclRulePatternAfterAllChannels);
    std::string_view pattern = op.substr(1);
    if (HasSpaces(pattern)) return std::string(errors::kAclRuleSyntax);
    if (std::find(s.channels.begin(), s.channels.end(), pattern) == s.channels.end()) {
      s.channels.emplace_back(pattern);
    }
    s.all_channels = false;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    std::string_view name = op.substr(1);
    size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      int id = commands_.Find(name);
      if (id < 0) return std::string(errors::kAclRuleUnknownName);
      ChangePerm(commands_, s, id, true);
    } else {
      std::string_view base = name.substr(0, bar);
      std::string_view arg = name.substr(bar + 1);
      int base_id = commands_.Find(base);
      if (base_id < 0) return std::string(errors::kAclRuleUnknownName);
      if (commands_.at(base_id).parent >= 0)
        return std::string(errors::kAclRuleFirstArgOfSubcommand);
      if (arg.empty()) return std::string(errors::kAclRuleSyntax);
      if (!commands_.at(base_id).children.empty()) {
        int id = commands_.Find(name);
        if (id < 0) return std::string(errors::kAclRuleUnknownName);
        ChangePerm(commands_, s, id, true);
      } else {
        spdlog::warn(
            "Deprecation warning: Allowing a first arg of an otherwise blocked command is a "
            "misuse of ACL and may get disabled in the future (offender: +{})",
            name);
        std::vector<std::string>& args = s.first_args[base_id];
        bool present = std::any_of(args.begin(), args.end(),
                                   [&](const std::string& a) { return EqualsIgnoreCase(a, arg); });
        if (!present) args.emplace_back(arg);
      }
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    int id = commands_.Find(op.substr(1));
    if (id < 0) return std::string(errors::kAclRuleUnknownName);
    ChangePerm(commands_, s, id, false);
  } else if ((op[0] == '+' || op[0] == '-') && op[1] == '@') {
    int category = commands_.CategoryIndex(op.substr(2));
    if (category < 0) return std::string(errors::kAclRuleUnknownName);
    ApplyCategory(commands_, s, category, op[0] == '+');
  } else {
    return std::string(errors::kAclRuleSyntax);
  }
  return std::nullopt;
}

std::optional<std::string> Acl::ApplyRule(AclUser& u, std::string_view op) const {
  if (op.empty()) return std::nullopt;
  if (EqualsIgnoreCase(op, "on")) {
    u.enabled = true;
  } else if (EqualsIgnoreCase(op, "off")) {
    u.enabled = false;
  } else if (EqualsIgnoreCase(op, "skip-sanitize-payload")) {
    u.sanitize = AclUser::Sanitize::kSkip;
  } else if (EqualsIgnoreCase(op, "sanitize-payload")) {
    u.sanitize = AclUser::Sanitize::kSanitize;
  } else if (EqualsIgnoreCase(op, "nopass")) {
    u.nopass = true;
    u.passwords.clear();
  } else if (EqualsIgnoreCase(op, "resetpass")) {
    u.nopass = false;
    u.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string hash;
    if (op[0] == '>') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return std::string(errors::kAclRuleBadHash);
      hash = std::string(op.substr(1));
    }
    if (std::find(u.passwords.begin(), u.passwords.end(), hash) == u.passwords.end()) {
      u.passwords.push_back(std::move(hash));
    }
    u.nopass = false;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string hash;
    if (op[0] == '<') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return std::string(errors::kAclRuleBadHash);
      hash = std::string(op.substr(1));
    }
    auto it = std::find(u.passwords.begin(), u.passwords.end(), hash);
    if (it == u.passwords.end()) return std::string(errors::kAclRuleNoSuchPassword);
    u.passwords.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    AclSelector s = NewSelector();
    auto inner = protocol::SplitArgs(op.substr(1, op.size() - 2));
    if (!inner) return std::string(errors::kAclRuleSyntax);
    for (const std::string& rule : *inner) {
      if (auto err = ApplySelectorRule(s, rule)) return err;
    }
    u.selectors.push_back(std::move(s));
  } else if (EqualsIgnoreCase(op, "clearselectors")) {
    u.selectors.resize(1);
  } else if (EqualsIgnoreCase(op, "reset")) {
    for (std::string_view rule : {"resetpass", "resetkeys", "resetchannels", "off",
                                  "sanitize-payload", "clearselectors", "-@all"}) {
      ApplyRule(u, rule);
    }
    if (pubsub_default_all_ != nullptr && pubsub_default_all_->load()) {
      ApplyRule(u, "allchannels");
    }
  } else {
    return ApplySelectorRule(u.selectors[0], op);
  }
  return std::nullopt;
}

std::optional<std::string> Acl::SetUser(std::string_view name,
                                        const std::vector<std::string>& rules) {
  if (HasSpaces(name)) return std::string(errors::kAclUsernameSpaces);
  size_t open_index = 0;
  auto merged = MergeSelectorArgs(rules, &open_index);
  if (!merged) {
    return errors::Format(errors::kAclUnmatchedParenthesis, {rules[open_index]});
  }
  // Rules are applied to a copy; the user changes only if all of them apply.
  std::lock_guard lock(mu_);
  auto it = users_.find(std::string(name));
  AclUser user = it != users_.end() ? *it->second : NewUser(name);
  for (const std::string& rule : *merged) {
    if (auto err = ApplyRule(user, rule)) {
      return errors::Format(errors::kAclSetUserModifier, {rule, *err});
    }
  }
  Finish(user);
  std::string key = user.name;
  users_[key] = std::make_shared<const AclUser>(std::move(user));
  version_.fetch_add(1, std::memory_order_acq_rel);
  return std::nullopt;
}

int Acl::DeleteUsers(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  int deleted = 0;
  for (const std::string& name : names) {
    if (name == "default") continue;
    deleted += static_cast<int>(users_.erase(name));
  }
  if (deleted > 0) version_.fetch_add(1, std::memory_order_acq_rel);
  return deleted;
}

std::vector<std::string> Acl::UserNames() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, user] : users_) names.push_back(name);
  return names;
}

std::vector<std::string> Acl::DescribeUsers() const {
  UserMap users;
  {
    std::lock_guard lock(mu_);
    users = users_;
  }
  std::vector<std::string> out;
  for (const auto& [name, user] : users) out.push_back("user " + name + " " + Describe(*user));
  return out;
}

void Acl::SetDefaultPassword(std::string_view password) {
  std::lock_guard lock(mu_);
  AclUser user = *users_.at("default");
  ApplyRule(user, "resetpass");
  if (password.empty()) {
    ApplyRule(user, "nopass");
  } else {
    ApplyRule(user, ">" + std::string(password));
  }
  Finish(user);
  users_["default"] = std::make_shared<const AclUser>(std::move(user));
  version_.fetch_add(1, std::memory_order_acq_rel);
}

bool Acl::DefaultUserIsOpen() const {
  std::lock_guard lock(mu_);
  const AclUser& u = *users_.at("default");
  return u.enabled && u.nopass;
}

bool Acl::DefaultUserHasNoPassword() const {
  std::lock_guard lock(mu_);
  return users_.at("default")->nopass;
}

std::shared_ptr<const AclUser> Acl::Authenticate(std::string_view name,
                                                 std::string_view password) const {
  std::shared_ptr<const AclUser> user = Find(name);
  if (user == nullptr || !user->enabled) return nullptr;
  if (user->nopass) return user;
  std::string hash = Sha256Hex(password);
  bool match = false;
  for (const std::string& p : user->passwords) match |= SameHash(p, hash);
  return match ? user : nullptr;
}

void Acl::Refresh(ClientState& client) const {
  std::lock_guard lock(mu_);
  client.acl_version = version_.load(std::memory_order_acquire);
  auto it = users_.find(client.user);
  client.acl_user = it == users_.end() ? nullptr : it->second;
}

// ---- Acl: description ----

std::string Acl::DescribeCommandRules(const AclSelector& selector) const {
  // As Redis 7.0 does: start from +@all or -@all, apply the categories that
  // fit best while they explain more commands than they get wrong, then fix
  // single commands. `fake` follows what the emitted rules give; `temp` what
  // remains to be explained.
  const bool additive = !selector.all_commands_rule;
  std::string rules = additive ? "-@all " : "+@all ";
  AclSelector fake = NewSelector();
  SetAllCommands(fake, !additive);
  AclSelector temp = NewSelector();
  temp.allowed = selector.allowed;
  std::vector<bool> applied(commands_.category_names().size(), false);
  while (true) {
    int best = -1;
    size_t min_diff = SIZE_MAX;
    size_t max_same = 0;
    for (size_t c = 0; c < applied.size(); ++c) {
      if (applied[c]) continue;
      size_t on = 0;
      size_t off = 0;
      for (int id : commands_.CategoryMembers(static_cast<int>(c))) {
        (GetBit(temp, id) ? on : off) += 1;
      }
      size_t diff = additive ? off : on;
      size_t same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = static_cast<int>(c);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) break;
    ApplyCategory(commands_, fake, best, additive);
    ApplyCategory(commands_, temp, best, !additive);
    rules +=
        std::string(additive ? "+@" : "-@") + std::string(commands_.category_names()[best]) + " ";
    applied[best] = true;
  }
  std::function<void(int)> fix = [&](int id) {
    bool user_bit = GetBit(selector, id);
    if (user_bit != GetBit(fake, id)) {
      rules += (user_bit ? "+" : "-") + commands_.at(id).spec->name + " ";
      ChangePerm(commands_, fake, id, user_bit);
    }
    for (int child : commands_.at(id).children) fix(child);
    auto args = selector.first_args.find(id);
    if (!user_bit && args != selector.first_args.end()) {
      for (const std::string& arg : args->second) {
        rules += "+" + commands_.at(id).spec->name + "|" + arg + " ";
      }
    }
  };
  for (int id : commands_.top_level()) fix(id);
  rules.pop_back();
  return rules;
}

std::string Acl::DescribeKeys(const AclSelector& s) const {
  if (s.all_keys) return "~*";
  std::string out;
  for (const AclSelector::KeyPattern& p : s.keys) {
    if (!out.empty()) out += ' ';
    out += p.perms == kAclKeyAll ? "~" : p.perms == kAclKeyRead ? "%R~" : "%W~";
    out += p.pattern;
  }
  return out;
}

std::string Acl::DescribeChannels(const AclSelector& s) const {
  if (s.all_channels) return "&*";
  std::string out;
  for (const std::string& c : s.channels) {
    if (!out.empty()) out += ' ';
    out += "&" + c;
  }
  return out;
}

std::string Acl::Describe(const AclUser& u) const {
  std::string out = u.enabled ? "on " : "off ";
  if (u.nopass) out += "nopass ";
  if (u.sanitize == AclUser::Sanitize::kSkip) out += "skip-sanitize-payload ";
  if (u.sanitize == AclUser::Sanitize::kSanitize) out += "sanitize-payload ";
  for (const std::string& p : u.passwords) out += "#" + p + " ";
  for (size_t i = 0; i < u.selectors.size(); ++i) {
    const AclSelector& s = u.selectors[i];
    std::string d;
    if (s.all_keys || !s.keys.empty()) d += DescribeKeys(s) + " ";
    d += s.all_channels ? "&* " : "resetchannels ";
    if (!s.all_channels) {
      for (const std::string& c : s.channels) d += "&" + c + " ";
    }
    d += DescribeCommandRules(s);
    out += i == 0 ? d : " (" + d + ")";
  }
  return out;
}

// ---- Acl: checks ----

AclResult Acl::Check(const AclUser& user, const CommandSpec& spec, const Args& args,
                     int* denied_arg) const {
  if (user.unrestricted) return AclResult::kOk;
  const int id = commands_.IdOf(&spec);
  if (id < 0) return AclResult::kDeniedCommand;
  std::vector<KeyArg> keys;
  if (spec.HasKeys()) keys = KeyArgs(spec, args);
  // DELPREFIX names prefixes rather than keys (stashd extension).
  const bool prefixes = spec.flags & kKeyPrefixArgs;

  auto check_keys = [&](const AclSelector& s, int* idx) {
    if (s.all_keys) return AclResult::kOk;
    for (const KeyArg& key : keys) {
      // Shard channels sit in key specs flagged not_key: not keys.
      if (key.flags.Has(KeySpecFlag::kNotKey)) continue;
      if (!KeyAllowed(s, args[key.index], NeededPerms(spec, args, key.flags))) {
        *idx = key.index;
        return AclResult::kDeniedKey;
      }
    }
    if (prefixes) {
      for (size_t i = 1; i < args.size(); ++i) {
        if (!PrefixWritable(s, args[i])) {
          *idx = static_cast<int>(i);
          return AclResult::kDeniedKey;
        }
      }
    }
    return AclResult::kOk;
  };
  auto check_channels = [&](const AclSelector& s, int* idx) {
    if (s.all_channels || spec.channel_args == ChannelArgs::kNone) return AclResult::kOk;
    const bool patterns = spec.channel_args == ChannelArgs::kAllPatterns;
    const size_t end =
        spec.channel_args == ChannelArgs::kFirst ? std::min<size_t>(2, args.size()) : args.size();
    for (size_t i = 1; i < end; ++i) {
      if (!SelectorAllowsChannel(s, args[i], patterns)) {
        *idx = static_cast<int>(i);
        return AclResult::kDeniedChannel;
      }
    }
    return AclResult::kOk;
  };
  auto check_selector = [&](const AclSelector& s, int* idx) {
    if (!(spec.flags & kNoAuth) && !GetBit(s, id)) {
      auto allowed = s.first_args.find(id);
      size_t arg_index = commands_.at(id).parent >= 0 ? 2 : 1;
      if (allowed == s.first_args.end() || args.size() <= arg_index) {
        return AclResult::kDeniedCommand;
      }
      const std::string& first = args[arg_index];
      if (std::none_of(allowed->second.begin(), allowed->second.end(),
                       [&](const std::string& a) { return EqualsIgnoreCase(a, first); })) {
        return AclResult::kDeniedCommand;
      }
    }
    if (auto r = check_keys(s, idx); r != AclResult::kOk) return r;
    return check_channels(s, idx);
  };

  // The error to report: the command if no selector allows it, else the
  // last key argument that no selector allows.
  AclResult relevant = AclResult::kDeniedCommand;
  int last_idx = 0;
  for (const AclSelector& s : user.selectors) {
    int idx = 0;
    AclResult r = check_selector(s, &idx);
    if (r == AclResult::kOk) return r;
    if (static_cast<int>(r) > static_cast<int>(relevant) || (r == relevant && idx > last_idx)) {
      relevant = r;
      last_idx = idx;
    }
  }
  if (denied_arg != nullptr) *denied_arg = last_idx;
  return relevant;
}

// ---- Acl: the ACL file ----

std::optional<std::string> Acl::ParseFile(const std::string& path, UserMap* users) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "Error loading ACLs, opening file '" + path + "': " + std::strerror(errno);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string content = buf.str();
  std::string errors;
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= content.size()) {
    size_t nl = content.find('\n', start);
    if (nl == std::string::npos) nl = content.size();
    lines.push_back(std::string_view(content).substr(start, nl - start));
    start = nl + 1;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string where = path + ":" + std::to_string(i + 1);
    std::string line = Trim(lines[i], " \t\r\n");
    if (line.empty()) continue;
    std::vector<std::string> argv = SplitOnSpaces(line);
    if (argv[0] != "user" || argv.size() < 2) {
      errors += where + " should start with user keyword followed by the username. ";
      continue;
    }
    if (HasSpaces(argv[1])) {
      errors += "'" + where + ": username '" + argv[1] + "' contains invalid characters. ";
      continue;
    }
    if (users->count(argv[1]) != 0) {
      errors +=
          "WARNING: Duplicate user '" + argv[1] + "' found on line " + std::to_string(i + 1) + ". ";
      continue;
    }
    AclUser user = NewUser(argv[1]);
    size_t open_index = 0;
    auto merged =
        MergeSelectorArgs(std::vector<std::string>(argv.begin() + 2, argv.end()), &open_index);
    if (!merged) {
      errors += where + ": Unmatched parenthesis in selector definition.";
      continue;
    }
    for (const std::string& raw : *merged) {
      std::string rule = Trim(raw, "\t\r\n");
      if (auto err = ApplyRule(user, rule)) errors += where + ": " + *err + ". ";
    }
    Finish(user);
    std::string key = user.name;
    (*users)[key] = std::make_shared<const AclUser>(std::move(user));
  }
  if (!errors.empty()) {
    return errors +
           "WARNING: ACL errors detected, no change to the previously active ACL rules was "
           "performed";
  }
  if (users->count("default") == 0) {
    (*users)["default"] = std::make_shared<const AclUser>(DefaultUserTemplate());
  }
  return std::nullopt;
}

std::optional<std::string> Acl::LoadFile(const std::string& path,
                                         std::vector<std::string>* old_users) {
  UserMap users;
  if (auto err = ParseFile(path, &users)) return err;
  std::lock_guard lock(mu_);
  if (old_users != nullptr) {
    for (const auto& [name, user] : users_) {
      if (name != "default") old_users->push_back(name);
    }
  }
  users_ = std::move(users);
  version_.fetch_add(1, std::memory_order_acq_rel);
  return std::nullopt;
}

std::optional<std::string> Acl::CheckFile(const std::string& path) const {
  UserMap users;
  return ParseFile(path, &users);
}

std::optional<std::string> Acl::SaveFile(const std::string& path) const {
  std::string content;
  for (const std::string& line : DescribeUsers()) content += line + "\n";
  persistence::Status st = persistence::ReplaceFileAtomically(nullptr, path, content);
  if (!st.ok()) return "Saving the ACL file '" + path + "': " + st.message();
  return std::nullopt;
}

// ---- Acl: the log ----

void Acl::AddLogEntry(LogEntry entry, size_t max_len) {
  std::lock_guard lock(log_mu_);
  for (size_t i = 0; i < log_.size() && i < kLogGroupingScan; ++i) {
    LogEntry& e = log_[i];
    if (e.reason == entry.reason && e.context == entry.context && e.object == entry.object &&
        e.username == entry.username && std::abs(e.ctime_ms - entry.ctime_ms) <= kLogGroupingMs) {
      LogEntry match = std::move(e);
      log_.erase(log_.begin() + static_cast<std::ptrdiff_t>(i));
      match.count += 1;
      match.ctime_ms = entry.ctime_ms;
      match.client_info = std::move(entry.client_info);
      log_.insert(log_.begin(), std::move(match));
      return;
    }
  }
  log_.insert(log_.begin(), std::move(entry));
  if (log_.size() > max_len) log_.resize(max_len);
}

std::vector<Acl::LogEntry> Acl::LogEntries(size_t count) const {
  std::lock_guard lock(log_mu_);
  count = std::min(count, log_.size());
  return std::vector<LogEntry>(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(count));
}

void Acl::ResetLog() {
  std::lock_guard lock(log_mu_);
  log_.clear();
}

}  // namespace stashd::server
