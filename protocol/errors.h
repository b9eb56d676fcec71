// Every error text a client can see, with Redis 7's exact wording. Replies
// are written as "-" + text + "\r\n" by ReplyBuilder::Error. Texts that take
// an argument are format strings filled with absl::StrFormat-style "%s" by
// the caller (see server/).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace stashd::errors {

// Protocol
inline constexpr std::string_view kProtoInvalidMultibulk =
    "ERR Protocol error: invalid multibulk length";
inline constexpr std::string_view kProtoInvalidBulk = "ERR Protocol error: invalid bulk length";
inline constexpr std::string_view kProtoExpectedDollar =
    "ERR Protocol error: expected '$', got '%c'";
inline constexpr std::string_view kProtoTooBigInline = "ERR Protocol error: too big inline request";
inline constexpr std::string_view kProtoTooBigMbulk =
    "ERR Protocol error: too big mbulk count string";
inline constexpr std::string_view kProtoTooBigBulk =
    "ERR Protocol error: too big bulk count string";
inline constexpr std::string_view kProtoUnbalancedQuotes =
    "ERR Protocol error: unbalanced quotes in request";
inline constexpr std::string_view kProtoUnauthenticatedMultibulk =
    "ERR Protocol error: unauthenticated multibulk length";
inline constexpr std::string_view kProtoUnauthenticatedBulk =
    "ERR Protocol error: unauthenticated bulk length";

// Dispatcher
// A RESP2 client with subscriptions ran another command (%s: its full name).
inline constexpr std::string_view kSubscribedContext =
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
    "allowed in this context";
// A client in MONITOR mode (Redis counts it as a replica) ran a command that
// reads or writes keys, or may replicate.
inline constexpr std::string_view kReplicaKeyspace = "ERR Replica can't interact with the keyspace";
// MONITOR run inside EXEC (Redis's DENY BLOCKING clients: MULTI, scripts).
inline constexpr std::string_view kMonitorDenyBlocking =
    "ERR MONITOR isn't allowed for DENY BLOCKING client";
inline constexpr std::string_view kUnknownCommand =
    "ERR unknown command '%s', with args beginning with: %s";
inline constexpr std::string_view kWrongArgs = "ERR wrong number of arguments for '%s' command";
inline constexpr std::string_view kUnknownSubcommand = "ERR unknown subcommand '%s'. Try %s HELP.";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kAuthNotConfigured =
    "ERR AUTH <password> called without any password configured for the default user. Are you sure "
    "your configuration is correct?";

// Values and types
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kSyntax = "ERR syntax error";
// OBJECT IDLETIME under an LFU maxmemory policy.
inline constexpr std::string_view kLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
// OBJECT FREQ while no LFU maxmemory policy is selected.
inline constexpr std::string_view kLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust.";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kIncrFloatNaN = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
// Bitmaps
inline constexpr std::string_view kBitOffset = "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kBitValue = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kBitposBit = "ERR The bit argument must be 1 or 0.";
inline constexpr std::string_view kBitopNot =
    "ERR BITOP NOT must be called with a single source key.";
inline constexpr std::string_view kBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";
inline constexpr std::string_view kBitfieldOverflow = "ERR Invalid OVERFLOW type specified";
inline constexpr std::string_view kBitfieldReadOnly =
    "ERR BITFIELD_RO only supports the GET subcommand";
// HyperLogLog
inline constexpr std::string_view kNotHll =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kCorruptHll = "INVALIDOBJ Corrupted HLL object detected";
// Hashes
inline constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kNanOrInfinityArg = "ERR value is NaN or Infinity";
inline constexpr std::string_view kOutOfRange = "ERR value is out of range";
// Redis's wording, "must between" included.
inline constexpr std::string_view kOutOfRangeBetween =
    "ERR value is out of range, value must between %s and %s";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";

// Lists
inline constexpr std::string_view kListIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kListRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
inline constexpr std::string_view kListPosCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kListPosMaxlenNegative = "ERR MAXLEN can't be negative";
inline constexpr std::string_view kListPopCountNotPositive = "ERR count should be greater than 0";

// Sets (SPOP's count; SINTERCARD's numkeys and LIMIT, which ZINTERCARD shares)
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kNumkeysTooMany =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";

