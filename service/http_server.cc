#include "service/http_server.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/report_time.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "openssl/ssl.h"
#include "openssl/x509v3.h"
#include "proto/proto_time.h"
#include "service/console_assets.h"

namespace fraudgate::service {
namespace {

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;  // the wire names of DESIGN §6
  std::string json;
  // Cannot fail for our messages: they hold no Any and no invalid UTF-8
  // (every text field is checked on the way in).
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

std::string ErrorJson(const absl::Status& status) {
  // Messages may quote input; parameters were checked to be UTF-8 first, and
  // anything else is replaced rather than sent as invalid JSON.
  std::string json =
      core::StrCat("{\"code\":\"", absl::StatusCodeToString(status.code()),
                   "\",\"message\":");
  core::AppendJsonString(
      std::string_view(status.message().data(), status.message().size()), json);
  json += "}";
  return json;
}

// INVALID_ARGUMENT naming the first query parameter that is not UTF-8.
absl::Status CheckParams(const httplib::Request& req) {
  for (const auto& [name, value] : req.params) {
    if (!core::IsValidUtf8(name) || !core::IsValidUtf8(value)) {
      return absl::InvalidArgumentError(core::StrCat(
          core::IsValidUtf8(name) ? name : "?", ": not valid UTF-8"));
    }
  }
  return absl::OkStatus();
}

// A request's query parameter, or "".
std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

absl::StatusOr<int> IntParam(const httplib::Request& req, const char* name) {
  const std::string text = Param(req, name);
  int value = 0;
  if (!text.empty() && !absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(
        core::StrCat(name, ": not a whole number"));
  }
  return value;
}

// Sets `*out` from parameter `name` when given.
absl::Status TimeParam(const httplib::Request& req, const char* name,
                       google::protobuf::Timestamp* out) {
  const std::string text = Param(req, name);
  if (text.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(absl::Time t, core::ParseReportTime(text, name));
  *out = ToProtoTime(t);
  return absl::OkStatus();
}

// The identifier in kind/issuer/value, if any; History normalizes it.
absl::StatusOr<std::optional<v1::Identifier>> IdentifierParams(
    const httplib::Request& req) {
  const std::string kind_name = core::AsciiUpper(Param(req, "kind"));
  const std::string value = Param(req, "value");
  if (kind_name.empty() && value.empty()) return std::nullopt;
  v1::IdentifierKind kind;
  if (!v1::IdentifierKind_Parse(kind_name, &kind) ||
      kind == v1::IDENTIFIER_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "kind: PHONE, BANK_ACCOUNT, EWALLET or CHAT_HANDLE");
  }
  v1::Identifier id;
  id.set_kind(kind);
  id.set_issuer(Param(req, "issuer"));
  id.set_value(value);
  return id;
}

// Sets the request's `from` and `to` from the parameters that are given.
template <typename Request>
absl::Status TimeRangeParams(const httplib::Request& req, Request* request) {
  if (req.has_param("from")) {
    RETURN_IF_ERROR(TimeParam(req, "from", request->mutable_from()));
  }
  if (req.has_param("to")) {
    RETURN_IF_ERROR(TimeParam(req, "to", request->mutable_to()));
  }
  return absl::OkStatus();
}

// The parameters QueryHits and FindPastTransfers share.
template <typename Request>
absl::StatusOr<Request> ListRequest(const httplib::Request& req) {
  Request request;
  ASSIGN_OR_RETURN(std::optional<v1::Identifier> id, IdentifierParams(req));
  if (id) *request.mutable_identifier() = *std::move(id);
  RETURN_IF_ERROR(TimeRangeParams(req, &request));
  ASSIGN_OR_RETURN(int page_size, IntParam(req, "page_size"));
  request.set_page_size(page_size);
  request.set_page_token(Param(req, "page_token"));
  return request;
}

absl::StatusOr<v1::QueryHitsRequest> QueryHitsOf(const httplib::Request& req) {
  ASSIGN_OR_RETURN(v1::QueryHitsRequest request,
                   ListRequest<v1::QueryHitsRequest>(req));
  const std::vector<std::string> names =
      absl::StrSplit(Param(req, "decision"), ',', absl::SkipEmpty());
  for (const std::string& name : names) {
    v1::Decision decision;
    if (!v1::Decision_Parse(core::StrCat("DECISION_", core::AsciiUpper(name)),
                            &decision)) {
      return absl::InvalidArgumentError(core::StrCat(
          "decision: ", name, " is not ALLOW, WARN, HOLD or BLOCK"));
    }
    request.add_decisions(decision);
  }
  ASSIGN_OR_RETURN(int min_score, IntParam(req, "min_score"));
  request.set_min_score(min_score);
  return request;
}

absl::StatusOr<v1::HitStatsRequest> HitStatsOf(const httplib::Request& req) {
  v1::HitStatsRequest request;
  RETURN_IF_ERROR(TimeRangeParams(req, &request));
  ASSIGN_OR_RETURN(int top_n, IntParam(req, "top_n"));
  request.set_top_n(top_n);
  return request;
}

// The URI SAN "spiffe://..." of the peer's verified client certificate, if
// it has exactly one.
std::optional<std::string> PeerSpiffeId(const httplib::Request& req) {
  if (req.ssl == nullptr) return std::nullopt;
  X509* cert = SSL_get1_peer_certificate(req.ssl);
  if (cert == nullptr) return std::nullopt;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  std::optional<std::string> id;
  int ids = 0;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                     ASN1_STRING_length(uri));
    if (text.starts_with("spiffe://")) {
      ++ids;
      id = std::move(text);
    }
  }
  GENERAL_NAMES_free(names);
  X509_free(cert);
  return ids == 1 ? id : std::nullopt;
}

