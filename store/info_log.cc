#include "store/info_log.h"

#include <cstdarg>
#include <cstdint>
#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "store/db.h"

namespace fraudgate::store {
namespace {

constexpr uint64_t kRotateBytes = uint64_t{64} << 20;

class InfoLog final : public rocksdb::Logger {
 public:
  InfoLog(rocksdb::Env* env, std::unique_ptr<rocksdb::WritableFile> file)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL),
        env_(env),
        file_(std::move(file)) {}

  using rocksdb::Logger::Logv;
  // The line as RocksDB's own log writes it: local time, thread, message.
  void Logv(const char* format, va_list ap) override {
    std::string line =
        core::StrCat(absl::FormatTime("%Y/%m/%d-%H:%M:%E6S ", absl::Now(),
                                      absl::LocalTimeZone()),
                     env_->GetThreadID(), " ");
    va_list measure;
    va_copy(measure, ap);
    const int n = std::vsnprintf(nullptr, 0, format, measure);
    va_end(measure);
    if (n < 0) return;
    const size_t start = line.size();
    line.resize(start + static_cast<size_t>(n) + 1);
    std::vsnprintf(line.data() + start, static_cast<size_t>(n) + 1, format, ap);
    line.resize(start + static_cast<size_t>(n));  // without the NUL
    if (line.back() != '\n') line.push_back('\n');
    absl::MutexLock lock(&mu_);
    // Not the WritableFileWriter RocksDB's log uses: the file stays usable
    // after a failed write, which only loses its line.
    file_->Append(line).PermitUncheckedError();
  }

 private:
  rocksdb::Env* const env_;
  absl::Mutex mu_;
  const std::unique_ptr<rocksdb::WritableFile> file_ ABSL_PT_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::shared_ptr<rocksdb::Logger>> OpenInfoLog(
    rocksdb::Env* env, const std::string& dir) {
  RETURN_IF_ERROR(FromRocks(env->CreateDirIfMissing(dir), "make data dir"));
  const std::string path = dir + "/LOG";
  uint64_t size = 0;
  if (env->GetFileSize(path, &size).ok() && size > kRotateBytes) {
    RETURN_IF_ERROR(
        FromRocks(env->RenameFile(path, path + ".old"), "rotate info log"));
  }
  std::unique_ptr<rocksdb::WritableFile> file;
  RETURN_IF_ERROR(
      FromRocks(env->ReopenWritableFile(path, &file, rocksdb::EnvOptions()),
                "open info log"));
  return std::make_shared<InfoLog>(env, std::move(file));
}

}  // namespace fraudgate::store
