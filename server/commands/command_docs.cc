#include "server/commands/command_docs.h"

#include <string_view>
#include <utility>
#include <vector>

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
    {kNoMandatoryKeys, "no_mandatory_keys"},
    {kNoAsyncLoading, "no_async_loading"},
    {kNoMulti, "no_multi"},
    {kAllowBusy, "allow_busy"},
};

void ReplyKeySpec(const KeySpec& k, protocol::ReplyBuilder& reply) {
  reply.MapLen(k.notes.empty() ? 3 : 4);
  if (!k.notes.empty()) {
    reply.Bulk("notes");
    reply.Bulk(k.notes);
  }
  reply.Bulk("flags");
  std::vector<std::string_view> flags = k.flags.Names();
  reply.SetLen(flags.size());
  for (std::string_view f : flags) reply.SimpleString(f);
  reply.Bulk("begin_search");
  reply.MapLen(2);
  reply.Bulk("type");
  switch (k.begin) {
    case KeySpec::Begin::kIndex:
      reply.Bulk("index");
      reply.Bulk("spec");
      reply.MapLen(1);
      reply.Bulk("index");
      reply.Integer(k.index);
      break;
    case KeySpec::Begin::kKeyword:
      reply.Bulk("keyword");
      reply.Bulk("spec");
      reply.MapLen(2);
      reply.Bulk("keyword");
      reply.Bulk(k.keyword);
      reply.Bulk("startfrom");
      reply.Integer(k.startfrom);
      break;
    case KeySpec::Begin::kUnknown:
      reply.Bulk("unknown");
      reply.Bulk("spec");
      reply.MapLen(0);
      break;
  }
  reply.Bulk("find_keys");
  reply.MapLen(2);
  reply.Bulk("type");
  switch (k.find) {
    case KeySpec::Find::kRange:
      reply.Bulk("range");
      reply.Bulk("spec");
      reply.MapLen(3);
      reply.Bulk("lastkey");
      reply.Integer(k.lastkey);
      reply.Bulk("keystep");
      reply.Integer(k.keystep);
      reply.Bulk("limit");
      reply.Integer(k.limit);
      break;
    case KeySpec::Find::kKeynum:
      reply.Bulk("keynum");
      reply.Bulk("spec");
      reply.MapLen(3);
      reply.Bulk("keynumidx");
      reply.Integer(k.keynumidx);
      reply.Bulk("firstkey");
      reply.Integer(k.firstkey);
      reply.Bulk("keystep");
      reply.Integer(k.keystep);
      break;
    case KeySpec::Find::kUnknown:
      reply.Bulk("unknown");
      reply.Bulk("spec");
      reply.MapLen(0);
      break;
  }
}

// A "name" / value pair of a docs map, left out when the value is empty.
void BulkField(std::string_view name, std::string_view value, protocol::ReplyBuilder& reply) {
  if (value.empty()) return;
  reply.Bulk(name);
  reply.Bulk(value);
}

// Redis's addReplyCommandArgList.
void ReplyArgs(const std::vector<CommandArg>& args, protocol::ReplyBuilder& reply) {
  constexpr std::pair<uint8_t, std::string_view> kArgFlagNames[] = {
      {kArgOptional, "optional"},
      {kArgMultiple, "multiple"},
      {kArgMultipleToken, "multiple_token"}};
  reply.ArrayLen(args.size());
  for (const CommandArg& arg : args) {
    size_t fields = 2;  // name, type
    fields += arg.key_spec_index >= 0 ? 1 : 0;
    fields += arg.token.empty() ? 0 : 1;
    fields += arg.since.empty() ? 0 : 1;
    fields += arg.deprecated_since.empty() ? 0 : 1;
    fields += arg.flags != 0 ? 1 : 0;
    fields += arg.arguments.empty() ? 0 : 1;
    reply.MapLen(fields);
    BulkField("name", arg.name, reply);
    BulkField("type", ArgTypeName(arg.type), reply);
    if (arg.key_spec_index >= 0) {
      reply.Bulk("key_spec_index");
      reply.Integer(arg.key_spec_index);
    }
    BulkField("token", arg.token, reply);
    BulkField("since", arg.since, reply);
    BulkField("deprecated_since", arg.deprecated_since, reply);
    if (arg.flags != 0) {
      reply.Bulk("flags");
      reply.SetLen(static_cast<size_t>(__builtin_popcount(arg.flags)));
      for (const auto& [flag, name] : kArgFlagNames) {
        if (arg.flags & flag) reply.SimpleString(name);
      }
    }
    if (!arg.arguments.empty()) {
      reply.Bulk("arguments");
      ReplyArgs(arg.arguments, reply);
    }
  }
}

}  // namespace

void ReplyCommandInfo(const CommandSpec& spec, protocol::ReplyBuilder& reply) {
  reply.ArrayLen(10);
  reply.Bulk(spec.name);
  reply.Integer(spec.arity);

  const bool movable = HasMovableKeys(spec);
  size_t nflags = movable ? 1 : 0;
  for (const FlagName& f : kFlagNames) nflags += (spec.flags & f.flag) ? 1 : 0;
  reply.SetLen(nflags);
  // Redis prints movablekeys between no_multi and allow_busy.
  for (const FlagName& f : kFlagNames) {
    if (f.flag == kAllowBusy && movable) reply.SimpleString("movablekeys");
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

  const std::vector<KeySpec> specs = KeySpecsOf(spec);
  reply.SetLen(specs.size());
  for (const KeySpec& k : specs) ReplyKeySpec(k, reply);

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
  fields += spec.deprecated ? 1 : 0;
  fields += spec.deprecated_since.empty() ? 0 : 1;
  fields += spec.replaced_by.empty() ? 0 : 1;
  fields += spec.history.empty() ? 0 : 1;
  fields += spec.arguments.empty() ? 0 : 1;
  fields += spec.subcommands.empty() ? 0 : 1;
  reply.MapLen(fields);
  BulkField("summary", spec.summary, reply);
  BulkField("since", spec.since, reply);
  reply.Bulk("group");
  reply.Bulk(spec.group);
  BulkField("complexity", spec.complexity, reply);
  if (spec.deprecated) {
    reply.Bulk("doc_flags");
    reply.SetLen(1);
    reply.SimpleString("deprecated");
  }
  BulkField("deprecated_since", spec.deprecated_since, reply);
  BulkField("replaced_by", spec.replaced_by, reply);
  if (!spec.history.empty()) {
    reply.Bulk("history");
    reply.SetLen(spec.history.size());
    for (const HistoryEntry& h : spec.history) {
      reply.ArrayLen(2);
      reply.Bulk(h.version);
      reply.Bulk(h.change);
    }
  }
  if (!spec.arguments.empty()) {
    reply.Bulk("arguments");
    ReplyArgs(spec.arguments, reply);
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

}  // namespace stashd::server
