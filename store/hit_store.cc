#include "store/hit_store.h"

#include <algorithm>
#include <functional>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/notification.h"
#include "core/status_macros.h"
#include "proto/proto_time.h"
#include "store/db.h"
#include "store/keys.h"

namespace fraudgate::store {
namespace {

// Index entries examined by one Query before it returns a short page with a
// token, so a selective filter cannot make one call scan the whole history.
constexpr int kMaxScannedPerPage = 20000;

absl::StatusOr<std::optional<v1::HitRecord>> ReadHit(Db* db,
                                                     const std::string& key) {
  std::string value;
  rocksdb::Status s =
      db->get()->Get(rocksdb::ReadOptions(), db->cf(Cf::kHits), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "read hit");
  v1::HitRecord record;
  if (!record.ParseFromString(value)) {
    return absl::DataLossError("store: unreadable hit record");
  }
  return record;
}

bool Matches(const HitQuery& q, const v1::HitRecord& r) {
  if (r.hit().score() < q.min_score) return false;
  if (q.decisions.empty()) return true;
  return std::find(q.decisions.begin(), q.decisions.end(),
                   r.hit().decision()) != q.decisions.end();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HitStore>> HitStore::Open(Db* db,
                                                         std::string hmac_key,
                                                         bool outbox) {
  // The entries still queued (none: from 1, as the keys only need to grow
  // within them).
  uint64_t first = 1, next = 1;
  if (outbox) {
    if (db->cf(Cf::kHitsOutbox) == nullptr) {
      return absl::FailedPreconditionError(
          "store: opened without a hits outbox");
    }
    std::unique_ptr<rocksdb::Iterator> it(db->get()->NewIterator(
        rocksdb::ReadOptions(), db->cf(Cf::kHitsOutbox)));
    it->SeekToLast();
    if (it->Valid()) {
      next = ReadBigEndian64(it->key().ToStringView()) + 1;
      it->SeekToFirst();
      if (it->Valid()) first = ReadBigEndian64(it->key().ToStringView());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "read hits outbox");
  }
  return std::unique_ptr<HitStore>(
      new HitStore(db, std::move(hmac_key), outbox, first, next));
}

HitStore::HitStore(Db* db, std::string hmac_key, bool outbox,
                   uint64_t first_outbox, uint64_t next_outbox)
    : db_(db),
      beneficiary_mac_(
          hmac_key.empty() ? nullptr : std::make_unique<HmacSha256>(hmac_key)),
      sequence_(std::random_device{}()),
      outbox_(outbox),
      outbox_floor_(first_outbox),
      next_outbox_(next_outbox),
      writer_([this] { WriterLoop(); }) {}

HitStore::~HitStore() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  writer_.join();
}

std::string HitStore::BeneficiaryHash(const std::string& key) const {
  return beneficiary_mac_->Digest(key);
}

std::string HitStore::NewHitId(absl::Time at) {
  return HitIdFromKey(HitKey(at, sequence_.fetch_add(1)));
}

absl::StatusOr<std::optional<v1::HitRecord>> HitStore::FindByTransfer(
    const std::string& caller, const std::string& transfer_id) const {
  return FindByTransferKey(TransferKey(caller, transfer_id));
}

absl::StatusOr<std::optional<v1::HitRecord>> HitStore::FindByTransferKey(
    const std::string& transfer_key) const {
  // Retention may remove the hit between the two reads; it removes the
  // transfer entry in the same batch, so a second look tells that apart from
  // an index entry that names a hit that was never there.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string hit_key;
    rocksdb::Status s =
        db_->get()->Get(rocksdb::ReadOptions(), db_->cf(Cf::kHitsByTransfer),
                        transfer_key, &hit_key);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return FromRocks(s, "read transfer index");
    auto hit = ReadHit(db_, hit_key);
    if (!hit.ok() || hit->has_value()) return hit;
  }
  return absl::DataLossError("store: transfer index names a missing hit");
}

absl::StatusOr<std::optional<v1::HitRecord>> HitStore::PutIfAbsent(
    v1::HitRecord* record, absl::Span<const std::string> identifier_keys,
    absl::Span<const std::string> beneficiary_keys) {
  if (IsWriterThread()) {
    return absl::InternalError(
        "store: PutIfAbsent on the hit writer thread would wait on itself");
  }
  absl::Notification written;
  absl::StatusOr<PutResult> result;
  PutIfAbsentAsync(*record, identifier_keys, beneficiary_keys,
                   [&](absl::StatusOr<PutResult> r) {
                     result = std::move(r);
                     written.Notify();
                   });
  written.WaitForNotification();
  if (!result.ok()) return result.status();
  if (result->existed) return std::move(result->record);
  // The index entries written, noted in place (pointers into *record stay
  // valid).
  *record->mutable_identifier_keys() = result->record.identifier_keys();
  *record->mutable_beneficiary_hashes() = result->record.beneficiary_hashes();
  return std::nullopt;
}

void HitStore::PutIfAbsentAsync(v1::HitRecord record,
                                absl::Span<const std::string> identifier_keys,
                                absl::Span<const std::string> beneficiary_keys,
                                PutDone done) {
  std::optional<std::string> hit_key = HitKeyFromId(record.hit().hit_id());
  if (!hit_key) {
    return done(absl::InvalidArgumentError("store: malformed hit_id"));
  }
  if (!beneficiary_keys.empty() && beneficiary_mac_ == nullptr) {
    return done(
        absl::FailedPreconditionError("store: no beneficiary hash key"));
  }
  // Everything but the I/O is done here, on the caller's thread.
  record.clear_identifier_keys();
  for (const std::string& key : identifier_keys) {
    record.add_identifier_keys(key);
  }
  record.clear_beneficiary_hashes();
  for (const std::string& key : beneficiary_keys) {
    record.add_beneficiary_hashes(BeneficiaryHash(key));
  }
  std::string bytes = record.SerializeAsString();
  std::string transfer_key =
      TransferKey(record.hit().caller(), record.hit().transfer_id());
  Pending pending{std::move(record), std::move(bytes), *std::move(hit_key),
                  std::move(transfer_key), std::move(done)};
  {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(pending));
      return;
    }
  }
  pending.done(absl::UnavailableError("store: closing, hit not recorded"));
}

