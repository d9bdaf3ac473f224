// Backups (store/backup.h) of a real store: taken through the open store
// while reports and hits are being written, restored to a new dir, the
// restored store holds exactly the blocklist of one list version (every
// report up to it and none after), an audit chain that verifies, and a
// prefix of the hits that contains every hit acknowledged before the backup
// began; the beneficiary index key comes back with it. Also: a data dir in
// use is refused, list, verify (a damaged table file or description is
// DATA_LOSS), restore refusing a non-empty dir, backups sharing files.
#include "store/backup.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/hmac_key.h"
#include "store/store.h"
#include "tests/testing/store_fixture.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::Id;
using testing::KeyOf;
using testing::T;

// Report i (1, 2, ...) names one account of its own.
v1::Identifier AccountOf(int i) {
  return Id(v1::BANK_ACCOUNT, "970436", absl::StrCat(100000000 + i));
}

v1::HitRecord MakeHit(store::HitStore& hits, int i) {
  v1::HitRecord record;
  v1::Hit* hit = record.mutable_hit();
  hit->set_hit_id(hits.NewHitId(T(i)));
  hit->set_transfer_id(absl::StrCat("tr-", i));
  hit->set_caller("bank/test");
  *hit->mutable_screened_at() = ToProtoTime(T(i));
  hit->set_decision(v1::DECISION_ALLOW);
  return record;
}

std::unique_ptr<store::Store> Open(const std::string& path) {
  store::StoreOptions options;
  options.path = path;
  options.create_if_missing = false;
  auto store = store::Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

class BackupTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  const std::string data_ = dir_.File("data");
  const std::string backups_ = dir_.File("backups");
};

TEST_F(BackupTest, OnlineBackupUnderLoadRestoresOnePointInTime) {
  store::StoreOptions options;
  options.path = data_;
  auto opened = store::Store::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<store::Store> store = *std::move(opened);

  // Writers: reports one by one (report i makes list version i) and hits
  // one by one, each noting how many were acknowledged.
  std::atomic<bool> stop{false};
  std::atomic<int> reports_acked{0}, hits_acked{0};
  std::mutex mu;
  std::vector<std::string> hit_ids;  // in write order
  std::thread reporter([&] {
    for (int i = 1; !stop.load(); ++i) {
      auto r = store->blocklist().ApplyReport(
          testing::MakeReport("PA05", absl::StrCat("R-", i), {AccountOf(i)},
                              T(i)),
          "police/test", T(i));
      ASSERT_TRUE(r.ok()) << r.status();
      reports_acked.store(i);
    }
  });
  std::thread hitter([&] {
    for (int i = 1; !stop.load(); ++i) {
      v1::HitRecord record = MakeHit(store->hits(), i);
      auto put = store->hits().PutIfAbsent(&record, {}, {KeyOf(AccountOf(i))});
      ASSERT_TRUE(put.ok()) << put.status();
      std::lock_guard<std::mutex> lock(mu);
      hit_ids.push_back(record.hit().hit_id());
      hits_acked.store(i);
    }
  });
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while ((reports_acked.load() < 200 || hits_acked.load() < 200) &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const int reports_before = reports_acked.load();
  const int hits_before = hits_acked.load();
  EXPECT_GE(reports_before, 200);
  // The data dir is in use: only the open store can back it up.
  EXPECT_EQ(store::CreateBackup(data_, backups_).status().code(),
            absl::StatusCode::kUnavailable);
  auto backup = store->CreateBackup(backups_);
  const int reports_after = reports_acked.load();
  const int hits_after = hits_acked.load();
  stop.store(true);
  reporter.join();
  hitter.join();
  ASSERT_TRUE(backup.ok()) << backup.status();
  const auto key = store::ReadHmacKey(data_);
  store.reset();

  // The backup is of one list version between the two ends of the backup,
  // at or after the one it noted at its start.
  const std::string restored_dir = dir_.File("restored");
  auto restored = store::RestoreBackup(backups_, restored_dir);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->id, backup->id);
  const uint64_t version = restored->list_version;
  EXPECT_GE(backup->list_version, static_cast<uint64_t>(reports_before));
  EXPECT_GE(version, backup->list_version);
  EXPECT_LE(version, static_cast<uint64_t>(reports_after) + 1);
  std::unique_ptr<store::Store> r = Open(restored_dir);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->blocklist().list_version(), version);
  // Exactly reports 1..version: the blocklist at that version.
  for (int i = 1; i <= reports_after + 1; ++i) {
    auto entity = r->blocklist().GetEntity(KeyOf(AccountOf(i)));
    ASSERT_TRUE(entity.ok()) << entity.status();
    EXPECT_EQ(entity->has_value(), i <= static_cast<int>(version))
        << "report " << i << " of a backup at list version " << version;
  }
  auto audit = r->blocklist().VerifyAudit();
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_TRUE(audit->ok) << audit->problem;
  EXPECT_EQ(audit->records, version);
  EXPECT_EQ(audit->list_version, version);
  // The hits: the first K written, K at least those acknowledged before.
  int found = 0;
  for (size_t i = 0; i < hit_ids.size(); ++i) {
    auto hit = r->hits().Get(hit_ids[i]);
    ASSERT_TRUE(hit.ok()) << hit.status();
    if (!hit->has_value()) break;
    ++found;
  }
  for (size_t i = found; i < hit_ids.size(); ++i) {
    auto hit = r->hits().Get(hit_ids[i]);
    ASSERT_TRUE(hit.ok());
    EXPECT_FALSE(hit->has_value()) << "hit " << i << " after a missing one";
  }
  EXPECT_GE(found, hits_before);
  EXPECT_LE(found, hits_after + 1);
  // The beneficiary index works: the key came back.
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ(store::ReadHmacKey(restored_dir).value_or(std::nullopt), **key);
  auto counts = r->hits().CountByBeneficiaries({KeyOf(AccountOf(1))}, 10);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ((*counts)[0], 1);
}

