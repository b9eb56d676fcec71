// The Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE
// PUBLISH, the shard forms SSUBSCRIBE SUNSUBSCRIBE SPUBLISH (a namespace of
// their own; stashd has no cluster, so every shard channel is local), and
// PUBSUB. Subscriptions and delivery live in server/exec/pubsub.h.
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "server/exec/dispatcher.h"
#include "server/exec/pubsub.h"
#include "server/server_state.h"

namespace stashd::server {
namespace {

// The count a (un)subscribe confirmation carries: channels and patterns
// together, shard channels alone (Redis 7.0).
int64_t SubscriptionCount(const ClientState& c, PubSubKind kind) {
  if (kind == PubSubKind::kShard) return static_cast<int64_t>(c.shard_channels.size());
  return static_cast<int64_t>(c.channels.size() + c.patterns.size());
}

// One confirmation: [kind, name or nil, count], a push in RESP3. Sent even
// under CLIENT REPLY OFF, as Redis sends its pushes.
void ReplyConfirmation(CommandContext& ctx, std::string_view what, const std::string* name,
                       PubSubKind kind) {
  protocol::ReplyBuilder muted;
  muted.set_resp3(ctx.reply.resp3());
  protocol::ReplyBuilder& out = ctx.client.replies_muted() ? muted : ctx.reply;
  out.PushLen(3);
  out.Bulk(what);
  if (name != nullptr) {
    out.Bulk(*name);
  } else {
    out.Null();
  }
  out.Integer(SubscriptionCount(ctx.client, kind));
  if (&out == &muted) ctx.client.kept_pushes += muted.buffer();
}

void SubscribeGeneric(CommandContext& ctx, PubSubKind kind, std::string_view what) {
  PubSubRegistry& registry = ctx.server.pubsub();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    registry.Subscribe(kind, ctx.args[i], ctx.client);
    ReplyConfirmation(ctx, what, &ctx.args[i], kind);
  }
}

// Without arguments: from every subscription of `kind`, or one reply with a
// nil name when there is none.
void UnsubscribeGeneric(CommandContext& ctx, PubSubKind kind, std::string_view what) {
  PubSubRegistry& registry = ctx.server.pubsub();
  std::vector<std::string> names;
  if (ctx.args.size() > 1) {
    names.assign(ctx.args.begin() + 1, ctx.args.end());
  } else {
    const auto& current = kind == PubSubKind::kChannel   ? ctx.client.channels
                          : kind == PubSubKind::kPattern ? ctx.client.patterns
                                                         : ctx.client.shard_channels;
    names.assign(current.begin(), current.end());
    if (names.empty()) {
      ReplyConfirmation(ctx, what, nullptr, kind);
      return;
    }
  }
  for (const std::string& name : names) {
    registry.Unsubscribe(kind, name, ctx.client);
    ReplyConfirmation(ctx, what, &name, kind);
  }
}

void CmdSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSubKind::kChannel, "subscribe"); }
void CmdPSubscribe(CommandContext& ctx) {
  SubscribeGeneric(ctx, PubSubKind::kPattern, "psubscribe");
}
void CmdSSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSubKind::kShard, "ssubscribe"); }
void CmdUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSubKind::kChannel, "unsubscribe");
}
void CmdPUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSubKind::kPattern, "punsubscribe");
}
void CmdSUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSubKind::kShard, "sunsubscribe");
}

void PublishGeneric(CommandContext& ctx, bool shard) {
  ctx.reply.Integer(ctx.server.pubsub().Publish(shard, ctx.args[1], ctx.args[2]));
}

void CmdPublish(CommandContext& ctx) { PublishGeneric(ctx, /*shard=*/false); }
void CmdSPublish(CommandContext& ctx) { PublishGeneric(ctx, /*shard=*/true); }

void ChannelsGeneric(CommandContext& ctx, bool shard) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::Format(errors::kSubcommandSyntax, {ctx.args[1], "PUBSUB"}));
    return;
  }
  std::optional<std::string_view> pattern;
  if (ctx.args.size() == 3) pattern = ctx.args[2];
  std::vector<std::string> channels = ctx.server.pubsub().Channels(shard, pattern);
  ctx.reply.ArrayLen(channels.size());
  for (const std::string& c : channels) ctx.reply.Bulk(c);
}

