// A streaming RFC 4180 CSV reader: memory is bounded by the longest record,
// not the file. Quoted fields may contain commas, doubled quotes and line
// breaks; CRLF and LF line ends are both accepted; a UTF-8 BOM at the start is
// skipped.
//
// Thread safety: none; one reader per stream.
#ifndef FRAUDGATE_CORE_CSV_READER_H_
#define FRAUDGATE_CORE_CSV_READER_H_

#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fraudgate::core {

class CsvReader {
 public:
  // `in` must outlive the reader.
  explicit CsvReader(std::istream* in);

  // Reads the next record into `fields` (cleared first). Returns true when a
  // record was read, false at end of input. Malformed input (a quote inside an
  // unquoted field, text after a closing quote, an unterminated quoted field,
  // a record longer than 1 MiB) returns InvalidArgument "line N: <what>"; the
  // reader then resumes at the next physical line, so the caller may report the
  // error and continue.
  absl::StatusOr<bool> Next(std::vector<std::string>* fields);

  // 1-based physical line number on which the last record (or error) began.
  int line() const { return record_line_; }

 private:
  std::istream* in_;
  int next_line_ = 1;
  int record_line_ = 0;
  bool at_start_ = true;
};

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_CSV_READER_H_
