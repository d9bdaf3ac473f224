#include "cluster/jetstream.h"

#include <nats/nats.h>

#include <fstream>
#include <string_view>

#include "core/status_macros.h"
#include "core/text.h"
#include "service/server.h"

namespace fraudgate::cluster {
namespace {

// The one translation of the C client's errors. Everything but a caller's
// mistake is UNAVAILABLE: a cluster electing a leader or a server being
// restarted answers again later.
absl::Status FromNats(natsStatus s, jsErrCode error, std::string_view what) {
  if (s == NATS_OK) return absl::OkStatus();
  std::string text = core::StrCat("nats: ", what, ": ", natsStatus_GetText(s));
  if (error != 0) text += core::StrCat(" (JetStream error ", error, ")");
  const char* last = nats_GetLastError(nullptr);
  if (last != nullptr && *last != '\0' && std::string_view(last) != text) {
    text += core::StrCat(": ", last);
  }
  if (s == NATS_INVALID_ARG || s == NATS_MAX_PAYLOAD) {
    return absl::InvalidArgumentError(text);
  }
  return absl::UnavailableError(text);
}

// Publish options: message id `msg_id` (kept by the caller), an answer
// awaited for `timeout_ms`.
jsPubOptions PubOptions(const std::string& msg_id, int64_t timeout_ms) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = msg_id.c_str();
  options.MaxWait = timeout_ms;
  return options;
}

// Whether consumer `info` is a pull consumer as MakeConsumer makes them for
// `subject` that delivers sequence `start` next: made from there with
// nothing delivered yet (also while no leader is elected), or having
// delivered up to just before it.
bool DeliversNext(const jsConsumerInfo& info, const std::string& subject,
                  uint64_t start) {
  const jsConsumerConfig* config = info.Config;
  if (config == nullptr || config->DeliverPolicy != js_DeliverByStartSequence ||
      config->AckPolicy != js_AckExplicit ||
      (config->DeliverSubject != nullptr && *config->DeliverSubject != '\0') ||
      config->FilterSubject == nullptr || subject != config->FilterSubject) {
    return false;
  }
  if (info.Delivered.Consumer == 0) return config->OptStartSeq == start;
  return info.Delivered.Stream + 1 == start;
}

// Makes pull consumer `durable` of `stream`, on `subject`, delivering from
// sequence `start`; first deletes the one of that name when `replace`.
absl::Status MakeConsumer(jsCtx* js, const std::string& stream,
                          const std::string& subject,
                          const std::string& durable, uint64_t start,
                          bool replace) {
  jsErrCode error = static_cast<jsErrCode>(0);
  if (replace) {
    const natsStatus s =
        js_DeleteConsumer(js, stream.c_str(), durable.c_str(), nullptr, &error);
    if (s != NATS_OK && error != JSConsumerNotFoundErr) {
      return FromNats(s, error, core::StrCat("delete consumer ", durable));
    }
  }
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = durable.c_str();
  config.DeliverPolicy = js_DeliverByStartSequence;
  config.OptStartSeq = start;
  config.AckPolicy = js_AckExplicit;
  config.FilterSubject = subject.c_str();
  jsConsumerInfo* info = nullptr;
  error = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_AddConsumer(&info, js, stream.c_str(), &config, nullptr, &error);
  jsConsumerInfo_Destroy(info);
  return FromNats(s, error, core::StrCat("add consumer ", durable));
}

struct OptionsDeleter {
  void operator()(natsOptions* p) const { natsOptions_Destroy(p); }
};

constexpr const char* kTlsFiles[] = {"ca.pem", "node.pem", "node-key.pem"};

std::string TlsFile(const JetStreamOptions& options, const char* name) {
  return core::StrCat(options.tls_dir, "/", name);
}

// Loads the CA and this node's certificate into `opts`.
absl::Status UseTls(const JetStreamOptions& options, natsOptions* opts) {
  natsStatus s = natsOptions_SetSecure(opts, true);
  if (s == NATS_OK) {
    s = natsOptions_LoadCATrustedCertificates(
        opts, TlsFile(options, "ca.pem").c_str());
  }
  if (s == NATS_OK) {
    s = natsOptions_LoadCertificatesChain(
        opts, TlsFile(options, "node.pem").c_str(),
        TlsFile(options, "node-key.pem").c_str());
  }
  if (s == NATS_OK) return absl::OkStatus();
  const char* last = nats_GetLastError(nullptr);
  return absl::InvalidArgumentError(core::StrCat(
      "cluster.tls_dir: ", options.tls_dir, ": ", natsStatus_GetText(s),
      last != nullptr ? ": " : "", last != nullptr ? last : ""));
}

}  // namespace

