#include "service/history.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/status_macros.h"
#include "proto/proto_time.h"
#include "service/convert.h"
#include "service/validation.h"

namespace fraudgate::service {
namespace {

absl::StatusOr<store::HitQuery> QueryOf(const v1::QueryHitsRequest& r) {
  store::HitQuery q;
  if (r.has_identifier()) {
    ASSIGN_OR_RETURN(core::Identifier id,
                     NormalizeProto(r.identifier(), "identifier"));
    q.identifier_key = id.Key();
  }
  if (r.has_from()) {
    ASSIGN_OR_RETURN(q.from, TimeFromProto(r.from(), "from"));
  }
  if (r.has_to()) {
    ASSIGN_OR_RETURN(q.to, TimeFromProto(r.to(), "to"));
  }
  if (q.from >= q.to) {
    return absl::InvalidArgumentError("from: must be before to");
  }
  for (int d : r.decisions()) {
    if (d == v1::DECISION_UNSPECIFIED || !v1::Decision_IsValid(d)) {
      return absl::InvalidArgumentError("decisions: unknown decision");
    }
    q.decisions.push_back(static_cast<v1::Decision>(d));
  }
  if (r.min_score() < 0 || r.min_score() > 100) {
    return absl::InvalidArgumentError("min_score: must be 0..100");
  }
  q.min_score = r.min_score();
  if (r.page_size() < 0 || r.page_size() > 1000) {
    return absl::InvalidArgumentError("page_size: must be 0..1000");
  }
  q.page_size = r.page_size() == 0 ? 100 : r.page_size();
  q.page_token = r.page_token();
  return q;
}

v1::QueryHitsResponse ResponseOf(store::HitPage page) {
  v1::QueryHitsResponse response;
  for (v1::HitRecord& record : page.hits) {
    *response.add_hits() = std::move(*record.mutable_hit());
  }
  response.set_next_page_token(std::move(page.next_page_token));
  return response;
}

constexpr v1::Decision kDecisions[] = {v1::DECISION_ALLOW, v1::DECISION_WARN,
                                       v1::DECISION_HOLD, v1::DECISION_BLOCK};

void AddDecisionCounts(
    const std::array<int64_t, 5>& counts,
    google::protobuf::RepeatedPtrField<v1::DecisionCount>* out) {
  for (v1::Decision d : kDecisions) {
    v1::DecisionCount* count = out->Add();
    count->set_decision(d);
    count->set_count(counts[d]);
  }
}

}  // namespace

absl::TimeZone StatsTimeZone() {
  static const absl::TimeZone* zone =
      new absl::TimeZone(absl::FixedTimeZone(7 * 3600));
  return *zone;
}

absl::StatusOr<v1::QueryHitsResponse> History::QueryHits(
    const v1::QueryHitsRequest& request) const {
  ASSIGN_OR_RETURN(store::HitQuery query, QueryOf(request));
  ASSIGN_OR_RETURN(store::HitPage page, store_->hits().Query(query));
  return ResponseOf(std::move(page));
}

absl::StatusOr<v1::Hit> History::GetHit(
    const v1::GetHitRequest& request) const {
  ASSIGN_OR_RETURN(std::optional<v1::HitRecord> record,
                   store_->hits().Get(request.hit_id()));
  if (!record) return absl::NotFoundError("hit_id: no such hit");
  return std::move(*record->mutable_hit());
}

absl::StatusOr<v1::Hit> History::RecordOutcome(
    const v1::RecordOutcomeRequest& request, const std::string& caller) {
  if (request.outcome() == v1::OUTCOME_UNSPECIFIED ||
      !v1::Outcome_IsValid(request.outcome())) {
    return Invalid("outcome",
                   "required: CONFIRMED_FRAUD, FALSE_POSITIVE, "
                   "CUSTOMER_ABORTED or CUSTOMER_PROCEEDED");
  }
  RETURN_IF_ERROR(CheckText("note", request.note(), 2000));
  ASSIGN_OR_RETURN(
      v1::HitRecord record,
      store_->hits().RecordOutcome(request.hit_id(), request.outcome(),
                                   request.note(), caller, clock_()));
  return std::move(*record.mutable_hit());
}

absl::StatusOr<v1::HitStatsResponse> History::HitStats(
    const v1::HitStatsRequest& request) const {
  absl::Time to = clock_();
  if (request.has_to()) {
    ASSIGN_OR_RETURN(to, TimeFromProto(request.to(), "to"));
  }
  absl::Time from = to - absl::Hours(24);
  if (request.has_from()) {
    ASSIGN_OR_RETURN(from, TimeFromProto(request.from(), "from"));
  }
  if (from >= to) return Invalid("from", "must be before to");
  if (request.top_n() < 0 || request.top_n() > 1000) {
    return Invalid("top_n", "must be 0..1000");
  }
  const size_t top_n = request.top_n() == 0 ? 10 : request.top_n();
  ASSIGN_OR_RETURN(
      store::HitStore::Stats counted,
      store_->hits().CountHits(from, to, kMaxStatsScanned, StatsTimeZone()));
  v1::HitStatsResponse response;
  AddDecisionCounts(counted.by_decision, response.mutable_by_decision());
  for (const auto& [day, counts] : counted.by_day) {
    v1::DayCount* entry = response.add_by_day();
    entry->set_day(absl::FormatCivilTime(day));
    AddDecisionCounts(counts, entry->mutable_by_decision());
  }
  std::vector<std::pair<std::string, store::HitStore::Stats::IdentifierHits>>
      ranked(counted.by_identifier.begin(), counted.by_identifier.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second.hits != b.second.hits ? a.second.hits > b.second.hits
                                          : a.first < b.first;
  });
  if (ranked.size() > top_n) ranked.resize(top_n);
  for (auto& [key, entry] : ranked) {
    v1::IdentifierCount* top = response.add_top_identifiers();
    *top->mutable_identifier() = std::move(entry.identifier);
    top->set_hits(entry.hits);
  }
  response.set_screenings(counted.screenings);
  response.set_truncated(counted.truncated);
  return response;
}

absl::StatusOr<v1::QueryHitsResponse> History::FindPastTransfers(
    const v1::FindPastTransfersRequest& request) const {
  if (!request.has_identifier()) return Invalid("identifier", "required");
  ASSIGN_OR_RETURN(core::Identifier id,
                   NormalizeProto(request.identifier(), "identifier"));
  v1::QueryHitsRequest as_query;
  if (request.has_from()) *as_query.mutable_from() = request.from();
  if (request.has_to()) *as_query.mutable_to() = request.to();
  as_query.set_page_size(request.page_size());
  as_query.set_page_token(request.page_token());
  ASSIGN_OR_RETURN(store::HitQuery query, QueryOf(as_query));
  query.beneficiary_key = id.Key();
  ASSIGN_OR_RETURN(store::HitPage page, store_->hits().Query(query));
  v1::QueryHitsResponse response = ResponseOf(std::move(page));
  // Unmatched screenings keep no plain beneficiary: it is the one asked for.
  const v1::Identifier canonical = ToProto(id);
  for (v1::Hit& hit : *response.mutable_hits()) {
    *hit.mutable_beneficiary() = canonical;
  }
  return response;
}

}  // namespace fraudgate::service
