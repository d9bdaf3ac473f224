#include "cli/police_csv.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"

namespace fraudgate::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kHeader[] =
    "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
    "victim_count,amount_lost,note\n";

// Everything one pass over a CSV gives.
struct ReadAll {
  absl::Status status;  // of the first failing Next(), else OK
  std::vector<CsvReport> reports;
  std::vector<CsvLineError> errors;
  int64_t rows_read = 0;
};

ReadAll Read(const std::string& text) {
  std::istringstream in(text);
  PoliceCsvReader reader(&in);
  ReadAll all;
  for (int guard = 0; guard < 1000; ++guard) {
    CsvReport report;
    auto got = reader.Next(&report, &all.errors);
    if (!got.ok()) {
      all.status = got.status();
      break;
    }
    if (!*got) break;
    all.reports.push_back(std::move(report));
  }
  all.rows_read = reader.rows_read();
  return all;
}

// The header plus `rows`, one per line.
std::string Csv(const std::vector<std::string>& rows) {
  std::string out = kHeader;
  for (const std::string& row : rows) out += row + "\n";
  return out;
}

absl::Time VietnamTime(int y, int m, int d, int hh = 0, int mm = 0,
                       int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::FixedTimeZone(7 * 3600));
}

// The one error of a CSV whose only data row is `row` (on line 2).
CsvLineError OnlyError(const std::string& row) {
  ReadAll all = Read(Csv({row}));
  EXPECT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.reports, IsEmpty()) << row;
  EXPECT_THAT(all.errors, SizeIs(1)) << row;
  return all.errors.empty() ? CsvLineError{} : all.errors[0];
}

TEST(PoliceCsvHeaderTest, MissingHeaderIsLineOneError) {
  ReadAll empty = Read("");
  EXPECT_EQ(empty.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status.message(), HasSubstr("line 1"));

  // A data row where the header should be.
  ReadAll no_header =
      Read("R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x\n");
  EXPECT_EQ(no_header.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_header.status.message(), HasSubstr("line 1"));
  EXPECT_THAT(no_header.status.message(), HasSubstr("report_id,agency"));
  EXPECT_THAT(no_header.reports, IsEmpty());
}

TEST(PoliceCsvHeaderTest, WrongHeaderIsLineOneError) {
  for (const std::string header : {
           // A column missing.
           "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
           "victim_count,amount_lost\n",
           // Columns swapped.
           "agency,report_id,reported_at,category,confidence,kind,issuer,value,"
           "victim_count,amount_lost,note\n",
           // A column extra.
           "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
           "victim_count,amount_lost,note,extra\n",
           // A misspelt column.
           "report_id,agency,reported,category,confidence,kind,issuer,value,"
           "victim_count,amount_lost,note\n",
       }) {
    ReadAll all = Read(
        header + "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x\n");
    EXPECT_EQ(all.status.code(), absl::StatusCode::kInvalidArgument) << header;
    EXPECT_THAT(all.status.message(), HasSubstr("line 1")) << header;
    EXPECT_THAT(all.reports, IsEmpty());
  }
}

TEST(PoliceCsvHeaderTest, HeaderIsCaseAndSpaceInsensitiveAndMayHaveBom) {
  ReadAll all = Read(
      "\xEF\xBB\xBFReport_ID, Agency ,REPORTED_AT,category,confidence,kind,"
      "issuer,value,victim_count,amount_lost,note\r\n"
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x\r\n");
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.errors, IsEmpty());
  ASSERT_THAT(all.reports, SizeIs(1));
}

TEST(PoliceCsvHeaderTest, HeaderOnlyIsNoReports) {
  ReadAll all = Read(kHeader);
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.reports, IsEmpty());
  EXPECT_THAT(all.errors, IsEmpty());
  EXPECT_EQ(all.rows_read, 0);
}

