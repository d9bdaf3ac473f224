#include "service/report_service.h"

#include <algorithm>
#include <mutex>

#include "absl/time/clock.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "proto/proto_time.h"
#include "service/convert.h"
#include "service/grpc_status.h"
#include "service/guarded.h"
#include "service/validation.h"

namespace fraudgate::service {
namespace {

bool WaitApplied(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kWaitAppliedHeader);
  if (it == metadata.end()) return false;
  const std::string_view value(it->second.data(), it->second.size());
  return value == "true" || value == "1";
}

// A list event by `actor` at `now`, its mutation to be set.
v1::ListEvent EventBy(const std::string& actor, absl::Time now) {
  v1::ListEvent event;
  event.set_actor(actor);
  *event.mutable_at() = ToProtoTime(now);
  return event;
}

// Reports of one list event, in bytes: a cluster's events must stay under
// the NATS servers' max_payload (1 MiB by default).
constexpr size_t kMaxBatchBytes = 512 << 10;

// An upload refused before any report is read.
class Refused final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  explicit Refused(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// Reads the stream's messages as bytes and parses each itself, so that one
// that cannot be parsed is a rejection like an invalid report (gRPC would
// end the read as if the client had finished its stream).
class Uploader final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  // The call stays in flight (`admitted.ticket`) until the stream is done,
  // and ends with DEADLINE_EXCEEDED at `cap`'s deadline for it, or when no
  // report came for options->upload_idle.
  Uploader(store::Store* store, ListWriter* writer,
           const ReportOptions* options, std::function<absl::Time()> clock,
           CallGate::Admitted admitted, DeadlineCap* cap,
           const grpc::CallbackServerContext& context,
           grpc::ByteBuffer* response)
      : store_(store),
        writer_(writer),
        wait_applied_(WaitApplied(context)),
        options_(options),
        clock_(std::move(clock)),
        caller_(admitted.caller.Id()),
        ticket_(std::move(admitted.ticket)),
        response_(response),
        deadline_(cap->DeadlineFor(context)),
        cap_seconds_(absl::ToInt64Seconds(cap->cap())) {
    std::lock_guard<std::mutex> lock(mu_);
    expiry_ = cap->Schedule(NextExpiry(), [this] { return Expire(); });
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;  // ended at the deadline while this read waited
    absl::Status s = Guarded("UploadReports", [&] {
      ReadDone(ok);
      return absl::OkStatus();
    });
    if (!s.ok() && !finished_) {
      End(ToGrpcStatus(absl::Status(
          s.code(), core::StrCat("report ", index_, ": ", s.message(),
                                 "; reports in acknowledged batches are "
                                 "stored, and re-uploading them is a no-op"))));
    }
  }

  void OnDone() override {
    expiry_.reset();  // waits for an expiry running now
    delete this;
  }

 private:
  // OnReadDone's work, under mu_ and before the call finished.
  void ReadDone(bool ok) {
    if (!ok) {  // the client finished its stream
      if (!Flush()) return;
      summary_.set_list_version(
          std::max(store_->blocklist().list_version(), written_version_));
      KeepMostPaid(&past_);
      for (v1::PastTransferCount& count : past_) {
        *summary_.add_past_transfers_by_identifier() = std::move(count);
      }
      bool own_buffer;
      End(grpc::GenericSerialize<grpc::ProtoBufferWriter, v1::UploadSummary>(
          summary_, response_, &own_buffer));
      return;
    }
    report_.Clear();
    absl::StatusOr<v1::Report> normalized;
    if (grpc::GenericDeserialize<grpc::ProtoBufferReader, v1::Report>(&message_,
                                                                      &report_)
            .ok()) {
      normalized = NormalizeReport(report_, clock_(), *options_);
    } else {
      // What was parsed of it (e.g. a report_id that is not UTF-8) is not
      // echoed back.
      report_.Clear();
      normalized = Invalid("report",
                           "not a valid fraudgate.v1.Report (malformed "
                           "message, or a string field that is not UTF-8)");
    }
    if (!normalized.ok()) {
      *summary_.add_rejected() =
          RejectionOf(index_, report_, normalized.status());
    } else {
      pending_bytes_ += normalized->ByteSizeLong();
      *pending_.mutable_upload()->add_reports() = *std::move(normalized);
      pending_index_.push_back(index_);
      if ((static_cast<int>(pending_index_.size()) >=
               options_->max_batch_reports ||
           pending_bytes_ >= kMaxBatchBytes) &&
          !Flush()) {
        return;
      }
    }
    ++index_;
    // A stream that keeps sending is ended here; one that waits for the
    // client, by the expiry.
    last_read_ = absl::Now();
    if (last_read_ >= deadline_) {
      EndAtDeadline();
      return;
    }
    StartRead(&message_);
  }

  // When the stream may next have to end: its deadline, or when it will have
  // been idle too long. Requires mu_.
  absl::Time NextExpiry() const {
    return std::min(deadline_, last_read_ + options_->upload_idle);
  }

  // The expiry, on the cap's thread: ends a stream waiting for the client
  // past its deadline or idle too long; otherwise says when to look again.
  absl::Time Expire() {
    // Held means the reactor is storing a batch (on a cluster node that can
    // wait out an election, bounded by the same deadline), and it checks the
    // deadline itself when done: the expiry thread, shared by every stream,
    // does not wait, and looks again shortly.
    std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
    const absl::Time now = absl::Now();
    if (!lock.owns_lock()) return now + absl::Seconds(1);
    if (finished_) return absl::InfiniteFuture();
    if (now < NextExpiry()) return NextExpiry();
    if (now >= deadline_) {
      EndAtDeadline();
    } else {
      End(ToGrpcStatus(absl::DeadlineExceededError(core::StrCat(
          "upload stream idle: no report for ",
          absl::FormatDuration(options_->upload_idle),
          " (limits.upload_idle_seconds) after report ", index_,
          "; reports in acknowledged batches are stored, and re-uploading "
          "them is a no-op"))));
    }
    return absl::InfiniteFuture();
  }

  // Finishes the call once. Requires mu_.
  void End(const grpc::Status& status) {
    finished_ = true;
    Finish(status);
  }

  // Requires mu_.
  void EndAtDeadline() {
    End(ToGrpcStatus(absl::DeadlineExceededError(core::StrCat(
        "upload stream ended at its deadline (the client's, or the server's "
        "cap of ",
        cap_seconds_,
        " s for streams, limits.max_stream_seconds) after report ", index_,
        "; reports in acknowledged batches are stored, and re-uploading them "
        "is a no-op"))));
  }

  // Writes the pending reports as one list event. When that fails it
  // finishes the call with UNAVAILABLE (DEADLINE_EXCEEDED at the deadline)
  // and returns false.
  bool Flush() {
    if (pending_index_.empty()) return true;
    pending_.set_actor(caller_);
    *pending_.mutable_at() = ToProtoTime(clock_());
    WriteOptions write;
    write.wait_applied = wait_applied_;
    write.deadline = deadline_;
    auto written = writer_->Write(pending_, write);
    if (!written.ok()) {
      End(ToGrpcStatus(
          absl::Status(written.status().code(),
                       core::StrCat("reports ", pending_index_.front(), "..",
                                    pending_index_.back(), ": ",
                                    written.status().message()))));
      return false;
    }
    written_version_ = std::max(written_version_, written->list_version);
    const auto& reports = pending_.upload().reports();
    if (!written->result.has_value()) {  // on the stream, not applied here
      summary_.set_reports_pending(summary_.reports_pending() + reports.size());
      pending_.Clear();
      pending_index_.clear();
      pending_bytes_ = 0;
      return true;
    }
    const std::vector<store::ApplyReportResult>* results =
        &written->result->reports;
    std::vector<const v1::Identifier*> added;
    for (size_t i = 0; i < results->size(); ++i) {
      const store::ApplyReportResult& r = (*results)[i];
      if (!r.status.ok()) {
        *summary_.add_rejected() = RejectionOf(
            pending_index_[i], reports[static_cast<int>(i)], r.status);
      } else if (r.unchanged) {
        summary_.set_reports_unchanged(summary_.reports_unchanged() + 1);
      } else {
        summary_.set_reports_accepted(summary_.reports_accepted() + 1);
        summary_.set_identifiers_added(summary_.identifiers_added() +
                                       r.identifiers_added.size());
        for (const v1::Identifier& id : r.identifiers_added) {
          added.push_back(&id);
        }
      }
    }
    auto past = CountPastTransfers(store_->hits(), added);
    if (!past.ok()) {
      End(ToGrpcStatus(absl::UnavailableError(core::StrCat(
          "reports stored, but their past transfers could not be counted "
          "(list them with FindPastTransfers): ",
          past.status().message()))));
      return false;
    }
    for (v1::PastTransferCount& entry : *past) {
      summary_.set_past_transfers(summary_.past_transfers() +
                                  entry.transfers());
      past_.push_back(std::move(entry));
    }
    pending_.Clear();
    pending_index_.clear();
    pending_bytes_ = 0;
    return true;
  }

  store::Store* const store_;
  ListWriter* const writer_;
  const bool wait_applied_;
  const ReportOptions* const options_;
  const std::function<absl::Time()> clock_;
  const std::string caller_;
  CallGate::Ticket ticket_;
  grpc::ByteBuffer* const response_;
  v1::UploadSummary summary_;
  grpc::ByteBuffer message_;  // the last read
  v1::Report report_;         // parsed from it
  int index_ = 0;
  // The next list event: its reports, and their indexes in the stream.
  v1::ListEvent pending_;
  std::vector<int> pending_index_;
  size_t pending_bytes_ = 0;      // of the reports in pending_
  uint64_t written_version_ = 0;  // of the last event written
  std::vector<v1::PastTransferCount> past_;
  const absl::Time deadline_;
  const int64_t cap_seconds_;
  // When the stream last started waiting for the client.
  absl::Time last_read_ = absl::Now();
  std::mutex mu_;  // serializes the reactor's work with its expiry
  bool finished_ = false;
  DeadlineCap::Handle expiry_;
};

}  // namespace

