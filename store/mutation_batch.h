// Internal to store/: blocklist mutations staged in memory before
// BlocklistStore commits them as one synced WriteBatch, and the sealing of
// audit records, which BulkLoad shares, so the chain is the same whichever
// path wrote it.
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
#include "store/list_counts.h"

namespace fraudgate::store {

struct MutationBatch {
  // Staged entities live on this arena: allocated and freed all at once.
  google::protobuf::Arena arena;
  // Entity and report states after the batch, in first-touched order.
  std::deque<std::pair<std::string, v1::Entity*>> entities;
  absl::flat_hash_map<std::string, size_t> entity_index;
  // The staged entities as they were before the batch.
  ListCounts counts_before;
  std::vector<std::pair<std::string, v1::StoredReport>> reports;
  absl::flat_hash_map<std::string, size_t> report_index;
  // One per mutation, in order; sequence, list version and chain hash are
  // filled in by SealAudits.
  std::vector<v1::AuditRecord> audits;

  // Stages `stored`, the state under `key` before the batch (an empty entity
  // when never listed), and returns it to change in place. When `key` is
  // staged already, returns the staged entity and ignores `stored`.
  v1::Entity* StageEntity(const std::string& key, v1::Entity stored);
  // The staged entity under `key`, to change in place; nullptr if none.
  v1::Entity* MutableEntity(const std::string& key);
  void PutReport(const std::string& key, v1::StoredReport report);
  // The staged report under `key`; nullptr if none.
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
