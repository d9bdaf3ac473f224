// The fraudgate store: one RocksDB database (DESIGN §3) holding the police
// blocklist and the screening history. The only code that sees rocksdb::*
// lives under store/.
//
// Thread safety: all methods are thread-safe. Destroying the Store closes the
// database; no call may be in flight then.
#ifndef FRAUDGATE_STORE_STORE_H_
#define FRAUDGATE_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/backup.h"
#include "store/blocklist_store.h"
#include "store/hit_store.h"
#include "store/store_options.h"

namespace rocksdb {
class BackupEngine;
}  // namespace rocksdb

namespace fraudgate::store {

class Db;

// Figures operators watch, read from RocksDB when asked.
struct StoreStats {
  struct ColumnFamily {
    std::string name;
    uint64_t sst_bytes = 0;       // live table files
    uint64_t memtable_bytes = 0;  // active and immutable memtables
  };
  std::vector<ColumnFamily> column_families;
  // Bytes compaction would have to rewrite to bring every level to its
  // target size (RocksDB's estimate).
  uint64_t pending_compaction_bytes = 0;
  // Block cache lookups since the store opened.
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  // Time writers were delayed or stopped by RocksDB to let compaction catch
  // up, since the store opened, and whether writes are stopped now.
  uint64_t write_stall_micros = 0;
  bool writes_stopped = false;
};

class Store {
 public:
  // Opens or creates the database at options.path. INVALID_ARGUMENT without a
  // path; UNAVAILABLE when RocksDB cannot open it (e.g. it is locked by a
  // running server).
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const StoreOptions& options);
  ~Store();

  BlocklistStore& blocklist() { return *blocklist_; }
  HitStore& hits() { return *hits_; }

  // Writes the screening records still queued, flushes every memtable to
  // table files (so the next open has no log to replay) and closes the
  // database. Nothing may be called after it but the destructor. An error
  // (UNAVAILABLE) when the flush failed: the data is still in the log, and
  // the next open replays it.
  absl::Status Close();

  // Backs the store up into `backup_dir` (made, 0700, if missing) while it
  // serves: see backup.h. INVALID_ARGUMENT for a backup_dir inside the data
  // dir or naming ".."; UNAVAILABLE for I/O errors; ABORTED when stopped by
  // StopBackups (the backup dir then holds no new backup). One at a time on
  // a store: StopBackups stops only the latest.
  absl::StatusOr<BackupSummary> CreateBackup(const std::string& backup_dir,
                                             const BackupProgress& copied = {});
  // Stops the backup in progress, if any, and refuses later ones (ABORTED):
  // for a store about to close. Thread-safe.
  void StopBackups();

  StoreStats Stats() const;
  // OK while the store accepts writes. After a write failed in a way that
  // made RocksDB stop accepting writes (a failed log, flush or MANIFEST
  // write), the error (UNAVAILABLE), saying whether writes can resume, until
  // they do; reads still work meanwhile.
  absl::Status WriteHealth() const;
  // When writes are stopped, tries once to resume them, then returns
  // WriteHealth(); does nothing (no I/O) while writes run. The store does not
  // call it itself: whoever watches its health does, as often as it wants
  // writes retried (service/health.h: every second).
  //
  // What stops and what resumes (RocksDB 7.8's ErrorHandler):
  // - A write that failed with ENOSPC (NoSpace: a WAL, flush or MANIFEST
  //   write on a full disk) is a hard error: writes stop, DB::Resume can
  //   start them again. Resume flushes every memtable into new table files
  //   and moves to a new WAL (so a WAL left torn by the failed write is no
  //   longer needed); it succeeds once those writes fit on the disk, and
  //   until then fails with NoSpace and writes stay stopped. RocksDB would
  //   retry this by itself, from its SstFileManager's thread every 5 s,
  //   refusing Resume (Busy) meanwhile; the store turns that off, so
  //   retries come at this caller's pace.
  // - A write that failed with another I/O error (EIO) is fatal: no Resume
  //   helps, the store must be reopened (the server restarted).
  // - An error a file system marks retryable (other than NoSpace; the posix
  //   one marks no other) RocksDB retries itself, every second, and Resume
  //   answers Busy meanwhile.
  // A write that failed is not applied (nothing of it is readable), and a
  // resume does not apply it. Not concurrently with Close.
  absl::Status ResumeWrites();
  // True when writes stopped in a way no ResumeWrites can end (the fatal
  // case above): the store must be reopened.
  bool WritesNeedReopen() const;

 private:
  Store() = default;
  std::unique_ptr<Db> db_;
  std::string path_;
  std::unique_ptr<BlocklistStore> blocklist_;
  std::unique_ptr<HitStore> hits_;
  absl::Mutex backup_mu_;
  // The engine of the backup in progress; null when none.
  rocksdb::BackupEngine* running_backup_ ABSL_GUARDED_BY(backup_mu_) = nullptr;
  bool backups_stopped_ ABSL_GUARDED_BY(backup_mu_) = false;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_STORE_H_
