#include "service/admin_server.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/text.h"
#include "fraudgate/v1/admin.grpc.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "proto/proto_time.h"
#include "service/grpc_status.h"

namespace fraudgate::service {

// The synchronous API, unlike the API services (DESIGN §1): a backup blocks
// its handler for as long as the copy takes, which the callback API's
// threads must never do, and a few calls a day need no speed.
class AdminServer::Service final : public v1::AdminService::Service {
 public:
  Service(store::Store* store, Logger* logger)
      : store_(store), logger_(logger) {}

  grpc::Status CreateBackup(
      grpc::ServerContext* /*context*/, const v1::CreateBackupRequest* request,
      grpc::ServerWriter<v1::CreateBackupProgress>* writer) override {
    const std::string& dir = request->backup_dir();
    if (dir.empty() || dir[0] != '/') {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "backup_dir: an absolute path expected");
    }
    if (busy_.exchange(true)) {
      return grpc::Status(grpc::StatusCode::ABORTED,
                          "another backup is running: try again when it ends");
    }
    v1::CreateBackupProgress progress;
    auto made = store_->CreateBackup(dir, [&](uint64_t bytes) {
      progress.set_bytes_copied(bytes);
      // A client that went away does not stop the backup.
      writer->Write(progress);
    });
    busy_ = false;
    if (!made.ok()) {
      logger_->Log(LogLevel::kWarning, "backup_failed",
                   LogFields()
                       .Add("backup_dir", dir)
                       .Add("error", std::string(made.status().message())));
      return ToGrpcStatus(made.status());
    }
    v1::BackupInfo& info = *progress.mutable_backup();
    info.set_id(made->id);
    *info.mutable_created() = ToProtoTime(made->created);
    info.set_bytes(made->bytes);
    info.set_files(made->files);
    info.set_list_version(made->list_version);
    progress.set_bytes_copied(made->bytes);
    logger_->Log(
        LogLevel::kInfo, "backup_created",
        LogFields()
            .Add("backup_dir", dir)
            .Add("id", static_cast<int64_t>(made->id))
            .Add("list_version", static_cast<int64_t>(made->list_version))
            .Add("bytes", static_cast<int64_t>(made->bytes)));
    writer->Write(progress);
    return grpc::Status::OK;
  }

 private:
  store::Store* const store_;
  Logger* const logger_;
  std::atomic<bool> busy_{false};  // while a backup runs
};

std::string AdminSocketPath(const std::string& data_dir) {
  return core::StrCat(data_dir, "/admin/sock");
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(
    store::Store* store, const std::string& data_dir, Logger* logger) {
  const std::string socket_path = AdminSocketPath(data_dir);
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    return absl::InvalidArgumentError(core::StrCat(
        "admin socket ", socket_path, ": longer than ",
        sizeof(sockaddr_un::sun_path) - 1, " bytes (use a shorter data dir)"));
  }
  const std::string dir = data_dir + "/admin";
  struct stat st;
  if (lstat(dir.c_str(), &st) == 0) {
    // Left by an earlier run; anything else there is not ours to use.
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
      return absl::FailedPreconditionError(core::StrCat(
          dir, ": not a directory of this user (a symbolic link?)"));
    }
    if (chmod(dir.c_str(), 0700) != 0) {
      return absl::UnavailableError(
          core::StrCat("cannot chmod ", dir, ": ", std::strerror(errno)));
    }
  } else if (errno != ENOENT || mkdir(dir.c_str(), 0700) != 0) {
    return absl::UnavailableError(
        core::StrCat("cannot make ", dir, ": ", std::strerror(errno)));
  }
  std::unique_ptr<AdminServer> admin(new AdminServer());
  // gRPC replaces a socket file left by a server that died.
  admin->service_ = std::make_unique<Service>(store, logger);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + socket_path,
                           grpc::InsecureServerCredentials());
  builder.RegisterService(admin->service_.get());
  admin->server_ = builder.BuildAndStart();
  if (!admin->server_) {
    return absl::UnavailableError(
        core::StrCat("cannot listen on ", socket_path));
  }
  // Only a server that started stops backups and removes its socket.
  admin->store_ = store;
  admin->socket_path_ = socket_path;
  return admin;
}

AdminServer::~AdminServer() {
  if (!server_) return;
  store_->StopBackups();
  // A handler blocked on a client that stopped reading is cancelled.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
  unlink(socket_path_.c_str());
}

}  // namespace fraudgate::service