// Keyspace family (EXPIRE options, COPY/MOVE/SWAPDB indexes)
inline constexpr std::string_view kExpireNxConflict =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kExpireGtLtConflict =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr std::string_view kUnsupportedOption = "ERR Unsupported option %s";
inline constexpr std::string_view kInvalidFirstDbIndex = "ERR invalid first DB index";
inline constexpr std::string_view kInvalidSecondDbIndex = "ERR invalid second DB index";
// An integer argument outside a narrower range (Redis's getRangeLongFromObject),
// e.g. a DB index beyond int: filled with the bounds.
inline constexpr std::string_view kValueOutOfRange =
    "ERR value is out of range, value must between %s and %s";

// String family (DECRBY with -2^63, whose negation overflows)
inline constexpr std::string_view kDecrementOverflow = "ERR decrement would overflow";

// Transactions
inline constexpr std::string_view kMultiNested = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kWatchInMulti = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kCommandNotAllowedInMulti =
    "ERR Command not allowed inside a transaction";

// Connection family (HELLO, CLIENT)
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kHelloProtoNotInteger =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kHelloSyntax = "ERR Syntax error in HELLO option '%s'";
inline constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time";
inline constexpr std::string_view kClientNameInvalid =
    "ERR Client names cannot contain spaces, newlines or special characters.";
// CLIENT SETINFO (Redis 7.2); %s is the attribute as the client spelled it.
inline constexpr std::string_view kClientAttrInvalid =
    "ERR %s cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kClientUnrecognizedOption = "ERR Unrecognized option '%s'";
inline constexpr std::string_view kUnknownClientType = "ERR Unknown client type '%s'";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kClientIdNotPositive = "ERR client-id should be greater than 0";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kNoSuchUser = "ERR No such user '%s'";
// CLIENT TRACKING / CACHING (client-side caching)
inline constexpr std::string_view kTrackingRedirectMissing =
    "ERR The client ID you want redirect to does not exist";
inline constexpr std::string_view kTrackingSingleRedirect =
    "ERR A client can only redirect to a single other client";
inline constexpr std::string_view kTrackingPrefixNeedsBcast =
    "ERR PREFIX option requires BCAST mode to be enabled";
inline constexpr std::string_view kTrackingBcastSwitch =
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
inline constexpr std::string_view kTrackingOptInBcast =
    "ERR OPTIN and OPTOUT are not compatible with BCAST";
inline constexpr std::string_view kTrackingOptInAndOptOut =
    "ERR You can't specify both OPTIN mode and OPTOUT mode";
inline constexpr std::string_view kTrackingOptInSwitch =
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
inline constexpr std::string_view kTrackingPrefixOverlapsExisting =
    "ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must "
    "not overlap.";
inline constexpr std::string_view kTrackingPrefixOverlapsProvided =
    "ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client "
    "must not overlap.";
inline constexpr std::string_view kCachingNotTracking =
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
    "OPTOUT mode enabled";
inline constexpr std::string_view kCachingYesNeedsOptIn =
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
inline constexpr std::string_view kCachingNoNeedsOptOut =
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";

// Server family (CONFIG, COMMAND)
inline constexpr std::string_view kConfigUnknownOption =
    "ERR Unknown option or number of arguments for CONFIG SET - '%s'";
inline constexpr std::string_view kConfigSetFailed =
    "ERR CONFIG SET failed (possibly related to argument '%s') - %s";
inline constexpr std::string_view kConfigDuplicateParameter = "duplicate parameter";
// CONFIG SET refusals (after kConfigSetFailed's "... - ").
inline constexpr std::string_view kConfigImmutable = "can't set immutable config";
inline constexpr std::string_view kConfigProtected = "can't set protected config";
// dir / dbfilename when enable-protected-configs allows them: stashd keeps
// them fixed (the write log continues the snapshot in dir).
inline constexpr std::string_view kConfigProtectedFixed =
    "can't set immutable config: the write log continues the snapshot in this location; change "
    "it in the config file and restart";
inline constexpr std::string_view kConfigPortListenFailed =
    "Unable to listen on this port. Check server logs.";
