#include "store/blocklist_store.h"

#include <openssl/sha.h>

#include <algorithm>

#include "core/status_macros.h"
#include "core/text.h"
#include "proto/proto_time.h"
#include "store/db.h"
#include "store/entity_apply.h"
#include "store/keys.h"
#include "store/mutation_batch.h"

namespace fraudgate::store {
namespace {

// Parses an `entities` value (the key is left out of the error: it is an
// identifier in clear).
absl::Status ParseEntity(const rocksdb::Slice& bytes, v1::Entity* entity) {
  if (!entity->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("store: unreadable entity record");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<v1::StoredReport>> BlocklistStore::ReadReport(
    const std::string& key) const {
  std::string bytes;
  rocksdb::Status s = db_->get()->Get(rocksdb::ReadOptions(),
                                      db_->cf(Cf::kReports), key, &bytes);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "read report");
  v1::StoredReport stored;
  if (!stored.ParseFromString(bytes)) {
    return absl::DataLossError("store: unreadable report record");
  }
  return stored;
}

absl::StatusOr<std::unique_ptr<BlocklistStore>> BlocklistStore::Open(Db* db) {
  std::unique_ptr<BlocklistStore> store(new BlocklistStore(db));
  ASSIGN_OR_RETURN(const uint64_t version,
                   ReadMetaNumber(*db, kListVersionKey));
  store->list_version_ = version;
  ASSIGN_OR_RETURN(const uint64_t position,
                   ReadMetaNumber(*db, kStreamPositionKey));
  store->stream_position_ = position;
  // The chain continues from the head recorded in meta, not from whatever
  // record is last in the column family: a record edited, removed or added
  // at the end after the last commit stays detectable instead of being
  // chained onto. Without a head (a chain written before heads were
  // recorded, or a head removed), from the last record.
  std::string head;
  const rocksdb::Status s =
      db->get()->Get(rocksdb::ReadOptions(), db->cf(Cf::kMeta),
                     std::string(kAuditHeadKey), &head);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read audit head");
  const bool has_head = s.ok() && head.size() == kAuditHeadSize;
  std::unique_ptr<rocksdb::Iterator> it(
      db->get()->NewIterator(rocksdb::ReadOptions(), db->cf(Cf::kAudit)));
  // The last record under a well-formed key.
  it->SeekToLast();
  while (it->Valid() && it->key().size() != 8) it->Prev();
  if (!it->status().ok()) return FromRocks(it->status(), "read audit head");
  const uint64_t last_key =
      it->Valid() ? ReadBigEndian64(it->key().ToStringView()) : 0;
  RETURN_IF_ERROR(store->LoadCounts());
  absl::MutexLock lock(&store->mu_);
  if (has_head) {
    store->next_audit_sequence_ = std::max(ReadBigEndian64(head), last_key) + 1;
    store->last_audit_sha256_ = head.substr(8);
  } else if (it->Valid()) {
    store->next_audit_sequence_ = last_key + 1;
    store->last_audit_sha256_ = Sha256(it->value().ToStringView());
  } else {
    store->last_audit_sha256_ = std::string(SHA256_DIGEST_LENGTH, '\0');
  }
  return store;
}

namespace {

// The entities of one MultiGet of `keys` into `result` (read with `read`).
absl::Status ReadEntities(const Db& db, const rocksdb::ReadOptions& read,
                          absl::Span<const std::string> keys,
                          LookupResult& result) {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  if (!keys.empty()) {
    db.get()->MultiGet(read, db.cf(Cf::kEntities), keys.size(), slices.data(),
                       values.data(), statuses.data());
  }
  result.entities.assign(keys.size(), std::nullopt);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "lookup entity");
    v1::Entity entity;
    RETURN_IF_ERROR(ParseEntity(values[i], &entity));
    result.entities[i] = std::move(entity);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LookupResult> BlocklistStore::Lookup(
    absl::Span<const std::string> keys) const {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto result = LookupBetweenCommits(keys)) return *std::move(result);
  }
  return LookupInSnapshot(keys);
}

std::optional<absl::StatusOr<LookupResult>>
BlocklistStore::LookupBetweenCommits(absl::Span<const std::string> keys) const {
  const uint64_t commits = commits_.load();
  if (commits % 2 == 1) return std::nullopt;  // a commit is writing
  LookupResult result;
  const absl::Status read =
      ReadEntities(*db_, rocksdb::ReadOptions(), keys, result);
  result.list_version = list_version_.load();
  // A commit that began after `commits` was read (and whose writes the
  // reads may have seen) has moved it.
  if (commits_.load() != commits) return std::nullopt;
  if (!read.ok()) return read;
  return result;
}

absl::StatusOr<LookupResult> BlocklistStore::LookupInSnapshot(
    absl::Span<const std::string> keys) const {
  rocksdb::DB* db = db_->get();
  const rocksdb::Snapshot* snapshot = db->GetSnapshot();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  LookupResult result;
  const absl::Status entities = ReadEntities(*db_, read, keys, result);
  std::string version;
  rocksdb::Status vs =
      db->Get(read, db_->cf(Cf::kMeta), std::string(kListVersionKey), &version);
  db->ReleaseSnapshot(snapshot);
  RETURN_IF_ERROR(entities);
  if (vs.ok() && version.size() == 8) {
    result.list_version = ReadBigEndian64(version);
  } else if (!vs.IsNotFound()) {
    return vs.ok() ? absl::DataLossError("store: bad list_version")
                   : FromRocks(vs, "read list_version");
  }
  return result;
}

absl::StatusOr<std::optional<v1::Entity>> BlocklistStore::GetEntity(
    const std::string& key) const {
  auto result = Lookup(absl::MakeConstSpan(&key, 1));
  if (!result.ok()) return result.status();
  return std::move(result->entities[0]);
}

absl::StatusOr<std::vector<v1::Entity*>> BlocklistStore::StageEntities(
    MutationBatch& batch, const std::vector<std::string>& keys) const {
  std::vector<v1::Entity*> out(keys.size());
  std::vector<std::string> missing;
  std::vector<size_t> missing_at;
  for (size_t i = 0; i < keys.size(); ++i) {
    out[i] = batch.MutableEntity(keys[i]);
    if (out[i] == nullptr) {
      missing.push_back(keys[i]);
      missing_at.push_back(i);
    }
  }
  if (!missing.empty()) {
    auto found = Lookup(missing);
    if (!found.ok()) return found.status();
    for (size_t j = 0; j < missing.size(); ++j) {
      out[missing_at[j]] = batch.StageEntity(
          missing[j], std::move(found->entities[j]).value_or(v1::Entity()));
    }
  }
  return out;
}

absl::Status BlocklistStore::Commit(MutationBatch& batch,
                                    uint64_t stream_sequence) {
  if (batch.empty() && stream_sequence == 0) return absl::OkStatus();
  rocksdb::WriteBatch write_batch;
  const uint64_t version =
      stream_sequence != 0 ? stream_sequence : list_version_.load() + 1;
  SealedAudits sealed;
  ListCounts counts = Counts();
  if (!batch.empty()) {
    sealed = SealAudits(batch.audits, next_audit_sequence_, last_audit_sha256_,
                        version);
    for (const auto& [key, entity] : batch.entities) {
      write_batch.Put(db_->cf(Cf::kEntities), key, entity->SerializeAsString());
    }
    for (const auto& [key, report] : batch.reports) {
      write_batch.Put(db_->cf(Cf::kReports), key, report.SerializeAsString());
    }
    for (const auto& [key, bytes] : sealed.records) {
      write_batch.Put(db_->cf(Cf::kAudit), key, bytes);
    }
    write_batch.Put(db_->cf(Cf::kMeta), std::string(kAuditHeadKey),
                    BigEndian64(sealed.next_sequence - 1) + sealed.head_sha256);
    counts.Add(batch.counts_before, -1);
    for (const auto& [key, entity] : batch.entities) counts.Add(*entity);
  }
  // In a cluster an event that changed nothing still moves the stream
  // position, so that it is not applied again, and the list version, which
  // is the stream sequence on every node.
  write_batch.Put(db_->cf(Cf::kMeta), std::string(kListVersionKey),
                  BigEndian64(version));
  write_batch.Put(db_->cf(Cf::kMeta), std::string(kListCountsKey),
                  counts.Encode(version));
  if (stream_sequence != 0) {
    write_batch.Put(db_->cf(Cf::kMeta), std::string(kStreamPositionKey),
                    BigEndian64(stream_sequence));
  }
  rocksdb::WriteOptions write;
  write.sync = true;  // police writes survive power loss
  CommitWindow window(commits_);
  if (auto s = FromRocks(db_->get()->Write(write, &write_batch), "commit");
      !s.ok()) {
    return s;
  }
  if (!batch.empty()) {
    Committed(sealed, version, counts);
  } else {
    list_version_.store(version);
  }
  if (stream_sequence != 0) stream_position_.store(stream_sequence);
  return absl::OkStatus();
}

void BlocklistStore::Committed(SealedAudits& sealed, uint64_t version,
                               const ListCounts& counts) {
  next_audit_sequence_ = sealed.next_sequence;
  last_audit_sha256_ = std::move(sealed.head_sha256);
  list_version_.store(version);
  absl::MutexLock lock(&counts_mu_);
  counts_ = counts;
}

ListCounts BlocklistStore::Counts() const {
  absl::MutexLock lock(&counts_mu_);
  return counts_;
}

absl::Status BlocklistStore::LoadCounts() {
  const uint64_t version = list_version_.load();
  rocksdb::DB* db = db_->get();
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), db_->cf(Cf::kMeta),
                              std::string(kListCountsKey), &value);
  if (s.ok()) {
    ASSIGN_OR_RETURN(auto stored, ListCounts::Decode(value));
    if (stored.second == version) {
      absl::MutexLock lock(&counts_mu_);
      counts_ = stored.first;
      return absl::OkStatus();
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read list_counts");
  }
  // No counts of this list version: the store was written by a build that
  // did not keep them. A read-only open (audit) does without; otherwise
  // count, from one snapshot (nothing else writes while the store opens).
  if (db_->read_only()) return absl::OkStatus();
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(read, db_->cf(Cf::kEntities)));
  ListCounts counts;
  v1::Entity entity;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RETURN_IF_ERROR(ParseEntity(it->value(), &entity));
    counts.Add(entity);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "count entities"));
  rocksdb::WriteOptions write;
  write.sync = true;
  RETURN_IF_ERROR(
      FromRocks(db->Put(write, db_->cf(Cf::kMeta), std::string(kListCountsKey),
                        counts.Encode(version)),
                "store list_counts"));
  absl::MutexLock lock(&counts_mu_);
  counts_ = counts;
  return absl::OkStatus();
}

