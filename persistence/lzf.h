// LZF, the compression of strings in Redis's RDB format (RDB_ENC_LZF) and so
// in DUMP and FUNCTION DUMP payloads.
//
// The format is a sequence of chunks, each starting with a control byte:
//   000LLLLL                     a run of L+1 literal bytes (1..32) follows
//   LLLooooo oooooooo            a back reference of L+2 bytes (L = 1..6)
//   111ooooo LLLLLLLL oooooooo   a back reference of L+9 bytes (9..264)
// A back reference copies from `o`+1 bytes back in the output (1..8192); it
// may overlap what it produces (a run of one repeated byte).
//
// Stateless functions: safe to call from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace stashd::persistence::rdb {

// Compresses `in`; nullopt if the result would not fit in `capacity` bytes
// (or `in` is empty). Redis asks for at least 4 bytes of saving: RDB strings
// are compressed with capacity in.size() - 4.
//
// The parse is the one liblzf 3.6 makes as Redis builds it (greedy; one
// candidate per position from a table of 65,536 last positions keyed by a
// hash of the next three bytes; a match is tried only from position 1 on,
// within 8,192 bytes; after a match only its last two positions are entered),
// and it gives up at the points where liblzf gives up for lack of room. So
// the bytes, and whether a string is compressed at all, are Redis's: DUMP
// payloads are byte for byte those of Redis 7.0.
std::optional<std::string> LzfCompress(std::string_view in, size_t capacity);

// LZF decompression of `in` into exactly `out_len` bytes; nullopt if `in` is
// not a valid LZF stream of that size (or `out_len` is more than any LZF
// stream of in.size() bytes can expand to: nothing is allocated for a
// length a corrupt payload claims).
std::optional<std::string> LzfDecompress(std::string_view in, size_t out_len);

}  // namespace stashd::persistence::rdb