inline constexpr std::string_view kConfigBindFailed = "Failed to bind to specified addresses.";
inline constexpr std::string_view kConfigNoFile = "ERR The server is running without a config file";
inline constexpr std::string_view kConfigRewriteFailed = "ERR Rewriting config file: %s";
inline constexpr std::string_view kInvalidCommandSpecified = "ERR Invalid command specified";
inline constexpr std::string_view kCommandHasNoKeys = "ERR The command has no key arguments";
inline constexpr std::string_view kCommandInvalidArgCount =
    "ERR Invalid number of arguments specified for command";
inline constexpr std::string_view kCommandInvalidArgs =
    "ERR Invalid arguments specified for command";

// Persistence (SAVE, BGSAVE, SHUTDOWN, MISCONF). A failed SAVE replies a
// bare "ERR", as Redis does.
inline constexpr std::string_view kMisconfSnapshot =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
inline constexpr std::string_view kMisconfLog = "MISCONF Errors writing to the AOF file: %s";
// A command that may grow memory while used memory is over maxmemory.
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kExecAbortBecause =
    "EXECABORT Transaction discarded because of: %s";
inline constexpr std::string_view kSaveFailed = "ERR";
inline constexpr std::string_view kBgsaveInProgress = "ERR Background save already in progress";
inline constexpr std::string_view kBgrewriteInProgress =
    "ERR Background append only file rewriting already in progress";
inline constexpr std::string_view kShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";
inline constexpr std::string_view kNoShutdownInProgress = "ERR No shutdown in progress.";
inline constexpr std::string_view kPersistenceUnavailable =
    "ERR persistence is not set up on this server";

// Sorted sets
inline constexpr std::string_view kZaddXxAndNx =
    "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kZaddGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kZaddIncrOnePair =
    "ERR INCR option supports a single increment-element pair";
inline constexpr std::string_view kScoreNaN = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kMinMaxNotLex = "ERR min or max not valid string range item";
inline constexpr std::string_view kLimitNeedsByScoreOrLex =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr std::string_view kWithscoresWithBylex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kNeedInputKey =
    "ERR at least 1 input key is needed for '%s' command";
inline constexpr std::string_view kWeightNotFloat = "ERR weight value is not a float";

// Bot scopes
inline constexpr std::string_view kEmptyPrefix = "ERR DELPREFIX prefix must not be empty";
inline constexpr std::string_view kScopeValueTooLarge =
    "ERR value too large: scope '%s' (keys starting with '%s') allows at most %s bytes";

// ACL: permission checks (dispatcher), ACL SETUSER rule errors (the %s after
// "modifier '%s': " is one of the kAclRule* reasons), the ACL command.
inline constexpr std::string_view kNoPermCommand =
    "NOPERM this user has no permissions to run the '%s' command";
inline constexpr std::string_view kNoPermKey =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
inline constexpr std::string_view kNoPermChannel =
    "NOPERM this user has no permissions to access one of the channels used as arguments";
inline constexpr std::string_view kNoPermExecChanged =
    "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
    "call. This command is no longer allowed for the following reason: %s";
inline constexpr std::string_view kNoPermExecCommandReason =
    "no permission to execute the command or subcommand";
inline constexpr std::string_view kNoPermExecKeyReason =
    "no permission to touch the specified keys";
inline constexpr std::string_view kNoPermExecChannelReason =
    "no permission to access one of the channels used as arguments";
inline constexpr std::string_view kAclSetUserModifier =
    "ERR Error in ACL SETUSER modifier '%s': %s";
inline constexpr std::string_view kAclUsernameSpaces =
    "ERR Usernames can't contain spaces or null characters";
inline constexpr std::string_view kAclUnmatchedParenthesis =
    "ERR Unmatched parenthesis in acl selector starting at '%s'.";
inline constexpr std::string_view kAclRuleUnknownName = "Unknown command or category name in ACL";
inline constexpr std::string_view kAclRuleSyntax = "Syntax error";
inline constexpr std::string_view kAclRulePatternAfterAllKeys =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
inline constexpr std::string_view kAclRulePatternAfterAllChannels =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
inline constexpr std::string_view kAclRuleNoSuchPassword =
    "The password you are trying to remove from the user does not exist";
inline constexpr std::string_view kAclRuleBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
inline constexpr std::string_view kAclRuleFirstArgOfSubcommand =
    "Allowing first-arg of a subcommand is not supported";
inline constexpr std::string_view kAclDefaultUserUndeletable =
    "ERR The 'default' user cannot be removed";
