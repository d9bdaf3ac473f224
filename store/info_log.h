// Internal to store/: RocksDB's info log (the LOG file in the data dir),
// written so that a write the disk refuses never stops the process.
//
// RocksDB 7.8 writes its own info log through a WritableFileWriter which,
// once a write failed, trips an assertion at the next line (Debian's build
// keeps assertions on; RocksDB 9.3 turned it into an error). On a full disk
// that aborted the server at its first background error, or at the next
// statistics dump, before health could say NOT_SERVING or writes could
// resume. This log appends each line with one write of its own and drops a
// line the disk refuses; the lines after it are written once there is room.
//
// The LOG is appended to across opens; at an open that finds it over 64 MiB
// it is renamed LOG.old first (replacing the previous LOG.old).
//
// Thread safety: the logger may be called from any thread.
#ifndef FRAUDGATE_STORE_INFO_LOG_H_
#define FRAUDGATE_STORE_INFO_LOG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "rocksdb/env.h"

namespace fraudgate::store {

// The info log of the database in `dir` (made if missing), written through
// `env`, logging INFO and above. UNAVAILABLE when the LOG cannot be opened.
absl::StatusOr<std::shared_ptr<rocksdb::Logger>> OpenInfoLog(
    rocksdb::Env* env, const std::string& dir);

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_INFO_LOG_H_