void NumSubGeneric(CommandContext& ctx, bool shard) {
  ctx.reply.ArrayLen((ctx.args.size() - 2) * 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Bulk(ctx.args[i]);
    ctx.reply.Integer(ctx.server.pubsub().NumSub(shard, ctx.args[i]));
  }
}

void CmdPubSubChannels(CommandContext& ctx) { ChannelsGeneric(ctx, /*shard=*/false); }
void CmdPubSubShardChannels(CommandContext& ctx) { ChannelsGeneric(ctx, /*shard=*/true); }
void CmdPubSubNumSub(CommandContext& ctx) { NumSubGeneric(ctx, /*shard=*/false); }
void CmdPubSubShardNumSub(CommandContext& ctx) { NumSubGeneric(ctx, /*shard=*/true); }
void CmdPubSubNumPat(CommandContext& ctx) { ctx.reply.Integer(ctx.server.pubsub().NumPat()); }

void CmdPubSubHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {
                "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CHANNELS [<pattern>]",
                "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT",
                "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]",
                "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]",
                "    Return the currently active shard level channels matching a <pattern> "
                "(default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]",
                "    Return the number of subscribers for the specified shard level "
                "channel(s)",
                "HELP",
                "    Prints this help.",
            });
}

}  // namespace

void RegisterPubSubFamily(CommandRegistry& r) {
  constexpr uint32_t kSub = kPubSub | kNoScript | kLoading | kStale;
  constexpr uint32_t kPub = kPubSub | kLoading | kStale | kFast;
  constexpr uint32_t kInfo = kPubSub | kLoading | kStale;
  const KeySpecFlags kChannelSpec = KeySpecFlag::kNotKey;

  r.Register({.name = "subscribe",
              .arity = -2,
              .flags = kSub,
              .handler = CmdSubscribe,
              .channel_args = ChannelArgs::kAll,
              .summary = "Listen for messages published to the given channels",
              .since = "2.0.0",
              .group = "pubsub",
              .complexity = "O(N) where N is the number of channels to subscribe to.",
              .arguments = {ArgString("channel").Multiple()}});
  r.Register(
      {.name = "unsubscribe",
       .arity = -1,
       .flags = kSub,
       .handler = CmdUnsubscribe,
       .summary = "Stop listening for messages posted to the given channels",
       .since = "2.0.0",
       .group = "pubsub",
       .complexity = "O(N) where N is the number of clients already subscribed to a channel.",
       .arguments = {ArgString("channel").Optional().Multiple()}});
  r.Register({.name = "psubscribe",
              .arity = -2,
              .flags = kSub,
              .handler = CmdPSubscribe,
              .channel_args = ChannelArgs::kAllPatterns,
              .summary = "Listen for messages published to channels matching the given patterns",
              .since = "2.0.0",
              .group = "pubsub",
              .complexity = "O(N) where N is the number of patterns the client is already "
                            "subscribed to.",
              .arguments = {ArgBlock("pattern", {ArgPattern("pattern")}).Multiple()}});
  r.Register({.name = "punsubscribe",
              .arity = -1,
              .flags = kSub,
              .handler = CmdPUnsubscribe,
              .summary = "Stop listening for messages posted to channels matching the given "
                         "patterns",
              .since = "2.0.0",
              .group = "pubsub",
              .complexity = "O(N+M) where N is the number of patterns the client is already "
                            "subscribed and M is the number of total patterns subscribed in the "
                            "system (by any client).",
              .arguments = {ArgPattern("pattern").Optional().Multiple()}});
  r.Register({.name = "publish",
              .arity = 3,
              .flags = kPub | kMayReplicate,
              .handler = CmdPublish,
              .channel_args = ChannelArgs::kFirst,
              .summary = "Post a message to a channel",
              .since = "2.0.0",
              .group = "pubsub",
              .complexity = "O(N+M) where N is the number of clients subscribed to the receiving "
                            "channel and M is the total number of subscribed patterns (by any "
                            "client).",
              .arguments = {ArgString("channel"), ArgString("message")}});
  r.Register({.name = "ssubscribe",
              .arity = -2,
              .flags = kSub,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdSSubscribe,
              .key_spec_flags = {kChannelSpec},
              .channel_args = ChannelArgs::kAll,
              .summary = "Listen for messages published to the given shard channels",
              .since = "7.0.0",
              .group = "pubsub",
              .complexity = "O(N) where N is the number of shard channels to subscribe to.",
              .arguments = {ArgKey("shardchannel", 0).Multiple()}});
  r.Register({.name = "sunsubscribe",
              .arity = -1,
              .flags = kSub,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .handler = CmdSUnsubscribe,
              .key_spec_flags = {kChannelSpec},
              .summary = "Stop listening for messages posted to the given shard channels",
              .since = "7.0.0",
              .group = "pubsub",
              .complexity = "O(N) where N is the number of clients already subscribed to a shard "
                            "channel.",
              .arguments = {ArgKey("shardchannel", 0).Optional().Multiple()}});
  r.Register({.name = "spublish",
              .arity = 3,
              .flags = kPub | kMayReplicate,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdSPublish,
              .key_spec_flags = {kChannelSpec},
              .channel_args = ChannelArgs::kFirst,
              .summary = "Post a message to a shard channel",
              .since = "7.0.0",
              .group = "pubsub",
              .complexity = "O(N) where N is the number of clients subscribed to the receiving "
                            "shard channel.",
              .arguments = {ArgKey("shardchannel", 0), ArgString("message")}});
  r.Register(
      {.name = "pubsub",
       .arity = -2,
       .summary = "A container for Pub/Sub commands",
       .since = "2.8.0",
       .group = "pubsub",
       .complexity = "Depends on subcommand.",
       .subcommands = {
           {.name = "pubsub|channels",
            .arity = -2,
            .flags = kInfo,
            .handler = CmdPubSubChannels,
            .summary = "List active channels",
            .since = "2.8.0",
            .group = "pubsub",
            .complexity = "O(N) where N is the number of active channels, and assuming constant "
                          "time pattern matching (relatively short channels and patterns)",
            .arguments = {ArgPattern("pattern").Optional()}},
           {.name = "pubsub|numpat",
            .arity = 2,
            .flags = kInfo,
            .handler = CmdPubSubNumPat,
            .summary = "Get the count of unique patterns pattern subscriptions",
            .since = "2.8.0",
            .group = "pubsub",
            .complexity = "O(1)"},
           {.name = "pubsub|numsub",
            .arity = -2,
            .flags = kInfo,
            .handler = CmdPubSubNumSub,
            .summary = "Get the count of subscribers for channels",
            .since = "2.8.0",
            .group = "pubsub",
            .complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested "
                          "channels",
            .arguments = {ArgString("channel").Optional().Multiple()}},
           {.name = "pubsub|shardchannels",
            .arity = -2,
            .flags = kInfo,
            .handler = CmdPubSubShardChannels,
            .summary = "List active shard channels",
            .since = "7.0.0",
            .group = "pubsub",
            .complexity = "O(N) where N is the number of active shard channels, and assuming "
                          "constant time pattern matching (relatively short shard channels).",
            .arguments = {ArgPattern("pattern").Optional()}},
           {.name = "pubsub|shardnumsub",
            .arity = -2,
            .flags = kInfo,
            .handler = CmdPubSubShardNumSub,
            .summary = "Get the count of subscribers for shard channels",
            .since = "7.0.0",
            .group = "pubsub",
            .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of "
                          "requested shard channels",
            .arguments = {ArgString("shardchannel").Optional().Multiple()}},
           {.name = "pubsub|help",
            .arity = 2,
            .flags = kLoading | kStale,
            .handler = CmdPubSubHelp,
            .summary = "Show helpful text about the different subcommands",
            .since = "6.2.0",
            .group = "pubsub",
            .complexity = "O(1)"}}});
}

}  // namespace stashd::server
