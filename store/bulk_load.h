// Offline bulk load of police reports into a data dir no server has open
// (`fraudgate import --offline`). Reports are staged exactly as
// BlocklistStore::ApplyReports stages them — the same state transitions, the
// same audit records — but committed by writing sorted SST files
// (rocksdb::SstFileWriter) and ingesting them into every column family in one
// atomic IngestExternalFiles call: one list version bump for the whole load.
// A crash before Commit() returns leaves the store as it was.
//
// Memory: each Add() stages its reports as messages, then keeps only the
// serialized entity and report states until Commit() (a peak of 6.5 GB for
// 9.1M identifiers in 3.7M reports, bench/RESULTS.md); audit records go to
// their SST file as they are sealed.
//
// Thread safety: a BulkLoad holds the store's writer lock from Start() until
// it is destroyed; use it from one thread.
#ifndef FRAUDGATE_STORE_BULK_LOAD_H_
#define FRAUDGATE_STORE_BULK_LOAD_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "store/blocklist_store.h"
#include "store/mutation_batch.h"

namespace rocksdb {
class SstFileWriter;
}  // namespace rocksdb

namespace fraudgate::store {

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

  // Stages validated reports with canonical, distinct identifiers; results as
  // BlocklistStore::ApplyReports (list_version not set until Commit). After
  // an error the load can only be dropped: Add and Commit then fail with
  // FAILED_PRECONDITION.
  absl::StatusOr<std::vector<ApplyReportResult>> Add(
      absl::Span<const v1::Report> reports);

  // Writes and ingests everything staged. Returns the list version after
  // the load (unchanged when nothing was staged). May be called once.
  absl::StatusOr<uint64_t> Commit();

 private:
  BulkLoad(BlocklistStore* store, std::string actor, absl::Time now,
           std::string work_dir);

  // Where the SST files of `cf` are written: work_dir_/<cf>-<version>.
  std::string SstPrefix(std::string_view cf) const;
  std::string AuditSstPath() const;

  BlocklistStore* const store_;
  const std::string actor_;
  const absl::Time now_;
  const std::string work_dir_;
  const uint64_t version_;  // the list version the load commits
  StagedState staged_;
  // The audit chain so far: records are sealed and written at each Add().
  std::unique_ptr<rocksdb::SstFileWriter> audit_writer_;
  uint64_t next_sequence_;
  std::string head_sha256_;
  bool committed_ = false;
  bool failed_ = false;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_BULK_LOAD_H_
