#include "server/scripting/lua_cmsgpack.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "server/scripting/number_casts.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

// Lua raises errors with longjmp (see the note in script_engine.cc): the
// encoder's output buffer is a std::string living in a Lua userdata, freed
// by its __gc, so an error in the middle of cmsgpack.pack leaks nothing and
// no C++ frame here owns an object with a destructor.

namespace stashd::server {
namespace {

constexpr int kMaxNesting = 16;  // a table this deep packs as nil
constexpr char kBufferMeta[] = "stashd.cmsgpack.buffer";

int BufferGc(lua_State* L) {
  static_cast<std::string*>(lua_touserdata(L, 1))->~basic_string();
  return 0;
}

// Pushes a userdata holding an empty std::string and returns the string.
std::string* PushBuffer(lua_State* L) {
  void* mem = lua_newuserdata(L, sizeof(std::string));
  auto* buf = new (mem) std::string();
  luaL_getmetatable(L, kBufferMeta);
  lua_setmetatable(L, -2);
  return buf;
}

void AppendBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void AppendTagged(std::string* out, unsigned char tag, uint64_t v, int bytes) {
  out->push_back(static_cast<char>(tag));
  AppendBigEndian(out, v, bytes);
}

void EncodeInteger(std::string* out, int64_t n) {
  const auto u = static_cast<uint64_t>(n);
  if (n >= 0) {
    if (n <= 0x7f) {
      out->push_back(static_cast<char>(n));  // positive fixint
    } else if (n <= 0xff) {
      AppendTagged(out, 0xcc, u, 1);
    } else if (n <= 0xffff) {
      AppendTagged(out, 0xcd, u, 2);
    } else if (n <= 0xffffffffLL) {
      AppendTagged(out, 0xce, u, 4);
    } else {
      AppendTagged(out, 0xcf, u, 8);
    }
  } else if (n >= -32) {
    out->push_back(static_cast<char>(n));  // negative fixint
  } else if (n >= INT8_MIN) {
    AppendTagged(out, 0xd0, u, 1);
  } else if (n >= INT16_MIN) {
    AppendTagged(out, 0xd1, u, 2);
  } else if (n >= INT32_MIN) {
    AppendTagged(out, 0xd2, u, 4);
  } else {
    AppendTagged(out, 0xd3, u, 8);
  }
}

// float32 when the float holds the value exactly, else float64.
void EncodeFloat(std::string* out, double d) {
  const auto f = static_cast<float>(d);
  if (static_cast<double>(f) == d) {
    uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    AppendTagged(out, 0xca, bits, 4);
  } else {
    uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    AppendTagged(out, 0xcb, bits, 8);
  }
}

void EncodeNumber(std::string* out, lua_Number n) {
  const int64_t i = CastToInt64(n);
  if (!std::isinf(n) && static_cast<lua_Number>(i) == n) {
    EncodeInteger(out, i);
  } else {
    EncodeFloat(out, n);
  }
}

void EncodeString(std::string* out, const char* s, size_t len) {
  if (len < 32) {
    out->push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    AppendTagged(out, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    AppendTagged(out, 0xda, len, 2);
  } else {
    AppendTagged(out, 0xdb, len, 4);
  }
  out->append(s, len);
}

void EncodeCount(std::string* out, size_t n, unsigned char fix, unsigned char tag16,
                 unsigned char tag32) {
  if (n <= 15) {
    out->push_back(static_cast<char>(fix | n));
  } else if (n <= 0xffff) {
    AppendTagged(out, tag16, n, 2);
  } else {
    AppendTagged(out, tag32, n, 4);
  }
}

// Whether the table on top has exactly the keys 1..n (the empty table
// included): then it packs as an array.
bool IsArray(lua_State* L) {
  int count = 0;
  int max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    const bool index = lua_type(L, -1) == LUA_TNUMBER;
    const lua_Number n = index ? lua_tonumber(L, -1) : 0;
    if (!index || n <= 0 || std::isinf(n) || CastToInt32(n) != n) {
      lua_pop(L, 1);
      return false;
    }
    if (n > max) max = static_cast<int>(n);
    ++count;
  }
  return max == count;
}

void EncodeValue(lua_State* L, std::string* out, int depth);

void EncodeTable(lua_State* L, std::string* out, int depth) {
  luaL_checkstack(L, 3, "in function mp_encode_lua_table");
  if (IsArray(L)) {
    const size_t n = lua_objlen(L, -1);
    EncodeCount(out, n, 0x90, 0xdc, 0xdd);
    // Every index 1..n holds a value, so raw reads see what the library's
    // lua_gettable sees.
    for (size_t j = 1; j <= n; ++j) {
      lua_rawgeti(L, -1, static_cast<int>(j));
      EncodeValue(L, out, depth + 1);
    }
    return;
  }
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    ++n;
  }
  EncodeCount(out, n, 0x80, 0xde, 0xdf);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);
    EncodeValue(L, out, depth + 1);  // the key's copy
    EncodeValue(L, out, depth + 1);  // the value; the key stays for lua_next
  }
}

