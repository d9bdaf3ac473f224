#include "service/rpc_observer.h"

#include <chrono>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "fraudgate/v1/fraudgate.pb.h"

namespace fraudgate::service {
namespace {

using grpc::experimental::InterceptionHookPoints;

// "/package.Service/Method" -> "package.Service", "Method".
std::pair<std::string, std::string> SplitMethod(std::string_view full) {
  if (full.starts_with('/')) full.remove_prefix(1);
  const size_t slash = full.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(full)};
  return {std::string(full.substr(0, slash)),
          std::string(full.substr(slash + 1))};
}

// "ALLOW" for DECISION_ALLOW.
std::string DecisionName(v1::Decision decision) {
  std::string name = v1::Decision_Name(decision);
  constexpr std::string_view kPrefix = "DECISION_";
  if (std::string_view(name).starts_with(kPrefix)) {
    name.erase(0, kPrefix.size());
  }
  return name;
}

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
      Finished(methods->GetSendStatus());
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
    } else if (stats_->method() == "ScreenTransfers") {
      for (const v1::ScreenTransferResult& item :
           static_cast<const v1::ScreenTransfersResponse*>(message)
               ->results()) {
        if (item.has_response()) {
          factory_->CountDecision(item.response().decision());
        }
      }
    }
  }

  void Finished(const grpc::Status& status) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
            .count();
    stats_->latency()->Observe(seconds);
    stats_->Handled(status.error_code())->Increment();
    Logger* logger = factory_->logger();
    if (!logger->Enabled(LogLevel::kInfo)) return;
    auto caller = factory_->auth().Identify(*info_->server_context());
    LogFields fields;
    fields.Add("caller", caller.ok() ? caller->Id() : std::string("-"))
        .Add("method", stats_->full_method())
        .Add("code", absl::StatusCodeToString(
                         static_cast<absl::StatusCode>(status.error_code())))
        .Add("latency_ms", seconds * 1e3);
    if (decision_ != v1::DECISION_UNSPECIFIED) {
      fields.Add("decision", DecisionName(decision_));
    }
    logger->Log(LogLevel::kInfo, "rpc", fields);
  }

  RpcObserverFactory* const factory_;
  grpc::experimental::ServerRpcInfo* const info_;
  RpcObserverFactory::MethodStats* const stats_;
  const std::chrono::steady_clock::time_point start_;
  v1::Decision decision_ = v1::DECISION_UNSPECIFIED;
};

}  // namespace

RpcObserverFactory::MethodStats::MethodStats(Metrics* metrics,
                                             std::string_view full_method)
    : metrics_(metrics),
      full_method_(full_method),
      service_(SplitMethod(full_method).first),
      method_(SplitMethod(full_method).second),
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
                                       const Authorizer* auth)
    : metrics_(metrics), logger_(logger), auth_(auth) {
  for (size_t i = 1; i < decisions_.size(); ++i) {
    decisions_[i] = metrics->GetCounter(
        "fraudgate_screening_decisions_total",
        "Screening decisions answered (ScreenTransfer and each "
        "ScreenTransfers item).",
        {{"decision", DecisionName(static_cast<v1::Decision>(i))}});
  }
}

void RpcObserverFactory::CountDecision(int decision) {
  if (decision > 0 && decision < static_cast<int>(decisions_.size())) {
    decisions_[decision]->Increment();
  }
}

RpcObserverFactory::MethodStats* RpcObserverFactory::StatsOf(
    const char* full_method) {
  const std::string_view name(full_method);
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = methods_.find(absl::string_view(name.data(), name.size()));
    if (it != methods_.end()) return it->second.get();
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<MethodStats>& stats = methods_[std::string(name)];
  if (stats == nullptr) stats = std::make_unique<MethodStats>(metrics_, name);
  return stats.get();
}

grpc::experimental::Interceptor* RpcObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcObserver(this, info, StatsOf(info->method()));
}

}  // namespace fraudgate::service
