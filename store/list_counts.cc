#include "store/list_counts.h"

#include "fraudgate/v1/storage.pb.h"

namespace fraudgate::store {

void ListCounts::Add(const v1::Entity& entity, int64_t times) {
  if (!entity.has_identifier() ||
      !v1::IdentifierKind_IsValid(entity.identifier().kind()) ||
      !v1::EntityStatus_IsValid(entity.status())) {
    return;
  }
  counts_[Index(entity.identifier().kind(), entity.status())] += times;
}

void ListCounts::Add(const ListCounts& other, int64_t times) {
  for (size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i] * times;
  }
}

int64_t ListCounts::Get(v1::IdentifierKind kind,
                        v1::EntityStatus status) const {
  return counts_[Index(kind, status)];
}

std::string ListCounts::Encode(uint64_t list_version) const {
  v1::ListCounts message;
  message.set_list_version(list_version);
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    v1::ListCounts::Count* count = message.add_counts();
    count->set_kind(static_cast<v1::IdentifierKind>(i / kStatuses));
    count->set_status(static_cast<v1::EntityStatus>(i % kStatuses));
    count->set_count(counts_[i]);
  }
  return message.SerializeAsString();
}

absl::StatusOr<std::pair<ListCounts, uint64_t>> ListCounts::Decode(
    std::string_view bytes) {
  v1::ListCounts message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("store: unreadable meta list_counts");
  }
  ListCounts counts;
  for (const v1::ListCounts::Count& count : message.counts()) {
    // Written by a build that knows more kinds or statuses: left out, as
    // Add leaves out such entities.
    if (!v1::IdentifierKind_IsValid(count.kind()) ||
        !v1::EntityStatus_IsValid(count.status())) {
      continue;
    }
    counts.counts_[Index(count.kind(), count.status())] += count.count();
  }
  return std::make_pair(counts, message.list_version());
}

}  // namespace fraudgate::store
