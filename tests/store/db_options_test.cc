// Column family options that changed after data dirs were written must read
// those dirs the same: entities and reports gained a whole-key prefix
// extractor and a hashed memtable (store/db.cc).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fraudgate/v1/storage.pb.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "store/db.h"
#include "store/store.h"
#include "tests/testing/matchers.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::store {
namespace {

std::string EntityKey(int i) {
  return absl::StrCat("B970436", std::string(1, '\0'), "00712", 100000 + i);
}

// Writes `count` entities into `path` the way the store did before the
// change: skip-list memtables, no prefix extractor, whole-key bloom filters.
// The first half goes to a table file, the rest stays in the WAL.
void WriteWithPreviousOptions(const std::string& path, int count) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kCfCount; ++i) {
    descriptors.emplace_back(std::string(CfName(static_cast<Cf>(i))),
                             cf_options);
  }
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* entities =
      handles[static_cast<size_t>(Cf::kEntities)];
  rocksdb::WriteOptions sync;
  sync.sync = true;
  for (int i = 0; i < count; ++i) {
    v1::Entity entity;
    entity.mutable_identifier()->set_value(absl::StrCat(i));
    ASSERT_TRUE(
        db->Put(sync, entities, EntityKey(i), entity.SerializeAsString()).ok());
    if (i == count / 2) {
      ASSERT_TRUE(db->Flush({}, entities).ok());
    }
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  }
  ASSERT_TRUE(db->Close().ok());
}

TEST(DbOptionsTest, EntitiesWrittenWithThePreviousOptionsReadTheSame) {
  testing::TempDir dir;
  const std::string path = dir.File("db");
  constexpr int kCount = 200;
  WriteWithPreviousOptions(path, kCount);
  if (::testing::Test::HasFatalFailure()) return;

  StoreOptions options;
  options.path = path;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(options));
  std::vector<std::string> keys;
  for (int i = 0; i < kCount; ++i) keys.push_back(EntityKey(i));
  keys.push_back(EntityKey(kCount));  // never written
  ASSERT_OK_AND_ASSIGN(LookupResult found, store->blocklist().Lookup(keys));
  ASSERT_EQ(found.entities.size(), keys.size());
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(found.entities[i].has_value()) << i;
    EXPECT_EQ(found.entities[i]->identifier().value(), absl::StrCat(i));
  }
  EXPECT_FALSE(found.entities[kCount].has_value());
}

}  // namespace
}  // namespace fraudgate::store
