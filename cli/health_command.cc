// `fraudgate health`: asks a server's standard gRPC health service
// (grpc.health.v1.Health/Check) whether it serves, for operators, container
// health checks and exec probes. Exit 0 when SERVING, 1 otherwise.
#include <iostream>

#include "cli/client.h"
#include "cli/command.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace fraudgate::cli {
namespace {

using grpc::health::v1::HealthCheckResponse;

int Run(const Flags& flags) {
  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(flags.Get("service"));
  HealthCheckResponse response;
  const grpc::Status status =
      stub->Check(NewContext(flags).get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  std::cout << HealthCheckResponse::ServingStatus_Name(response.status())
            << "\n";
  return response.status() == HealthCheckResponse::SERVING ? kExitOk
                                                           : kExitFailure;
}

}  // namespace

Command HealthCommand() {
  return Command{
      "health", "health [--service=NAME]",
      "whether the server serves (grpc.health.v1); exit 0 when SERVING",
      ClientFlags("bank",
                  {{"service", "",
                    "service to ask about (default: the server as a whole)"}}),
      Run};
}

}  // namespace fraudgate::cli
