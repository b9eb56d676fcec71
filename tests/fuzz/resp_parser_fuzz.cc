// libFuzzer entry point for the request parser, and nothing else.
//
// Build (Clang only): cmake -DCMAKE_CXX_COMPILER=clang++ -DSTASHD_FUZZ=ON ...
//   cmake --build <dir> --target resp_parser_fuzz
//   <dir>/tests/resp_parser_fuzz -max_total_time=60
//
// Each input is parsed twice: all at once, and in pseudo-random chunks the way
// a connection receives it. Besides the sanitizers' checks, the two outcomes
// must agree; only the "too big" errors may come earlier when chunked, since
// they depend on how many bytes wait without a line end (as in Redis).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"

namespace {

using stashd::protocol::ParserLimits;
using stashd::protocol::ParseStatus;
using stashd::protocol::RequestParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  ParseStatus status = ParseStatus::kInputPending;
  size_t unconsumed = 0;
};

void Check(bool ok) {
  if (!ok) std::abort();
}

// Small limits so that the "too big" and "invalid length" paths are reachable
// with short inputs.
ParserLimits FuzzLimits() {
  ParserLimits limits;
  limits.max_bulk_len = 1 << 20;
  limits.max_inline_len = 256;
  limits.max_multibulk_len = 1 << 20;
  return limits;
}

// Feeds `data` in chunks whose sizes come from `next_chunk`, like a connection.
template <typename NextChunk>
Outcome Run(std::string_view data, NextChunk next_chunk) {
  RequestParser parser(FuzzLimits());
  std::string buffer;
  Outcome outcome;
  size_t fed = 0;
  while (fed < data.size()) {
    const size_t n = std::min(next_chunk(), data.size() - fed);
    buffer.append(data.substr(fed, n));
    fed += n;
    while (true) {
      size_t consumed = 0;
      std::vector<std::string> args;
      const ParseStatus status = parser.Parse(buffer, &consumed, &args);
      Check(consumed <= buffer.size());
      buffer.erase(0, consumed);
      if (status == ParseStatus::kOk) {
        Check(!args.empty());
        outcome.commands.push_back(std::move(args));
        continue;
      }
      if (status != ParseStatus::kInputPending) {
        Check(!parser.ErrorText(status).empty());
        outcome.status = status;
        return outcome;
      }
      break;
    }
  }
  outcome.unconsumed = buffer.size();
  return outcome;
}

bool IsTooBig(ParseStatus s) {
  return s == ParseStatus::kTooBigInlineRequest || s == ParseStatus::kTooBigMbulkCount ||
         s == ParseStatus::kTooBigBulkCount;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);

  const Outcome whole = Run(data, [] { return SIZE_MAX; });

  // Chunk sizes from a generator seeded by the input, so a crash reproduces.
  uint64_t state = 0x9e3779b97f4a7c15ull ^ size;
  for (unsigned char c : data.substr(0, 16)) state = state * 1099511628211ull + c;
  const Outcome chunked = Run(data, [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    // Mostly tiny reads, sometimes large ones.
    return static_cast<size_t>(state % 8 == 0 ? 1 + (state >> 8) % 512 : 1 + (state >> 8) % 4);
  });

  if (IsTooBig(chunked.status)) {
    Check(chunked.commands.size() <= whole.commands.size());
    for (size_t i = 0; i < chunked.commands.size(); ++i) {
      Check(chunked.commands[i] == whole.commands[i]);
    }
  } else {
    Check(chunked.status == whole.status);
    Check(chunked.commands == whole.commands);
    Check(chunked.unconsumed == whole.unconsumed);
  }
  return 0;
}
