#include "store/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "rocksdb/utilities/backup_engine.h"
#include "store/db.h"
#include "store/hmac_key.h"
#include "store/keys.h"
#include "store/store.h"

namespace fraudgate::store {
namespace {

namespace fs = std::filesystem;

// What a backup carries besides the database, in its app metadata:
// "fraudgate-backup-v1\nlist_version=N\nhmac_key=HEX\n".
constexpr char kMetadataTag[] = "fraudgate-backup-v1";

// The copy reports progress every this many bytes.
constexpr uint64_t kProgressBytes = 4 << 20;

struct Metadata {
  uint64_t list_version = 0;
  std::string hmac_key;  // empty: the data dir had none
};

std::string EncodeMetadata(const Metadata& m) {
  return core::StrCat(kMetadataTag, "\nlist_version=", m.list_version,
                      "\nhmac_key=", absl::BytesToHexString(m.hmac_key), "\n");
}

absl::StatusOr<Metadata> DecodeMetadata(uint32_t id, const std::string& text) {
  Metadata m;
  bool tagged = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line == kMetadataTag) tagged = true;
    if (absl::ConsumePrefix(&line, "list_version=") &&
        !absl::SimpleAtoi(line, &m.list_version)) {
      tagged = false;
    }
    if (absl::ConsumePrefix(&line, "hmac_key=")) {
      m.hmac_key = absl::HexStringToBytes(line);
    }
  }
  if (!tagged || (!m.hmac_key.empty() && m.hmac_key.size() != kHmacKeySize)) {
    return absl::DataLossError(
        core::StrCat("backup ", id, ": not a fraudgate backup (metadata)"));
  }
  return m;
}

absl::Status FromIo(const rocksdb::IOStatus& s, std::string_view what) {
  if (s.IsNotFound() || s.IsPathNotFound()) {
    return absl::NotFoundError(core::StrCat(what, ": ", s.ToString()));
  }
  if (s.IsCorruption()) {
    return absl::DataLossError(core::StrCat(what, ": ", s.ToString()));
  }
  return FromRocks(s, what);
}

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir) {
  rocksdb::BackupEngineOptions options(backup_dir);
  options.callback_trigger_interval_size = kProgressBytes;
  return options;
}

// For list, verify and restore: reads the backup dir, never creates one.
absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReader(
    const std::string& backup_dir) {
  std::error_code error;
  if (!fs::is_directory(backup_dir, error)) {
    return absl::NotFoundError(core::StrCat("no backup dir at ", backup_dir));
  }
  rocksdb::BackupEngineReadOnly* engine = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::Env::Default(), EngineOptions(backup_dir), &engine);
  if (!s.ok()) return FromIo(s, core::StrCat("open backups in ", backup_dir));
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(engine);
}

absl::StatusOr<BackupSummary> SummaryOf(const rocksdb::BackupInfo& info) {
  ASSIGN_OR_RETURN(Metadata m,
                   DecodeMetadata(info.backup_id, info.app_metadata));
  return BackupSummary{info.backup_id, absl::FromUnixSeconds(info.timestamp),
                       info.size, info.number_files, m.list_version};
}

absl::StatusOr<std::vector<BackupSummary>> Summaries(
    rocksdb::BackupEngineReadOnlyBase& engine, const std::string& backup_dir) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  if (infos.empty()) {
    return absl::NotFoundError(core::StrCat("no backup in ", backup_dir));
  }
  std::vector<BackupSummary> summaries;
  for (const rocksdb::BackupInfo& info : infos) {
    ASSIGN_OR_RETURN(BackupSummary summary, SummaryOf(info));
    summaries.push_back(summary);
  }
  return summaries;
}

absl::StatusOr<uint64_t> ListVersionOf(const Db& db) {
  std::string version;
  rocksdb::Status read = db.get()->Get(rocksdb::ReadOptions(), db.cf(Cf::kMeta),
                                       std::string(kListVersionKey), &version);
  if (read.IsNotFound()) return 0;
  if (!read.ok()) return FromRocks(read, "read list_version");
  if (version.size() != 8) {
    return absl::DataLossError("store: meta list_version is not 8 bytes");
  }
  return ReadBigEndian64(version);
}

// Makes `dir` (and its parents) if missing; `dir` itself mode 0700.
absl::Status MakePrivateDir(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (!error) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace,
                    error);
  }
  if (error) {
    return absl::UnavailableError(
        core::StrCat("cannot make ", dir, ": ", error.message()));
  }
  return absl::OkStatus();
}