v1::Rejection RejectionOf(int index, const v1::Report& report,
                          const absl::Status& status) {
  v1::Rejection r;
  r.set_index(index);
  r.set_report_id(report.report_id());
  const std::string message(status.message());
  const size_t colon = message.find(": ");
  if (colon != std::string_view::npos) {
    r.set_field(message.substr(0, colon));
    r.set_message(message.substr(colon + 2));
  } else {
    r.set_message(message);
  }
  return r;
}

void KeepMostPaid(std::vector<v1::PastTransferCount>* counts) {
  std::sort(counts->begin(), counts->end(), [](const auto& a, const auto& b) {
    return a.transfers() > b.transfers();
  });
  if (counts->size() > kMaxPastTransferIdentifiers) {
    counts->resize(kMaxPastTransferIdentifiers);
  }
}

absl::StatusOr<std::vector<v1::PastTransferCount>> CountPastTransfers(
    const store::HitStore& hits,
    absl::Span<const v1::Identifier* const> added) {
  std::vector<std::string> keys;
  keys.reserve(added.size());
  for (const v1::Identifier* id : added) keys.push_back(FromProto(*id).Key());
  ASSIGN_OR_RETURN(std::vector<int64_t> counts,
                   hits.CountByBeneficiaries(keys, kMaxPastTransfersCounted));
  std::vector<v1::PastTransferCount> past;
  for (size_t i = 0; i < added.size(); ++i) {
    if (counts[i] == 0) continue;
    v1::PastTransferCount& entry = past.emplace_back();
    *entry.mutable_identifier() = *added[i];
    entry.set_transfers(counts[i]);
  }
  return past;
}

