// Fuzz target for the streaming CSV reader (core/csv_reader.h) and the police
// CSV reader (cli/police_csv.h) on arbitrary bytes; the police reader also
// runs with the DESIGN §7 header put in front, so fuzzing gets past it.
// Invariants: neither crashes; both terminate (every call consumes input);
// every error is INVALID_ARGUMENT; line numbers of records, errors and
// reports are >= 1 and never decrease; CsvReader errors say "line N: " with
// N == line(); no record holds more bytes than the input.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "cli/police_csv.h"
#include "core/csv_reader.h"
#include "core/text.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr std::string_view kPoliceHeader =
    "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
    "victim_count,amount_lost,note\n";

void FuzzCsvReader(const std::string& input) {
  std::istringstream in(input);
  fraudgate::core::CsvReader reader(&in);
  std::vector<std::string> fields;
  int last_line = 0;
  for (size_t calls = 0;; ++calls) {
    FUZZ_CHECK(calls <= input.size() + 1) << "CsvReader does not terminate";
    const auto next = reader.Next(&fields);
    FUZZ_CHECK(reader.line() >= last_line)
        << reader.line() << " < " << last_line;
    last_line = reader.line();
    if (next.ok() && !*next) break;
    FUZZ_CHECK(reader.line() >= 1) << reader.line();
    if (!next.ok()) {
      FUZZ_CHECK(next.status().code() == absl::StatusCode::kInvalidArgument)
          << next.status();
      const std::string prefix =
          fraudgate::core::StrCat("line ", reader.line(), ": ");
      FUZZ_CHECK(absl::StartsWith(next.status().message(), prefix))
          << next.status() << " (line() is " << reader.line() << ")";
      continue;
    }
    size_t bytes = 0;
    for (const std::string& f : fields) bytes += f.size();
    FUZZ_CHECK(!fields.empty() && bytes <= input.size()) << bytes;
  }
}

void FuzzPoliceCsvReader(const std::string& input) {
  std::istringstream in(input);
  fraudgate::cli::PoliceCsvReader reader(&in);
  std::vector<fraudgate::cli::CsvLineError> errors;
  size_t errors_checked = 0;
  int last_error_line = 1;
  int last_report_line = 1;
  for (size_t calls = 0;; ++calls) {
    FUZZ_CHECK(calls <= input.size() + 1) << "PoliceCsvReader does not end";
    fraudgate::cli::CsvReport report;
    const auto next = reader.Next(&report, &errors);
    for (; errors_checked < errors.size(); ++errors_checked) {
      const fraudgate::cli::CsvLineError& e = errors[errors_checked];
      FUZZ_CHECK(e.line >= last_error_line)
          << "error line " << e.line << " after " << last_error_line;
      FUZZ_CHECK(!e.message.empty()) << "line " << e.line;
      last_error_line = e.line;
    }
    if (!next.ok()) {  // bad header: the reader has nothing more to say
      FUZZ_CHECK(next.status().code() == absl::StatusCode::kInvalidArgument)
          << next.status();
      return;
    }
    if (!*next) return;
    FUZZ_CHECK(report.first_line >= last_report_line)
        << "report line " << report.first_line << " after " << last_report_line;
    last_report_line = report.first_line;
    FUZZ_CHECK(report.rows >= 1 &&
               report.rows == report.report.identifiers_size())
        << report.rows << " rows, " << report.report.identifiers_size()
        << " identifiers";
    FUZZ_CHECK(!report.report.report_id().empty() &&
               !report.report.agency().empty())
        << "line " << report.first_line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  FuzzCsvReader(input);
  FuzzPoliceCsvReader(input);
  FuzzPoliceCsvReader(std::string(kPoliceHeader) + input);
  return 0;
}
