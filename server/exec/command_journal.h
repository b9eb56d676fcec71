// What the dispatcher asks of server-side persistence around every command:
// bracket its changes into one write-log record, and say whether writes are
// refused (MISCONF). Implemented by Persistence (server/durability/persistence.h); the
// dispatcher reaches it through ServerState::command_journal() without
// including persistence.h.
//
// Thread safety: every method is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace stashd::server {

class CommandJournal {
 public:
  virtual ~CommandJournal() = default;

  // Around every command (nested inside EXEC, which brackets the whole
  // transaction): the changes made in between become one log record.
  // EndCommand() runs before the command's shard locks are released, so the
  // log's order is the order the changes were applied in.
  virtual void BeginCommand() = 0;
  virtual void EndCommand() = 0;

  // True when writes must be refused (fast check); WriteRefusal() then gives
  // the MISCONF error text, or nullopt if the condition just cleared.
  virtual bool refusing_writes() const = 0;
  virtual std::optional<std::string> WriteRefusal() const = 0;

  // The position of the last log record this thread appended, and whether
  // the replies of what this thread ran since it was `before` may be sent
  // now (else `resume` is called, from another thread, once they may).
  virtual uint64_t ThreadLogPosition() const = 0;
  virtual bool ReadyToReply(uint64_t before, std::function<void()> resume) = 0;
};

}  // namespace stashd::server