// INVALID_ARGUMENT when `backup_dir` names ".." or is `data_dir` or inside
// it, symbolic links resolved: a backup must outlive the data dir. (Without
// "..", the part of the path that does not exist yet holds no links.)
absl::Status CheckBackupDir(const std::string& backup_dir,
                            const std::string& data_dir) {
  const fs::path path(backup_dir);
  for (const fs::path& part : path) {
    if (part == "..") {
      return absl::InvalidArgumentError(
          "backup_dir: \"..\" is not allowed in the path");
    }
  }
  std::error_code error;
  const fs::path outer = fs::canonical(data_dir, error);
  if (error) {
    return absl::UnavailableError(
        core::StrCat("cannot resolve ", data_dir, ": ", error.message()));
  }
  const fs::path inner = fs::weakly_canonical(fs::absolute(path), error);
  if (error) {
    return absl::UnavailableError(
        core::StrCat("cannot resolve ", backup_dir, ": ", error.message()));
  }
  auto [end, unused] =
      std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  if (end == outer.end()) {
    return absl::InvalidArgumentError("backup_dir: inside the data dir");
  }
  return absl::OkStatus();
}

// Makes a rename in `dir` durable.
void SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

}  // namespace

absl::StatusOr<BackupSummary> Store::CreateBackup(
    const std::string& backup_dir, const BackupProgress& copied) {
  RETURN_IF_ERROR(CheckBackupDir(backup_dir, path_));
  ASSIGN_OR_RETURN(std::optional<std::string> key, ReadHmacKey(path_));
  RETURN_IF_ERROR(MakePrivateDir(backup_dir));
  rocksdb::BackupEngine* opened = nullptr;
  rocksdb::IOStatus open = rocksdb::BackupEngine::Open(
      rocksdb::Env::Default(), EngineOptions(backup_dir), &opened);
  if (!open.ok()) {
    return FromIo(open, core::StrCat("open backups in ", backup_dir));
  }
  std::unique_ptr<rocksdb::BackupEngine> engine(opened);
  {
    absl::MutexLock lock(&backup_mu_);
    if (backups_stopped_) {
      return absl::AbortedError("backups are stopped: the store is closing");
    }
    running_backup_ = engine.get();
  }
  absl::Cleanup not_running = [&] {
    absl::MutexLock lock(&backup_mu_);
    running_backup_ = nullptr;
  };
  // The version committed before the flush the backup starts with: the
  // backup holds it, or a slightly later one.
  ASSIGN_OR_RETURN(uint64_t version, ListVersionOf(*db_));
  rocksdb::CreateBackupOptions create;
  // The memtables go to table files first, and RocksDB keeps every file the
  // backup needs until it is copied: one point in the store's history.
  create.flush_before_backup = true;
  uint64_t bytes = 0;
  if (copied) {
    create.progress_callback = [&] {
      bytes += kProgressBytes;
      copied(bytes);
    };
  }
  rocksdb::BackupID id = 0;
  rocksdb::IOStatus s = engine->CreateNewBackupWithMetadata(
      create, db_->get(), EncodeMetadata({version, key.value_or("")}), &id);
  if (s.IsIncomplete()) {
    return absl::AbortedError("backup stopped: the store is closing");
  }
  if (!s.ok()) return FromIo(s, "backup");
  rocksdb::BackupInfo info;
  rocksdb::Status read = engine->GetBackupInfo(id, &info);
  if (!read.ok()) return FromRocks(read, "read the new backup");
  return SummaryOf(info);
}

void Store::StopBackups() {
  absl::MutexLock lock(&backup_mu_);
  backups_stopped_ = true;
  if (running_backup_ != nullptr) running_backup_->StopBackup();
}

absl::StatusOr<BackupSummary> CreateBackup(const std::string& data_dir,
                                           const std::string& backup_dir,
                                           const BackupProgress& copied) {
  std::error_code error;
  if (!fs::exists(data_dir + "/CURRENT", error)) {
    return absl::NotFoundError(
        core::StrCat("no fraudgate data dir at ", data_dir));
  }
  StoreOptions options;
  options.path = data_dir;
  options.create_if_missing = false;
  auto store = Store::Open(options);
  if (!store.ok()) {
    return absl::UnavailableError(
        core::StrCat("cannot open ", data_dir,
                     " (another process, e.g. a server, holds it): ",
                     store.status().message()));
  }
  return (*store)->CreateBackup(backup_dir, copied);
}

