#include "service/list_writer.h"

namespace fraudgate::service {

absl::StatusOr<Written> LocalListWriter::Write(const v1::ListEvent& event,
                                               const WriteOptions&) {
  auto result = list_->Apply(event);
  if (!result.ok()) return result.status();
  Written written;
  written.list_version = result->list_version;
  written.result = *std::move(result);
  return written;
}

}  // namespace fraudgate::service