inline constexpr std::string_view kAclNoFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";
inline constexpr std::string_view kAclSaveFailed =
    "ERR There was an error trying to save the ACLs. Please check the server logs for more "
    "information";
inline constexpr std::string_view kAclUnknownCategory = "ERR Unknown category '%s'";
// A subcommand given too many arguments for its handler (%s: the
// subcommand as typed, then the command).
inline constexpr std::string_view kSubcommandSyntax =
    "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.";
// SLOWLOG GET count below -1 or not a number.
inline constexpr std::string_view kSlowlogCountRange =
    "ERR count should be greater than or equal to -1";
// LATENCY GRAPH of an event with no samples (%s: the event as typed).
inline constexpr std::string_view kLatencyNoSamples = "ERR No samples available for event '%s'";
inline constexpr std::string_view kAclGenpassBits =
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
    "number up to 4096";
inline constexpr std::string_view kAclUserNotFound = "ERR User '%s' not found";
inline constexpr std::string_view kAclCommandNotFound = "ERR Command '%s' not found";
// ACL DRYRUN answers these as bulk strings, not errors.
inline constexpr std::string_view kAclDryrunDeniedCommand =
    "This user has no permissions to run the '%s' command";
inline constexpr std::string_view kAclDryrunDeniedChannel =
    "This user has no permissions to access the '%s' channel";
inline constexpr std::string_view kAclDryrunDeniedKey =
    "This user has no permissions to access the '%s' key";

// Connections refused at accept time (written before closing).
inline constexpr std::string_view kMaxClients = "ERR max number of clients reached";
// Redis 7.0.15's text, typos included.
inline constexpr std::string_view kProtectedMode =
    "DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you "
    "do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just "
    "disable the protected mode by editing the Redis configuration file, and setting the "
    "protected mode option to 'no', and then restarting the server. 3) If you started the server "
    "manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an "
    "authentication password for the default user. NOTE: You only need to do one of the above "
    "things in order for the server to start accepting connections from the outside.";

// ---- Cluster (CLUSTER ..., READONLY, READWRITE, ASKING) ----
// stashd runs as Redis does with cluster-enabled no: every cluster command
// answers this, CLUSTER HELP and CLUSTER KEYSLOT included.
inline constexpr std::string_view kClusterDisabled =
    "ERR This instance has cluster support disabled";

// ---- LCS ----
inline constexpr std::string_view kLcsNotStrings =
    "ERR The specified keys must contain string values";
inline constexpr std::string_view kLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kLcsTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kLcsTooMuchMemory =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";

// ---- Blocking commands (BLPOP ... BZMPOP, WAIT, CLIENT UNBLOCK) ----
// A timeout in seconds (BLPOP...), then one in milliseconds (WAIT).
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kPauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL";
inline constexpr std::string_view kUnblockReason =
    "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
// The reply of a client whose block CLIENT UNBLOCK ... ERROR ended.
inline constexpr std::string_view kUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

// ---- SORT ----
inline constexpr std::string_view kSortByDenied =
    "ERR BY option of SORT denied due to insufficient ACL permissions.";
inline constexpr std::string_view kSortGetDenied =
    "ERR GET option of SORT denied due to insufficient ACL permissions.";
inline constexpr std::string_view kSortScoreNotDouble =
    "ERR One or more scores can't be converted into double";

// ---- Geo ----
inline constexpr std::string_view kGeoInvalidPosition = "ERR invalid longitude,latitude pair %s";
inline constexpr std::string_view kGeoUnsupportedUnit =
    "ERR unsupported unit provided. please use M, KM, FT, MI";
inline constexpr std::string_view kGeoNeedNumericRadius = "ERR need numeric radius";
inline constexpr std::string_view kGeoNeedNumericWidth = "ERR need numeric width";
inline constexpr std::string_view kGeoNeedNumericHeight = "ERR need numeric height";
inline constexpr std::string_view kGeoNegativeRadius = "ERR radius cannot be negative";
inline constexpr std::string_view kGeoNegativeBox = "ERR height or width cannot be negative";
inline constexpr std::string_view kGeoCouldNotDecodeMember =
    "ERR could not decode requested zset member";
inline constexpr std::string_view kGeoCountMustBePositive = "ERR COUNT must be > 0";
inline constexpr std::string_view kGeoAnyNeedsCount =
    "ERR the ANY argument requires COUNT argument";
