// The blocklist's state transitions (DESIGN §3): how one event — a report
// accepted, an entity delisted, a report withdrawn — changes the stored
// records. Pure functions on the record messages, shared by the online store
// (BlocklistStore) and the offline bulk loader, so both build identical
// records from the same events.
#ifndef FRAUDGATE_STORE_ENTITY_APPLY_H_
#define FRAUDGATE_STORE_ENTITY_APPLY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"

namespace fraudgate::store {

// Linked identifiers kept per entity: enough to investigate, bounded so that a
// report naming thousands of accounts cannot bloat every entity.
inline constexpr int kMaxLinked = 64;

// The report as it is kept after `incoming` arrives for an already stored
// `stored` report with the same key: identifiers are the union (stored ones
// first, in order), every other field is taken from `incoming`.
v1::Report MergeReport(const v1::Report& stored, const v1::Report& incoming);

// Uploading `incoming` (validated, canonical identifiers) by `actor` at `now`
// over `stored`, the record kept under the report's key (nullptr when none).
// Returns true and sets `*record` (cleared first) to the record to keep (its
// report merged as MergeReport; the first uploader kept) when the report
// changes; false when it is identical to the stored one (`*record` then
// undefined);
// FAILED_PRECONDITION, naming report_id, when the stored report was
// withdrawn. `record` may be on an arena and must not alias `stored`.
absl::StatusOr<bool> AcceptReport(const v1::StoredReport* stored,
                                  const v1::Report& incoming,
                                  const std::string& actor, absl::Time now,
                                  v1::StoredReport* record);

// The audit record of accepting `report` (the merged one), before sealing.
v1::AuditRecord ReportAcceptedAudit(const v1::Report& report,
                                    const std::string& actor, absl::Time now);

// The reference an entity keeps to `report`.
v1::ReportRef ReportRefOf(const v1::Report& report, const std::string& actor,
                          absl::Time now);

// Applies the accepted (merged) `report` to `entity`, the state of identifier
// `id` (an empty message when it was never listed). Adds or updates the
// report's ReportRef (an update keeps the first uploader), links the report's
// other identifiers, recomputes first/last_reported_at, and, when the
// reference is new, makes the entity ACTIVE and appends a REPORTED event.
// Returns true when the identifier became listed: new, or re-activated.
bool ApplyReportToEntity(const v1::Report& report, const v1::Identifier& id,
                         const std::string& actor, absl::Time now,
                         v1::Entity* entity);

// Marks `entity` DELISTED with a DELISTED event. Returns false (and changes
// nothing) when it already was.
bool ApplyDelist(const std::string& reason, const std::string& reference,
                 const std::string& actor, absl::Time now, v1::Entity* entity);

// Marks the entity's reference to (agency, report_id) withdrawn with a
// WITHDRAWN event; an entity left with no live (not withdrawn) reference
// becomes DELISTED. Returns true when it was delisted by this.
bool ApplyWithdraw(const std::string& agency, const std::string& report_id,
                   const std::string& reason, const std::string& reference,
                   const std::string& actor, absl::Time now,
                   v1::Entity* entity);

// True when `entity` has a reference that is not withdrawn.
bool HasLiveReport(const v1::Entity& entity);

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_ENTITY_APPLY_H_
