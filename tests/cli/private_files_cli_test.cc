// The files of `fraudgate serve` and of the offline commands, against the real
// binary (issue 20, finding 6):
//  - what they make is their user's alone whatever the caller's umask (022
//    here): a new data dir (serve, import --offline, backup restore) and a
//    backup dir are 0700, every file in them has no group or other bits;
//  - serve refuses a data dir its group or others may write, naming it and
//    `chmod go-w`, and a TLS key others may read (server-key.pem; a cluster
//    node's node-key.pem), naming it and `chmod 600`, before it opens or
//    connects to anything; `config check` reports the same;
//  - a CA key beside the server's TLS files is a warning log line (and a
//    warning of `config check`), and the server serves.
// FRAUDGATE_BIN is the binary under test; FRAUDGATE_SOURCE_DIR holds
// scripts/dev-certs.sh.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

ProcessResult Fraudgate(const std::vector<std::string>& args) {
  return testing::RunProcess(FRAUDGATE_BIN, args, absl::Seconds(15));
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Every file and directory under `dir`, and `dir`, without group or other
// permission bits.
void ExpectPrivate(const std::string& dir) {
  namespace fs = std::filesystem;
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0) << dir;
  EXPECT_EQ(st.st_mode & 0777, 0700u) << dir;
  int files = 0;
  for (const fs::directory_entry& entry :
       fs::recursive_directory_iterator(dir)) {
    ASSERT_EQ(lstat(entry.path().c_str(), &st), 0) << entry.path();
    if (S_ISLNK(st.st_mode)) continue;
    EXPECT_EQ(st.st_mode & 077, 0u)
        << entry.path() << " has mode " << std::oct << (st.st_mode & 0777);
    ++files;
  }
  EXPECT_GT(files, 3) << dir;
}

class PrivateFilesCliTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = umask(022); }
  void TearDown() override { umask(old_umask_); }

  // Development certificates in DIR/certs: ca.pem, ca-key.pem, server.pem,
  // server-key.pem, ..., and a NATS node's in DIR/nats (ca.pem, node.pem,
  // node-key.pem).
  void MakeCertificates() {
    const std::string script =
        std::string(FRAUDGATE_SOURCE_DIR) + "/scripts/dev-certs.sh";
    ProcessResult made = testing::RunProcess(script, {Certs()});
    ASSERT_EQ(made.exit_code, 0) << made.Describe();
    made = testing::RunProcess(script, {Certs(), "issue", "node", "n1"});
    ASSERT_EQ(made.exit_code, 0) << made.Describe();
    std::filesystem::create_directory(Nats());
    for (const auto& [from, to] :
         {std::pair{"ca.pem", "ca.pem"}, std::pair{"n1.pem", "node.pem"},
          std::pair{"n1-key.pem", "node-key.pem"}}) {
      std::filesystem::copy_file(Certs() + "/" + from, Nats() + "/" + to);
    }
  }
  std::string Certs() const { return dir_.File("certs"); }
  std::string Nats() const { return dir_.File("nats"); }

  // `fraudgate config check` of a config with these server fields.
  ProcessResult ConfigCheck(const std::string& server_fields,
                            const std::string& cluster = "") {
    const std::string path = dir_.File("fraudgate.conf");
    WriteFile(path, absl::StrCat("server {\n", server_fields, "}\n",
                                 cluster.empty() ? "" : "cluster {\n", cluster,
                                 cluster.empty() ? "" : "}\n"));
    return Fraudgate({"config", "check", path});
  }

  testing::TempDir dir_;
  mode_t old_umask_ = 0;
};

