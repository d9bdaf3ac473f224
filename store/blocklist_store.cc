#include "store/blocklist_store.h"

#include <openssl/sha.h>

#include <algorithm>

#include "core/identifier.h"
#include "core/text.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/proto_time.h"
#include "store/db.h"
#include "store/keys.h"

namespace fraudgate::store {
namespace {

// Linked identifiers kept per entity; enough to investigate, bounded so that
// a report naming thousands of accounts cannot bloat every entity.
constexpr int kMaxLinked = 64;

std::string Sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

std::string KeyOf(const v1::Identifier& id) {
  return core::Identifier{static_cast<core::IdentifierKind>(id.kind()),
                          id.issuer(), id.value()}
      .Key();
}

bool SameIdentifier(const v1::Identifier& a, const v1::Identifier& b) {
  return a.kind() == b.kind() && a.issuer() == b.issuer() &&
         a.value() == b.value();
}

template <typename Container>
bool ContainsIdentifier(const Container& c, const v1::Identifier& id) {
  return std::any_of(c.begin(), c.end(), [&](const v1::Identifier& x) {
    return SameIdentifier(x, id);
  });
}

// The report as kept: identifiers merged with an earlier version, if any.
v1::Report Merge(const v1::Report& stored, const v1::Report& incoming) {
  v1::Report merged = incoming;
  merged.clear_identifiers();
  for (const auto& id : stored.identifiers()) *merged.add_identifiers() = id;
  for (const auto& id : incoming.identifiers()) {
    if (!ContainsIdentifier(merged.identifiers(), id)) {
      *merged.add_identifiers() = id;
    }
  }
  return merged;
}

v1::ReportRef RefOf(const v1::Report& r, const std::string& actor,
                    absl::Time now) {
  v1::ReportRef ref;
  ref.set_report_id(r.report_id());
  ref.set_agency(r.agency());
  ref.set_category(r.category());
  ref.set_confidence(r.confidence());
  *ref.mutable_reported_at() = r.reported_at();
  if (r.has_expires_at()) *ref.mutable_expires_at() = r.expires_at();
  ref.set_uploaded_by(actor);
  *ref.mutable_uploaded_at() = ToProtoTime(now);
  return ref;
}

}  // namespace

struct BlocklistStore::Mutation {
  std::vector<std::pair<std::string, v1::Entity>> entities;
  std::optional<std::pair<std::string, v1::StoredReport>> report;
  v1::AuditRecord audit;
};

absl::StatusOr<std::unique_ptr<BlocklistStore>> BlocklistStore::Open(Db* db) {
  std::unique_ptr<BlocklistStore> store(new BlocklistStore(db));
  std::string value;
  rocksdb::Status s = db->get()->Get(rocksdb::ReadOptions(), db->cf(Cf::kMeta),
                                     std::string(kListVersionKey), &value);
  if (s.ok()) {
    if (value.size() != 8) {
      return absl::DataLossError("store: meta list_version is not 8 bytes");
    }
    store->list_version_ = ReadBigEndian64(value);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read list_version");
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db->get()->NewIterator(rocksdb::ReadOptions(), db->cf(Cf::kAudit)));
  it->SeekToLast();
  if (it->Valid()) {
    absl::MutexLock lock(&store->mu_);
    store->next_audit_sequence_ = ReadBigEndian64(it->key().ToStringView()) + 1;
    store->last_audit_sha256_ = Sha256(it->value().ToStringView());
  } else {
    absl::MutexLock lock(&store->mu_);
    store->last_audit_sha256_ = std::string(SHA256_DIGEST_LENGTH, '\0');
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read audit head");
  return store;
}

absl::StatusOr<LookupResult> BlocklistStore::Lookup(
    absl::Span<const std::string> keys) const {
  rocksdb::DB* db = db_->get();
  const rocksdb::Snapshot* snapshot = db->GetSnapshot();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;

  LookupResult result;
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  if (!keys.empty()) {
    db->MultiGet(read, db_->cf(Cf::kEntities), keys.size(), slices.data(),
                 values.data(), statuses.data());
  }
  std::string version;
  rocksdb::Status vs =
      db->Get(read, db_->cf(Cf::kMeta), std::string(kListVersionKey), &version);
  db->ReleaseSnapshot(snapshot);

  if (vs.ok() && version.size() == 8) {
    result.list_version = ReadBigEndian64(version);
  } else if (!vs.IsNotFound()) {
    return vs.ok() ? absl::DataLossError("store: bad list_version")
                   : FromRocks(vs, "read list_version");
  }
  result.entities.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "lookup entity");
    v1::Entity entity;
    if (!entity.ParseFromArray(values[i].data(),
                               static_cast<int>(values[i].size()))) {
      return absl::DataLossError("store: unreadable entity record");
    }
    result.entities[i] = std::move(entity);
  }
  return result;
}

