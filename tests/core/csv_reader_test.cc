#include "core/csv_reader.h"

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::size_t kMiB = std::size_t{1} << 20;

// Reads `input` to the end. Each record becomes "LINE:[f1|f2|...]" and each
// error "LINE:ERR message", LINE being line() after the call.
std::vector<std::string> ReadAll(std::string_view input) {
  std::istringstream in{std::string(input)};
  CsvReader reader(&in);
  std::vector<std::string> out;
  std::vector<std::string> fields;
  // Bounded so that a reader that stops making progress fails the test
  // instead of hanging it.
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<bool> next = reader.Next(&fields);
    if (!next.ok()) {
      EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
      out.push_back(
          absl::StrCat(reader.line(), ":ERR ", next.status().message()));
    } else if (*next) {
      out.push_back(
          absl::StrCat(reader.line(), ":[", absl::StrJoin(fields, "|"), "]"));
    } else {
      return out;
    }
  }
  ADD_FAILURE() << "reader did not reach the end of the input";
  return out;
}

struct Case {
  std::string name;
  std::string input;
  std::vector<std::string> want;
};

// Test names show the case name, not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CsvReaderTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(CsvReaderTableTest, ReadsRecordsAndErrors) {
  EXPECT_EQ(ReadAll(GetParam().input), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Records, CsvReaderTableTest,
    ::testing::Values(
        Case{"Empty", "", {}},
        Case{"Simple", "a,b,c\n1,2,3\n", {"1:[a|b|c]", "2:[1|2|3]"}},
        Case{"NoFinalLineBreak", "a,b\nc,d", {"1:[a|b]", "2:[c|d]"}},
        Case{"Crlf", "a,b\r\nc,d\r\n", {"1:[a|b]", "2:[c|d]"}},
        Case{"LoneCr", "a\rb\r", {"1:[a]", "2:[b]"}},
        Case{"EmptyFields", ",a,,\n", {"1:[|a||]"}},
        Case{"SpacesKept", " a , b \n", {"1:[ a | b ]"}},
        Case{"QuotedComma", "\"a,b\",c\n", {"1:[a,b|c]"}},
        Case{"DoubledQuotes",
             "\"say \"\"hi\"\"\",\"\"\"\"\n",
             {"1:[say \"hi\"|\"]"}},
        Case{"EmptyQuoted", "\"\",x,\"\"\n", {"1:[|x|]"}},
        Case{"QuotedFieldAtEof", "a,\"b\"", {"1:[a|b]"}},
        Case{"QuotedLf", "\"a\nb\",c\nd\n", {"1:[a\nb|c]", "3:[d]"}},
        Case{"QuotedCrlf",
             "\"a\r\nb\r\nc\"\r\nd\r\n",
             {"1:[a\r\nb\r\nc]", "4:[d]"}},
        Case{"QuotedLoneCr", "\"a\rb\"\nc\n", {"1:[a\rb]", "3:[c]"}},
        Case{
            "QuotedBlankLines", "x,\"\n\n\",y\nz\n", {"1:[x|\n\n|y]", "4:[z]"}},
        Case{"TrailingEmptyLine", "a\n\n", {"1:[a]"}},
        Case{"OnlyLineBreaks", "\n\r\n\r", {}},
        Case{"BlankLinesSkipped", "\n\na\n\n\nb\n\n", {"3:[a]", "6:[b]"}},
        Case{"BlankCrlfLinesSkipped", "\r\n\r\na\r\n\r\nb", {"3:[a]", "5:[b]"}},
        Case{"SpacesOnlyLineIsRecord", " \n", {"1:[ ]"}},
        Case{"EmptyQuotedLineIsRecord", "\"\"\n", {"1:[]"}},
        Case{"Bom",
             "\xEF\xBB\xBF"
             "a,b\nc\n",
             {"1:[a|b]", "2:[c]"}},
        Case{"BomThenQuoted", "\xEF\xBB\xBF\"a\"\n", {"1:[a]"}},
        Case{"BomOnly", "\xEF\xBB\xBF", {}},
        Case{"BomThenBlankLine", "\xEF\xBB\xBF\r\na\r\n", {"2:[a]"}},
        Case{"BomNotAtStartIsData",
             "a\n\xEF\xBB\xBF"
             "b\n",
             {"1:[a]",
              "2:[\xEF\xBB\xBF"
              "b]"}},
        // U+FF21 (EF BC A1) and U+FEC0 (EF BB 80) begin like a BOM.
        Case{"BomLikeFirstByte", "\xEF\xBC\xA1,b\n", {"1:[\xEF\xBC\xA1|b]"}},
        Case{"BomLikeFirstTwoBytes", "\xEF\xBB\x80\n", {"1:[\xEF\xBB\x80]"}},
        Case{"Vietnamese",
             "C\xC3\xB4ng an t\xE1\xBB\x89nh Kon Tum,\"H\xC3\xA0 "
             "N\xE1\xBB\x99i, "
             "Vi\xE1\xBB\x87t Nam\"\n",
             {"1:[Công an tỉnh Kon Tum|Hà Nội, Việt Nam]"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Errors, CsvReaderTableTest,
    ::testing::Values(
        Case{"QuoteInUnquoted",
             "ab\"c,d\nx,y\n",
             {"1:ERR line 1: quote inside an unquoted field", "2:[x|y]"}},
        Case{"QuoteInLaterUnquotedField",
             "a,b\"c\r\nd\r\n",
             {"1:ERR line 1: quote inside an unquoted field", "2:[d]"}},
        Case{"QuoteAfterLeadingSpace",
             "a, \"b\"\nc\n",
             {"1:ERR line 1: quote inside an unquoted field", "2:[c]"}},
        Case{"QuoteAfterPartialBom",
             "\xEF\"a\"\nb\n",
             {"1:ERR line 1: quote inside an unquoted field", "2:[b]"}},
        Case{"TextAfterClosingQuote",
             "\"ab\"c,d\nx\n",
             {"1:ERR line 1: text after a closing quote", "2:[x]"}},
        Case{"SpaceAfterClosingQuote",
             "x\n\"ab\" ,d\ny\n",
             {"1:[x]", "2:ERR line 2: text after a closing quote", "3:[y]"}},
        // The error names the record's first line; reading resumes after the
        // physical line holding the bad byte.
        Case{"TextAfterMultiLineQuoted",
             "\"a\nb\"x\ny\n",
             {"1:ERR line 1: text after a closing quote", "3:[y]"}},
        Case{"Unterminated",
             "a\n\"bc\nd\n",
             {"1:[a]", "2:ERR line 2: unterminated quoted field"}},
        Case{"UnterminatedAfterField",
             "a,\"b",
             {"1:ERR line 1: unterminated quoted field"}},
        Case{"ErrorOnLastLineWithoutBreak",
             "a\nb\"c",
             {"1:[a]", "2:ERR line 2: quote inside an unquoted field"}},
        Case{"ErrorsInARow",
             "a\"\nb\"\n\nc\n",
             {"1:ERR line 1: quote inside an unquoted field",
              "2:ERR line 2: quote inside an unquoted field", "4:[c]"}}),
    [](const auto& info) { return info.param.name; });

TEST(CsvReaderTest, ClearsFieldsAndStaysAtEnd) {
  std::istringstream in("a\n");
  CsvReader reader(&in);
  EXPECT_EQ(reader.line(), 0);
  std::vector<std::string> fields = {"stale", "values"};
  EXPECT_TRUE(reader.Next(&fields).value());
  EXPECT_THAT(fields, ElementsAre("a"));
  EXPECT_FALSE(reader.Next(&fields).value());
  EXPECT_THAT(fields, IsEmpty());
  EXPECT_FALSE(reader.Next(&fields).value());
}

TEST(CsvReaderTest, RecordOfExactlyOneMiBIsRead) {
  const std::string big(kMiB - 2, 'x');
  const std::vector<std::string> got =
      ReadAll(absl::StrCat(big, ",y\r\nnext\r\n"));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], absl::StrCat("1:[", big, "|y]"));
  EXPECT_EQ(got[1], "2:[next]");
}

TEST(CsvReaderTest, RecordOverOneMiBIsRejectedAndSkipped) {
  EXPECT_THAT(
      ReadAll(absl::StrCat("a\n", std::string(kMiB + 1, 'x'), "\nb,c\n")),
      ElementsAre("1:[a]", "2:ERR line 2: record longer than 1 MiB",
                  "3:[b|c]"));
}

TEST(CsvReaderTest, QuotedRecordOverOneMiBIsRejectedAndSkipped) {
  EXPECT_THAT(ReadAll(absl::StrCat("\"", std::string(kMiB, 'x'), "\"\nb\n")),
              ElementsAre("1:ERR line 1: record longer than 1 MiB", "2:[b]"));
}

TEST(CsvReaderTest, ManyCommasCountTowardsTheLimit) {
  EXPECT_THAT(ReadAll(absl::StrCat(std::string(kMiB + 1, ','), "\nb\n")),
              ElementsAre("1:ERR line 1: record longer than 1 MiB", "2:[b]"));
}

TEST(CsvReaderTest, ReadsLargeGeneratedInput) {
  constexpr int kRows = 200000;
  std::string input = "report_id,agency,note\r\n";
  for (int i = 1; i <= kRows; ++i) {
    // Every 1000th note spans two physical lines.
    absl::StrAppend(&input, "R", i, ",\"C\xC3\xB4ng an, ", i, "\",\"",
                    i % 1000 == 0 ? "two\r\nlines" : "one", "\"\r\n");
  }
  std::istringstream in(input);
  CsvReader reader(&in);
  std::vector<std::string> fields;
  ASSERT_TRUE(reader.Next(&fields).value());  // The header.
  int rows = 0;
  int expected_line = 2;
  for (;;) {
    absl::StatusOr<bool> next = reader.Next(&fields);
    ASSERT_TRUE(next.ok()) << next.status();
    if (!*next) break;
    ++rows;
    ASSERT_EQ(reader.line(), expected_line);
    ASSERT_EQ(fields.size(), 3u);
    ASSERT_EQ(fields[0], absl::StrCat("R", rows));
    ASSERT_EQ(fields[1], absl::StrCat("C\xC3\xB4ng an, ", rows));
    expected_line += rows % 1000 == 0 ? 2 : 1;
  }
  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(expected_line, 2 + kRows + kRows / 1000);
}

}  // namespace
}  // namespace fraudgate::core
