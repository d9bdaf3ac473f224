// AdminServer over a real store and a real Unix socket: a backup through it
// streams progress and ends with the backup's description; bad requests and
// impossible socket paths are refused with the code its contract names.
#include "service/admin_server.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "fraudgate/v1/admin.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "store/backup.h"
#include "tests/testing/matchers.h"
#include "tests/testing/store_fixture.h"

namespace fraudgate::service {
namespace {

using ::fraudgate::testing::kAccount;
using ::fraudgate::testing::MakeReport;
using ::fraudgate::testing::T;

class AdminServerTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    ASSERT_OK_AND_ASSIGN(
        admin_, AdminServer::Start(store_.get(), dir_.File("db"), &logger_));
    stub_ = v1::AdminService::NewStub(grpc::CreateChannel(
        "unix:" + admin_->socket_path(), grpc::InsecureChannelCredentials()));
  }

  // The messages and status of one CreateBackup call.
  grpc::Status Backup(const std::string& backup_dir,
                      std::vector<v1::CreateBackupProgress>* messages) {
    grpc::ClientContext context;
    v1::CreateBackupRequest request;
    request.set_backup_dir(backup_dir);
    auto reader = stub_->CreateBackup(&context, request);
    v1::CreateBackupProgress message;
    while (reader->Read(&message)) messages->push_back(message);
    return reader->Finish();
  }

  std::stringstream log_;
  Logger logger_{&log_};
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<v1::AdminService::Stub> stub_;
};

TEST_F(AdminServerTest, BacksUpTheOpenStore) {
  ASSERT_OK(store_->blocklist().ApplyReport(
      MakeReport("A05", "R-1", {kAccount}, T(0)), "police/a05", T(10)));
  EXPECT_EQ(admin_->socket_path(), dir_.File("db") + "/admin/sock");
  std::vector<v1::CreateBackupProgress> messages;
  const grpc::Status status = Backup(dir_.File("backups"), &messages);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_FALSE(messages.empty());
  const v1::BackupInfo& info = messages.back().backup();
  EXPECT_EQ(info.id(), 1u);
  EXPECT_EQ(info.list_version(), 1u);
  EXPECT_GT(info.files(), 0u);
  EXPECT_GT(info.bytes(), 0u);
  EXPECT_EQ(messages.back().bytes_copied(), info.bytes());
  for (size_t i = 0; i + 1 < messages.size(); ++i) {
    EXPECT_FALSE(messages[i].has_backup());
  }
  // What the server wrote is a backup the offline tools read.
  ASSERT_OK_AND_ASSIGN(auto verified,
                       store::VerifyBackups(dir_.File("backups")));
  ASSERT_EQ(verified.size(), 1u);
  EXPECT_EQ(verified[0].list_version, 1u);
  EXPECT_NE(log_.str().find("\"event\":\"backup_created\""), std::string::npos);
}

TEST_F(AdminServerTest, RefusesARelativeOrUnwritableBackupDir) {
  std::vector<v1::CreateBackupProgress> messages;
  grpc::Status status = Backup("backups", &messages);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("backup_dir"), std::string::npos);
  EXPECT_EQ(Backup("", &messages).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A path under a regular file cannot be made.
  std::ofstream(dir_.File("file")) << "x";
  status = Backup(dir_.File("file") + "/backups", &messages);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_TRUE(messages.empty());
  // Nor into the data dir, however named.
  status = Backup(dir_.File("db") + "/backups", &messages);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("inside the data dir"),
            std::string::npos);
  std::filesystem::create_directory_symlink(dir_.File("db"), dir_.File("link"));
  EXPECT_EQ(Backup(dir_.File("link") + "/backups", &messages).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // ".." could step back through a link the check did not resolve.
  status = Backup(dir_.File("none") + "/../link/backups", &messages);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("\"..\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("db") + "/backups"));
  EXPECT_NE(log_.str().find("\"event\":\"backup_failed\""), std::string::npos);
}

TEST_F(AdminServerTest, SocketDirectoryIsPrivateAndRemovedWithTheServer) {
  struct stat st;
  ASSERT_EQ(stat((dir_.File("db") + "/admin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const std::string socket = admin_->socket_path();
  ASSERT_EQ(stat(socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  admin_.reset();
  EXPECT_NE(stat(socket.c_str(), &st), 0);
  // The store is about to close: no backup starts any more.
  EXPECT_EQ(store_->CreateBackup(dir_.File("backups")).status().code(),
            absl::StatusCode::kAborted);
}

TEST_F(AdminServerTest, RefusesAnAdminDirThatIsASymbolicLink) {
  admin_.reset();
  const std::string admin_dir = dir_.File("db") + "/admin";
  std::filesystem::remove_all(admin_dir);
  std::filesystem::create_directory(dir_.File("elsewhere"));
  std::ofstream(dir_.File("elsewhere") + "/sock") << "not ours";
  std::filesystem::create_directory_symlink(dir_.File("elsewhere"), admin_dir);
  const auto started =
      AdminServer::Start(store_.get(), dir_.File("db"), &logger_);
  EXPECT_EQ(started.status().code(), absl::StatusCode::kFailedPrecondition)
      << started.status();
  // Nothing there was touched, on the way in or out.
  EXPECT_TRUE(std::filesystem::exists(dir_.File("elsewhere") + "/sock"));
  struct stat st;
  ASSERT_EQ(stat(dir_.File("elsewhere").c_str(), &st), 0);
  EXPECT_NE(st.st_mode & 0777, 0700u);
}

TEST_F(AdminServerTest, RefusesASocketPathTooLongForUnixSockets) {
  const std::string deep = dir_.File(std::string(120, 'd'));
  const auto started = AdminServer::Start(store_.get(), deep, &logger_);
  EXPECT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(started.status().message().find("shorter data dir"),
            std::string::npos);
}

}  // namespace
}  // namespace fraudgate::service
