// The command table: one row per command, as in Redis's commands.def. Every
// family declares its commands the same way, a CommandSpec written with
// designated initializers (see docs/ARCHITECTURE.md "Declaring a command"):
//
//   r.Register({.name = "get", .arity = 2, .flags = kReadonly | kFast,
//               .first_key = 1, .last_key = 1, .step = 1, .handler = CmdGet,
//               .acl_categories = AclCategory::kString,
//               .key_spec_flags = {KeySpecFlag::kRO | KeySpecFlag::kAccess},
//               .summary = "Get the value of a key", .since = "1.0.0",
//               .group = "string", .complexity = "O(1)",
//               .arguments = {ArgKey("key", 0)}});
//
// Arity follows Redis: a positive number is the exact argument count, a
// negative one the minimum; the command name counts. Key positions follow
// Redis too: first_key/last_key are argument indexes (last_key < 0 counts
// from the end), step the distance between keys; first_key == 0 means the
// command takes no key. The dispatcher uses them to check arity and to lock
// the shards the command touches; handlers never lock.
//
// A family of commands registers its rows with one function, e.g.
// RegisterStringFamily(CommandRegistry&).
//
// Thread safety: the registry is filled before the server starts and is
// immutable afterwards; every function here is then safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "server/exec/args.h"
#include "server/exec/command_arg.h"
#include "server/exec/notify.h"
#include "store/value.h"

namespace stashd::protocol {
class ReplyBuilder;
}
namespace stashd::store {
class Keyspace;
}