absl::Status ValidateJetStreamOptions(const JetStreamOptions& options) {
  if (options.servers.empty()) {
    return absl::InvalidArgumentError("cluster.servers: no NATS server given");
  }
  for (const std::string& server : options.servers) {
    const size_t scheme = server.find("://");
    const std::string name =
        scheme == std::string::npos ? "" : server.substr(0, scheme);
    const std::string address =
        scheme == std::string::npos ? server : server.substr(scheme + 3);
    const size_t colon = address.rfind(':');
    if ((name != "nats" && name != "tls") || colon == std::string::npos ||
        colon == 0 || colon + 1 == address.size() ||
        address.find_first_not_of("0123456789", colon + 1) !=
            std::string::npos ||
        address.find_first_of("/@") != std::string::npos) {
      return absl::InvalidArgumentError(core::StrCat(
          "cluster.servers: nats://HOST:PORT or tls://HOST:PORT expected, "
          "got \"",
          server, "\""));
    }
    if (options.tls_dir.empty() && name == "tls") {
      return absl::InvalidArgumentError(core::StrCat(
          "cluster.tls_dir: ", server,
          " is TLS: give a directory with ca.pem, node.pem and node-key.pem"));
    }
    if (options.tls_dir.empty() && !service::IsLoopbackAddress(address)) {
      return absl::InvalidArgumentError(core::StrCat(
          "cluster.tls_dir: NATS without TLS is allowed only on loopback, and ",
          server,
          " is not; give a directory with ca.pem, node.pem and node-key.pem"));
    }
  }
  if (options.tls_dir.empty()) return absl::OkStatus();
  for (const char* name : kTlsFiles) {
    if (!std::ifstream(TlsFile(options, name))) {
      return absl::InvalidArgumentError(
          core::StrCat("cluster.tls_dir: cannot read ", TlsFile(options, name),
                       " (scripts/dev-certs.sh DIR issue node NAME makes a "
                       "development one)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<JetStream>> JetStream::Connect(
    const JetStreamOptions& options) {
  RETURN_IF_ERROR(ValidateJetStreamOptions(options));
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) {
    return absl::ResourceExhaustedError("nats: cannot create options");
  }
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw);
  std::vector<const char*> servers;
  for (const std::string& s : options.servers) servers.push_back(s.c_str());
  jsErrCode none = static_cast<jsErrCode>(0);
  if (auto s =
          FromNats(natsOptions_SetServers(opts.get(), servers.data(),
                                          static_cast<int>(servers.size())),
                   none, "servers");
      !s.ok()) {
    return s;
  }
  if (!options.tls_dir.empty()) RETURN_IF_ERROR(UseTls(options, opts.get()));
  if (!options.name.empty()) {
    natsOptions_SetName(opts.get(), options.name.c_str());
  }
  // Reconnect for as long as the node runs: it serves from its own store
  // meanwhile, and its staleness bound decides when that must stop.
  natsOptions_SetMaxReconnect(opts.get(), -1);
  // Only the servers given: the ones a server advertises were not checked
  // (a loopback server clustered with remote ones would send this node to
  // them, in plaintext without tls_dir).
  natsOptions_SetIgnoreDiscoveredServers(opts.get(), true);
  natsOptions_SetReconnectWait(opts.get(), 250);
  // No reconnect buffer to speak of: publishes made while disconnected fail
  // instead of being sent on reconnect, after their writers reported them
  // failed (libnats still takes the first into its 1 byte; Publish checks
  // the connection first, which narrows that).
  natsOptions_SetReconnectBufSize(opts.get(), 1);
  // A half-open connection (a partition, not a closed socket) is noticed in
  // about 6 s, not the default 4 minutes.
  natsOptions_SetPingInterval(opts.get(), 2000);
  natsOptions_SetMaxPingsOut(opts.get(), 2);

  if (options.logger != nullptr) {
    natsOptions_SetErrorHandler(
        opts.get(),
        [](natsConnection* nc, natsSubscription*, natsStatus err,
           void* logger) {
          const char* text = nullptr;
          natsConnection_GetLastError(nc, &text);
          static_cast<service::Logger*>(logger)->Log(
              service::LogLevel::kError, "nats_error",
              service::LogFields()
                  .Add("status", natsStatus_GetText(err))
                  .Add("error", text != nullptr ? text : ""));
        },
        options.logger);
  }
  std::unique_ptr<JetStream> js(new JetStream());
  js->timeout_ms_ = absl::ToInt64Milliseconds(options.request_timeout);
  if (auto s = FromNats(natsConnection_Connect(&js->connection_, opts.get()),
                        none, "connect");
      !s.ok()) {
    return s;
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = js->timeout_ms_;
  if (auto s = FromNats(
          natsConnection_JetStream(&js->js_, js->connection_, &js_options),
          none, "JetStream context");
      !s.ok()) {
    return s;
  }
  js_options.PublishAsync.MaxPending = 4096;
  js_options.PublishAsync.StallWait = js->timeout_ms_;
  js_options.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr*, void* self) {
    ++static_cast<JetStream*>(self)->async_failures_;
  };
  js_options.PublishAsync.ErrHandlerClosure = js.get();
  if (auto s = FromNats(natsConnection_JetStream(&js->async_js_,
                                                 js->connection_, &js_options),
                        none, "JetStream context");
      !s.ok()) {
    return s;
  }
  return js;
}

JetStream::~JetStream() {
  jsCtx_Destroy(async_js_);
  jsCtx_Destroy(js_);
  natsConnection_Destroy(connection_);
}

absl::Status JetStream::AddStream(const std::string& stream,
                                  const std::string& subject, int replicas,
                                  absl::Duration max_age, int64_t max_bytes) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = stream.c_str();
  const char* subjects[] = {subject.c_str()};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Replicas = replicas;
  config.Storage = js_FileStorage;
  config.MaxAge = absl::ToInt64Nanoseconds(max_age);
  if (max_bytes > 0) {
    config.MaxBytes = max_bytes;
    config.Discard = js_DiscardOld;
  }
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddStream(&info, js_, &config, nullptr, &error);
  jsStreamInfo_Destroy(info);
  if (error == JSStreamNameExistErr) return absl::OkStatus();
  return FromNats(s, error, core::StrCat("add stream ", stream));
}

absl::StatusOr<uint64_t> JetStream::LastSequence(const std::string& stream) {
  ASSIGN_OR_RETURN(StreamFacts facts, Facts(stream));
  return facts.last;
}

absl::StatusOr<uint64_t> JetStream::FirstSequence(const std::string& stream) {
  ASSIGN_OR_RETURN(StreamFacts facts, Facts(stream));
  return facts.first;
}

absl::StatusOr<absl::Time> JetStream::StoredAt(const std::string& stream,
                                               uint64_t sequence) {
  natsMsg* msg = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetMsg(&msg, js_, stream.c_str(), sequence, nullptr, &error);
  if (s == NATS_NOT_FOUND || error == JSNoMessageFoundErr) {
    natsMsg_Destroy(msg);
    return absl::NotFoundError(
        core::StrCat("nats: ", stream, " has no message ", sequence));
  }
  if (s != NATS_OK) {
    return FromNats(s, error, core::StrCat("get message of ", stream));
  }
  const absl::Time at = absl::FromUnixNanos(natsMsg_GetTime(msg));
  natsMsg_Destroy(msg);
  return at;
}

absl::StatusOr<std::string> JetStream::StreamLeader(const std::string& stream) {
  ASSIGN_OR_RETURN(StreamFacts facts, Facts(stream));
  return facts.leader;
}

absl::StatusOr<JetStream::StreamFacts> JetStream::Facts(
    const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &error);
  if (s != NATS_OK) {
    return FromNats(s, error, core::StrCat("stream info of ", stream));
  }
  StreamFacts facts;
  facts.first = info->State.FirstSeq;
  facts.last = info->State.LastSeq;
  if (info->Cluster != nullptr && info->Cluster->Leader != nullptr) {
    facts.leader = info->Cluster->Leader;
  }
  jsStreamInfo_Destroy(info);
  return facts;
}

