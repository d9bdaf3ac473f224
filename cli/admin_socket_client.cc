#include "cli/admin_socket_client.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/text.h"
#include "grpcpp/create_channel_posix.h"
#include "service/admin_server.h"

namespace fraudgate::cli {
namespace {

// Who may serve `data_dir`'s admin socket, as the header says, in words:
// "uid 1000 (this user) or root"; for root "root", or "root or uid 10001 (the
// owner of DIR)". Sets `*trusted` when `server` is one of them.
std::string TrustedUsers(uid_t server, const std::string& data_dir,
                         bool* trusted) {
  const uid_t me = geteuid();
  std::string users =
      me == 0 ? "root" : core::StrCat("uid ", me, " (this user) or root");
  *trusted = server == me || server == 0;
  struct stat st;
  if (me == 0 && stat(data_dir.c_str(), &st) == 0 && st.st_uid != 0) {
    users = core::StrCat("root or uid ", st.st_uid, " (the owner of ", data_dir,
                         ")");
    *trusted = *trusted || server == st.st_uid;
  }
  return users;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectToRunningServer(
    const std::string& data_dir) {
  const std::string path = service::AdminSocketPath(data_dir);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(
        core::StrCat("admin socket ", path, ": longer than ",
                     sizeof(address.sun_path) - 1, " bytes"));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(
        core::StrCat("socket: ", std::strerror(errno)));
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    const int error = errno;
    close(fd);
    // No server, or a socket file left by one that died.
    if (error == ENOENT || error == ECONNREFUSED) return nullptr;
    return absl::UnavailableError(
        core::StrCat("cannot connect to the admin socket ", path, ": ",
                     std::strerror(error)));
  }
  ucred peer{};
  socklen_t size = sizeof(peer);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) {
    const int error = errno;
    close(fd);
    return absl::UnavailableError(
        core::StrCat("admin socket ", path,
                     ": cannot tell who serves it: ", std::strerror(error)));
  }
  bool trusted = false;
  const std::string users = TrustedUsers(peer.uid, data_dir, &trusted);
  if (!trusted) {
    close(fd);
    return absl::FailedPreconditionError(core::StrCat(
        "refusing the admin socket ", path, ": it is served by uid ", peer.uid,
        " (pid ", peer.pid, "), not by ", users,
        ", so its answers cannot be trusted; another local user may have "
        "replaced ",
        data_dir, "/admin: stop that process, remove ", data_dir,
        "/admin, and let only its owner write ", data_dir, " (chmod go-w ",
        data_dir, ")"));
  }
  // gRPC owns the descriptor from here on.
  return grpc::CreateInsecureChannelFromFd("localhost", fd);
}

}  // namespace fraudgate::cli
