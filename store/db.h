// Internal to store/: the RocksDB handle with the column families of DESIGN §3
// and the one place where rocksdb::Status becomes absl::Status. Nothing outside
// store/ includes this header.
#ifndef FRAUDGATE_STORE_DB_H_
#define FRAUDGATE_STORE_DB_H_

#include <array>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "store/store_options.h"

namespace fraudgate::store {

// entities, reports, hits_by_transfer and hits_by_beneficiary keep their
// memtable in a hash table (db.cc): an iterator that scans across keys of
// those must set ReadOptions::total_order_seek: without it the results are
// undefined (the memtable's entries are missed, and files may be skipped by
// their prefix filters).
enum class Cf {
  kEntities,
  kReports,
  kAudit,
  kHits,
  kHitsByIdentifier,
  kHitsByTransfer,
  kHitsByBeneficiary,
  kMeta,
  // A cluster node's screening records not yet published (HitStore's
  // outbox): made by an open with StoreOptions::hits_outbox, so a single
  // node's store (and one written by an older build) has none.
  kHitsOutbox,
};
inline constexpr size_t kCfCount = 9;

// The column family name of `cf` as stored on disk.
std::string_view CfName(Cf cf);

// rocksdb::Status -> absl::Status. I/O errors, corruption and busy/timeout
// become UNAVAILABLE (the store cannot answer), others INTERNAL. `what` names
// the operation.
absl::Status FromRocks(const rocksdb::Status& s, std::string_view what);

class Db;

// The big-endian 64-bit number stored in `meta` under `key` (list version,
// stream positions); 0 when absent. DATA_LOSS when the value is not 8 bytes.
absl::StatusOr<uint64_t> ReadMetaNumber(const Db& db, std::string_view key);

class Db {
 public:
  // Opens (or creates) the database with every column family. Point-lookup
  // column families get whole-key bloom filters whose filter and index blocks
  // stay in memory with their open tables; data blocks share one block cache.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const StoreOptions& options);

  // Closes the database; all iterators and snapshots must be released.
  ~Db();

  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  rocksdb::DB* get() const { return db_.get(); }
  // RocksDB's tickers (counters only: no histograms or timers).
  rocksdb::Statistics* statistics() const { return statistics_.get(); }
  // OK while RocksDB accepts writes; the background error that stopped them
  // (the database is then read-only until it recovers) otherwise.
  absl::Status background_error() const;
  // True when writes stopped for good: only reopening the database starts
  // them again (see Store::ResumeWrites).
  bool writes_need_reopen() const;
  // When writes are stopped, tries once to resume them (DB::Resume), then
  // returns background_error(). See Store::ResumeWrites.
  absl::Status ResumeWrites();
  // The handle of `cf`; null only for kHitsOutbox in a store that has
  // none (see there).
  rocksdb::ColumnFamilyHandle* cf(Cf cf) const {
    return handles_[static_cast<size_t>(cf)];
  }
  // Opened with StoreOptions::read_only.
  bool read_only() const { return read_only_; }

 private:
  class ErrorListener;
  Db() = default;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::shared_ptr<ErrorListener> errors_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kCfCount> handles_{};
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  bool read_only_ = false;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_DB_H_
