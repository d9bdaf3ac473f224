// Where police mutations go (DESIGN §3, §9). A single node applies each
// mutation event to its own store (LocalListWriter). A cluster node publishes
// it to the replicated FRAUDGATE_LIST stream, from which every node,
// itself included, applies it in stream order (cluster/cluster_list.h).
//
// Thread safety: implementations are thread-safe.
#ifndef FRAUDGATE_SERVICE_LIST_WRITER_H_
#define FRAUDGATE_SERVICE_LIST_WRITER_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fraudgate/v1/storage.pb.h"
#include "store/blocklist_store.h"

namespace fraudgate::service {

struct WriteOptions {
  // Return only once this node applied the event, with its result
  // (read-your-writes). Without it a cluster node returns once the stream
  // stored the event on a quorum of its replicas.
  bool wait_applied = false;
  // Give up (DEADLINE_EXCEEDED) at this time. Default: never.
  absl::Time deadline = absl::InfiniteFuture();
};

struct Written {
  // The list version the event was given: the stream sequence in a cluster.
  uint64_t list_version = 0;
  // What the event did, once applied on this node; nullopt when the writer
  // returned before (a cluster node without wait_applied).
  std::optional<store::EventResult> result;
};

class ListWriter {
 public:
  virtual ~ListWriter() = default;

  // Writes `event` (validated; actor and time set by the caller). The
  // store's error (UNAVAILABLE) when it is not stored. A cluster's
  // UNAVAILABLE or DEADLINE_EXCEEDED (at `options.deadline`) means it was not
  // acknowledged: it may still be stored and applied later, and writing it
  // again is safe.
  virtual absl::StatusOr<Written> Write(const v1::ListEvent& event,
                                        const WriteOptions& options) = 0;

  // OK while this node's list may answer screenings; UNAVAILABLE, saying
  // why, when it is known to lag behind the list beyond its bound.
  virtual absl::Status Fresh() const = 0;
};

// A single node: applies events to `list` at once; always fresh.
class LocalListWriter final : public ListWriter {
 public:
  // `list` must outlive the writer.
  explicit LocalListWriter(store::BlocklistStore* list) : list_(list) {}

  absl::StatusOr<Written> Write(const v1::ListEvent& event,
                                const WriteOptions& options) override;
  absl::Status Fresh() const override { return absl::OkStatus(); }

 private:
  store::BlocklistStore* const list_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_LIST_WRITER_H_
