#include "service/tls_files.h"

#include <sys/stat.h>

#include "absl/time/clock.h"
#include "core/text.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "service/client_certificate.h"

namespace fraudgate::service {
namespace {

constexpr const char* kFiles[] = {"ca.pem", "server.pem", "server-key.pem"};

std::string PathOf(const std::string& dir, const char* name) {
  return core::StrCat(dir, "/", name);
}

// What identifies the current version of the files: device, inode, size and
// modification time of each (after symlinks), so a swapped symlink or a
// renamed directory is seen even when the new files are older.
std::string StampOf(const std::string& dir) {
  std::string stamp;
  for (const char* name : kFiles) {
    struct stat st {};
    if (stat(PathOf(dir, name).c_str(), &st) != 0) {
      stamp += "missing;";
      continue;
    }
    stamp += core::StrCat(st.st_dev, ":", st.st_ino, ":", st.st_size, ":",
                          st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, ";");
  }
  return stamp;
}

absl::Status Invalid(const std::string& path, std::string_view what) {
  ERR_clear_error();
  return absl::InvalidArgumentError(core::StrCat(path, " ", what));
}

}  // namespace

TlsMaterial::~TlsMaterial() {
  X509_free(cert_);
  sk_X509_pop_free(chain_, X509_free);
  EVP_PKEY_free(key_);
  X509_STORE_free(ca_);
  sk_X509_NAME_pop_free(ca_names_, X509_NAME_free);
}

absl::StatusOr<std::shared_ptr<const TlsMaterial>> TlsMaterial::Load(
    const std::string& dir) {
  std::shared_ptr<TlsMaterial> m(new TlsMaterial());

  const std::string ca_path = PathOf(dir, "ca.pem");
  m->ca_ = X509_STORE_new();
  m->ca_names_ = sk_X509_NAME_new_null();
  BIO* bio = BIO_new_file(ca_path.c_str(), "r");
  if (bio == nullptr) return Invalid(ca_path, "cannot be read");
  int ca_count = 0;
  while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(m->ca_, ca);
    sk_X509_NAME_push(m->ca_names_, X509_NAME_dup(X509_get_subject_name(ca)));
    X509_free(ca);
    ++ca_count;
  }
  BIO_free(bio);
  if (ca_count == 0) return Invalid(ca_path, "holds no PEM certificate");

  const std::string cert_path = PathOf(dir, "server.pem");
  bio = BIO_new_file(cert_path.c_str(), "r");
  if (bio == nullptr) return Invalid(cert_path, "cannot be read");
  m->cert_ = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  m->chain_ = sk_X509_new_null();
  while (X509* next = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    sk_X509_push(m->chain_, next);
  }
  BIO_free(bio);
  if (m->cert_ == nullptr)
    return Invalid(cert_path, "holds no PEM certificate");

  const std::string key_path = PathOf(dir, "server-key.pem");
  bio = BIO_new_file(key_path.c_str(), "r");
  if (bio == nullptr) return Invalid(key_path, "cannot be read");
  m->key_ = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (m->key_ == nullptr) return Invalid(key_path, "holds no PEM private key");
  if (X509_check_private_key(m->cert_, m->key_) != 1) {
    return Invalid(key_path, core::StrCat("is not the key of ", cert_path));
  }
  ERR_clear_error();
  return std::shared_ptr<const TlsMaterial>(std::move(m));
}

bool TlsMaterial::ApplyTo(SSL* ssl) const {
  // SSL_use_* and the set1 calls take their own references.
  if (SSL_use_certificate(ssl, cert_) != 1 ||
      SSL_use_PrivateKey(ssl, key_) != 1 || SSL_set1_chain(ssl, chain_) != 1 ||
      SSL_set1_verify_cert_store(ssl, ca_) != 1) {
    return false;
  }
  SSL_set_client_CA_list(ssl, SSL_dup_CA_list(ca_names_));
  return true;
}

TlsFileWatcher::TlsFileWatcher(std::string dir, absl::Duration refresh,
                               std::shared_ptr<const TlsMaterial> material,
                               std::string stamp)
    : dir_(std::move(dir)),
      refresh_(refresh),
      material_(std::move(material)),
      stamp_(std::move(stamp)),
      next_check_(absl::Now() + refresh) {}

absl::StatusOr<std::unique_ptr<TlsFileWatcher>> TlsFileWatcher::Create(
    const std::string& dir, absl::Duration refresh) {
  const std::string stamp = StampOf(dir);
  auto material = TlsMaterial::Load(dir);
  if (!material.ok()) return material.status();
  return std::unique_ptr<TlsFileWatcher>(
      new TlsFileWatcher(dir, refresh, *std::move(material), stamp));
}

std::shared_ptr<const TlsMaterial> TlsFileWatcher::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = absl::Now();
  if (now < next_check_) return material_;
  next_check_ = now + refresh_;
  std::string stamp = StampOf(dir_);
  if (stamp == stamp_) return material_;
  // Read the stamp before the files: if they change while being read, the
  // next check sees another stamp and reads them again.
  if (auto loaded = TlsMaterial::Load(dir_); loaded.ok()) {
    material_ = *std::move(loaded);
    stamp_ = std::move(stamp);
  }
  return material_;
}

namespace {

// Replaces OpenSSL's verification of the client's chain with the whole rule
// of client_certificate.h, against the CA store ApplyTo set for this
// connection.
int VerifyClient(X509_STORE_CTX* ctx, void*) {
  if (CheckClientCertificate(X509_STORE_CTX_get0_cert(ctx),
                             X509_STORE_CTX_get0_store(ctx))
          .ok()) {
    return 1;
  }
  X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

}  // namespace

int TlsFileWatcher::OnHandshake(SSL* ssl, void* watcher) {
  return static_cast<TlsFileWatcher*>(watcher)->Current()->ApplyTo(ssl) ? 1 : 0;
}

bool TlsFileWatcher::ConfigureServer(SSL_CTX& ctx) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  // Every connection does a full handshake: a resumed session would skip the
  // certificate callback (and so a rotation), and TLS 1.2 resumption with
  // client verification needs a session id context. Consoles and scrapers
  // connect rarely enough.
  SSL_CTX_set_session_cache_mode(&ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     nullptr);
  SSL_CTX_set_cert_verify_callback(&ctx, &VerifyClient, nullptr);
  SSL_CTX_set_cert_cb(&ctx, &TlsFileWatcher::OnHandshake, this);
  return true;
}

}  // namespace fraudgate::service
