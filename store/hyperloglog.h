// HyperLogLog values in Redis's string representation, byte for byte, so
// that a value PFADDed here GETs as Redis would return it and a value SET
// from Redis's bytes counts the same.
//
// The format (documented in Redis's hyperloglog.c):
//
//   header, 16 bytes: "HYLL", encoding (0 dense, 1 sparse), 3 zero bytes,
//                     the cached cardinality (8 bytes, little-endian; the
//                     top bit of the last byte set = stale)
//   dense:  16384 registers of 6 bits, register i at bits [6i, 6i + 6) of
//           the register bytes, least significant bit first: 12288 bytes
//   sparse: run-length opcodes over the registers, in register order:
//           00xxxxxx        ZERO:  xxxxxx + 1 registers (1-64) are 0
//           01xxxxxx yyyyyyyy XZERO: xxxxxxyyyyyyyy + 1 registers (1-16384) are 0
//           1vvvvvxx        VAL:   xx + 1 registers (1-4) hold vvvvv + 1 (1-32)
//
// An element picks register `h & 16383` of its MurmurHash64A `h` (seed
// 0xadc83b19) and raises it to 1 + the number of trailing zeros of the other
// 50 bits. A sparse value turns dense when a register needs more than 32 or
// when it would grow past hll-sparse-max-bytes; the cardinality is Ertl's
// improved estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", 2017), as Redis computes it.
//
// Everything here is pure: functions over the bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stashd::store::hll {

inline constexpr size_t kRegisters = 16384;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + kRegisters * 6 / 8;
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;

// Register values of several HLLs merged (PFCOUNT of several keys, PFMERGE).
using Registers = std::array<uint8_t, kRegisters>;

// MurmurHash64A as Redis uses it (little-endian reads).
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// True if `s` looks like an HLL: long enough, the magic, a known encoding,
// a dense one of the exact size (Redis's isHLLObjectOrReply). The sparse
// opcodes are checked only when read.
bool IsHll(std::string_view s);

// A new, empty HLL: sparse, every register in one XZERO, cardinality 0.
std::string NewHll();

// Adds an element. Returns 1 if a register changed, 0 if not, -1 if `hll`
// is a corrupt sparse value. `sparse_max_bytes`: hll-sparse-max-bytes.
// REQUIRES: IsHll(*hll). Does not touch the cached cardinality.
int Add(std::string* hll, std::string_view element, size_t sparse_max_bytes);

// The cached cardinality, or nullopt if it is stale.
std::optional<uint64_t> CachedCount(std::string_view hll);
// Stores `count` as the cached cardinality / marks it stale.
void SetCachedCount(std::string* hll, uint64_t count);
void InvalidateCache(std::string* hll);

// The estimate from the registers (not the cache); nullopt if corrupt.
// REQUIRES: IsHll(hll).
std::optional<uint64_t> Count(std::string_view hll);
// The estimate from merged registers.
uint64_t CountRegisters(const Registers& registers);

// Raises each of `max` to the register of `hll`; false if corrupt.
// REQUIRES: IsHll(hll).
bool MergeInto(Registers* max, std::string_view hll);

// Converts a sparse HLL to dense (no-op if dense); false if corrupt.
bool ToDense(std::string* hll);

// Raises the registers of `hll` to `registers` (PFMERGE's destination), in
// register order, as Redis does (a sparse value may turn dense on the way).
// False if corrupt. REQUIRES: IsHll(*hll).
bool RaiseTo(std::string* hll, const Registers& registers, size_t sparse_max_bytes);

}  // namespace stashd::store::hll
