// Screening records ("hits") and their indexes (DESIGN §3): `hits` by time,
// `hits_by_identifier` for every matched or screened identifier, and
// `hits_by_transfer` for per-caller idempotency. A hit and its index entries
// are written through the WAL without fsync: it survives a process crash, and
// costs no disk flush per screening.
//
// New hits are written by one writer thread (group commit): the hits queued
// while it wrote the previous group are checked against hits_by_transfer
// with one MultiGet and written in one WriteBatch, one WAL write for them
// all, with no lock held across the I/O.
//
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_STORE_HIT_STORE_H_
#define FRAUDGATE_STORE_HIT_STORE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fraudgate/v1/storage.pb.h"
#include "store/hmac_sha256.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace fraudgate::store {

class Db;

struct HitQuery {
  // Restrict to hits indexed under this identifier key (core::Identifier::
  // Key()); empty: all hits.
  std::string identifier_key;
  // Restrict to screenings whose beneficiary is this identifier key, found
  // through the keyed-hash index (every screening is in it, matched or not).
  // Takes precedence over identifier_key.
  std::string beneficiary_key;
  absl::Time from = absl::InfinitePast();  // inclusive
  absl::Time to = absl::InfiniteFuture();  // exclusive
  std::vector<v1::Decision> decisions;     // empty: any
  int min_score = 0;
  int page_size = 100;  // 1..1000
  // Continue after the hit this token names (from HitPage::next_page_token).
  std::string page_token;
};

struct HitPage {
  std::vector<v1::HitRecord> hits;  // newest first
  std::string next_page_token;      // empty when there are no more
};

class HitStore {
 public:
  // `db` must outlive this object. `hmac_key` keys the beneficiary index;
  // empty in a read-only store that has none (beneficiary queries then fail
  // with FAILED_PRECONDITION). With `outbox` (a cluster node, writable
  // store), every hit PutIfAbsent writes is also queued in the outbox, in
  // the same write. UNAVAILABLE when the outbox cannot be read.
  static absl::StatusOr<std::unique_ptr<HitStore>> Open(Db* db,
                                                        std::string hmac_key,
                                                        bool outbox);
  // Writes the hits still queued, then stops the writer thread.
  ~HitStore();

  // A new hit id for a screening at `at`: time-ordered and unique within this
  // process (a random 32-bit start, then a counter).
  std::string NewHitId(absl::Time at);

  // The recorded hit of (caller, transfer_id), if any.
  absl::StatusOr<std::optional<v1::HitRecord>> FindByTransfer(
      const std::string& caller, const std::string& transfer_id) const;

  // Records `*record` (hit_id from NewHitId, caller and transfer_id set),
  // indexed under every key in `identifier_keys` and, by keyed hash only
  // (HMAC-SHA256), under every key in `beneficiary_keys`; the index entries
  // are noted in the record (identifier_keys, beneficiary_hashes) so that
  // retention can remove them with it. Unless (caller, transfer_id) already
  // has a hit: then nothing is written and that earlier record is returned.
  // Concurrent calls for the same transfer record exactly one hit. Waits
  // for the writer thread: INTERNAL when called on it (from a `done`).
  absl::StatusOr<std::optional<v1::HitRecord>> PutIfAbsent(
      v1::HitRecord* record, absl::Span<const std::string> identifier_keys,
      absl::Span<const std::string> beneficiary_keys = {});

  // Whether the caller runs on the writer thread (in a PutDone), where
  // waiting for a put would wait forever.
  bool IsWriterThread() const {
    return std::this_thread::get_id() == writer_.get_id();
  }

  struct PutResult {
    v1::HitRecord record;  // as written, or the earlier hit of the transfer
    bool existed = false;  // (caller, transfer_id) had a hit already
  };
  using PutDone = std::function<void(absl::StatusOr<PutResult>)>;
  // PutIfAbsent without waiting: `done` runs once the hit is in the WAL, or
  // an earlier one was found, or it failed (UNAVAILABLE for I/O errors). It
  // runs on the writer thread, so it must not block (finishing an RPC is
  // fine) nor call the synchronous PutIfAbsent (INTERNAL there); for a
  // malformed hit_id, a store without a hash key, or a store being destroyed
  // (UNAVAILABLE) it runs at once on the calling thread.
  void PutIfAbsentAsync(v1::HitRecord record,
                        absl::Span<const std::string> identifier_keys,
                        absl::Span<const std::string> beneficiary_keys,
                        PutDone done);

  // `observer` is called on the writer thread after each group of hits is
  // written (or failed to be), with the time the group's transfer check and
  // write took, the number of hits in it and whether the write succeeded;
  // it must not block. Replaces the previous observer, returning once a
  // call of the previous one has returned; an empty function removes it.
  using WriteObserver =
      std::function<void(absl::Duration, size_t hits, bool ok)>;
  void SetWriteObserver(WriteObserver observer);

  // Stores screening records written by other nodes of a cluster, as they
  // were written there (FRAUDGATE_HITS, DESIGN §9): each record with its
  // index entries, which name identifier keys and keyed hashes of
  // beneficiaries (found here only when every node has the same hash key),
  // and the transfer index entry unless the transfer has a hit here
  // already; a hit already stored (delivered again) is skipped. `position`,
  // the stream sequence of the last, goes in the same write (WAL without
  // fsync, as every hit). Returns how many records were new; UNAVAILABLE
  // when the write failed (nothing of it stored).
  absl::StatusOr<size_t> PutReplicated(absl::Span<const v1::HitRecord> records,
                                       uint64_t position);
  // The `position` of the last PutReplicated; 0 when none.
  absl::StatusOr<uint64_t> ReplicatedPosition() const;

