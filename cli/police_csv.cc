#include "cli/police_csv.h"

#include "absl/strings/numbers.h"
#include "core/report_time.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "proto/proto_time.h"

namespace fraudgate::cli {
namespace {

constexpr const char* kHeader[kPoliceCsvColumns] = {
    "report_id", "agency", "reported_at",  "category",    "confidence", "kind",
    "issuer",    "value",  "victim_count", "amount_lost", "note"};

enum Column {
  kReportId,
  kAgency,
  kReportedAt,
  kCategory,
  kConfidence,
  kKind,
  kIssuer,
  kValue,
  kVictimCount,
  kAmountLost,
  kNote
};

absl::Status Invalid(std::string_view column, std::string_view what) {
  return absl::InvalidArgumentError(core::StrCat(column, ": ", what));
}

template <typename Enum, typename ParseFn>
absl::StatusOr<Enum> ParseEnum(std::string_view column, const std::string& text,
                               ParseFn parse, std::string_view allowed) {
  Enum value;
  if (!parse(core::AsciiUpper(core::FoldWidthAndTrim(text)), &value) ||
      static_cast<int>(value) == 0) {
    return Invalid(column, core::StrCat("must be one of ", allowed, " (got \"",
                                        text, "\")"));
  }
  return value;
}

absl::StatusOr<int64_t> ParseCount(std::string_view column,
                                   const std::string& text) {
  const std::string trimmed = core::FoldWidthAndTrim(text);
  if (trimmed.empty()) return 0;
  int64_t v = 0;
  if (!absl::SimpleAtoi(trimmed, &v) || v < 0) {
    return Invalid(column, core::StrCat("must be a whole number >= 0 (got \"",
                                        text, "\")"));
  }
  return v;
}

}  // namespace

absl::Status PoliceCsvReader::AddRow(const std::vector<std::string>& row,
                                     CsvReport* out) {
  if (row.size() != kPoliceCsvColumns) {
    return absl::InvalidArgumentError(core::StrCat(
        "expected ", kPoliceCsvColumns, " columns, got ", row.size()));
  }
  v1::Report& r = out->report;
  // The report-level columns are repeated on every row of a report; each row's
  // are checked (a bad value is an error on any row), the first row's are kept.
  const std::string report_id = core::FoldWidthAndTrim(row[kReportId]);
  const std::string agency = core::FoldWidthAndTrim(row[kAgency]);
  if (report_id.empty()) return Invalid("report_id", "required");
  if (agency.empty()) return Invalid("agency", "required");
  if (core::FoldWidthAndTrim(row[kReportedAt]).empty()) {
    return Invalid("reported_at", "required");
  }
  ASSIGN_OR_RETURN(absl::Time at,
                   core::ParseReportTime(row[kReportedAt], "reported_at"));
  ASSIGN_OR_RETURN(
      v1::Category category,
      ParseEnum<v1::Category>("category", row[kCategory], v1::Category_Parse,
                              "EXTORTION_DEEPFAKE, EXTORTION_OTHER, "
                              "IMPERSONATION, INVESTMENT_SCAM, "
                              "SHOPPING_SCAM, OTHER"));
  ASSIGN_OR_RETURN(
      v1::Confidence confidence,
      ParseEnum<v1::Confidence>("confidence", row[kConfidence],
                                v1::Confidence_Parse, "CONFIRMED, SUSPECTED"));
  ASSIGN_OR_RETURN(int64_t victims,
                   ParseCount("victim_count", row[kVictimCount]));
  if (victims > INT32_MAX) return Invalid("victim_count", "too large");
  ASSIGN_OR_RETURN(int64_t lost, ParseCount("amount_lost", row[kAmountLost]));
  if (out->rows == 0) {
    r.set_report_id(report_id);
    r.set_agency(agency);
    *r.mutable_reported_at() = ToProtoTime(at);
    r.set_category(category);
    r.set_confidence(confidence);
    r.set_victim_count(static_cast<int32_t>(victims));
    r.set_amount_lost(lost);
    r.set_note(row[kNote]);
  }
  ASSIGN_OR_RETURN(v1::IdentifierKind kind,
                   ParseEnum<v1::IdentifierKind>(
                       "kind", row[kKind], v1::IdentifierKind_Parse,
                       "PHONE, BANK_ACCOUNT, EWALLET, CHAT_HANDLE"));
  if (core::FoldWidthAndTrim(row[kValue]).empty())
    return Invalid("value", "required");
  v1::Identifier* id = r.add_identifiers();
  id->set_kind(kind);
  id->set_issuer(row[kIssuer]);
  id->set_value(row[kValue]);
  return absl::OkStatus();
}

absl::StatusOr<bool> PoliceCsvReader::Next(CsvReport* out,
                                           std::vector<CsvLineError>* errors) {
  std::vector<std::string> row;
  if (!header_checked_) {
    auto got = csv_.Next(&row);
    if (!got.ok()) return got.status();
    bool ok = *got && row.size() == kPoliceCsvColumns;
    for (int i = 0; ok && i < kPoliceCsvColumns; ++i) {
      ok = core::AsciiLower(core::FoldWidthAndTrim(row[i])) == kHeader[i];
    }
    if (!ok) {
      return absl::InvalidArgumentError(
          "line 1: the header must be report_id,agency,reported_at,category,"
          "confidence,kind,issuer,value,victim_count,amount_lost,note");
    }
    header_checked_ = true;
  }
  while (true) {
    CsvReport report;
    bool broken = false;
    auto key_of = [](const std::vector<std::string>& r) {
      return r.size() > kAgency
                 ? core::StrCat(core::FoldWidthAndTrim(r[kReportId]), "\x1f",
                                core::FoldWidthAndTrim(r[kAgency]))
                 : std::string();
    };
    std::string key;
    // A row that could not be split into columns was read since the last good
    // one; when the rows around it belong to one report, so did it.
    bool unreadable = false;
    while (true) {
      int line = 0;
      if (pending_) {
        row = *std::move(pending_);
        pending_.reset();
        line = pending_line_;
      } else {
        auto got = csv_.Next(&row);
        if (!got.ok()) {
          ++rows_read_;
          // A row we cannot even split is its own error. When the good rows
          // around it belong to one report, that report is rejected: it
          // would be stored without the row. Otherwise which report it
          // belonged to is unknown, and the reports go on without it.
          std::string message(got.status().message());
          if (message.starts_with("line ")) {
            message = message.substr(message.find(": ") + 2);
          }
          errors->push_back({csv_.line(), std::move(message)});
          unreadable = true;
          continue;
        }
        if (!*got) break;
        ++rows_read_;
        line = csv_.line();
      }
      if (report.rows > 0 || broken) {
        if (key_of(row) != key) {
          pending_ = std::move(row);
          pending_line_ = line;
          break;
        }
        if (unreadable) broken = true;  // whole report rejected, see above
      } else {
        key = key_of(row);
        report.first_line = line;
      }
      unreadable = false;
      absl::Status s = AddRow(row, &report);
      if (!s.ok()) {
        errors->push_back({line, std::string(s.message())});
        broken = true;
      }
      ++report.rows;
    }
    if (report.rows == 0) return false;
    if (broken) continue;  // whole report rejected; its errors are reported
    *out = std::move(report);
    return true;
  }
}

}  // namespace fraudgate::cli