void HitStore::SetWriteObserver(WriteObserver observer) {
  absl::MutexLock lock(&observer_mu_);
  write_observer_ = std::move(observer);
}

void HitStore::WriterLoop() {
  std::vector<Pending> group;
  for (;;) {
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(this, &HitStore::HasWork));
      if (queue_.empty()) return;  // stopping, and everything is written
      group.swap(queue_);
    }
    WriteGroup(group);
    group.clear();
  }
}

void HitStore::AddHit(rocksdb::WriteBatch& batch, const v1::HitRecord& record,
                      const std::string& bytes, const std::string& hit_key,
                      const std::string& transfer_key) const {
  batch.Put(db_->cf(Cf::kHits), hit_key, bytes);
  if (!transfer_key.empty()) {
    batch.Put(db_->cf(Cf::kHitsByTransfer), transfer_key, hit_key);
  }
  for (const std::string& key : record.identifier_keys()) {
    batch.Put(db_->cf(Cf::kHitsByIdentifier), IdentifierIndexKey(key, hit_key),
              rocksdb::Slice());
  }
  for (const std::string& hash : record.beneficiary_hashes()) {
    batch.Put(db_->cf(Cf::kHitsByBeneficiary),
              IdentifierIndexKey(hash, hit_key), rocksdb::Slice());
  }
}

