// What a C cast of a double to an integer type gives in Redis's Lua
// libraries as compiled for x86-64 (gcc), defined here for every input: in
// C and C++ the cast of a value out of the target's range (or NaN) is
// undefined, but scripts see its x86 result (struct.pack('l', 2^64) packs
// 0, cmsgpack.pack(2^63) packs a float), so stashd reproduces it on purpose.
#pragma once

#include <cstdint>

namespace stashd::server {

// (int64_t)d: cvttsd2si, whose "integer indefinite" for NaN and values out
// of range is INT64_MIN.
inline int64_t CastToInt64(double d) {
  if (d >= -0x1p63 && d < 0x1p63) return static_cast<int64_t>(d);
  return INT64_MIN;
}

// (int32_t)d: the 32-bit cvttsd2si, INT32_MIN when out of range or NaN.
inline int32_t CastToInt32(double d) {
  if (d > -0x1p31 - 1 && d < 0x1p31) return static_cast<int32_t>(d);
  return INT32_MIN;
}

// (uint64_t)d as gcc emits it: values below 2^63 (and NaN) go through the
// signed conversion, larger ones are shifted down by 2^63 first, so 2^64 and
// beyond give 0.
inline uint64_t CastToUint64(double d) {
  if (!(d >= 0x1p63)) return static_cast<uint64_t>(CastToInt64(d));
  return static_cast<uint64_t>(CastToInt64(d - 0x1p63)) ^ (uint64_t{1} << 63);
}

}  // namespace stashd::server