TEST(PoliceCsvTest, ParsesEveryColumn) {
  ReadAll all = Read(Csv({
      "KT-2024-001,PA05 Kon Tum,2024-12-05,EXTORTION_DEEPFAKE,CONFIRMED,"
      "BANK_ACCOUNT,970436,1023 456 789,3,150000000,"
      "\"clip \"\"nóng\"\" cắt ghép, đe dọa\"",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.errors, IsEmpty());
  ASSERT_THAT(all.reports, SizeIs(1));
  const CsvReport& r = all.reports[0];
  EXPECT_EQ(r.first_line, 2);
  EXPECT_EQ(r.rows, 1);
  EXPECT_EQ(r.report.report_id(), "KT-2024-001");
  EXPECT_EQ(r.report.agency(), "PA05 Kon Tum");
  EXPECT_EQ(FromProtoTime(r.report.reported_at()), VietnamTime(2024, 12, 5));
  EXPECT_EQ(r.report.category(), v1::EXTORTION_DEEPFAKE);
  EXPECT_EQ(r.report.confidence(), v1::CONFIRMED);
  EXPECT_EQ(r.report.victim_count(), 3);
  EXPECT_EQ(r.report.amount_lost(), 150000000);
  EXPECT_EQ(r.report.note(), "clip \"nóng\" cắt ghép, đe dọa");
  ASSERT_EQ(r.report.identifiers_size(), 1);
  EXPECT_EQ(r.report.identifiers(0).kind(), v1::BANK_ACCOUNT);
  EXPECT_EQ(r.report.identifiers(0).issuer(), "970436");
  // The value is sent as written; the server normalizes it.
  EXPECT_EQ(r.report.identifiers(0).value(), "1023 456 789");
  EXPECT_EQ(all.rows_read, 1);
}

TEST(PoliceCsvTest, ReportedAtDateAndDateTime) {
  struct Case {
    std::string text;
    absl::Time want;
  };
  const Case cases[] = {
      {"2024-12-05", VietnamTime(2024, 12, 5)},
      {"2024-12-05T14:30", VietnamTime(2024, 12, 5, 14, 30)},
      {"2024-12-05T14:30:15", VietnamTime(2024, 12, 5, 14, 30, 15)},
      {"2024-12-05 14:30:15", VietnamTime(2024, 12, 5, 14, 30, 15)},
      {"2024-12-05T14:30:15+07:00", VietnamTime(2024, 12, 5, 14, 30, 15)},
      {"2024-12-05T07:30:15Z", VietnamTime(2024, 12, 5, 14, 30, 15)},
      {" 2024-12-05 ", VietnamTime(2024, 12, 5)},
  };
  for (const Case& c : cases) {
    ReadAll all =
        Read(Csv({"R1,A," + c.text + ",OTHER,CONFIRMED,PHONE,,0912345678,,,"}));
    ASSERT_TRUE(all.status.ok()) << all.status;
    EXPECT_THAT(all.errors, IsEmpty()) << c.text;
    ASSERT_THAT(all.reports, SizeIs(1)) << c.text;
    EXPECT_EQ(FromProtoTime(all.reports[0].report.reported_at()), c.want)
        << c.text;
  }
}

TEST(PoliceCsvTest, CategoryConfidenceAndKindAreCaseInsensitive) {
  ReadAll all = Read(Csv({
      "R1,A,2024-12-01,extortion_deepfake,suspected,phone,,0912345678,,,",
      "R2,A,2024-12-01,Investment_Scam, Confirmed ,Chat_Handle,telegram,@x,,,",
      "R3,A,2024-12-01,OTHER,CONFIRMED,ewallet,MOMO,0912345678,,,",
      "R4,A,2024-12-01,shopping_scam,confirmed,Bank_Account,VCB,123456,,,",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.errors, IsEmpty());
  ASSERT_THAT(all.reports, SizeIs(4));
  EXPECT_EQ(all.reports[0].report.category(), v1::EXTORTION_DEEPFAKE);
  EXPECT_EQ(all.reports[0].report.confidence(), v1::SUSPECTED);
  EXPECT_EQ(all.reports[0].report.identifiers(0).kind(), v1::PHONE);
  EXPECT_EQ(all.reports[0].report.identifiers(0).issuer(), "");
  EXPECT_EQ(all.reports[1].report.category(), v1::INVESTMENT_SCAM);
  EXPECT_EQ(all.reports[1].report.confidence(), v1::CONFIRMED);
  EXPECT_EQ(all.reports[1].report.identifiers(0).kind(), v1::CHAT_HANDLE);
  EXPECT_EQ(all.reports[1].report.identifiers(0).issuer(), "telegram");
  EXPECT_EQ(all.reports[1].report.identifiers(0).value(), "@x");
  EXPECT_EQ(all.reports[2].report.identifiers(0).kind(), v1::EWALLET);
  EXPECT_EQ(all.reports[2].report.identifiers(0).issuer(), "MOMO");
  EXPECT_EQ(all.reports[3].report.category(), v1::SHOPPING_SCAM);
  EXPECT_EQ(all.reports[3].report.identifiers(0).kind(), v1::BANK_ACCOUNT);
  EXPECT_EQ(all.reports[3].report.identifiers(0).issuer(), "VCB");
}

TEST(PoliceCsvTest, EmptyCountsAreZero) {
  ReadAll all =
      Read(Csv({"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,,,"}));
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.victim_count(), 0);
  EXPECT_EQ(all.reports[0].report.amount_lost(), 0);
  EXPECT_EQ(all.reports[0].report.note(), "");
}

TEST(PoliceCsvTest, VietnameseUtf8KeptByteExact) {
  const std::string agency = "Công an tỉnh Kon Tum (PA05)";
  const std::string note =
      "Đối tượng dùng Zalo \"Nguyễn Văn Á\", gửi video giả mạo; yêu cầu "
      "chuyển 50.000.000đ";
  ReadAll all = Read(Csv({
      "CV-5354/CAT-PA05," + agency +
          ",2024-12-05,EXTORTION_DEEPFAKE,CONFIRMED,CHAT_HANDLE,ZALO,"
          "Nguyễn Văn Á,1,50000000,\"Đối tượng dùng Zalo \"\"Nguyễn Văn "
          "Á\"\", gửi video giả mạo; yêu cầu chuyển 50.000.000đ\"",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.errors, IsEmpty());
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.report_id(), "CV-5354/CAT-PA05");
  EXPECT_EQ(all.reports[0].report.agency(), agency);
  EXPECT_EQ(all.reports[0].report.note(), note);
  EXPECT_EQ(all.reports[0].report.identifiers(0).value(), "Nguyễn Văn Á");
}

TEST(PoliceCsvTest, NoteWithLineBreakKeepsLineNumbers) {
  ReadAll all = Read(Csv({
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,,,\"first line\n"
      "second line, with comma\"",
      "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345679,,,",
      "R3,A,2024-13-01,OTHER,CONFIRMED,PHONE,,0912345670,,,",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  ASSERT_THAT(all.reports, SizeIs(2));
  EXPECT_EQ(all.reports[0].report.note(),
            "first line\nsecond line, with comma");
  EXPECT_EQ(all.reports[0].first_line, 2);
  EXPECT_EQ(all.reports[1].first_line, 4);
  ASSERT_THAT(all.errors, SizeIs(1));
  EXPECT_EQ(all.errors[0].line, 5);
}

TEST(PoliceCsvTest, ConsecutiveRowsFormOneReport) {
  ReadAll all = Read(Csv({
      "KT-1,PA05,2024-12-05,EXTORTION_DEEPFAKE,CONFIRMED,BANK_ACCOUNT,970436,"
      "1023456789,3,150000000,deepfake",
      "KT-1,PA05,2024-12-05,EXTORTION_DEEPFAKE,CONFIRMED,PHONE,,0162 912 3456,"
      "3,150000000,deepfake",
      "KT-1,PA05,2024-12-05,EXTORTION_DEEPFAKE,CONFIRMED,CHAT_HANDLE,TELEGRAM,"
      "@ScamBoss,3,150000000,deepfake",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.errors, IsEmpty());
  ASSERT_THAT(all.reports, SizeIs(1));
  const CsvReport& r = all.reports[0];
  EXPECT_EQ(r.first_line, 2);
  EXPECT_EQ(r.rows, 3);
  ASSERT_EQ(r.report.identifiers_size(), 3);
  EXPECT_EQ(r.report.identifiers(0).kind(), v1::BANK_ACCOUNT);
  EXPECT_EQ(r.report.identifiers(0).value(), "1023456789");
  EXPECT_EQ(r.report.identifiers(1).kind(), v1::PHONE);
  EXPECT_EQ(r.report.identifiers(1).value(), "0162 912 3456");
  EXPECT_EQ(r.report.identifiers(2).kind(), v1::CHAT_HANDLE);
  EXPECT_EQ(r.report.identifiers(2).issuer(), "TELEGRAM");
  EXPECT_EQ(r.report.identifiers(2).value(), "@ScamBoss");
  EXPECT_EQ(all.rows_read, 3);
}

TEST(PoliceCsvTest, NewReportWhenReportIdOrAgencyChanges) {
  ReadAll all = Read(Csv({
      "R1,PA05,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345671,,,",  // 2
      "R1,PA05,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345672,,,",  // 3
      "R2,PA05,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345673,,,",  // 4
      "R2,PC02,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345674,,,",  // 5
      "R2,PC02,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345675,,,",  // 6
      "R1,PA05,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345676,,,",  // 7
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.errors, IsEmpty());
  ASSERT_THAT(all.reports, SizeIs(4));
  EXPECT_EQ(all.reports[0].report.report_id(), "R1");
  EXPECT_EQ(all.reports[0].first_line, 2);
  EXPECT_EQ(all.reports[0].report.identifiers_size(), 2);
  EXPECT_EQ(all.reports[1].report.report_id(), "R2");
  EXPECT_EQ(all.reports[1].report.agency(), "PA05");
  EXPECT_EQ(all.reports[1].first_line, 4);
  EXPECT_EQ(all.reports[1].report.identifiers_size(), 1);
  EXPECT_EQ(all.reports[2].report.report_id(), "R2");
  EXPECT_EQ(all.reports[2].report.agency(), "PC02");
  EXPECT_EQ(all.reports[2].first_line, 5);
  EXPECT_EQ(all.reports[2].report.identifiers_size(), 2);
  // Not consecutive: a report of its own (the server merges the parts).
  EXPECT_EQ(all.reports[3].report.report_id(), "R1");
  EXPECT_EQ(all.reports[3].first_line, 7);
  EXPECT_EQ(all.reports[3].report.identifiers(0).value(), "0912345676");
  EXPECT_EQ(all.rows_read, 6);
}

TEST(PoliceCsvTest, SpacesAroundReportIdAndAgencyDoNotSplitAReport) {
  ReadAll all = Read(Csv({
      "R1,PA05,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345671,,,",
      " R1 , PA05 ,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345672,,,",
  }));
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.identifiers_size(), 2);
}

TEST(PoliceCsvTest, BlankLinesAreSkipped) {
  ReadAll all = Read(std::string(kHeader) +
                     "\nR1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,,,\n"
                     "\n\nR2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345679,,,"
                     "\n\n");
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_THAT(all.errors, IsEmpty());
  ASSERT_THAT(all.reports, SizeIs(2));
  EXPECT_EQ(all.reports[0].first_line, 3);
  EXPECT_EQ(all.reports[1].first_line, 6);
}

TEST(PoliceCsvErrorTest, UnterminatedQuoteNamesItsLine) {
  ReadAll all = Read(Csv({
      "R0,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345677,1,2,ok",
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,\"0912,1,2,x",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.report_id(), "R0");
  ASSERT_THAT(all.errors, SizeIs(1));
  EXPECT_EQ(all.errors[0].line, 3);
  EXPECT_THAT(all.errors[0].message, HasSubstr("unterminated"));
  // The error message does not repeat "line N:" (the caller prefixes it).
  EXPECT_THAT(all.errors[0].message, Not(HasSubstr("line ")));
}

TEST(PoliceCsvErrorTest, QuoteInsideUnquotedFieldNamesItsLine) {
  ReadAll all = Read(Csv({
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,ab\"c,1,2,x",
      "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x",
      "R3,A,2024-12-01,OTHER,CONFIRMED,PHONE,,\"0912345679\"x,1,2,x",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.report_id(), "R2");
  EXPECT_EQ(all.reports[0].first_line, 3);
  ASSERT_THAT(all.errors, SizeIs(2));
  EXPECT_EQ(all.errors[0].line, 2);
  EXPECT_THAT(all.errors[0].message, HasSubstr("quote"));
  EXPECT_EQ(all.errors[1].line, 4);
  EXPECT_THAT(all.errors[1].message, HasSubstr("quote"));
  EXPECT_EQ(all.rows_read, 3);
}

TEST(PoliceCsvErrorTest, WrongColumnCount) {
  CsvLineError fewer =
      OnlyError("R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2");
  EXPECT_EQ(fewer.line, 2);
  EXPECT_THAT(fewer.message, HasSubstr("11 columns"));
  EXPECT_THAT(fewer.message, HasSubstr("10"));

  CsvLineError more =
      OnlyError("R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912,345,678,1,2,x");
  EXPECT_EQ(more.line, 2);
  EXPECT_THAT(more.message, HasSubstr("11 columns"));
  EXPECT_THAT(more.message, HasSubstr("13"));

  CsvLineError one = OnlyError("   ");
  EXPECT_EQ(one.line, 2);
  EXPECT_THAT(one.message, HasSubstr("got 1"));
}

TEST(PoliceCsvErrorTest, BadDatesNameReportedAt) {
  for (const std::string date :
       {"2024-13-01", "05/12/2024", "2024-02-30", "24-12-05", "yesterday",
        "2024-12-05T25:00", "2024-12-05T10:00+07:00junk", "0001-01-01"}) {
    CsvLineError e =
        OnlyError("R1,A," + date + ",OTHER,CONFIRMED,PHONE,,0912345678,1,2,x");
    EXPECT_EQ(e.line, 2) << date;
    EXPECT_THAT(e.message, HasSubstr("reported_at")) << date;
    EXPECT_THAT(e.message, HasSubstr(date)) << date;
  }
  CsvLineError empty =
      OnlyError("R1,A,,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x");
  EXPECT_EQ(empty.line, 2);
  EXPECT_THAT(empty.message, HasSubstr("reported_at"));
  CsvLineError spaces =
      OnlyError("R1,A,   ,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x");
  EXPECT_THAT(spaces.message, HasSubstr("reported_at"));
}

TEST(PoliceCsvErrorTest, UnknownEnumsNameTheirColumn) {
  struct Case {
    std::string row;
    std::string column;
  };
  const Case cases[] = {
      {"R1,A,2024-12-01,FRAUD,CONFIRMED,PHONE,,0912345678,1,2,x", "category"},
      {"R1,A,2024-12-01,,CONFIRMED,PHONE,,0912345678,1,2,x", "category"},
      {"R1,A,2024-12-01,CATEGORY_UNSPECIFIED,CONFIRMED,PHONE,,0912345678,1,2,x",
       "category"},
      {"R1,A,2024-12-01,OTHER,PROBABLE,PHONE,,0912345678,1,2,x", "confidence"},
      {"R1,A,2024-12-01,OTHER,,PHONE,,0912345678,1,2,x", "confidence"},
      {"R1,A,2024-12-01,OTHER,CONFIDENCE_UNSPECIFIED,PHONE,,0912345678,1,2,x",
       "confidence"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,EMAIL,,a@b.vn,1,2,x", "kind"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,,,0912345678,1,2,x", "kind"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,IDENTIFIER_KIND_UNSPECIFIED,,0912,1,2,"
       "x",
       "kind"},
  };
  for (const Case& c : cases) {
    CsvLineError e = OnlyError(c.row);
    EXPECT_EQ(e.line, 2) << c.row;
    EXPECT_TRUE(e.message.starts_with(c.column + ":"))
        << c.row << " -> " << e.message;
  }
}

TEST(PoliceCsvErrorTest, CountsMustBeWholeNumbersAtLeastZero) {
  struct Case {
    std::string row;
    std::string column;
  };
  const Case cases[] = {
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,-1,2,x",
       "victim_count"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,three,2,x",
       "victim_count"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1.5,2,x",
       "victim_count"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,3000000000,2,x",
       "victim_count"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,-2,x",
       "amount_lost"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,\"50.000.000\",x",
       "amount_lost"},
  };
  for (const Case& c : cases) {
    CsvLineError e = OnlyError(c.row);
    EXPECT_EQ(e.line, 2) << c.row;
    EXPECT_TRUE(e.message.starts_with(c.column + ":"))
        << c.row << " -> " << e.message;
  }
}

TEST(PoliceCsvErrorTest, RequiredColumns) {
  struct Case {
    std::string row;
    std::string column;
  };
  const Case cases[] = {
      {",A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x", "report_id"},
      {"R1, ,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x", "agency"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,,1,2,x", "value"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,  ,1,2,x", "value"},
  };
  for (const Case& c : cases) {
    CsvLineError e = OnlyError(c.row);
    EXPECT_EQ(e.line, 2) << c.row;
    EXPECT_TRUE(e.message.starts_with(c.column + ":"))
        << c.row << " -> " << e.message;
  }
}

TEST(PoliceCsvErrorTest, ReportWithOneBadRowIsNotReturned) {
  ReadAll all = Read(Csv({
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345671,1,2,x",  // 2
      "R1,A,2024-12-01,OTHER,CONFIRMED,FAX,,0912345672,1,2,x",    // 3 bad
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345673,1,2,x",  // 4
      "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345674,1,2,x",  // 5
      "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345675,1,2,x",  // 6
      "R3,A,2024-13-01,OTHER,CONFIRMED,PHONE,,0912345676,1,2,x",  // 7 bad
      "R3,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345677,1,2,x",  // 8
      "R4,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x",  // 9
      "R4,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345679,1,2",    // 10 bad
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.report_id(), "R2");
  EXPECT_EQ(all.reports[0].first_line, 5);
  EXPECT_EQ(all.reports[0].report.identifiers_size(), 2);
  ASSERT_THAT(all.errors, SizeIs(3));
  EXPECT_EQ(all.errors[0].line, 3);
  EXPECT_THAT(all.errors[0].message, HasSubstr("kind"));
  EXPECT_EQ(all.errors[1].line, 7);
  EXPECT_THAT(all.errors[1].message, HasSubstr("reported_at"));
  EXPECT_EQ(all.errors[2].line, 10);
  EXPECT_THAT(all.errors[2].message, HasSubstr("columns"));
  EXPECT_EQ(all.rows_read, 9);
}

TEST(PoliceCsvErrorTest, EveryBadRowOfAReportIsReported) {
  ReadAll all = Read(Csv({
      "R1,A,2024-12-01,OTHER,CONFIRMED,FAX,,0912345671,1,2,x",
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,,1,2,x",
      "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345674,1,2,x",
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.report_id(), "R2");
  ASSERT_THAT(all.errors, SizeIs(2));
  EXPECT_EQ(all.errors[0].line, 2);
  EXPECT_EQ(all.errors[1].line, 3);
  EXPECT_THAT(all.errors[1].message, HasSubstr("value"));
}

TEST(PoliceCsvErrorTest, BadValueOnALaterRowOfAReportIsAnError) {
  // Report-level columns are repeated on every row; a bad one on any row is
  // an error, not silently ignored because the first row was good.
  struct Case {
    std::string row;
    std::string column;
  };
  const Case cases[] = {
      {"R1,A,2024-13-01,OTHER,CONFIRMED,PHONE,,0912345672,1,2,x",
       "reported_at"},
      {"R1,A,,OTHER,CONFIRMED,PHONE,,0912345672,1,2,x", "reported_at"},
      {"R1,A,2024-12-01,FRAUD,CONFIRMED,PHONE,,0912345672,1,2,x", "category"},
      {"R1,A,2024-12-01,OTHER,MAYBE,PHONE,,0912345672,1,2,x", "confidence"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345672,-1,2,x",
       "victim_count"},
      {"R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345672,1,x,x",
       "amount_lost"},
  };
  for (const Case& c : cases) {
    ReadAll all = Read(Csv({
        "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345671,1,2,x",
        c.row,
        "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345674,1,2,x",
    }));
    ASSERT_TRUE(all.status.ok()) << all.status;
    ASSERT_THAT(all.reports, SizeIs(1)) << c.row;
    EXPECT_EQ(all.reports[0].report.report_id(), "R2");
    ASSERT_THAT(all.errors, SizeIs(1)) << c.row;
    EXPECT_EQ(all.errors[0].line, 3);
    EXPECT_TRUE(all.errors[0].message.starts_with(c.column + ":"))
        << c.row << " -> " << all.errors[0].message;
  }
}

TEST(PoliceCsvErrorTest, UnreadableRowInsideAReportRejectsTheReport) {
  // Line 3 cannot be split into columns, but it sits between two rows of R1:
  // sending R1 without it would store part of a report.
  ReadAll all = Read(Csv({
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345671,1,2,x",    // 2
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,09123\"45672,1,2,x",  // 3 bad
      "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345673,1,2,x",    // 4
      "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345674,1,2,x",    // 5
  }));
  ASSERT_TRUE(all.status.ok()) << all.status;
  ASSERT_THAT(all.reports, SizeIs(1));
  EXPECT_EQ(all.reports[0].report.report_id(), "R2");
  EXPECT_EQ(all.reports[0].first_line, 5);
  ASSERT_THAT(all.errors, SizeIs(1));
  EXPECT_EQ(all.errors[0].line, 3);
  EXPECT_THAT(all.errors[0].message, HasSubstr("quote"));
  EXPECT_EQ(all.rows_read, 4);
}

TEST(PoliceCsvErrorTest, ErrorsComeWithTheNextCallAndReadingGoesOn) {
  std::istringstream in(Csv({
      "R1,A,2024-13-01,OTHER,CONFIRMED,PHONE,,0912345671,1,2,x",
      "R2,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345672,1,2,x",
      "R3,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345673,1,2",
  }));
  PoliceCsvReader reader(&in);
  std::vector<CsvLineError> errors;
  CsvReport report;
  auto got = reader.Next(&report, &errors);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(*got);
  EXPECT_EQ(report.report.report_id(), "R2");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].line, 2);
  errors.clear();

  got = reader.Next(&report, &errors);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].line, 4);
  EXPECT_EQ(reader.rows_read(), 3);
  EXPECT_EQ(reader.lines_read(), 4);

  // Stays at the end.
  errors.clear();
  got = reader.Next(&report, &errors);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
  EXPECT_THAT(errors, IsEmpty());
}

TEST(PoliceCsvTest, RowsReadCountsGoodAndBadRows) {
  std::vector<std::string> rows;
  for (int i = 0; i < 50; ++i) {
    rows.push_back(absl::StrCat("R", i / 5,
                                ",A,2024-12-01,OTHER,CONFIRMED,PHONE,,09123456",
                                10 + i, ",1,2,x"));
  }
  rows[7] = "broken,\"row";  // eats the rest of the file: unterminated
  ReadAll all = Read(Csv(rows));
  ASSERT_TRUE(all.status.ok()) << all.status;
  // Reports R0 (rows 0-4) is whole; R1 (rows 5-6) ends at the broken row.
  ASSERT_THAT(all.errors, SizeIs(1));
  EXPECT_EQ(all.errors[0].line, 9);
  EXPECT_EQ(all.rows_read, 8);

  rows[7] = "R1,A,2024-12-01,OTHER,CONFIRMED,PHONE,,0912345617,1,2,x";
  ReadAll good = Read(Csv(rows));
  EXPECT_THAT(good.errors, IsEmpty());
  EXPECT_THAT(good.reports, SizeIs(10));
  EXPECT_EQ(good.rows_read, 50);
}

}  // namespace
}  // namespace fraudgate::cli