// The caller of `req` if they may call `method` (see Authorizer).
absl::Status Authorize(const Authorizer& auth, const httplib::Request& req,
                       std::string_view method) {
  const std::optional<std::string> id = PeerSpiffeId(req);
  return auth
      .Authorize(id ? std::optional<std::string_view>(*id) : std::nullopt,
                 method)
      .status();
}

// Answers with the JSON of `answer(req)`, or its error, to callers who may
// call `method`.
template <typename Answer>
httplib::Server::Handler Json(const Authorizer* auth, std::string_view method,
                              Answer answer) {
  return [auth, method, answer](const httplib::Request& req,
                                httplib::Response& res) {
    // Screening history is personal data: no caching anywhere.
    res.set_header("Cache-Control", "no-store");
    auto message = [&]() -> decltype(answer(req)) {
      RETURN_IF_ERROR(Authorize(*auth, req, method));
      RETURN_IF_ERROR(CheckParams(req));
      return answer(req);
    }();
    if (!message.ok()) {
      res.status = HttpStatusOf(message.status().code());
      res.set_content(ErrorJson(message.status()), "application/json");
      return;
    }
    res.set_content(ToJson(*message), "application/json");
  };
}

// The console's files, to those who may search the history.
httplib::Server::Handler Asset(const Authorizer* auth, const char* content,
                               const char* type) {
  return [auth, content, type](const httplib::Request& req,
                               httplib::Response& res) {
    if (absl::Status s = Authorize(*auth, req, "QueryHits"); !s.ok()) {
      res.status = HttpStatusOf(s.code());
      res.set_content(std::string(s.message()), "text/plain; charset=utf-8");
      return;
    }
    res.set_content(content, type);
  };
}

}  // namespace

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    History* history, const Authorizer* auth, const Metrics* metrics,
    const HealthMonitor* health, const std::string& listen,
    const std::string& tls_dir, absl::Duration tls_refresh) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        core::StrCat("http: HOST:PORT expected, got ", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }

  std::unique_ptr<HttpServer> http(new HttpServer());
  if (tls_dir.empty()) {
    http->server_ = std::make_unique<httplib::Server>();
  } else {
    auto watcher = TlsFileWatcher::Create(tls_dir, tls_refresh);
    if (!watcher.ok()) {
      return absl::InvalidArgumentError(
          core::StrCat("http: ", watcher.status().message()));
    }
    http->tls_ = *std::move(watcher);
    TlsFileWatcher* tls_files = http->tls_.get();
    auto tls = std::make_unique<httplib::SSLServer>(
        [tls_files](SSL_CTX& ctx) { return tls_files->ConfigureServer(ctx); });
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(
          core::StrCat("http: cannot set up TLS with the files of ", tls_dir));
    }
    http->server_ = std::move(tls);
  }
  httplib::Server& server = *http->server_;
  // cpp-httplib sets SO_REUSEPORT too, which would let two servers share the
  // port and split its requests: a clash must fail at bind.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; style-src 'self'; script-src 'self'; "
       "img-src 'self' data:; frame-ancestors 'none'"},
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server.Get(
      "/readyz", [health](const httplib::Request&, httplib::Response& res) {
        const absl::Status ready = health->Ready();
        if (!ready.ok()) {
          res.status = 503;
          res.set_content(core::StrCat("not ready: ", ready.message(), "\n"),
                          "text/plain; charset=utf-8");
          return;
        }
        res.set_content("ready\n", "text/plain; charset=utf-8");
      });
  server.Get("/metrics",
             [metrics](const httplib::Request&, httplib::Response& res) {
               res.set_content(metrics->Render(),
                               "text/plain; version=0.0.4; charset=utf-8");
             });
  server.Get("/",
             Asset(auth, internal::kConsoleHtml, "text/html; charset=utf-8"));
  server.Get("/console.js", Asset(auth, internal::kConsoleJs,
                                  "text/javascript; charset=utf-8"));
  server.Get("/console.css",
             Asset(auth, internal::kConsoleCss, "text/css; charset=utf-8"));
  server.Get("/api/hits", Json(auth, "QueryHits",
                               [history](const httplib::Request& req)
                                   -> absl::StatusOr<v1::QueryHitsResponse> {
                                 ASSIGN_OR_RETURN(v1::QueryHitsRequest request,
                                                  QueryHitsOf(req));
                                 return history->QueryHits(request);
                               }));
  server.Get("/api/past",
             Json(auth, "FindPastTransfers",
                  [history](const httplib::Request& req)
                      -> absl::StatusOr<v1::QueryHitsResponse> {
                    ASSIGN_OR_RETURN(
                        v1::FindPastTransfersRequest request,
                        ListRequest<v1::FindPastTransfersRequest>(req));
                    return history->FindPastTransfers(request);
                  }));
  // Any id, so that a malformed one gets GetHit's NOT_FOUND as JSON.
  server.Get(R"(/api/hits/([^/]*))",
             Json(auth, "GetHit", [history](const httplib::Request& req) {
               v1::GetHitRequest request;
               request.set_hit_id(req.matches[1]);
               return history->GetHit(request);
             }));
  server.Get("/api/stats", Json(auth, "HitStats",
                                [history](const httplib::Request& req)
                                    -> absl::StatusOr<v1::HitStatsResponse> {
                                  ASSIGN_OR_RETURN(v1::HitStatsRequest request,
                                                   HitStatsOf(req));
                                  return history->HitStats(request);
                                }));

  http->port_ = port == 0 ? server.bind_to_any_port(host)
                          : (server.bind_to_port(host, port) ? port : -1);
  if (http->port_ <= 0) {
    return absl::UnavailableError(
        core::StrCat("http: cannot listen on ", listen));
  }
  auto returned = std::make_shared<std::atomic<bool>>(false);
  http->thread_ = std::thread([&server, returned] {
    server.listen_after_bind();
    *returned = true;
  });
  // stop() before the accept loop runs would be lost; wait until it runs.
  while (!server.is_running() && !*returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return http;
}

}  // namespace fraudgate::service