absl::StatusOr<EventResult> BlocklistStore::Apply(const v1::ListEvent& event,
                                                  uint64_t stream_sequence) {
  absl::MutexLock lock(&mu_);
  const uint64_t position = stream_position_.load();
  if (stream_sequence == 0 && position != 0) {
    return absl::FailedPreconditionError(core::StrCat(
        "store: this data dir is a cluster node's (stream position ", position,
        "): its list changes only through the FRAUDGATE_LIST stream"));
  }
  if (stream_sequence != 0 && position == 0 && list_version_.load() != 0) {
    return absl::FailedPreconditionError(core::StrCat(
        "store: the list in this data dir was written outside a cluster (list "
        "version ",
        list_version_.load(),
        "); a cluster node starts from an empty data dir or a backup of "
        "another node"));
  }
  if (stream_sequence != 0 && stream_sequence <= position) {
    return absl::FailedPreconditionError(
        core::StrCat("store: stream event ", stream_sequence,
                     " is not after the stream position ", position));
  }
  const absl::Time now = FromProtoTime(event.at());
  MutationBatch batch;
  EventResult result;
  switch (event.mutation_case()) {
    case v1::ListEvent::kUpload: {
      ASSIGN_OR_RETURN(
          result.reports,
          StageReports(batch, event.upload().reports(), event.actor(), now));
      break;
    }
    case v1::ListEvent::kDelist:
      RETURN_IF_ERROR(
          StageDelist(batch, event.delist(), event.actor(), now, result));
      break;
    case v1::ListEvent::kWithdraw:
      RETURN_IF_ERROR(
          StageWithdraw(batch, event.withdraw(), event.actor(), now, result));
      break;
    default:
      return absl::InvalidArgumentError(
          "store: a list event without a mutation (written by a newer build?)");
  }
  RETURN_IF_ERROR(Commit(batch, stream_sequence));
  result.list_version = list_version_.load();
  for (ApplyReportResult& r : result.reports) {
    r.list_version = result.list_version;
  }
  if (event.has_withdraw()) result.withdraw.list_version = result.list_version;
  return result;
}

