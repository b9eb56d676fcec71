// The argument tree of a command as COMMAND DOCS reports it (Redis 7.0's
// "arguments"): redis-cli builds its argument hints and HELP text from it.
//
// Rows build trees with the functions below, read like Redis's command JSON:
//
//   .arguments = {ArgKey("key", 0), ArgString("value"),
//                 ArgOneOf("condition", {ArgToken("nx", "NX"), ArgToken("xx", "XX")})
//                     .Since("2.6.12").Optional()}
//
// The order of the modifiers does not matter; COMMAND DOCS prints the fields
// in Redis's order.
//
// Thread safety: plain values, immutable once registered.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace stashd::server {

enum class ArgType : uint8_t {
  kString,
  kInteger,
  kDouble,
  kKey,
  kPattern,
  kUnixTime,
  kPureToken,
  kOneOf,
  kBlock,
};

// Redis's name of an argument type ("pure-token", "unix-time" ...).
const char* ArgTypeName(ArgType type);

// Argument flags, printed in this order.
enum ArgFlag : uint8_t {
  kArgOptional = 1 << 0,
  kArgMultiple = 1 << 1,
  kArgMultipleToken = 1 << 2,
};

struct CommandArg {
  std::string name = {};
  ArgType type = ArgType::kString;
  int key_spec_index = -1;  // the key spec of a key (or of a pattern naming keys)
  std::string token = {};   // the literal word before the value ("EX"), or the pure token
  std::string since = {};
  std::string deprecated_since = {};
  uint8_t flags = 0;                       // ArgFlag bits
  std::vector<CommandArg> arguments = {};  // for kOneOf and kBlock

  CommandArg Optional() && { return std::move(*this).With(kArgOptional); }
  CommandArg Multiple() && { return std::move(*this).With(kArgMultiple); }
  CommandArg MultipleToken() && { return std::move(*this).With(kArgMultipleToken); }
  CommandArg Token(std::string t) && {
    token = std::move(t);
    return std::move(*this);
  }
  CommandArg Since(std::string version) && {
    since = std::move(version);
    return std::move(*this);
  }
  // A pattern that names keys (SORT's BY and GET): its key spec.
  CommandArg KeySpecIndex(int index) && {
    key_spec_index = index;
    return std::move(*this);
  }
  CommandArg DeprecatedSince(std::string version) && {
    deprecated_since = std::move(version);
    return std::move(*this);
  }

 private:
  CommandArg With(uint8_t flag) && {
    flags |= flag;
    return std::move(*this);
  }
};

inline CommandArg ArgOf(std::string name, ArgType type) {
  CommandArg a;
  a.name = std::move(name);
  a.type = type;
  return a;
}
inline CommandArg ArgKey(std::string name, int key_spec_index) {
  CommandArg a = ArgOf(std::move(name), ArgType::kKey);
  a.key_spec_index = key_spec_index;
  return a;
}
inline CommandArg ArgString(std::string name) { return ArgOf(std::move(name), ArgType::kString); }
inline CommandArg ArgInteger(std::string name) { return ArgOf(std::move(name), ArgType::kInteger); }
inline CommandArg ArgDouble(std::string name) { return ArgOf(std::move(name), ArgType::kDouble); }
inline CommandArg ArgPattern(std::string name) { return ArgOf(std::move(name), ArgType::kPattern); }
inline CommandArg ArgUnixTime(std::string name) {
  return ArgOf(std::move(name), ArgType::kUnixTime);
}
// A literal word alone ("NX"), no value after it.
inline CommandArg ArgToken(std::string name, std::string token) {
  return ArgOf(std::move(name), ArgType::kPureToken).Token(std::move(token));
}
// Exactly one of `choices`.
inline CommandArg ArgOneOf(std::string name, std::vector<CommandArg> choices) {
  CommandArg a = ArgOf(std::move(name), ArgType::kOneOf);
  a.arguments = std::move(choices);
  return a;
}
// All of `parts`, in order.
inline CommandArg ArgBlock(std::string name, std::vector<CommandArg> parts) {
  CommandArg a = ArgOf(std::move(name), ArgType::kBlock);
  a.arguments = std::move(parts);
  return a;
}

}  // namespace stashd::server