absl::StatusOr<v1::Report> NormalizeReport(const v1::Report& in, absl::Time now,
                                           const ReportOptions& options) {
  RETURN_IF_ERROR(CheckText("report_id", in.report_id(), 128, true));
  RETURN_IF_ERROR(CheckText("agency", in.agency(), 128, true));
  if (in.category() == v1::CATEGORY_UNSPECIFIED ||
      !v1::Category_IsValid(in.category())) {
    return Invalid("category",
                   "required: EXTORTION_DEEPFAKE, EXTORTION_OTHER, "
                   "IMPERSONATION, INVESTMENT_SCAM, SHOPPING_SCAM or OTHER");
  }
  if (in.confidence() == v1::CONFIDENCE_UNSPECIFIED ||
      !v1::Confidence_IsValid(in.confidence())) {
    return Invalid("confidence", "required: CONFIRMED or SUSPECTED");
  }
  if (in.identifiers_size() == 0)
    return Invalid("identifiers", "at least one is required");
  if (in.identifiers_size() > kMaxIdentifiersPerReport) {
    return Invalid("identifiers",
                   core::StrCat("at most ", kMaxIdentifiersPerReport));
  }
  if (in.victim_count() < 0)
    return Invalid("victim_count", "must not be negative");
  if (in.amount_lost() < 0)
    return Invalid("amount_lost", "must not be negative");
  RETURN_IF_ERROR(CheckText("note", in.note(), 4096, false));

  v1::Report out = in;
  if (!in.has_reported_at()) *out.mutable_reported_at() = ToProtoTime(now);
  ASSIGN_OR_RETURN(const absl::Time reported,
                   TimeFromProto(out.reported_at(), "reported_at"));
  if (reported > now + absl::Hours(24)) {
    return Invalid("reported_at", "is in the future");
  }
  if (in.has_expires_at()) {
    ASSIGN_OR_RETURN(const absl::Time expires,
                     TimeFromProto(in.expires_at(), "expires_at"));
    if (expires <= reported) {
      return Invalid("expires_at", "must be after reported_at");
    }
  }
  if (!in.has_expires_at()) {
    auto lifetime = options.default_lifetime.find(in.category());
    if (lifetime != options.default_lifetime.end()) {
      *out.mutable_expires_at() = ToProtoTime(reported + lifetime->second);
    }
  }
  out.clear_identifiers();
  for (int i = 0; i < in.identifiers_size(); ++i) {
    ASSIGN_OR_RETURN(core::Identifier id,
                     NormalizeProto(in.identifiers(i),
                                    core::StrCat("identifiers[", i, "]")));
    v1::Identifier canonical = ToProto(id);
    const bool duplicate =
        std::any_of(out.identifiers().begin(), out.identifiers().end(),
                    [&](const v1::Identifier& x) {
                      return x.kind() == canonical.kind() &&
                             x.issuer() == canonical.issuer() &&
                             x.value() == canonical.value();
                    });
    if (!duplicate) *out.add_identifiers() = std::move(canonical);
  }
  return out;
}

