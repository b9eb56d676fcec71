#include "persistence/log_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "persistence/crc32c.h"
#include "persistence/file_system.h"
#include "persistence/log_format.h"

namespace stashd::persistence {
namespace {

uint32_t Fixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// A read-only mapping of a whole file.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  Status Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("stat", path, err);
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return ErrnoStatus("mmap", path, err);
      }
      data_ = static_cast<char*>(p);
      ::madvise(p, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return Status::Ok();
  }
  std::string_view contents() const { return {data_, size_}; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Status ReadLogFile(const std::string& path,
                   absl::FunctionRef<Status(std::string_view payload, uint64_t offset)> fn,
                   LogScan* scan) {
  *scan = LogScan();
  MappedFile file;
  Status s = file.Open(path);
  if (!s.ok()) return s;
  std::string_view data = file.contents();
  scan->file_size = data.size();
  if (data.size() < log::kFileHeaderSize) {
    // Created, but the crash came before its header was written.
    scan->torn_tail = !data.empty();
    return Status::Ok();
  }
  s = log::DecodeFileHeader(data, &scan->seq);
  if (!s.ok())
    return Status(s.code() == Status::Code::kCorruption
                      ? Status::Corruption(path + ": " + s.message() + " at offset 0")
                      : Status::NotSupported(path + ": " + s.message()));
  size_t off = log::kFileHeaderSize;
  scan->valid_size = off;
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption("write log '" + path + "' is corrupt at byte offset " +
                              std::to_string(off) + " (" + what + "; " +
                              std::to_string(data.size() - off) +
                              " bytes from there to the end of the file). Repair it with "
                              "'stashd --check-log " +
                              path + " --repair'");
  };
  while (off < data.size()) {
    std::string_view rest = data.substr(off);
    // A record whose end the file does not reach, or whose damage is
    // followed only by zeros (blocks allocated but never written), is the
    // torn last write of a crash.
    auto torn = [&] {
      scan->torn_tail = true;
      return Status::Ok();
    };
    if (rest.size() < log::kRecordHeaderSize) return torn();
    const uint32_t length = Fixed32(rest.data());
    const uint32_t payload_crc = Fixed32(rest.data() + 4);
    const uint32_t header_crc = Fixed32(rest.data() + 8);
    if (header_crc != crc32c::Value(rest.substr(0, 8)) || length == 0 ||
        length > log::kMaxRecordSize) {
      if (AllZero(rest.substr(log::kRecordHeaderSize)) || AllZero(rest)) return torn();
      return corrupt("bad record header");
    }
    if (length > rest.size() - log::kRecordHeaderSize) return torn();
    std::string_view payload = rest.substr(log::kRecordHeaderSize, length);
    if (crc32c::Value(payload) != payload_crc) {
      std::string_view after = rest.substr(log::kRecordHeaderSize + length);
      if (after.empty() || AllZero(after)) return torn();
      return corrupt("record checksum mismatch");
    }
    s = fn(payload, off);
    if (!s.ok()) {
      if (s.code() == Status::Code::kCorruption || s.code() == Status::Code::kNotSupported) {
        return corrupt(s.message());
      }
      return s;
    }
    off += log::kRecordHeaderSize + length;
    scan->valid_size = off;
    ++scan->records;
  }
  return Status::Ok();
}

Status CheckLogFile(const std::string& path, bool repair, std::string* report) {
  LogScan scan;
  uint64_t changes = 0;
  Status s = ReadLogFile(
      path,
      [&](std::string_view payload, uint64_t) {
        return log::DecodeRecord(payload, [&](const store::Change&) {
          ++changes;
          return Status::Ok();
        });
      },
      &scan);
  if (s.code() == Status::Code::kNotSupported || s.code() == Status::Code::kIoError) {
    report->append(s.message() + "\n");
    return s;
  }
  report->append(path + ": " + std::to_string(scan.records) + " records (" +
                 std::to_string(changes) + " changes), " + std::to_string(scan.valid_size) +
                 " of " + std::to_string(scan.file_size) + " bytes intact\n");
  if (s.ok() && !scan.torn_tail) {
    report->append("Log is valid.\n");
    return Status::Ok();
  }
  if (s.ok()) {
    report->append("The last record is incomplete (a crash in the middle of a write): its " +
                   std::to_string(scan.file_size - scan.valid_size) +
                   " bytes are dropped at start-up.\n");
  } else {
    report->append(s.message() + "\n");
  }
  if (!repair) {
    report->append("Run with --repair to truncate the file at byte offset " +
                   std::to_string(scan.valid_size) + ".\n");
    return s.ok() ? Status::Ok() : s;
  }
  // Keep what is dropped, so that nothing is lost beyond recall.
  {
    MappedFile file;
    Status o = file.Open(path);
    if (!o.ok()) return o;
    std::string_view dropped = file.contents().substr(scan.valid_size);
    std::ofstream out(path + ".dropped", std::ios::binary | std::ios::trunc);
    out.write(dropped.data(), static_cast<std::streamsize>(dropped.size()));
    out.flush();
    if (!out) return Status::IoError("cannot write '" + path + ".dropped'", EIO);
  }
  std::unique_ptr<WritableFile> file;
  Status w = FileSystem::Default()->OpenWritable(path, /*truncate=*/false, &file);
  if (w.ok()) w = file->Truncate(scan.valid_size);
  if (w.ok()) w = file->Sync();
  if (!w.ok()) {
    report->append(w.message() + "\n");
    return w;
  }
  report->append("Repaired: truncated to " + std::to_string(scan.valid_size) + " bytes; the " +
                 std::to_string(scan.file_size - scan.valid_size) + " bytes dropped are in " +
                 path + ".dropped\n");
  return Status::Ok();
}

}  // namespace stashd::persistence