// %s: "GEOSEARCHSTORE" or "STORE option in GEORADIUS".
inline constexpr std::string_view kGeoStoreIncompatible =
    "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
// %s: the command name as the client typed it.
inline constexpr std::string_view kGeoNeedFrom =
    "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s";
inline constexpr std::string_view kGeoNeedBy =
    "ERR exactly one of BYRADIUS and BYBOX can be specified for %s";

// Scripting (EVAL, SCRIPT, and what redis.call refuses inside a script).
inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr std::string_view kNegativeNumKeys = "ERR Number of keys can't be negative";
inline constexpr std::string_view kTooManyNumKeys =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kScriptWriteFlagInRo =
    "ERR Can not execute a script with write flag using *_ro command.";
inline constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
inline constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr std::string_view kBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBadNumKeys = "ERR Bad number of keys provided";
inline constexpr std::string_view kFunctionNotFound = "ERR Function not found";
inline constexpr std::string_view kLibraryNotFound = "ERR Library not found";
inline constexpr std::string_view kFunctionFlushOption =
    "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
inline constexpr std::string_view kFunctionListNoLibraryName =
    "ERR library name argument was not given";
inline constexpr std::string_view kFunctionLoadUnknownOption = "ERR Unknown option given: %s";
inline constexpr std::string_view kFunctionListUnknownArg = "ERR Unknown argument %s";
inline constexpr std::string_view kFunctionRestorePolicy =
    "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
inline constexpr std::string_view kBadDumpPayload =
    "ERR DUMP payload version or checksum are wrong";
// DUMP / RESTORE
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
inline constexpr std::string_view kBadDataFormat = "ERR Bad data format";
inline constexpr std::string_view kInvalidTtl = "ERR Invalid TTL value, must be >= 0";
inline constexpr std::string_view kInvalidIdleTime = "ERR Invalid IDLETIME value, must be >= 0";
inline constexpr std::string_view kInvalidFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";
inline constexpr std::string_view kNotAFunctionPayload = "ERR given type is not a function";
inline constexpr std::string_view kFunctionPreGaFormat = "ERR Pre-GA function format not supported";
// FUNCTION RESTORE of a library record whose code string cannot be read
// (truncated, or LZF that does not decompress): rdbFunctionLoad's words.
inline constexpr std::string_view kBadFunctionPayload = "ERR Failed loading library payload";
inline constexpr std::string_view kFunctionsNotSaved =
    "ERR Can't save the function libraries, the change is undone: %s";
inline constexpr std::string_view kScriptFlushOption =
    "ERR SCRIPT FLUSH only support SYNC|ASYNC option";
inline constexpr std::string_view kScriptUnknownCommand =
    "ERR Unknown Redis command called from script";
inline constexpr std::string_view kScriptWrongArgs =
    "ERR Wrong number of args calling Redis command from script";
inline constexpr std::string_view kScriptCommandNotAllowed =
    "ERR This Redis command is not allowed from script";
inline constexpr std::string_view kScriptWriteInReadOnly =
    "ERR Write commands are not allowed from read-only scripts.";
inline constexpr std::string_view kScriptNoPermCommand =
    "ERR The user executing the script can't run this command or subcommand";
inline constexpr std::string_view kScriptNoPermChannel =
    "ERR The user executing the script can't publish to the channel mentioned in the command";
inline constexpr std::string_view kScriptNoPermKey =
    "ERR The user executing the script can't access at least one of the keys mentioned in the "
    "command arguments";

// Fills each "%s" (or "%c") of `fmt` with the next argument, in order, as
// Redis's addReplyErrorFormat does with C strings: an argument ends at its
// first NUL byte (a "%c" that is NUL ends the whole text), and CR/LF at the
// start and end of the result are trimmed ("Unsupported option GT\n" ->
// "... GT"); ReplyBuilder::Error turns the ones inside into spaces.
inline std::string Format(std::string_view fmt, std::initializer_list<std::string_view> args) {
  std::string out;
  out.reserve(fmt.size() + 32);
  auto arg = args.begin();
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] == '%' && i + 1 < fmt.size() && (fmt[i + 1] == 's' || fmt[i + 1] == 'c') &&
        arg != args.end()) {
      std::string_view value = *arg++;
      const size_t nul = value.find('\0');
      if (nul != std::string_view::npos && fmt[i + 1] == 'c') break;
      out.append(value.substr(0, nul));
      ++i;
    } else {
      out.push_back(fmt[i]);
    }
  }
  const size_t first = out.find_first_not_of("\r\n");
  if (first == std::string::npos) return {};
  out.erase(out.find_last_not_of("\r\n") + 1);
  out.erase(0, first);
  return out;
}

