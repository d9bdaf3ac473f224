// Logging for the background loops of the clustered mode, which retry what
// fails until it works: each new problem is logged once (a warning, event
// `event`, with the stream's name when there is one, and the error), not
// every retry; Clear() once it works, so the same problem later is logged
// again.
//
// Thread safety: used from one thread.
#ifndef FRAUDGATE_CLUSTER_PROBLEM_LOG_H_
#define FRAUDGATE_CLUSTER_PROBLEM_LOG_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "service/log.h"

namespace fraudgate::cluster {

class ProblemLog {
 public:
  ProblemLog(service::Logger* logger, std::string event, std::string stream)
      : logger_(logger), event_(std::move(event)), stream_(std::move(stream)) {}

  void Report(const absl::Status& status) {
    if (status.ToString() == last_) return;
    last_ = status.ToString();
    service::LogFields fields;
    if (!stream_.empty()) fields.Add("stream", stream_);
    fields.Add("error", last_);
    logger_->Log(service::LogLevel::kWarning, event_, fields);
  }
  void Clear() { last_.clear(); }

 private:
  service::Logger* const logger_;
  const std::string event_;
  const std::string stream_;
  std::string last_;
};

}  // namespace fraudgate::cluster

#endif  // FRAUDGATE_CLUSTER_PROBLEM_LOG_H_
