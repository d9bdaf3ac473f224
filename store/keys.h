// Key encodings of the column families (DESIGN §3). Internal to store/.
#ifndef FRAUDGATE_STORE_KEYS_H_
#define FRAUDGATE_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"

namespace fraudgate::store {

inline constexpr std::string_view kListVersionKey = "list_version";
// `meta` key of the audit chain head: the big-endian sequence of the last
// audit record, then the SHA-256 of its stored bytes (40 bytes). Written in
// the same batch as the records, so something outside the chain commits to
// its last record: VerifyAudit checks it, and new records chain onto it.
inline constexpr std::string_view kAuditHeadKey = "audit_head";
inline constexpr size_t kAuditHeadSize = 40;
// `meta` key of the entity counts (v1::ListCounts).
inline constexpr std::string_view kListCountsKey = "list_counts";
// `meta` key of a cluster node's stream position: the big-endian sequence of
// the last FRAUDGATE_LIST event applied (BlocklistStore::Apply), written in
// the same batch as what the event changed. Absent on a single node.
inline constexpr std::string_view kStreamPositionKey = "stream_position";
// `meta` key of a history node's FRAUDGATE_HITS position: the big-endian
// sequence of the last screening record of other nodes stored
// (HitStore::PutReplicated), written in the same batch as the records.
inline constexpr std::string_view kHitsStreamPositionKey =
    "hits_stream_position";

// Hit keys are 12 bytes: big-endian microseconds since the epoch, then a
// big-endian 32-bit sequence, so `hits` iterates in time order.
inline constexpr size_t kHitKeySize = 12;

// Size of the keyed hash (HMAC-SHA256) that starts a `hits_by_beneficiary`
// key.
inline constexpr size_t kBeneficiaryHashSize = 32;

std::string BigEndian64(uint64_t v);
uint64_t ReadBigEndian64(std::string_view bytes);  // bytes.size() >= 8

// The `entities` key of a canonical identifier (core::Identifier::Key()).
std::string EntityKey(const v1::Identifier& canonical);

// `reports` key: agency, 0x1F, report_id.
std::string ReportKey(std::string_view agency, std::string_view report_id);
// `audit` key.
std::string AuditKey(uint64_t sequence);

std::string HitKey(absl::Time at, uint32_t sequence);
absl::Time HitKeyTime(std::string_view hit_key);
// The public hit id is the hit key in lower-case hex (24 characters).
std::string HitIdFromKey(std::string_view hit_key);
std::optional<std::string> HitKeyFromId(std::string_view hit_id);

// `hits_by_identifier` key: identifier key, 0x00, the hit key with every bit
// inverted (so the newest hit of an identifier comes first).
std::string IdentifierIndexPrefix(std::string_view identifier_key);
std::string IdentifierIndexKey(std::string_view identifier_key,
                               std::string_view hit_key);
// The hit key of an identifier index key with the given prefix.
std::string HitKeyFromIdentifierIndex(std::string_view index_key,
                                      size_t prefix_size);

// `hits_by_transfer` key: caller, 0x00, transfer_id.
std::string TransferKey(std::string_view caller, std::string_view transfer_id);

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_KEYS_H_
