// Status: the outcome of a persistence operation, returned as a value
// (errors never cross the persistence/ boundary as exceptions).
//
//   Status s = writer.Write(cut, seq, now);
//   if (!s.ok()) return s;
//
// Thread safety: a Status is a plain value.
#pragma once

#include <string>
#include <utility>

namespace stashd::persistence {

class Status {
 public:
  enum class Code {
    kOk,
    kIoError,       // a system call failed; errno() tells which error
    kCorruption,    // a file's contents are damaged
    kNotSupported,  // a file of a newer format, or not one of ours
    kInvalid,       // a caller's mistake (bad argument, wrong state)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status IoError(std::string message, int error_number) {
    return Status(Code::kIoError, std::move(message), error_number);
  }
  static Status Corruption(std::string message) {
    return Status(Code::kCorruption, std::move(message), 0);
  }
  static Status NotSupported(std::string message) {
    return Status(Code::kNotSupported, std::move(message), 0);
  }
  static Status Invalid(std::string message) {
    return Status(Code::kInvalid, std::move(message), 0);
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The errno of an I/O error (0 otherwise), for messages such as Redis's
  // "MISCONF Errors writing to the AOF file: <strerror>".
  int error_number() const { return errno_; }
  // Human-readable, naming the file (and offset) concerned; empty when ok.
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message, int error_number)
      : code_(code), message_(std::move(message)), errno_(error_number) {}

  Code code_ = Code::kOk;
  std::string message_;
  int errno_ = 0;
};

}  // namespace stashd::persistence
