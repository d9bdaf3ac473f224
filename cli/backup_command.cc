// `fraudgate backup create|list|verify|restore` (store/backup.h): online,
// consistent, checksummed backups of a data dir. A running server's data dir
// is backed up by the server itself, through its admin socket
// (service/admin_server.h), once the CLI has checked who serves it
// (cli/admin_socket_client.h); a stopped server's by opening the store here.
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "cli/admin_socket_client.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "cli/progress.h"
#include "core/text.h"
#include "fraudgate/v1/admin.grpc.pb.h"
#include "proto/proto_time.h"
#include "store/backup.h"

namespace fraudgate::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kUsage[] =
    "usage: fraudgate backup create --data=DIR --backup-dir=DIR\n"
    "       fraudgate backup list|verify --backup-dir=DIR [--id=N]\n"
    "       fraudgate backup restore --backup-dir=DIR --data=DIR [--id=N]\n";

// "12.3 MiB", or "42 KiB" below a MiB.
std::string Size(uint64_t bytes) {
  if (bytes < (1 << 20)) return core::StrCat((bytes + 1023) / 1024, " KiB");
  return core::StrCat(bytes / (1 << 20), ".", (bytes % (1 << 20)) * 10 >> 20,
                      " MiB");
}

void Print(const std::vector<store::BackupSummary>& backups, Format format) {
  const std::vector<std::string> header = {"ID", "CREATED (+07)", "SIZE",
                                           "FILES", "FROM_LIST_VERSION"};
  std::vector<std::vector<std::string>> rows;
  for (const store::BackupSummary& b : backups) {
    rows.push_back(
        {core::StrCat(b.id),
         absl::FormatTime("%Y-%m-%d %H:%M:%S", b.created,
                          absl::FixedTimeZone(7 * 3600)),
         format == Format::kTable ? Size(b.bytes) : core::StrCat(b.bytes),
         core::StrCat(b.files), core::StrCat(b.list_version)});
  }
  if (format == Format::kCsv) return PrintCsv(header, rows);
  if (format == Format::kJson) {
    for (const store::BackupSummary& b : backups) {
      std::cout << "{\"id\":" << b.id << ",\"created\":\""
                << absl::FormatTime(absl::RFC3339_sec, b.created,
                                    absl::UTCTimeZone())
                << "\",\"bytes\":" << b.bytes << ",\"files\":" << b.files
                << ",\"from_list_version\":" << b.list_version << "}\n";
    }
    return;
  }
  PrintTable(header, rows);
}

// Backs up the server's store through its admin socket (AdminService).
absl::StatusOr<store::BackupSummary> CreateThroughServer(
    std::shared_ptr<grpc::Channel> channel, const std::string& backup_dir,
    const store::BackupProgress& copied) {
  auto stub = v1::AdminService::NewStub(std::move(channel));
  grpc::ClientContext context;
  v1::CreateBackupRequest request;
  // The server resolves paths from its own working directory.
  request.set_backup_dir(fs::absolute(backup_dir).lexically_normal());
  auto reader = stub->CreateBackup(&context, request);
  v1::CreateBackupProgress message;
  store::BackupSummary made;
  while (reader->Read(&message)) {
    copied(message.bytes_copied());
    if (!message.has_backup()) continue;
    const v1::BackupInfo& info = message.backup();
    made = {info.id(), FromProtoTime(info.created()), info.bytes(),
            info.files(), info.list_version()};
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    const auto code = static_cast<absl::StatusCode>(status.error_code());
    return absl::Status(code, core::StrCat(absl::StatusCodeToString(code), ": ",
                                           status.error_message()));
  }
  return made;
}

int Create(const std::string& data, const std::string& backup_dir) {
  auto running = ConnectToRunningServer(data);
  if (!running.ok()) return ReportError(running.status(), kExitFailure);
  std::shared_ptr<grpc::Channel> server = *std::move(running);
  Progress progress;
  auto copied = [&](uint64_t bytes) {
    progress.Update("copied " + Size(bytes));
  };
  auto made = server ? CreateThroughServer(server, backup_dir, copied)
                     : store::CreateBackup(data, backup_dir, copied);
  progress.Done();
  if (!made.ok()) return ReportError(made.status(), kExitFailure);
  std::cout << "backup " << made->id << " of " << data
            << (server ? " (through the running server)" : "")
            << ": from list_version " << made->list_version << ", "
            << made->files << " files, " << Size(made->bytes) << "\n";
  return kExitOk;
}

int Run(const Flags& flags) {
  const std::vector<std::string>& args = flags.positional();
  if (args.size() != 1 || flags.Get("backup-dir").empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string& action = args[0];
  const std::string backup_dir = flags.Get("backup-dir");
  std::optional<uint32_t> id;
  if (!flags.Get("id").empty()) {
    uint32_t n = 0;
    if (!absl::SimpleAtoi(flags.Get("id"), &n) || n == 0) {
      std::cerr << "fraudgate backup: --id: a backup id (1, 2, ...) "
                   "expected\n";
      return kExitUsage;
    }
    id = n;
  }
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);

  if (action == "create") return Create(flags.Get("data"), backup_dir);
  if (action == "list") {
    auto backups = store::ListBackups(backup_dir);
    if (!backups.ok()) return ReportError(backups.status(), kExitFailure);
    Print(*backups, *format);
    return kExitOk;
  }
  if (action == "verify") {
    auto checked = store::VerifyBackups(backup_dir, id);
    if (!checked.ok()) return ReportError(checked.status(), kExitFailure);
    for (const store::BackupSummary& b : *checked) {
      std::cout << "backup " << b.id << " OK: " << b.files
                << " files, checksums match\n";
    }
    return kExitOk;
  }
  if (action == "restore") {
    auto restored = store::RestoreBackup(backup_dir, flags.Get("data"), id);
    if (!restored.ok()) return ReportError(restored.status(), kExitFailure);
    std::cout << "restored backup " << restored->id << " into "
              << flags.Get("data") << ": list_version "
              << restored->list_version << "\n";
    return kExitOk;
  }
  std::cerr << kUsage;
  return kExitUsage;
}

}  // namespace

Command BackupCommand() {
  return Command{
      "backup",
      "backup create|list|verify|restore --backup-dir=DIR [--data=DIR] "
      "[--id=N]",
      "back up a data dir (a running server's too), list, verify or restore "
      "backups",
      {
          {"data", "./var/data",
           "data directory: backed up (create) or restored into (restore, "
           "must be empty)"},
          {"backup-dir", "", "directory of the backups"},
          {"id", "", "verify/restore: this backup (default: all / newest)"},
          {"format", "table",
           core::StrCat("list: table, json or csv (", kCsvFormatHelp, ")")},
      },
      Run,
      /*takes_arguments=*/true};
}

}  // namespace fraudgate::cli
