// Keeps the function libraries (FUNCTION LOAD) across restarts: after every
// change, the code of every library is written to `<dir>/functions.dump`
// (a temporary file, fsync, rename, fsync of the folder), before the change
// is acknowledged; at start-up the libraries are loaded from it again.
// Scripts in the EVAL cache are not kept, as in Redis.
//
// Format: the payload FUNCTION DUMP replies (Redis's: one RDB function
// record per library, then the RDB version and a CRC-64), so the file is
// checked when it is read and can be fed to FUNCTION RESTORE of a Redis.
//
// Thread safety: callers serialize changes (one writer at a time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "persistence/rdb_payload.h"
#include "server/scripting/script_engine.h"

namespace stashd::server {

inline constexpr const char* kFunctionsFileName = "functions.dump";

// The FUNCTION DUMP payload of `libs`, each library's code LZF-compressed
// where that saves space if `compression` says so (rdbcompression).
std::string EncodeFunctionPayload(const std::vector<ScriptEngine::LibraryInfo>& libs,
                                  persistence::rdb::Compression compression);
// The library codes in a FUNCTION DUMP payload, or (as `error`) Redis's
// FUNCTION RESTORE error for a payload that fails its checks.
std::optional<std::vector<std::string>> DecodeFunctionPayload(std::string_view payload,
                                                              std::string_view* error);

// Writes the libraries; the error text on failure (the file is unchanged).
std::optional<std::string> SaveFunctionLibraries(
    const std::string& dir, const std::vector<ScriptEngine::LibraryInfo>& libs);

// Loads the libraries saved in `dir` into `engine` (none if there is no
// file); the error text if the file is damaged or a library fails to load.
std::optional<std::string> LoadFunctionLibraries(const std::string& dir, ScriptEngine& engine);

}  // namespace stashd::server
