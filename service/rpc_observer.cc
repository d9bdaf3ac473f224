#include "service/rpc_observer.h"

#include <chrono>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "google/protobuf/descriptor.h"
#include "service/convert.h"

namespace fraudgate::service {
namespace {

using grpc::experimental::InterceptionHookPoints;

class RpcObserver : public grpc::experimental::Interceptor {
 public:
  RpcObserver(RpcObserverFactory* factory,
              grpc::experimental::ServerRpcInfo* info,
              RpcObserverFactory::MethodStats* stats)
      : factory_(factory),
        info_(info),
        stats_(stats),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      NoteResponse(methods->GetSendMessage());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      // What gRPC answers when it could not parse a unary request (see
      // rpc_observer.h); no fraudgate handler answers UNIMPLEMENTED.
      if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED &&
          status.error_message().empty() && !stats_->request_type().empty()) {
        status = grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            core::StrCat("request: not a valid ", stats_->request_type(),
                         " (malformed message, or a string field that is not "
                         "UTF-8)"));
        methods->ModifySendStatus(status);
      }
      Finished(status);
    }
    methods->Proceed();
  }

 private:
  // The decisions a screening response carries (null once serialized).
  void NoteResponse(const void* message) {
    if (message == nullptr ||
        stats_->service() != "fraudgate.v1.ScreeningService") {
      return;
    }
    if (stats_->method() == "ScreenTransfer") {
      decision_ =
          static_cast<const v1::ScreenTransferResponse*>(message)->decision();
      factory_->CountDecision(decision_);
      notable_decision_ = decision_ != v1::DECISION_UNSPECIFIED &&
                          decision_ != v1::DECISION_ALLOW;
    } else if (stats_->method() == "ScreenTransfers") {
      for (const v1::ScreenTransferResult& item :
           static_cast<const v1::ScreenTransfersResponse*>(message)
               ->results()) {
        if (!item.has_response()) {
          notable_decision_ = true;  // the item failed
          continue;
        }
        factory_->CountDecision(item.response().decision());
        notable_decision_ |= item.response().decision() != v1::DECISION_ALLOW;
      }
    }
  }

  void Finished(const grpc::Status& status) {
    const auto now = std::chrono::steady_clock::now();
    const std::chrono::nanoseconds elapsed = now - start_;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    stats_->latency()->Observe(seconds);
    stats_->Handled(status.error_code())->Increment();
    Logger* logger = factory_->logger();
    if (!logger->Enabled(LogLevel::kInfo)) return;
    const std::optional<std::string_view> why =
        factory_->access_log().Decide({.ok = status.ok(),
                                       .notable_decision = notable_decision_,
                                       .latency = absl::FromChrono(elapsed)},
                                      logger->Enabled(LogLevel::kDebug), now);
    if (!why) return;
    auto caller = factory_->auth().Identify(*info_->server_context());
    LogFields fields;
    fields.Add("caller", caller.ok() ? caller->Id() : std::string("-"))
        .Add("method",
             stats_ == factory_->unknown()
                 ? std::string(std::string_view(info_->method()).substr(0, 128))
                 : stats_->path())
        .Add("code", absl::StatusCodeToString(
                         static_cast<absl::StatusCode>(status.error_code())))
        .Add("latency_ms", seconds * 1e3);
    if (decision_ != v1::DECISION_UNSPECIFIED) {
      fields.Add("decision", DecisionText(decision_));
    }
    fields.Add("why", *why);
    logger->Log(LogLevel::kInfo, "rpc", fields);
  }

  RpcObserverFactory* const factory_;
  grpc::experimental::ServerRpcInfo* const info_;
  RpcObserverFactory::MethodStats* const stats_;
  const std::chrono::steady_clock::time_point start_;
  v1::Decision decision_ = v1::DECISION_UNSPECIFIED;
  bool notable_decision_ = false;
};

}  // namespace

RpcObserverFactory::MethodStats::MethodStats(Metrics* metrics,
                                             std::string service,
                                             std::string method,
                                             std::string request_type)
    : metrics_(metrics),
      service_(std::move(service)),
      method_(std::move(method)),
      path_(core::StrCat("/", service_, "/", method_)),
      request_type_(std::move(request_type)),
      latency_(metrics->GetHistogram(
          "fraudgate_rpc_duration_seconds",
          "Time from the start of a call to its status being sent.",
          {{"service", service_}, {"method", method_}})) {}

Metrics::Counter* RpcObserverFactory::MethodStats::Handled(
    grpc::StatusCode code) {
  const size_t index = static_cast<size_t>(code);
  if (index >= handled_.size()) return Handled(grpc::StatusCode::UNKNOWN);
  Metrics::Counter* counter = handled_[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Two calls may get here at once; both get the same counter.
    counter = metrics_->GetCounter(
        "fraudgate_rpc_handled_total", "Calls served, by status code.",
        {{"service", service_},
         {"method", method_},
         {"code",
          absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}});
    handled_[index].store(counter, std::memory_order_release);
  }
  return counter;
}

RpcObserverFactory::RpcObserverFactory(Metrics* metrics, Logger* logger,
                                       const Authorizer* auth,
                                       const AccessLogOptions& access_log,
                                       const std::vector<std::string>& services)
    : logger_(logger),
      auth_(auth),
      access_log_(access_log, metrics),
      unknown_(metrics, "unknown", "unknown") {
  for (size_t i = 1; i < decisions_.size(); ++i) {
    decisions_[i] = metrics->GetCounter(
        "fraudgate_screening_decisions_total",
        "Screening decisions answered (ScreenTransfer and each "
        "ScreenTransfers item).",
        {{"decision", DecisionText(static_cast<v1::Decision>(i))}});
  }
  std::vector<std::unique_ptr<MethodStats>> methods;
  for (const auto& [service, method] :
       {std::pair{"grpc.health.v1.Health", "Check"},
        std::pair{"grpc.health.v1.Health", "Watch"},
        std::pair{"grpc.reflection.v1alpha.ServerReflection",
                  "ServerReflectionInfo"}}) {
    methods.push_back(std::make_unique<MethodStats>(metrics, service, method));
  }
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      methods.push_back(std::make_unique<MethodStats>(
          metrics, name, method->name(),
          method->client_streaming() ? "" : method->input_type()->full_name()));
    }
  }
  for (auto& stats : methods) {
    const std::string path = stats->path();
    methods_.emplace(path, std::move(stats));
  }
}

void RpcObserverFactory::CountDecision(int decision) {
  if (decision > 0 && decision < static_cast<int>(decisions_.size())) {
    decisions_[decision]->Increment();
  }
}

grpc::experimental::Interceptor* RpcObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  auto it = methods_.find(std::string_view(info->method()));
  return new RpcObserver(this, info,
                         it == methods_.end() ? &unknown_ : it->second.get());
}

}  // namespace fraudgate::service
