#include "cli/csv_chunks.h"

#include <algorithm>
#include <utility>

namespace fraudgate::cli {

CsvChunkReader::CsvChunkReader(PoliceCsvReader* reader, int64_t chunk_size,
                               Prepare prepare)
    : reader_(reader),
      chunk_size_(static_cast<size_t>(std::max<int64_t>(chunk_size, 1))),
      prepare_(std::move(prepare)),
      thread_([this] { ReadLoop(); }) {}

CsvChunkReader::~CsvChunkReader() {
  cancelled_ = true;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void CsvChunkReader::ReadLoop() {
  bool end = false;
  while (!end) {
    CsvChunk chunk;
    absl::Status status;
    while (chunk.reports.size() < chunk_size_) {
      if (cancelled_) return;  // the caller gave up: stop reading now
      CsvReport report;
      absl::StatusOr<bool> got = reader_->Next(&report, &chunk.errors);
      if (!got.ok()) status = got.status();
      if (!got.ok() || !*got) {
        end = true;
        break;
      }
      chunk.reports.push_back(std::move(report));
    }
    chunk.rows_read = reader_->rows_read();
    if (cancelled_) return;
    if (status.ok() && prepare_ && !chunk.reports.empty()) prepare_(&chunk);
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &CsvChunkReader::HasRoom));
    if (stop_) return;
    if (status.ok()) {
      ready_.push_back(std::move(chunk));
    } else {
      ready_.push_back(status);
    }
    finished_ = end;
  }
}

absl::StatusOr<std::optional<CsvChunk>> CsvChunkReader::Next() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &CsvChunkReader::HasChunk));
  if (ready_.empty()) return std::nullopt;
  absl::StatusOr<CsvChunk> item = std::move(ready_.front());
  ready_.pop_front();
  if (!item.ok()) return item.status();  // the last item
  return std::optional<CsvChunk>(*std::move(item));
}

}  // namespace fraudgate::cli