absl::StatusOr<size_t> HitStore::PutReplicated(
    absl::Span<const v1::HitRecord> records, uint64_t position) {
  // Which hits and transfers are here already: one MultiGet each.
  const size_t n = records.size();
  std::vector<std::string> hit_keys(n), transfer_keys(n);
  for (size_t i = 0; i < n; ++i) {
    const v1::Hit& hit = records[i].hit();
    hit_keys[i] = HitKeyFromId(hit.hit_id()).value_or("");
    transfer_keys[i] = TransferKey(hit.caller(), hit.transfer_id());
  }
  auto found = [this, n](Cf cf, const std::vector<std::string>& keys)
      -> absl::StatusOr<std::vector<bool>> {
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(n);
    std::vector<rocksdb::Status> statuses(n);
    if (n > 0) {
      db_->get()->MultiGet(rocksdb::ReadOptions(), db_->cf(cf), n,
                           slices.data(), values.data(), statuses.data());
    }
    std::vector<bool> result(n);
    for (size_t i = 0; i < n; ++i) {
      if (!statuses[i].ok() && !statuses[i].IsNotFound()) {
        return FromRocks(statuses[i], "read replicated hits");
      }
      result[i] = statuses[i].ok();
    }
    return result;
  };
  ASSIGN_OR_RETURN(std::vector<bool> hit_here, found(Cf::kHits, hit_keys));
  ASSIGN_OR_RETURN(std::vector<bool> transfer_here,
                   found(Cf::kHitsByTransfer, transfer_keys));
  rocksdb::WriteBatch batch;
  absl::flat_hash_set<std::string_view> new_transfers;
  size_t added = 0;
  for (size_t i = 0; i < n; ++i) {
    // A malformed id cannot be stored; a stored hit is not stored again.
    if (hit_keys[i].empty() || hit_here[i]) continue;
    const bool index_transfer =
        !transfer_here[i] && new_transfers.insert(transfer_keys[i]).second;
    AddHit(batch, records[i], records[i].SerializeAsString(), hit_keys[i],
           index_transfer ? transfer_keys[i] : std::string());
    ++added;
  }
  batch.Put(db_->cf(Cf::kMeta), std::string(kHitsStreamPositionKey),
            BigEndian64(position));
  rocksdb::WriteOptions write;
  write.sync = false;  // as every hit: WAL without fsync
  RETURN_IF_ERROR(
      FromRocks(db_->get()->Write(write, &batch), "record replicated hits"));
  return added;
}

absl::StatusOr<uint64_t> HitStore::ReplicatedPosition() const {
  return ReadMetaNumber(*db_, kHitsStreamPositionKey);
}

void HitStore::WriteGroup(std::vector<Pending>& group) {
  const absl::Time start = absl::Now();
  const size_t n = group.size();
  // Which transfers have a hit already: one MultiGet for the group.
  std::vector<rocksdb::Slice> keys;
  keys.reserve(n);
  for (const Pending& p : group) keys.emplace_back(p.transfer_key);
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_->get()->MultiGet(rocksdb::ReadOptions(), db_->cf(Cf::kHitsByTransfer), n,
                       keys.data(), values.data(), statuses.data());

  // Each hit's outcome, unless it is one this group writes.
  std::vector<std::optional<absl::StatusOr<PutResult>>> decided(n);
  // A transfer screened twice in the group: the second gets the first's hit.
  std::vector<size_t> same_as(n, n);
  absl::flat_hash_map<std::string_view, size_t> first_of;
  rocksdb::WriteBatch batch;
  for (size_t i = 0; i < n; ++i) {
    Pending& p = group[i];
    if (!statuses[i].IsNotFound()) {
      // Rare (a retried transfer, or an error): the full two-read lookup.
      auto existing = FindByTransferKey(p.transfer_key);
      if (!existing.ok()) {
        decided[i] = existing.status();
      } else if (existing->has_value()) {
        decided[i] = PutResult{**std::move(existing), true};
      }
      if (decided[i]) continue;
    }
    auto [it, first] = first_of.emplace(p.transfer_key, i);
    if (!first) {
      same_as[i] = it->second;
      continue;
    }
    AddHit(batch, p.record, p.bytes, p.hit_key, p.transfer_key);
    if (outbox_) {
      batch.Put(db_->cf(Cf::kHitsOutbox), BigEndian64(next_outbox_++),
                p.hit_key);
    }
  }
  absl::Status written = absl::OkStatus();
  if (batch.Count() > 0) {
    rocksdb::WriteOptions write;
    write.sync = false;  // WAL without fsync: survives a process crash
    written = FromRocks(db_->get()->Write(write, &batch), "record hit");
  }
  {
    absl::MutexLock lock(&observer_mu_);
    if (write_observer_) write_observer_(absl::Now() - start, n, written.ok());
  }
  // Repeats first: they copy the record the first one hands over.
  for (size_t i = 0; i < n; ++i) {
    if (same_as[i] == n) continue;
    if (!written.ok()) {
      group[i].done(written);
    } else {
      group[i].done(PutResult{group[same_as[i]].record, true});
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (same_as[i] != n) continue;
    if (decided[i]) {
      group[i].done(*std::move(decided[i]));
    } else if (!written.ok()) {
      group[i].done(written);
    } else {
      group[i].done(PutResult{std::move(group[i].record), false});
    }
  }
}

absl::StatusOr<std::vector<HitStore::OutboxEntry>> HitStore::ReadOutbox(
    size_t max) const {
  if (!outbox_) return absl::FailedPreconditionError("store: no hits outbox");
  std::vector<OutboxEntry> entries;
  std::vector<std::string> hit_keys;
  {
    // From the floor: what was trimmed below it is not stepped over.
    const std::string floor = BigEndian64(outbox_floor_.load());
    const rocksdb::Slice lower(floor);
    rocksdb::ReadOptions read;
    read.iterate_lower_bound = &lower;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->get()->NewIterator(read, db_->cf(Cf::kHitsOutbox)));
    for (it->Seek(lower); it->Valid() && entries.size() < max; it->Next()) {
      entries.push_back({ReadBigEndian64(it->key().ToStringView()), {}});
      hit_keys.push_back(it->value().ToString());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "read hits outbox");
  }
  const size_t n = entries.size();
  if (n == 0) return entries;
  std::vector<rocksdb::Slice> keys(hit_keys.begin(), hit_keys.end());
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_->get()->MultiGet(rocksdb::ReadOptions(), db_->cf(Cf::kHits), n,
                       keys.data(), values.data(), statuses.data());
  for (size_t i = 0; i < n; ++i) {
    if (statuses[i].IsNotFound()) continue;  // removed by retention
    if (!statuses[i].ok()) return FromRocks(statuses[i], "read outbox hit");
    v1::HitRecord record;
    // One unreadable record must not hold back every later one.
    if (record.ParseFromArray(values[i].data(),
                              static_cast<int>(values[i].size()))) {
      entries[i].record = std::move(record);
    }
  }
  return entries;
}

