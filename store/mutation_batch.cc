#include "store/mutation_batch.h"

#include <openssl/sha.h>

#include "store/keys.h"

namespace fraudgate::store {

v1::Entity* MutationBatch::StageEntity(const std::string& key,
                                       v1::Entity stored) {
  auto [it, inserted] = entity_index.emplace(key, entities.size());
  if (!inserted) return entities[it->second].second;
  counts_before.Add(stored);
  auto* staged = google::protobuf::Arena::CreateMessage<v1::Entity>(&arena);
  // Across arenas a move is a copy; an empty entity costs nothing.
  *staged = std::move(stored);
  entities.emplace_back(key, staged);
  return staged;
}

v1::Entity* MutationBatch::MutableEntity(const std::string& key) {
  auto it = entity_index.find(key);
  return it == entity_index.end() ? nullptr : entities[it->second].second;
}

void MutationBatch::PutReport(const std::string& key, v1::StoredReport report) {
  auto [it, inserted] = report_index.emplace(key, reports.size());
  if (inserted) {
    reports.emplace_back(key, std::move(report));
  } else {
    reports[it->second].second = std::move(report);
  }
}

const v1::StoredReport* MutationBatch::FindReport(const std::string& key) {
  auto it = report_index.find(key);
  return it == report_index.end() ? nullptr : &reports[it->second].second;
}

std::string Sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

SealedAudits SealAudits(std::vector<v1::AuditRecord>& audits,
                        uint64_t first_sequence, std::string prev_sha256,
                        uint64_t list_version) {
  SealedAudits sealed;
  uint64_t sequence = first_sequence;
  for (v1::AuditRecord& audit : audits) {
    audit.set_sequence(sequence);
    audit.set_list_version(list_version);
    audit.set_prev_sha256(prev_sha256);
    std::string bytes = audit.SerializeAsString();
    prev_sha256 = Sha256(bytes);
    sealed.records.emplace_back(AuditKey(sequence), std::move(bytes));
    ++sequence;
  }
  sealed.next_sequence = sequence;
  sealed.head_sha256 = std::move(prev_sha256);
  return sealed;
}

}  // namespace fraudgate::store
