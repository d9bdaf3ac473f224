#include "tests/testing/store_fixture.h"

#include <openssl/sha.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "rocksdb/db.h"
#include "store/db.h"
#include "store/keys.h"
#include "store/store.h"
#include "store/store_options.h"
#include "tests/testing/matchers.h"

namespace fraudgate::testing {

absl::Time T(int64_t seconds) {
  return absl::FromUnixSeconds(1'700'000'000 + seconds);
}

v1::Identifier Id(v1::IdentifierKind kind, std::string issuer,
                  std::string value) {
  v1::Identifier id;
  id.set_kind(kind);
  id.set_issuer(std::move(issuer));
  id.set_value(std::move(value));
  return id;
}

std::string KeyOf(const v1::Identifier& id) { return store::EntityKey(id); }

std::vector<std::string> KeysOf(
    const google::protobuf::RepeatedPtrField<v1::Identifier>& ids) {
  std::vector<std::string> keys;
  for (const auto& id : ids) keys.push_back(KeyOf(id));
  return keys;
}

v1::Report MakeReport(std::string agency, std::string report_id,
                      std::vector<v1::Identifier> ids, absl::Time reported_at,
                      v1::Confidence confidence) {
  v1::Report r;
  r.set_agency(std::move(agency));
  r.set_report_id(std::move(report_id));
  *r.mutable_reported_at() = ToProtoTime(reported_at);
  r.set_category(v1::INVESTMENT_SCAM);
  r.set_confidence(confidence);
  for (auto& id : ids) *r.add_identifiers() = std::move(id);
  r.set_victim_count(3);
  r.set_amount_lost(150'000'000);
  r.set_note("nhom Telegram dau tu tien ao");
  return r;
}

std::string Sha256(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

void ExpectValidChain(const std::vector<v1::AuditRecord>& audit) {
  std::string prev(32, '\0');
  for (size_t i = 0; i < audit.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(audit[i].sequence(), i + 1);
    EXPECT_EQ(audit[i].prev_sha256(), prev);
    prev = Sha256(audit[i].SerializeAsString());
  }
}

void StoreFixture::SetUp() { ASSERT_NO_FATAL_FAILURE(Reopen()); }

void StoreFixture::Reopen() {
  store_.reset();
  store::StoreOptions options;
  options.path = dir_.File("db");
  options.env = env_;
  options.block_cache_bytes = block_cache_bytes_;
  options.hits_outbox = hits_outbox_;
  ASSERT_OK_AND_ASSIGN(store_, store::Store::Open(options));
}

void StoreFixture::UseFaultEnv() {
  env_ = &fault_env_;
  block_cache_bytes_ = 0;
  ASSERT_NO_FATAL_FAILURE(Reopen());
}

std::optional<v1::Entity> BlocklistStoreFixture::Entity(
    const v1::Identifier& id) {
  auto entity = list().GetEntity(KeyOf(id));
  EXPECT_TRUE(entity.ok()) << entity.status();
  return entity.ok() ? *entity : std::nullopt;
}

std::vector<v1::AuditRecord> BlocklistStoreFixture::Audit() {
  auto records = list().ReadAudit(1, 1000);
  EXPECT_TRUE(records.ok()) << records.status();
  return records.ok() ? *records : std::vector<v1::AuditRecord>{};
}

namespace {

rocksdb::WriteOptions Sync() {
  rocksdb::WriteOptions write;
  write.sync = true;
  return write;
}

}  // namespace

RawDb::RawDb(const std::string& path) {
  store::StoreOptions options;
  options.path = path;
  options.create_if_missing = false;
  auto db = store::Db::Open(options);
  EXPECT_TRUE(db.ok()) << db.status();
  if (db.ok()) db_ = *std::move(db);
}

std::string RawDb::Get(store::Cf cf, const std::string& key) {
  std::string value;
  rocksdb::Status s =
      db_->get()->Get(rocksdb::ReadOptions(), db_->cf(cf), key, &value);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return value;
}

std::optional<std::string> RawDb::Find(store::Cf cf, const std::string& key) {
  std::string value;
  rocksdb::Status s =
      db_->get()->Get(rocksdb::ReadOptions(), db_->cf(cf), key, &value);
  EXPECT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
  if (!s.ok()) return std::nullopt;
  return value;
}

void RawDb::Put(store::Cf cf, const std::string& key,
                const std::string& value) {
  rocksdb::Status s = db_->get()->Put(Sync(), db_->cf(cf), key, value);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

void RawDb::Delete(store::Cf cf, const std::string& key) {
  rocksdb::Status s = db_->get()->Delete(Sync(), db_->cf(cf), key);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

std::vector<std::string> RawDb::Keys(store::Cf cf) {
  std::vector<std::string> keys;
  // Every key, across prefixes: the hashed memtables need total order.
  rocksdb::ReadOptions read;
  read.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->get()->NewIterator(read, db_->cf(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.push_back(it->key().ToString());
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return keys;
}

std::string RawDb::AuditBytes(uint64_t sequence) {
  return Get(store::Cf::kAudit, store::AuditKey(sequence));
}

v1::AuditRecord RawDb::Audit(uint64_t sequence) {
  v1::AuditRecord record;
  EXPECT_TRUE(record.ParseFromString(AuditBytes(sequence))) << sequence;
  return record;
}

void RawDb::PutAudit(uint64_t sequence, const v1::AuditRecord& record) {
  Put(store::Cf::kAudit, store::AuditKey(sequence), record.SerializeAsString());
}

void RawDb::DeleteAudit(uint64_t sequence) {
  Delete(store::Cf::kAudit, store::AuditKey(sequence));
}

void RawDb::SetListVersion(uint64_t version) {
  Put(store::Cf::kMeta, std::string(store::kListVersionKey),
      store::BigEndian64(version));
}

}  // namespace fraudgate::testing
