// PFADD, PFCOUNT and PFMERGE as operations over the keyspace: the values are
// strings in Redis's HyperLogLog representation (hyperloglog.h), changed
// through RewriteString, so a dense HLL is patched in place and the log
// records the bytes that changed, not the 12 KB value.
//
// Thread safety: REQUIRE the shard of every key locked (see keyspace.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "store/keyspace.h"
#include "store/string_ops.h"

namespace stashd::store {

// PFADD: adds `elements` to the HLL at `key`, creating it (even with no
// elements). Returns whether it was created or a register changed (the
// cached cardinality is then marked stale). kWrongType, kNotHll, kCorruptHll.
OpResult<bool> PfAdd(Keyspace& ks, int db, std::string_view key,
                     std::span<const std::string> elements, size_t sparse_max_bytes);

// PFCOUNT: the estimated cardinality of the union of `keys` (missing keys
// are empty). With one key, a stale cached cardinality is recomputed and
// stored back in the value, as Redis does.
OpResult<uint64_t> PfCount(Keyspace& ks, int db, std::span<const std::string> keys);

// PFMERGE: raises the registers of `dest` (created if missing; itself one of
// the inputs) to the union of `sources`. A dense input makes `dest` dense.
std::optional<OpError> PfMerge(Keyspace& ks, int db, std::string_view dest,
                               std::span<const std::string> sources, size_t sparse_max_bytes);

}  // namespace stashd::store