namespace {

v1::ListEvent EventOf(const std::string& actor, absl::Time now) {
  v1::ListEvent event;
  event.set_actor(actor);
  *event.mutable_at() = ToProtoTime(now);
  return event;
}

}  // namespace

absl::StatusOr<ApplyReportResult> BlocklistStore::ApplyReport(
    const v1::Report& report, const std::string& actor, absl::Time now) {
  auto results = ApplyReports(absl::MakeConstSpan(&report, 1), actor, now);
  if (!results.ok()) return results.status();
  return std::move(results->front());
}

absl::StatusOr<std::vector<ApplyReportResult>> BlocklistStore::ApplyReports(
    absl::Span<const v1::Report> reports, const std::string& actor,
    absl::Time now) {
  v1::ListEvent event = EventOf(actor, now);
  event.mutable_upload()->mutable_reports()->Add(reports.begin(),
                                                 reports.end());
  ASSIGN_OR_RETURN(EventResult result, Apply(event));
  return std::move(result.reports);
}

absl::StatusOr<WithdrawResult> BlocklistStore::WithdrawReport(
    const std::string& agency, const std::string& report_id,
    const std::string& reason, const std::string& reference,
    const std::string& actor, absl::Time now) {
  v1::ListEvent event = EventOf(actor, now);
  v1::ListEvent::Withdraw& withdraw = *event.mutable_withdraw();
  withdraw.set_agency(agency);
  withdraw.set_report_id(report_id);
  withdraw.set_reason(reason);
  withdraw.set_reference(reference);
  ASSIGN_OR_RETURN(EventResult result, Apply(event));
  RETURN_IF_ERROR(result.status);
  return std::move(result.withdraw);
}