namespace stashd::server {

struct ClientState;
struct CommandStats;
class ServerState;

// Command flags: the Redis ones we report in COMMAND INFO, then our own.
enum CommandFlag : uint32_t {
  kWrite = 1 << 0,
  kReadonly = 1 << 1,
  kDenyOom = 1 << 2,
  kAdmin = 1 << 3,
  kPubSub = 1 << 4,
  kNoScript = 1 << 5,
  kBlocking = 1 << 6,
  kLoading = 1 << 7,
  kStale = 1 << 8,
  kSkipMonitor = 1 << 9,
  kSkipSlowlog = 1 << 10,
  kFast = 1 << 11,
  kNoAuth = 1 << 12,
  kMayReplicate = 1 << 13,
  kNoMulti = 1 << 14,
  kAllowBusy = 1 << 15,
  kSentinel = 1 << 16,
  kOnlySentinel = 1 << 17,
  kNoAsyncLoading = 1 << 18,
  kNoMandatoryKeys = 1 << 19,
  // stashd-internal, never reported:
  // Does not end a CLIENT CACHING yes/no (the CLIENT subcommands, as in
  // Redis): the next other command still reads its choice.
  kKeepsCaching = 1 << 20,
  // Runs a script (EVAL, FCALL ...): on its connection's io thread, which
  // a helper thread serves meanwhile once the script runs long (see
  // Placement in command_runner.h), so that the thread's other clients get
  // BUSY and can send SCRIPT KILL as Redis's do.
  kRunsScript = 1 << 21,
  // May run long (DELPREFIX): a connection runs it, or an EXEC queuing it,
  // on a background worker instead of its io thread, pausing its own input
  // until the reply is ready, so the thread's other connections go on. The
  // handler lets a waiting EXEC in between its batches (LetExecIn).
  kRunsLong = 1 << 23,
  kLockAll = 1 << 24,       // needs every shard locked (KEYS, FLUSHALL, ...)
  kSelfLocking = 1 << 25,   // the handler locks what it needs (SCAN)
  kMultiControl = 1 << 26,  // runs immediately inside MULTI (EXEC, DISCARD, ...)
  // Runs without the shared exec lock: takes the exec gate itself, to pause
  // other commands (SAVE) or to hold it exclusively (EXEC).
  kNoExecLock = 1 << 27,
  // Brackets its write-log record itself (EXEC: one record per transaction),
  // so the dispatcher does not.
  kOwnLogRecord = 1 << 28,
  // Refused with MISCONF while persistence fails although it does not write
  // (PING, as Redis does).
  kDeniedOnDiskError = 1 << 29,
  // Runs the client's queued transaction (EXEC): refused with MISCONF while
  // persistence fails if a queued command writes, and the refusal discards
  // the transaction (EXECABORT).
  kRunsQueued = 1u << 30,
  // Its arguments are key prefixes, not keys (DELPREFIX): the ACL requires
  // write permission on every key a prefix can name.
  kKeyPrefixArgs = 1u << 31,
};

// ACL categories, in Redis's order (acl.c), which COMMAND INFO and ACL CAT
// follow. A row lists the categories its flags do not imply (see
// AclCategories below).
enum class AclCategory : uint32_t {
  kKeyspace = 1u << 0,
  kRead = 1u << 1,
  kWrite = 1u << 2,
  kSet = 1u << 3,
  kSortedSet = 1u << 4,
  kList = 1u << 5,
  kHash = 1u << 6,
  kString = 1u << 7,
  kBitmap = 1u << 8,
  kHyperLogLog = 1u << 9,
  kGeo = 1u << 10,
  kStream = 1u << 11,
  kPubSub = 1u << 12,
  kAdmin = 1u << 13,
  kFast = 1u << 14,
  kSlow = 1u << 15,
  kBlocking = 1u << 16,
  kDangerous = 1u << 17,
  kConnection = 1u << 18,
  kTransaction = 1u << 19,
  kScripting = 1u << 20,
};
inline constexpr size_t kAclCategoryCount = 21;

// A set of ACL categories. Iterating it yields the names with '@'
// ("@keyspace", "@dangerous"), in Redis's order.
class AclCategorySet {
 public:
  constexpr AclCategorySet() = default;
  constexpr AclCategorySet(AclCategory c) : bits_(static_cast<uint32_t>(c)) {}  // NOLINT
  static constexpr AclCategorySet FromBits(uint32_t bits) {
    AclCategorySet s;
    s.bits_ = bits;
    return s;
  }
  constexpr uint32_t bits() const { return bits_; }
  constexpr bool Has(AclCategory c) const { return bits_ & static_cast<uint32_t>(c); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr AclCategorySet operator|(AclCategorySet o) const { return FromBits(bits_ | o.bits_); }
  constexpr AclCategorySet& operator|=(AclCategorySet o) {
    bits_ |= o.bits_;
    return *this;
  }
  bool operator==(const AclCategorySet&) const = default;

  class const_iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using reference = std::string_view;
    using pointer = void;
    using iterator_category = std::forward_iterator_tag;
    const_iterator() = default;
    const_iterator(uint32_t bits, size_t i) : bits_(bits), i_(i) { Skip(); }
    std::string_view operator*() const;
    const_iterator& operator++() {
      ++i_;
      Skip();
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    void Skip() {
      while (i_ < kAclCategoryCount && !((bits_ >> i_) & 1)) ++i_;
    }
    uint32_t bits_ = 0;
    size_t i_ = kAclCategoryCount;
  };
  using value_type = std::string_view;
  using iterator = const_iterator;
  const_iterator begin() const { return const_iterator(bits_, 0); }
  const_iterator end() const { return const_iterator(bits_, kAclCategoryCount); }
  size_t size() const { return static_cast<size_t>(__builtin_popcount(bits_)); }

 private:
  uint32_t bits_ = 0;
};

constexpr AclCategorySet operator|(AclCategory a, AclCategory b) {
  return AclCategorySet(a) | AclCategorySet(b);
}

// The flags of one key spec (Redis's CMD_KEY_*), in the order COMMAND INFO
// prints them.
enum class KeySpecFlag : uint16_t {
  kRO = 1 << 0,
  kRW = 1 << 1,
  kOW = 1 << 2,
  kRM = 1 << 3,
  kAccess = 1 << 4,
  kUpdate = 1 << 5,
  kInsert = 1 << 6,
  kDelete = 1 << 7,
  kNotKey = 1 << 8,
  kIncomplete = 1 << 9,
  kVariableFlags = 1 << 10,
};
inline constexpr size_t kKeySpecFlagCount = 11;

class KeySpecFlags {
 public:
  constexpr KeySpecFlags() = default;
  constexpr KeySpecFlags(KeySpecFlag f) : bits_(static_cast<uint16_t>(f)) {}  // NOLINT
  constexpr bool Has(KeySpecFlag f) const { return bits_ & static_cast<uint16_t>(f); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr KeySpecFlags operator|(KeySpecFlags o) const {
    KeySpecFlags r;
    r.bits_ = static_cast<uint16_t>(bits_ | o.bits_);
    return r;
  }
  bool operator==(const KeySpecFlags&) const = default;
  // "RW", "access", "update" ... as COMMAND INFO prints them.
  std::vector<std::string_view> Names() const;

 private:
  uint16_t bits_ = 0;
};

constexpr KeySpecFlags operator|(KeySpecFlag a, KeySpecFlag b) {
  return KeySpecFlags(a) | KeySpecFlags(b);
}

// Everything a handler may touch while it runs. The shards of the command's
// keys are locked for the whole call.
// What a blocked client gets when its block times out (or CLIENT UNBLOCK
// ends it): BLPOP's nil array, BLMOVE's nil, WAIT's 0 replicas.
enum class TimeoutReply : uint8_t { kNullArray, kNull, kZero };

// What a blocking handler that found nothing to serve it asks for (see
// server/exec/blocking.h).
struct BlockRequest {
  std::vector<std::string> keys;
  int64_t deadline_ms = 0;  // on the server clock; 0: none
  store::ValueType type = store::ValueType::kList;
  TimeoutReply timeout_reply = TimeoutReply::kNullArray;
  // The command line to re-run when a key is ready, if not the one given
  // (XREAD's `$` becomes the ID it stood for when the client blocked).
  std::optional<Args> rerun_args = std::nullopt;
};

struct CommandContext {
  const Args& args;
  ClientState& client;
  ServerState& server;
  store::Keyspace& keyspace;
  protocol::ReplyBuilder& reply;
  // Set while the handler runs to serve a blocked client: only this key may
  // serve it (see server/exec/blocking.h).
  const std::string* serving_key = nullptr;
  // Set by BlockOrTimeout(): block the client (the handler replied nothing).
  std::optional<BlockRequest> block = std::nullopt;
  int db() const;
  // Publishes a keyspace notification for `key` in the client's database
  // (server/exec/notify.h): `cls` a NotifyClass, `event` Redis's event name.
  void Notify(uint32_t cls, std::string_view event, std::string_view key);
  // The same for a key of database `db` (COPY ... DB, MOVE).
  void NotifyDb(int db, uint32_t cls, std::string_view event, std::string_view key);
};

using Handler = void (*)(CommandContext& ctx);

// For a key spec flagged kVariableFlags: the flags of the key in this command
// line (Redis's getkeys_proc; SET reads its key only with GET). The ACL
// checks keys with these and COMMAND GETKEYSANDFLAGS shows them (KeyArgs);
// COMMAND INFO shows the static flags, as Redis does.
using KeyFlagsFn = KeySpecFlags (*)(const Args& args);

// One key spec, as Redis declares it (COMMAND INFO "key specifications"):
// where the search for keys begins, and how the keys are found from there.
// Most rows leave key_specs empty and get index + range specs from
// first_key/last_key/step; commands whose keys move (a key count, a
// keyword) declare theirs, e.g. ZUNIONSTORE:
//
//   .key_specs = {KeySpec::Index(1, kOW | kUpdate),
//                 KeySpec::Index(2, kRO | kAccess).Keynum(0, 1, 1)}
struct KeySpec {
  enum class Begin : uint8_t { kIndex, kKeyword, kUnknown };
  enum class Find : uint8_t { kRange, kKeynum, kUnknown };

