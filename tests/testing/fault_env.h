// A RocksDB Env that wraps the real default Env and, when armed, makes file
// writes fail (every WritableFile::Append, so WAL, table, MANIFEST and info
// log writes fail) the way a broken or a full disk does, makes them slow, or
// fails file reads (RandomAccessFile::Read/MultiRead, so SST reads fail). Fault
// injection wraps the real thing: the database underneath is a real RocksDB
// on disk.
//
// Thread safety: every method may be called from any thread while the
// database writes and reads through the Env.
#ifndef FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_
#define FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "rocksdb/env.h"

namespace fraudgate::testing {

class FaultEnv : public rocksdb::EnvWrapper {
 public:
  // How file writes fail.
  enum class WriteFault {
    kNone,
    // IOError "injected write fault", as a broken disk: RocksDB takes a
    // failed WAL write for a fatal error, and the database accepts no write
    // until it is reopened.
    kIOError,
    // NoSpace, "No space left on device", as write(2) failing with ENOSPC on
    // a full disk: RocksDB takes it for a hard error, which the database can
    // resume from (DB::Resume) once writes succeed again.
    kNoSpace,
  };

  FaultEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {}

  static const char* kClassName() { return "FraudgateFaultEnv"; }
  const char* Name() const override { return kClassName(); }

  // Every Append from now on fails with `fault` (kNone: none fails).
  void SetWriteFault(WriteFault fault) { write_fault_ = fault; }
  // SetWriteFault(kIOError) when `fail`, SetWriteFault(kNone) otherwise.
  void FailWrites(bool fail) {
    SetWriteFault(fail ? WriteFault::kIOError : WriteFault::kNone);
  }
  // From now on every Append, Sync and Fsync (of any file: WAL, table,
  // MANIFEST, info log) first waits `latency` on the writing thread, as on a
  // slow disk; zero (the default) waits nothing. A write that meets a fault
  // fails after the wait.
  void SetWriteLatency(absl::Duration latency) {
    write_latency_us_ = absl::ToInt64Microseconds(latency);
  }
  // For the files it makes: waits the write latency, then returns the
  // status of a write made now (the fault's, or OK).
  rocksdb::Status SlowOrFailedWrite() const;
  // For the files it makes: waits the write latency.
  void WaitWriteLatency() const;

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
  rocksdb::Status ReopenWritableFile(
      const std::string& name, std::unique_ptr<rocksdb::WritableFile>* result,
      const rocksdb::EnvOptions& options) override;
  // RocksDB's own info log (the database's when it is given none) is written
  // through this Env's files too, as on a real disk: EnvWrapper would hand it
  // to the real Env.
  rocksdb::Status NewLogger(const std::string& name,
                            std::shared_ptr<rocksdb::Logger>* result) override {
    return rocksdb::Env::NewLogger(name, result);
  }
  rocksdb::Status NewRandomAccessFile(
      const std::string& name,
      std::unique_ptr<rocksdb::RandomAccessFile>* result,
      const rocksdb::EnvOptions& options) override;

 private:
  std::atomic<WriteFault> write_fault_{WriteFault::kNone};
  std::atomic<int64_t> write_latency_us_{0};
  std::atomic<bool> fail_reads_{false};
  std::atomic<std::thread::id> reads_thread_{};
};

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_FAULT_ENV_H_
