// Progress of long-running CLI work on a terminal: one line on stderr,
// rewritten at most 5 times a second; nothing when stderr is not a terminal.
#ifndef FRAUDGATE_CLI_PROGRESS_H_
#define FRAUDGATE_CLI_PROGRESS_H_

#include <string>

#include "absl/time/time.h"

namespace fraudgate::cli {

class Progress {
 public:
  Progress();
  // Shows `text` (e.g. "12000 rows, 4000 reports") unless shown < 200 ms ago.
  void Update(const std::string& text);
  // Ends the progress line.
  void Done();

 private:
  const bool enabled_;
  absl::Time start_;
  absl::Time last_ = absl::InfinitePast();
  bool shown_ = false;
};

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_PROGRESS_H_
