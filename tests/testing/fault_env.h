// A RocksDB Env that wraps the real default Env and, when armed, fails file
// writes (every WritableFile::Append, so WAL writes fail) or file reads
// (RandomAccessFile::Read/MultiRead, so SST reads fail). Fault injection wraps
// the real thing: the database underneath is a real RocksDB on disk.
#ifndef FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_
#define FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "rocksdb/env.h"

namespace fraudgate::testing {

class FaultEnv : public rocksdb::EnvWrapper {
 public:
  FaultEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {}

  static const char* kClassName() { return "FraudgateFaultEnv"; }
  const char* Name() const override { return kClassName(); }

  void FailWrites(bool fail) { fail_writes_ = fail; }
  void FailReads(bool fail) {
    reads_thread_ = std::thread::id();
    fail_reads_ = fail;
  }
  // Fails only the reads made on the calling thread, so RocksDB's background
  // flushes and compactions never meet the fault (one there would stop all
  // writes) and a test of foreground reads stays deterministic.
  void FailReadsOnThisThread(bool fail) {
    reads_thread_ = std::this_thread::get_id();
    fail_reads_ = fail;
  }
  // Whether a read on the calling thread fails now.
  bool ShouldFailRead() const {
    if (!fail_reads_) return false;
    const std::thread::id only = reads_thread_;
    return only == std::thread::id() || only == std::this_thread::get_id();
  }

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
  std::atomic<std::thread::id> reads_thread_{};
};

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_
