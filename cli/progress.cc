#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/time/clock.h"

namespace fraudgate::cli {

Progress::Progress()
    : enabled_(isatty(STDERR_FILENO) == 1), start_(absl::Now()) {}

void Progress::Update(const std::string& text) {
  if (!enabled_) return;
  const absl::Time now = absl::Now();
  if (now - last_ < absl::Milliseconds(200)) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stderr, "\r\033[K%s (%.1fs)", text.c_str(),
               absl::ToDoubleSeconds(now - start_));
  std::fflush(stderr);
}

void Progress::Done() {
  if (enabled_ && shown_) std::fprintf(stderr, "\n");
  shown_ = false;
}

}  // namespace fraudgate::cli
