// CRC-32C (Castagnoli), the checksum of the write log's records: hardware
// accelerated (SSE4.2) when the CPU has it.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stashd::persistence::crc32c {

// Extends `crc` (the CRC of some bytes A) to the CRC of A followed by `data`.
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

}  // namespace stashd::persistence::crc32c
