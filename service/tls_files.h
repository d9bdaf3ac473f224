// The TLS files of a server directory (DESIGN §7: ca.pem, the CA whose client
// certificates are accepted; server.pem, the server certificate, optionally
// followed by its chain; server-key.pem, its key), loaded and checked with
// OpenSSL.
//
// TlsMaterial is one loaded, consistent set. TlsFileWatcher serves the HTTPS
// port: it re-reads the directory when the files change, so certificates
// rotate without a restart, as the gRPC port's FileWatcherCertificateProvider
// does. Replace the files atomically (rename a directory or swap a symlink);
// a changed set that does not load or does not match (e.g. caught half
// written) is skipped and the last good set kept, until the next check.
//
// Thread safety: TlsMaterial is immutable; TlsFileWatcher may be used from
// any thread.
#ifndef FRAUDGATE_SERVICE_TLS_FILES_H_
#define FRAUDGATE_SERVICE_TLS_FILES_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "openssl/ssl.h"

namespace fraudgate::service {

class TlsMaterial {
 public:
  // Loads `dir`/ca.pem, server.pem and server-key.pem. INVALID_ARGUMENT
  // naming the file when one cannot be read or holds no PEM certificate or
  // key, or when the key is not the server certificate's.
  static absl::StatusOr<std::shared_ptr<const TlsMaterial>> Load(
      const std::string& dir);
  ~TlsMaterial();
  TlsMaterial(const TlsMaterial&) = delete;
  TlsMaterial& operator=(const TlsMaterial&) = delete;

  // Makes `ssl` present this server certificate (and chain) and verify client
  // certificates against this CA. False when OpenSSL refuses.
  bool ApplyTo(SSL* ssl) const;

  // The certificates of ca.pem, that client certificates are checked against
  // (client_certificate.h). Lives as long as this TlsMaterial.
  X509_STORE* trusted() const { return ca_; }

 private:
  TlsMaterial() = default;
  X509* cert_ = nullptr;
  STACK_OF(X509) * chain_ = nullptr;  // certificates after the first
  EVP_PKEY* key_ = nullptr;
  X509_STORE* ca_ = nullptr;
  STACK_OF(X509_NAME) * ca_names_ = nullptr;  // sent in CertificateRequest
};

class TlsFileWatcher {
 public:
  // Loads the files of `dir` (errors as TlsMaterial::Load); afterwards they
  // are checked for changes at a handshake at most once every `refresh`.
  static absl::StatusOr<std::unique_ptr<TlsFileWatcher>> Create(
      const std::string& dir, absl::Duration refresh);

  // Sets `ctx` up to require a client certificate that passes
  // CheckClientCertificate (client_certificate.h), with the current files
  // taken at each handshake. The watcher must outlive `ctx`.
  bool ConfigureServer(SSL_CTX& ctx);

  // The set the next handshake uses (re-read first when due and changed).
  std::shared_ptr<const TlsMaterial> Current();

 private:
  TlsFileWatcher(std::string dir, absl::Duration refresh,
                 std::shared_ptr<const TlsMaterial> material,
                 std::string stamp);
  static int OnHandshake(SSL* ssl, void* watcher);

  const std::string dir_;
  const absl::Duration refresh_;
  std::mutex mu_;
  std::shared_ptr<const TlsMaterial> material_;  // guarded by mu_
  std::string stamp_;                            // of the loaded files
  absl::Time next_check_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_TLS_FILES_H_
