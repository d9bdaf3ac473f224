// The local administration port of a running server: fraudgate.v1.AdminService
// (proto/fraudgate/v1/admin.proto) on a Unix socket inside the data dir,
// AdminSocketPath(data dir), never on a network port. The socket's directory
// is made 0700, so only the server's user (and root) can connect: people who
// could read the data dir anyway. `fraudgate backup create --data=DIR` finds
// the socket there and backs a running server up through it, once it has
// checked that the process listening is a server it trusts
// (cli/admin_socket_client.h).
//
// Thread safety: the server handles calls on its own threads; one backup runs
// at a time (another call meanwhile gets ABORTED). Stopping the server stops
// a backup in progress.
#ifndef FRAUDGATE_SERVICE_ADMIN_SERVER_H_
#define FRAUDGATE_SERVICE_ADMIN_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "service/log.h"
#include "store/store.h"

namespace fraudgate::service {

// DATA_DIR/admin/sock.
std::string AdminSocketPath(const std::string& data_dir);

class AdminServer {
 public:
  // Serves AdminService for `store`, whose data dir is `data_dir`, on
  // AdminSocketPath(data_dir) (a file left there by a server that died is
  // replaced: the caller holds the data dir's lock). INVALID_ARGUMENT when
  // the socket path is longer than a Unix socket address allows;
  // FAILED_PRECONDITION when DATA_DIR/admin exists but is not a directory of
  // this user (a symbolic link, say); UNAVAILABLE when it cannot be made or
  // bound. `store` and `logger` must outlive the server.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(
      store::Store* store, const std::string& data_dir, Logger* logger);
  // Stops the backup in progress and any later one (Store::StopBackups: the
  // store is about to close), stops taking calls, and removes the socket.
  ~AdminServer();

  const std::string& socket_path() const { return socket_path_; }

 private:
  class Service;
  AdminServer() = default;

  store::Store* store_ = nullptr;
  std::string socket_path_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_ADMIN_SERVER_H_
