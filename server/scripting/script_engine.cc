#include "server/scripting/script_engine.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "protocol/reply_builder.h"
#include "protocol/reply_reader.h"
#include "protocol/resp_parser.h"
#include "server/base/ascii.h"
#include "server/scripting/lua_cmsgpack.h"
#include "server/scripting/lua_struct.h"
#include "server/scripting/sha1.h"
#include "spdlog/spdlog.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lua5.1/lua-bitop.h>
#include <lua5.1/lua-cjson.h>
#include <lualib.h>
}

// A note on errors. Lua 5.1 (a C library) raises errors with longjmp, which
// skips C++ destructors. So a C function registered with Lua never holds a
// C++ object with a destructor while it calls lua_error() or a Lua API
// function that may raise one: the C++ work happens in helper functions that
// return before the error is raised (see RedisCommand).

namespace stashd::server {
namespace {

// Registry keys: the addresses of these variables.
char kRunKey;        // the RunContext of the running script (light userdata)
char kImplKey;       // the engine's Impl (light userdata)
char kScriptsKey;    // sha -> compiled chunk
char kGlobalsKey;    // the real globals table (the scripts see a proxy)
char kProxyKey;      // the readonly proxy the scripts see as their globals
char kReadonlyKey;   // set of the tables scripts may not modify
char kFunctionsKey;  // lowercase function name -> callback (functions' state)
char kLoadKey;       // the LoadContext of a FUNCTION LOAD in progress
char kPendingKey;    // name -> callback registered by the load in progress

constexpr const char* kChunkName = "@user_script";
constexpr int kHookInstructions = 100000;
constexpr int kGcCyclePeriod = 50;

// Redis's log levels (redis.LOG_*).
enum LogLevel { kLogDebug = 0, kLogVerbose = 1, kLogNotice = 2, kLogWarning = 3 };

// Redis's PROPAGATE_* flags (redis.REPL_*).
constexpr int kReplAof = 1;
constexpr int kReplReplica = 2;

struct RunContext {
  ScriptHost* host = nullptr;
  const std::atomic<bool>* kill = nullptr;
  bool resp3 = false;  // redis.setresp(3)
  // Reused by every redis.call of the run (CallHost), which keeps their
  // heap buffers from one call to the next.
  std::vector<std::string> args;
  protocol::ReplyBuilder reply;
};

// What redis.register_function collects while a library loads.
struct LoadContext {
  std::vector<ScriptEngine::FunctionInfo> functions;
  int64_t start_ms = 0;
};

constexpr int64_t kLoadTimeoutMs = 500;  // Redis's LOAD_TIMEOUT_MS

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct ScriptEngine::Impl {
  lua_State* L = nullptr;
  struct Cached {
    uint32_t flags = 0;
    size_t body_size = 0;
  };
  absl::flat_hash_map<std::string, Cached> scripts;
  size_t body_bytes = 0;
  // Functions' state only: libraries by name, and lowercase function name
  // -> library name (the callbacks are in the registry, kFunctionsKey).
  absl::flat_hash_map<std::string, ScriptEngine::LibraryInfo> libraries;
  absl::flat_hash_map<std::string, std::string> function_library;
  int gc_count = 0;
  // math.random: a 48-bit linear congruential generator, the one of
  // lrand48(3), which Redis uses so every platform gives the same sequence.
  uint64_t rand_state = 0;
};

namespace {

void* RegistryPointer(lua_State* L, const char* key) {
  lua_pushlightuserdata(L, const_cast<char*>(key));
  lua_rawget(L, LUA_REGISTRYINDEX);
  void* p = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return p;
}

void SetRegistry(lua_State* L, const char* key) {  // registry[key] = top, popped
  lua_pushlightuserdata(L, const_cast<char*>(key));
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

void PushRegistry(lua_State* L, const char* key) {
  lua_pushlightuserdata(L, const_cast<char*>(key));
  lua_rawget(L, LUA_REGISTRYINDEX);
}

RunContext* CurrentRun(lua_State* L) {
  return static_cast<RunContext*>(RegistryPointer(L, &kRunKey));
}

ScriptEngine::Impl* EngineOf(lua_State* L) {
  return static_cast<ScriptEngine::Impl*>(RegistryPointer(L, &kImplKey));
}

// Pushes Redis's error table {err = "CODE message"}: `error` is either
// "-CODE message" (an error reply) or a bare message, which gets "ERR".
void PushErrorTable(lua_State* L, std::string_view error) {
  std::string code = "ERR";
  std::string msg;
  if (!error.empty() && error[0] == '-') {
    const size_t space = error.find(' ');
    if (space == std::string_view::npos) {
      msg = std::string(error.substr(1));
    } else {
      code = std::string(error.substr(1, space - 1));
      msg = std::string(error.substr(space + 1));
    }
  } else {
    msg = std::string(error);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.erase(0, 1);
  const std::string text = code + " " + msg;
  lua_newtable(L);
  lua_pushlstring(L, text.data(), text.size());
  lua_setfield(L, -2, "err");
}

// ---------------------------------------------------------------------------
// RESP -> Lua (a command's reply, for redis.call)

void PushReply(lua_State* L, protocol::ReplyReader& r) {
  using Kind = protocol::ReplyItem::Kind;
  protocol::ReplyItem item;
  lua_checkstack(L, 5);
  if (!r.Next(&item)) {
    lua_pushnil(L);
    return;
  }
  switch (item.kind) {
    case Kind::kSimple:
      lua_newtable(L);
      lua_pushlstring(L, item.str.data(), item.str.size());
      lua_setfield(L, -2, "ok");
      return;
    case Kind::kError: {
      std::string e = "-";
      e.append(item.str);
      PushErrorTable(L, e);
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "ignore_error_stats_update");
      return;
    }
    case Kind::kInteger:
      lua_pushnumber(L, static_cast<lua_Number>(item.integer));
      return;
    case Kind::kBulk:
      lua_pushlstring(L, item.str.data(), item.str.size());
      return;
    case Kind::kNullBulk:
    case Kind::kNullArray:
      lua_pushboolean(L, 0);
      return;
    case Kind::kNull:
      lua_pushnil(L);
      return;
    case Kind::kBool:
      lua_pushboolean(L, item.integer != 0);
      return;
    case Kind::kDouble:
      lua_newtable(L);
      lua_pushnumber(L, item.dbl);
      lua_setfield(L, -2, "double");
      return;
    case Kind::kBigNumber:
      lua_newtable(L);
      lua_pushlstring(L, item.str.data(), item.str.size());
      lua_setfield(L, -2, "big_number");
      return;
    case Kind::kVerbatim:
      lua_newtable(L);
      lua_newtable(L);
      lua_pushlstring(L, item.str.data(), item.str.size());
      lua_setfield(L, -2, "string");
      lua_pushlstring(L, item.format.data(), item.format.size());
      lua_setfield(L, -2, "format");
      lua_setfield(L, -2, "verbatim_string");
      return;
    case Kind::kArray:
      lua_newtable(L);
      for (size_t j = 0; j < item.len; ++j) {
        PushReply(L, r);
        lua_rawseti(L, -2, static_cast<int>(j + 1));
      }
      return;
    case Kind::kMap:
      lua_newtable(L);
      lua_newtable(L);
      for (size_t j = 0; j < item.len; ++j) {
        PushReply(L, r);
        PushReply(L, r);
        if (lua_isnil(L, -2)) {
          lua_pop(L, 2);
        } else {
          lua_rawset(L, -3);
        }
      }
      lua_setfield(L, -2, "map");
      return;
    case Kind::kSet:
      lua_newtable(L);
      lua_newtable(L);
      for (size_t j = 0; j < item.len; ++j) {
        PushReply(L, r);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          continue;
        }
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
      }
      lua_setfield(L, -2, "set");
      return;
    case Kind::kAttribute:
      // Not shown to scripts (as Redis): skip it, then the reply itself.
      for (size_t j = 0; j < 2 * item.len; ++j) {
        PushReply(L, r);
        lua_pop(L, 1);
      }
      PushReply(L, r);
      return;
  }
  lua_pushnil(L);
}

// ---------------------------------------------------------------------------
// Lua -> RESP (the script's result)

int64_t LuaNumberToInteger(lua_Number d) {
  // As C's (long long) cast on x86-64: out of range (and NaN) gives INT64_MIN.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

std::string NoNewlines(const char* s, size_t len) {
  std::string out(s, len);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// Writes the value on top of the stack and pops it. Uses raw access only,
// so no metamethod (which could raise an error) runs.
void WriteLuaValue(lua_State* L, bool script_resp3, protocol::ReplyBuilder& out) {
  if (!lua_checkstack(L, 4)) {
    out.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      out.Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (!script_resp3) {
        if (lua_toboolean(L, -1)) {
          out.Integer(1);
        } else {
          out.Null();
        }
      } else {
        out.Bool(lua_toboolean(L, -1) != 0);
      }
      break;
    case LUA_TNUMBER:
      out.Integer(LuaNumberToInteger(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      auto field = [&](const char* name) {
        lua_pushstring(L, name);
        lua_rawget(L, -2);
        return lua_type(L, -1);
      };
      if (field("err") == LUA_TSTRING) {
        size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        out.Error(std::string_view(s, len));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (field("ok") == LUA_TSTRING) {
        size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        out.SimpleString(NoNewlines(s, len));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (field("double") == LUA_TNUMBER) {
        out.Double(lua_tonumber(L, -1));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (field("big_number") == LUA_TSTRING) {
        size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        out.BigNumber(NoNewlines(s, len));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (field("verbatim_string") == LUA_TTABLE) {
        lua_pushstring(L, "format");
        lua_rawget(L, -2);
        lua_pushstring(L, "string");
        lua_rawget(L, -3);
        size_t flen = 0, slen = 0;
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
          const char* f = lua_tolstring(L, -2, &flen);
          const char* s = lua_tolstring(L, -1, &slen);
          std::string format(f, flen);
          format.resize(3, ' ');
          out.Verbatim(std::string_view(s, slen), format);
          lua_pop(L, 4);
          return;
        }
        lua_pop(L, 2);
      }
      lua_pop(L, 1);
      if (field("map") == LUA_TTABLE) {
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          ++n;
        }
        out.MapLen(n);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          lua_insert(L, -2);  // table, key, key copy, value
          lua_insert(L, -2);  // table, key, value, key copy
          WriteLuaValue(L, script_resp3, out);
          WriteLuaValue(L, script_resp3, out);
        }
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (field("set") == LUA_TTABLE) {
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          ++n;
        }
        out.SetLen(n);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          WriteLuaValue(L, script_resp3, out);
        }
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      // An array: up to the first nil.
      int n = 0;
      while (true) {
        lua_rawgeti(L, -1, n + 1);
        const bool nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil) break;
        ++n;
      }
      out.ArrayLen(static_cast<size_t>(n));
      for (int j = 1; j <= n; ++j) {
        lua_rawgeti(L, -1, j);
        WriteLuaValue(L, script_resp3, out);
      }
      break;
    }
    default:
      out.Null();
  }
  lua_pop(L, 1);
}

// Replies the error object on top of the stack (what the error handler
// made of the error) and pops it.
void WriteError(lua_State* L, std::string_view sha, protocol::ReplyBuilder& out) {
  if (!lua_istable(L, -1)) {
    std::string msg = "execution failure";
    if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
    out.Error("ERR Error running script " + std::string(sha) + ", " + msg.substr(0, 100));
    lua_pop(L, 1);
    return;
  }
  std::string msg;
  std::string source;
  std::string line;
  bool has_msg = false;
  bool has_source = false;
  bool has_line = false;
  lua_getfield(L, -1, "err");
  if (lua_isstring(L, -1)) {
    msg = lua_tostring(L, -1);
    has_msg = true;
  }
  lua_pop(L, 1);
  lua_getfield(L, -1, "source");
  if (lua_isstring(L, -1)) {
    source = lua_tostring(L, -1);
    has_source = true;
  }
  lua_pop(L, 1);
  lua_getfield(L, -1, "line");
  if (lua_isstring(L, -1)) {
    line = lua_tostring(L, -1);
    has_line = true;
  }
  lua_pop(L, 2);
  // Redis 7.0.15 crashes on an error table without "err" (error({})).
  if (!has_msg) msg = "ERR unknown error";
  if (has_source && has_line) {
    msg += " script: ";
    msg += sha;
    msg += ", on ";
    msg += source;
    msg += ":";
    msg += line;
    msg += ".";
  }
  out.Error(msg);
}

// ---------------------------------------------------------------------------
// The functions scripts call

// Runs the command in the arguments on the stack through the host and
// pushes its reply; true if the reply is an error (an error table).
bool CallHost(lua_State* L, RunContext* run, bool acl_check) {
  const int argc = lua_gettop(L);
  if (argc == 0) {
    PushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return true;
  }
  std::vector<std::string>& args = run->args;
  args.resize(static_cast<size_t>(argc));
  for (int j = 1; j <= argc; ++j) {
    std::string& arg = args[static_cast<size_t>(j - 1)];
    if (lua_type(L, j) == LUA_TNUMBER) {
      // Not lua_tolstring: Lua's "%.14g" loses precision. Redis formats
      // with "%.17g", which writes an integral value below 1e15 as its
      // digits: those take the short way.
      const lua_Number num = lua_tonumber(L, j);
      char buf[64];
      size_t n = 0;
      if (std::trunc(num) == num && std::fabs(num) < 1e15 && !(num == 0 && std::signbit(num))) {
        n = static_cast<size_t>(
            std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(num)).ptr - buf);
      } else {
        n = static_cast<size_t>(std::snprintf(buf, sizeof(buf), "%.17g", num));
      }
      arg.assign(buf, n);
    } else if (lua_type(L, j) == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L, j, &len);
      arg.assign(s, len);
    } else {
      lua_pop(L, argc);
      PushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
      return true;
    }
  }
  lua_pop(L, argc);
  if (acl_check) {
    std::optional<bool> ok;
    try {
      ok = run->host->AclCheck(args);
    } catch (const std::exception& e) {
      PushErrorTable(L, e.what());
      return true;
    }
    if (!ok) {
      PushErrorTable(L, "Invalid command passed to redis.acl_check_cmd()");
      return true;
    }
    lua_pushboolean(L, *ok ? 1 : 0);
    return false;
  }
  protocol::ReplyBuilder& reply = run->reply;
  reply.Clear();
  reply.set_resp3(run->resp3);
  try {
    run->host->Call(args, reply);
  } catch (const std::exception& e) {
    PushErrorTable(L, e.what());
    return true;
  }
  const bool error = !reply.buffer().empty() && reply.buffer()[0] == '-';
  protocol::ReplyReader reader(reply.buffer());
  PushReply(L, reader);
  return error;
}

int RaiseError(lua_State* L, const char* message) {
  PushErrorTable(L, message);
  return lua_error(L);
}

int RedisCommand(lua_State* L, bool raise) {
  RunContext* run = CurrentRun(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.call/pcall can only be called inside a script invocation");
  }
  const bool failed = CallHost(L, run, /*acl_check=*/false);
  if (failed && raise) return lua_error(L);
  return 1;
}

int LuaRedisCall(lua_State* L) { return RedisCommand(L, true); }
int LuaRedisPcall(lua_State* L) { return RedisCommand(L, false); }

int LuaAclCheckCmd(lua_State* L) {
  RunContext* run = CurrentRun(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.acl_check_cmd can only be called inside a script invocation");
  }
  if (CallHost(L, run, /*acl_check=*/true)) return lua_error(L);
  return 1;
}

// pcall, as Redis 7 replaces it: an error table caught is returned as its
// "err" string, as scripts written for Redis 6 expect.
int LuaPcall(lua_State* L) {
  luaL_checkany(L, 1);
  const int argc = lua_gettop(L);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

std::string Sha1Of(const char* s, size_t len) { return Sha1Hex(std::string_view(s, len)); }

int LuaSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  char digest[41];
  {
    const std::string hex = s == nullptr ? Sha1Of("", 0) : Sha1Of(s, len);
    std::memcpy(digest, hex.data(), 40);
  }
  digest[40] = '\0';
  lua_pushstring(L, digest);
  return 1;
}

int LuaErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  if (len > 0 && s[0] == '-') {
    PushErrorTable(L, std::string_view(s, len));
  } else {
    PushErrorTable(L, "-" + std::string(s, len));
  }
  return 1;
}

int LuaStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "ok");
  return 1;
}

int LuaSetRepl(lua_State* L) {
  if (CurrentRun(L) == nullptr) {
    return RaiseError(L, "redis.set_repl can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.set_repl() requires two arguments.");
  const auto flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~(kReplAof | kReplReplica)) != 0) {
    return RaiseError(L,
                      "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
                      "REPL_NONE.");
  }
  // Without replication, and with a write log that records what a script
  // changed, there is nothing to switch: accepted as Redis accepts it.
  return 0;
}

int LuaReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int LuaBreakpoint(lua_State* L) {  // no debugger session: always false
  lua_pushboolean(L, 0);
  return 1;
}

int LuaDebug(lua_State*) { return 0; }  // no debugger session: ignored

void Log(int level, const char* s, size_t len) {
  const std::string_view text(s, len);
  switch (level) {
    case kLogDebug:
    case kLogVerbose:
      spdlog::debug("{}", text);
      break;
    case kLogNotice:
      spdlog::info("{}", text);
      break;
    default:
      spdlog::warn("{}", text);
  }
}

int LuaLog(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) return RaiseError(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, -argc)) return RaiseError(L, "First argument must be a number (log level).");
  const auto level = static_cast<int>(lua_tonumber(L, -argc));
  if (level < kLogDebug || level > kLogWarning) return RaiseError(L, "Invalid debug level.");
  // Glued with spaces, in a Lua buffer (no C++ object across Lua calls).
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  bool first = true;
  for (int j = 2; j <= argc; ++j) {
    size_t len = 0;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) continue;
    if (!first) luaL_addchar(&b, ' ');
    luaL_addlstring(&b, s, len);
    first = false;
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  Log(level, s, len);
  return 0;
}

int LuaSetResp(lua_State* L) {
  RunContext* run = CurrentRun(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.setresp can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.setresp() requires one argument.");
  const auto resp = static_cast<int>(lua_tonumber(L, -1));
  if (resp != 2 && resp != 3) return RaiseError(L, "RESP version must be 2 or 3.");
  run->resp3 = resp == 3;
  return 0;
}

// math.random and math.randomseed on lrand48's generator (Lua's own
// implementation with rand() replaced, as Redis does).
constexpr int64_t kRandMax = 2147483647;  // INT32_MAX

int32_t NextRand(ScriptEngine::Impl* e) {
  e->rand_state = (0x5DEECE66Dull * e->rand_state + 0xB) & ((1ull << 48) - 1);
  return static_cast<int32_t>(e->rand_state >> 17);
}

void SeedRand(ScriptEngine::Impl* e, int32_t seed) {
  e->rand_state = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E;
}

int LuaMathRandom(lua_State* L) {
  if (CurrentRun(L) == nullptr) {
    return luaL_error(L, "math.random can only be called inside a script invocation");
  }
  const lua_Number r =
      static_cast<lua_Number>(NextRand(EngineOf(L)) % kRandMax) / static_cast<lua_Number>(kRandMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int LuaMathRandomSeed(lua_State* L) {
  if (CurrentRun(L) == nullptr) {
    return luaL_error(L, "math.randomseed can only be called inside a script invocation");
  }
  SeedRand(EngineOf(L), luaL_checkint(L, 1));
  return 0;
}

// The sandbox. Scripts see a proxy of the globals: reading a name that does
// not exist and writing any name are errors with Redis's texts. Library
// tables are proxies too, so `string.x = 1` fails as on Redis (whose Lua is
// patched with readonly tables; Debian's is not).
int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name == nullptr ? "?" : name);
}

int ReadonlyNewIndex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

bool IsReadonly(lua_State* L, int index) {
  lua_pushvalue(L, index);
  PushRegistry(L, &kReadonlyKey);
  lua_insert(L, -2);
  lua_rawget(L, -2);
  const bool ro = lua_toboolean(L, -1) != 0;
  lua_pop(L, 2);
  return ro;
}

int LuaRawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (IsReadonly(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// loadstring and load refuse precompiled chunks (Lua bytecode is not
// verified: a crafted one can break out of the sandbox).
bool IsBinaryChunk(const char* s, size_t len) { return len > 0 && s[0] == LUA_SIGNATURE[0]; }

int LoadChunk(lua_State* L, const char* s, size_t len, const char* name) {
  if (IsBinaryChunk(s, len)) {
    lua_pushnil(L);
    lua_pushstring(L, "attempt to load a binary chunk");
    return 2;
  }
  if (luaL_loadbuffer(L, s, len, name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

int LuaLoadString(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, s);
  return LoadChunk(L, s, len, name);
}

int LuaLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  lua_settop(L, 2);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (true) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    if (lua_objlen(L, -1) == 0) {
      lua_pop(L, 1);
      break;
    }
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  return LoadChunk(L, s, len, name);
}

// The message handler of every script call: turns the error into Redis's
// error table {err=..., source=..., line=...}.
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) != 0 && lua_getinfo(L, "nSl", &ar) != 0;
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(L, 2, &ar) != 0 && lua_getinfo(L, "nSl", &ar) != 0;
  }
  if (!lua_istable(L, 1)) {
    // {err = 'ERR ' .. tostring(err)}
    lua_getglobal(L, "tostring");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_pushstring(L, "ERR ");
    lua_insert(L, -2);
    lua_concat(L, 2);
    lua_newtable(L);
    lua_insert(L, -2);
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
  }
  lua_settop(L, 1);
  if (have) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushnumber(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  return 1;
}

void CountHook(lua_State* L, lua_Debug*) {
  RunContext* run = CurrentRun(L);
  if (run == nullptr) return;
  run->host->Tick();
  if (!run->kill->load()) return;
  spdlog::warn("Lua script killed by user with SCRIPT KILL.");
  // From now on at every line, so that a pcall cannot swallow the kill.
  lua_sethook(L, CountHook, LUA_MASKLINE, 0);
  RaiseError(L, "Script killed by user with SCRIPT KILL...");
}

void OpenLib(lua_State* L, const char* name, lua_CFunction open) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
}

void SetFunction(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

// Makes the table on top readonly for scripts; leaves the table there.
void MarkReadonly(lua_State* L) {
  PushRegistry(L, &kReadonlyKey);
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// Pushes an empty table that scripts cannot modify: what getmetatable()
// returns for a proxy, so `getmetatable(_G).__index = {}` fails as on Redis.
void PushReadonlyEmpty(lua_State* L) {
  lua_newtable(L);
  lua_newtable(L);
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  MarkReadonly(L);
}

// Replaces the table on top with a readonly proxy of it.
void PushReadonlyProxy(lua_State* L) {
  lua_newtable(L);       // real, proxy
  lua_newtable(L);       // real, proxy, meta
  lua_pushvalue(L, -3);  // real, proxy, meta, real
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  PushReadonlyEmpty(L);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);  // real, proxy
  lua_remove(L, -2);        // proxy
  MarkReadonly(L);
}

// setmetatable, refusing the readonly tables (upvalue 1: the original).
int LuaSetMetatable(lua_State* L) {
  if (lua_istable(L, 1) && IsReadonly(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// ---------------------------------------------------------------------------
// Functions: redis.register_function and the API a library sees while it
// loads.

constexpr const char* kBadNameError =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least "
    "one character long";

bool ValidName(const char* s, size_t len) {
  if (len == 0) return false;
  for (size_t i = 0; i < len; ++i) {
    const char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

bool SameNameIgnoringCase(const std::string& a, const char* b, size_t len) {
  if (a.size() != len) return false;
  for (size_t i = 0; i < len; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Adds a function to the library being loaded; false if the library
// already has one of that name. Calls no Lua function.
bool AddPendingFunction(LoadContext* ctx, const char* name, size_t len, uint32_t flags,
                        const char* desc, size_t desc_len) {
  for (const auto& f : ctx->functions) {
    if (SameNameIgnoringCase(f.name, name, len)) return false;
  }
  ScriptEngine::FunctionInfo info;
  info.name.assign(name, len);
  info.flags = flags;
  if (desc != nullptr) info.description = std::string(desc, desc_len);
  ctx->functions.push_back(std::move(info));
  return true;
}

// Flag names in the table at `index`; false if one is unknown.
bool ParseFunctionFlags(lua_State* L, int index, uint32_t* flags) {
  *flags = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    const char* f = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : nullptr;
    lua_pop(L, 1);
    if (f == nullptr) {
      lua_pop(L, 1);
      return false;
    }
    if (std::strcmp(f, "no-writes") == 0) {
      *flags |= kScriptNoWrites;
    } else if (std::strcmp(f, "allow-oom") == 0) {
      *flags |= kScriptAllowOom;
    } else if (std::strcmp(f, "allow-stale") == 0) {
      *flags |= kScriptAllowStale;
    } else if (std::strcmp(f, "no-cluster") == 0) {
      *flags |= kScriptNoCluster;
    } else if (std::strcmp(f, "allow-cross-slot-keys") == 0) {
      *flags |= kScriptAllowCrossSlotKeys;
    } else {
      lua_pop(L, 1);
      return false;
    }
  }
  return true;
}

// Pushes `s` in lowercase.
void PushLower(lua_State* L, const char* s, size_t len) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t i = 0; i < len; ++i) {
    luaL_addchar(&b, static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
  }
  luaL_pushresult(&b);
}

// redis.register_function(name, callback) or
// redis.register_function{function_name=, callback=, flags=, description=}.
int LuaRegisterFunction(lua_State* L) {
  auto* ctx = static_cast<LoadContext*>(RegistryPointer(L, &kLoadKey));
  if (ctx == nullptr) {
    return RaiseError(L, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  const int argc = lua_gettop(L);
  const char* name = nullptr;
  size_t name_len = 0;
  const char* desc = nullptr;
  size_t desc_len = 0;
  uint32_t flags = 0;
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      return RaiseError(L,
                        "calling redis.register_function with a single argument is only "
                        "applicable to Lua table (representing named arguments).");
    }
    bool has_callback = false;
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        return RaiseError(L, "named argument key given to redis.register_function is not a string");
      }
      const char* key = lua_tostring(L, -2);
      if (std::strcmp(key, "function_name") == 0) {
        if (lua_type(L, -1) != LUA_TSTRING) {
          return RaiseError(L,
                            "function_name argument given to redis.register_function must be a "
                            "string");
        }
        name = lua_tolstring(L, -1, &name_len);  // the table keeps it alive
      } else if (std::strcmp(key, "description") == 0) {
        if (lua_type(L, -1) != LUA_TSTRING) {
          return RaiseError(L,
                            "description argument given to redis.register_function must be a "
                            "string");
        }
        desc = lua_tolstring(L, -1, &desc_len);
      } else if (std::strcmp(key, "callback") == 0) {
        if (!lua_isfunction(L, -1)) {
          return RaiseError(L,
                            "callback argument given to redis.register_function must be a "
                            "function");
        }
        has_callback = true;
      } else if (std::strcmp(key, "flags") == 0) {
        if (!lua_istable(L, -1)) {
          return RaiseError(L,
                            "flags argument to redis.register_function must be a table "
                            "representing function flags");
        }
        if (!ParseFunctionFlags(L, lua_gettop(L), &flags)) {
          return RaiseError(L, "unknown flag given");
        }
      } else {
        return RaiseError(L, "unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (name == nullptr) {
      return RaiseError(L, "redis.register_function must get a function name argument");
    }
    if (!has_callback) return RaiseError(L, "redis.register_function must get a callback argument");
    lua_getfield(L, 1, "callback");
  } else if (argc == 2) {
    if (lua_type(L, 1) != LUA_TSTRING) {
      return RaiseError(L, "first argument to redis.register_function must be a string");
    }
    if (!lua_isfunction(L, 2)) {
      return RaiseError(L, "second argument to redis.register_function must be a function");
    }
    name = lua_tolstring(L, 1, &name_len);
    lua_pushvalue(L, 2);
  } else {
    return RaiseError(L, "wrong number of arguments to redis.register_function");
  }
  if (!ValidName(name, name_len)) return RaiseError(L, kBadNameError);
  if (!AddPendingFunction(ctx, name, name_len, flags, desc, desc_len)) {
    return RaiseError(L, "Function already exists in the library");
  }
  // pending[lowercase name] = callback (on top)
  PushRegistry(L, &kPendingKey);
  PushLower(L, name, name_len);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  return 0;
}

void LoadHook(lua_State* L, lua_Debug*) {
  auto* ctx = static_cast<LoadContext*>(RegistryPointer(L, &kLoadKey));
  if (ctx == nullptr || SteadyNowMs() - ctx->start_ms <= kLoadTimeoutMs) return;
  lua_sethook(L, LoadHook, LUA_MASKLINE, 0);
  RaiseError(L, "FUNCTION LOAD timeout");
}

// Pushes the environment a library's code runs in while it loads. As in
// Redis, the loading code sees nothing but a `redis` with what Redis offers at
// load time; once the library is committed, the environment (which its
// functions keep) reads through to the globals and gets the full redis API.
void PushLoadEnvironment(lua_State* L) {
  lua_newtable(L);  // env: stays empty, so that every assignment meets __newindex
  lua_newtable(L);  // env, meta
  // What loading code can read: `redis` (the load-time API) and nothing else.
  lua_newtable(L);  // env, meta, visible
  lua_newtable(L);  // env, meta, visible, api
  SetFunction(L, "register_function", LuaRegisterFunction);
  SetFunction(L, "log", LuaLog);
  SetNumber(L, "LOG_DEBUG", kLogDebug);
  SetNumber(L, "LOG_VERBOSE", kLogVerbose);
  SetNumber(L, "LOG_NOTICE", kLogNotice);
  SetNumber(L, "LOG_WARNING", kLogWarning);
  SetNumber(L, "REDIS_VERSION_NUM", 0x07000f);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  lua_newtable(L);  // ..., api, meta
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  PushReadonlyEmpty(L);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  MarkReadonly(L);
  lua_setfield(L, -2, "redis");  // env, meta, visible
  lua_newtable(L);               // env, meta, visible, visible_meta
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "__index");  // env, meta
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  PushReadonlyEmpty(L);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  MarkReadonly(L);
}

extern "C" int LuaPanic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  spdlog::critical("Lua panic (unprotected error): {}", msg == nullptr ? "?" : msg);
  std::abort();
}

lua_State* NewLuaState(ScriptEngine::Impl* impl) {
  lua_State* L = luaL_newstate();
  lua_atpanic(L, LuaPanic);
  lua_pushlightuserdata(L, impl);
  SetRegistry(L, &kImplKey);
  lua_newtable(L);
  SetRegistry(L, &kScriptsKey);
  lua_newtable(L);
  SetRegistry(L, &kReadonlyKey);

  OpenLib(L, "", luaopen_base);
  lua_pop(L, 1);
  OpenLib(L, LUA_TABLIBNAME, luaopen_table);
  lua_pop(L, 1);
  OpenLib(L, LUA_STRLIBNAME, luaopen_string);
  lua_pop(L, 1);
  OpenLib(L, LUA_MATHLIBNAME, luaopen_math);
  lua_pop(L, 1);
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  lua_pushcfunction(L, luaopen_bit);
  lua_call(L, 0, 1);
  lua_setglobal(L, "bit");
  lua_pushcfunction(L, OpenLuaStruct);
  lua_call(L, 0, 1);
  lua_setglobal(L, "struct");
  lua_pushcfunction(L, OpenLuaCmsgpack);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cmsgpack");

  // Not in the sandbox: Redis's deny list, and newproxy, which Redis 7.0
  // leaves out of its allow list (a script cannot read it there).
  for (const char* name : {"print", "dofile", "loadfile", "newproxy"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_pushcfunction(L, LuaPcall);
  lua_setglobal(L, "pcall");
  lua_pushcfunction(L, LuaRawset);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, LuaLoadString);
  lua_setglobal(L, "loadstring");
  lua_pushcfunction(L, LuaLoad);
  lua_setglobal(L, "load");
  lua_getglobal(L, "setmetatable");
  lua_pushcclosure(L, LuaSetMetatable, 1);
  lua_setglobal(L, "setmetatable");

  lua_getglobal(L, "math");
  SetFunction(L, "random", LuaMathRandom);
  SetFunction(L, "randomseed", LuaMathRandomSeed);
  lua_pop(L, 1);

  lua_newtable(L);
  SetFunction(L, "call", LuaRedisCall);
  SetFunction(L, "pcall", LuaRedisPcall);
  SetFunction(L, "log", LuaLog);
  SetNumber(L, "LOG_DEBUG", kLogDebug);
  SetNumber(L, "LOG_VERBOSE", kLogVerbose);
  SetNumber(L, "LOG_NOTICE", kLogNotice);
  SetNumber(L, "LOG_WARNING", kLogWarning);
  SetNumber(L, "REDIS_VERSION_NUM", 0x07000f);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  SetFunction(L, "setresp", LuaSetResp);
  SetFunction(L, "sha1hex", LuaSha1Hex);
  SetFunction(L, "error_reply", LuaErrorReply);
  SetFunction(L, "status_reply", LuaStatusReply);
  SetFunction(L, "set_repl", LuaSetRepl);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", kReplAof);
  SetNumber(L, "REPL_SLAVE", kReplReplica);
  SetNumber(L, "REPL_REPLICA", kReplReplica);
  SetNumber(L, "REPL_ALL", kReplAof | kReplReplica);
  SetFunction(L, "replicate_commands", LuaReplicateCommands);
  SetFunction(L, "breakpoint", LuaBreakpoint);
  SetFunction(L, "debug", LuaDebug);
  SetFunction(L, "acl_check_cmd", LuaAclCheckCmd);
  lua_setglobal(L, "redis");

  // Library tables become readonly proxies.
  for (const char* name :
       {"string", "math", "table", "coroutine", "cjson", "bit", "struct", "cmsgpack", "redis"}) {
    lua_getglobal(L, name);
    PushReadonlyProxy(L);
    lua_setglobal(L, name);
  }

  // The real globals: a missing name is an error.
  lua_pushvalue(L, LUA_GLOBALSINDEX);  // real
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  SetRegistry(L, &kGlobalsKey);
  // The globals scripts see: a readonly proxy whose _G is itself.
  lua_pushvalue(L, -1);
  PushReadonlyProxy(L);  // real, proxy
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "_G");  // real._G = proxy (raw: existing key)
  lua_pushvalue(L, -1);
  SetRegistry(L, &kProxyKey);
  lua_replace(L, LUA_GLOBALSINDEX);  // real
  MarkReadonly(L);
  lua_pop(L, 1);
  return L;
}

}  // namespace

std::optional<std::string> ParseShebang(std::string_view body, uint32_t* flags,
                                        size_t* shebang_len) {
  *flags = kScriptEvalCompat;
  *shebang_len = 0;
  if (!body.starts_with("#!")) return std::nullopt;
  size_t end = body.find('\n');
  if (end == std::string_view::npos) end = body.size();
  const std::string_view line = body.substr(0, end);
  *shebang_len = end;
  // "#!<engine> [name=value ...]", space separated.
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) parts.push_back(line.substr(i, j - i));
    i = j;
  }
  if (parts.empty() || parts[0] != "#!lua") {
    return "ERR Unexpected engine in script shebang: " +
           std::string(parts.empty() ? line : parts[0]);
  }
  uint32_t f = 0;
  for (size_t p = 1; p < parts.size(); ++p) {
    if (!parts[p].starts_with("flags=")) {
      return "ERR Unknown lua shebang option: " + std::string(parts[p]);
    }
    std::string_view list = parts[p].substr(6);
    while (!list.empty()) {
      const size_t comma = list.find(',');
      const std::string_view name = list.substr(0, comma);
      if (name == "no-writes") {
        f |= kScriptNoWrites;
      } else if (name == "allow-oom") {
        f |= kScriptAllowOom;
      } else if (name == "allow-stale") {
        f |= kScriptAllowStale;
      } else if (name == "no-cluster") {
        f |= kScriptNoCluster;
      } else if (name == "allow-cross-slot-keys") {
        f |= kScriptAllowCrossSlotKeys;
      } else {
        return "ERR Unexpected flag in script shebang: " + std::string(name);
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  *flags = f;
  return std::nullopt;
}

ScriptEngine::ScriptEngine() {
  std::lock_guard lock(mu_);
  Reset();
  ResetFunctions();
}

ScriptEngine::~ScriptEngine() {
  if (impl_ != nullptr && impl_->L != nullptr) lua_close(impl_->L);
  if (functions_ != nullptr && functions_->L != nullptr) lua_close(functions_->L);
}

void ScriptEngine::ResetFunctions() {
  if (functions_ != nullptr) lua_close(functions_->L);
  functions_ = std::make_unique<Impl>();
  functions_->rand_state = std::random_device{}();
  functions_->L = NewLuaState(functions_.get());
  lua_newtable(functions_->L);
  SetRegistry(functions_->L, &kFunctionsKey);
  UpdateCounts();
}

void ScriptEngine::Reset() {
  uint64_t seed = 0;
  if (impl_ != nullptr) {
    seed = impl_->rand_state;
    lua_close(impl_->L);
  } else {
    seed = std::random_device{}();
  }
  impl_ = std::make_unique<Impl>();
  impl_->rand_state = seed;
  impl_->L = NewLuaState(impl_.get());
}

bool ScriptEngine::BusyFor(int64_t threshold_ms) const {
  if (!running_.load() || threshold_ms <= 0) return false;
  const int64_t since = running_since_ms_.load();
  return since != 0 && SteadyNowMs() - since >= threshold_ms;
}

std::optional<std::string> ScriptEngine::Load(std::string_view body, std::string* sha) {
  uint32_t flags = 0;
  size_t shebang_len = 0;
  if (auto error = ParseShebang(body, &flags, &shebang_len)) return error;
  *sha = Sha1Hex(body);
  std::lock_guard lock(mu_);
  Impl& im = *impl_;
  if (im.scripts.contains(*sha)) return std::nullopt;
  lua_State* L = im.L;
  const std::string_view code = body.substr(shebang_len);
  if (IsBinaryChunk(code.data(), code.size())) {
    return std::string(
        "ERR Error compiling script (new function): user_script: binary chunks "
        "are not allowed");
  }
  if (luaL_loadbuffer(L, code.data(), code.size(), kChunkName) != 0) {
    const char* msg = lua_tostring(L, -1);
    std::string error = "ERR Error compiling script (new function): ";
    error += msg == nullptr ? "?" : msg;
    lua_pop(L, 1);
    return error;
  }
  PushRegistry(L, &kScriptsKey);
  lua_pushlstring(L, sha->data(), sha->size());
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 2);
  im.scripts.emplace(*sha, Impl::Cached{flags, body.size()});
  im.body_bytes += body.size();
  return std::nullopt;
}

std::optional<uint32_t> ScriptEngine::Flags(std::string_view sha) {
  std::lock_guard lock(mu_);
  auto it = impl_->scripts.find(std::string(sha));
  if (it == impl_->scripts.end()) return std::nullopt;
  return it->second.flags;
}

bool ScriptEngine::Exists(std::string_view sha) { return Flags(sha).has_value(); }

void ScriptEngine::Flush() {
  std::lock_guard lock(mu_);
  Reset();
}

size_t ScriptEngine::ScriptCount() {
  std::lock_guard lock(mu_);
  return impl_->scripts.size();
}

size_t ScriptEngine::LuaMemory() {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(lua_gc(impl_->L, LUA_GCCOUNT, 0)) * 1024 +
         static_cast<size_t>(lua_gc(impl_->L, LUA_GCCOUNTB, 0));
}

size_t ScriptEngine::ScriptsMemory() {
  std::lock_guard lock(mu_);
  return impl_->body_bytes + impl_->scripts.size() * 64;
}

bool ScriptEngine::Run(std::string_view sha, std::span<const std::string> keys,
                       std::span<const std::string> argv, ScriptHost& host,
                       protocol::ReplyBuilder& out) {
  std::lock_guard lock(mu_);
  Impl& im = *impl_;
  if (!im.scripts.contains(std::string(sha))) return false;
  lua_State* L = im.L;
  // KEYS and ARGV are globals of an EVAL script.
  PushRegistry(L, &kGlobalsKey);
  auto set_array = [&](const char* name, std::span<const std::string> values) {
    lua_pushstring(L, name);
    lua_createtable(L, static_cast<int>(values.size()), 0);
    for (size_t j = 0; j < values.size(); ++j) {
      lua_pushlstring(L, values[j].data(), values[j].size());
      lua_rawseti(L, -2, static_cast<int>(j + 1));
    }
    lua_rawset(L, -3);
  };
  set_array("KEYS", keys);
  set_array("ARGV", argv);
  lua_pop(L, 1);
  lua_pushcfunction(L, ErrorHandler);
  PushRegistry(L, &kScriptsKey);
  lua_pushlstring(L, sha.data(), sha.size());
  lua_rawget(L, -2);
  lua_remove(L, -2);  // handler, chunk
  // A script may have replaced its own environment (setfenv): every run
  // starts from the sandbox again.
  PushRegistry(L, &kProxyKey);
  lua_setfenv(L, -2);
  Invoke(im, 0, sha, host, out);
  return true;
}

void ScriptEngine::Invoke(Impl& im, int nargs, std::string_view funcname, ScriptHost& host,
                          protocol::ReplyBuilder& out) {
  lua_State* L = im.L;
  RunContext run;
  run.host = &host;
  run.kill = &kill_requested_;
  kill_requested_.store(false);
  running_since_ms_.store(SteadyNowMs());
  running_.store(true);
  lua_pushlightuserdata(L, &run);
  SetRegistry(L, &kRunKey);
  // Nor may it leave its thread's globals replaced.
  PushRegistry(L, &kProxyKey);
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookInstructions);
  const int err = lua_pcall(L, nargs, 1, -(nargs + 2));
  lua_sethook(L, nullptr, 0, 0);
  if (err != 0) {
    WriteError(L, funcname, out);
  } else {
    WriteLuaValue(L, run.resp3, out);
  }
  lua_pop(L, 1);  // the handler
  // A step of garbage collection now and then, not a full cycle at an
  // unlucky moment (as Redis does).
  if (++im.gc_count == kGcCyclePeriod) {
    lua_gc(L, LUA_GCSTEP, kGcCyclePeriod);
    im.gc_count = 0;
  }
  lua_pushnil(L);
  SetRegistry(L, &kRunKey);
  running_.store(false);
  running_since_ms_.store(0);
}

namespace {

// The library name from the "#!lua name=<name>" line that starts a library's
// code, or Redis's error for a missing or bad one.
std::optional<std::string> ParseLibraryName(std::string_view code, std::string* error) {
  if (!code.starts_with("#!")) {
    *error = "ERR Missing library metadata";
    return std::nullopt;
  }
  // The first line, split as Redis splits it (sdssplitargs: quotes work).
  const size_t end = code.find('\n');
  std::optional<std::vector<std::string>> parts;
  if (end != std::string_view::npos) parts = protocol::SplitArgs(code.substr(0, end));
  if (!parts || parts->empty()) {
    *error = "ERR Invalid library metadata";
    return std::nullopt;
  }
  std::optional<std::string> name;
  for (size_t p = 1; p < parts->size(); ++p) {
    const std::string& part = (*parts)[p];
    if (part.size() < 5 || ToLower(part.substr(0, 5)) != "name=") {
      *error = "ERR Invalid metadata value given: " + part;
      return std::nullopt;
    }
    if (name) {
      *error = "ERR Invalid metadata value, name argument was given multiple times";
      return std::nullopt;
    }
    name = part.substr(5);
  }
  if (!name) {
    *error = "ERR Library name was not given";
    return std::nullopt;
  }
  const std::string engine = (*parts)[0].substr(2);
  if (ToLower(engine) != "lua") {
    *error = "ERR Engine '" + engine + "' not found";
    return std::nullopt;
  }
  if (!ValidName(name->data(), name->size())) {
    *error = "ERR " + std::string(kBadNameError);
    return std::nullopt;
  }
  return name;
}

}  // namespace

std::optional<std::string> ScriptEngine::RestoreLibraries(const std::vector<std::string>& codes,
                                                          RestorePolicy policy) {
  const std::vector<LibraryInfo> before = Libraries();
  if (policy == RestorePolicy::kAppend) {
    for (const std::string& code : codes) {
      std::string error;
      const std::optional<std::string> name = ParseLibraryName(code, &error);
      if (!name) return error;
      for (const LibraryInfo& lib : before) {
        if (lib.name == *name) return "ERR Library " + *name + " already exists";
      }
    }
  }
  if (policy == RestorePolicy::kFlush) FlushLibraries();
  for (const std::string& code : codes) {
    std::string name;
    if (auto error = LoadLibrary(code, policy != RestorePolicy::kAppend, &name)) {
      // All or none: back to the libraries as they were.
      FlushLibraries();
      for (const LibraryInfo& lib : before) LoadLibrary(lib.code, false, &name);
      return error;
    }
  }
  return std::nullopt;
}

std::optional<std::string> ScriptEngine::LoadLibrary(std::string_view code, bool replace,
                                                     std::string* name_out) {
  std::string header_error;
  const std::optional<std::string> name = ParseLibraryName(code, &header_error);
  if (!name) return header_error;
  size_t end = code.find('\n');
  if (end == std::string_view::npos) end = code.size();
  std::lock_guard lock(mu_);
  Impl& im = *functions_;
  if (im.libraries.contains(*name) && !replace) {
    return "ERR Library '" + *name + "' already exists";
  }
  lua_State* L = im.L;
  // The shebang line stays a line, so that line numbers count it (Redis).
  const std::string_view body = code.substr(end);
  if (IsBinaryChunk(body.data(), body.size())) {
    return std::string("ERR Error compiling function: binary chunks are not allowed");
  }
  PushLoadEnvironment(L);  // env
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_function") != 0) {
    const char* msg = lua_tostring(L, -1);
    std::string error = "ERR Error compiling function: ";
    error += msg == nullptr ? "?" : msg;
    lua_pop(L, 2);
    return error;
  }
  lua_pushvalue(L, -2);
  lua_setfenv(L, -2);  // env, chunk
  lua_pushcfunction(L, ErrorHandler);
  lua_insert(L, -2);  // env, handler, chunk
  LoadContext ctx;
  ctx.start_ms = SteadyNowMs();
  lua_pushlightuserdata(L, &ctx);
  SetRegistry(L, &kLoadKey);
  lua_newtable(L);
  SetRegistry(L, &kPendingKey);
  lua_sethook(L, LoadHook, LUA_MASKCOUNT, kHookInstructions);
  const int err = lua_pcall(L, 0, 0, -2);
  lua_sethook(L, nullptr, 0, 0);
  lua_pushnil(L);
  SetRegistry(L, &kLoadKey);
  std::optional<std::string> error;
  if (err != 0) {
    std::string msg = "execution failure";
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
      lua_pop(L, 1);
    } else if (lua_isstring(L, -1)) {
      msg = lua_tostring(L, -1);
    }
    lua_pop(L, 1);
    error = "ERR Error registering functions: " + msg;
  } else if (ctx.functions.empty()) {
    error = "ERR No functions registered";
  } else {
    for (const FunctionInfo& f : ctx.functions) {
      auto it = im.function_library.find(ToLower(f.name));
      if (it != im.function_library.end() && it->second != *name) {
        error = "ERR Function " + f.name + " already exists";
        break;
      }
    }
  }
  lua_pop(L, 1);  // the handler: env
  if (error) {
    lua_pop(L, 1);
    lua_pushnil(L);
    SetRegistry(L, &kPendingKey);
    return error;
  }
  // Commit: the old version's functions go, the new ones come.
  PushRegistry(L, &kFunctionsKey);  // env, functions
  if (auto old = im.libraries.find(*name); old != im.libraries.end()) {
    for (const FunctionInfo& f : old->second.functions) {
      const std::string lower = ToLower(f.name);
      lua_pushlstring(L, lower.data(), lower.size());
      lua_pushnil(L);
      lua_rawset(L, -3);
      im.function_library.erase(lower);
    }
    im.libraries.erase(old);
  }
  PushRegistry(L, &kPendingKey);  // env, functions, pending
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -5);
  }
  lua_pop(L, 2);  // env
  lua_pushnil(L);
  SetRegistry(L, &kPendingKey);
  // From now on the library's functions see the globals and the full redis API.
  lua_getmetatable(L, -1);
  PushRegistry(L, &kProxyKey);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 2);
  for (const FunctionInfo& f : ctx.functions) im.function_library[ToLower(f.name)] = *name;
  im.libraries[*name] = LibraryInfo{*name, std::string(code), std::move(ctx.functions)};
  UpdateCounts();
  *name_out = *name;
  return std::nullopt;
}

