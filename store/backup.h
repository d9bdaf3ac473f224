// Backups of a data dir with RocksDB's BackupEngine: online (the data dir
// may belong to a running server), consistent (one point in the store's
// history), checksummed, incremental (table files shared between backups).
// A backup holds the whole RocksDB database (blocklist, audit chain,
// screening history) and the beneficiary index key (hmac_key.h), which is
// not in RocksDB. The backup directory holds the data in clear, like the
// data dir: protect it the same way.
//
// Thread safety: the functions may run concurrently with a server on the
// same data dir; not two of them on one backup dir.
#ifndef FRAUDGATE_STORE_BACKUP_H_
#define FRAUDGATE_STORE_BACKUP_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fraudgate::store {

struct BackupSummary {
  uint32_t id = 0;
  absl::Time created;
  uint64_t bytes = 0;  // of the files this backup needs, shared or not
  uint32_t files = 0;
  // The blocklist's version when the backup began. The backup holds that
  // version or a slightly later one (the log is copied as it is when the
  // copy reaches it); RestoreBackup returns the version it restored.
  uint64_t list_version = 0;
};

// Calls `copied(bytes)` as the copy goes on (about every 4 MiB).
using BackupProgress = std::function<void(uint64_t bytes)>;

// Backs up `data_dir` into `backup_dir` (made if missing), through a
// secondary instance, so a server may be running on `data_dir`; retried a
// few times when the server deletes a file (a compaction) under the copy.
// NOT_FOUND when `data_dir` holds no database, UNAVAILABLE for I/O errors.
absl::StatusOr<BackupSummary> CreateBackup(const std::string& data_dir,
                                           const std::string& backup_dir,
                                           const BackupProgress& copied = {});

// The backups in `backup_dir`, oldest first. NOT_FOUND when it holds none.
absl::StatusOr<std::vector<BackupSummary>> ListBackups(
    const std::string& backup_dir);

// Checks every backup in `backup_dir` (or only `id`): each file present with
// its size and checksum. DATA_LOSS naming the backup and the problem.
absl::StatusOr<std::vector<BackupSummary>> VerifyBackups(
    const std::string& backup_dir, std::optional<uint32_t> id = std::nullopt);

// Restores backup `id` (default: the newest) into `data_dir`, which must not
// exist or be empty (FAILED_PRECONDITION otherwise: a restore never
// overwrites a data dir), and returns it with the list version restored.
// NOT_FOUND for an unknown backup.
absl::StatusOr<BackupSummary> RestoreBackup(
    const std::string& backup_dir, const std::string& data_dir,
    std::optional<uint32_t> id = std::nullopt);

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_BACKUP_H_