// Appends the value on top of the stack and pops it.
void EncodeValue(lua_State* L, std::string* out, int depth) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeString(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out->push_back(lua_toboolean(L, -1) != 0 ? '\xc3' : '\xc2');
      break;
    case LUA_TNUMBER:
      EncodeNumber(out, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      // The depth limit is what lets a table that contains itself pack.
      if (depth < kMaxNesting) {
        EncodeTable(L, out, depth);
      } else {
        out->push_back('\xc0');
      }
      break;
    default:
      out->push_back('\xc0');
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  const int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (lua_checkstack(L, nargs) == 0) {
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  }
  std::string* out = PushBuffer(L);
  for (int i = 1; i <= nargs; ++i) {
    lua_pushvalue(L, i);
    EncodeValue(L, out, 0);
  }
  lua_pushlstring(L, out->data(), out->size());
  std::string().swap(*out);  // free it now; the empty userdata goes at the next GC
  return 1;
}

enum class DecodeError { kNone, kMissingBytes, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  DecodeError error;
};

bool Need(Cursor* c, size_t n) {
  if (c->left >= n) return true;
  c->error = DecodeError::kMissingBytes;
  return false;
}

void Consume(Cursor* c, size_t n) {
  c->p += n;
  c->left -= n;
}

uint64_t ReadBigEndian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

void DecodeValue(lua_State* L, Cursor* c);

void DecodeArray(lua_State* L, Cursor* c, size_t n) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (size_t i = 1; i <= n; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    DecodeValue(L, c);
    if (c->error != DecodeError::kNone) return;
    lua_settable(L, -3);
  }
}

// A nil or NaN key fails with Lua's own "table index is nil/NaN", as in
// Redis; a nil value leaves the key out.
void DecodeMap(lua_State* L, Cursor* c, size_t n) {
  lua_newtable(L);
  for (size_t i = 0; i < n; ++i) {
    DecodeValue(L, c);
    if (c->error != DecodeError::kNone) return;
    DecodeValue(L, c);
    if (c->error != DecodeError::kNone) return;
    lua_settable(L, -3);
  }
}

// A str whose `len` bytes follow `header` bytes (the tag and the length).
void DecodeString(lua_State* L, Cursor* c, size_t header, size_t len) {
  if (!Need(c, header + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p + header), len);
  Consume(c, header + len);
}

