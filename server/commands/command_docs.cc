#include "server/commands/command_docs.h"

#include <array>
#include <bitset>

#include "absl/strings/ascii.h"
#include "protocol/reply_builder.h"

namespace stashd::server {
namespace {

// COMMAND INFO prints flags in this order (Redis addReplyFlagsForCommand).
// may_replicate, sentinel and only_sentinel are hidden there, and so here.
struct FlagName {
  uint32_t flag;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {
    {kWrite, "write"},
    {kReadonly, "readonly"},
    {kDenyOom, "denyoom"},
    {kAdmin, "admin"},
    {kPubSub, "pubsub"},
    {kNoScript, "noscript"},
    {kBlocking, "blocking"},
    {kLoading, "loading"},
    {kStale, "stale"},
    {kSkipMonitor, "skip_monitor"},
    {kSkipSlowlog, "skip_slowlog"},
    {kFast, "fast"},
    {kNoAuth, "no_auth"},
    {kNoAsyncLoading, "no_async_loading"},
    {kNoMulti, "no_multi"},
    {kAllowBusy, "allow_busy"},
};

// Redis's ACL category table (acl.c), whose order COMMAND INFO follows.
constexpr std::array<std::string_view, 21> kCategories = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return out;
}

constexpr size_t CategoryIndex(std::string_view name) {
  for (size_t i = 0; i < kCategories.size(); ++i) {
    if (kCategories[i] == name) return i;
  }
  return kCategories.size();
}

std::bitset<kCategories.size()> CategoryBits(const CommandSpec& spec) {
  std::bitset<kCategories.size()> bits;
  for (const std::string& explicit_category : spec.acl_categories) {
    std::string_view name = explicit_category;
    if (!name.empty() && name[0] == '@') name.remove_prefix(1);
    size_t i = CategoryIndex(Lower(name));
    if (i < bits.size()) bits.set(i);
  }
  // Redis setImplicitACLCategories().
  if (spec.flags & kWrite) bits.set(CategoryIndex("write"));
  if (spec.flags & kReadonly && !bits.test(CategoryIndex("scripting"))) {
    bits.set(CategoryIndex("read"));
  }
  if (spec.flags & kAdmin) {
    bits.set(CategoryIndex("admin"));
    bits.set(CategoryIndex("dangerous"));
  }
  if (spec.flags & kPubSub) bits.set(CategoryIndex("pubsub"));
  if (spec.flags & kFast) bits.set(CategoryIndex("fast"));
  if (spec.flags & kBlocking) bits.set(CategoryIndex("blocking"));
  if (!bits.test(CategoryIndex("fast"))) bits.set(CategoryIndex("slow"));
  return bits;
}

// The range one key spec covers, relative to its begin_search index as
// Redis's find_keys "range" spec is.
struct KeyRange {
  int index;
  int lastkey;
  int keystep;
  const std::string* flags;
};

std::vector<KeyRange> KeyRanges(const CommandSpec& spec) {
  std::vector<KeyRange> ranges;
  if (!spec.HasKeys()) return ranges;
  static const std::string kNoFlags;
  int step = spec.step > 0 ? spec.step : 1;
  size_t n = std::max<size_t>(1, spec.key_spec_flags.size());
  for (size_t i = 0; i < n; ++i) {
    KeyRange r;
    r.index = spec.first_key + static_cast<int>(i) * step;
    r.flags = spec.key_spec_flags.empty() ? &kNoFlags : &spec.key_spec_flags[i];
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

}  // namespace

std::vector<std::string_view> SplitKeySpecFlags(std::string_view flags) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < flags.size()) {
    size_t end = flags.find(' ', pos);
    if (end == std::string_view::npos) end = flags.size();
    if (end > pos) out.push_back(flags.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

namespace {

void ReplyKeySpec(const KeyRange& r, protocol::ReplyBuilder& reply) {
  reply.MapLen(3);
  reply.Bulk("flags");
  std::vector<std::string_view> flags = SplitKeySpecFlags(*r.flags);
  reply.SetLen(flags.size());
  for (std::string_view f : flags) reply.SimpleString(f);
  reply.Bulk("begin_search");
  reply.MapLen(2);
  reply.Bulk("type");
  reply.Bulk("index");
  reply.Bulk("spec");
  reply.MapLen(1);
  reply.Bulk("index");
  reply.Integer(r.index);
  reply.Bulk("find_keys");
  reply.MapLen(2);
  reply.Bulk("type");
  reply.Bulk("range");
  reply.Bulk("spec");
  reply.MapLen(3);
  reply.Bulk("lastkey");
  reply.Integer(r.lastkey);
  reply.Bulk("keystep");
  reply.Integer(r.keystep);
  reply.Bulk("limit");
  reply.Integer(0);
}

}  // namespace

std::vector<std::string_view> AclCategories(const CommandSpec& spec) {
  std::bitset<kCategories.size()> bits = CategoryBits(spec);
  std::vector<std::string_view> out;
  static const std::array<std::string, kCategories.size()> kWithAt = [] {
    std::array<std::string, kCategories.size()> a;
    for (size_t i = 0; i < kCategories.size(); ++i) a[i] = "@" + std::string(kCategories[i]);
    return a;
  }();
  for (size_t i = 0; i < kCategories.size(); ++i) {
    if (bits.test(i)) out.push_back(kWithAt[i]);
  }
  return out;
}

std::vector<std::string_view> AclCategoryNames() {
  return std::vector<std::string_view>(kCategories.begin(), kCategories.end());
}

bool HasAclCategory(const CommandSpec& spec, std::string_view category) {
  size_t i = CategoryIndex(Lower(category));
  return i < kCategories.size() && CategoryBits(spec).test(i);
}

const CommandSpec* FindCommandByFullName(const CommandRegistry& registry, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return registry.Find(name);
  const CommandSpec* parent = registry.Find(name.substr(0, bar));
  std::string_view sub = name.substr(bar + 1);
  if (parent == nullptr || sub.find('|') != std::string_view::npos) return nullptr;
  return parent->FindSubcommand(Lower(sub));
}

void ReplyCommandInfo(const CommandSpec& spec, protocol::ReplyBuilder& reply) {
  reply.ArrayLen(10);
  reply.Bulk(spec.name);
  reply.Integer(spec.arity);

  size_t nflags = 0;
  for (const FlagName& f : kFlagNames) nflags += (spec.flags & f.flag) ? 1 : 0;
  reply.SetLen(nflags);
  for (const FlagName& f : kFlagNames) {
    if (spec.flags & f.flag) reply.SimpleString(f.name);
  }

  reply.Integer(spec.first_key);
  reply.Integer(spec.first_key > 0 ? spec.last_key : 0);
  reply.Integer(spec.first_key > 0 ? spec.step : 0);

  std::vector<std::string_view> categories = AclCategories(spec);
  reply.SetLen(categories.size());
  for (std::string_view c : categories) reply.SimpleString(c);

  reply.SetLen(spec.tips.size());
  for (const std::string& tip : spec.tips) reply.Bulk(tip);

  std::vector<KeyRange> ranges = KeyRanges(spec);
  reply.SetLen(ranges.size());
  for (const KeyRange& r : ranges) ReplyKeySpec(r, reply);

  if (spec.subcommands.empty()) {
    reply.SetLen(0);
  } else {
    reply.ArrayLen(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) ReplyCommandInfo(sub, reply);
  }
}

void ReplyCommandDocs(const CommandSpec& spec, protocol::ReplyBuilder& reply) {
  size_t fields = 1;  // group is always there
  fields += spec.summary.empty() ? 0 : 1;
  fields += spec.since.empty() ? 0 : 1;
  fields += spec.complexity.empty() ? 0 : 1;
  fields += spec.subcommands.empty() ? 0 : 1;
  reply.MapLen(fields);
  if (!spec.summary.empty()) {
    reply.Bulk("summary");
    reply.Bulk(spec.summary);
  }
  if (!spec.since.empty()) {
    reply.Bulk("since");
    reply.Bulk(spec.since);
  }
  reply.Bulk("group");
  reply.Bulk(spec.group);
  if (!spec.complexity.empty()) {
    reply.Bulk("complexity");
    reply.Bulk(spec.complexity);
  }
  if (!spec.subcommands.empty()) {
    reply.Bulk("subcommands");
    reply.MapLen(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) {
      reply.Bulk(sub.name);
      ReplyCommandDocs(sub, reply);
    }
  }
}

std::vector<KeyArg> KeyArgs(const CommandSpec& spec, const Args& args) {
  std::vector<KeyArg> keys;
  int argc = static_cast<int>(args.size());
  for (const KeyRange& r : KeyRanges(spec)) {
    int last = r.lastkey >= 0 ? r.index + r.lastkey : argc + r.lastkey;
    for (int i = r.index; i <= last && i < argc; i += r.keystep) keys.push_back({i, r.flags});
  }
  return keys;
}

}  // namespace stashd::server