  KeySpecFlags flags = {};
  std::string notes = {};
  Begin begin = Begin::kIndex;
  int index = 0;        // kIndex: the argument the keys begin at
  std::string keyword;  // kKeyword: the keys begin after this argument,
  int startfrom = 0;    // searched from here (< 0: backwards from the end)
  Find find = Find::kRange;
  int lastkey = 0;    // kRange: the last key, relative to the first
                      // (< 0: counted from the end of the line)
  int keystep = 1;    // kRange, kKeynum: distance between keys
  int limit = 0;      // kRange with lastkey < 0: only 1/limit of the rest
  int keynumidx = 0;  // kKeynum: the key count, relative to the begin
  int firstkey = 1;   // kKeynum: the first key, relative to the begin

  // Keys beginning at argument `index`; one key unless Range/Keynum says more.
  static KeySpec Index(int index, KeySpecFlags flags) {
    KeySpec k;
    k.flags = flags;
    k.index = index;
    return k;
  }
  // Keys beginning after `keyword`, searched for from `startfrom`.
  static KeySpec Keyword(std::string keyword, int startfrom, KeySpecFlags flags) {
    KeySpec k;
    k.flags = flags;
    k.begin = Begin::kKeyword;
    k.keyword = std::move(keyword);
    k.startfrom = startfrom;
    return k;
  }
  // Keys only the command's get_keys function finds (SORT's STORE).
  static KeySpec Unknown(KeySpecFlags flags, std::string notes) {
    KeySpec k;
    k.flags = flags;
    k.notes = std::move(notes);
    k.begin = Begin::kUnknown;
    k.find = Find::kUnknown;
    return k;
  }
  KeySpec Range(int last, int step, int lim) && {
    lastkey = last;
    keystep = step;
    limit = lim;
    return std::move(*this);
  }
  KeySpec Keynum(int numidx, int first, int step) && {
    find = Find::kKeynum;
    keynumidx = numidx;
    firstkey = first;
    keystep = step;
    return std::move(*this);
  }
  KeySpec Notes(std::string text) && {
    notes = std::move(text);
    return std::move(*this);
  }
};

// For a command whose keys no key spec can find (SORT ... STORE): adds the
// positions of such keys in `args` through `add` (Redis's getkeys_proc).
using GetKeysFn = void (*)(const Args& args,
                           absl::FunctionRef<void(int index, KeySpecFlags flags)> add);

// Which arguments of a command are Pub/Sub channels the ACL checks against
// the user's channel patterns (Redis's getChannelsFromCommand): PUBLISH's
// first, every one of SUBSCRIBE's, PSUBSCRIBE's patterns (which must equal
// an allowed pattern). Unsubscribing is never checked.
enum class ChannelArgs : uint8_t { kNone, kFirst, kAll, kAllPatterns };

// One entry of a command's COMMAND DOCS "history".
struct HistoryEntry {
  std::string version = {};
  std::string change = {};
};

// One row of the command table. Write it with designated initializers, in
// this field order; leave out what does not apply.
struct CommandSpec {
  std::string name = {};  // lowercase; "config|get" for a subcommand
  int arity = 0;
  uint32_t flags = 0;  // CommandFlag bits
  int first_key = 0;
  int last_key = 0;
  int step = 0;
  Handler handler = nullptr;
  // Beyond those implied by flags (see AclCategories).
  AclCategorySet acl_categories = {};
  // Key specs: one entry per Redis key spec, with its flags. With one entry
  // the spec covers first_key..last_key by step (GET, MSET, DEL); with
  // several, entry i covers the key at first_key + i * step alone and the
  // last one runs on to last_key (RENAME: {RW access delete, OW update};
  // SINTERSTORE: {OW update, RO access}). A command with keys and no entry
  // gets one spec with no flags.
  std::vector<KeySpecFlags> key_spec_flags = {};
  KeyFlagsFn variable_key_flags = nullptr;  // see KeyFlagsFn
  // Explicit key specs, for commands whose keys move (see KeySpec); they
  // replace key_spec_flags.
  std::vector<KeySpec> key_specs = {};
  GetKeysFn get_keys = nullptr;                   // see GetKeysFn
  ChannelArgs channel_args = ChannelArgs::kNone;  // see ChannelArgs
  // Marks the arguments the slow log shows as "(redacted)" (passwords:
  // AUTH, HELLO AUTH, ACL SETUSER, CONFIG SET requirepass), as Redis's
  // redactClientCommandArgument. `redacted` has one entry per argument.
  void (*redact)(const Args& args, std::vector<bool>* redacted) = nullptr;
  // Command tips: "nondeterministic_output", "request_policy:all_shards"...
  std::vector<std::string> tips = {};

