#include "store/bulk_load.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include "core/status_macros.h"
#include "core/text.h"
#include "rocksdb/sst_file_writer.h"
#include "store/db.h"
#include "store/entity_apply.h"
#include "store/keys.h"
#include "store/mutation_batch.h"

namespace fraudgate::store {
namespace {

// A new SST file at `path` for `cf`, with the column family's options.
absl::StatusOr<std::unique_ptr<rocksdb::SstFileWriter>> CreateSst(
    Db* db, Cf cf, const std::string& path) {
  rocksdb::Options options(db->get()->GetDBOptions(),
                           db->get()->GetOptions(db->cf(cf)));
  auto writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(),
                                                         options, db->cf(cf));
  RETURN_IF_ERROR(FromRocks(writer->Open(path), core::StrCat("create ", path)));
  return writer;
}

absl::Status PutSst(rocksdb::SstFileWriter& writer, const std::string& path,
                    std::string_view key, std::string_view value) {
  return FromRocks(writer.Put(key, value), core::StrCat("write ", path));
}

// Splits [begin, end) (not empty: an SST file needs an entry) into two
// parts that do not share a key, the keys of the first below those of the
// second, of about half each, and runs `write(first, last, path, part)` for
// each on its own thread: at 9M entities one core building and writing
// everything while the other idled was a third of the load. Returns the
// paths ("<path_prefix>-0.sst", and "-1.sst" unless every item below the
// median has the median's key). `key_less` compares keys only.
template <typename It, typename KeyLess, typename Write>
absl::StatusOr<std::vector<std::string>> WriteHalves(
    It begin, It end, const std::string& path_prefix, KeyLess key_less,
    Write write) {
  const It middle = begin + (end - begin) / 2;
  std::nth_element(begin, middle, end, key_less);
  // Everything after `middle` is not below it; what is below it before it
  // goes first, its equals second.
  const It split = std::partition(
      begin, middle, [&](const auto& item) { return key_less(item, *middle); });
  std::vector<std::string> paths = {core::StrCat(path_prefix, "-0.sst")};
  if (split == begin) {
    RETURN_IF_ERROR(write(begin, end, paths[0], 0));
    return paths;
  }
  paths.push_back(core::StrCat(path_prefix, "-1.sst"));
  absl::Status low;
  std::thread low_writer([&] { low = write(begin, split, paths[0], 0); });
  absl::Status high = write(split, end, paths[1], 1);
  low_writer.join();
  RETURN_IF_ERROR(low);
  RETURN_IF_ERROR(high);
  return paths;
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
  if (store->stream_position() != 0) {
    store->mu_.Unlock();
    return absl::FailedPreconditionError(
        "this data dir is a cluster node's: import through the cluster, whose "
        "nodes all apply the upload");
  }
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
  // Until this Add has sealed and written everything, the load is not
  // consistent (part of its audit records may be written).
  failed_ = true;
  std::vector<ApplyReportResult> results(reports.size());
  std::vector<v1::AuditRecord> audits;
  for (size_t n = 0; n < reports.size(); ++n) {
    const v1::Report& report = reports[n];
    std::string key = ReportKey(report.agency(), report.report_id());
    const v1::StoredReport* stored = nullptr;
    std::optional<v1::StoredReport> read;
    if (auto it = latest_.find(key); it != latest_.end()) {
      stored = records_[it->second];
    } else if (reads_store()) {
      ASSIGN_OR_RETURN(read, store_->ReadReport(key));
      if (read) stored = &*read;
    }
    if (spare_ == nullptr) {
      spare_ =
          google::protobuf::Arena::CreateMessage<v1::StoredReport>(&arena_);
    }
    absl::StatusOr<bool> changed =
        AcceptReport(stored, report, actor_, now_, spare_);
    if (!changed.ok() || !*changed) {
      results[n].status = changed.status();
      results[n].unchanged = changed.ok();
      continue;
    }
    const auto record = static_cast<uint32_t>(records_.size());
    records_.push_back(std::exchange(spare_, nullptr));
    latest_.insert_or_assign(std::move(key), record);
    const v1::Report& merged = records_.back()->report();
    for (int i = 0; i < merged.identifiers_size(); ++i) {
      named_.push_back({EntityKey(merged.identifiers(i)), record, i});
    }
    audits.push_back(ReportAcceptedAudit(merged, actor_, now_));
  }
  if (!audits.empty()) {
    const std::string path = AuditSstPath();
    if (audit_writer_ == nullptr) {
      ASSIGN_OR_RETURN(audit_writer_, CreateSst(store_->db_, Cf::kAudit, path));
    }
    SealedAudits sealed =
        SealAudits(audits, next_sequence_, head_sha256_, version_);
    // Sequence keys are big-endian: sealing order is key order.
    for (const auto& [key, bytes] : sealed.records) {
      RETURN_IF_ERROR(PutSst(*audit_writer_, path, key, bytes));
    }
    next_sequence_ = sealed.next_sequence;
    head_sha256_ = std::move(sealed.head_sha256);
  }
  failed_ = false;
  return results;
}

absl::Status BulkLoad::WriteEntities(NamedIt begin, NamedIt end,
                                     const std::string& path,
                                     std::vector<uint32_t>* added,
                                     ListCounts* counts) {
  // Upload order within a key: the order the online path applies them in.
  std::sort(begin, end, [](const Named& a, const Named& b) {
    return std::tie(a.key, a.record) < std::tie(b.key, b.record);
  });
  ASSIGN_OR_RETURN(auto writer, CreateSst(store_->db_, Cf::kEntities, path));
  v1::Entity entity;  // reused: keeps its fields' allocations
  std::string bytes;
  for (NamedIt group = begin; group != end;) {
    entity.Clear();
    if (reads_store()) {
      ASSIGN_OR_RETURN(std::optional<v1::Entity> stored,
                       store_->GetEntity(group->key));
      if (stored) entity = *std::move(stored);
      counts->Add(entity, -1);
    }
    NamedIt next = group;
    for (; next != end && next->key == group->key; ++next) {
      const v1::Report& report = records_[next->record]->report();
      if (ApplyReportToEntity(report, report.identifiers(next->index), actor_,
                              now_, &entity)) {
        added->push_back(static_cast<uint32_t>(next - named_.begin()));
      }
    }
    counts->Add(entity);
    entity.SerializeToString(&bytes);
    RETURN_IF_ERROR(PutSst(*writer, path, group->key, bytes));
    group = next;
  }
  return FromRocks(writer->Finish(), core::StrCat("finish ", path));
}

absl::StatusOr<BulkLoadResult> BulkLoad::Commit() {
  if (committed_) return absl::FailedPreconditionError("already committed");
  if (failed_) return absl::FailedPreconditionError("an earlier Add failed");
  committed_ = true;
  BulkLoadResult result;
  result.list_version = store_->list_version();
  if (audit_writer_ == nullptr) return result;  // nothing accepted
  Db* db = store_->db_;
  RETURN_IF_ERROR(FromRocks(audit_writer_->Finish(),
                            core::StrCat("finish ", AuditSstPath())));
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
  ingest(Cf::kAudit, {AuditSstPath()});

  // Not empty: every accepted report names an identifier.
  std::vector<uint32_t> added[2];
  ListCounts counts[2];
  ASSIGN_OR_RETURN(
      std::vector<std::string> entity_files,
      WriteHalves(
          named_.begin(), named_.end(), SstPrefix(CfName(Cf::kEntities)),
          [](const Named& a, const Named& b) { return a.key < b.key; },
          [&](NamedIt begin, NamedIt end, const std::string& path, int part) {
            return WriteEntities(begin, end, path, &added[part], &counts[part]);
          }));
  ingest(Cf::kEntities, std::move(entity_files));
  added_ = std::move(added[0]);
  added_.insert(added_.end(), added[1].begin(), added[1].end());
  result.identifiers_added = static_cast<int64_t>(added_.size());

  using Latest = std::pair<std::string_view, uint32_t>;
  std::vector<Latest> latest(latest_.begin(), latest_.end());
  ASSIGN_OR_RETURN(
      std::vector<std::string> report_files,
      WriteHalves(
          latest.begin(), latest.end(), SstPrefix(CfName(Cf::kReports)),
          [](const Latest& a, const Latest& b) { return a.first < b.first; },
          [&](auto begin, auto end, const std::string& path,
              int) -> absl::Status {
            std::sort(begin, end);
            ASSIGN_OR_RETURN(auto writer, CreateSst(db, Cf::kReports, path));
            std::string bytes;
            for (auto it = begin; it != end; ++it) {
              records_[it->second]->SerializeToString(&bytes);
              RETURN_IF_ERROR(PutSst(*writer, path, it->first, bytes));
            }
            return FromRocks(writer->Finish(), core::StrCat("finish ", path));
          }));
  ingest(Cf::kReports, std::move(report_files));

  ListCounts list_counts = store_->Counts();
  for (const ListCounts& part : counts) list_counts.Add(part);
  // The list version, the chain head and the counts, as
  // BlocklistStore::Commit records them (keys in order).
  static_assert(kAuditHeadKey < kListCountsKey &&
                kListCountsKey < kListVersionKey);
  const std::string meta_path = SstPrefix(CfName(Cf::kMeta)) + ".sst";
  {
    ASSIGN_OR_RETURN(auto writer, CreateSst(db, Cf::kMeta, meta_path));
    RETURN_IF_ERROR(PutSst(*writer, meta_path, kAuditHeadKey,
                           BigEndian64(next_sequence_ - 1) + head_sha256_));
    RETURN_IF_ERROR(PutSst(*writer, meta_path, kListCountsKey,
                           list_counts.Encode(version_)));
    RETURN_IF_ERROR(
        PutSst(*writer, meta_path, kListVersionKey, BigEndian64(version_)));
    RETURN_IF_ERROR(
        FromRocks(writer->Finish(), core::StrCat("finish ", meta_path)));
  }
  ingest(Cf::kMeta, {meta_path});
  BlocklistStore::CommitWindow window(store_->commits_);
  RETURN_IF_ERROR(FromRocks(db->get()->IngestExternalFiles(args), "ingest"));
  SealedAudits sealed;
  sealed.next_sequence = next_sequence_;
  sealed.head_sha256 = head_sha256_;
  store_->Committed(sealed, version_, list_counts);
  result.list_version = version_;
  return result;
}

absl::Status BulkLoad::ForEachAdded(
    size_t batch_size,
    const std::function<absl::Status(absl::Span<const v1::Identifier* const>)>&
        fn) const {
  std::vector<const v1::Identifier*> batch;
  for (uint32_t position : added_) {
    const Named& named = named_[position];
    batch.push_back(&records_[named.record]->report().identifiers(named.index));
    if (batch.size() >= batch_size) {
      RETURN_IF_ERROR(fn(batch));
      batch.clear();
    }
  }
  return batch.empty() ? absl::OkStatus() : fn(batch);
}

}  // namespace fraudgate::store
