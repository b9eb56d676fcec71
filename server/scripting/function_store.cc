#include "server/scripting/function_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "persistence/rdb_payload.h"
#include "protocol/errors.h"

namespace stashd::server {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string EncodeFunctionPayload(const std::vector<ScriptEngine::LibraryInfo>& libs,
                                  persistence::rdb::Compression compression) {
  namespace rdb = persistence::rdb;
  std::string payload;
  for (const auto& lib : libs) {
    payload.push_back(static_cast<char>(rdb::kOpcodeFunction));
    rdb::AppendString(payload, lib.code, compression);
  }
  rdb::AppendFooter(payload);
  return payload;
}

std::optional<std::vector<std::string>> DecodeFunctionPayload(std::string_view payload,
                                                              std::string_view* error) {
  namespace rdb = persistence::rdb;
  const std::optional<std::string_view> body = rdb::VerifyPayload(payload);
  if (!body) {
    *error = errors::kBadDumpPayload;
    return std::nullopt;
  }
  std::vector<std::string> codes;
  rdb::Reader reader(*body);
  while (!reader.AtEnd()) {
    const std::optional<uint8_t> type = reader.ReadByte();
    if (type == rdb::kOpcodeFunctionPreGa) {
      *error = errors::kFunctionPreGaFormat;
      return std::nullopt;
    }
    if (type != rdb::kOpcodeFunction) {
      *error = errors::kNotAFunctionPayload;
      return std::nullopt;
    }
    std::optional<std::string> code = reader.ReadString();
    if (!code) {
      *error = errors::kBadFunctionPayload;
      return std::nullopt;
    }
    codes.push_back(std::move(*code));
  }
  return codes;
}

std::optional<std::string> SaveFunctionLibraries(
    const std::string& dir, const std::vector<ScriptEngine::LibraryInfo>& libs) {
  // The file keeps the uncompressed form whatever rdbcompression says.
  const std::string data = EncodeFunctionPayload(libs, persistence::rdb::Compression::kNone);
  const std::string path = dir + "/" + kFunctionsFileName;
  // A name of this process's own: two servers given the same folder by
  // mistake must not rename each other's half-written file.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("can't create " + tmp);
  if (!WriteAll(fd, data) || ::fsync(fd) != 0) {
    std::string error = Errno("can't write " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return error;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string error = Errno("can't rename " + tmp);
    ::unlink(tmp.c_str());
    return error;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) return Errno("can't sync " + dir);
  }
  return std::nullopt;
}

std::optional<std::string> LoadFunctionLibraries(const std::string& dir, ScriptEngine& engine) {
  const std::string path = dir + "/" + kFunctionsFileName;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;  // no libraries saved
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string data = buf.str();
  std::string_view error;
  const std::optional<std::vector<std::string>> codes = DecodeFunctionPayload(data, &error);
  if (!codes) return "'" + path + "' is damaged (" + std::string(error.substr(4)) + ")";
  for (const std::string& code : *codes) {
    std::string name;
    if (auto load_error = engine.LoadLibrary(code, false, &name)) {
      return "a library in '" + path + "' does not load: " + *load_error;
    }
  }
  return std::nullopt;
}

}  // namespace stashd::server
