// fraudgate.v1.ReportService over the callback API (DESIGN §6): police
// uploads, entity lookups and delisting.
// Thread safety: handlers run concurrently on gRPC's callback threads; the
// store serializes mutations.
#ifndef FRAUDGATE_SERVICE_REPORT_SERVICE_H_
#define FRAUDGATE_SERVICE_REPORT_SERVICE_H_

#include <functional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/call_gate.h"
#include "service/deadline_cap.h"
#include "service/list_writer.h"
#include "store/store.h"

namespace fraudgate::service {

// Most identifiers in one report.
inline constexpr int kMaxIdentifiersPerReport = 1000;
// UploadSummary.past_transfers_by_identifier: most entries, most transfers
// counted per identifier.
inline constexpr size_t kMaxPastTransferIdentifiers = 1000;
inline constexpr int64_t kMaxPastTransfersCounted = 100'000;

struct ReportOptions {
  // How long a report without `expires_at` keeps its identifiers listed, by
  // category; a category not in the map never expires. Default: empty.
  absl::flat_hash_map<v1::Category, absl::Duration> default_lifetime;
  // Reports stored per synced write within one upload stream (group commit).
  // Default: 256.
  int max_batch_reports = 256;
  // An upload stream that receives no report for this long ends with
  // DEADLINE_EXCEEDED. Default: 30 s.
  absl::Duration upload_idle = absl::Seconds(30);
};

// Checks a report and returns it with every identifier canonical (duplicates
// after normalization removed), `reported_at` defaulted to `now`, and
// `expires_at` defaulted from `options.default_lifetime`.
// INVALID_ARGUMENT "<field>: <what>" naming the field, e.g.
// "identifiers[2].value: ...".
absl::StatusOr<v1::Report> NormalizeReport(const v1::Report& report,
                                           absl::Time now,
                                           const ReportOptions& options);

// The Rejection of report `index` for `status`, an error "<field>: <what>"
// from NormalizeReport or the store: field and message split apart.
v1::Rejection RejectionOf(int index, const v1::Report& report,
                          const absl::Status& status);

// Orders `counts` by transfers, most first, and keeps the first
// kMaxPastTransferIdentifiers: the identifiers an upload summary names.
void KeepMostPaid(std::vector<v1::PastTransferCount>* counts);

// The earlier screenings paid to each of `added` (identifiers a police upload
// listed), at most kMaxPastTransfersCounted each: one entry for each that has
// any, in order. The store's error when the history cannot be read.
absl::StatusOr<std::vector<v1::PastTransferCount>> CountPastTransfers(
    const store::HitStore& hits, absl::Span<const v1::Identifier* const> added);

// The request metadata key that asks a cluster node to answer a mutation
// only once it applied it ("true" or "1"; see fraudgate.proto).
inline constexpr char kWaitAppliedHeader[] = "fraudgate-wait-applied";

// UploadReports is a raw method (its messages reach the service as bytes,
// see Uploader in the .cc); the others are typed.
class ReportService final
    : public v1::ReportService::WithRawCallbackMethod_UploadReports<
          v1::ReportService::WithCallbackMethod_GetEntity<
              v1::ReportService::WithCallbackMethod_DelistEntity<
                  v1::ReportService::WithCallbackMethod_WithdrawReport<
                      v1::ReportService::Service>>>> {
 public:
  // `store`, `writer`, `gate` and `deadline_cap` must outlive the service.
  // Mutations go through `writer` (this node's store, or a cluster's stream),
  // reads to `store`. Every method first passes the call gate
  // (UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED; see
  // call_gate.h); the caller is recorded as the uploader or actor.
  ReportService(store::Store* store, ListWriter* writer, ReportOptions options,
                std::function<absl::Time()> clock, CallGate* gate,
                DeadlineCap* deadline_cap)
      : store_(store),
        writer_(writer),
        options_(std::move(options)),
        clock_(std::move(clock)),
        gate_(gate),
        deadline_cap_(deadline_cap) {}

  // Reports are validated as they arrive and stored in synced batches of up
  // to `max_batch_reports` and 512 KiB (one list event each; a cluster's
  // events must stay under NATS's max_payload), each report atomically;
  // the summary is sent once every accepted report is on disk (on a cluster
  // node without wait-applied: on the stream, counted as reports_pending).
  // Invalid reports, and messages that are not a Report at all, are listed
  // in `rejected` and do not stop the stream; `summary` gets the serialized
  // UploadSummary. A
  // store failure ends the call with UNAVAILABLE; batches stored before it stay
  // stored, and re-uploading the whole stream is safe (idempotent). The stream
  // ends with DEADLINE_EXCEEDED at the earlier of the client's deadline and the
  // server's cap (deadline_cap.h), or once no report came for
  // `upload_idle`, the same way.
  grpc::ServerReadReactor<grpc::ByteBuffer>* UploadReports(
      grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) override;

  // NOT_FOUND when the identifier was never listed.
  grpc::ServerUnaryReactor* GetEntity(grpc::CallbackServerContext* context,
                                      const v1::GetEntityRequest* request,
                                      v1::Entity* response) override;

  // Requires `reason` and `reference`. NOT_FOUND when never listed.
  grpc::ServerUnaryReactor* DelistEntity(grpc::CallbackServerContext* context,
                                         const v1::DelistEntityRequest* request,
                                         v1::Entity* response) override;

  // Requires agency, report_id, reason and reference. NOT_FOUND for an
  // unknown report.
  grpc::ServerUnaryReactor* WithdrawReport(
      grpc::CallbackServerContext* context,
      const v1::WithdrawReportRequest* request,
      v1::WithdrawReportResponse* response) override;

 private:
  store::Store* const store_;
  ListWriter* const writer_;
  const ReportOptions options_;
  const std::function<absl::Time()> clock_;
  CallGate* const gate_;
  DeadlineCap* const deadline_cap_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_REPORT_SERVICE_H_
