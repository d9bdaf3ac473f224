// CSV as every `--format=csv` of the CLI writes it (hits, past, screen,
// entity, delist, outcome, stats, withdraw, audit log, backup list): RFC 4180
// quoting, and safe to open in a spreadsheet.
//
// Formula injection: Excel, LibreOffice and Google Sheets take a cell that
// begins with '=', '+', '-', '@', a tab or a carriage return as a formula
// (`=HYPERLINK(...)` sends data away, `=cmd|...` can run a program), and the
// text cells of an export are chosen by callers and police (a transfer id, an
// agency, a note). Every such cell is written with a single quote before it,
// and quoted, as OWASP advises: `=1+1` is written `"'=1+1"`, which a
// spreadsheet shows as the text =1+1.
//
// The rule applies to every cell, text or number alike, so a text cell that
// looks like a number cannot slip through. The numbers the CLI writes stay
// numbers: amounts (the server refuses a negative one), scores, counts, list
// versions and ids are never negative, and times begin with the year, so none
// begins with one of those characters. A program that reads an export back
// takes one leading ' off a quoted cell whose next character is one of them.
#ifndef FRAUDGATE_CLI_CSV_OUTPUT_H_
#define FRAUDGATE_CLI_CSV_OUTPUT_H_

#include <string>
#include <string_view>
#include <vector>

namespace fraudgate::cli {

// What the help of every --format flag says about csv.
inline constexpr char kCsvFormatHelp[] =
    "csv: a cell beginning with = + - @, a tab or CR gets a ' before it, so a "
    "spreadsheet shows it as text instead of running it as a formula";

// One cell: neutralised as above, and quoted (quotes doubled) when it holds
// a ',', '"', CR or LF or was neutralised.
std::string CsvCell(std::string_view value);

// The cells of one row, each CsvCell, joined with ','; no line end.
std::string CsvLine(const std::vector<std::string>& cells);

// Prints `header` (lower-cased; none when empty) and `rows` to stdout, a
// CsvLine and "\n" each.
void PrintCsv(const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows);

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_CSV_OUTPUT_H_
