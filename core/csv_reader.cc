#include "core/csv_reader.h"

#include <cstddef>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

// Conventions beyond RFC 4180, chosen for police exports made by hand or by
// spreadsheet programs:
// - A line break is CRLF, LF or a lone CR; each counts as one physical line,
//   also inside quoted fields, where it is kept byte-exact as field data.
// - Completely empty lines are skipped rather than read as a record with one
//   empty field: spreadsheets leave them between blocks and at the end, and a
//   one-field record would only turn into a confusing column-count error. A
//   line holding only spaces, or only `""`, is a record.
// - Quoting is strict: a quote opens a quoted field only as the field's first
//   byte, and only a comma or line break may follow the closing quote. Being
//   lenient here would silently merge or split fields of a report.
// - The record limit counts raw bytes, separators and quotes included, so a
//   line of a million commas is bounded too.
// - Errors name the line on which the record began, the same number line()
//   returns, even when the bad byte sits on a later line of a multi-line
//   quoted field.

namespace fraudgate::core {
namespace {

using Traits = std::char_traits<char>;

constexpr std::size_t kMaxRecordBytes = std::size_t{1} << 20;
constexpr absl::string_view kTooLong = "record longer than 1 MiB";

bool IsLineBreak(Traits::int_type c) { return c == '\n' || c == '\r'; }

// Consumes the line break starting at the next byte, which must be CR or LF.
void ConsumeLineBreak(std::streambuf* sb, int* next_line) {
  if (sb->sbumpc() == '\r' && sb->sgetc() == '\n') sb->sbumpc();
  ++*next_line;
}

// Skips a UTF-8 BOM. Returns the bytes consumed while matching something that
// turned out not to be a BOM; they are ordinary data opening the first field
// (the streambuf cannot portably put back more than one byte).
std::string SkipBom(std::streambuf* sb) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  std::string consumed;
  for (char b : kBom) {
    if (sb->sgetc() != Traits::to_int_type(b)) return consumed;
    sb->sbumpc();
    consumed.push_back(b);
  }
  return "";
}

// Drops the rest of the physical line, so that the caller can report `what`
// and carry on with the next line.
absl::Status Fail(std::streambuf* sb, int* next_line, int record_line,
                  absl::string_view what) {
  for (Traits::int_type c = sb->sgetc(); c != Traits::eof(); c = sb->sgetc()) {
    if (IsLineBreak(c)) {
      ConsumeLineBreak(sb, next_line);
      break;
    }
    sb->sbumpc();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("line ", record_line, ": ", what));
}

}  // namespace

CsvReader::CsvReader(std::istream* in) : in_(in) {}

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  // Straight from the streambuf: the istream sentry per byte costs more than
  // the parsing itself.
  std::streambuf* sb = in_->rdbuf();
  std::string field;
  if (at_start_) {
    at_start_ = false;
    field = SkipBom(sb);
  }
  Traits::int_type c = sb->sgetc();
  if (field.empty()) {
    while (IsLineBreak(c)) {
      ConsumeLineBreak(sb, &next_line_);
      c = sb->sgetc();
    }
    if (c == Traits::eof()) return false;
  }
  record_line_ = next_line_;

  std::size_t record_bytes = field.size();
  // Consumes the byte last peeked into `c`, unless that would take the record
  // past the limit.
  auto take = [&]() {
    if (record_bytes == kMaxRecordBytes) return false;
    ++record_bytes;
    sb->sbumpc();
    return true;
  };

  for (;;) {  // One iteration per field.
    if (field.empty() && c == '"') {
      if (!take()) return Fail(sb, &next_line_, record_line_, kTooLong);
      for (;;) {
        c = sb->sgetc();
        if (c == Traits::eof()) {
          return Fail(sb, &next_line_, record_line_,
                      "unterminated quoted field");
        }
        if (!take()) return Fail(sb, &next_line_, record_line_, kTooLong);
        if (c == '"') {
          c = sb->sgetc();
          if (c != '"') break;  // The closing quote; `c` is the byte after.
          if (!take()) return Fail(sb, &next_line_, record_line_, kTooLong);
        } else if (c == '\n' || (c == '\r' && sb->sgetc() != '\n')) {
          ++next_line_;
        }
        field.push_back(Traits::to_char_type(c));
      }
    } else {
      while (c != ',' && !IsLineBreak(c) && c != Traits::eof()) {
        if (c == '"') {
          return Fail(sb, &next_line_, record_line_,
                      "quote inside an unquoted field");
        }
        if (!take()) return Fail(sb, &next_line_, record_line_, kTooLong);
        field.push_back(Traits::to_char_type(c));
        c = sb->sgetc();
      }
    }

    if (c == ',') {
      if (!take()) return Fail(sb, &next_line_, record_line_, kTooLong);
      fields->push_back(std::move(field));
      field.clear();
      c = sb->sgetc();
      continue;
    }
    if (IsLineBreak(c) || c == Traits::eof()) {
      if (c != Traits::eof()) ConsumeLineBreak(sb, &next_line_);
      fields->push_back(std::move(field));
      return true;
    }
    return Fail(sb, &next_line_, record_line_, "text after a closing quote");
  }
}

}  // namespace fraudgate::core
