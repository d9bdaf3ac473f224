#include "cli/csv_output.h"

#include <iostream>

#include "core/text.h"

namespace fraudgate::cli {
namespace {

// What a spreadsheet reads as the start of a formula.
bool StartsLikeFormula(std::string_view value) {
  return !value.empty() && std::string_view("=+-@\t\r").find(value.front()) !=
                               std::string_view::npos;
}

}  // namespace

std::string CsvCell(std::string_view value) {
  const bool formula = StartsLikeFormula(value);
  if (!formula && value.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = formula ? "\"'" : "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ",";
    line += CsvCell(cells[i]);
  }
  return line;
}

void PrintCsv(const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows) {
  if (!header.empty()) {
    std::vector<std::string> lower;
    for (const std::string& name : header) {
      lower.push_back(core::AsciiLower(name));
    }
    std::cout << CsvLine(lower) << "\n";
  }
  for (const auto& row : rows) std::cout << CsvLine(row) << "\n";
}

}  // namespace fraudgate::cli
