#include "tests/testing/fault_env.h"

#include "absl/time/clock.h"

namespace fraudgate::testing {
namespace {

class FaultWritableFile : public rocksdb::WritableFileWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::WritableFile> target,
                    const FaultEnv* env)
      : rocksdb::WritableFileWrapper(target.get()),
        owned_(std::move(target)),
        env_(env) {}

  rocksdb::Status Append(const rocksdb::Slice& data) override {
    const rocksdb::Status s = env_->SlowOrFailedWrite();
    return s.ok() ? rocksdb::WritableFileWrapper::Append(data) : s;
  }
  rocksdb::Status Append(const rocksdb::Slice& data,
                         const rocksdb::DataVerificationInfo& info) override {
    const rocksdb::Status s = env_->SlowOrFailedWrite();
    return s.ok() ? rocksdb::WritableFileWrapper::Append(data, info) : s;
  }
  // A slow disk is slow to sync too; a full one fails the appends.
  rocksdb::Status Sync() override {
    env_->WaitWriteLatency();
    return rocksdb::WritableFileWrapper::Sync();
  }
  rocksdb::Status Fsync() override {
    env_->WaitWriteLatency();
    return rocksdb::WritableFileWrapper::Fsync();
  }

 private:
  std::unique_ptr<rocksdb::WritableFile> owned_;
  const FaultEnv* env_;
};

class FaultRandomAccessFile : public rocksdb::RandomAccessFileWrapper {
 public:
  FaultRandomAccessFile(std::unique_ptr<rocksdb::RandomAccessFile> target,
                        const FaultEnv* env)
      : rocksdb::RandomAccessFileWrapper(target.get()),
        owned_(std::move(target)),
        env_(env) {}

  rocksdb::Status Read(uint64_t offset, size_t n, rocksdb::Slice* result,
                       char* scratch) const override {
    if (env_->ShouldFailRead()) {
      return rocksdb::Status::IOError("injected read fault");
    }
    return rocksdb::RandomAccessFileWrapper::Read(offset, n, result, scratch);
  }
  rocksdb::Status MultiRead(rocksdb::ReadRequest* reqs,
                            size_t num_reqs) override {
    if (env_->ShouldFailRead()) {
      return rocksdb::Status::IOError("injected read fault");
    }
    return rocksdb::RandomAccessFileWrapper::MultiRead(reqs, num_reqs);
  }

 private:
  std::unique_ptr<rocksdb::RandomAccessFile> owned_;
  const FaultEnv* env_;
};

}  // namespace

void FaultEnv::WaitWriteLatency() const {
  const int64_t latency_us = write_latency_us_;
  if (latency_us > 0) absl::SleepFor(absl::Microseconds(latency_us));
}

rocksdb::Status FaultEnv::SlowOrFailedWrite() const {
  WaitWriteLatency();
  switch (write_fault_.load()) {
    case WriteFault::kNone:
      return rocksdb::Status::OK();
    case WriteFault::kIOError:
      return rocksdb::Status::IOError("injected write fault");
    case WriteFault::kNoSpace:
      return rocksdb::Status::NoSpace("injected write fault");
  }
  return rocksdb::Status::OK();
}

rocksdb::Status FaultEnv::NewWritableFile(
    const std::string& name, std::unique_ptr<rocksdb::WritableFile>* result,
    const rocksdb::EnvOptions& options) {
  std::unique_ptr<rocksdb::WritableFile> file;
  rocksdb::Status s = target()->NewWritableFile(name, &file, options);
  if (s.ok()) result->reset(new FaultWritableFile(std::move(file), this));
  return s;
}

rocksdb::Status FaultEnv::ReopenWritableFile(
    const std::string& name, std::unique_ptr<rocksdb::WritableFile>* result,
    const rocksdb::EnvOptions& options) {
  std::unique_ptr<rocksdb::WritableFile> file;
  rocksdb::Status s = target()->ReopenWritableFile(name, &file, options);
  if (s.ok()) result->reset(new FaultWritableFile(std::move(file), this));
  return s;
}

rocksdb::Status FaultEnv::NewRandomAccessFile(
    const std::string& name, std::unique_ptr<rocksdb::RandomAccessFile>* result,
    const rocksdb::EnvOptions& options) {
  std::unique_ptr<rocksdb::RandomAccessFile> file;
  rocksdb::Status s = target()->NewRandomAccessFile(name, &file, options);
  if (s.ok()) {
    result->reset(new FaultRandomAccessFile(std::move(file), this));
  }
  return s;
}

}  // namespace fraudgate::testing