absl::StatusOr<uint64_t> JetStream::Publish(const std::string& subject,
                                            const std::string& data,
                                            const std::string& msg_id) {
  if (natsConnection_Status(connection_) != NATS_CONN_STATUS_CONNECTED) {
    return absl::UnavailableError("nats: publish: not connected");
  }
  jsPubOptions options = PubOptions(msg_id, timeout_ms_);
  jsPubAck* ack = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_Publish(&ack, js_, subject.c_str(), data.data(),
                 static_cast<int>(data.size()), &options, &error);
  if (s != NATS_OK) return FromNats(s, error, "publish");
  const uint64_t sequence = ack->Sequence;
  jsPubAck_Destroy(ack);
  return sequence;
}

absl::Status JetStream::PublishAsync(const std::string& subject,
                                     const std::string& data,
                                     const std::string& msg_id) {
  jsPubOptions options = PubOptions(msg_id, timeout_ms_);
  jsErrCode none = static_cast<jsErrCode>(0);
  return FromNats(js_PublishAsync(async_js_, subject.c_str(), data.data(),
                                  static_cast<int>(data.size()), &options),
                  none, "publish");
}

absl::Status JetStream::FlushAsync(absl::Duration timeout) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = absl::ToInt64Milliseconds(timeout);
  jsErrCode none = static_cast<jsErrCode>(0);
  return FromNats(js_PublishAsyncComplete(async_js_, &options), none,
                  "flush publishes");
}

