// Helpers shared by the store tests (tests/store/): a fixed test clock,
// identifier and report builders, audit hash-chain checks, fixtures that open
// a Store in a unique temp dir (optionally through a FaultEnv), and raw
// access to the column families of a database under a closed Store.
#ifndef FRAUDGATE_TESTS_TESTING_STORE_FIXTURE_H_
#define FRAUDGATE_TESTS_TESTING_STORE_FIXTURE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "store/blocklist_store.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_options.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::testing {

// The test clock: `seconds` after 2023-11-14 22:13:20 UTC (Unix 1.7e9).
absl::Time T(int64_t seconds);

// A wire identifier of `kind` with the given issuer and value.
v1::Identifier Id(v1::IdentifierKind kind, std::string issuer,
                  std::string value);

// The store key (core::Identifier::Key()) of a wire identifier.
std::string KeyOf(const v1::Identifier& id);

// KeyOf of each identifier in `ids`, in order.
std::vector<std::string> KeysOf(
    const google::protobuf::RepeatedPtrField<v1::Identifier>& ids);

// A few canonical identifiers.
inline const v1::Identifier kPhone = Id(v1::PHONE, "", "+84329123456");
inline const v1::Identifier kAccount =
    Id(v1::BANK_ACCOUNT, "970436", "0123456789");
inline const v1::Identifier kWallet = Id(v1::EWALLET, "MOMO", "+84901234567");
inline const v1::Identifier kHandle = Id(v1::CHAT_HANDLE, "ZALO", "lua.dao.99");
inline const v1::Identifier kOtherPhone = Id(v1::PHONE, "", "+84988000111");

// An INVESTMENT_SCAM report naming `ids`, with 3 victims, 150'000'000 lost and
// a note, at the given confidence.
v1::Report MakeReport(std::string agency, std::string report_id,
                      std::vector<v1::Identifier> ids, absl::Time reported_at,
                      v1::Confidence confidence = v1::CONFIRMED);

// The raw 32-byte SHA-256 digest of `bytes`.
std::string Sha256(const std::string& bytes);

// Checks that `audit` is a complete, contiguous, correctly chained log:
// sequences 1, 2, ... and each prev_sha256 the hash of the record before (32
// zero bytes for the first).
void ExpectValidChain(const std::vector<v1::AuditRecord>& audit);

// Opens a Store at dir_/db in SetUp; Reopen() closes and opens it again, and
// UseFaultEnv() switches it to fault_env_ without a block cache.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override;

  // Closes the store (if open) and opens the same directory again.
  void Reopen();

  // Reopens the store through the fault-injecting Env without a block cache,
  // so that every data block read after a reopen goes to an SST file.
  void UseFaultEnv();

  TempDir dir_;
  FaultEnv fault_env_;  // outlives store_
  rocksdb::Env* env_ = nullptr;
  size_t block_cache_bytes_ = store::StoreOptions().block_cache_bytes;
  bool hits_outbox_ = false;  // StoreOptions::hits_outbox at Reopen
  std::unique_ptr<store::Store> store_;
};

// StoreFixture with shortcuts to the store's BlocklistStore.
class BlocklistStoreFixture : public StoreFixture {
 protected:
  store::BlocklistStore& list() { return store_->blocklist(); }

  // The entity of `id`, or nullopt (also, with a test failure, on error).
  std::optional<v1::Entity> Entity(const v1::Identifier& id);

  // Audit records 1..1000 (none, with a test failure, on error).
  std::vector<v1::AuditRecord> Audit();
};

// Raw access to the database at `path` under a closed Store, for reading
// internal column families and for tampering. Failures are test failures.
class RawDb {
 public:
  explicit RawDb(const std::string& path);
  bool ok() const { return db_ != nullptr; }

  // The value at `key`; it must exist.
  std::string Get(store::Cf cf, const std::string& key);
  // The value at `key`, or nullopt if there is none.
  std::optional<std::string> Find(store::Cf cf, const std::string& key);
  // Synced writes.
  void Put(store::Cf cf, const std::string& key, const std::string& value);
  void Delete(store::Cf cf, const std::string& key);
  // Every key of `cf`, in order.
  std::vector<std::string> Keys(store::Cf cf);

  // Audit record `sequence`: its bytes, parsed, overwritten or deleted.
  std::string AuditBytes(uint64_t sequence);
  v1::AuditRecord Audit(uint64_t sequence);
  void PutAudit(uint64_t sequence, const v1::AuditRecord& record);
  void DeleteAudit(uint64_t sequence);
  // Overwrites the list version in `meta`.
  void SetListVersion(uint64_t version);

 private:
  std::unique_ptr<store::Db> db_;
};

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_STORE_FIXTURE_H_