absl::StatusOr<v1::Entity> BlocklistStore::Delist(
    const v1::Identifier& canonical, const std::string& reason,
    const std::string& reference, const std::string& actor, absl::Time now) {
  v1::ListEvent event = EventOf(actor, now);
  v1::ListEvent::Delist& delist = *event.mutable_delist();
  *delist.mutable_identifier() = canonical;
  delist.set_reason(reason);
  delist.set_reference(reference);
  ASSIGN_OR_RETURN(EventResult result, Apply(event));
  RETURN_IF_ERROR(result.status);
  return std::move(result.entity);
}

absl::StatusOr<std::vector<ApplyReportResult>> BlocklistStore::StageReports(
    MutationBatch& batch,
    const google::protobuf::RepeatedPtrField<v1::Report>& reports,
    const std::string& actor, absl::Time now) const {
  std::vector<ApplyReportResult> results(reports.size());
  for (int n = 0; n < reports.size(); ++n) {
    const v1::Report& report = reports[n];
    ApplyReportResult& result = results[n];
    const std::string report_key =
        ReportKey(report.agency(), report.report_id());
    std::optional<v1::StoredReport> stored;
    if (const v1::StoredReport* pending = batch.FindReport(report_key)) {
      stored = *pending;
    } else {
      ASSIGN_OR_RETURN(stored, ReadReport(report_key));
    }
    v1::StoredReport record;
    absl::StatusOr<bool> changed =
        AcceptReport(stored ? &*stored : nullptr, report, actor, now, &record);
    if (!changed.ok()) {
      result.status = changed.status();
      continue;
    }
    if (!*changed) {
      result.unchanged = true;
      continue;
    }
    const v1::Report& merged = record.report();
    std::vector<std::string> keys;
    for (const auto& id : merged.identifiers()) keys.push_back(EntityKey(id));
    ASSIGN_OR_RETURN(std::vector<v1::Entity*> entities,
                     StageEntities(batch, keys));
    for (int i = 0; i < merged.identifiers_size(); ++i) {
      if (ApplyReportToEntity(merged, merged.identifiers(i), actor, now,
                              entities[i])) {
        result.identifiers_added.push_back(merged.identifiers(i));
      }
    }
    batch.audits.push_back(ReportAcceptedAudit(merged, actor, now));
    batch.PutReport(report_key, std::move(record));
  }
  return results;
}

