#include "service/http_server.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/strings/numbers.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/thread_pool.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "core/text.h"
#include "service/client_certificate.h"

namespace fraudgate::service {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::chrono::seconds kWriteTimeout(60);
constexpr int kMaxRequestsPerConnection = 100;
constexpr uint32_t kMaxHeaderBytes = 16 << 10;
constexpr uint64_t kMaxBodyBytes = 4 << 10;

// Sent with every answer.
constexpr std::pair<const char*, const char*> kHeaders[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy",
     "default-src 'self'; style-src 'self'; script-src 'self'; "
     "img-src 'self' data:; frame-ancestors 'none'"},
};

// The identity of the certificate the handshake verified, if any.
std::optional<std::string> PeerIdentity(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return std::nullopt;
  absl::StatusOr<std::string> id = ClientCertificateIdentity(cert);
  if (!id.ok()) return std::nullopt;
  return *std::move(id);
}

}  // namespace

// Members are destroyed in reverse order: the threads first, then the
// connections (held by the worker pool's and the I/O context's pending work),
// then what those use on the way out.
struct HttpServer::State {
  State(const HttpApi* api, const HttpLimits& limits, Metrics* metrics)
      : api(api),
        limits(limits),
        refused(metrics->GetCounter(
            "fraudgate_http_refused_total",
            "HTTP connections closed at once for being over a cap "
            "(limits.http_max_connections, http_max_connections_per_client), "
            "and requests answered 503 for want of a worker.")),
        workers(limits.workers) {
    // The gauge outlives the server: it reads a count it shares.
    metrics->AddFunction(
        "fraudgate_http_connections", "Connections open on the HTTP port.",
        MetricType::kGauge, [open = open] { return open->load(); });
  }

  // Admits a new connection from `peer`: false when over a cap.
  bool Enter(const asio::ip::address& peer) {
    std::lock_guard<std::mutex> lock(mu);
    int& from_peer = per_client[peer];
    if (open->load() >= limits.max_connections ||
        from_peer >= limits.max_connections_per_client) {
      if (from_peer == 0) per_client.erase(peer);
      refused->Increment();
      return false;
    }
    ++from_peer;
    open->fetch_add(1);
    return true;
  }
  void Leave(const asio::ip::address& peer) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = per_client.find(peer);
    if (--it->second == 0) per_client.erase(it);
    open->fetch_sub(1);
  }
  void Accept();

  const HttpApi* const api;
  const HttpLimits limits;
  std::mutex mu;
  std::map<asio::ip::address, int> per_client;  // guarded by mu
  // Connections open; changed under mu.
  const std::shared_ptr<std::atomic<int64_t>> open =
      std::make_shared<std::atomic<int64_t>>(0);
  Metrics::Counter* const refused;
  std::atomic<int> queued{0};
  std::optional<asio::ssl::context> ssl;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer retry{io};
  asio::thread_pool workers;
  std::thread thread;
};

namespace {

// One connection, from accept to close, on the I/O thread; `kTls` selects
// HTTPS. Owned by the work pending for it: it closes when none is left.
template <bool kTls>
class Session : public std::enable_shared_from_this<Session<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>,
                                    beast::tcp_stream>;

  Session(HttpServer::State* state, tcp::socket socket, asio::ip::address peer)
      : state_(state), peer_(std::move(peer)), stream_(Make(state, socket)) {}
  ~Session() { state_->Leave(peer_); }

