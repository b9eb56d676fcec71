// DUMP and RESTORE: a key's value in Redis's serialization format (the RDB
// object encoding of Redis 7.0 with its version and CRC-64 footer, see
// persistence/rdb_value.h), so values move between stashd and Redis.
//
// A restored key is a new value arriving at its key: the scope's
// max-value-size and default TTL apply (Keyspace::StoreArrival), and the
// write log records it whole. IDLETIME sets the key's last access (under an
// LRU policy) and FREQ its access counter (under an LFU policy); the one the
// policy does not track is checked and ignored, as in Redis.
#include <cstdint>
#include <optional>
#include <string_view>

#include "persistence/rdb_payload.h"
#include "persistence/rdb_value.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/commands/scope_reply.h"
#include "server/exec/command.h"
#include "server/server_state.h"
#include "store/keyspace.h"
#include "store/string_ops.h"

namespace stashd::server {
namespace {

namespace rdb = persistence::rdb;
using store::Keyspace;

void CmdDump(CommandContext& ctx) {
  const std::optional<store::ValueView> value =
      ctx.keyspace.Find(ctx.db(), ctx.args[1], Keyspace::Lookup::kRead);
  if (!value) return ctx.reply.Null();
  const bool compress = ctx.server.config().rdbcompression.load();
  ctx.reply.Bulk(
      rdb::DumpPayload(*value, compress ? rdb::Compression::kLzf : rdb::Compression::kNone));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency], checked in Redis's order: options, then an existing key
// (BUSYKEY), the TTL, the footer, the value.
void CmdRestore(CommandContext& ctx) {
  bool replace = false;
  bool absttl = false;
  std::optional<int64_t> idle_seconds;
  std::optional<uint8_t> freq;
  for (size_t i = 4; i < ctx.args.size(); ++i) {
    const std::string& opt = ctx.args[i];
    const bool has_value = i + 1 < ctx.args.size();
    if (EqualsIgnoreCase(opt, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(opt, "absttl")) {
      absttl = true;
    } else if (EqualsIgnoreCase(opt, "idletime") && has_value && !freq) {
      const std::optional<int64_t> idle = store::ParseInt64(ctx.args[++i]);
      if (!idle) return ctx.reply.Error(errors::kNotInteger);
      if (*idle < 0) return ctx.reply.Error(errors::kInvalidIdleTime);
      idle_seconds = *idle;
    } else if (EqualsIgnoreCase(opt, "freq") && has_value && !idle_seconds) {
      const std::optional<int64_t> f = store::ParseInt64(ctx.args[++i]);
      if (!f) return ctx.reply.Error(errors::kNotInteger);
      if (*f < 0 || *f > 255) return ctx.reply.Error(errors::kInvalidFreq);
      freq = static_cast<uint8_t>(*f);
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  const std::string& key = ctx.args[1];
  if (!replace && ctx.keyspace.Find(ctx.db(), key)) return ctx.reply.Error(errors::kBusyKey);
  const std::optional<int64_t> ttl = store::ParseInt64(ctx.args[2]);
  if (!ttl) return ctx.reply.Error(errors::kNotInteger);
  if (*ttl < 0) return ctx.reply.Error(errors::kInvalidTtl);
  const std::optional<std::string_view> body = rdb::VerifyPayload(ctx.args[3]);
  if (!body) return ctx.reply.Error(errors::kBadDumpPayload);
  std::optional<rdb::LoadedValue> value = rdb::LoadValue(*body);
  ctx.server.stats().dump_payload_sanitizations.fetch_add(1);
  if (!value) return ctx.reply.Error(errors::kBadDataFormat);

  int64_t deadline = store::kNoExpiry;
  if (*ttl != 0) {
    const int64_t now = ctx.keyspace.clock().NowMs();
    // Redis adds in 64 bits and lets a huge TTL wrap into the past.
    deadline = absttl
                   ? *ttl
                   : static_cast<int64_t>(static_cast<uint64_t>(*ttl) + static_cast<uint64_t>(now));
    if (deadline <= now) {
      // Already expired: the key is not created, and REPLACE has deleted
      // the one there was.
      if (replace && ctx.keyspace.Delete(ctx.db(), key)) ctx.Notify(kNotifyGeneric, "del", key);
      return ctx.reply.Ok();
    }
  }
  const store::ScopeConfig* refused =
      ctx.keyspace.StoreArrival(ctx.db(), key, value->str, value->object.get(), deadline);
  if (refused != nullptr) return ReplyScopeValueTooLarge(ctx.reply, *refused);
  if (idle_seconds || freq) ctx.keyspace.SetAccessInfo(ctx.db(), key, idle_seconds, freq);
  ctx.Notify(kNotifyGeneric, "restore", key);
  ctx.reply.Ok();
}

}  // namespace

void RegisterDumpFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  r.Register({.name = "dump",
              .arity = 2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdDump,
              .acl_categories = AclCategory::kKeyspace,
              .key_spec_flags = {kRO | kAccess},
              .tips = {"nondeterministic_output"},
              .summary = "Return a serialized version of the value stored at the specified key.",
              .since = "2.6.0",
              .group = "generic",
              .complexity = "O(1) to access the key and additional O(N*M) to serialize it, where "
                            "N is the number of Redis objects composing the value and M their "
                            "average size. For small string values the time complexity is thus "
                            "O(1)+O(1*M) where M is small, so simply O(1).",
              .arguments = {ArgKey("key", 0)}});
  r.Register({.name = "restore",
              .arity = -4,
              .flags = kWrite | kDenyOom,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdRestore,
              .acl_categories = AclCategory::kKeyspace | AclCategory::kDangerous,
              .key_spec_flags = {kOW | kUpdate},
              .summary = "Create a key using the provided serialized value, previously obtained "
                         "using DUMP.",
              .since = "2.6.0",
              .group = "generic",
              .complexity =
                  "O(1) to create the new key and additional O(N*M) to reconstruct the "
                  "serialized value, where N is the number of Redis objects composing the value "
                  "and M their average size. For small string values the time complexity is "
                  "thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set "
                  "values the complexity is O(N*M*log(N)) because inserting values into sorted "
                  "sets is O(log(N)).",
              .history = {{"3.0.0", "Added the `REPLACE` modifier."},
                          {"5.0.0", "Added the `ABSTTL` modifier."},
                          {"5.0.0", "Added the `IDLETIME` and `FREQ` options."}},
              .arguments = {ArgKey("key", 0), ArgInteger("ttl"), ArgString("serialized-value"),
                            ArgToken("replace", "REPLACE").Since("3.0.0").Optional(),
                            ArgToken("absttl", "ABSTTL").Since("5.0.0").Optional(),
                            ArgInteger("seconds").Token("IDLETIME").Since("5.0.0").Optional(),
                            ArgInteger("frequency").Token("FREQ").Since("5.0.0").Optional()}});
}

}  // namespace stashd::server
