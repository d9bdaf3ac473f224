#include "store/store.h"

#include "core/status_macros.h"
#include "core/text.h"
#include "store/db.h"
#include "store/hmac_key.h"

namespace fraudgate::store {
namespace {

// The key of the beneficiary index: read from the data dir, or made on the
// first writable open. Empty for a read-only open of a data dir that has
// none.
absl::StatusOr<std::string> LoadHmacKey(const StoreOptions& options) {
  ASSIGN_OR_RETURN(std::optional<std::string> key, ReadHmacKey(options.path));
  if (key) return *std::move(key);
  if (options.read_only) return std::string();
  ASSIGN_OR_RETURN(std::string made, NewHmacKey());
  RETURN_IF_ERROR(WriteHmacKey(options.path, made));
  return made;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const StoreOptions& options) {
  if (options.hits_outbox &&
      (options.read_only || !options.secondary_path.empty())) {
    return absl::InvalidArgumentError(
        "store: hits_outbox needs a writable store");
  }
  std::unique_ptr<Store> store(new Store());
  ASSIGN_OR_RETURN(store->db_, Db::Open(options));
  store->path_ = options.path;
  ASSIGN_OR_RETURN(store->blocklist_, BlocklistStore::Open(store->db_.get()));
  ASSIGN_OR_RETURN(std::string hmac_key, LoadHmacKey(options));
  ASSIGN_OR_RETURN(store->hits_,
                   HitStore::Open(store->db_.get(), std::move(hmac_key),
                                  options.hits_outbox));
  return store;
}

// The users of the database go before it closes.
Store::~Store() {
  hits_.reset();
  blocklist_.reset();
  db_.reset();
}

absl::Status Store::Close() {
  hits_.reset();  // writes the hits still queued
  blocklist_.reset();
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  for (size_t i = 0; i < kCfCount; ++i) {
    if (db_->cf(static_cast<Cf>(i)) != nullptr) {
      families.push_back(db_->cf(static_cast<Cf>(i)));
    }
  }
  absl::Status flushed = FromRocks(
      db_->get()->Flush(rocksdb::FlushOptions(), families), "flush on close");
  db_.reset();
  return flushed;
}

StoreStats Store::Stats() const {
  rocksdb::DB* db = db_->get();
  StoreStats stats;
  for (size_t i = 0; i < kCfCount; ++i) {
    const Cf cf = static_cast<Cf>(i);
    if (db_->cf(cf) == nullptr) continue;
    StoreStats::ColumnFamily family{std::string(CfName(cf))};
    db->GetIntProperty(db_->cf(cf), rocksdb::DB::Properties::kLiveSstFilesSize,
                       &family.sst_bytes);
    db->GetIntProperty(db_->cf(cf),
                       rocksdb::DB::Properties::kCurSizeAllMemTables,
                       &family.memtable_bytes);
    stats.column_families.push_back(std::move(family));
  }
  db->GetAggregatedIntProperty(
      rocksdb::DB::Properties::kEstimatePendingCompactionBytes,
      &stats.pending_compaction_bytes);
  uint64_t stopped = 0;
  db->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &stopped);
  stats.writes_stopped = stopped != 0;
  rocksdb::Statistics* tickers = db_->statistics();
  stats.block_cache_hits = tickers->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  stats.block_cache_misses = tickers->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  stats.write_stall_micros = tickers->getTickerCount(rocksdb::STALL_MICROS);
  return stats;
}

absl::Status Store::WriteHealth() const { return db_->background_error(); }

absl::Status Store::ResumeWrites() { return db_->ResumeWrites(); }

bool Store::WritesNeedReopen() const { return db_->writes_need_reopen(); }

}  // namespace fraudgate::store
