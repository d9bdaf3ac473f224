// The key of the beneficiary index (DESIGN §3), kept in the data dir as
// beneficiary-hmac.key: 32 random bytes, mode 0600. It is not in RocksDB, so
// backups carry it separately (backup.h).
#ifndef FRAUDGATE_STORE_HMAC_KEY_H_
#define FRAUDGATE_STORE_HMAC_KEY_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace fraudgate::store {

inline constexpr size_t kHmacKeySize = 32;

// The key of `data_dir`; nullopt when it has none. DATA_LOSS for a file
// that is not a key, UNAVAILABLE when it cannot be read.
absl::StatusOr<std::optional<std::string>> ReadHmacKey(
    const std::string& data_dir);

// Writes `key` (kHmacKeySize bytes) into `data_dir` atomically and synced,
// mode 0600. UNAVAILABLE when it cannot.
absl::Status WriteHmacKey(const std::string& data_dir, const std::string& key);

// kHmacKeySize random bytes. INTERNAL without a source of randomness.
absl::StatusOr<std::string> NewHmacKey();

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_HMAC_KEY_H_