// Pushes the next value (on an error: maybe part of it, and sets c->error).
void DecodeValue(lua_State* L, Cursor* c) {
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  if (!Need(c, 1)) return;
  const unsigned char tag = c->p[0];
  // Fixed-size scalars: tag, payload bytes.
  auto fixed = [&](int bytes) -> const unsigned char* {
    if (!Need(c, 1 + static_cast<size_t>(bytes))) return nullptr;
    const unsigned char* payload = c->p + 1;
    Consume(c, 1 + static_cast<size_t>(bytes));
    return payload;
  };
  // Length-prefixed items: the length after the tag.
  auto length = [&](int bytes, size_t* n) -> bool {
    if (!Need(c, 1 + static_cast<size_t>(bytes))) return false;
    *n = static_cast<size_t>(ReadBigEndian(c->p + 1, bytes));
    return true;
  };
  const unsigned char* v = nullptr;
  size_t n = 0;
  switch (tag) {
    case 0xc0:
      Consume(c, 1);
      lua_pushnil(L);
      return;
    case 0xc2:
    case 0xc3:
      Consume(c, 1);
      lua_pushboolean(L, tag == 0xc3);
      return;
    case 0xcc:
    case 0xcd:
    case 0xce: {
      const int bytes = 1 << (tag - 0xcc);
      if ((v = fixed(bytes)) != nullptr) {
        lua_pushnumber(L, static_cast<lua_Number>(ReadBigEndian(v, bytes)));
      }
      return;
    }
    case 0xcf:
      // The library pushes uint64 as a lua_Integer: the same 64 bits, signed.
      if ((v = fixed(8)) != nullptr) {
        lua_pushinteger(L, static_cast<lua_Integer>(static_cast<int64_t>(ReadBigEndian(v, 8))));
      }
      return;
    case 0xd0:
      if ((v = fixed(1)) != nullptr) lua_pushnumber(L, static_cast<int8_t>(v[0]));
      return;
    case 0xd1:
      if ((v = fixed(2)) != nullptr) {
        lua_pushnumber(L, static_cast<int16_t>(ReadBigEndian(v, 2)));
      }
      return;
    case 0xd2:
      if ((v = fixed(4)) != nullptr) {
        lua_pushnumber(L, static_cast<int32_t>(ReadBigEndian(v, 4)));
      }
      return;
    case 0xd3:
      if ((v = fixed(8)) != nullptr) {
        lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(ReadBigEndian(v, 8))));
      }
      return;
    case 0xca:
      if ((v = fixed(4)) != nullptr) {
        const auto bits = static_cast<uint32_t>(ReadBigEndian(v, 4));
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        lua_pushnumber(L, f);
      }
      return;
    case 0xcb:
      if ((v = fixed(8)) != nullptr) {
        const uint64_t bits = ReadBigEndian(v, 8);
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        lua_pushnumber(L, d);
      }
      return;
    case 0xd9:
    case 0xda:
    case 0xdb: {
      const int bytes = 1 << (tag - 0xd9);
      if (length(bytes, &n)) DecodeString(L, c, 1 + static_cast<size_t>(bytes), n);
      return;
    }
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      const int bytes = (tag == 0xdc || tag == 0xde) ? 2 : 4;
      if (!length(bytes, &n)) return;
      Consume(c, 1 + static_cast<size_t>(bytes));
      if (tag <= 0xdd) {
        DecodeArray(L, c, n);
      } else {
        DecodeMap(L, c, n);
      }
      return;
    }
    default:
      break;
  }
  if (tag < 0x80) {  // positive fixint
    Consume(c, 1);
    lua_pushnumber(L, tag);
  } else if (tag >= 0xe0) {  // negative fixint
    Consume(c, 1);
    lua_pushnumber(L, static_cast<int8_t>(tag));
  } else if ((tag & 0xe0) == 0xa0) {  // fixstr
    DecodeString(L, c, 1, tag & 0x1f);
  } else if ((tag & 0xf0) == 0x90) {  // fixarray
    Consume(c, 1);
    DecodeArray(L, c, tag & 0x0f);
  } else if ((tag & 0xf0) == 0x80) {  // fixmap
    Consume(c, 1);
    DecodeMap(L, c, tag & 0x0f);
  } else {  // 0xc1, bin, ext: not in the library's format
    c->error = DecodeError::kBadFormat;
  }
}

// Decodes up to `limit` values from byte `offset` of argument 1. With limit
// and offset both 0: every value and no offset; otherwise the next offset
// (-1 at the end) comes first. The ints and the messages are the library's
// (including the input length printed as the "limit").
int UnpackFull(lua_State* L, int limit, int offset) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  if (offset < 0 || limit < 0) {
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", offset,
                      static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", offset,
                      static_cast<int>(len));
  }
  const bool decode_all = limit == 0 && offset == 0;
  if (decode_all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset),
           DecodeError::kNone};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    DecodeValue(L, &c);
    if (c.error == DecodeError::kMissingBytes) return luaL_error(L, "Missing bytes in input.");
    if (c.error == DecodeError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (!decode_all) {
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : static_cast<int>(len - c.left));
    lua_insert(L, 2);  // right after the input string, the only argument left
    ++count;
  }
  return count;
}

// Drops the arguments after the input string (not an absent one: the
// string check must still say "got no value").
void KeepOnlyInput(lua_State* L) {
  if (lua_gettop(L) > 1) lua_settop(L, 1);
}

int Unpack(lua_State* L) { return UnpackFull(L, 0, 0); }

int UnpackOne(lua_State* L) {
  const auto offset = static_cast<int>(luaL_optinteger(L, 2, 0));
  KeepOnlyInput(L);
  return UnpackFull(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  const auto limit = static_cast<int>(luaL_checkinteger(L, 2));
  const auto offset = static_cast<int>(luaL_optinteger(L, 3, 0));
  KeepOnlyInput(L);
  return UnpackFull(L, limit, offset);
}

const luaL_Reg kCmsgpackFunctions[] = {
    {"pack", Pack},
    {"unpack", Unpack},
    {"unpack_one", UnpackOne},
    {"unpack_limit", UnpackLimit},
    {nullptr, nullptr},
};

void SetString(lua_State* L, const char* name, const char* value) {
  lua_pushstring(L, value);
  lua_setfield(L, -2, name);
}

}  // namespace

int OpenLuaCmsgpack(lua_State* L) {
  luaL_newmetatable(L, kBufferMeta);
  lua_pushcfunction(L, BufferGc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  lua_newtable(L);
  luaL_register(L, nullptr, kCmsgpackFunctions);
  SetString(L, "_NAME", "cmsgpack");
  SetString(L, "_VERSION", "lua-cmsgpack 0.4.0");
  SetString(L, "_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo");
  SetString(L, "_DESCRIPTION", "MessagePack C implementation for Lua");
  return 1;
}

}  // namespace stashd::server