absl::Status BlocklistStore::StageWithdraw(
    MutationBatch& batch, const v1::ListEvent::Withdraw& withdraw,
    const std::string& actor, absl::Time now, EventResult& out) const {
  const std::string& agency = withdraw.agency();
  const std::string& report_id = withdraw.report_id();
  const std::string report_key = ReportKey(agency, report_id);
  ASSIGN_OR_RETURN(std::optional<v1::StoredReport> stored,
                   ReadReport(report_key));
  if (!stored.has_value()) {
    out.status = absl::NotFoundError(
        core::StrCat("report ", report_id, " of ", agency, " is not stored"));
    return absl::OkStatus();
  }
  v1::StoredReport& record = *stored;
  WithdrawResult& result = out.withdraw;
  if (record.withdrawn()) {
    result.unchanged = true;
    return absl::OkStatus();
  }
  std::vector<std::string> keys;
  for (const auto& id : record.report().identifiers()) {
    keys.push_back(EntityKey(id));
  }
  ASSIGN_OR_RETURN(std::vector<v1::Entity*> entities,
                   StageEntities(batch, keys));
  for (size_t i = 0; i < keys.size(); ++i) {
    const v1::Identifier& id = record.report().identifiers(static_cast<int>(i));
    v1::Entity* entity = entities[i];
    if (!entity->has_identifier()) {  // the batch is dropped: nothing written
      return absl::DataLossError(core::StrCat("store: report names ", keys[i],
                                              " which has no entity record"));
    }
    if (ApplyWithdraw(agency, report_id, withdraw.reason(),
                      withdraw.reference(), actor, now, entity)) {
      result.delisted.push_back(id);
    } else if (entity->status() == v1::ACTIVE) {
      result.still_listed.push_back(id);
    }
  }
  record.set_withdrawn(true);
  record.set_withdrawn_by(actor);
  *record.mutable_withdrawn_at() = ToProtoTime(now);
  record.set_withdraw_reason(withdraw.reason());
  record.set_withdraw_reference(withdraw.reference());

  v1::AuditRecord& audit = batch.audits.emplace_back();
  audit.set_action("REPORT_WITHDRAWN");
  *audit.mutable_at() = ToProtoTime(now);
  audit.set_actor(actor);
  audit.set_agency(agency);
  audit.set_report_id(report_id);
  audit.set_reason(withdraw.reason());
  audit.set_reference(withdraw.reference());
  for (const auto& id : record.report().identifiers()) {
    *audit.add_identifiers() = id;
  }
  batch.PutReport(report_key, std::move(record));
  return absl::OkStatus();
}

absl::Status BlocklistStore::StageDelist(MutationBatch& batch,
                                         const v1::ListEvent::Delist& delist,
                                         const std::string& actor,
                                         absl::Time now,
                                         EventResult& out) const {
  ASSIGN_OR_RETURN(std::vector<v1::Entity*> staged,
                   StageEntities(batch, {EntityKey(delist.identifier())}));
  v1::Entity& entity = *staged[0];
  if (!entity.has_identifier()) {
    out.status = absl::NotFoundError("identifier is not on the list");
    return absl::OkStatus();
  }
  if (ApplyDelist(delist.reason(), delist.reference(), actor, now, &entity)) {
    v1::AuditRecord& audit = batch.audits.emplace_back();
    audit.set_action("DELISTED");
    *audit.mutable_at() = ToProtoTime(now);
    audit.set_actor(actor);
    *audit.add_identifiers() = entity.identifier();
    audit.set_reason(delist.reason());
    audit.set_reference(delist.reference());
  }
  out.entity = entity;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AuditRecord>> BlocklistStore::ReadAudit(
    uint64_t from, size_t limit) const {
  std::vector<v1::AuditRecord> records;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->get()->NewIterator(rocksdb::ReadOptions(), db_->cf(Cf::kAudit)));
  for (it->Seek(AuditKey(from)); it->Valid() && records.size() < limit;
       it->Next()) {
    v1::AuditRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: unreadable audit record");
    }
    records.push_back(std::move(record));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read audit");
  return records;
}