absl::Status HitStore::TrimOutbox(uint64_t sequence) {
  if (!outbox_) return absl::FailedPreconditionError("store: no hits outbox");
  const uint64_t floor = outbox_floor_.load();
  if (sequence < floor) return absl::OkStatus();
  rocksdb::WriteOptions write;
  write.sync = false;  // as the hits: an entry back after a crash is
                       // published again, and stored once
  // From the floor, so the ranges of successive trims do not overlap.
  RETURN_IF_ERROR(FromRocks(
      db_->get()->DeleteRange(write, db_->cf(Cf::kHitsOutbox),
                              BigEndian64(floor), BigEndian64(sequence + 1)),
      "trim hits outbox"));
  outbox_floor_ = sequence + 1;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::HitRecord>> HitStore::Get(
    const std::string& hit_id) const {
  std::optional<std::string> key = HitKeyFromId(hit_id);
  if (!key) return std::nullopt;
  return ReadHit(db_, *key);
}

absl::StatusOr<v1::HitRecord> HitStore::RecordOutcome(const std::string& hit_id,
                                                      v1::Outcome outcome,
                                                      const std::string& note,
                                                      const std::string& actor,
                                                      absl::Time now) {
  std::optional<std::string> key = HitKeyFromId(hit_id);
  if (!key) return absl::NotFoundError("hit_id: no such hit");
  absl::MutexLock lock(&outcome_mu_);
  auto hit = ReadHit(db_, *key);
  if (!hit.ok()) return hit.status();
  if (!hit->has_value()) return absl::NotFoundError("hit_id: no such hit");
  v1::HitRecord record = **std::move(hit);
  v1::Hit& h = *record.mutable_hit();
  h.set_outcome(outcome);
  h.set_outcome_note(note);
  h.set_outcome_by(actor);
  *h.mutable_outcome_at() = ToProtoTime(now);
  v1::OutcomeEvent* event = h.add_outcome_history();
  event->set_outcome(outcome);
  event->set_note(note);
  event->set_by(actor);
  *event->mutable_at() = ToProtoTime(now);
  rocksdb::WriteOptions write;
  write.sync = true;  // an analyst's verdict is a decision of record
  if (auto s = FromRocks(db_->get()->Put(write, db_->cf(Cf::kHits), *key,
                                         record.SerializeAsString()),
                         "record outcome");
      !s.ok()) {
    return s;
  }
  return record;
}

absl::StatusOr<HitStore::Stats> HitStore::CountHits(absl::Time from,
                                                    absl::Time to,
                                                    int64_t max_scanned,
                                                    absl::TimeZone zone) const {
  Stats stats;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->get()->NewIterator(rocksdb::ReadOptions(), db_->cf(Cf::kHits)));
  const std::string lower = HitKey(from, 0);
  for (it->SeekForPrev(HitKey(to, 0)); it->Valid(); it->Prev()) {
    if (it->key().compare(lower) < 0) break;
    if (HitKeyTime(it->key().ToStringView()) >= to) continue;
    if (stats.screenings == max_scanned) {
      stats.truncated = true;
      break;
    }
    v1::HitRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: unreadable hit record");
    }
    ++stats.screenings;
    const int decision = record.hit().decision();
    if (decision >= 0 &&
        decision < static_cast<int>(stats.by_decision.size())) {
      ++stats.by_decision[decision];
      const absl::CivilDay day =
          absl::ToCivilDay(HitKeyTime(it->key().ToStringView()), zone);
      ++stats.by_day[day][decision];
    }
    for (const v1::Reason& reason : record.hit().reasons()) {
      const v1::Identifier& id = reason.identifier();
      auto& entry = stats.by_identifier[EntityKey(id)];
      if (entry.hits == 0) entry.identifier = id;
      ++entry.hits;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan hits");
  return stats;
}

absl::StatusOr<std::vector<int64_t>> HitStore::CountByBeneficiaries(
    absl::Span<const std::string> keys, int64_t limit) const {
  std::vector<int64_t> counts;
  if (keys.empty()) return counts;
  if (beneficiary_mac_ == nullptr) {
    return absl::FailedPreconditionError("store: no beneficiary hash key");
  }
  counts.reserve(keys.size());
  rocksdb::ReadOptions read;
  read.prefix_same_as_start = true;
  // One iterator for all: creating one costs more than a Seek that the
  // prefix bloom filters answer (most newly listed identifiers were never
  // paid).
  std::unique_ptr<rocksdb::Iterator> it(
      db_->get()->NewIterator(read, db_->cf(Cf::kHitsByBeneficiary)));
  for (const std::string& key : keys) {
    const std::string prefix = IdentifierIndexPrefix(BeneficiaryHash(key));
    int64_t count = 0;
    for (it->Seek(prefix);
         count < limit && it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      ++count;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "count past transfers"));
    counts.push_back(count);
  }
  return counts;
}

