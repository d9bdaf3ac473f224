// The little of NATS JetStream that the clustered mode uses (DESIGN §9), over
// the C client (libnats): a connection to a cluster that reconnects by
// itself, streams, publishes de-duplicated by message id, and durable pull
// consumers read from a given stream sequence. The only code that sees
// nats.h; every natsStatus becomes an absl::Status here: UNAVAILABLE for
// what the cluster may get over (a server down, a stream leader being
// elected: callers retry within their own deadline), INVALID_ARGUMENT for
// what no retry mends (a message over the servers' max_payload).
//
// Thread safety: JetStream is thread-safe. A Consumer is used from one thread.
#ifndef FRAUDGATE_CLUSTER_JETSTREAM_H_
#define FRAUDGATE_CLUSTER_JETSTREAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/log.h"

struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;

namespace fraudgate::cluster {

struct JetStreamOptions {
  // nats://HOST:PORT or tls://HOST:PORT of one or more servers of the
  // cluster. Required.
  std::vector<std::string> servers;
  // Mutual TLS to the servers: `ca.pem` (the CA that signed the servers'
  // certificates), and this node's certificate `node.pem` with its key
  // `node-key.pem`, whose identity (URI SAN spiffe://fraudgate/node/NAME)
  // the servers map to a NATS user and its permissions
  // (deploy/cluster/nats-permissions.conf). Default empty: plaintext, which
  // is allowed only when every server is on loopback.
  std::string tls_dir;
  // The connection's name, as NATS monitoring shows it. Default empty.
  std::string name;
  // How long one JetStream request (publish, stream or consumer info) waits
  // for its answer. Default 2 s.
  absl::Duration request_timeout = absl::Seconds(2);
  // Where errors the servers send on their own are logged ("nats_error"),
  // e.g. a permissions violation, which the request itself sees only as a
  // timeout; must outlive the connection. Default null: not logged.
  service::Logger* logger = nullptr;
};

// One message read by a Consumer.
struct StreamMessage {
  uint64_t sequence = 0;  // the stream sequence
  uint64_t pending = 0;   // messages after it in the stream, when read
  absl::Time stored_at;   // when the stream stored it (its leader's clock)
  std::string msg_id;     // its Nats-Msg-Id header; empty when none
  std::string data;
};

class Consumer;

// INVALID_ARGUMENT naming the field when Connect would refuse `options`
// before trying a server: no servers, a server that is not
// nats|tls://HOST:PORT, plaintext to a server not on loopback, tls://
// without tls_dir, or a TLS file that cannot be read.
absl::Status ValidateJetStreamOptions(const JetStreamOptions& options);

class JetStream {
 public:
  // Connects to one of `options.servers`. UNAVAILABLE when none answers or
  // accepts this node (TLS or authorization refused); INVALID_ARGUMENT for
  // what ValidateJetStreamOptions refuses. Once connected, the connection is
  // re-established by itself, to any of `options.servers` (not to servers
  // they advertise), for as long as the object lives. Pings every 2 s notice a
  // dead connection in about 6 s. Publish fails at once while not connected;
  // libnats may still hold back one message made as the connection dropped and
  // send it on reconnect.
  static absl::StatusOr<std::unique_ptr<JetStream>> Connect(
      const JetStreamOptions& options);
  ~JetStream();

  // Creates stream `stream` on `subject`, in files, with `replicas` copies,
  // keeping messages for `max_age` (zero: for ever) and, when `max_bytes` is
  // not 0, dropping the oldest past that size; OK when it exists already
  // (its configuration is left as it is).
  absl::Status AddStream(const std::string& stream, const std::string& subject,
                         int replicas,
                         absl::Duration max_age = absl::ZeroDuration(),
                         int64_t max_bytes = 0);

  // The stream's last sequence (0 when empty), and its first (messages
  // before it were removed: by age or size).
  absl::StatusOr<uint64_t> LastSequence(const std::string& stream);
  absl::StatusOr<uint64_t> FirstSequence(const std::string& stream);
  // When the stream stored message `sequence` (its leader's clock).
  // NOT_FOUND when the stream has no such message.
  absl::StatusOr<absl::Time> StoredAt(const std::string& stream,
                                      uint64_t sequence);
  // The server_name of the stream's leader; empty when it has none now.
  absl::StatusOr<std::string> StreamLeader(const std::string& stream);

  // Publishes `data` to `subject` with message id `msg_id`, and returns its
  // stream sequence once the stream stored it on a quorum of its replicas. A
  // message id already stored within the stream's de-duplication window
  // (2 min) is not stored again: its sequence is returned.
  absl::StatusOr<uint64_t> Publish(const std::string& subject,
                                   const std::string& data,
                                   const std::string& msg_id);

  // Publishes without waiting for the stream's answer (FlushAsync waits for
  // them all). At most 4096 messages wait for their answer; more wait up to
  // the request timeout for room, then fail. A message the stream refuses or
  // does not answer in time counts in async_failures().
  absl::Status PublishAsync(const std::string& subject, const std::string& data,
                            const std::string& msg_id);
  // Waits up to `timeout` for the answers to every PublishAsync so far.
  absl::Status FlushAsync(absl::Duration timeout);
  int64_t async_failures() const { return async_failures_.load(); }

  // A durable pull consumer `durable` of `stream`, on `subject`, that
  // delivers from sequence `start` on. The consumer of that name is used as
  // it is when its state says it delivers `start` next: one left by a
  // process that stopped there, or made by an earlier call whose answer
  // timed out; while such a consumer has no leader (JetStream is electing
  // one), UNAVAILABLE. Any other consumer of that name is replaced (its
  // position is not the caller's). Either way the caller checks the
  // sequences it reads.
  //
  // Making a consumer may wait for an election: nats-server before 2.12
  // picks a new consumer's first leader at random among the stream's
  // servers, down or not, and when it is down the others elect one only
  // after their election timeout (4-9 s); the create, and a delete, are
  // answered only by a leader. So a process restarted where it stopped
  // makes no consumer, server down or not, and a create that timed out is
  // waited for, not replaced by another that may wait as long.
  absl::StatusOr<std::unique_ptr<Consumer>> Consume(const std::string& stream,
                                                    const std::string& subject,
                                                    const std::string& durable,
                                                    uint64_t start);

 private:
  JetStream() = default;
  // What stream info says of the stream.
  struct StreamFacts {
    uint64_t first = 0;
    uint64_t last = 0;
    std::string leader;  // empty without one
  };
  absl::StatusOr<StreamFacts> Facts(const std::string& stream);
  __natsConnection* connection_ = nullptr;
  __jsCtx* js_ = nullptr;
  __jsCtx* async_js_ = nullptr;  // PublishAsync's, with its error handler
  std::atomic<int64_t> async_failures_{0};
  int64_t timeout_ms_ = 2000;
};

class Consumer {
 public:
  ~Consumer();
  // Up to `max` messages in stream order: those the stream has at once,
  // else waits up to `wait` for the next. Empty when none came. Each message
  // returned is acknowledged.
  absl::StatusOr<std::vector<StreamMessage>> Fetch(int max,
                                                   absl::Duration wait);

 private:
  friend class JetStream;
  Consumer() = default;
  __natsSubscription* subscription_ = nullptr;
};

}  // namespace fraudgate::cluster

#endif  // FRAUDGATE_CLUSTER_JETSTREAM_H_
