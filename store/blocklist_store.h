// The police blocklist: entities, reports, the audit chain and the list
// version (DESIGN §3). Every committed batch of mutations is one synced
// WriteBatch that writes the new entity states, the reports, one audit record
// per mutation chained by SHA-256 to the previous one, and the list version
// bumped by one, so a crash leaves either all of it or none. The state
// transitions themselves are store/entity_apply.h.
//
// Thread safety: all methods are thread-safe. Mutations are serialized by an
// internal mutex (police writes are rare); lookups take no lock.
#ifndef FRAUDGATE_STORE_BLOCKLIST_STORE_H_
#define FRAUDGATE_STORE_BLOCKLIST_STORE_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "store/list_counts.h"

namespace fraudgate::store {

class Db;
class BulkLoad;
struct MutationBatch;
struct SealedAudits;

// Entities found by one Lookup, with the list version they were read at.
struct LookupResult {
  // One entry per requested key, in order; nullopt when not listed.
  std::vector<std::optional<v1::Entity>> entities;
  uint64_t list_version = 0;
};

struct ApplyReportResult {
  // Not OK when this report was refused without failing the batch:
  // FAILED_PRECONDITION for a report that was withdrawn.
  absl::Status status;
  bool unchanged = false;  // identical report already stored: no write
  // Identifiers (canonical) newly listed or re-activated by this report.
  std::vector<v1::Identifier> identifiers_added;
  uint64_t list_version = 0;  // after the write
};

struct WithdrawResult {
  bool unchanged = false;                    // the report was already withdrawn
  std::vector<v1::Identifier> delisted;      // lost their last live report
  std::vector<v1::Identifier> still_listed;  // listed through other reports
  uint64_t list_version = 0;
};

// What Apply did with one event.
struct EventResult {
  // Not OK when the event was refused with nothing changed: NOT_FOUND for a
  // delisting of an identifier never listed or a withdrawal of a report not
  // stored.
  absl::Status status;
  std::vector<ApplyReportResult> reports;  // upload: one per report, in order
  WithdrawResult withdraw;                 // withdraw
  v1::Entity entity;                       // delist: the entity after it
  uint64_t list_version = 0;               // after the event
};

// What VerifyAudit found.
struct AuditCheck {
  uint64_t records = 0;
  uint64_t last_sequence = 0;
  uint64_t list_version = 0;  // as stored in meta
  bool ok = true;
  // When !ok: the sequence (key) of the first record that does not verify,
  // and why.
  uint64_t broken_at = 0;
  std::string problem;
};

class BlocklistStore {
 public:
  // `db` must outlive this object. Reads the list version, the audit chain
  // head and the entity counts (counting the entities, and storing the
  // counts, when a build that did not keep counts wrote the store last;
  // not when `db` is read-only); UNAVAILABLE when the store cannot be read
  // or written, DATA_LOSS when meta is unreadable.
  static absl::StatusOr<std::unique_ptr<BlocklistStore>> Open(Db* db);

  // Reads the entities stored under `keys` (core::Identifier::Key()) with one
  // MultiGet, and the list version they are at: no commit lands between the
  // two (the reads are retried when one did, and made from one snapshot when
  // commits keep landing). Entity status is as stored (ACTIVE or DELISTED);
  // expiry is the caller's to evaluate. UNAVAILABLE when any read fails: a
  // failed lookup never looks "not listed".
  absl::StatusOr<LookupResult> Lookup(absl::Span<const std::string> keys) const;

  // One entity; nullopt when the identifier was never listed.
  absl::StatusOr<std::optional<v1::Entity>> GetEntity(
      const std::string& key) const;

  // Applies one mutation event as one synced batch (ListEvent in
  // storage.proto; the event's actor and time are recorded, never the
  // clock's). Every mutation of the blocklist goes through here.
  //
  // `stream_sequence` 0 (a single node): the list version goes up by one when
  // the event changes anything. `stream_sequence` > 0 (a cluster node
  // applying FRAUDGATE_LIST in stream order): the list version and the
  // stream position become `stream_sequence`, in the same batch, whether or
  // not the event changes anything (so the list version is the same on
  // every node that applied the same events, DESIGN §9).
  // FAILED_PRECONDITION, with nothing written, for a sequence at or before
  // the stream position, for a sequence on a store whose list was written
  // outside a cluster (list version > 0 and no stream position), and for 0 on
  // a cluster node's store. INVALID_ARGUMENT for an event without a mutation;
  // DATA_LOSS for stored records that cannot be read or do not agree.
  // A store failure (UNAVAILABLE) writes nothing: apply the event again.
  absl::StatusOr<EventResult> Apply(const v1::ListEvent& event,
                                    uint64_t stream_sequence = 0);

  // The sequence of the last FRAUDGATE_LIST event applied; 0 on a single
  // node's store.
  uint64_t stream_position() const { return stream_position_.load(); }

  // The following build the event and Apply it on a single node.

  // Stores validated reports whose identifiers are canonical and distinct, in
  // order, as one synced batch (group commit): one list version bump for the
  // batch, one audit record per stored report. A report is keyed by (agency,
  // report_id); uploading it again with the same content is a no-op
  // (`unchanged`). Uploading it with more identifiers or changed fields
  // merges: identifiers are the union, the other fields the latest. An
  // identifier that gains a report becomes ACTIVE (re-activating a DELISTED
  // one); every identifier of a report is linked to the others. A withdrawn
  // report cannot be uploaded again (its result's status is
  // FAILED_PRECONDITION). A store failure fails the whole batch: nothing of it
  // is stored.
  absl::StatusOr<std::vector<ApplyReportResult>> ApplyReports(
      absl::Span<const v1::Report> reports, const std::string& actor,
      absl::Time now);

