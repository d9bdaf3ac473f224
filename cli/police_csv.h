// The police CSV of DESIGN §7, read as a stream of reports:
//   report_id,agency,reported_at,category,confidence,kind,issuer,value,
//   victim_count,amount_lost,note
// One identifier a row; consecutive rows with the same report_id and agency
// form one report (the server merges a report uploaded in several parts, so
// non-consecutive rows of one report are stored together too). Memory is
// bounded by one report, not the file.
#ifndef FRAUDGATE_CLI_POLICE_CSV_H_
#define FRAUDGATE_CLI_POLICE_CSV_H_

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/csv_reader.h"
#include "fraudgate/v1/fraudgate.pb.h"

namespace fraudgate::cli {

inline constexpr int kPoliceCsvColumns = 11;

struct CsvReport {
  v1::Report report;
  int first_line = 0;  // line of the report's first row
  int rows = 0;
};

struct CsvLineError {
  int line = 0;
  std::string message;  // "<column>: <what>"
};

class PoliceCsvReader {
 public:
  // `in` must outlive the reader.
  explicit PoliceCsvReader(std::istream* in) : csv_(in) {}

  // Reads the next complete report. A report with any bad row is not returned;
  // its rows' errors are appended to `errors` (so a report is sent whole or
  // not at all). Returns false at end of input. INVALID_ARGUMENT when the
  // header row is missing or not the DESIGN §7 header.
  absl::StatusOr<bool> Next(CsvReport* out, std::vector<CsvLineError>* errors);

  // Physical lines read so far (for progress).
  int lines_read() const { return csv_.line(); }
  // Data rows read so far, good or bad.
  int64_t rows_read() const { return rows_read_; }

 private:
  // Parses one data row into `report` (first row) or checks it belongs to it.
  absl::Status AddRow(const std::vector<std::string>& row, CsvReport* report);

  core::CsvReader csv_;
  bool header_checked_ = false;
  int64_t rows_read_ = 0;
  std::optional<std::vector<std::string>> pending_;  // row read ahead
  int pending_line_ = 0;
};

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_POLICE_CSV_H_