TEST_F(PrivateFilesCliTest, WhatTheCommandsMakeIsTheirUsersAlone) {
  const std::string data = dir_.File("data");
  auto server =
      testing::ServeProcess::Start(FRAUDGATE_BIN, data, dir_.File("serve.log"));
  ASSERT_TRUE(server.ok()) << server.status();
  ProcessResult r = Fraudgate({"backup", "create", "--data=" + data,
                               "--backup-dir=" + dir_.File("online")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ExpectPrivate(data);  // the admin socket's directory too
  ExpectPrivate(dir_.File("online"));
  ASSERT_EQ((*server)->Stop(), 0) << (*server)->Log();
  ExpectPrivate(data);

  const std::string csv = dir_.File("list.csv");
  WriteFile(csv,
            "report_id,agency,reported_at,category,confidence,kind,issuer,"
            "value,victim_count,amount_lost,note\n"
            "R-1,PA05,2026-01-05,EXTORTION_DEEPFAKE,CONFIRMED,BANK_ACCOUNT,"
            "VCB,0071001234567,1,,\n");
  const std::string offline = dir_.File("offline");
  r = Fraudgate({"import", "--offline", "--data=" + offline, csv});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ExpectPrivate(offline);

  r = Fraudgate({"backup", "create", "--data=" + offline,
                 "--backup-dir=" + dir_.File("stopped")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ExpectPrivate(dir_.File("stopped"));
  const std::string restored = dir_.File("restored");
  r = Fraudgate({"backup", "restore", "--backup-dir=" + dir_.File("stopped"),
                 "--data=" + restored});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ExpectPrivate(restored);
}

TEST_F(PrivateFilesCliTest, ServeRefusesADataDirOthersMayWrite) {
  const std::string data = dir_.File("data");
  ASSERT_EQ(mkdir(data.c_str(), 0700), 0);
  for (mode_t mode : {0775, 0777, 01777}) {
    ASSERT_EQ(chmod(data.c_str(), mode), 0);
    const ProcessResult r = Fraudgate(
        {"serve", "--data=" + data, "--insecure", "--listen=127.0.0.1:0"});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_THAT(r.err, AllOf(HasSubstr("data dir " + data + " is writable"),
                             HasSubstr("chmod go-w " + data)))
        << r.Describe();
    EXPECT_FALSE(std::filesystem::exists(data + "/CURRENT")) << "opened";

    const ProcessResult check =
        ConfigCheck(absl::StrCat("insecure: true\ndata_dir: \"", data, "\"\n"));
    EXPECT_EQ(check.exit_code, 2) << check.Describe();
    EXPECT_THAT(check.err, HasSubstr("chmod go-w " + data)) << check.Describe();
  }
}

TEST_F(PrivateFilesCliTest, ServeRefusesAKeyOthersMayRead) {
  ASSERT_NO_FATAL_FAILURE(MakeCertificates());
  const std::string data = dir_.File("data");
  const std::string key = Certs() + "/server-key.pem";
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  ProcessResult r = Fraudgate({"serve", "--data=" + data,
                               "--listen=127.0.0.1:0", "--tls-dir=" + Certs()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_THAT(r.err,
              AllOf(HasSubstr("TLS key " + key), HasSubstr("chmod 600 " + key)))
      << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(data)) << "the data dir was made";
  const std::string tls_fields =
      absl::StrCat("listen: \"127.0.0.1:0\"\ndata_dir: \"", data,
                   "\"\ntls_dir: \"", Certs(), "\"\n");
  ProcessResult check = ConfigCheck(tls_fields);
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("chmod 600 " + key)) << check.Describe();

  // A cluster node's NATS key, refused before NATS is connected to.
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  const std::string node_key = Nats() + "/node-key.pem";
  ASSERT_EQ(chmod(node_key.c_str(), 0640), 0);
  r = Fraudgate({"serve", "--data=" + data, "--insecure",
                 "--listen=127.0.0.1:0", "--cluster=tls://127.0.0.1:1",
                 "--cluster-tls-dir=" + Nats(), "--node=n1"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("chmod 600 " + node_key)) << r.Describe();
  check =
      ConfigCheck(tls_fields, absl::StrCat("servers: \"tls://127.0.0.1:1\"\n"
                                           "node: \"n1\"\ntls_dir: \"",
                                           Nats(), "\"\n"));
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("chmod 600 " + node_key))
      << check.Describe();
}

TEST_F(PrivateFilesCliTest, CaKeyBesideTheServerFilesIsAWarning) {
  ASSERT_NO_FATAL_FAILURE(MakeCertificates());
  auto server = testing::ServeProcess::Start(FRAUDGATE_BIN, dir_.File("data"),
                                             dir_.File("serve.log"),
                                             {"--tls-dir=" + Certs()});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->Stop(), 0);
  EXPECT_THAT((*server)->Log(),
              AllOf(HasSubstr("\"level\":\"warning\",\"event\":"
                              "\"ca_key_in_tls_dir\",\"path\":\"" +
                              Certs() + "/ca-key.pem\""),
                    HasSubstr("client certificates of any role")));

  const ProcessResult check = ConfigCheck(
      absl::StrCat("listen: \"127.0.0.1:0\"\ndata_dir: \"", dir_.File("data"),
                   "\"\ntls_dir: \"", Certs(), "\"\n"));
  EXPECT_EQ(check.exit_code, 0) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("WARNING: " + Certs() + "/ca-key.pem"))
      << check.Describe();
  EXPECT_THAT(check.out, HasSubstr("config OK")) << check.Describe();
  EXPECT_THAT(check.out, Not(HasSubstr("WARNING")));
}

}  // namespace
}  // namespace fraudgate