absl::StatusOr<std::unique_ptr<Consumer>> JetStream::Consume(
    const std::string& stream, const std::string& subject,
    const std::string& durable, uint64_t start) {
  jsErrCode error = static_cast<jsErrCode>(0);
  jsConsumerInfo* info = nullptr;
  natsStatus s = js_GetConsumerInfo(&info, js_, stream.c_str(), durable.c_str(),
                                    nullptr, &error);
  const bool found = s == NATS_OK;
  const bool delivers_start = found && DeliversNext(*info, subject, start);
  // A clustered consumer delivers nothing while its group has no leader
  // (just made, or its leader's server lost); waiting is all that helps.
  const bool led =
      found && (info->Cluster == nullptr || (info->Cluster->Leader != nullptr &&
                                             *info->Cluster->Leader != '\0'));
  jsConsumerInfo_Destroy(info);
  if (!found && s != NATS_NOT_FOUND) {
    return FromNats(s, error, core::StrCat("consumer info of ", durable));
  }
  if (delivers_start && !led) {
    return absl::UnavailableError(
        core::StrCat("nats: consumer ", durable,
                     " has no leader yet (JetStream is electing one)"));
  }
  if (!delivers_start) {
    RETURN_IF_ERROR(MakeConsumer(js_, stream, subject, durable, start, found));
  }
  jsSubOptions bind;
  jsSubOptions_Init(&bind);
  bind.Stream = stream.c_str();
  bind.Consumer = durable.c_str();
  std::unique_ptr<Consumer> consumer(new Consumer());
  error = static_cast<jsErrCode>(0);
  s = js_PullSubscribe(&consumer->subscription_, js_, subject.c_str(),
                       durable.c_str(), nullptr, &bind, &error);
  if (s != NATS_OK) {
    return FromNats(s, error, core::StrCat("bind consumer ", durable));
  }
  return consumer;
}

Consumer::~Consumer() { natsSubscription_Destroy(subscription_); }

absl::StatusOr<std::vector<StreamMessage>> Consumer::Fetch(
    int max, absl::Duration wait) {
  // NoWait with an expiry: what the stream has at once, else the first
  // message to come within `wait` (a plain long poll waits for the whole
  // batch; a NoWait without expiry does not wait at all).
  natsMsgList list{};
  jsErrCode error = static_cast<jsErrCode>(0);
  jsFetchRequest request;
  jsFetchRequest_Init(&request);
  request.Batch = max;
  request.NoWait = true;
  request.Expires = absl::ToInt64Nanoseconds(wait);
  const natsStatus s =
      natsSubscription_FetchRequest(&list, subscription_, &request);
  if (s == NATS_TIMEOUT || s == NATS_NOT_FOUND) {
    natsMsgList_Destroy(&list);
    return std::vector<StreamMessage>();
  }
  if (s != NATS_OK) {
    natsMsgList_Destroy(&list);
    return FromNats(s, error, "fetch");
  }
  std::vector<StreamMessage> messages;
  messages.reserve(list.Count);
  absl::Status status;
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* msg = list.Msgs[i];
    jsMsgMetaData* meta = nullptr;
    status = FromNats(natsMsg_GetMetaData(&meta, msg), error, "metadata");
    if (!status.ok()) break;
    StreamMessage& m = messages.emplace_back();
    m.sequence = meta->Sequence.Stream;
    m.pending = meta->NumPending;
    m.stored_at = absl::FromUnixNanos(meta->Timestamp);
    jsMsgMetaData_Destroy(meta);
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK &&
        id != nullptr) {
      m.msg_id = id;
    }
    m.data.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    // Delivery is tracked by the caller's position; the ack only lets the
    // server move on.
    natsMsg_Ack(msg, nullptr);
  }
  natsMsgList_Destroy(&list);
  if (!status.ok()) return status;
  return messages;
}

}  // namespace fraudgate::cluster