bool ScriptEngine::DeleteLibrary(std::string_view name) {
  std::lock_guard lock(mu_);
  Impl& im = *functions_;
  auto it = im.libraries.find(std::string(name));
  if (it == im.libraries.end()) return false;
  lua_State* L = im.L;
  PushRegistry(L, &kFunctionsKey);
  for (const FunctionInfo& f : it->second.functions) {
    const std::string lower = ToLower(f.name);
    lua_pushlstring(L, lower.data(), lower.size());
    lua_pushnil(L);
    lua_rawset(L, -3);
    im.function_library.erase(lower);
  }
  lua_pop(L, 1);
  im.libraries.erase(it);
  UpdateCounts();
  return true;
}

void ScriptEngine::FlushLibraries() {
  std::lock_guard lock(mu_);
  ResetFunctions();
}

std::vector<ScriptEngine::LibraryInfo> ScriptEngine::Libraries() {
  std::lock_guard lock(mu_);
  std::vector<LibraryInfo> out;
  for (const auto& [name, lib] : functions_->libraries) out.push_back(lib);
  std::sort(out.begin(), out.end(),
            [](const LibraryInfo& a, const LibraryInfo& b) { return a.name < b.name; });
  return out;
}

void ScriptEngine::UpdateCounts() {
  library_count_.store(functions_->libraries.size());
  function_count_.store(functions_->function_library.size());
}

