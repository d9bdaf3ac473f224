#include "tests/testing/nats_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "tests/testing/child_process.h"

namespace fraudgate::testing {
namespace {

// A loopback TCP port nothing listens on now (the kernel's pick for port 0).
// nats-server needs every route port in its config before any server
// starts, so it cannot pick its own.
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port == 0) return absl::InternalError("no free port");
  return port;
}

// True once something accepts connections on 127.0.0.1:`port`.
bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(
    const std::string& nats_server, const std::string& dir, int servers) {
  std::unique_ptr<NatsCluster> cluster(new NatsCluster());
  cluster->binary_ = nats_server;
  cluster->nodes_.resize(servers);
  for (Node& node : cluster->nodes_) {
    auto client = FreePort();
    auto route = FreePort();
    if (!client.ok()) return client.status();
    if (!route.ok()) return route.status();
    node.client_port = *client;
    node.route_port = *route;
  }
  for (int i = 0; i < servers; ++i) {
    Node& node = cluster->nodes_[i];
    std::vector<std::string> routes;
    for (int j = 0; j < servers; ++j) {
      if (j != i) {
        routes.push_back(absl::StrCat("nats-route://127.0.0.1:",
                                      cluster->nodes_[j].route_port));
      }
    }
    node.config = absl::StrCat(dir, "/", cluster->Name(i), ".conf");
    node.log = absl::StrCat(dir, "/", cluster->Name(i), ".log");
    // The server appends /jetstream to store_dir.
    std::ofstream(node.config)
        << "server_name: " << cluster->Name(i) << "\n"
        << "listen: 127.0.0.1:" << node.client_port << "\n"
        << "jetstream { store_dir: \"" << dir << "/" << cluster->Name(i)
        << "\" }\n"
        << "cluster {\n  name: fraudgate-test\n  listen: 127.0.0.1:"
        << node.route_port << "\n  routes: [" << absl::StrJoin(routes, ", ")
        << "]\n}\n";
  }
  for (int i = 0; i < servers; ++i) {
    if (absl::Status s = cluster->StartNode(i); !s.ok()) return s;
  }
  return cluster;
}

absl::Status NatsCluster::StartNode(int i) {
  Node& node = nodes_[i];
  auto pid = Spawn(binary_, {"-c", node.config}, STDERR_FILENO, -1, node.log);
  if (!pid.ok()) return pid.status();
  node.pid = *pid;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (!Accepts(node.client_port)) {
    if (absl::Now() > give_up || waitpid(node.pid, nullptr, WNOHANG) != 0) {
      return absl::UnavailableError(
          absl::StrCat(Name(i), " did not start; its log: ", node.log));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

NatsCluster::~NatsCluster() {
  for (int i = 0; i < size(); ++i) Kill(i);
}

std::string NatsCluster::Url(int i) const {
  return absl::StrCat("nats://127.0.0.1:", nodes_[i].client_port);
}

std::string NatsCluster::Urls() const {
  std::vector<std::string> urls;
  for (int i = 0; i < size(); ++i) urls.push_back(Url(i));
  return absl::StrJoin(urls, ",");
}

std::string NatsCluster::Name(int i) const { return absl::StrCat("n", i); }

void NatsCluster::Kill(int i) {
  Node& node = nodes_[i];
  if (node.pid < 0) return;
  kill(node.pid, SIGKILL);
  waitpid(node.pid, nullptr, 0);
  node.pid = -1;
}

absl::Status NatsCluster::Restart(int i) {
  Kill(i);
  return StartNode(i);
}

}  // namespace fraudgate::testing