// Lets a bulk load into a new data dir skip hashing millions of keys to
// count nothing.
absl::StatusOr<bool> HitStore::HasBeneficiaries() const {
  rocksdb::ReadOptions read;
  read.total_order_seek = true;  // SeekToFirst, not a prefix seek
  std::unique_ptr<rocksdb::Iterator> it(
      db_->get()->NewIterator(read, db_->cf(Cf::kHitsByBeneficiary)));
  it->SeekToFirst();
  RETURN_IF_ERROR(FromRocks(it->status(), "read past transfers"));
  return it->Valid();
}

absl::StatusOr<int64_t> HitStore::RemoveExpired(absl::Time matched_before,
                                                absl::Time unmatched_before,
                                                int batch_size) {
  const std::string upper =
      HitKey(std::max(matched_before, unmatched_before), 0);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->get()->NewIterator(read, db_->cf(Cf::kHits)));

  int64_t removed = 0;
  int batched = 0;
  rocksdb::WriteBatch batch;
  auto write = [&]() -> absl::Status {
    if (batched == 0) return absl::OkStatus();
    // Not between a verdict's read and write, which would bring the hit back.
    absl::MutexLock lock(&outcome_mu_);
    rocksdb::WriteOptions options;
    options.sync = false;
    RETURN_IF_ERROR(
        FromRocks(db_->get()->Write(options, &batch), "remove expired hits"));
    batch.Clear();
    removed += batched;
    batched = 0;
    return absl::OkStatus();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::HitRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: unreadable hit record");
    }
    const bool matched = record.identifier_keys_size() > 0;
    if (HitKeyTime(it->key().ToStringView()) >=
        (matched ? matched_before : unmatched_before)) {
      continue;
    }
    const std::string hit_key = it->key().ToString();
    batch.Delete(db_->cf(Cf::kHits), hit_key);
    batch.Delete(
        db_->cf(Cf::kHitsByTransfer),
        TransferKey(record.hit().caller(), record.hit().transfer_id()));
    for (const std::string& key : record.identifier_keys()) {
      batch.Delete(db_->cf(Cf::kHitsByIdentifier),
                   IdentifierIndexKey(key, hit_key));
    }
    for (const std::string& hash : record.beneficiary_hashes()) {
      batch.Delete(db_->cf(Cf::kHitsByBeneficiary),
                   IdentifierIndexKey(hash, hit_key));
    }
    if (++batched == batch_size) RETURN_IF_ERROR(write());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan expired hits"));
  RETURN_IF_ERROR(write());
  return removed;
}

