// The police CSV read ahead on a thread of its own, in chunks of reports, so
// that parsing the next chunk (and a caller's own per-chunk work, such as the
// offline import's normalization) runs on the second core while the caller
// stores the current one.
#ifndef FRAUDGATE_CLI_CSV_CHUNKS_H_
#define FRAUDGATE_CLI_CSV_CHUNKS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "cli/police_csv.h"

namespace fraudgate::cli {

struct CsvChunk {
  // Bad rows met while reading this chunk, in line order.
  std::vector<CsvLineError> errors;
  // Up to chunk_size complete reports, in file order.
  std::vector<CsvReport> reports;
  // One per report when the reader was given a prepare step (its verdict on
  // the report); empty otherwise.
  std::vector<absl::Status> prepared;
  // Data rows read up to the end of this chunk.
  int64_t rows_read = 0;
};

class CsvChunkReader {
 public:
  // Runs on the reading thread on each chunk before it is handed over; fills
  // `prepared` and may rewrite the reports.
  using Prepare = std::function<void(CsvChunk*)>;

  // Starts reading `reader`, which must outlive this object and not be used
  // by the caller until it is destroyed. At most two chunks wait unread.
  // `chunk_size` is the most reports a chunk holds (below 1 is taken as 1).
  CsvChunkReader(PoliceCsvReader* reader, int64_t chunk_size,
                 Prepare prepare = nullptr);
  // Stops reading (when the caller gave up early: the thread stops before
  // its next report, or as soon as a read blocked on input returns) and
  // joins the thread.
  ~CsvChunkReader();
  CsvChunkReader(const CsvChunkReader&) = delete;
  CsvChunkReader& operator=(const CsvChunkReader&) = delete;

  // The next chunk, nullopt after the last one; the reader's error (a bad
  // header) ends the stream, and what was read with it is dropped. A chunk
  // may hold only errors, or be the last and empty. Call from one thread.
  absl::StatusOr<std::optional<CsvChunk>> Next();

 private:
  static constexpr size_t kReadAhead = 2;  // chunks

  void ReadLoop();
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || ready_.size() < kReadAhead;
  }
  bool HasChunk() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !ready_.empty() || finished_;
  }

  PoliceCsvReader* const reader_;
  const size_t chunk_size_;
  const Prepare prepare_;
  absl::Mutex mu_;
  std::deque<absl::StatusOr<CsvChunk>> ready_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // nothing more will be ready
  bool stop_ ABSL_GUARDED_BY(mu_) = false;      // the caller gave up
  std::atomic<bool> cancelled_ = false;         // stop_, read without mu_
  std::thread thread_;
};

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_CSV_CHUNKS_H_
