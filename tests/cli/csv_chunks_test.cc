#include "cli/csv_chunks.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kHeader[] =
    "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
    "victim_count,amount_lost,note\n";

// A CSV of `reports` one-row reports R0, R1, ...; the rows listed in
// `bad_dates` (0-based report numbers) have an impossible date.
std::string Csv(int reports, std::vector<int> bad_dates = {}) {
  std::string csv = kHeader;
  for (int i = 0; i < reports; ++i) {
    const bool bad =
        std::find(bad_dates.begin(), bad_dates.end(), i) != bad_dates.end();
    absl::StrAppend(&csv, "R", i, ",A,", bad ? "2026-13-01" : "2026-01-05",
                    ",OTHER,CONFIRMED,PHONE,,09110", 10000 + i, ",1,2,x\n");
  }
  return csv;
}

struct Drained {
  absl::Status status;
  std::vector<size_t> chunk_sizes;  // reports in each chunk, in order
  std::vector<std::string> report_ids;
  std::vector<int> error_lines;
  int64_t rows_read = 0;  // of the last chunk
};

Drained Drain(const std::string& csv, int64_t chunk_size,
              CsvChunkReader::Prepare prepare = nullptr) {
  std::istringstream in(csv);
  PoliceCsvReader reader(&in);
  CsvChunkReader chunks(&reader, chunk_size, std::move(prepare));
  Drained drained;
  for (int guard = 0; guard < 10000; ++guard) {
    auto chunk = chunks.Next();
    if (!chunk.ok()) {
      drained.status = chunk.status();
      return drained;
    }
    if (!chunk->has_value()) return drained;
    drained.chunk_sizes.push_back((*chunk)->reports.size());
    for (const CsvReport& r : (*chunk)->reports) {
      drained.report_ids.push_back(r.report.report_id());
    }
    for (const CsvLineError& e : (*chunk)->errors) {
      drained.error_lines.push_back(e.line);
    }
    drained.rows_read = (*chunk)->rows_read;
  }
  ADD_FAILURE() << "the stream did not end";
  return drained;
}

TEST(CsvChunkReaderTest, ChunksHoldEveryReportInOrder) {
  const Drained d = Drain(Csv(7), 3);
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_THAT(d.chunk_sizes, ElementsAre(3, 3, 1));
  EXPECT_THAT(d.report_ids,
              ElementsAre("R0", "R1", "R2", "R3", "R4", "R5", "R6"));
  EXPECT_EQ(d.rows_read, 7);
}

TEST(CsvChunkReaderTest, ExactMultipleEndsWithAnEmptyChunkOrNone) {
  const Drained d = Drain(Csv(6), 3);
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_EQ(d.report_ids.size(), 6u);
  // Two full chunks, then at most an empty last one.
  ASSERT_GE(d.chunk_sizes.size(), 2u);
  EXPECT_EQ(d.chunk_sizes[0], 3u);
  EXPECT_EQ(d.chunk_sizes[1], 3u);
  for (size_t i = 2; i < d.chunk_sizes.size(); ++i) {
    EXPECT_EQ(d.chunk_sizes[i], 0u);
  }
}

TEST(CsvChunkReaderTest, HeaderOnlyGivesNoReports) {
  const Drained d = Drain(kHeader, 3);
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_THAT(d.report_ids, IsEmpty());
}

TEST(CsvChunkReaderTest, BadHeaderEndsTheStreamWithItsError) {
  const Drained d = Drain("reportid;agency\nR1;A\n", 3);
  EXPECT_EQ(d.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.report_ids, IsEmpty());
}

TEST(CsvChunkReaderTest, BadRowsTravelWithTheChunkTheyWereReadIn) {
  // Reports 1 and 4 are bad: lines 3 and 6.
  const Drained d = Drain(Csv(6, {1, 4}), 2);
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_THAT(d.report_ids, ElementsAre("R0", "R2", "R3", "R5"));
  EXPECT_THAT(d.error_lines, ElementsAre(3, 6));
  EXPECT_EQ(d.rows_read, 6);
}

TEST(CsvChunkReaderTest, PrepareRunsOnEveryChunkBeforeItIsHandedOver) {
  const Drained d = Drain(Csv(5), 2, [](CsvChunk* chunk) {
    for (CsvReport& r : chunk->reports) {
      r.report.set_report_id(r.report.report_id() + "-prepared");
      chunk->prepared.push_back(absl::OkStatus());
    }
  });
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_THAT(d.report_ids,
              ElementsAre("R0-prepared", "R1-prepared", "R2-prepared",
                          "R3-prepared", "R4-prepared"));
}

TEST(CsvChunkReaderTest, ChunkSizeBelowOneIsTakenAsOne) {
  const Drained d = Drain(Csv(3), 0);
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_THAT(d.report_ids, ElementsAre("R0", "R1", "R2"));
  EXPECT_EQ(d.chunk_sizes[0], 1u);
}

TEST(CsvChunkReaderTest, GivingUpWithAFullQueueStopsTheReader) {
  // Far more than the read-ahead holds: the reader thread waits for room
  // when the caller stops, and must not read the rest of the file.
  const std::string csv = Csv(20000);
  std::istringstream in(csv);
  PoliceCsvReader reader(&in);
  {
    CsvChunkReader chunks(&reader, 10);
    auto first = chunks.Next();
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->reports.size(), 10u);
  }  // destroyed with chunks queued and most of the file unread
  EXPECT_LT(reader.rows_read(), 1000);
}

}  // namespace
}  // namespace fraudgate::cli
