// The files of `fraudgate serve` and of the offline commands, against the real
// binary (issue 20, finding 6):
//  - what they make is their user's alone whatever the caller's umask (022
//    here): a new data dir (serve, import --offline, backup restore) and a
//    backup dir are 0700, every file in them has no group or other bits.
// FRAUDGATE_BIN is the binary under test.
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

}  // namespace
}  // namespace fraudgate
