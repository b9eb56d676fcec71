// The `cmsgpack` library Redis embeds for scripts (lua-cmsgpack 0.4.0),
// written again from its documented behaviour and checked reply by reply
// against redis-server 7.0.15.
//
//   cmsgpack.pack(v1, v2, ...)                   -> the MessagePack encodings, concatenated
//   cmsgpack.unpack(s)                           -> every value in s
//   cmsgpack.unpack_one(s [, offset])            -> next offset, one value
//   cmsgpack.unpack_limit(s, limit [, offset])   -> next offset, up to `limit` values
//
// Offsets count bytes from 0; the next offset is -1 once s is used up.
// (unpack_limit with limit 0 and offset 0 decodes everything and returns no
// offset, as the library does.)
//
// Packing: a string is a str (fixstr, str8, str16, str32), a boolean true /
// false, a number an integer in the smallest int/uint form when it is
// exactly an int64, else a float32 when the float holds it exactly, else a
// float64. A table whose keys are exactly 1..n is an array, any other table
// a map. Tables nested 16 deep (a table inside a table ... 16 times, so also
// a table that contains itself) and values of other types (functions,
// userdata, threads, nil) become nil.
//
// Unpacking: nil, booleans, all int/uint forms, float32/64, str8/16/32 and
// fixstr, arrays and maps; bin, ext and 0xc1 are "Bad data format in input.",
// a truncated value is "Missing bytes in input.". uint64 values above
// INT64_MAX come back as the negative number with the same 64 bits.
//
// Thread safety: the functions touch only the lua_State they are given.
#pragma once

extern "C" {
struct lua_State;
}

namespace stashd::server {

// lua_CFunction: pushes a new table with pack, unpack, unpack_one,
// unpack_limit and the _NAME, _VERSION, _COPYRIGHT and _DESCRIPTION strings
// Redis's library carries. The caller names it (Redis: the global
// `cmsgpack`).
int OpenLuaCmsgpack(lua_State* L);

}  // namespace stashd::server