grpc::ServerReadReactor<grpc::ByteBuffer>* ReportService::UploadReports(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) {
  auto admitted = gate_->Admit(*context, "UploadReports");
  if (!admitted.ok()) return new Refused(ToGrpcStatus(admitted.status()));
  return new Uploader(store_, writer_, &options_, clock_, *std::move(admitted),
                      deadline_cap_, *context, summary);
}

grpc::ServerUnaryReactor* ReportService::GetEntity(
    grpc::CallbackServerContext* context, const v1::GetEntityRequest* request,
    v1::Entity* response) {
  return FinishUnary(
      context, "GetEntity", response, [&]() -> absl::StatusOr<v1::Entity> {
        ASSIGN_OR_RETURN(CallGate::Admitted admitted,
                         gate_->Admit(*context, "GetEntity"));
        ASSIGN_OR_RETURN(core::Identifier id,
                         NormalizeProto(request->identifier(), "identifier"));
        ASSIGN_OR_RETURN(std::optional<v1::Entity> entity,
                         store_->blocklist().GetEntity(id.Key()));
        if (!entity.has_value()) {
          return absl::NotFoundError(
              core::StrCat(id.ToString(), " is not listed"));
        }
        return EntityAt(*std::move(entity), clock_());
      });
}

grpc::ServerUnaryReactor* ReportService::DelistEntity(
    grpc::CallbackServerContext* context,
    const v1::DelistEntityRequest* request, v1::Entity* response) {
  return FinishUnary(
      context, "DelistEntity", response, [&]() -> absl::StatusOr<v1::Entity> {
        ASSIGN_OR_RETURN(CallGate::Admitted admitted,
                         gate_->Admit(*context, "DelistEntity"));
        ASSIGN_OR_RETURN(core::Identifier id,
                         NormalizeProto(request->identifier(), "identifier"));
        RETURN_IF_ERROR(CheckText("reason", request->reason(), 1024, true));
        RETURN_IF_ERROR(
            CheckText("reference", request->reference(), 128, true));
        const absl::Time now = clock_();
        v1::ListEvent event = EventBy(admitted.caller.Id(), now);
        *event.mutable_delist()->mutable_identifier() = ToProto(id);
        event.mutable_delist()->set_reason(request->reason());
        event.mutable_delist()->set_reference(request->reference());
        WriteOptions write;
        write.wait_applied = true;  // the answer is the entity after it
        write.deadline = deadline_cap_->DeadlineFor(*context);
        ASSIGN_OR_RETURN(Written written, writer_->Write(event, write));
        RETURN_IF_ERROR(written.result->status);
        return EntityAt(std::move(written.result->entity), now);
      });
}

