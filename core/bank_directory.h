// The directory of NAPAS member banks (and e-wallet operators that hold a
// NAPAS BIN), built from the public NAPAS/VietQR bank list. Used to turn a bank
// given by BIN, short name, full name or alias into its BIN, the canonical
// issuer of a BANK_ACCOUNT identifier.
//
// Data file format (core/data/banks.tsv, compiled into the binary): UTF-8,
// one bank per line, tab-separated columns
//   BIN <TAB> short name <TAB> full name <TAB> aliases (comma-separated, may be
//   empty)
// Lines starting with '#' and blank lines are ignored.
//
// Thread safety: a BankDirectory is immutable after Parse(); all const methods
// may be called concurrently.
#ifndef FRAUDGATE_CORE_BANK_DIRECTORY_H_
#define FRAUDGATE_CORE_BANK_DIRECTORY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace fraudgate::core {

struct Bank {
  std::string bin;                   // 6 digits, e.g. "970436"
  std::string short_name;            // e.g. "Vietcombank"
  std::string name;                  // full legal name
  std::vector<std::string> aliases;  // e.g. {"VCB"}
};

class BankDirectory {
 public:
  // Parses the data file text. InvalidArgument naming the line number when a
  // line has the wrong column count, a BIN that is not 6 digits, or a BIN or
  // name that is already taken by another bank.
  static absl::StatusOr<BankDirectory> Parse(std::string_view text);

  // The directory compiled in from core/data/banks.tsv (parsed once).
  static const BankDirectory& BuiltIn();

  // Finds a bank by BIN, short name, full name or alias. Matching ignores
  // case, spaces, dots, dashes and underscores ("vietcombank", "VCB",
  // "Viet-com bank", "970436" all find Vietcombank). nullptr when unknown.
  const Bank* Find(std::string_view bin_or_name) const;

  const std::vector<Bank>& banks() const { return banks_; }

 private:
  std::vector<Bank> banks_;
  // Folded name/BIN -> index into banks_.
  absl::flat_hash_map<std::string, size_t> index_;
};

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_BANK_DIRECTORY_H_
