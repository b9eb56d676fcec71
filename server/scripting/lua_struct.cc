#include "server/scripting/lua_struct.h"

#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "server/scripting/number_casts.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

// Lua raises errors with longjmp: nothing here owns an object with a
// destructor (see the note in script_engine.cc).

namespace stashd::server {
namespace {

constexpr int kMaxIntSize = 32;  // 'i32' is the widest integer
constexpr int kMaxAlign = 8;     // the alignment '!' alone sets (double, long, pointer)

// The state a format string carries from one letter to the next.
struct FormatState {
  bool big_endian = std::endian::native == std::endian::big;
  size_t align = 1;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// Reads the optional count after a letter ("i8", "c10", "!4"); `fallback`
// when there is none.
int ReadCount(lua_State* L, const char** fmt, int fallback) {
  if (!IsDigit(**fmt)) return fallback;
  int n = 0;
  while (IsDigit(**fmt)) {
    const int digit = **fmt - '0';
    if (n > (INT_MAX - digit) / 10) luaL_error(L, "integral size overflow");
    n = n * 10 + digit;
    ++*fmt;
  }
  return n;
}

// Bytes the letter `opt` takes (reading its count); 0 for the letters that
// take none of their own ('s', the control letters, unknown ones).
size_t OptionSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'b':
    case 'B':
    case 'x':
      return 1;
    case 'h':
    case 'H':
      return sizeof(short);
    case 'l':
    case 'L':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'c':
      return static_cast<size_t>(ReadCount(L, fmt, 1));
    case 'i':
    case 'I': {
      const int n = ReadCount(L, fmt, sizeof(int));
      if (n > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", n, kMaxIntSize);
      }
      return static_cast<size_t>(n);
    }
    default:
      return 0;
  }
}

// Padding before an item of `size` bytes at offset `pos`: items align to
// their size, capped by the '!' alignment. The arithmetic is the library's
// own, also for sizes that are not powers of 2 ('i3').
size_t Padding(size_t pos, const FormatState& st, char opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > st.align) size = st.align;
  return (size - (pos & (size - 1))) & (size - 1);
}