absl::StatusOr<HitPage> HitStore::Query(const HitQuery& q) const {
  std::optional<std::string> after;
  if (!q.page_token.empty()) {
    after = HitKeyFromId(q.page_token);
    if (!after) return absl::InvalidArgumentError("page_token: malformed");
  }
  const int page_size = std::clamp(q.page_size, 1, 1000);
  HitPage page;
  int scanned = 0;
  std::string last_key;
  bool more = false;

  // Visits candidate hit keys newest first; returns false to stop.
  auto visit = [&](const std::string& hit_key) -> absl::StatusOr<bool> {
    const absl::Time at = HitKeyTime(hit_key);
    if (at < q.from) return false;
    if (static_cast<int>(page.hits.size()) == page_size ||
        scanned == kMaxScannedPerPage) {
      more = true;
      return false;
    }
    ++scanned;
    last_key = hit_key;
    if (at >= q.to) return true;
    auto hit = ReadHit(db_, hit_key);
    if (!hit.ok()) return hit.status();
    if (hit->has_value() && Matches(q, **hit)) page.hits.push_back(**hit);
    return true;
  };

  absl::Status status;
  if (q.identifier_key.empty() && q.beneficiary_key.empty()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->get()->NewIterator(rocksdb::ReadOptions(), db_->cf(Cf::kHits)));
    if (after) {
      it->SeekForPrev(*after);
      if (it->Valid() && it->key().ToStringView() == *after) it->Prev();
    } else if (q.to == absl::InfiniteFuture()) {
      it->SeekToLast();
    } else {
      it->SeekForPrev(HitKey(q.to, 0));
    }
    for (; it->Valid(); it->Prev()) {
      auto go_on = visit(it->key().ToString());
      if (!go_on.ok()) return go_on.status();
      if (!*go_on) break;
    }
    status = FromRocks(it->status(), "scan hits");
  } else {
    // Both indexes are "index key, 0x00, inverted hit key"; the beneficiary
    // index key is a fixed-size keyed hash, so the plain identifier is never
    // stored for it.
    const bool by_beneficiary = !q.beneficiary_key.empty();
    if (by_beneficiary && beneficiary_mac_ == nullptr) {
      return absl::FailedPreconditionError("store: no beneficiary hash key");
    }
    const std::string index_key =
        by_beneficiary ? BeneficiaryHash(q.beneficiary_key) : q.identifier_key;
    const std::string prefix = IdentifierIndexPrefix(index_key);
    rocksdb::ReadOptions read;
    read.prefix_same_as_start = by_beneficiary;  // its prefix bloom filter
    std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator(
        read, db_->cf(by_beneficiary ? Cf::kHitsByBeneficiary
                                     : Cf::kHitsByIdentifier)));
    if (after) {
      const std::string start = IdentifierIndexKey(index_key, *after);
      it->Seek(start);
      if (it->Valid() && it->key().ToStringView() == start) it->Next();
    } else if (q.to == absl::InfiniteFuture()) {
      it->Seek(prefix);
    } else {
      it->Seek(IdentifierIndexKey(index_key, HitKey(q.to, 0xFFFFFFFF)));
    }
    for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
      auto go_on = visit(
          HitKeyFromIdentifierIndex(it->key().ToStringView(), prefix.size()));
      if (!go_on.ok()) return go_on.status();
      if (!*go_on) break;
    }
    status = FromRocks(it->status(), "scan identifier index");
  }
  if (!status.ok()) return status;
  if (more) page.next_page_token = HitIdFromKey(last_key);
  return page;
}

}  // namespace fraudgate::store
