#include "store/bulk_load.h"

#include <algorithm>
#include <filesystem>

#include "core/text.h"
#include "rocksdb/sst_file_writer.h"
#include "store/db.h"
#include "store/keys.h"
#include "store/mutation_batch.h"

namespace fraudgate::store {
namespace {

// Writes sorted (key, value) pairs into one SST file for `cf`.
absl::Status WriteSst(Db* db, Cf cf, const std::string& path,
                      std::vector<std::pair<std::string, std::string>>& kvs) {
  std::sort(kvs.begin(), kvs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  rocksdb::Options options(db->get()->GetDBOptions(),
                           db->get()->GetOptions(db->cf(cf)));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, db->cf(cf));
  if (auto s = FromRocks(writer.Open(path), core::StrCat("create ", path));
      !s.ok()) {
    return s;
  }
  for (const auto& [key, value] : kvs) {
    if (auto s =
            FromRocks(writer.Put(key, value), core::StrCat("write ", path));
        !s.ok()) {
      return s;
    }
  }
  return FromRocks(writer.Finish(), core::StrCat("finish ", path));
}

}  // namespace

BulkLoad::BulkLoad(BlocklistStore* store, std::string actor, absl::Time now,
                   std::string work_dir)
    : store_(store),
      actor_(std::move(actor)),
      now_(now),
      work_dir_(std::move(work_dir)),
      batch_(std::make_unique<MutationBatch>()) {}

absl::StatusOr<std::unique_ptr<BulkLoad>> BulkLoad::Start(
    BlocklistStore* store, std::string actor, absl::Time now,
    std::string work_dir) {
  std::error_code error;
  std::filesystem::create_directories(work_dir, error);
  if (error) {
    return absl::UnavailableError(
        core::StrCat("cannot create ", work_dir, ": ", error.message()));
  }
  store->mu_.Lock();
  return std::unique_ptr<BulkLoad>(
      new BulkLoad(store, std::move(actor), now, std::move(work_dir)));
}

BulkLoad::~BulkLoad() { store_->mu_.Unlock(); }

absl::StatusOr<std::vector<ApplyReportResult>> BulkLoad::Add(
    absl::Span<const v1::Report> reports) {
  if (committed_) return absl::FailedPreconditionError("already committed");
  return store_->StageReports(*batch_, reports, actor_, now_);
}

absl::StatusOr<uint64_t> BulkLoad::Commit() {
  if (committed_) return absl::FailedPreconditionError("already committed");
  committed_ = true;
  if (batch_->empty()) return store_->list_version();
  const uint64_t version = store_->list_version() + 1;
  SealedAudits sealed = SealAudits(batch_->audits, store_->next_audit_sequence_,
                                   store_->last_audit_sha256_, version);

  Db* db = store_->db_;
  std::vector<std::pair<std::string, std::string>> entities, reports, meta;
  entities.reserve(batch_->entities.size());
  for (auto& [key, entity] : batch_->entities) {
    entities.emplace_back(key, entity->SerializeAsString());
  }
  for (auto& [key, report] : batch_->reports) {
    reports.emplace_back(key, report.SerializeAsString());
  }
  meta.emplace_back(std::string(kListVersionKey), BigEndian64(version));
  // The chain head, as BlocklistStore::Commit records it.
  meta.emplace_back(std::string(kAuditHeadKey),
                    BigEndian64(sealed.next_sequence - 1) + sealed.head_sha256);

  const std::pair<Cf, std::vector<std::pair<std::string, std::string>>*>
      files[] = {{Cf::kEntities, &entities},
                 {Cf::kReports, &reports},
                 {Cf::kAudit, &sealed.records},
                 {Cf::kMeta, &meta}};
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& [cf, kvs] : files) {
    const std::string path =
        core::StrCat(work_dir_, "/", CfName(cf), "-", version, ".sst");
    if (auto s = WriteSst(db, cf, path, *kvs); !s.ok()) return s;
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = db->cf(cf);
    arg.external_files = {path};
    arg.options.move_files = true;
    // The files hold the newest state of their keys.
    arg.options.allow_global_seqno = true;
    args.push_back(std::move(arg));
  }
  if (auto s = FromRocks(db->get()->IngestExternalFiles(args), "ingest");
      !s.ok()) {
    return s;
  }
  store_->Committed(sealed, version);
  return version;
}

}  // namespace fraudgate::store
