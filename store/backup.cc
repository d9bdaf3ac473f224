#include "store/backup.h"

#include <filesystem>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "rocksdb/utilities/backup_engine.h"
#include "store/db.h"
#include "store/hmac_key.h"
#include "store/keys.h"

namespace fraudgate::store {
namespace {

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

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine(
    const std::string& backup_dir) {
  rocksdb::BackupEngineOptions options(backup_dir);
  options.callback_trigger_interval_size = kProgressBytes;
  rocksdb::BackupEngine* engine = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options, &engine);
  if (!s.ok()) return FromIo(s, core::StrCat("open backups in ", backup_dir));
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

absl::StatusOr<BackupSummary> SummaryOf(const rocksdb::BackupInfo& info) {
  ASSIGN_OR_RETURN(Metadata m,
                   DecodeMetadata(info.backup_id, info.app_metadata));
  return BackupSummary{info.backup_id, absl::FromUnixSeconds(info.timestamp),
                       info.size, info.number_files, m.list_version};
}

absl::StatusOr<std::vector<BackupSummary>> Summaries(
    rocksdb::BackupEngine& engine, const std::string& backup_dir) {
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

// One backup through a fresh secondary instance of `data_dir`.
absl::StatusOr<uint32_t> BackupOnce(const std::string& data_dir,
                                    const std::string& secondary,
                                    rocksdb::BackupEngine& engine,
                                    const std::string& hmac_key,
                                    const BackupProgress& copied) {
  std::filesystem::remove_all(secondary);
  StoreOptions options;
  options.path = data_dir;
  options.secondary_path = secondary;
  options.block_cache_bytes = 0;
  ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(options));
  Metadata metadata{0, hmac_key};
  ASSIGN_OR_RETURN(metadata.list_version, ListVersionOf(*db));
  rocksdb::CreateBackupOptions create;
  // The secondary cannot flush; the WAL it follows is copied instead (up to
  // the size it had read), so the backup holds every write it saw.
  create.flush_before_backup = false;
  uint64_t bytes = 0;
  if (copied) {
    create.progress_callback = [&] {
      bytes += kProgressBytes;
      copied(bytes);
    };
  }
  rocksdb::BackupID id = 0;
  rocksdb::IOStatus s = engine.CreateNewBackupWithMetadata(
      create, db->get(), EncodeMetadata(metadata), &id);
  if (!s.ok()) return FromIo(s, "backup");
  return id;
}

}  // namespace

absl::StatusOr<BackupSummary> CreateBackup(const std::string& data_dir,
                                           const std::string& backup_dir,
                                           const BackupProgress& copied) {
  std::error_code error;
  if (!std::filesystem::exists(data_dir + "/CURRENT", error)) {
    return absl::NotFoundError(
        core::StrCat("no fraudgate data dir at ", data_dir));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> key, ReadHmacKey(data_dir));
  std::filesystem::create_directories(backup_dir, error);
  if (error) {
    return absl::UnavailableError(
        core::StrCat("cannot make ", backup_dir, ": ", error.message()));
  }
  ASSIGN_OR_RETURN(auto engine, OpenEngine(backup_dir));
  // The secondary instance's own files (an info log) stay beside the
  // backups, out of the data dir, and go when the backup is done.
  const std::string secondary = backup_dir + "/.secondary";
  absl::StatusOr<uint32_t> id;
  constexpr int kAttempts = 5;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    id = BackupOnce(data_dir, secondary, *engine, key.value_or(""), copied);
    // A server on the data dir may delete a file (compaction, a flushed
    // log) between the moment the secondary saw it and its copy: try again
    // from the files as they are now. Partial copies are collected.
    if (id.ok() || id.status().code() != absl::StatusCode::kNotFound) break;
    engine->GarbageCollect().PermitUncheckedError();
  }
  std::filesystem::remove_all(secondary, error);
  if (!id.ok()) return id.status();
  rocksdb::BackupInfo info;
  rocksdb::Status s = engine->GetBackupInfo(*id, &info);
  if (!s.ok()) return FromRocks(s, "read the new backup");
  return SummaryOf(info);
}

absl::StatusOr<std::vector<BackupSummary>> ListBackups(
    const std::string& backup_dir) {
  ASSIGN_OR_RETURN(auto engine, OpenEngine(backup_dir));
  return Summaries(*engine, backup_dir);
}

absl::StatusOr<std::vector<BackupSummary>> VerifyBackups(
    const std::string& backup_dir, std::optional<uint32_t> id) {
  ASSIGN_OR_RETURN(auto engine, OpenEngine(backup_dir));
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
  if (std::filesystem::exists(data_dir, error) &&
      !std::filesystem::is_empty(data_dir, error)) {
    return absl::FailedPreconditionError(core::StrCat(
        data_dir, " is not empty: a restore never overwrites a data dir"));
  }
  ASSIGN_OR_RETURN(auto engine, OpenEngine(backup_dir));
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
  rocksdb::IOStatus s = engine->RestoreDBFromBackup(
      rocksdb::RestoreOptions(), chosen->id, data_dir, data_dir);
  if (!s.ok()) {
    return FromIo(s, core::StrCat("restore backup ", chosen->id));
  }
  if (!metadata.hmac_key.empty()) {
    RETURN_IF_ERROR(WriteHmacKey(data_dir, metadata.hmac_key));
  }
  // The backup may hold a little more than its list version at start (the
  // log was copied as it was then): say what was restored.
  StoreOptions options;
  options.path = data_dir;
  options.read_only = true;
  options.block_cache_bytes = 0;
  ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(options));
  BackupSummary summary = *chosen;
  ASSIGN_OR_RETURN(summary.list_version, ListVersionOf(*db));
  return summary;
}

}  // namespace fraudgate::store
