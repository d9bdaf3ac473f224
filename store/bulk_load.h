// Offline bulk load of police reports into a data dir no server has open
// (`fraudgate import --offline`). Reports are staged exactly as
// BlocklistStore::ApplyReports stages them — the same state transitions, the
// same audit records — but committed by writing sorted SST files
// (rocksdb::SstFileWriter) and ingesting them into every column family in one
// atomic IngestExternalFiles call: one list version bump for the whole load.
// A crash before Commit() returns leaves the store as it was.
//
// Memory: the staged entity and report states of the whole load are held in
// memory until Commit().
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

namespace fraudgate::store {

struct MutationBatch;

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
  // BlocklistStore::ApplyReports (list_version not set until Commit).
  absl::StatusOr<std::vector<ApplyReportResult>> Add(
      absl::Span<const v1::Report> reports);

  // Writes and ingests everything staged. Returns the list version after
  // the load (unchanged when nothing was staged). May be called once.
  absl::StatusOr<uint64_t> Commit();

 private:
  BulkLoad(BlocklistStore* store, std::string actor, absl::Time now,
           std::string work_dir);

  BlocklistStore* const store_;
  const std::string actor_;
  const absl::Time now_;
  const std::string work_dir_;
  std::unique_ptr<MutationBatch> batch_;
  bool committed_ = false;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_BULK_LOAD_H_
