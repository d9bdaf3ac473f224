// A NATS JetStream cluster of real `nats-server` processes on loopback, for
// tests of the clustered mode (DESIGN §9): each server has its own client
// port, cluster-route port and store dir under one directory; the ports are
// picked free when the cluster starts, so tests can run in parallel. Servers
// can be killed (SIGKILL) and restarted on the same ports and store.
//
// Thread safety: use from one thread.
#ifndef FRAUDGATE_TESTS_TESTING_NATS_CLUSTER_H_
#define FRAUDGATE_TESTS_TESTING_NATS_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fraudgate::testing {

// Clients over mutual TLS, admitted as deploy/cluster/nats.conf admits
// fraudgate nodes: by their certificate's URI SAN, with the permissions of
// deploy/cluster/nats-permissions.conf.
struct NatsTls {
  // ca.pem, server.pem and server-key.pem (scripts/dev-certs.sh), the
  // servers' certificate and the CA of the clients'.
  std::string certs_dir;
  // deploy/cluster/nats-permissions.conf.
  std::string permissions_file;
  // The identities admitted, e.g. "spiffe://fraudgate/node/node-0".
  std::vector<std::string> users;
};

// Development certificates for a TLS cluster, made with scripts/dev-certs.sh
// (the script at `dev_certs`): a CA and the servers' certificate in
// DIR/certs, and for each of `nodes` a directory DIR/tls-NAME holding what
// cluster.tls_dir needs (ca.pem, node.pem, node-key.pem; identity
// spiffe://fraudgate/node/NAME). Returns the NatsTls admitting those nodes.
absl::StatusOr<NatsTls> MakeNodeCertificates(
    const std::string& dev_certs, const std::string& permissions_file,
    const std::string& dir, const std::vector<std::string>& nodes);

class NatsCluster {
 public:
  // Starts `servers` nats-server processes (the binary at `nats_server`)
  // clustered with JetStream, configs and stores under `dir`, and waits until
  // every client port accepts connections. JetStream may still be electing
  // its meta leader when this returns: callers retry their first request.
  // Without `tls` clients connect in plaintext, without authorization.
  static absl::StatusOr<std::unique_ptr<NatsCluster>> Start(
      const std::string& nats_server, const std::string& dir, int servers = 3,
      const NatsTls* tls = nullptr);
  // Kills every server still running.
  ~NatsCluster();

  int size() const { return static_cast<int>(nodes_.size()); }
  // nats://127.0.0.1:PORT (tls://… with TLS) of server `i`.
  std::string Url(int i) const;
  // Every server's URL, comma-separated (a client's server list).
  std::string Urls() const;
  // The server_name of server `i` ("n0", "n1", ...): what JetStream names
  // as a stream's leader.
  std::string Name(int i) const;

  // What server `i` has logged so far.
  std::string Log(int i) const;

  // SIGKILL to server `i`, then waits for it.
  void Kill(int i);
  // Starts server `i` again on its ports and store.
  absl::Status Restart(int i);

 private:
  struct Node {
    int client_port = 0;
    int route_port = 0;
    std::string config;
    std::string log;
    pid_t pid = -1;
  };
  NatsCluster() = default;
  absl::Status StartNode(int i);

  std::string binary_;
  std::string scheme_ = "nats";
  std::vector<Node> nodes_;
};

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_NATS_CLUSTER_H_
