// The `struct` library Redis embeds for scripts (Roberto Ierusalimschy's
// struct 0.2 with Redis's fixes), written again from its documented
// behaviour and checked reply by reply against redis-server 7.0.15.
//
//   struct.pack(fmt, v1, v2, ...)   -> string
//   struct.unpack(fmt, s [, pos])   -> v1, v2, ..., next position
//   struct.size(fmt)                -> bytes that fmt packs (no 's' / 'c0')
//
// Format letters: '>' big endian, '<' little endian, '![n]' alignment
// (default 8, a power of 2), 'x' a zero byte, 'b'/'B' signed/unsigned char,
// 'h'/'H' short, 'l'/'L' long, 'T' size_t, 'i[n]'/'I[n]' integer of n bytes
// (default 4, at most 32), 'c[n]' n chars (pack 'c0': the whole string;
// unpack 'c0': as many as the number unpacked just before), 's' a
// zero-terminated string, 'f' float, 'd' double, ' ' ignored. The default is
// the machine's byte order with no alignment. Errors carry the library's
// texts ("bad argument #2 to 'unpack' (data string too short)", "integral
// size overflow", ...), including its quirks: numbers out of a type's range
// pack as the x86-64 conversions leave them, integers wider than 8 bytes
// carry 8 bytes of value, and struct.size ignores unknown letters.
//
// Thread safety: the functions touch only the lua_State they are given.
#pragma once

extern "C" {
struct lua_State;
}

namespace stashd::server {

// lua_CFunction: pushes a new table with pack, unpack and size. The caller
// names it (Redis: the global `struct`).
int OpenLuaStruct(lua_State* L);

}  // namespace stashd::server