grpc::ServerUnaryReactor* ReportService::WithdrawReport(
    grpc::CallbackServerContext* context,
    const v1::WithdrawReportRequest* request,
    v1::WithdrawReportResponse* response) {
  return FinishUnary(
      context, "WithdrawReport", response,
      [&]() -> absl::StatusOr<v1::WithdrawReportResponse> {
        ASSIGN_OR_RETURN(CallGate::Admitted admitted,
                         gate_->Admit(*context, "WithdrawReport"));
        RETURN_IF_ERROR(CheckText("agency", request->agency(), 128, true));
        RETURN_IF_ERROR(
            CheckText("report_id", request->report_id(), 128, true));
        RETURN_IF_ERROR(CheckText("reason", request->reason(), 1024, true));
        RETURN_IF_ERROR(
            CheckText("reference", request->reference(), 128, true));
        v1::ListEvent event = EventBy(admitted.caller.Id(), clock_());
        v1::ListEvent::Withdraw& w = *event.mutable_withdraw();
        w.set_agency(request->agency());
        w.set_report_id(request->report_id());
        w.set_reason(request->reason());
        w.set_reference(request->reference());
        WriteOptions write;
        write.wait_applied = WaitApplied(*context);
        write.deadline = deadline_cap_->DeadlineFor(*context);
        ASSIGN_OR_RETURN(Written written, writer_->Write(event, write));
        v1::WithdrawReportResponse answer;
        if (!written.result.has_value()) {  // on the stream, not applied here
          answer.set_pending(true);
          answer.set_list_version(written.list_version);
          return answer;
        }
        RETURN_IF_ERROR(written.result->status);
        const store::WithdrawResult& result = written.result->withdraw;
        for (auto& id : result.delisted) *answer.add_delisted() = id;
        for (auto& id : result.still_listed) *answer.add_still_listed() = id;
        answer.set_unchanged(result.unchanged);
        answer.set_list_version(result.list_version);
        return answer;
      });
}

}  // namespace fraudgate::service