absl::StatusOr<std::optional<v1::Entity>> BlocklistStore::GetEntity(
    const std::string& key) const {
  auto result = Lookup(absl::MakeConstSpan(&key, 1));
  if (!result.ok()) return result.status();
  return std::move(result->entities[0]);
}

absl::Status BlocklistStore::Commit(Mutation& m) {
  const uint64_t version = list_version_.load() + 1;
  m.audit.set_sequence(next_audit_sequence_);
  m.audit.set_list_version(version);
  m.audit.set_prev_sha256(last_audit_sha256_);
  const std::string audit_bytes = m.audit.SerializeAsString();

  rocksdb::WriteBatch batch;
  for (const auto& [key, entity] : m.entities) {
    batch.Put(db_->cf(Cf::kEntities), key, entity.SerializeAsString());
  }
  if (m.report) {
    batch.Put(db_->cf(Cf::kReports), m.report->first,
              m.report->second.SerializeAsString());
  }
  batch.Put(db_->cf(Cf::kAudit), AuditKey(next_audit_sequence_), audit_bytes);
  batch.Put(db_->cf(Cf::kMeta), std::string(kListVersionKey),
            BigEndian64(version));
  rocksdb::WriteOptions write;
  write.sync = true;  // police writes survive power loss
  if (auto s = FromRocks(db_->get()->Write(write, &batch), "commit mutation");
      !s.ok()) {
    return s;
  }
  ++next_audit_sequence_;
  last_audit_sha256_ = Sha256(audit_bytes);
  list_version_.store(version);
  return absl::OkStatus();
}

