// The client end of a running server's admin socket (service/admin_server.h):
// how `fraudgate backup create --data=DIR` reaches the server holding DIR,
// and checks who that is before it asks anything (issue 20, finding 6).
//
// A local user who can replace DIR/admin (a data dir others may write, say)
// could otherwise serve AdminService there and answer "backup done" for a
// backup never made. So the CLI connects to DIR/admin/sock itself, reads the
// listening process's user off that connection (SO_PEERCRED: the user it ran
// as when it called listen), and trusts it only when it is this user or
// root; for root, also the owner of DIR (root backing up a service that runs
// as its own user, e.g. under systemd or in a container). gRPC is then
// handed that very connection (CreateInsecureChannelFromFd), so the process
// checked is the process asked: there is no second connect to race with, and
// no need to trust the owners or modes of DIR/admin and the socket file.
//
// Thread safety: a free function; the channel is gRPC's.
#ifndef FRAUDGATE_CLI_ADMIN_SOCKET_CLIENT_H_
#define FRAUDGATE_CLI_ADMIN_SOCKET_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace fraudgate::cli {

// A channel to the server running on `data_dir`, over one connection to
// service::AdminSocketPath(data_dir); nullptr when no server answers there
// (no socket, or one left by a server that died). FAILED_PRECONDITION naming
// the socket and the users when the process listening is not trusted as
// above; INVALID_ARGUMENT when the socket path is too long for a Unix socket
// address; UNAVAILABLE when the socket cannot be connected to otherwise.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectToRunningServer(
    const std::string& data_dir);

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_ADMIN_SOCKET_CLIENT_H_
