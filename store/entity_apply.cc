#include "store/entity_apply.h"

#include <algorithm>

#include "core/text.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/proto_time.h"

namespace fraudgate::store {
namespace {

bool SameIdentifier(const v1::Identifier& a, const v1::Identifier& b) {
  return a.kind() == b.kind() && a.issuer() == b.issuer() &&
         a.value() == b.value();
}

template <typename Container>
bool ContainsIdentifier(const Container& c, const v1::Identifier& id) {
  return std::any_of(c.begin(), c.end(), [&](const v1::Identifier& x) {
    return SameIdentifier(x, id);
  });
}

void AddEvent(const std::string& action, const std::string& actor,
              const std::string& reason, absl::Time now, v1::Entity* entity) {
  v1::EntityEvent* event = entity->add_history();
  *event->mutable_at() = ToProtoTime(now);
  event->set_action(action);
  event->set_actor(actor);
  event->set_reason(reason);
}

}  // namespace

v1::Report MergeReport(const v1::Report& stored, const v1::Report& incoming) {
  v1::Report merged = incoming;
  merged.clear_identifiers();
  for (const auto& id : stored.identifiers()) *merged.add_identifiers() = id;
  for (const auto& id : incoming.identifiers()) {
    if (!ContainsIdentifier(merged.identifiers(), id)) {
      *merged.add_identifiers() = id;
    }
  }
  return merged;
}

absl::StatusOr<bool> AcceptReport(const v1::StoredReport* stored,
                                  const v1::Report& incoming,
                                  const std::string& actor, absl::Time now,
                                  v1::StoredReport* record) {
  record->Clear();
  if (stored == nullptr) {
    *record->mutable_report() = incoming;
    record->set_uploaded_by(actor);
    *record->mutable_uploaded_at() = ToProtoTime(now);
    return true;
  }
  if (stored->withdrawn()) {
    return absl::FailedPreconditionError(core::StrCat(
        "report_id: report ", incoming.report_id(), " of ", incoming.agency(),
        " was withdrawn; upload it under a new report_id"));
  }
  *record->mutable_report() = MergeReport(stored->report(), incoming);
  if (google::protobuf::util::MessageDifferencer::Equals(record->report(),
                                                         stored->report())) {
    return false;
  }
  record->set_uploaded_by(stored->uploaded_by());
  *record->mutable_uploaded_at() = stored->uploaded_at();
  return true;
}

v1::AuditRecord ReportAcceptedAudit(const v1::Report& report,
                                    const std::string& actor, absl::Time now) {
  v1::AuditRecord audit;
  audit.set_action("REPORT_ACCEPTED");
  *audit.mutable_at() = ToProtoTime(now);
  audit.set_actor(actor);
  audit.set_agency(report.agency());
  audit.set_report_id(report.report_id());
  *audit.mutable_identifiers() = report.identifiers();
  return audit;
}

v1::ReportRef ReportRefOf(const v1::Report& r, const std::string& actor,
                          absl::Time now) {
  v1::ReportRef ref;
  ref.set_report_id(r.report_id());
  ref.set_agency(r.agency());
  ref.set_category(r.category());
  ref.set_confidence(r.confidence());
  *ref.mutable_reported_at() = r.reported_at();
  if (r.has_expires_at()) *ref.mutable_expires_at() = r.expires_at();
  ref.set_uploaded_by(actor);
  *ref.mutable_uploaded_at() = ToProtoTime(now);
  return ref;
}

bool ApplyReportToEntity(const v1::Report& report, const v1::Identifier& id,
                         const std::string& actor, absl::Time now,
                         v1::Entity* entity) {
  const bool existed = entity->has_identifier();
  const bool was_listed = existed && entity->status() == v1::ACTIVE;
  *entity->mutable_identifier() = id;
  const v1::ReportRef ref = ReportRefOf(report, actor, now);
  auto it = std::find_if(
      entity->mutable_reports()->begin(), entity->mutable_reports()->end(),
      [&](const v1::ReportRef& r) {
        return r.agency() == ref.agency() && r.report_id() == ref.report_id();
      });
  bool listed_now = false;
  if (it == entity->mutable_reports()->end()) {
    *entity->add_reports() = ref;
    entity->set_status(v1::ACTIVE);
    AddEvent("REPORTED", actor,
             core::StrCat(ref.agency(), " ", ref.report_id()), now, entity);
    listed_now = !was_listed;
  } else {
    // A corrected upload of the same report: keep who first uploaded it.
    v1::ReportRef updated = ref;
    updated.set_uploaded_by(it->uploaded_by());
    *updated.mutable_uploaded_at() = it->uploaded_at();
    *it = std::move(updated);
  }
  for (const auto& other : report.identifiers()) {
    if (SameIdentifier(other, id) || entity->linked_size() >= kMaxLinked ||
        ContainsIdentifier(entity->linked(), other)) {
      continue;
    }
    *entity->add_linked() = other;
  }
  absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
  for (const auto& r : entity->reports()) {
    first = std::min(first, FromProtoTime(r.reported_at()));
    last = std::max(last, FromProtoTime(r.reported_at()));
  }
  *entity->mutable_first_reported_at() = ToProtoTime(first);
  *entity->mutable_last_reported_at() = ToProtoTime(last);
  return listed_now;
}

bool ApplyDelist(const std::string& reason, const std::string& reference,
                 const std::string& actor, absl::Time now, v1::Entity* entity) {
  if (entity->status() == v1::DELISTED) return false;
  entity->set_status(v1::DELISTED);
  AddEvent("DELISTED", actor, core::StrCat(reason, " (ref ", reference, ")"),
           now, entity);
  return true;
}

bool ApplyWithdraw(const std::string& agency, const std::string& report_id,
                   const std::string& reason, const std::string& reference,
                   const std::string& actor, absl::Time now,
                   v1::Entity* entity) {
  for (v1::ReportRef& r : *entity->mutable_reports()) {
    if (r.agency() == agency && r.report_id() == report_id) {
      r.set_withdrawn(true);
    }
  }
  AddEvent("WITHDRAWN", actor,
           core::StrCat(agency, " ", report_id, ": ", reason, " (ref ",
                        reference, ")"),
           now, entity);
  if (HasLiveReport(*entity) || entity->status() == v1::DELISTED) return false;
  entity->set_status(v1::DELISTED);
  return true;
}

bool HasLiveReport(const v1::Entity& entity) {
  return std::any_of(entity.reports().begin(), entity.reports().end(),
                     [](const v1::ReportRef& r) { return !r.withdrawn(); });
}

}  // namespace fraudgate::store
