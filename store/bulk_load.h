// Offline bulk load of police reports into a data dir no server has open
// (`fraudgate import --offline`). It stores what BlocklistStore::ApplyReports
// of the same reports in one batch would store, byte for byte, audit chain
// included, but commits it as sorted SST files (rocksdb::SstFileWriter)
// ingested into every column family in one atomic IngestExternalFiles call:
// one list version bump for the whole load. A crash before Commit() returns
// leaves the store as it was.
//
// How: Add() decides each report in upload order as the online path does
// (AcceptReport: merged, unchanged or refused), writes its sealed audit
// record to the audit SST file, keeps the accepted report record, and notes
// each identifier it names under the identifier's entity key. Commit() sorts
// the notes by key and builds every entity once, applying its reports in
// upload order (ApplyReportToEntity) to its stored state, on two threads that
// each write the SST file of half of the key range. Entities are never
// staged, serialized and parsed back between Add() calls.
//
// Memory: the accepted report records (on an arena) and one key per
// identifier named, until the load is destroyed: a peak of 5.0 GB for 9.1M
// identifiers in 3.7M reports (bench/RESULTS.md).
//
// Thread safety: a BulkLoad holds the store's writer lock from Start() until
// it is destroyed; use it from one thread.
#ifndef FRAUDGATE_STORE_BULK_LOAD_H_
#define FRAUDGATE_STORE_BULK_LOAD_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/arena.h"
#include "store/blocklist_store.h"

namespace rocksdb {
class SstFileWriter;
}  // namespace rocksdb

namespace fraudgate::store {

struct BulkLoadResult {
  uint64_t list_version = 0;  // unchanged when nothing was staged
  // Identifiers the load listed: new, or re-activated.
  int64_t identifiers_added = 0;
};

class BulkLoad {
 public:
  // Starts a load into `store` by `actor` at time `now`; SST files are
  // written under `work_dir` (created if needed, must be on the same file
  // system as the store so ingestion can move the files).
  static absl::StatusOr<std::unique_ptr<BulkLoad>> Start(BlocklistStore* store,
                                                         std::string actor,
                                                         absl::Time now,
                                                         std::string work_dir);
  ~BulkLoad();

  // Stages validated reports with canonical, distinct identifiers, after
  // those of earlier calls. Results as BlocklistStore::ApplyReports, except
  // that identifiers_added stays empty and list_version 0: which identifiers
  // the load lists is known at Commit (ForEachAdded). After an error the load
  // can only be dropped: Add and Commit then fail with FAILED_PRECONDITION.
  absl::StatusOr<std::vector<ApplyReportResult>> Add(
      absl::Span<const v1::Report> reports);

  // Writes and ingests everything staged. May be called once.
  absl::StatusOr<BulkLoadResult> Commit();

  // After a successful Commit: calls `fn` with the identifiers the load
  // listed, in key order, in batches of at most `batch_size` (>= 1); the
  // pointers live as long as the load. Stops at and returns the first error
  // `fn` returns. Before Commit it calls nothing.
  absl::Status ForEachAdded(
      size_t batch_size,
      const std::function<
          absl::Status(absl::Span<const v1::Identifier* const>)>& fn) const;

 private:
  // An identifier named by an accepted report: its entity key, and where it
  // is in records_ (uint32_t: a load holds fewer than 4G reports, ~1 TB).
  struct Named {
    std::string key;
    uint32_t record;  // index in records_
    int index;        // in the record's report's identifiers
  };
  using NamedIt = std::vector<Named>::iterator;

  BulkLoad(BlocklistStore* store, std::string actor, absl::Time now,
           std::string work_dir);

  // Sorts [begin, end) by key and upload order, and writes the entity of each
  // key to a new SST file at `path`; appends to `added` the positions in
  // named_ of the identifiers listed by it, and to `counts` how the written
  // entities change the store's counts.
  absl::Status WriteEntities(NamedIt begin, NamedIt end,
                             const std::string& path,
                             std::vector<uint32_t>* added, ListCounts* counts);

  // False for a store that never committed a mutation: nothing to read.
  bool reads_store() const { return version_ > 1; }
  // Where the SST files of `cf` are written: work_dir_/<cf>-<version>.
  std::string SstPrefix(std::string_view cf) const;
  std::string AuditSstPath() const;

  BlocklistStore* const store_;
  const std::string actor_;
  const absl::Time now_;
  const std::string work_dir_;
  const uint64_t version_;  // the list version the load commits
  google::protobuf::Arena arena_;
  // Accepted report records in upload order, on arena_; each holds the
  // merged report of its upload.
  std::vector<v1::StoredReport*> records_;
  // An arena record that Add() used for a report that did not change, to
  // reuse (AcceptReport clears it); nullptr when none.
  v1::StoredReport* spare_ = nullptr;
  // Report key -> its newest record in records_.
  absl::flat_hash_map<std::string, uint32_t> latest_;
  std::vector<Named> named_;  // in upload order until Commit sorts it
  // After Commit: positions in named_ of the identifiers listed, key order.
  std::vector<uint32_t> added_;
  // The audit chain so far: records are sealed and written at each Add().
  std::unique_ptr<rocksdb::SstFileWriter> audit_writer_;
  uint64_t next_sequence_;
  std::string head_sha256_;
  bool committed_ = false;
  bool failed_ = false;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_BULK_LOAD_H_
