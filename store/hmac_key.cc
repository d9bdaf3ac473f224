#include "store/hmac_key.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/text.h"

namespace fraudgate::store {
namespace {

constexpr char kHmacKeyFile[] = "beneficiary-hmac.key";

std::string KeyPath(const std::string& data_dir) {
  return data_dir + "/" + kHmacKeyFile;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> ReadHmacKey(
    const std::string& data_dir) {
  const std::string path = KeyPath(data_dir);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return absl::UnavailableError(
        core::StrCat("store: cannot read ", path, ": ", std::strerror(errno)));
  }
  std::string key(kHmacKeySize, '\0');
  const ssize_t got = read(fd, key.data(), key.size());
  close(fd);
  if (got != static_cast<ssize_t>(kHmacKeySize)) {
    return absl::DataLossError(
        core::StrCat("store: ", path, " is not a ", kHmacKeySize, "-byte key"));
  }
  return key;
}

absl::Status WriteHmacKey(const std::string& data_dir, const std::string& key) {
  const std::string path = KeyPath(data_dir);
  const std::string tmp = path + ".tmp";
  const int out =
      open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const bool written =
      out >= 0 &&
      write(out, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
      fsync(out) == 0;
  int error = written ? 0 : errno;
  if (out >= 0) close(out);
  if (written && rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (!written || error != 0) {
    unlink(tmp.c_str());
    return absl::UnavailableError(
        core::StrCat("store: cannot write ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NewHmacKey() {
  std::string key(kHmacKeySize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 1) {
    return absl::InternalError("store: no randomness for the HMAC key");
  }
  return key;
}

}  // namespace fraudgate::store
