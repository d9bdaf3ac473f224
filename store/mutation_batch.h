// Internal to store/: blocklist mutations staged in memory before they are
// committed, either as one synced WriteBatch (BlocklistStore) or as ingested
// SST files (BulkLoad). Both commit paths seal the audit records with
// SealAudits, so the chain is the same whichever path wrote it.
#ifndef FRAUDGATE_STORE_MUTATION_BATCH_H_
#define FRAUDGATE_STORE_MUTATION_BATCH_H_

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "google/protobuf/arena.h"

namespace fraudgate::store {

struct MutationBatch;

// What the earlier batches of one bulk load staged, serialized (a fraction
// of the memory of the messages): the states that reads of a later batch see
// before the database's.
struct StagedState {
  absl::flat_hash_map<std::string, std::string> entities;  // v1::Entity
  absl::flat_hash_map<std::string, std::string> reports;   // v1::StoredReport
  // Takes `batch`'s entity and report states, replacing older ones.
  void Absorb(const MutationBatch& batch);
};

struct MutationBatch {
  // Staged entities live on this arena: a bulk load stages millions of small
  // strings, and arena allocation (and freeing all at once) is what keeps
  // that from being spent in malloc.
  google::protobuf::Arena arena;
  // Entity and report states after the batch, in first-touched order.
  std::deque<std::pair<std::string, v1::Entity*>> entities;
  absl::flat_hash_map<std::string, size_t> entity_index;
  std::vector<std::pair<std::string, v1::StoredReport>> reports;
  absl::flat_hash_map<std::string, size_t> report_index;
  // One per mutation, in order; sequence, list version and chain hash are
  // filled in by SealAudits.
  std::vector<v1::AuditRecord> audits;
  // States staged before this batch (a bulk load's earlier batches), seen by
  // MutableEntity and FindReport as if staged here; not owned, may be null.
  const StagedState* base = nullptr;

  // Stages `entity` under `key` (replacing a staged one) and returns it.
  v1::Entity* PutEntity(const std::string& key, v1::Entity entity);
  // The staged entity under `key` (here or in `base`), to change in place;
  // nullptr if none.
  v1::Entity* MutableEntity(const std::string& key);
  void PutReport(const std::string& key, v1::StoredReport report);
  // The staged report under `key` (here or in `base`); nullptr if none.
  const v1::StoredReport* FindReport(const std::string& key);
  bool empty() const { return audits.empty(); }
};

// The audit records of a batch, ready to store.
struct SealedAudits {
  std::vector<std::pair<std::string, std::string>> records;  // key, bytes
  uint64_t next_sequence = 0;
  std::string head_sha256;  // SHA-256 of the last record's bytes
};

// Numbers `audits` from `first_sequence`, stamps `list_version`, and chains
// each to the previous record's hash, starting from `prev_sha256`.
SealedAudits SealAudits(std::vector<v1::AuditRecord>& audits,
                        uint64_t first_sequence, std::string prev_sha256,
                        uint64_t list_version);

// SHA-256 of `bytes`, as 32 raw bytes.
std::string Sha256(std::string_view bytes);

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_MUTATION_BATCH_H_