// Streams
inline constexpr std::string_view kStreamBadId =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view kStreamIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
inline constexpr std::string_view kStreamIdZero =
    "ERR The ID specified in XADD must be greater than 0-0";
inline constexpr std::string_view kStreamExhausted =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
inline constexpr std::string_view kStreamMaxlenNegative = "ERR The MAXLEN argument must be >= 0.";
inline constexpr std::string_view kStreamLimitNegative = "ERR The LIMIT argument must be >= 0.";
inline constexpr std::string_view kStreamLimitNoStrategy =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
inline constexpr std::string_view kStreamLimitNoApprox =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
inline constexpr std::string_view kStreamTrimNoStrategy =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
inline constexpr std::string_view kStreamBadStart = "ERR invalid start ID for the interval";
inline constexpr std::string_view kStreamBadEnd = "ERR invalid end ID for the interval";
inline constexpr std::string_view kXsetidTooSmall =
    "ERR The ID specified in XSETID is smaller than the target stream top item";
inline constexpr std::string_view kXsetidBelowMaxDeleted =
    "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id";
inline constexpr std::string_view kXsetidBelowGivenMaxDeleted =
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
inline constexpr std::string_view kXsetidEntriesAdded =
    "ERR The entries_added specified in XSETID is smaller than the target stream length";
inline constexpr std::string_view kXsetidEntriesNegative = "ERR entries_added must be positive";
// %s: the command's full name, then '$' or '>'.
inline constexpr std::string_view kXreadUnbalanced =
    "ERR Unbalanced '%s' list of streams: for each stream key an ID or '%s' must be specified.";
inline constexpr std::string_view kXreadGroupOption =
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kXreadNoackOption =
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kXreadgroupMissingGroup =
    "ERR Missing GROUP option for XREADGROUP";
inline constexpr std::string_view kXreadgroupDollar =
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would "
    "just return an empty result set.";
inline constexpr std::string_view kXreadGreater =
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
    "<consumer> option.";
// %s: the command name as typed, lower case.
inline constexpr std::string_view kXreadBlockInScript =
    "ERR %s command is not allowed with BLOCK option from scripts";
inline constexpr std::string_view kXreadgroupNoGroup =
    "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option";
inline constexpr std::string_view kStreamKeyGone = "UNBLOCKED the stream key no longer exists";
inline constexpr std::string_view kXreadgroupGroupGone =
    "NOGROUP the consumer group this client was blocked on no longer exists";
inline constexpr std::string_view kStreamNoKeyOrGroup =
    "NOGROUP No such key '%s' or consumer group '%s'";
inline constexpr std::string_view kStreamNoGroup =
    "NOGROUP No such consumer group '%s' for key name '%s'";
inline constexpr std::string_view kXgroupNoKey =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use "
    "the MKSTREAM option to create an empty stream automatically.";
inline constexpr std::string_view kXgroupBusy = "BUSYGROUP Consumer Group name already exists";
inline constexpr std::string_view kXgroupEntriesRead =
    "ERR value for ENTRIESREAD must be positive or -1";
inline constexpr std::string_view kXclaimMinIdle = "ERR Invalid min-idle-time argument for XCLAIM";
inline constexpr std::string_view kXclaimIdle = "ERR Invalid IDLE option argument for XCLAIM";
inline constexpr std::string_view kXclaimTime = "ERR Invalid TIME option argument for XCLAIM";
inline constexpr std::string_view kXclaimRetry =
    "ERR Invalid RETRYCOUNT option argument for XCLAIM";
inline constexpr std::string_view kXclaimUnknownOption = "ERR Unrecognized XCLAIM option '%s'";
inline constexpr std::string_view kXautoclaimMinIdle =
    "ERR Invalid min-idle-time argument for XAUTOCLAIM";
inline constexpr std::string_view kXautoclaimCount = "ERR COUNT must be > 0";

}  // namespace stashd::errors
