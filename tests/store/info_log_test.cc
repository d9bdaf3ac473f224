// store/info_log.h against a real file through the fault-injecting Env: a
// line the disk refuses is dropped and the log goes on (RocksDB 7.8's own
// log aborts the process at the line after a failed write); the LOG is
// appended to across opens and moved to LOG.old past 64 MiB.
#include "store/info_log.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/matchers.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void LogLine(const std::shared_ptr<rocksdb::Logger>& log, const char* message) {
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, log, "%s", message);
}

TEST(InfoLogTest, ALineTheDiskRefusesIsDroppedAndTheLogGoesOn) {
  testing::TempDir dir;
  testing::FaultEnv env;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<rocksdb::Logger> log,
                       OpenInfoLog(&env, dir.path()));
  LogLine(log, "before the disk filled");
  env.SetWriteFault(testing::FaultEnv::WriteFault::kNoSpace);
  LogLine(log, "refused one");
  LogLine(log, "refused two");
  env.SetWriteFault(testing::FaultEnv::WriteFault::kNone);
  LogLine(log, "after space returned");
  rocksdb::Log(rocksdb::InfoLogLevel::DEBUG_LEVEL, log, "below INFO");
  log.reset();

  const std::string text = Contents(dir.File("LOG"));
  EXPECT_THAT(text, HasSubstr(" before the disk filled\n"));
  EXPECT_THAT(text, HasSubstr(" after space returned\n"));
  EXPECT_THAT(text, Not(HasSubstr("refused")));
  EXPECT_THAT(text, Not(HasSubstr("below INFO")));
  // One line each, stamped like RocksDB's: yyyy/mm/dd-hh:mm:ss.uuuuuu.
  EXPECT_THAT(text, ::testing::MatchesRegex(
                        "([0-9]{4}/[0-9]{2}/[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}"
                        "\\.[0-9]{6} [0-9]+ [a-z ]+\n){2}"));
}

TEST(InfoLogTest, AppendsAcrossOpensAndMovesABigLogAside) {
  testing::TempDir dir;
  const std::string path = dir.File("data");  // made by the open
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<rocksdb::Logger> log,
                       OpenInfoLog(rocksdb::Env::Default(), path));
  LogLine(log, "first open");
  ASSERT_OK_AND_ASSIGN(log, OpenInfoLog(rocksdb::Env::Default(), path));
  LogLine(log, "second open");
  EXPECT_THAT(Contents(path + "/LOG"),
              ::testing::ContainsRegex("first open\n.* second open\n"));
  EXPECT_FALSE(std::filesystem::exists(path + "/LOG.old"));

  std::filesystem::resize_file(path + "/LOG", (uintmax_t{64} << 20) + 1);
  ASSERT_OK_AND_ASSIGN(log, OpenInfoLog(rocksdb::Env::Default(), path));
  LogLine(log, "third open");
  EXPECT_EQ(std::filesystem::file_size(path + "/LOG.old"),
            (uintmax_t{64} << 20) + 1);
  const std::string text = Contents(path + "/LOG");
  EXPECT_THAT(text, HasSubstr(" third open\n"));
  EXPECT_THAT(text, Not(HasSubstr("second open")));
}

}  // namespace
}  // namespace fraudgate::store
