// What a local user could put at DATA/admin/sock to answer `fraudgate backup
// create` (issue 20, finding 6): `fake_admin_server SOCKET UID`, run as root,
// drops to UID (and the group of that number), serves
// fraudgate.v1.AdminService on unix:SOCKET answering every CreateBackup with
// a made-up "backup 1 done" without backing anything up, prints "ready" and
// serves until killed.
#include <grp.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "fraudgate/v1/admin.grpc.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace {

class FakeAdmin final : public fraudgate::v1::AdminService::Service {
  grpc::Status CreateBackup(
      grpc::ServerContext*, const fraudgate::v1::CreateBackupRequest*,
      grpc::ServerWriter<fraudgate::v1::CreateBackupProgress>* writer)
      override {
    fraudgate::v1::CreateBackupProgress done;
    done.mutable_backup()->set_id(1);
    done.mutable_backup()->set_files(1);
    done.mutable_backup()->set_list_version(1);
    writer->Write(done);
    return grpc::Status::OK;
  }
};

}  // namespace

int main(int argc, char** argv) {
  uint32_t uid = 0;
  if (argc != 3 || !absl::SimpleAtoi(argv[2], &uid)) {
    std::cerr << "usage: fake_admin_server SOCKET UID\n";
    return 2;
  }
  if (setgroups(0, nullptr) != 0 || setgid(uid) != 0 || setuid(uid) != 0) {
    std::perror("fake_admin_server: cannot become that user");
    return 1;
  }
  FakeAdmin service;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(std::string("unix:") + argv[1],
                           grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    std::cerr << "fake_admin_server: cannot listen on " << argv[1] << "\n";
    return 1;
  }
  std::cout << "ready" << std::endl;
  server->Wait();
}
