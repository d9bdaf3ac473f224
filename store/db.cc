#include "store/db.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/table_properties_collectors.h"
#include "store/info_log.h"
#include "store/keys.h"

namespace fraudgate::store {
namespace {

constexpr std::array<std::string_view, kCfCount> kCfNames = {
    "entities",
    "reports",
    "audit",
    "hits",
    "hits_by_identifier",
    "hits_by_transfer",
    "hits_by_beneficiary",
    "meta",
    "hits_outbox"};

// Column families read by point lookups on the screening path.
bool IsPointLookupCf(size_t index) {
  const Cf cf = static_cast<Cf>(index);
  return cf == Cf::kEntities || cf == Cf::kHitsByTransfer || cf == Cf::kMeta ||
         cf == Cf::kReports;
}

// The point-lookup CFs written at random keys, whose memtable is a hash
// table over the whole key (HashedMemtable).
bool IsWholeKeyHashedCf(size_t index) {
  const Cf cf = static_cast<Cf>(index);
  return cf == Cf::kEntities || cf == Cf::kHitsByTransfer || cf == Cf::kReports;
}

// The history CFs, from which retention deletes whole ranges of old records.
bool IsHistoryCf(size_t index) {
  const Cf cf = static_cast<Cf>(index);
  return cf == Cf::kHits || cf == Cf::kHitsByIdentifier ||
         cf == Cf::kHitsByTransfer || cf == Cf::kHitsByBeneficiary;
}

// The memtable of the column families written at random keys: the two
// indexes every screening writes (hits_by_transfer, hits_by_beneficiary),
// and the entities and reports every upload rewrites. In the default skip
// list such an insert walks ~20 levels of a 64 MiB structure, a cache miss at
// each: those inserts were the largest cost of recording a hit, and 43% of
// the server's time in an online import (perf, issue 6). A hash table of
// short linked lists, keyed by the prefix extractor, makes them one bucket
// lookup. Reads by prefix (Seek with prefix_same_as_start) and point reads
// stay cheap. A scan across prefixes must set ReadOptions::total_order_seek
// (without it the results are undefined: the memtable's entries are missed,
// files may be skipped by their prefix filters); the server makes none.
// The buckets (8 bytes each) are allocated with every memtable: size them
// for ~1 entry each when the 64 MiB memtable is full.
std::shared_ptr<rocksdb::MemTableRepFactory> HashedMemtable(Cf cf) {
  // Index entries are ~60-100 bytes; entities and reports several hundred.
  const int log2_buckets =
      cf == Cf::kHitsByTransfer || cf == Cf::kHitsByBeneficiary ? 20 : 18;
  return std::shared_ptr<rocksdb::MemTableRepFactory>(
      rocksdb::NewHashLinkListRepFactory(size_t{1} << log2_buckets));
}

// Whether the store at options.path has column family `name`; false when
// there is no store yet. A read-only or secondary open retries a listing
// that a running server's file deletions broke (see the open below).
bool HasColumnFamily(const rocksdb::DBOptions& db_options,
                     const StoreOptions& options, std::string_view name) {
  const bool beside_a_server =
      options.read_only || !options.secondary_path.empty();
  for (int attempt = 1;; ++attempt) {
    std::vector<std::string> existing;
    const rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing);
    if (s.ok()) {
      return std::find(existing.begin(), existing.end(), name) !=
             existing.end();
    }
    if (!beside_a_server || attempt == 10 ||
        !(s.IsIOError() || s.IsCorruption())) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
  }
}

}  // namespace

// Keeps the error with which RocksDB stopped accepting writes (a failed WAL
// or flush write), until it recovers.
class Db::ErrorListener : public rocksdb::EventListener {
 public:
  // Soft errors (a compaction that failed) leave writes running.
  void OnBackgroundError(rocksdb::BackgroundErrorReason,
                         rocksdb::Status* error) override {
    if (error == nullptr || error->ok() ||
        error->severity() < rocksdb::Status::Severity::kHardError) {
      return;
    }
    absl::MutexLock lock(&mu_);
    error_ = Stopped(*error);
    fatal_ = error->severity() >= rocksdb::Status::Severity::kFatalError;
  }
  // RocksDB would retry a NoSpace error by itself, from its SstFileManager's
  // thread every 5 s, refusing Resume (Busy) meanwhile: Store::ResumeWrites
  // retries instead, as often as it is called.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
  void OnErrorRecoveryEnd(
      const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    const rocksdb::Status& error = info.new_bg_error;
    absl::MutexLock lock(&mu_);
    error_ =
        error.ok() || error.severity() < rocksdb::Status::Severity::kHardError
            ? absl::OkStatus()
            : Stopped(error);
    fatal_ = !error_.ok() &&
             error.severity() >= rocksdb::Status::Severity::kFatalError;
  }
  absl::Status error() const {
    absl::MutexLock lock(&mu_);
    return error_;
  }
  bool fatal() const {
    absl::MutexLock lock(&mu_);
    return fatal_;
  }