// The letters that change the state rather than produce data; anything else
// is an invalid option.
void ApplyControl(lua_State* L, char opt, const char** fmt, FormatState* st) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      st->big_endian = true;
      return;
    case '<':
      st->big_endian = false;
      return;
    case '!': {
      const int a = ReadCount(L, fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      st->align = static_cast<size_t>(a);
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

// Puts `bytes` (in the machine's order) into the order the state asks for.
void FixByteOrder(char* bytes, size_t n, const FormatState& st) {
  if (st.big_endian == (std::endian::native == std::endian::big)) return;
  for (size_t i = 0, j = n - 1; i < j; ++i, --j) {
    const char t = bytes[i];
    bytes[i] = bytes[j];
    bytes[j] = t;
  }
}

void PackInteger(luaL_Buffer* b, lua_Number n, const FormatState& st, size_t size) {
  // Negative numbers go through the signed conversion, others through the
  // unsigned one; only 8 bytes carry value, wider integers get zeros.
  uint64_t value = n < 0 ? static_cast<uint64_t>(CastToInt64(n)) : CastToUint64(n);
  char bytes[kMaxIntSize];
  for (size_t i = 0; i < size; ++i) {
    bytes[st.big_endian ? size - 1 - i : i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  luaL_addlstring(b, bytes, size);
}

lua_Number UnpackInteger(const char* data, const FormatState& st, bool is_signed, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    const size_t at = st.big_endian ? i : size - 1 - i;
    value = (value << 8) | static_cast<unsigned char>(data[at]);
  }
  if (!is_signed) return static_cast<lua_Number>(value);
  // Sign extension from the top bit of the item; for items wider than 8
  // bytes the shift wraps as x86's does (count modulo 64).
  const unsigned shift = static_cast<unsigned>(static_cast<int>(size) * 8 - 1) & 63;
  const uint64_t mask = ~uint64_t{0} << shift;
  if ((value & mask) != 0) value |= mask;
  return static_cast<lua_Number>(static_cast<int64_t>(value));
}

int StructPack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  FormatState st;
  int arg = 2;
  // A nil between the arguments and the buffer's pieces: a missing argument
  // reads as "got nil", as in the library.
  lua_pushnil(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t total = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    size_t size = OptionSize(L, opt, &fmt);
    const size_t pad = Padding(total, st, opt, size);
    for (size_t i = 0; i < pad; ++i) luaL_addchar(&b, '\0');
    total += pad;
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PackInteger(&b, luaL_checknumber(L, arg++), st, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        char bytes[sizeof f];
        std::memcpy(bytes, &f, sizeof f);
        FixByteOrder(bytes, sizeof f, st);
        luaL_addlstring(&b, bytes, sizeof f);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        char bytes[sizeof d];
        std::memcpy(bytes, &d, sizeof d);
        FixByteOrder(bytes, sizeof d, st);
        luaL_addlstring(&b, bytes, sizeof d);
        break;
      }
      case 'c':
      case 's': {
        size_t len = 0;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (size == 0) size = len;
        // Redis reports the argument after the short string (its arg++
        // comes first); kept for identical error texts.
        luaL_argcheck(L, len >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        ApplyControl(L, opt, &fmt, &st);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

int StructUnpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len = 0;
  const char* data = luaL_checklstring(L, 2, &len);
  // Positions are size_t as in the library: a negative start wraps around
  // and fails as "data string too short" (or comes back as it was when the
  // format reads nothing).
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  FormatState st;
  int results = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    size_t size = OptionSize(L, opt, &fmt);
    pos += Padding(pos, st, opt, size);
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");  // the item and the next position
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(L, UnpackInteger(data + pos, st, IsLower(opt), size));
        ++results;
        break;
      case 'x':
        break;
      case 'f': {
        char bytes[sizeof(float)];
        std::memcpy(bytes, data + pos, sizeof bytes);
        FixByteOrder(bytes, sizeof bytes, st);
        float f = 0;
        std::memcpy(&f, bytes, sizeof f);
        lua_pushnumber(L, f);
        ++results;
        break;
      }
      case 'd': {
        char bytes[sizeof(double)];
        std::memcpy(bytes, data + pos, sizeof bytes);
        FixByteOrder(bytes, sizeof bytes, st);
        double d = 0;
        std::memcpy(&d, bytes, sizeof d);
        lua_pushnumber(L, d);
        ++results;
        break;
      }
      case 'c':
        if (size == 0) {
          // 'c0': the length is the number unpacked just before, which
          // the string replaces in the results.
          if (results == 0 || !lua_isnumber(L, -1)) {
            luaL_error(L, "format 'c0' needs a previous size");
          }
          size = static_cast<size_t>(CastToUint64(lua_tonumber(L, -1)));
          lua_pop(L, 1);
          --results;
          luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++results;
        break;
      case 's': {
        const void* end = std::memchr(data + pos, '\0', len - pos);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++results;
        break;
      }
      default:
        ApplyControl(L, opt, &fmt, &st);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return results + 1;
}

int StructSize(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  FormatState st;
  size_t pos = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    const size_t size = OptionSize(L, opt, &fmt);
    pos += Padding(pos, st, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    // Unknown letters and digits are skipped here, not refused as by pack
    // and unpack (the library's behaviour).
    if (!IsAlnum(opt)) ApplyControl(L, opt, &fmt, &st);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

const luaL_Reg kStructFunctions[] = {
    {"pack", StructPack},
    {"unpack", StructUnpack},
    {"size", StructSize},
    {nullptr, nullptr},
};

}  // namespace

int OpenLuaStruct(lua_State* L) {
  lua_newtable(L);
  luaL_register(L, nullptr, kStructFunctions);
  return 1;
}

}  // namespace stashd::server