absl::StatusOr<AuditCheck> BlocklistStore::VerifyAudit() const {
  AuditCheck check;
  auto broken = [&check](uint64_t at, std::string problem) {
    check.ok = false;
    check.broken_at = at;
    check.problem = std::move(problem);
    return check;
  };
  // The chain, the head and the list version from one snapshot: a commit
  // during the walk must not look like a break.
  rocksdb::DB* db = db_->get();
  const rocksdb::Snapshot* snapshot = db->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snapshot;
    ~Release() { db->ReleaseSnapshot(snapshot); }
  } release{db, snapshot};
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;

  std::string version;
  rocksdb::Status s =
      db->Get(read, db_->cf(Cf::kMeta), std::string(kListVersionKey), &version);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read list_version");
  const bool version_ok = s.IsNotFound() || version.size() == 8;
  if (s.ok() && version_ok) check.list_version = ReadBigEndian64(version);
  std::string head;
  s = db->Get(read, db_->cf(Cf::kMeta), std::string(kAuditHeadKey), &head);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read audit head");
  const bool has_head = s.ok();
  // A cluster node's list version is its stream position, which events that
  // changed nothing (and wrote no record) move too.
  std::string position;
  s = db->Get(read, db_->cf(Cf::kMeta), std::string(kStreamPositionKey),
              &position);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read stream position");
  const bool cluster = s.ok() && position.size() == 8;

  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(read, db_->cf(Cf::kAudit)));
  std::string prev_sha256(SHA256_DIGEST_LENGTH, '\0');
  uint64_t expected = 1;
  uint64_t last_version = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    const std::string_view key = it->key().ToStringView();
    const std::string_view bytes = it->value().ToStringView();
    if (key.size() != 8) {
      return broken(expected, "a key that is not an 8-byte sequence number");
    }
    const uint64_t sequence = ReadBigEndian64(key);
    if (sequence != expected) {
      return broken(expected,
                    core::StrCat("record ", expected, " is missing (next is ",
                                 sequence, ")"));
    }
    v1::AuditRecord record;
    if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return broken(sequence, "the record does not parse");
    }
    if (record.sequence() != sequence) {
      return broken(sequence, core::StrCat("the record says it is number ",
                                           record.sequence()));
    }
    if (record.prev_sha256() != prev_sha256) {
      return broken(sequence,
                    "its hash of the previous record does not match: the "
                    "previous record was changed, removed or moved");
    }
    if (record.list_version() < last_version) {
      return broken(sequence, "its list version goes backwards");
    }
    last_version = record.list_version();
    prev_sha256 = Sha256(bytes);
    check.records = sequence;
    check.last_sequence = sequence;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read audit");

  // Nothing after the last record commits to it but the head in meta.
  const uint64_t last = check.last_sequence;
  if (!has_head) {
    if (last > 0) {
      return broken(last, core::StrCat("meta records no chain head although "
                                       "the chain has ",
                                       last, " records: it was removed"));
    }
  } else if (head.size() != kAuditHeadSize) {
    return broken(last + 1, "the chain head recorded in meta is malformed");
  } else {
    const uint64_t head_sequence = ReadBigEndian64(head);
    if (head_sequence > last) {
      return broken(
          last + 1,
          core::StrCat("the chain ends at record ", last,
                       " but the head recorded in meta is record ",
                       head_sequence, ": records at the end were removed"));
    }
    if (head_sequence < last) {
      return broken(
          head_sequence + 1,
          core::StrCat("the chain goes on past record ", head_sequence,
                       ", the head recorded in meta: records were "
                       "added at the end"));
    }
    if (head.substr(8) != prev_sha256) {
      return broken(last,
                    "the record does not match the hash of the chain head "
                    "recorded in meta: it was changed or replaced");
    }
  }
  if (!version_ok) {
    return broken(last + 1, "the list version in meta is malformed");
  }
  if (cluster) {
    if (ReadBigEndian64(position) != check.list_version ||
        last_version > check.list_version) {
      return broken(
          last + 1,
          core::StrCat("the chain ends at list version ", last_version,
                       " but meta holds list version ", check.list_version,
                       " and stream position ", ReadBigEndian64(position)));
    }
  } else if (last_version != check.list_version) {
    return broken(
        last + 1,
        core::StrCat("the chain ends at list version ", last_version,
                     " but meta holds list version ", check.list_version,
                     ": records at the end were removed or the "
                     "list version was changed"));
  }
  return check;
}

}  // namespace fraudgate::store