 private:
  // Says whether writes can resume: a fatal error (e.g. a WAL write that
  // failed with EIO rather than ENOSPC) stops them until the store is
  // reopened.
  static absl::Status Stopped(const rocksdb::Status& error) {
    return FromRocks(error,
                     error.severity() >= rocksdb::Status::Severity::kFatalError
                         ? "writes stopped until the store is reopened"
                         : "writes stopped until they can resume");
  }

  mutable absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  bool fatal_ ABSL_GUARDED_BY(mu_) = false;
};

absl::Status Db::background_error() const { return errors_->error(); }

bool Db::writes_need_reopen() const { return errors_->fatal(); }

absl::Status Db::ResumeWrites() {
  if (background_error().ok()) return absl::OkStatus();
  // Its failure is the background error the listener keeps.
  db_->Resume().PermitUncheckedError();
  return background_error();
}

std::string_view CfName(Cf cf) { return kCfNames[static_cast<size_t>(cf)]; }

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = core::StrCat("store: ", what, ": ", s.ToString());
  if (s.IsIOError() || s.IsCorruption() || s.IsBusy() || s.IsTimedOut() ||
      s.IsTryAgain() || s.IsIncomplete() || s.IsShutdownInProgress()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<uint64_t> ReadMetaNumber(const Db& db, std::string_view key) {
  std::string value;
  const rocksdb::Status s = db.get()->Get(
      rocksdb::ReadOptions(), db.cf(Cf::kMeta), std::string(key), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocks(s, core::StrCat("read ", key));
  if (value.size() != 8) {
    return absl::DataLossError(
        core::StrCat("store: meta ", key, " is not 8 bytes"));
  }
  return ReadBigEndian64(value);
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const StoreOptions& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("store: path is required");
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing &&
                                 !options.read_only &&
                                 options.secondary_path.empty();
  // A writable open of an existing store makes the outbox when asked to.
  db_options.create_missing_column_families =
      !options.read_only && options.secondary_path.empty();
  // Acknowledged writes must survive kill -9: the WAL is written on every
  // write (DESIGN §10: manual_wal_flush stays off).
  db_options.manual_wal_flush = false;
  // The hashed memtables below take inserts from one thread at a time (the
  // write group's leader), which on the reference box's one server core is
  // what happens anyway.
  db_options.allow_concurrent_memtable_write = false;
  if (options.env != nullptr) db_options.env = options.env;
  // A writable open logs through a log that survives a full disk (a read-only
  // open keeps none; a secondary keeps its own in secondary_path).
  if (!options.read_only && options.secondary_path.empty()) {
    ASSIGN_OR_RETURN(db_options.info_log,
                     OpenInfoLog(db_options.env, options.path));
  }
  // Tickers only (block cache hits, stall time): a relaxed add each.
  auto statistics = rocksdb::CreateDBStatistics();
  statistics->set_stats_level(rocksdb::kExceptHistogramOrTimers);
  db_options.statistics = statistics;
  auto errors = std::make_shared<ErrorListener>();
  db_options.listeners.push_back(errors);

  std::shared_ptr<rocksdb::Cache> cache;
  if (options.block_cache_bytes > 0) {
    cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  }
  // The outbox is a cluster node's: made when asked for, opened when there
  // (a store written by a single node, or by an older build, has none, and
  // its handle stays null).
  std::vector<size_t> opened;
  for (size_t i = 0; i < kCfCount; ++i) {
    if (static_cast<Cf>(i) != Cf::kHitsOutbox || options.hits_outbox ||
        HasColumnFamily(db_options, options, kCfNames[i])) {
      opened.push_back(i);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i : opened) {
    rocksdb::ColumnFamilyOptions cf_options;
    rocksdb::BlockBasedTableOptions table;
    if (cache) {
      table.block_cache = cache;
    } else {
      table.no_block_cache = true;
    }
    if (IsPointLookupCf(i)) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.whole_key_filtering = true;
      // Filter and index blocks stay in memory with their open table (about
      // 2.5 bytes a key: 25 MB for a 10M-identifier list), not in the block
      // cache. Every screening probes them, and a large list's are single
      // blocks of many MB (an offline import ingests two large files per
      // column family): bigger than a block cache shard (1/64 of it), such a
      // block was dropped after each use and read back from the file on every
      // lookup, 1.5-2.7 ms each at 10M identifiers (bench/RESULTS.md). The
      // block cache holds data blocks only.
      table.cache_index_and_filter_blocks = false;
      cf_options.optimize_filters_for_hits = false;
    }
    if (static_cast<Cf>(i) == Cf::kHitsByBeneficiary) {
      // Keys start with a 32-byte keyed hash; most lookups (how many past
      // transfers has a newly listed identifier?) find none, which a prefix
      // bloom filter answers without reading a data block.
      cf_options.prefix_extractor.reset(
          rocksdb::NewFixedPrefixTransform(kBeneficiaryHashSize));
      cf_options.memtable_prefix_bloom_size_ratio = 0.02;
      cf_options.memtable_factory = HashedMemtable(static_cast<Cf>(i));
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.whole_key_filtering = false;
    }
    if (IsWholeKeyHashedCf(i)) {
      // The "prefix" is the whole key (identifiers, report ids, caller and
      // transfer_id are far shorter than the cap): these CFs are read by
      // key only. The table filters stay whole-key filters (a prefix equal
      // to its key is not added twice), so files written before this
      // setting read the same.
      cf_options.prefix_extractor.reset(
          rocksdb::NewCappedPrefixTransform(4096));
      cf_options.memtable_factory = HashedMemtable(static_cast<Cf>(i));
    }
    if (static_cast<Cf>(i) == Cf::kHitsOutbox) {
      // A few small entries at a time, trimmed as soon as published: a
      // small memtable flushes its range tombstones soon.
      cf_options.write_buffer_size = size_t{4} << 20;
    }
    if (IsHistoryCf(i)) {
      // Retention leaves runs of tombstones; a file dense with them is
      // compacted soon, so scans of the history do not step over them.
      cf_options.table_properties_collector_factories.push_back(
          rocksdb::NewCompactOnDeletionCollectorFactory(
              /*sliding_window_size=*/1024, /*deletion_trigger=*/512));
    }
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    descriptors.emplace_back(std::string(kCfNames[i]), cf_options);
  }
  // RocksDB requires the default column family to be opened too.
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (!options.secondary_path.empty()) {
    s = rocksdb::DB::OpenAsSecondary(db_options, options.path,
                                     options.secondary_path, descriptors,
                                     &handles, &raw);
  } else if (options.read_only) {
    // A read-only open takes no lock, so a server running on the same
    // directory may delete files (obsolete MANIFESTs, compacted SSTs) between
    // the moment the MANIFEST is read and the moment the files it names are
    // opened; the open then fails with a missing file. Once open, every table
    // file is held open (max_open_files is -1, the default), so a retry on a
    // fresh MANIFEST is all it takes.
    for (int attempt = 1;; ++attempt) {
      s = rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors,
                                       &handles, &raw);
      if (s.ok() || attempt == 10 || !(s.IsIOError() || s.IsCorruption())) {
        break;
      }
      handles.clear();
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
    }
  } else {
    s = rocksdb::DB::Open(db_options, options.path, descriptors, &handles,
                          &raw);
  }
  if (!s.ok()) return FromRocks(s, core::StrCat("open ", options.path));

  std::unique_ptr<Db> db(new Db());
  db->statistics_ = std::move(statistics);
  db->errors_ = std::move(errors);
  db->db_.reset(raw);
  for (size_t k = 0; k < opened.size(); ++k)
    db->handles_[opened[k]] = handles[k];
  db->default_cf_ = handles[opened.size()];
  db->read_only_ = options.read_only;
  return db;
}

Db::~Db() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  if (default_cf_ != nullptr) db_->DestroyColumnFamilyHandle(default_cf_);
  db_->Close();
}

}  // namespace fraudgate::store