  void Start() {
    Lowest().expires_after(Timeout());
    if constexpr (kTls) {
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) return;  // refused certificate, timeout, garbage
            self->identity_ = PeerIdentity(self->stream_.native_handle());
            self->Read();
          });
    } else {
      Read();
    }
  }

 private:
  static Stream Make(HttpServer::State* state, tcp::socket& socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *state->ssl);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::nanoseconds Timeout() const {
    return absl::ToChronoNanoseconds(state_->limits.request_timeout);
  }

  void Read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) {
          if (!ec) self->OnRead();
        });
  }

  void OnRead() {
    const auto& req = parser_->get();
    Lowest().expires_never();  // answering; the write sets its own
    keep_alive_ = req.keep_alive() && ++served_ < kMaxRequestsPerConnection;
    if (req.method() != http::verb::get) {
      return Respond({405, "text/plain; charset=utf-8", "GET only\n", false});
    }
    absl::StatusOr<HttpRequest> request = ParseHttpTarget(
        std::string_view(req.target().data(), req.target().size()));
    if (!request.ok()) return Respond(HttpApi::ErrorAnswer(request.status()));
    request->identity = identity_;
    if (HttpApi::IsCheap(request->path)) {
      return Respond(state_->api->Answer(*request));
    }
    if (state_->queued.fetch_add(1) >= state_->limits.max_queued) {
      state_->queued.fetch_sub(1);
      state_->refused->Increment();
      return Respond({503, "text/plain; charset=utf-8",
                      "busy: too many requests waiting; retry later\n", false});
    }
    asio::post(state_->workers, [self = this->shared_from_this(),
                                 request = *std::move(request)] {
      HttpAnswer answer = self->state_->api->Answer(request);
      self->state_->queued.fetch_sub(1);
      asio::post(self->state_->io,
                 [self, answer = std::move(answer)]() mutable {
                   self->Respond(std::move(answer));
                 });
    });
  }

  void Respond(HttpAnswer answer) {
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(answer.status));
    for (const auto& [name, value] : kHeaders) response_.set(name, value);
    response_.set(http::field::content_type, answer.content_type);
    // Screening history is personal data: no caching anywhere.
    if (answer.no_store) response_.set(http::field::cache_control, "no-store");
    response_.body() = std::move(answer.body);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    Lowest().expires_after(kWriteTimeout);
    http::async_write(
        stream_, response_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return;
          if (!self->keep_alive_) {
            beast::error_code ignored;
            self->Lowest().socket().shutdown(tcp::socket::shutdown_send,
                                             ignored);
            return;
          }
          self->Lowest().expires_after(self->Timeout());
          self->Read();
        });
  }

  HttpServer::State* const state_;
  const asio::ip::address peer_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::optional<std::string> identity_;
  bool keep_alive_ = false;
  int served_ = 0;
};

}  // namespace

void HttpServer::State::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // stopping
    if (ec) {
      // E.g. out of file descriptors: try again shortly, without spinning.
      retry.expires_after(std::chrono::milliseconds(50));
      retry.async_wait([this](beast::error_code wait) {
        if (!wait) Accept();
      });
      return;
    }
    beast::error_code peer_error;
    const asio::ip::address peer = socket.remote_endpoint(peer_error).address();
    // Over a cap, the socket closes here.
    if (!peer_error && Enter(peer)) {
      if (ssl) {
        std::make_shared<Session<true>>(this, std::move(socket), peer)->Start();
      } else {
        std::make_shared<Session<false>>(this, std::move(socket), peer)
            ->Start();
      }
    }
    Accept();
  });
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpApi* api, const std::string& listen, TlsFileWatcher* tls,
    const HttpLimits& limits, Metrics* metrics) {
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

  std::unique_ptr<HttpServer> server(new HttpServer());
  server->state_ = std::make_unique<State>(api, limits, metrics);
  State& state = *server->state_;
  if (tls != nullptr) {
    state.ssl.emplace(asio::ssl::context::tls_server);
    if (!tls->ConfigureServer(*state.ssl->native_handle())) {
      return absl::InvalidArgumentError("http: cannot set up TLS");
    }
  }
  beast::error_code ec;
  tcp::resolver resolver(state.io);
  const auto endpoints =
      resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return absl::UnavailableError(
        core::StrCat("http: cannot listen on ", listen, ": ", ec.message()));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  state.acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR only: two servers must not share the port.
  if (!ec) state.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state.acceptor.bind(endpoint, ec);
  if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        core::StrCat("http: cannot listen on ", listen, ": ", ec.message()));
  }
  server->port_ = state.acceptor.local_endpoint().port();
  state.Accept();
  state.thread = std::thread([&state] {
    auto work = asio::make_work_guard(state.io);
    state.io.run();
  });
  return server;
}

HttpServer::~HttpServer() {
  if (!state_) return;
  asio::post(state_->io, [state = state_.get()] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
    state->retry.cancel();
  });
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
  state_->workers.stop();
  state_->workers.join();
}

}  // namespace fraudgate::service
