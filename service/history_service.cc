#include "service/history_service.h"

#include <algorithm>

#include "core/status_macros.h"
#include "proto/proto_time.h"
#include "service/caller.h"
#include "service/convert.h"
#include "service/grpc_status.h"
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
  if (r.has_from()) q.from = FromProtoTime(r.from());
  if (r.has_to()) q.to = FromProtoTime(r.to());
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

}  // namespace

grpc::ServerUnaryReactor* HistoryService::QueryHits(
    grpc::CallbackServerContext* context, const v1::QueryHitsRequest* request,
    v1::QueryHitsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto page = [&]() -> absl::StatusOr<store::HitPage> {
    ASSIGN_OR_RETURN(store::HitQuery query, QueryOf(*request));
    return store_->hits().Query(query);
  }();
  if (page.ok()) {
    for (v1::HitRecord& record : page->hits) {
      *response->add_hits() = std::move(*record.mutable_hit());
    }
    response->set_next_page_token(page->next_page_token);
  }
  reactor->Finish(ToGrpcStatus(page.status()));
  return reactor;
}

grpc::ServerUnaryReactor* HistoryService::GetHit(
    grpc::CallbackServerContext* context, const v1::GetHitRequest* request,
    v1::Hit* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto hit = store_->hits().Get(request->hit_id());
  if (hit.ok() && !hit->has_value()) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::NOT_FOUND, "hit_id: no such hit"));
    return reactor;
  }
  if (hit.ok()) *response = (*hit)->hit();
  reactor->Finish(ToGrpcStatus(hit.status()));
  return reactor;
}

grpc::ServerUnaryReactor* HistoryService::RecordOutcome(
    grpc::CallbackServerContext* context,
    const v1::RecordOutcomeRequest* request, v1::Hit* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto record = [&]() -> absl::StatusOr<v1::HitRecord> {
    if (request->outcome() == v1::OUTCOME_UNSPECIFIED ||
        !v1::Outcome_IsValid(request->outcome())) {
      return Invalid("outcome",
                     "required: CONFIRMED_FRAUD, FALSE_POSITIVE, "
                     "CUSTOMER_ABORTED or CUSTOMER_PROCEEDED");
    }
    RETURN_IF_ERROR(CheckText("note", request->note(), 2000));
    return store_->hits().RecordOutcome(request->hit_id(), request->outcome(),
                                        request->note(), CallerOf(*context),
                                        clock_());
  }();
  if (record.ok()) *response = record->hit();
  reactor->Finish(ToGrpcStatus(record.status()));
  return reactor;
}

grpc::ServerUnaryReactor* HistoryService::HitStats(
    grpc::CallbackServerContext* context, const v1::HitStatsRequest* request,
    v1::HitStatsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto stats = [&]() -> absl::Status {
    const absl::Time to =
        request->has_to() ? FromProtoTime(request->to()) : clock_();
    const absl::Time from = request->has_from() ? FromProtoTime(request->from())
                                                : to - absl::Hours(24);
    if (from >= to) return Invalid("from", "must be before to");
    if (request->top_n() < 0 || request->top_n() > 1000) {
      return Invalid("top_n", "must be 0..1000");
    }
    const size_t top_n = request->top_n() == 0 ? 10 : request->top_n();
    ASSIGN_OR_RETURN(store::HitStore::Stats counted,
                     store_->hits().CountHits(from, to, kMaxStatsScanned));
    for (v1::Decision d : {v1::DECISION_ALLOW, v1::DECISION_WARN,
                           v1::DECISION_HOLD, v1::DECISION_BLOCK}) {
      v1::DecisionCount* count = response->add_by_decision();
      count->set_decision(d);
      count->set_count(counted.by_decision[d]);
    }
    std::vector<std::pair<std::string, store::HitStore::Stats::IdentifierHits>>
        ranked(counted.by_identifier.begin(), counted.by_identifier.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second.hits != b.second.hits ? a.second.hits > b.second.hits
                                            : a.first < b.first;
    });
    if (ranked.size() > top_n) ranked.resize(top_n);
    for (auto& [key, entry] : ranked) {
      v1::IdentifierCount* top = response->add_top_identifiers();
      *top->mutable_identifier() = std::move(entry.identifier);
      top->set_hits(entry.hits);
    }
    response->set_screenings(counted.screenings);
    response->set_truncated(counted.truncated);
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(stats));
  return reactor;
}

grpc::ServerUnaryReactor* HistoryService::FindPastTransfers(
    grpc::CallbackServerContext* context,
    const v1::FindPastTransfersRequest* request,
    v1::QueryHitsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto find = [&]() -> absl::Status {
    if (!request->has_identifier()) return Invalid("identifier", "required");
    ASSIGN_OR_RETURN(core::Identifier id,
                     NormalizeProto(request->identifier(), "identifier"));
    v1::QueryHitsRequest as_query;
    *as_query.mutable_from() = request->from();
    *as_query.mutable_to() = request->to();
    if (!request->has_from()) as_query.clear_from();
    if (!request->has_to()) as_query.clear_to();
    as_query.set_page_size(request->page_size());
    as_query.set_page_token(request->page_token());
    ASSIGN_OR_RETURN(store::HitQuery query, QueryOf(as_query));
    query.beneficiary_key = id.Key();
    ASSIGN_OR_RETURN(store::HitPage page, store_->hits().Query(query));
    const v1::Identifier canonical = ToProto(id);
    for (v1::HitRecord& record : page.hits) {
      v1::Hit* hit = response->add_hits();
      *hit = std::move(*record.mutable_hit());
      *hit->mutable_beneficiary() = canonical;
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(find));
  return reactor;
}

}  // namespace fraudgate::service