absl::StatusOr<std::vector<BackupSummary>> ListBackups(
    const std::string& backup_dir) {
  ASSIGN_OR_RETURN(auto engine, OpenReader(backup_dir));
  return Summaries(*engine, backup_dir);
}

absl::StatusOr<std::vector<BackupSummary>> VerifyBackups(
    const std::string& backup_dir, std::optional<uint32_t> id) {
  ASSIGN_OR_RETURN(auto engine, OpenReader(backup_dir));
  std::vector<rocksdb::BackupID> corrupted;
  engine->GetCorruptedBackups(&corrupted);
  for (rocksdb::BackupID bad : corrupted) {
    if (!id || bad == *id) {
      return absl::DataLossError(core::StrCat(
          "backup ", bad, ": its description (meta file) cannot be read"));
    }
  }
  ASSIGN_OR_RETURN(std::vector<BackupSummary> all,
                   Summaries(*engine, backup_dir));
  std::vector<BackupSummary> checked;
  for (const BackupSummary& b : all) {
    if (id && b.id != *id) continue;
    rocksdb::IOStatus s =
        engine->VerifyBackup(b.id, /*verify_with_checksum=*/true);
    if (!s.ok()) {
      return absl::DataLossError(
          core::StrCat("backup ", b.id, ": ", s.ToString()));
    }
    checked.push_back(b);
  }
  if (id && checked.empty()) {
    return absl::NotFoundError(core::StrCat("no backup ", *id));
  }
  return checked;
}

absl::StatusOr<BackupSummary> RestoreBackup(const std::string& backup_dir,
                                            const std::string& data_dir,
                                            std::optional<uint32_t> id) {
  std::error_code error;
  if (fs::exists(data_dir, error) && !fs::is_empty(data_dir, error)) {
    return absl::FailedPreconditionError(core::StrCat(
        data_dir, " is not empty: a restore never overwrites a data dir"));
  }
  ASSIGN_OR_RETURN(auto engine, OpenReader(backup_dir));
  ASSIGN_OR_RETURN(std::vector<BackupSummary> all,
                   Summaries(*engine, backup_dir));
  const BackupSummary* chosen = &all.back();
  if (id) {
    chosen = nullptr;
    for (const BackupSummary& b : all) {
      if (b.id == *id) chosen = &b;
    }
    if (chosen == nullptr) {
      return absl::NotFoundError(core::StrCat("no backup ", *id));
    }
  }
  rocksdb::BackupInfo info;
  rocksdb::Status read = engine->GetBackupInfo(chosen->id, &info);
  if (!read.ok()) return FromRocks(read, "read the backup");
  ASSIGN_OR_RETURN(Metadata metadata,
                   DecodeMetadata(info.backup_id, info.app_metadata));

  // Everything goes into a sibling first, so a failure leaves no half-made
  // data dir (one without its key would make a new key at the next start).
  const fs::path target = fs::absolute(data_dir, error);
  const std::string staging =
      target.string() + ".restoring-" + std::to_string(getpid());
  fs::remove_all(staging, error);
  auto restored = [&]() -> absl::StatusOr<BackupSummary> {
    RETURN_IF_ERROR(MakePrivateDir(staging));
    rocksdb::IOStatus s = engine->RestoreDBFromBackup(
        rocksdb::RestoreOptions(), chosen->id, staging, staging);
    if (!s.ok()) {
      return FromIo(s, core::StrCat("restore backup ", chosen->id));
    }
    if (!metadata.hmac_key.empty()) {
      RETURN_IF_ERROR(WriteHmacKey(staging, metadata.hmac_key));
    }
    // Say which list version was restored, and prove the copy opens.
    StoreOptions options;
    options.path = staging;
    options.read_only = true;
    options.block_cache_bytes = 0;
    ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(options));
    BackupSummary summary = *chosen;
    ASSIGN_OR_RETURN(summary.list_version, ListVersionOf(*db));
    return summary;
  }();
  if (restored.ok()) {
    fs::remove(target, error);  // empty, if there
    fs::rename(staging, target, error);
    if (error) {
      restored = absl::UnavailableError(core::StrCat(
          "cannot rename ", staging, " to ", data_dir, ": ", error.message()));
    } else {
      SyncDir(target.parent_path().string());
    }
  }
  if (!restored.ok()) fs::remove_all(staging, error);
  return restored;
}

}  // namespace fraudgate::store
