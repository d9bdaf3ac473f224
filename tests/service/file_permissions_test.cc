// service/file_permissions.h on real files in a temp dir: the data dir and
// TLS key rules, the CA key warning, a Kubernetes-style key (a link to a
// root-owned 0440 or 0640 file) read by a server that is not root. The tests
// that change a file's owner or run as another user need root (as here and in
// CI), and are skipped otherwise.
#include "service/file_permissions.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::service {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uid_t kNobody = 65534;

class FilePermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.File("data");
    tls_ = dir_.File("tls");
    nats_ = dir_.File("nats");
    for (const std::string& d : {data_, tls_, nats_}) {
      ASSERT_EQ(mkdir(d.c_str(), 0700), 0) << d;
    }
    Write(tls_ + "/server-key.pem", 0600);
    Write(tls_ + "/server.pem", 0644);
    Write(nats_ + "/node-key.pem", 0600);
  }

  static void Write(const std::string& path, mode_t mode) {
    std::ofstream(path) << "-----BEGIN PRIVATE KEY-----\n";
    ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
  }

  ServerFiles Files() const { return {data_, tls_, nats_}; }

  absl::Status Check() { return CheckServerFiles(Files(), &warnings_); }

  testing::TempDir dir_;
  std::string data_, tls_, nats_;
  std::vector<PermissionWarning> warnings_;
};

TEST_F(FilePermissionsTest, PrivateFilesPass) {
  EXPECT_TRUE(Check().ok()) << Check();
  EXPECT_THAT(warnings_, IsEmpty());
  // A data dir not made yet passes: the store makes it 0700.
  EXPECT_TRUE(CheckServerFiles({dir_.File("new")}, &warnings_).ok());
  // No TLS dir given (--insecure), none checked.
  ASSERT_EQ(chmod((tls_ + "/server-key.pem").c_str(), 0644), 0);
  EXPECT_TRUE(CheckServerFiles({data_}, &warnings_).ok());
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(FilePermissionsTest, WritableDataDirIsRefused) {
  for (mode_t mode : {0770, 0720, 0702, 01777}) {
    ASSERT_EQ(chmod(data_.c_str(), mode), 0);
    const absl::Status s = Check();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << mode;
    EXPECT_THAT(s.message(), HasSubstr("data dir " + data_ + " is writable"));
    EXPECT_THAT(s.message(), HasSubstr("chmod go-w " + data_));
  }
  ASSERT_EQ(chmod(data_.c_str(), 0777), 0);
  EXPECT_THAT(Check().message(), HasSubstr("every local user (mode 0777)"));
}

TEST_F(FilePermissionsTest, ReadableDataDirIsWarnedAbout) {
  ASSERT_EQ(chmod(data_.c_str(), 0755), 0);
  EXPECT_TRUE(Check().ok());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0].event, "data_dir_not_private");
  EXPECT_EQ(warnings_[0].path, data_);
  EXPECT_THAT(warnings_[0].message,
              AllOf(HasSubstr("mode 0755"), HasSubstr("chmod -R go-rwx")));
}

TEST_F(FilePermissionsTest, KeyOthersCanReadIsRefused) {
  for (const std::string& key :
       {tls_ + "/server-key.pem", nats_ + "/node-key.pem"}) {
    for (mode_t mode : {0640, 0604, 0644, 0660, 0610}) {
      ASSERT_EQ(chmod(key.c_str(), mode), 0);
      const absl::Status s = Check();
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << mode;
      EXPECT_THAT(s.message(), AllOf(HasSubstr("TLS key " + key),
                                     HasSubstr("chmod 600 " + key)))
          << mode;
    }
    ASSERT_EQ(chmod(key.c_str(), 0400), 0);
    EXPECT_TRUE(Check().ok()) << Check();
  }
}

TEST_F(FilePermissionsTest, KeyOfAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to change a file's owner";
  const std::string key = tls_ + "/server-key.pem";
  ASSERT_EQ(chown(key.c_str(), kNobody, kNobody), 0);
  const absl::Status s = Check();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("owned by uid 65534"));
}

// A Kubernetes Secret mounted with fsGroup: a link to a root-owned 0440 or 0640
// file of the server's group. A server that is not root may read it; 0444 is
// refused. Run in a child that drops to uid/gid 65534.
TEST_F(FilePermissionsTest, RootOwnedKeyMayBeSharedWithTheGroup) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  for (const std::string& d : {data_, tls_, nats_}) {
    ASSERT_EQ(chown(d.c_str(), kNobody, kNobody), 0);
  }
  const std::string secret = tls_ + "/..data";
  ASSERT_EQ(mkdir(secret.c_str(), 0755), 0);
  Write(secret + "/server-key.pem", 0440);
  ASSERT_EQ(chown((secret + "/server-key.pem").c_str(), 0, kNobody), 0);
  ASSERT_EQ(unlink((tls_ + "/server-key.pem").c_str()), 0);
  std::filesystem::create_symlink("..data/server-key.pem",
                                  tls_ + "/server-key.pem");
  ASSERT_EQ(chown((nats_ + "/node-key.pem").c_str(), kNobody, kNobody), 0);
  const auto check_as_nobody = [this] {
    if (setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(3);
    std::vector<PermissionWarning> warnings;
    const absl::Status s = CheckServerFiles(Files(), &warnings);
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    _exit(s.ok() && warnings.empty() ? 0 : 1);
  };
  EXPECT_EXIT(check_as_nobody(), ::testing::ExitedWithCode(0), "OK");
  ASSERT_EQ(chmod((secret + "/server-key.pem").c_str(), 0444), 0);
  EXPECT_EXIT(check_as_nobody(), ::testing::ExitedWithCode(1),
              "may be read by others.*chmod 640");
  ASSERT_EQ(chmod((secret + "/server-key.pem").c_str(), 0640), 0);
  EXPECT_EXIT(check_as_nobody(), ::testing::ExitedWithCode(0), "OK");
  // Root itself gets no such allowance: a key of its own is 0600.
  EXPECT_THAT(Check().message(),
              HasSubstr("chmod 600 " + tls_ + "/server-key.pem"));
}

TEST_F(FilePermissionsTest, CaKeyInATlsDirIsWarnedAbout) {
  Write(tls_ + "/ca-key.pem", 0600);
  Write(tls_ + "/ca.pem", 0644);
  Write(tls_ + "/bank-key.pem", 0600);
  Write(nats_ + "/Issuing-CA.key.pem", 0600);
  Write(data_ + "/ca-key.pem", 0600);  // not a TLS dir
  EXPECT_TRUE(Check().ok()) << Check();
  EXPECT_THAT(
      warnings_,
      ElementsAre(
          AllOf(Field(&PermissionWarning::event, "ca_key_in_tls_dir"),
                Field(&PermissionWarning::path, tls_ + "/ca-key.pem"),
                Field(&PermissionWarning::message,
                      HasSubstr("client certificates of any role"))),
          Field(&PermissionWarning::path, nats_ + "/Issuing-CA.key.pem")));
}

}  // namespace
}  // namespace fraudgate::service
