// The police blocklist: entities, reports, the audit chain and the list
// version (DESIGN §3). Every mutation is one synced WriteBatch that writes the
// new entity states, the report, one audit record chained by SHA-256 to the
// previous one, and the bumped list version, so a crash leaves either all of
// it or none.
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

namespace fraudgate::store {

class Db;

// Entities found by one Lookup, with the list version they were read at.
struct LookupResult {
  // One entry per requested key, in order; nullopt when not listed.
  std::vector<std::optional<v1::Entity>> entities;
  uint64_t list_version = 0;
};

struct ApplyReportResult {
  bool unchanged = false;     // identical report already stored: no write
  int identifiers_added = 0;  // newly listed or re-activated identifiers
  uint64_t list_version = 0;  // after the write
};

class BlocklistStore {
 public:
  // `db` must outlive this object. Reads the list version and the audit chain
  // head; UNAVAILABLE when the store cannot be read.
  static absl::StatusOr<std::unique_ptr<BlocklistStore>> Open(Db* db);

  // Reads the entities stored under `keys` (core::Identifier::Key()) and the
  // list version, all from one snapshot, with one MultiGet. Entity status is as
  // stored (ACTIVE or DELISTED); expiry is the caller's to evaluate.
  // UNAVAILABLE when any read fails: a failed lookup never looks "not listed".
  absl::StatusOr<LookupResult> Lookup(absl::Span<const std::string> keys) const;

  // One entity; nullopt when the identifier was never listed.
  absl::StatusOr<std::optional<v1::Entity>> GetEntity(
      const std::string& key) const;

  // Stores a validated report whose identifiers are canonical. A report is
  // keyed by (agency, report_id); uploading it again with the same content is
  // a no-op (`unchanged`). Uploading it with more identifiers or changed
  // fields merges: identifiers are the union, the other fields the latest.
  // An identifier that gains this report becomes ACTIVE (re-activating a
  // DELISTED one); every identifier of the report is linked to the others.
  absl::StatusOr<ApplyReportResult> ApplyReport(const v1::Report& report,
                                                const std::string& actor,
                                                absl::Time now);

  // Marks the entity under `key` DELISTED, recording reason, reference and
  // actor in its history and the audit chain. NOT_FOUND when never listed.
  // Delisting a DELISTED entity returns it unchanged without a write.
  absl::StatusOr<v1::Entity> Delist(const std::string& key,
                                    const std::string& reason,
                                    const std::string& reference,
                                    const std::string& actor, absl::Time now);

  // The list version of the last committed mutation.
  uint64_t list_version() const { return list_version_.load(); }

  // Audit records with sequence >= `from`, at most `limit`, in order.
  absl::StatusOr<std::vector<v1::AuditRecord>> ReadAudit(uint64_t from,
                                                         size_t limit) const;

 private:
  explicit BlocklistStore(Db* db) : db_(db) {}

  // Appends `record` (sequence, list_version and chain hash filled in here) to
  // `batch`-building state and commits entity/report puts with it.
  struct Mutation;
  absl::Status Commit(Mutation& mutation) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Db* const db_;
  absl::Mutex mu_;
  std::atomic<uint64_t> list_version_{0};
  uint64_t next_audit_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  std::string last_audit_sha256_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_BLOCKLIST_STORE_H_
