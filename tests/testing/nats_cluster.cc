#include "tests/testing/nats_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
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

absl::StatusOr<NatsTls> MakeNodeCertificates(
    const std::string& dev_certs, const std::string& permissions_file,
    const std::string& dir, const std::vector<std::string>& nodes) {
  NatsTls tls;
  tls.certs_dir = dir + "/certs";
  tls.permissions_file = permissions_file;
  ProcessResult made = RunProcess(dev_certs, {tls.certs_dir});
  if (made.exit_code != 0) {
    return absl::InternalError(absl::StrCat("dev-certs.sh failed: ", made.err));
  }
  namespace fs = std::filesystem;
  for (const std::string& node : nodes) {
    made = RunProcess(dev_certs, {tls.certs_dir, "issue", "node", node});
    if (made.exit_code != 0) {
      return absl::InternalError(
          absl::StrCat("dev-certs.sh issue node failed: ", made.err));
    }
    const std::string node_dir = absl::StrCat(dir, "/tls-", node);
    std::error_code error;
    fs::create_directories(node_dir, error);
    const std::pair<std::string, std::string> files[] = {
        {tls.certs_dir + "/ca.pem", node_dir + "/ca.pem"},
        {absl::StrCat(tls.certs_dir, "/", node, ".pem"),
         node_dir + "/node.pem"},
        {absl::StrCat(tls.certs_dir, "/", node, "-key.pem"),
         node_dir + "/node-key.pem"}};
    for (const auto& [from, to] : files) {
      if (!error) fs::copy_file(from, to, error);
    }
    if (error) {
      return absl::InternalError(absl::StrCat(node_dir, ": ", error.message()));
    }
    tls.users.push_back("spiffe://fraudgate/node/" + node);
  }
  return tls;
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(
    const std::string& nats_server, const std::string& dir, int servers,
    const NatsTls* tls) {
  std::unique_ptr<NatsCluster> cluster(new NatsCluster());
  cluster->binary_ = nats_server;
  // Clients: mutual TLS, each mapped to its user by its certificate (as in
  // deploy/cluster/nats.conf). The routes stay plaintext on loopback.
  std::string client_security;
  if (tls != nullptr) {
    cluster->scheme_ = "tls";
    // nats-server resolves an include next to the including file.
    std::filesystem::copy_file(
        tls->permissions_file, dir + "/nats-permissions.conf",
        std::filesystem::copy_options::overwrite_existing);
    std::vector<std::string> users;
    for (const std::string& user : tls->users) {
      users.push_back(absl::StrCat("    {user: \"", user,
                                   "\", permissions: $FRAUDGATE_NODE}\n"));
    }
    client_security = absl::StrCat(
        "tls {\n  cert_file: \"", tls->certs_dir, "/server.pem\"\n",
        "  key_file: \"", tls->certs_dir, "/server-key.pem\"\n",
        "  ca_file: \"", tls->certs_dir, "/ca.pem\"\n",
        "  verify_and_map: true\n}\n", "include \"nats-permissions.conf\"\n",
        "authorization {\n  users: [\n", absl::StrJoin(users, ""), "  ]\n}\n");
  }
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
        << "]\n}\n"
        << client_security;
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
  return absl::StrCat(scheme_, "://127.0.0.1:", nodes_[i].client_port);
}

std::string NatsCluster::Urls() const {
  std::vector<std::string> urls;
  for (int i = 0; i < size(); ++i) urls.push_back(Url(i));
  return absl::StrJoin(urls, ",");
}

std::string NatsCluster::Log(int i) const {
  std::ifstream in(nodes_[i].log);
  return std::string(std::istreambuf_iterator<char>(in), {});
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