  // The outbox (Open with `outbox`): the hits this node wrote, in the order
  // written, until TrimOutbox. An entry survives what its hit survives (a
  // process crash: WAL without fsync). `record` is empty when the hit is
  // gone (removed by retention before it was published) or unreadable.
  // ReadOutbox and TrimOutbox are used by one thread (the publisher).
  struct OutboxEntry {
    uint64_t sequence = 0;
    std::optional<v1::HitRecord> record;
  };
  // The first `max` entries of the outbox, oldest first.
  absl::StatusOr<std::vector<OutboxEntry>> ReadOutbox(size_t max) const;
  // Removes the entries up to and including `sequence`.
  absl::Status TrimOutbox(uint64_t sequence);

  // One hit by id; nullopt when there is none.
  absl::StatusOr<std::optional<v1::HitRecord>> Get(
      const std::string& hit_id) const;

  // Sets the hit's current verdict (outcome, note, by, at) and appends it to
  // its outcome_history, in one synced write. NOT_FOUND for an unknown hit.
  absl::StatusOr<v1::HitRecord> RecordOutcome(const std::string& hit_id,
                                              v1::Outcome outcome,
                                              const std::string& note,
                                              const std::string& actor,
                                              absl::Time now);

  // Counts the hits in [from, to): by decision, by day in `zone`, and by
  // reason identifier (canonical key -> identifier and count). Scans at most
  // `max_scanned` hits, newest first; `truncated` says when the window held
  // more.
  struct Stats {
    std::array<int64_t, 5> by_decision{};  // indexed by v1::Decision
    struct IdentifierHits {
      v1::Identifier identifier;
      int64_t hits = 0;
    };
    absl::flat_hash_map<std::string, IdentifierHits> by_identifier;
    // By calendar day in the zone asked for.
    std::map<absl::CivilDay, std::array<int64_t, 5>> by_day;
    int64_t screenings = 0;
    bool truncated = false;
  };
  absl::StatusOr<Stats> CountHits(absl::Time from, absl::Time to,
                                  int64_t max_scanned,
                                  absl::TimeZone zone) const;

  // Whether any screening is in the beneficiary index: when not,
  // CountByBeneficiaries would count 0 for every key (or fail without a hash
  // key).
  absl::StatusOr<bool> HasBeneficiaries() const;

  // For each of `keys` (core::Identifier::Key() of beneficiaries), how many
  // screenings (at most `limit`) had it, found through the keyed-hash index
  // as HitQuery::beneficiary_key; one read view for all of them.
  // FAILED_PRECONDITION without a hash key (unless `keys` is empty).
  absl::StatusOr<std::vector<int64_t>> CountByBeneficiaries(
      absl::Span<const std::string> keys, int64_t limit) const;

  // Retention: removes every screening from before `matched_before` and,
  // from before `unmatched_before`, every screening that matched nothing (no
  // identifier_keys), with all their index entries. Runs in batches of at
  // most `batch_size` records, each one WAL write without fsync, holding no
  // lock that screening takes; a verdict recorded concurrently on a removed
  // hit gets NOT_FOUND. Returns the number of screenings removed.
  absl::StatusOr<int64_t> RemoveExpired(absl::Time matched_before,
                                        absl::Time unmatched_before,
                                        int batch_size = 1000);

  // Hits matching `query`, newest first. The page token is the last returned
  // hit's position, so pages stay correct while new hits are written.
  // INVALID_ARGUMENT for a malformed token.
  absl::StatusOr<HitPage> Query(const HitQuery& query) const;

 private:
  // A hit ready to write: record, serialized, keys, and who waits.
  struct Pending {
    v1::HitRecord record;
    std::string bytes;
    std::string hit_key;
    std::string transfer_key;
    PutDone done;
  };

  HitStore(Db* db, std::string hmac_key, bool outbox, uint64_t first_outbox,
           uint64_t next_outbox);
  // HMAC-SHA256 of `key` under the hash key: the beneficiary index prefix.
  // Only with a key.
  std::string BeneficiaryHash(const std::string& key) const;
  // The hit recorded under `transfer_key`, if any.
  absl::StatusOr<std::optional<v1::HitRecord>> FindByTransferKey(
      const std::string& transfer_key) const;
  // The writer thread: takes every queued hit, WriteGroup, until stopped.
  void WriterLoop();
  void WriteGroup(std::vector<Pending>& group);
  // Adds to `batch` hit `record` (serialized as `bytes`) under `hit_key`, its
  // identifier and beneficiary index entries, and, unless `transfer_key` is
  // empty, its transfer index entry.
  void AddHit(rocksdb::WriteBatch& batch, const v1::HitRecord& record,
              const std::string& bytes, const std::string& hit_key,
              const std::string& transfer_key) const;
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
    return stopping_ || !queue_.empty();
  }

  Db* const db_;
  const std::unique_ptr<const HmacSha256> beneficiary_mac_;  // null: no key
  std::atomic<uint32_t> sequence_;
  const bool outbox_;
  // No entry below it (trimmed); ReadOutbox starts there.
  std::atomic<uint64_t> outbox_floor_;
  uint64_t next_outbox_;  // the writer thread's
  // Serializes verdicts (read-modify-write of a hit record).
  absl::Mutex outcome_mu_;
  absl::Mutex queue_mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  absl::Mutex observer_mu_;
  WriteObserver write_observer_ ABSL_GUARDED_BY(observer_mu_);
  std::thread writer_;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_HIT_STORE_H_
