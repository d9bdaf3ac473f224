// The size of the blocklist: how many identifiers the store holds, by kind
// and stored status (ACTIVE or DELISTED). Expiry is decided when an entity is
// read, so an expired entity counts under its stored status.
//
// Thread safety: a value type; not synchronized.
#ifndef FRAUDGATE_STORE_LIST_COUNTS_H_
#define FRAUDGATE_STORE_LIST_COUNTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "fraudgate/v1/fraudgate.pb.h"

namespace fraudgate::store {

class ListCounts {
 public:
  // Counts `entity` `times` times (negative to uncount) under its
  // identifier's kind and its status. An entity without an identifier (one
  // never listed), or with a kind or status this build does not know, counts
  // nowhere.
  void Add(const v1::Entity& entity, int64_t times = 1);
  // Adds every count of `other`, `times` times.
  void Add(const ListCounts& other, int64_t times = 1);

  int64_t Get(v1::IdentifierKind kind, v1::EntityStatus status) const;

  // The `meta` value (v1::ListCounts) of these counts at `list_version`;
  // zero counts are left out.
  std::string Encode(uint64_t list_version) const;
  // The counts in `bytes` and the list version they are of (counts of kinds
  // or statuses this build does not know are left out); DATA_LOSS when
  // `bytes` is not a ListCounts.
  static absl::StatusOr<std::pair<ListCounts, uint64_t>> Decode(
      std::string_view bytes);

  friend bool operator==(const ListCounts&, const ListCounts&) = default;

 private:
  static constexpr int kStatuses = v1::EntityStatus_ARRAYSIZE;
  static size_t Index(v1::IdentifierKind kind, v1::EntityStatus status) {
    return static_cast<size_t>(kind) * kStatuses + static_cast<size_t>(status);
  }

  std::array<int64_t, v1::IdentifierKind_ARRAYSIZE * kStatuses> counts_{};
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_LIST_COUNTS_H_