  // COMMAND DOCS, as in Redis's command JSON.
  std::string summary = {};
  std::string since = {};
  std::string group = {};
  std::string complexity = {};
  bool deprecated = false;  // doc_flags: deprecated
  std::string deprecated_since = {};
  std::string replaced_by = {};
  std::vector<HistoryEntry> history = {};
  std::vector<CommandArg> arguments = {};

  // Subcommands (CONFIG GET, CLIENT LIST ...). A command with subcommands
  // dispatches on argv[1]; its own handler is only called when none matches.
  std::vector<CommandSpec> subcommands = {};

  // The row's counters (INFO commandstats), set once by the ServerState
  // that owns the registry, so that each call finds them without a lookup.
  mutable CommandStats* stats = nullptr;

  bool HasKeys() const { return first_key > 0 || !key_specs.empty(); }
  const CommandSpec* FindSubcommand(std::string_view lowercase_name) const;
};

class CommandRegistry {
 public:
  // Adds a row; the name must be lowercase and not registered yet.
  void Register(CommandSpec spec);
  // Case-insensitive lookup; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  const absl::node_hash_map<std::string, CommandSpec>& all() const { return commands_; }

 private:
  // node_hash_map: specs keep their address, the dispatcher and stats hold pointers.
  absl::node_hash_map<std::string, CommandSpec> commands_;
};

// Replies a subcommand HELP text: an array of status lines, as Redis does.
void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines);

// The ACL categories of `spec` as Redis reports them: the explicit ones plus
// those its flags imply (write → @write, readonly → @read, admin → @admin
// and @dangerous, pubsub → @pubsub, fast → @fast, blocking → @blocking, and
// @slow when not @fast), without duplicates, in Redis's category order
// (@keyspace @read @write @set @sortedset @list @hash @string ... @fast
// @slow @blocking @dangerous @connection @transaction @scripting).
AclCategorySet AclCategoriesOf(const CommandSpec& spec);
// The same, as names with '@'.
std::vector<std::string_view> AclCategories(const CommandSpec& spec);

// True if `category` (without '@', case-insensitive) is one of AclCategories.
bool HasAclCategory(const CommandSpec& spec, std::string_view category);

// Every ACL category name (without '@') in Redis's order, as ACL CAT lists
// them; index i names the category of bit i of AclCategorySet::bits().
std::vector<std::string_view> AclCategoryNames();

// Looks up "name" or "parent|sub", case-insensitively; nullptr if unknown.
const CommandSpec* FindCommandByFullName(const CommandRegistry& registry, std::string_view name);

// The key specs of `spec`: its explicit `key_specs`, or those its
// first_key/last_key/step and key_spec_flags describe (index + range).
std::vector<KeySpec> KeySpecsOf(const CommandSpec& spec);

// True if the command's keys cannot be found from first_key/last_key/step
// alone (Redis's "movablekeys"): a key spec that is not index + range, or a
// get_keys function.
bool HasMovableKeys(const CommandSpec& spec);

// One key argument found by the key specs of a command.
struct KeyArg {
  int index;  // position in the command line (0 = name)
  // The flags of the key spec that found it; for a spec flagged
  // kVariableFlags, those of this command line (the row's
  // variable_key_flags, as Redis's getkeys_proc: SET ... GET, BITFIELD).
  KeySpecFlags flags;
};

// Calls fn for every key argument of `args` (args[0] being the command
// name), in key-spec order, as Redis's getKeysUsingKeySpecs finds them, then
// for those the row's get_keys function adds. Positions past the end of
// `args` end a spec's keys, as do a keyword that is absent and a key count
// that is not a number: the command itself then reports the error.
void ForEachKeyArg(const CommandSpec& spec, const Args& args,
                   absl::FunctionRef<void(int index, KeySpecFlags flags)> fn);
// The same, collected (with variable flags resolved, see KeyArg).
std::vector<KeyArg> KeyArgs(const CommandSpec& spec, const Args& args);

// Family registration functions, one per file under server/commands/.
void RegisterStringFamily(CommandRegistry& registry);
void RegisterHashFamily(CommandRegistry& registry);
void RegisterGeoFamily(CommandRegistry& registry);
void RegisterBitmapFamily(CommandRegistry& registry);
void RegisterHyperLogLogFamily(CommandRegistry& registry);
void RegisterSortFamily(CommandRegistry& registry);
void RegisterListFamily(CommandRegistry& registry);
void RegisterZSetFamily(CommandRegistry& registry);
void RegisterSetFamily(CommandRegistry& registry);
void RegisterKeyspaceFamily(CommandRegistry& registry);
void RegisterConnectionFamily(CommandRegistry& registry);
void RegisterServerFamily(CommandRegistry& registry);
void RegisterTransactionFamily(CommandRegistry& registry);
void RegisterPersistenceFamily(CommandRegistry& registry);
void RegisterAclFamily(CommandRegistry& registry);
void RegisterScriptingFamily(CommandRegistry& registry);
void RegisterPubSubFamily(CommandRegistry& registry);
void RegisterDumpFamily(CommandRegistry& registry);
void RegisterStreamFamily(CommandRegistry& registry);
void RegisterIntrospectionFamily(CommandRegistry& registry);
void RegisterClusterFamily(CommandRegistry& registry);

// All of the above.
void RegisterAllCommands(CommandRegistry& registry);

}  // namespace stashd::server