absl::StatusOr<ApplyReportResult> BlocklistStore::ApplyReport(
    const v1::Report& report, const std::string& actor, absl::Time now) {
  absl::MutexLock lock(&mu_);
  const std::string report_key = ReportKey(report.agency(), report.report_id());

  std::string stored_bytes;
  rocksdb::Status s = db_->get()->Get(
      rocksdb::ReadOptions(), db_->cf(Cf::kReports), report_key, &stored_bytes);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read report");
  v1::Report merged = report;
  v1::Report previous;
  if (s.ok()) {
    v1::StoredReport stored;
    if (!stored.ParseFromString(stored_bytes)) {
      return absl::DataLossError("store: unreadable report record");
    }
    previous = stored.report();
    merged = Merge(previous, report);
    if (google::protobuf::util::MessageDifferencer::Equals(merged, previous)) {
      return ApplyReportResult{true, 0, list_version_.load()};
    }
  }

  std::vector<std::string> keys;
  for (const auto& id : merged.identifiers()) keys.push_back(KeyOf(id));
  auto current = Lookup(keys);
  if (!current.ok()) return current.status();

  Mutation m;
  ApplyReportResult result;
  const v1::ReportRef ref = RefOf(merged, actor, now);
  for (int i = 0; i < merged.identifiers_size(); ++i) {
    const v1::Identifier& id = merged.identifiers(i);
    v1::Entity entity;
    const bool existed = current->entities[i].has_value();
    if (existed) entity = *std::move(current->entities[i]);
    *entity.mutable_identifier() = id;

    auto same_report = [&](const v1::ReportRef& r) {
      return r.agency() == ref.agency() && r.report_id() == ref.report_id();
    };
    auto it = std::find_if(entity.mutable_reports()->begin(),
                           entity.mutable_reports()->end(), same_report);
    const bool new_ref = it == entity.mutable_reports()->end();
    if (new_ref) {
      *entity.add_reports() = ref;
      if (!existed || entity.status() != v1::ACTIVE) ++result.identifiers_added;
      entity.set_status(v1::ACTIVE);
      v1::EntityEvent* event = entity.add_history();
      *event->mutable_at() = ToProtoTime(now);
      event->set_action("REPORTED");
      event->set_actor(actor);
      event->set_reason(core::StrCat(ref.agency(), " ", ref.report_id()));
    } else {
      // Keep who first uploaded it; take the corrected report fields.
      v1::ReportRef updated = ref;
      updated.set_uploaded_by(it->uploaded_by());
      *updated.mutable_uploaded_at() = it->uploaded_at();
      *it = std::move(updated);
    }
    for (const auto& other : merged.identifiers()) {
      if (SameIdentifier(other, id) || entity.linked_size() >= kMaxLinked ||
          ContainsIdentifier(entity.linked(), other)) {
        continue;
      }
      *entity.add_linked() = other;
    }
    absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
    for (const auto& r : entity.reports()) {
      first = std::min(first, FromProtoTime(r.reported_at()));
      last = std::max(last, FromProtoTime(r.reported_at()));
    }
    *entity.mutable_first_reported_at() = ToProtoTime(first);
    *entity.mutable_last_reported_at() = ToProtoTime(last);
    m.entities.emplace_back(keys[i], std::move(entity));
  }

  v1::StoredReport stored;
  *stored.mutable_report() = merged;
  stored.set_uploaded_by(actor);
  *stored.mutable_uploaded_at() = ToProtoTime(now);
  m.report.emplace(report_key, std::move(stored));

  m.audit.set_action("REPORT_ACCEPTED");
  *m.audit.mutable_at() = ToProtoTime(now);
  m.audit.set_actor(actor);
  m.audit.set_agency(merged.agency());
  m.audit.set_report_id(merged.report_id());
  for (const auto& id : merged.identifiers()) *m.audit.add_identifiers() = id;

  if (auto s = Commit(m); !s.ok()) return s;
  result.list_version = list_version_.load();
  return result;
}

absl::StatusOr<v1::Entity> BlocklistStore::Delist(const std::string& key,
                                                  const std::string& reason,
                                                  const std::string& reference,
                                                  const std::string& actor,
                                                  absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto current = GetEntity(key);
  if (!current.ok()) return current.status();
  if (!current->has_value()) {
    return absl::NotFoundError("identifier is not on the list");
  }
  v1::Entity entity = **current;
  if (entity.status() == v1::DELISTED) return entity;
  entity.set_status(v1::DELISTED);
  v1::EntityEvent* event = entity.add_history();
  *event->mutable_at() = ToProtoTime(now);
  event->set_action("DELISTED");
  event->set_actor(actor);
  event->set_reason(core::StrCat(reason, " (ref ", reference, ")"));

  Mutation m;
  m.audit.set_action("DELISTED");
  *m.audit.mutable_at() = ToProtoTime(now);
  m.audit.set_actor(actor);
  *m.audit.add_identifiers() = entity.identifier();
  m.audit.set_reason(reason);
  m.audit.set_reference(reference);
  m.entities.emplace_back(key, entity);
  if (auto s = Commit(m); !s.ok()) return s;
  return entity;
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

}  // namespace fraudgate::store
