// fraudgate.v1.ReportService over the callback API (DESIGN §6): police
// uploads, entity lookups and delisting.
// Thread safety: handlers run concurrently on gRPC's callback threads; the
// store serializes mutations.
#ifndef FRAUDGATE_SERVICE_REPORT_SERVICE_H_
#define FRAUDGATE_SERVICE_REPORT_SERVICE_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "store/store.h"

namespace fraudgate::service {

// Most identifiers in one report.
inline constexpr int kMaxIdentifiersPerReport = 1000;

// Checks a report and returns it with every identifier canonical (duplicates
// after normalization removed) and `reported_at` defaulted to `now`.
// INVALID_ARGUMENT "<field>: <what>" naming the field, e.g.
// "identifiers[2].value: ...".
absl::StatusOr<v1::Report> NormalizeReport(const v1::Report& report,
                                           absl::Time now);

class ReportService final : public v1::ReportService::CallbackService {
 public:
  // `store` must outlive the service.
  ReportService(store::Store* store, std::function<absl::Time()> clock)
      : store_(store), clock_(std::move(clock)) {}

  // Each report is validated and stored atomically as it arrives (synced).
  // Invalid reports are listed in `rejected` and do not stop the stream. A
  // store failure ends the call with UNAVAILABLE; reports stored before it
  // stay stored, and re-uploading the whole stream is safe (idempotent).
  grpc::ServerReadReactor<v1::Report>* UploadReports(
      grpc::CallbackServerContext* context,
      v1::UploadSummary* summary) override;

  // NOT_FOUND when the identifier was never listed.
  grpc::ServerUnaryReactor* GetEntity(grpc::CallbackServerContext* context,
                                      const v1::GetEntityRequest* request,
                                      v1::Entity* response) override;

  // Requires `reason` and `reference`. NOT_FOUND when never listed.
  grpc::ServerUnaryReactor* DelistEntity(grpc::CallbackServerContext* context,
                                         const v1::DelistEntityRequest* request,
                                         v1::Entity* response) override;

 private:
  store::Store* const store_;
  const std::function<absl::Time()> clock_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_REPORT_SERVICE_H_
