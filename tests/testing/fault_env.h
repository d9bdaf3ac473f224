// A RocksDB Env that wraps the real default Env and, when armed, fails file
// writes (every WritableFile::Append, so WAL writes fail) or file reads
// (RandomAccessFile::Read/MultiRead, so SST reads fail). Fault injection wraps
// the real thing: the database underneath is a real RocksDB on disk.
#ifndef FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_
#define FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"

namespace fraudgate::testing {

class FaultEnv : public rocksdb::EnvWrapper {
 public:
  FaultEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {}

  static const char* kClassName() { return "FraudgateFaultEnv"; }
  const char* Name() const override { return kClassName(); }

  void FailWrites(bool fail) { fail_writes_ = fail; }
  void FailReads(bool fail) { fail_reads_ = fail; }

  rocksdb::Status NewWritableFile(
      const std::string& name, std::unique_ptr<rocksdb::WritableFile>* result,
      const rocksdb::EnvOptions& options) override;
  rocksdb::Status NewRandomAccessFile(
      const std::string& name,
      std::unique_ptr<rocksdb::RandomAccessFile>* result,
      const rocksdb::EnvOptions& options) override;

 private:
  std::atomic<bool> fail_writes_{false};
  std::atomic<bool> fail_reads_{false};
};

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_