// StopBackups (a closing server) ends the copy in progress: its backup is
// not kept, and later backups are refused.
TEST_F(BackupTest, StopBackupsEndsTheCopyInProgress) {
  store::StoreOptions options;
  options.path = data_;
  auto store = store::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  // Some 10 MB of reports, so the copy reports progress (every 4 MiB) before
  // it ends; random letters, so compression does not shrink them away.
  std::mt19937 rng(7);
  for (int i = 1; i <= 20; ++i) {
    v1::Report report =
        testing::MakeReport("A05", absl::StrCat("R-", i), {AccountOf(i)}, T(i));
    std::string note(500000, 'a');
    for (char& c : note) c = static_cast<char>('a' + rng() % 26);
    report.set_note(note);
    ASSERT_TRUE(
        (*store)->blocklist().ApplyReport(report, "police/a05", T(100)).ok());
  }
  int progress_calls = 0;
  auto stopped = (*store)->CreateBackup(backups_, [&](uint64_t) {
    if (++progress_calls == 1) (*store)->StopBackups();
  });
  EXPECT_GE(progress_calls, 1);
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kAborted)
      << stopped.status();
  EXPECT_EQ(store::ListBackups(backups_).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ((*store)->CreateBackup(backups_).status().code(),
            absl::StatusCode::kAborted);
}

TEST_F(BackupTest, BackupDirInsideTheDataDirIsRefused) {
  {
    auto store = store::Store::Open({.path = data_});
    ASSERT_TRUE(store.ok()) << store.status();
  }
  const auto inside = store::CreateBackup(data_, data_ + "/backups");
  EXPECT_EQ(inside.status().code(), absl::StatusCode::kInvalidArgument)
      << inside.status();
  EXPECT_THAT(inside.status().message(), HasSubstr("backup_dir"));
  EXPECT_FALSE(std::filesystem::exists(data_ + "/backups"));
  ASSERT_TRUE(store::CreateBackup(data_, backups_).ok());
}

TEST_F(BackupTest, ListVerifyRestoreAndIncrementalBackups) {
  {
    store::StoreOptions options;
    options.path = data_;
    auto store = store::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)
                    ->blocklist()
                    .ApplyReport(testing::MakeReport("PA05", "R-1",
                                                     {AccountOf(1)}, T(1)),
                                 "police/test", T(1))
                    .ok());
  }
  auto first = store::CreateBackup(data_, backups_);
  ASSERT_TRUE(first.ok()) << first.status();
  const auto shared_files = [&] {
    int n = 0;
    for (const auto& f : std::filesystem::recursive_directory_iterator(
             backups_ + "/shared_checksum")) {
      n += f.is_regular_file() ? 1 : 0;
    }
    return n;
  };
  const int shared = shared_files();
  EXPECT_GT(shared, 0);
  EXPECT_EQ(std::filesystem::status(backups_).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  auto second = store::CreateBackup(data_, backups_);
  ASSERT_TRUE(second.ok()) << second.status();
  // Nothing changed: the second backup shares every table file.
  EXPECT_EQ(shared_files(), shared);
  EXPECT_EQ(second->id, first->id + 1);
  EXPECT_EQ(second->list_version, 1u);

  auto list = store::ListBackups(backups_);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, first->id);
  EXPECT_GT((*list)[0].files, 0u);
  EXPECT_GT((*list)[0].bytes, 0u);
  auto verified = store::VerifyBackups(backups_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->size(), 2u);

  // Restore never overwrites: the original data dir is refused.
  EXPECT_EQ(store::RestoreBackup(backups_, data_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store::RestoreBackup(backups_, dir_.File("x"), 99).status().code(),
            absl::StatusCode::kNotFound);
  auto restored = store::RestoreBackup(backups_, dir_.File("r1"), first->id);
  ASSERT_TRUE(restored.ok()) << restored.status();
  std::unique_ptr<store::Store> r = Open(dir_.File("r1"));
  ASSERT_NE(r, nullptr);
  auto entity = r->blocklist().GetEntity(KeyOf(AccountOf(1)));
  ASSERT_TRUE(entity.ok() && entity->has_value());

  // A damaged table file in the backups: verify says which backup.
  std::string damaged;
  for (const auto& f :
       std::filesystem::recursive_directory_iterator(backups_)) {
    if (f.path().extension() == ".sst" && f.file_size() > 10) {
      damaged = f.path().string();
    }
  }
  ASSERT_FALSE(damaged.empty());
  {
    std::fstream file(damaged, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(10);
    file.put('\xff');
  }
  auto bad = store::VerifyBackups(backups_);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(bad.status().message(), HasSubstr("backup "));

  // A backup whose description is damaged: DATA_LOSS too.
  std::ofstream(backups_ + "/meta/" + std::to_string(second->id)) << "garbage";
  bad = store::VerifyBackups(backups_, second->id);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(bad.status().message(), HasSubstr("description"));

  // Reading never creates a backup dir.
  EXPECT_EQ(store::ListBackups(dir_.File("none")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("none")));
  EXPECT_EQ(store::CreateBackup(dir_.File("none"), backups_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fraudgate
