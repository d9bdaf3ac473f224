// FUZZ_CHECK(cond) << ...: an invariant of a fuzz target. On violation it
// prints the condition and the streamed details to stderr and aborts, which
// libFuzzer (and the replay tests) report as a crash.
#ifndef FRAUDGATE_TESTS_FUZZ_FUZZ_CHECK_H_
#define FRAUDGATE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdlib>
#include <iostream>
#include <ostream>
#include <sstream>

namespace fraudgate::fuzz {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    out_ << file << ":" << line << ": FUZZ_CHECK failed: " << condition << " ";
  }
  [[noreturn]] ~CheckFailure() {
    std::cerr << out_.str() << std::endl;
    std::abort();
  }
  std::ostream& stream() { return out_; }

 private:
  std::ostringstream out_;
};

}  // namespace fraudgate::fuzz

#define FUZZ_CHECK(condition) \
  if (condition) {            \
  } else                      \
    ::fraudgate::fuzz::CheckFailure(__FILE__, __LINE__, #condition).stream()

#endif  // FRAUDGATE_TESTS_FUZZ_FUZZ_CHECK_H_
