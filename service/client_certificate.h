// The rule every client certificate meets, checked during the TLS handshake
// by the same code on the gRPC port and on the HTTPS port (DESIGN §5):
//  - it is a leaf: not a CA (basicConstraints CA:TRUE) and not allowed to
//    sign certificates (keyUsage keyCertSign);
//  - it is issued by a certificate of the server's ca.pem itself: its chain
//    is built from ca.pem alone, so a certificate the client sends along
//    (e.g. a bank certificate wrongly issued with CA:TRUE, signing an "admin"
//    one) is never part of it; it is valid now, and fit for client auth;
//  - it carries exactly one URI SAN, and that is a fraudgate identity
//    spiffe://fraudgate/<role>/<name> (auth.h): no other URI beside it.
// A certificate that fails any of these never completes a handshake, so no
// service, reflection included, sees its caller.
//
// Thread safety: pure functions; `trusted` may be shared between threads.
#ifndef FRAUDGATE_SERVICE_CLIENT_CERTIFICATE_H_
#define FRAUDGATE_SERVICE_CLIENT_CERTIFICATE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "openssl/x509.h"

namespace fraudgate::service {

// The rule above for `leaf` against the CA certificates in `trusted`.
// Returns the identity URI; UNAUTHENTICATED saying which part failed.
absl::StatusOr<std::string> CheckClientCertificate(X509* leaf,
                                                   X509_STORE* trusted);

// The same for a PEM certificate (as gRPC hands it over).
absl::StatusOr<std::string> CheckClientCertificatePem(std::string_view pem,
                                                      X509_STORE* trusted);

// The identity URI of a certificate: its only URI SAN. UNAUTHENTICATED when
// it has none or more than one. (The rest of the rule is the handshake's.)
absl::StatusOr<std::string> ClientCertificateIdentity(X509* leaf);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_CLIENT_CERTIFICATE_H_
