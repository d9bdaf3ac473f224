#include "cli/csv_chunks.h"

#include <utility>

namespace fraudgate::cli {

CsvChunkReader::CsvChunkReader(PoliceCsvReader* reader, int64_t chunk_size,
                               Prepare prepare)
    : reader_(reader),
      chunk_size_(static_cast<size_t>(chunk_size)),
      prepare_(std::move(prepare)),
      thread_([this] { ReadLoop(); }) {}

CsvChunkReader::~CsvChunkReader() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void CsvChunkReader::ReadLoop() {
  bool end = false;
  while (!end) {
    absl::StatusOr<CsvChunk> item{CsvChunk()};
    CsvChunk& chunk = *item;
    while (chunk.reports.size() < chunk_size_) {
      CsvReport report;
      absl::StatusOr<bool> got = reader_->Next(&report, &chunk.errors);
      if (!got.ok()) item = got.status();
      if (!got.ok() || !*got) {
        end = true;
        break;
      }
      chunk.reports.push_back(std::move(report));
    }
    if (item.ok()) {
      chunk.rows_read = reader_->rows_read();
      if (prepare_ && !chunk.reports.empty()) prepare_(&chunk);
    }
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &CsvChunkReader::HasRoom));
    if (stop_) return;
    ready_.push_back(std::move(item));
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
