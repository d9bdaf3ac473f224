#include "service/http_api.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/report_time.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "google/protobuf/util/json_util.h"
#include "proto/proto_time.h"
#include "service/console_assets.h"
#include "service/guarded.h"

namespace fraudgate::service {
namespace {

constexpr char kText[] = "text/plain; charset=utf-8";
constexpr char kJson[] = "application/json";

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

// A request's query parameter (the first of its name), or "".
std::string Param(const HttpRequest& req, std::string_view name) {
  for (const auto& [key, value] : req.params) {
    if (key == name) return value;
  }
  return "";
}

bool HasParam(const HttpRequest& req, std::string_view name) {
  for (const auto& param : req.params) {
    if (param.first == name) return true;
  }
  return false;
}

absl::StatusOr<int> IntParam(const HttpRequest& req, const char* name) {
  const std::string text = Param(req, name);
  int value = 0;
  if (!text.empty() && !absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(
        core::StrCat(name, ": not a whole number"));
  }
  return value;
}

// Sets `*out` from parameter `name` when given.
absl::Status TimeParam(const HttpRequest& req, const char* name,
                       google::protobuf::Timestamp* out) {
  const std::string text = Param(req, name);
  if (text.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(absl::Time t, core::ParseReportTime(text, name));
  *out = ToProtoTime(t);
  return absl::OkStatus();
}

// The identifier in kind/issuer/value, if any; History normalizes it.
absl::StatusOr<std::optional<v1::Identifier>> IdentifierParams(
    const HttpRequest& req) {
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
absl::Status TimeRangeParams(const HttpRequest& req, Request* request) {
  if (HasParam(req, "from")) {
    RETURN_IF_ERROR(TimeParam(req, "from", request->mutable_from()));
  }
  if (HasParam(req, "to")) {
    RETURN_IF_ERROR(TimeParam(req, "to", request->mutable_to()));
  }
  return absl::OkStatus();
}

// The parameters QueryHits and FindPastTransfers share.
template <typename Request>
absl::StatusOr<Request> ListRequest(const HttpRequest& req) {
  Request request;
  ASSIGN_OR_RETURN(std::optional<v1::Identifier> id, IdentifierParams(req));
  if (id) *request.mutable_identifier() = *std::move(id);
  RETURN_IF_ERROR(TimeRangeParams(req, &request));
  ASSIGN_OR_RETURN(int page_size, IntParam(req, "page_size"));
  request.set_page_size(page_size);
  request.set_page_token(Param(req, "page_token"));
  return request;
}

absl::StatusOr<v1::QueryHitsRequest> QueryHitsOf(const HttpRequest& req) {
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

absl::StatusOr<v1::HitStatsRequest> HitStatsOf(const HttpRequest& req) {
  v1::HitStatsRequest request;
  RETURN_IF_ERROR(TimeRangeParams(req, &request));
  ASSIGN_OR_RETURN(int top_n, IntParam(req, "top_n"));
  request.set_top_n(top_n);
  return request;
}

std::optional<std::string_view> IdentityOf(const HttpRequest& req) {
  if (!req.identity) return std::nullopt;
  return std::string_view(*req.identity);
}

HttpAnswer Plain(int status, std::string body) {
  return HttpAnswer{status, kText, std::move(body), false};
}

constexpr char kApiHitsPrefix[] = "/api/hits/";

}  // namespace

HttpAnswer HttpApi::ErrorAnswer(const absl::Status& status) {
  return HttpAnswer{HttpStatusOf(status.code()), kJson, ErrorJson(status),
                    true};
}

bool HttpApi::IsCheap(std::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

HttpAnswer HttpApi::Answer(const HttpRequest& req) const {
  const std::string& path = req.path;
  if (path == "/healthz") {
    const absl::Status live = health_->Live();
    if (!live.ok()) {
      return Plain(503, core::StrCat("not live: ", live.message(), "\n"));
    }
    return Plain(200, "ok\n");
  }
  if (path == "/readyz") {
    const absl::Status ready = health_->Ready();
    if (!ready.ok()) {
      return Plain(503, core::StrCat("not ready: ", ready.message(), "\n"));
    }
    return Plain(200, "ready\n");
  }
  auto caller = auth_->Identify(IdentityOf(req));
  if (!caller.ok()) return ErrorAnswer(caller.status());
  if (path == "/metrics") {
    const bool with_callers =
        caller->role == Role::kAdmin || caller->role == Role::kMonitor;
    return HttpAnswer{200, "text/plain; version=0.0.4; charset=utf-8",
                      metrics_->Render(with_callers), false};
  }

  // The console's files, to those who may search the history.
  struct Asset {
    std::string_view path;
    const char* content;
    const char* type;
  };
  const Asset assets[] = {
      {"/", internal::kConsoleHtml, "text/html; charset=utf-8"},
      {"/console.js", internal::kConsoleJs, "text/javascript; charset=utf-8"},
      {"/console.css", internal::kConsoleCss, "text/css; charset=utf-8"},
  };
  for (const Asset& asset : assets) {
    if (path != asset.path) continue;
    if (absl::Status s =
            auth_->Authorize(IdentityOf(req), "QueryHits").status();
        !s.ok()) {
      return Plain(HttpStatusOf(s.code()), std::string(s.message()));
    }
    return HttpAnswer{200, asset.type, asset.content, false};
  }

  // The JSON API: the RPC of each path, through the call gate.
  std::string method;
  if (path == "/api/hits") {
    method = "QueryHits";
  } else if (path == "/api/past") {
    method = "FindPastTransfers";
  } else if (path == "/api/stats") {
    method = "HitStats";
  } else if (path.starts_with(kApiHitsPrefix) &&
             path.find('/', sizeof(kApiHitsPrefix) - 1) == std::string::npos) {
    // Any id, so that a malformed one gets GetHit's NOT_FOUND as JSON.
    method = "GetHit";
  } else {
    return Plain(404, "not found\n");
  }
  absl::StatusOr<std::string> json =
      Guarded(method, [&]() -> absl::StatusOr<std::string> {
        ASSIGN_OR_RETURN(Caller allowed,
                         auth_->Authorize(IdentityOf(req), method));
        ASSIGN_OR_RETURN(CallGate::Admitted admitted,
                         gate_->Admit(std::move(allowed), method));
        if (method == "QueryHits") {
          ASSIGN_OR_RETURN(v1::QueryHitsRequest request, QueryHitsOf(req));
          ASSIGN_OR_RETURN(v1::QueryHitsResponse answer,
                           history_->QueryHits(request));
          return ToJson(answer);
        }
        if (method == "FindPastTransfers") {
          ASSIGN_OR_RETURN(auto request,
                           ListRequest<v1::FindPastTransfersRequest>(req));
          ASSIGN_OR_RETURN(v1::QueryHitsResponse answer,
                           history_->FindPastTransfers(request));
          return ToJson(answer);
        }
        if (method == "HitStats") {
          ASSIGN_OR_RETURN(v1::HitStatsRequest request, HitStatsOf(req));
          ASSIGN_OR_RETURN(v1::HitStatsResponse answer,
                           history_->HitStats(request));
          return ToJson(answer);
        }
        v1::GetHitRequest request;
        request.set_hit_id(path.substr(sizeof(kApiHitsPrefix) - 1));
        ASSIGN_OR_RETURN(v1::Hit answer, history_->GetHit(request));
        return ToJson(answer);
      });
  if (!json.ok()) return ErrorAnswer(json.status());
  return HttpAnswer{200, kJson, *std::move(json), true};
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in` ('+' as a space when `plus_is_space`), checking the
// result is UTF-8; errors name `field`.
absl::StatusOr<std::string> Decode(std::string_view in, bool plus_is_space,
                                   std::string_view field) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size() || HexValue(in[i + 1]) < 0 ||
          HexValue(in[i + 2]) < 0) {
        return absl::InvalidArgumentError(
            core::StrCat(field, ": malformed %-escape"));
      }
      out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  if (!core::IsValidUtf8(out)) {
    return absl::InvalidArgumentError(core::StrCat(field, ": not valid UTF-8"));
  }
  return out;
}

}  // namespace

absl::StatusOr<HttpRequest> ParseHttpTarget(std::string_view target) {
  HttpRequest request;
  const size_t question = target.find('?');
  ASSIGN_OR_RETURN(request.path,
                   Decode(target.substr(0, question), false, "path"));
  if (question == std::string_view::npos) return request;
  for (absl::string_view pair :
       absl::StrSplit(absl::string_view(target.data() + question + 1,
                                        target.size() - question - 1),
                      '&', absl::SkipEmpty())) {
    const std::string_view param(pair.data(), pair.size());
    const size_t equals = param.find('=');
    ASSIGN_OR_RETURN(std::string name,
                     Decode(param.substr(0, equals), true, "parameter"));
    ASSIGN_OR_RETURN(std::string value, Decode(equals == std::string_view::npos
                                                   ? std::string_view()
                                                   : param.substr(equals + 1),
                                               true, name));
    request.params.emplace_back(std::move(name), std::move(value));
  }
  return request;
}

}  // namespace fraudgate::service
