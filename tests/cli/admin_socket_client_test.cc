// Who answers on a data dir's admin socket (cli/admin_socket_client.h,
// issue 20, finding 6). A local user who can replace DATA/admin could answer
// `fraudgate backup create` with a "backup done" for a backup never made; the
// CLI checks that the process listening there runs as its own user or root
// (or, for root, as the data dir's owner) before it asks anything, and asks
// over the very connection it checked.
//
// The other user is real: tests/cli/fake_admin_server, started as root,
// drops to uid 65534 and serves an AdminService that answers every backup
// "done". The tests that need it need root (as here and in CI) and skip
// otherwise. FRAUDGATE_BIN is the binary under test, FAKE_ADMIN_SERVER the
// helper.
#include "cli/admin_socket_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "fraudgate/v1/admin.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "service/admin_server.h"
#include "service/log.h"
#include "store/store.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

constexpr uid_t kNobody = 65534;

// tests/cli/fake_admin_server serving `socket` as `uid`; killed on
// destruction.
class FakeAdminServer {
 public:
  static absl::StatusOr<std::unique_ptr<FakeAdminServer>> Start(
      const std::string& socket, uid_t uid) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe2");
    auto pid = testing::Spawn(FAKE_ADMIN_SERVER, {socket, absl::StrCat(uid)},
                              out[1], 2);
    close(out[1]);
    if (!pid.ok()) {
      close(out[0]);
      return pid.status();
    }
    std::unique_ptr<FakeAdminServer> server(new FakeAdminServer(*pid));
    std::string said;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (said.find("ready\n") == std::string::npos) {
      pollfd p = {out[0], POLLIN, 0};
      if (absl::Now() > deadline) break;
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[64];
      const ssize_t got = read(out[0], buf, sizeof(buf));
      if (got <= 0) break;  // it exited
      said.append(buf, static_cast<size_t>(got));
    }
    close(out[0]);
    if (said.find("ready\n") == std::string::npos) {
      return absl::InternalError("fake_admin_server did not start");
    }
    return server;
  }

  ~FakeAdminServer() {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }

 private:
  explicit FakeAdminServer(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

// The id of the backup that the server behind `channel` says it made.
absl::StatusOr<uint32_t> BackupThrough(std::shared_ptr<grpc::Channel> channel,
                                       const std::string& backup_dir) {
  auto stub = v1::AdminService::NewStub(std::move(channel));
  grpc::ClientContext context;
  v1::CreateBackupRequest request;
  request.set_backup_dir(backup_dir);
  auto reader = stub->CreateBackup(&context, request);
  v1::CreateBackupProgress message;
  uint32_t id = 0;
  while (reader->Read(&message)) {
    if (message.has_backup()) id = message.backup().id();
  }
  const grpc::Status s = reader->Finish();
  if (!s.ok()) return absl::UnknownError(s.error_message());
  return id;
}

class AdminSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.File("data");
    ASSERT_EQ(mkdir(data_.c_str(), 0700), 0);
  }

  // DATA/admin as another user makes it, with that user's server on
  // DATA/admin/sock.
  void ServeAdminSocketAs(uid_t uid) {
    const std::string admin = data_ + "/admin";
    ASSERT_EQ(mkdir(admin.c_str(), 0700), 0);
    ASSERT_EQ(chown(admin.c_str(), uid, uid), 0);
    // The helper, once it is that user, must reach it.
    ASSERT_EQ(chmod(dir_.path().c_str(), 0711), 0);
    ASSERT_EQ(chmod(data_.c_str(), 0711), 0);
    auto fake = FakeAdminServer::Start(admin + "/sock", uid);
    ASSERT_TRUE(fake.ok()) << fake.status();
    fake_ = *std::move(fake);
    ASSERT_EQ(chmod(data_.c_str(), 0700), 0);
  }

  testing::TempDir dir_;
  std::string data_;
  std::unique_ptr<FakeAdminServer> fake_;
};

TEST_F(AdminSocketTest, NoServerThereIsNone) {
  auto none = cli::ConnectToRunningServer(data_);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, nullptr);
  none = cli::ConnectToRunningServer(dir_.File("no-such-dir"));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, nullptr);

  // A socket left by a server that died: connection refused.
  ASSERT_EQ(mkdir((data_ + "/admin").c_str(), 0700), 0);
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = service::AdminSocketPath(data_);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  close(fd);
  none = cli::ConnectToRunningServer(data_);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, nullptr);
}

TEST_F(AdminSocketTest, OwnServerIsAskedOverTheCheckedConnection) {
  store::StoreOptions options;
  options.path = data_;
  auto store = store::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  std::stringstream log;
  service::Logger logger(&log);
  auto admin = service::AdminServer::Start(store->get(), data_, &logger);
  ASSERT_TRUE(admin.ok()) << admin.status();
  auto channel = cli::ConnectToRunningServer(data_);
  ASSERT_TRUE(channel.ok()) << channel.status();
  ASSERT_NE(*channel, nullptr);
  auto made = BackupThrough(*channel, dir_.File("backups"));
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(*made, 1u);
}

// The tests with a server of another user: they need root.
class OtherUserAdminSocketTest : public AdminSocketTest {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
    AdminSocketTest::SetUp();
  }
};

TEST_F(OtherUserAdminSocketTest, AnotherUsersServerIsRefused) {
  ASSERT_NO_FATAL_FAILURE(ServeAdminSocketAs(kNobody));
  auto refused = cli::ConnectToRunningServer(data_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition)
      << refused.status();
  EXPECT_THAT(refused.status().message(),
              HasSubstr("refusing the admin socket " + data_ +
                        "/admin/sock: it is served by uid 65534"));
  EXPECT_THAT(refused.status().message(), HasSubstr("not by root,"));
}

// Root backing up a service that runs as its own user (systemd's dynamic
// user, a container's): the owner of the data dir is trusted, and the answer
// comes from the server that was checked.
TEST_F(OtherUserAdminSocketTest, RootTrustsTheOwnerOfTheDataDir) {
  ASSERT_EQ(chown(data_.c_str(), kNobody, kNobody), 0);
  ASSERT_NO_FATAL_FAILURE(ServeAdminSocketAs(kNobody));
  auto channel = cli::ConnectToRunningServer(data_);
  ASSERT_TRUE(channel.ok()) << channel.status();
  ASSERT_NE(*channel, nullptr);
  auto made = BackupThrough(*channel, dir_.File("backups"));
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(*made, 1u);  // the stand-in's made-up answer
}

TEST_F(OtherUserAdminSocketTest, BackupCreateRefusesASocketOfAnotherUser) {
  ASSERT_NO_FATAL_FAILURE(ServeAdminSocketAs(kNobody));
  const ProcessResult r = testing::RunProcess(
      FRAUDGATE_BIN, {"backup", "create", "--data=" + data_,
                      "--backup-dir=" + dir_.File("backups")});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_THAT(r.out, Not(HasSubstr("backup 1"))) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("admin socket " + data_ + "/admin/sock"))
      << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("uid 65534")) << r.Describe();
}

}  // namespace
}  // namespace fraudgate
