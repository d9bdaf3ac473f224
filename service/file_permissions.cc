#include "service/file_permissions.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/text.h"

namespace fraudgate::service {
namespace {

std::string ModeText(mode_t mode) {
  return absl::StrFormat("%04o", mode & 07777);
}

absl::Status CheckDataDir(const std::string& dir,
                          std::vector<PermissionWarning>* warnings) {
  struct stat st;
  // A missing dir is made 0700 when the store opens it; one that cannot be
  // looked at (a path through a file) is the store's to report.
  if (stat(dir.c_str(), &st) != 0) return absl::OkStatus();
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::FailedPreconditionError(core::StrCat(
        "data dir ", dir, " is writable by ",
        (st.st_mode & S_IWOTH) != 0 ? "every local user" : "its group",
        " (mode ", ModeText(st.st_mode),
        "), who could replace the store's files or its admin socket; make it "
        "the server user's alone: chmod go-w ",
        dir));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    warnings->push_back(
        {"data_dir_not_private", dir,
         core::StrCat("data dir ", dir,
                      " may be read by its group or others (mode ",
                      ModeText(st.st_mode),
                      "): new files are made 0600, but files made before may "
                      "be readable (listed identifiers, callers); chmod -R "
                      "go-rwx ",
                      dir)});
  }
  return absl::OkStatus();
}

// PostgreSQL's rule for its SSL key file (be-secure-common.c).
absl::Status CheckPrivateKey(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        core::StrCat("TLS key ", path,
                     ": cannot check its permissions: ", std::strerror(errno)));
  }
  const uid_t me = geteuid();
  if (st.st_uid != me && st.st_uid != 0) {
    return absl::FailedPreconditionError(core::StrCat(
        "TLS key ", path, " is owned by uid ", st.st_uid,
        ", neither the server's user (uid ", me,
        ") nor root, and that user could replace it: chown ", me, " ", path));
  }
  if (st.st_uid == me && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(core::StrCat(
        "TLS key ", path, " may be read by its group or others (mode ",
        ModeText(st.st_mode), "): chmod 600 ", path));
  }
  if (st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(core::StrCat(
        "TLS key ", path,
        " may be read by others or changed by its group "
        "(mode ",
        ModeText(st.st_mode),
        "; a key owned by root may be shared with the server's group, "
        "read-only): chmod 640 ",
        path, ", or chmod 600 ", path, " and chown it to the server's user"));
  }
  return absl::OkStatus();
}

void WarnAboutCaKeys(const std::string& tls_dir,
                     std::vector<PermissionWarning>* warnings) {
  DIR* dir = opendir(tls_dir.c_str());
  if (dir == nullptr) return;  // the TLS checks report an unreadable dir
  std::vector<std::string> names;
  while (const dirent* entry = readdir(dir)) {
    // Kubernetes keeps a Secret's versions in dot directories.
    if (entry->d_name[0] == '.') continue;
    if (fnmatch("*ca*key*.pem", entry->d_name, FNM_CASEFOLD) == 0) {
      names.push_back(entry->d_name);
    }
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string path = core::StrCat(tls_dir, "/", name);
    warnings->push_back(
        {"ca_key_in_tls_dir", path,
         core::StrCat(path,
                      " looks like a CA's private key, beside the server's TLS "
                      "files: whoever reads it can issue client certificates "
                      "of any role; keep the CA key off the server")});
  }
}

}  // namespace

absl::Status CheckServerFiles(const ServerFiles& files,
                              std::vector<PermissionWarning>* warnings) {
  absl::Status status = CheckDataDir(files.data_dir, warnings);
  for (const auto& [dir, key] :
       {std::pair{files.tls_dir, "server-key.pem"},
        std::pair{files.cluster_tls_dir, "node-key.pem"}}) {
    if (dir.empty()) continue;
    WarnAboutCaKeys(dir, warnings);
    if (status.ok()) status = CheckPrivateKey(core::StrCat(dir, "/", key));
  }
  return status;
}

}  // namespace fraudgate::service
