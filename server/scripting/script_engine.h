// The Lua engine behind EVAL and friends: Lua 5.1, the version Redis embeds,
// with Redis's API (redis.call, redis.pcall, redis.error_reply, ...), the
// cjson, bit, struct and cmsgpack libraries, and Redis's sandbox (no new
// globals, no os/io, readonly library tables, a deterministic math.random).
//
// The engine knows Lua and RESP, not the keyspace: a script's redis.call
// hands the command line to a ScriptHost, which runs it through the
// dispatcher and gives back the RESP reply; the engine converts it to Lua
// values and converts the script's result back to RESP, as Redis documents
// ("Conversion between Lua and Redis data types"). Atomicity (no other
// command runs during a script) is the host's business.
//
// Errors follow Redis 7.0: an error raised inside the script is replied as
// "<error> script: <sha>, on @user_script:<line>.", an error table the
// script returns ({err=...}, redis.error_reply) is replied as it is.
//
// Thread safety: every public method may be called from any thread; one
// mutex guards the Lua state, so a script runs alone. RequestKill() and
// Running() do not take it (SCRIPT KILL while a script runs).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
struct lua_State;
}

namespace stashd::protocol {
class ReplyBuilder;
}

namespace stashd::server {

// What a script's redis.call runs its commands through.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // Runs `args` (args[0] is the command name) for the script and appends its
  // reply to `reply` (RESP3 if reply.resp3()). A call the host refuses
  // ("Unknown Redis command called from script", NOPERM ...) is an error
  // reply like any other.
  virtual void Call(std::vector<std::string>& args, protocol::ReplyBuilder& reply) = 0;
  // redis.acl_check_cmd: whether the script's user may run `args`; nullopt
  // if there is no such command.
  virtual std::optional<bool> AclCheck(std::vector<std::string>& args) = 0;
  // Called now and then while the script runs (every 100,000 Lua
  // instructions), from the thread that runs it.
  virtual void Tick() {}
};

// Script flags, from the "#!lua flags=..." shebang line (Redis 7.0).
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlotKeys = 1 << 4,
  // No shebang: a script of Redis before 7.0 (may write, no flags checked).
  kScriptEvalCompat = 1 << 8,
};

// Parses the shebang line of `body` into flags (kScriptEvalCompat when there
// is none) and the length of the line (without its '\n'); the error text
// (Redis's) on a bad shebang.
std::optional<std::string> ParseShebang(std::string_view body, uint32_t* flags,
                                        size_t* shebang_len);

class ScriptEngine {
 public:
  ScriptEngine();
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  // Compiles `body` into the script cache unless it is there; sets *sha.
  // Returns the error text (shebang or compile error) on failure.
  std::optional<std::string> Load(std::string_view body, std::string* sha);
  // The flags of a cached script (sha in lowercase); nullopt if unknown.
  std::optional<uint32_t> Flags(std::string_view sha);
  bool Exists(std::string_view sha);
  // SCRIPT FLUSH: forgets every script and starts a fresh Lua state.
  void Flush();
  size_t ScriptCount();
  // Bytes the Lua state uses (INFO used_memory_lua) and the cached scripts'
  // bodies (used_memory_scripts).
  size_t LuaMemory();
  size_t ScriptsMemory();

  // Runs the cached script `sha` with KEYS and ARGV; writes its result (or
  // error) to `out`. False if `sha` is not cached (nothing written).
  bool Run(std::string_view sha, std::span<const std::string> keys,
           std::span<const std::string> argv, ScriptHost& host, protocol::ReplyBuilder& out);

  // Redis 7 functions (FUNCTION LOAD, FCALL), in a Lua state of their own
  // as in Redis: a library is code starting "#!lua name=<library>" that
  // registers functions with redis.register_function when it is loaded.
  struct FunctionInfo {
    std::string name;
    uint32_t flags = 0;  // ScriptFlag bits
    std::optional<std::string> description;
  };
  struct LibraryInfo {
    std::string name;
    std::string code;
    std::vector<FunctionInfo> functions;
  };
  // Loads (or with `replace`, replaces) a library; sets *name. The error
  // text (Redis's) on failure, and then nothing changed.
  std::optional<std::string> LoadLibrary(std::string_view code, bool replace, std::string* name);
  bool DeleteLibrary(std::string_view name);
  void FlushLibraries();
  // FUNCTION RESTORE: loads libraries from their codes, all or none. kFlush
  // drops the current libraries first, kAppend fails on a library name that
  // exists, kReplace replaces such libraries.
  enum class RestorePolicy { kFlush, kAppend, kReplace };
  std::optional<std::string> RestoreLibraries(const std::vector<std::string>& codes,
                                              RestorePolicy policy);
  // Every library, by name.
  std::vector<LibraryInfo> Libraries();
  // Counts for FUNCTION STATS; they do not wait for a running function.
  size_t LibraryCount() const { return library_count_.load(); }
  size_t FunctionCount() const { return function_count_.load(); }
  // The flags of a function (names are case-insensitive); nullopt if none.
  std::optional<uint32_t> FunctionFlags(std::string_view name);
  // Runs function `name` with KEYS and ARGV; false if there is no such
  // function (nothing written). `command` is shown by FUNCTION STATS.
  bool CallFunction(std::string_view name, std::span<const std::string> keys,
                    std::span<const std::string> argv, const std::vector<std::string>& command,
                    ScriptHost& host, protocol::ReplyBuilder& out);
  // FUNCTION STATS: the running function, if one runs.
  struct RunningFunction {
    std::string name;
    std::vector<std::string> command;
    int64_t duration_ms = 0;
  };
  std::optional<RunningFunction> CurrentFunction();
  bool RunningAFunction() const { return running_function_.load(); }

  // SCRIPT KILL: the running script stops at its next check with
  // "ERR Script killed by user with SCRIPT KILL...".
  void RequestKill() { kill_requested_.store(true); }
  bool Running() const { return running_.load(); }
  // True while a script has been running for threshold_ms or more (the
  // busy-reply-threshold; 0: never busy).
  bool BusyFor(int64_t threshold_ms) const;

  struct Impl;

 private:
  void Reset();  // REQUIRES: mu_ held
  // Calls the function pushed on top of impl.L (below it: the error
  // handler, and its `nargs` arguments above it) and writes the result.
  void Invoke(Impl& impl, int nargs, std::string_view funcname, ScriptHost& host,
              protocol::ReplyBuilder& out);
  void ResetFunctions();  // REQUIRES: mu_ held
  void UpdateCounts();    // REQUIRES: mu_ held
  std::atomic<size_t> library_count_{0};
  std::atomic<size_t> function_count_{0};

  std::mutex mu_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Impl> functions_;  // the functions' Lua state and libraries
  std::atomic<bool> running_function_{false};
  std::mutex running_mu_;  // guards running_ (FUNCTION STATS reads it)
  RunningFunction running_info_;
  std::atomic<bool> kill_requested_{false};
  std::atomic<bool> running_{false};
  std::atomic<int64_t> running_since_ms_{0};
};

}  // namespace stashd::server
