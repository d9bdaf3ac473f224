// Backups of the store with RocksDB's BackupEngine: consistent (one point in
// the store's history: the memtables are flushed and file deletions paused
// for the copy, on the database's own, primary, handle), checksummed, and
// sharing table files between backups. A backup holds the whole RocksDB
// database (blocklist, audit chain, screening history) and the beneficiary
// index key (hmac_key.h), which is not in RocksDB. The backup directory is
// made 0700: it holds the data, and the key, in clear.
//
// A backup is taken through an open Store (Store::CreateBackup: a running
// server's, or one opened for it); list, verify and restore only read the
// backup directory.
//
// Thread safety: not two of these on one backup dir at once.
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
  uint64_t list_version = 0;  // of the blocklist in the backup
};

// Calls `copied(bytes)` as the copy goes on (about every 4 MiB).
using BackupProgress = std::function<void(uint64_t bytes)>;

// Opens the store at `data_dir` (refused, UNAVAILABLE, while another process
// holds it: a running server backs itself up with Store::CreateBackup) and
// backs it up into `backup_dir` (Store::CreateBackup). NOT_FOUND when
// `data_dir` holds no database.
absl::StatusOr<BackupSummary> CreateBackup(const std::string& data_dir,
                                           const std::string& backup_dir,
                                           const BackupProgress& copied = {});

// The backups in `backup_dir`, oldest first. NOT_FOUND when it holds none.
absl::StatusOr<std::vector<BackupSummary>> ListBackups(
    const std::string& backup_dir);

// Checks every backup in `backup_dir` (or only `id`): each file present with
// its size and checksum. DATA_LOSS naming the backup and the problem, also
// for a backup whose description cannot be read.
absl::StatusOr<std::vector<BackupSummary>> VerifyBackups(
    const std::string& backup_dir, std::optional<uint32_t> id = std::nullopt);

// Restores backup `id` (default: the newest) into `data_dir`, which must not
// exist or be empty (FAILED_PRECONDITION otherwise: a restore never
// overwrites a data dir), and returns it with the list version restored.
// All or nothing: it restores into a sibling directory, writes the key,
// opens the result, and only then renames it into place. NOT_FOUND for an
// unknown backup.
absl::StatusOr<BackupSummary> RestoreBackup(
    const std::string& backup_dir, const std::string& data_dir,
    std::optional<uint32_t> id = std::nullopt);

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_BACKUP_H_
