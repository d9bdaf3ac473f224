#include "service/client_certificate.h"

#include <memory>

#include "core/status_macros.h"
#include "core/text.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/x509v3.h"
#include "service/auth.h"

namespace fraudgate::service {
namespace {

absl::Status Refused(std::string_view why) {
  return absl::UnauthenticatedError(core::StrCat("client certificate: ", why));
}

struct StoreCtxFree {
  void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};

}  // namespace

absl::StatusOr<std::string> ClientCertificateIdentity(X509* leaf) {
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
  std::string uri;
  int uris = 0;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* value = name->d.uniformResourceIdentifier;
    uri.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
               ASN1_STRING_length(value));
    ++uris;
  }
  GENERAL_NAMES_free(names);
  if (uris != 1) {
    return Refused(core::StrCat(
        "exactly one URI SAN spiffe://fraudgate/<role>/<name> is required (it "
        "has ",
        uris, ")"));
  }
  return uri;
}

absl::StatusOr<std::string> CheckClientCertificate(X509* leaf,
                                                   X509_STORE* trusted) {
  if (leaf == nullptr) return Refused("none presented");
  // X509_get_extension_flags caches the extensions' facts first.
  const uint32_t flags = X509_get_extension_flags(leaf);
  if ((flags & EXFLAG_CA) != 0 ||
      ((flags & EXFLAG_KUSAGE) != 0 &&
       (X509_get_key_usage(leaf) & KU_KEY_CERT_SIGN) != 0)) {
    return Refused(
        "a CA certificate (CA:TRUE or keyUsage keyCertSign) cannot be a "
        "client's");
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  // No untrusted certificates: the chain comes from ca.pem alone.
  if (ctx == nullptr ||
      X509_STORE_CTX_init(ctx.get(), trusted, leaf, nullptr) != 1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT) != 1) {
    ERR_clear_error();
    return absl::InternalError("client certificate: cannot set up the check");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return Refused(
        core::StrCat("not issued by the server's ca.pem itself, or "
                     "not valid now (",
                     X509_verify_cert_error_string(error), ")"));
  }
  ASSIGN_OR_RETURN(std::string uri, ClientCertificateIdentity(leaf));
  RETURN_IF_ERROR(CallerFromSpiffeId(uri).status());
  return uri;
}

absl::StatusOr<std::string> CheckClientCertificatePem(std::string_view pem,
                                                      X509_STORE* trusted) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* leaf = bio == nullptr
                   ? nullptr
                   : PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (leaf == nullptr) {
    ERR_clear_error();
    return Refused("not a PEM certificate");
  }
  absl::StatusOr<std::string> uri = CheckClientCertificate(leaf, trusted);
  X509_free(leaf);
  return uri;
}

}  // namespace fraudgate::service
