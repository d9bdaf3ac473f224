#include "store/bulk_load.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "core/status_macros.h"
#include "core/text.h"
#include "rocksdb/sst_file_writer.h"
#include "store/db.h"
#include "store/keys.h"

namespace fraudgate::store {
namespace {

using KeyValues = std::vector<std::pair<std::string_view, std::string_view>>;

std::unique_ptr<rocksdb::SstFileWriter> NewSstWriter(Db* db, Cf cf) {
  rocksdb::Options options(db->get()->GetDBOptions(),
                           db->get()->GetOptions(db->cf(cf)));
  return std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(),
                                                  options, db->cf(cf));
}

// Writes (key, value) pairs, sorted here, into one SST file for `cf`.
absl::Status WriteSst(Db* db, Cf cf, const std::string& path,
                      KeyValues::iterator begin, KeyValues::iterator end) {
  std::sort(begin, end,
            [](const auto& a, const auto& b) { return a.first < b.first; });
  auto writer = NewSstWriter(db, cf);
  RETURN_IF_ERROR(FromRocks(writer->Open(path), core::StrCat("create ", path)));
  for (auto it = begin; it != end; ++it) {
    RETURN_IF_ERROR(FromRocks(writer->Put(it->first, it->second),
                              core::StrCat("write ", path)));
  }
  return FromRocks(writer->Finish(), core::StrCat("finish ", path));
}

// Writes `kvs` (not empty, distinct keys, in any order) for `cf` as two SST
// files of disjoint key ranges, split at the median key, sorted and written
// at once on two threads: at 9M entities sorting and writing one file took
// ~32 s of one core while the other idled. Small column families are split
// too (a thread and a file more, a few ms), so that every load takes the
// path the tests check. Returns the paths of the files written
// ("<path_prefix>-0.sst", and "-1.sst" unless `kvs` has one entry).
absl::StatusOr<std::vector<std::string>> WriteSsts(
    Db* db, Cf cf, const std::string& path_prefix, KeyValues kvs) {
  const auto middle = kvs.begin() + kvs.size() / 2;
  std::nth_element(
      kvs.begin(), middle, kvs.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> paths = {core::StrCat(path_prefix, "-0.sst")};
  if (middle == kvs.begin()) {
    RETURN_IF_ERROR(WriteSst(db, cf, paths[0], kvs.begin(), kvs.end()));
    return paths;
  }
  paths.push_back(core::StrCat(path_prefix, "-1.sst"));
  absl::Status low;
  std::thread low_writer(
      [&] { low = WriteSst(db, cf, paths[0], kvs.begin(), middle); });
  absl::Status high = WriteSst(db, cf, paths[1], middle, kvs.end());
  low_writer.join();
  RETURN_IF_ERROR(low);
  RETURN_IF_ERROR(high);
  return paths;
}

KeyValues ViewsOf(const absl::flat_hash_map<std::string, std::string>& map) {
  KeyValues kvs;
  kvs.reserve(map.size());
  for (const auto& [key, value] : map) kvs.emplace_back(key, value);
  return kvs;
}

}  // namespace

BulkLoad::BulkLoad(BlocklistStore* store, std::string actor, absl::Time now,
                   std::string work_dir)
    : store_(store),
      actor_(std::move(actor)),
      now_(now),
      work_dir_(std::move(work_dir)),
      version_(store->list_version() + 1),
      next_sequence_(store->next_audit_sequence_),
      head_sha256_(store->last_audit_sha256_) {}

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

std::string BulkLoad::AuditSstPath() const {
  return core::StrCat(SstPrefix(CfName(Cf::kAudit)), ".sst");
}

std::string BulkLoad::SstPrefix(std::string_view cf) const {
  return core::StrCat(work_dir_, "/", cf, "-", version_);
}

absl::StatusOr<std::vector<ApplyReportResult>> BulkLoad::Add(
    absl::Span<const v1::Report> reports) {
  if (committed_) return absl::FailedPreconditionError("already committed");
  if (failed_) return absl::FailedPreconditionError("an earlier Add failed");
  // Until this Add has sealed and absorbed everything, the load is not
  // consistent (part of a batch's audit records may be written).
  failed_ = true;
  MutationBatch batch;
  batch.base = &staged_;
  ASSIGN_OR_RETURN(std::vector<ApplyReportResult> results,
                   store_->StageReports(batch, reports, actor_, now_));
  if (!batch.audits.empty()) {
    const std::string path = AuditSstPath();
    if (audit_writer_ == nullptr) {
      audit_writer_ = NewSstWriter(store_->db_, Cf::kAudit);
      RETURN_IF_ERROR(
          FromRocks(audit_writer_->Open(path), core::StrCat("create ", path)));
    }
    SealedAudits sealed =
        SealAudits(batch.audits, next_sequence_, head_sha256_, version_);
    // Sequence keys are big-endian: sealing order is key order.
    for (const auto& [key, bytes] : sealed.records) {
      RETURN_IF_ERROR(FromRocks(audit_writer_->Put(key, bytes),
                                core::StrCat("write ", path)));
    }
    next_sequence_ = sealed.next_sequence;
    head_sha256_ = std::move(sealed.head_sha256);
  }
  staged_.Absorb(batch);
  failed_ = false;
  return results;
}

absl::StatusOr<uint64_t> BulkLoad::Commit() {
  if (committed_) return absl::FailedPreconditionError("already committed");
  if (failed_) return absl::FailedPreconditionError("an earlier Add failed");
  committed_ = true;
  if (audit_writer_ == nullptr) return store_->list_version();
  Db* db = store_->db_;
  RETURN_IF_ERROR(FromRocks(audit_writer_->Finish(),
                            core::StrCat("finish ", AuditSstPath())));
  const std::string version = BigEndian64(version_);
  // The chain head, as BlocklistStore::Commit records it.
  const std::string head = BigEndian64(next_sequence_ - 1) + head_sha256_;
  std::pair<Cf, KeyValues> files[] = {
      {Cf::kEntities, ViewsOf(staged_.entities)},
      {Cf::kReports, ViewsOf(staged_.reports)},
      {Cf::kMeta, {{kListVersionKey, version}, {kAuditHeadKey, head}}}};

  std::vector<rocksdb::IngestExternalFileArg> args;
  auto ingest = [&](Cf cf, std::vector<std::string> paths) {
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = db->cf(cf);
    arg.external_files = std::move(paths);
    arg.options.move_files = true;
    // The files hold the newest state of their keys.
    arg.options.allow_global_seqno = true;
    args.push_back(std::move(arg));
  };
  for (auto& [cf, kvs] : files) {
    if (kvs.empty()) continue;  // an SST file needs an entry
    // Moved: a 10M-entity list's views are ~300 MB, not worth a copy.
    ASSIGN_OR_RETURN(std::vector<std::string> paths,
                     WriteSsts(db, cf, SstPrefix(CfName(cf)), std::move(kvs)));
    ingest(cf, std::move(paths));
  }
  ingest(Cf::kAudit, {AuditSstPath()});
  RETURN_IF_ERROR(FromRocks(db->get()->IngestExternalFiles(args), "ingest"));
  SealedAudits sealed;
  sealed.next_sequence = next_sequence_;
  sealed.head_sha256 = head_sha256_;
  store_->Committed(sealed, version_);
  return version_;
}

}  // namespace fraudgate::store