namespace {

const ScriptEngine::FunctionInfo* FindFunction(ScriptEngine::Impl& im, const std::string& lower) {
  auto it = im.function_library.find(lower);
  if (it == im.function_library.end()) return nullptr;
  for (const auto& f : im.libraries.at(it->second).functions) {
    if (ToLower(f.name) == lower) return &f;
  }
  return nullptr;
}

}  // namespace

std::optional<uint32_t> ScriptEngine::FunctionFlags(std::string_view name) {
  std::lock_guard lock(mu_);
  const FunctionInfo* f = FindFunction(*functions_, ToLower(name));
  if (f == nullptr) return std::nullopt;
  return f->flags;
}

bool ScriptEngine::CallFunction(std::string_view name, std::span<const std::string> keys,
                                std::span<const std::string> argv,
                                const std::vector<std::string>& command, ScriptHost& host,
                                protocol::ReplyBuilder& out) {
  std::lock_guard lock(mu_);
  Impl& im = *functions_;
  const std::string lower = ToLower(name);
  const FunctionInfo* f = FindFunction(im, lower);
  if (f == nullptr) return false;
  lua_State* L = im.L;
  lua_pushcfunction(L, ErrorHandler);
  PushRegistry(L, &kFunctionsKey);
  lua_pushlstring(L, lower.data(), lower.size());
  lua_rawget(L, -2);
  lua_remove(L, -2);  // handler, callback
  auto push_array = [&](std::span<const std::string> values) {
    lua_createtable(L, static_cast<int>(values.size()), 0);
    for (size_t j = 0; j < values.size(); ++j) {
      lua_pushlstring(L, values[j].data(), values[j].size());
      lua_rawseti(L, -2, static_cast<int>(j + 1));
    }
  };
  push_array(keys);
  push_array(argv);
  {
    std::lock_guard running(running_mu_);
    running_info_.name = f->name;
    running_info_.command = command;
  }
  running_function_.store(true);
  const std::string funcname = f->name;
  Invoke(im, 2, funcname, host, out);
  running_function_.store(false);
  return true;
}

std::optional<ScriptEngine::RunningFunction> ScriptEngine::CurrentFunction() {
  if (!running_function_.load()) return std::nullopt;
  std::lock_guard running(running_mu_);
  RunningFunction r = running_info_;
  const int64_t since = running_since_ms_.load();
  r.duration_ms = since == 0 ? 0 : SteadyNowMs() - since;
  return r;
}

}  // namespace stashd::server
