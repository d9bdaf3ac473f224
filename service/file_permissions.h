// Who else may read or change the files `fraudgate serve` trusts (issue 20,
// finding 6): checked by `serve` before it opens the data dir, and by
// `fraudgate config check`, so both report the same problems.
//
// Refused (FAILED_PRECONDITION, naming the path and the command that fixes
// it):
//  - a data dir writable by its group or by others: they could replace the
//    store's files or its admin socket (service/admin_server.h);
//  - a TLS private key the server reads (server-key.pem of the TLS dir,
//    node-key.pem of a cluster node's NATS TLS dir) that other users can read,
//    with PostgreSQL's rule for its SSL key: a key owned by the server's user
//    must be 0600 or stricter; a key owned by root may also be read by its
//    group (0640 or stricter: root shares it with the server's group, as
//    Kubernetes does with a Secret and fsGroup); a key owned by anyone else
//    is refused, as that user could replace it. Symbolic links are followed
//    (a Kubernetes Secret's files are links).
// Warned about (the start goes on):
//  - a data dir that its group or others may read or enter: the store makes
//    its files 0600, but files an older version made may be readable;
//  - a CA private key (ca-key.pem, or any *ca*key*.pem) in a TLS dir beside
//    the server's files: whoever can read it can issue client certificates of
//    every role.
// A data dir that does not exist yet passes: the store makes it 0700 (the
// commands run with umask 077, cli/main.cc); so does one that cannot be
// looked at, whose open then fails.
//
// Thread safety: the functions only read the file system.
#ifndef FRAUDGATE_SERVICE_FILE_PERMISSIONS_H_
#define FRAUDGATE_SERVICE_FILE_PERMISSIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace fraudgate::service {

// The files of one `fraudgate serve`.
struct ServerFiles {
  // The data dir (--data). Required.
  std::string data_dir;
  // The TLS dir of the API ports (--tls-dir), whose server-key.pem the
  // server reads. Default empty: none (--insecure).
  std::string tls_dir;
  // A cluster node's NATS TLS dir (cluster.tls_dir), whose node-key.pem the
  // node reads. Default empty: none.
  std::string cluster_tls_dir;
};

// A problem that does not refuse the start.
struct PermissionWarning {
  // Stable snake_case name, the event of serve's log line:
  // "data_dir_not_private" or "ca_key_in_tls_dir".
  std::string event;
  std::string path;
  // A sentence naming the path, the problem and its fix.
  std::string message;
};

// Checks `files` as the file comment says. Appends a warning to `warnings`
// for each problem that does not refuse the start, and returns the first
// that does (FAILED_PRECONDITION), or OK.
absl::Status CheckServerFiles(const ServerFiles& files,
                              std::vector<PermissionWarning>* warnings);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_FILE_PERMISSIONS_H_