  // ApplyReports of one report.
  absl::StatusOr<ApplyReportResult> ApplyReport(const v1::Report& report,
                                                const std::string& actor,
                                                absl::Time now);

  // Withdraws report (agency, report_id): its references are kept but marked
  // withdrawn, identifiers left without a live report become DELISTED, and
  // the stored report records who withdrew it, why and the police document.
  // NOT_FOUND for an unknown report; `unchanged` when already withdrawn.
  absl::StatusOr<WithdrawResult> WithdrawReport(const std::string& agency,
                                                const std::string& report_id,
                                                const std::string& reason,
                                                const std::string& reference,
                                                const std::string& actor,
                                                absl::Time now);

  // Marks the entity of `canonical` DELISTED, recording reason, reference and
  // actor in its history and the audit chain. NOT_FOUND when never listed.
  // Delisting a DELISTED entity returns it unchanged without a write.
  absl::StatusOr<v1::Entity> Delist(const v1::Identifier& canonical,
                                    const std::string& reason,
                                    const std::string& reference,
                                    const std::string& actor, absl::Time now);

  // The list version of the last committed mutation.
  uint64_t list_version() const { return list_version_.load(); }

  // The stored identifiers by kind and status, as of the last committed
  // mutation; all zero in a store opened read-only that was written by a
  // build that did not keep counts. Does not wait for a commit in progress.
  ListCounts Counts() const;

  // Audit records with sequence >= `from`, at most `limit`, in order.
  absl::StatusOr<std::vector<v1::AuditRecord>> ReadAudit(uint64_t from,
                                                         size_t limit) const;

  // Walks the whole audit chain, from one snapshot: keys are 1, 2, 3...
  // without gaps; each record parses, carries its own key as sequence, and
  // holds the SHA-256 of the previous record's stored bytes (zeros for the
  // first); list versions never go down; the last record's list version is
  // the stored list version; and the chain head kept in `meta` (last sequence
  // and SHA-256 of the last record, written in the same batch as the records)
  // matches the last record (on a cluster node, whose list version is its
  // stream position, the last record's is at most that). An edited, deleted,
  // inserted or reordered record breaks one of these. UNAVAILABLE when the
  // chain cannot be read.
  absl::StatusOr<AuditCheck> VerifyAudit() const;

 private:
  explicit BlocklistStore(Db* db) : db_(db) {}

  friend class BulkLoad;

  // The entities under `keys`, staged in `batch` (read from the database,
  // or empty for a new identifier, when not staged yet), to change in place.
  absl::StatusOr<std::vector<v1::Entity*>> StageEntities(
      MutationBatch& batch, const std::vector<std::string>& keys) const;
  // Stages `reports` into `batch` (see ApplyReports); reads see the batch
  // before the database. Writes nothing.
  absl::StatusOr<std::vector<ApplyReportResult>> StageReports(
      MutationBatch& batch,
      const google::protobuf::RepeatedPtrField<v1::Report>& reports,
      const std::string& actor, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stage a delisting and a withdrawal (see Delist and WithdrawReport) into
  // `batch`, setting the entity or withdraw part of `result`, or its status
  // when refused.
  absl::Status StageDelist(MutationBatch& batch,
                           const v1::ListEvent::Delist& delist,
                           const std::string& actor, absl::Time now,
                           EventResult& result) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StageWithdraw(MutationBatch& batch,
                             const v1::ListEvent::Withdraw& withdraw,
                             const std::string& actor, absl::Time now,
                             EventResult& result) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The report record stored under `key`; nullopt when none.
  absl::StatusOr<std::optional<v1::StoredReport>> ReadReport(
      const std::string& key) const;
  // Writes `batch` with its audit records chained on, synced, at the next
  // list version, or at `stream_sequence` (also the new stream position,
  // written even when the batch is empty) when not 0.
  absl::Status Commit(MutationBatch& batch, uint64_t stream_sequence)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Advances the chain head, list version and counts after a commit.
  void Committed(SealedAudits& sealed, uint64_t version,
                 const ListCounts& counts) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads the counts from meta; counts the entities and stores the counts
  // when meta has none.
  absl::Status LoadCounts();
  // Lookup's reads without a snapshot, with list_version_ as the version;
  // nullopt when a commit ran meanwhile.
  std::optional<absl::StatusOr<LookupResult>> LookupBetweenCommits(
      absl::Span<const std::string> keys) const;
  // Lookup's reads and the stored list version from one snapshot.
  absl::StatusOr<LookupResult> LookupInSnapshot(
      absl::Span<const std::string> keys) const;

  // Held by a commit from before its write until list_version_ is set:
  // commits_ is odd meanwhile, and one more at the end (a sequence lock,
  // so that Lookup needs neither a snapshot nor a read of the version).
  class CommitWindow {
   public:
    explicit CommitWindow(std::atomic<uint64_t>& commits) : commits_(commits) {
      commits_.fetch_add(1);
    }
    ~CommitWindow() { commits_.fetch_add(1); }
    CommitWindow(const CommitWindow&) = delete;
    CommitWindow& operator=(const CommitWindow&) = delete;

   private:
    std::atomic<uint64_t>& commits_;
  };

  Db* const db_;
  absl::Mutex mu_;
  std::atomic<uint64_t> list_version_{0};
  // Commits begun and ended (CommitWindow).
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> stream_position_{0};
  uint64_t next_audit_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  std::string last_audit_sha256_ ABSL_GUARDED_BY(mu_);
  // Apart from mu_, so that Counts() does not wait for a commit.
  mutable absl::Mutex counts_mu_;
  ListCounts counts_ ABSL_GUARDED_BY(counts_mu_);
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_BLOCKLIST_STORE_H_
