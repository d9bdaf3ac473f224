// The fraudgate store: one RocksDB database (DESIGN §3) holding the police
// blocklist and the screening history. The only code that sees rocksdb::*
// lives under store/.
//
// Thread safety: all methods are thread-safe. Destroying the Store closes the
// database; no call may be in flight then.
#ifndef FRAUDGATE_STORE_STORE_H_
#define FRAUDGATE_STORE_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "store/blocklist_store.h"
#include "store/hit_store.h"
#include "store/store_options.h"

namespace fraudgate::store {

class Db;

class Store {
 public:
  // Opens or creates the database at options.path. INVALID_ARGUMENT without a
  // path; UNAVAILABLE when RocksDB cannot open it (e.g. it is locked by a
  // running server).
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const StoreOptions& options);
  ~Store();

  BlocklistStore& blocklist() { return *blocklist_; }
  HitStore& hits() { return *hits_; }

 private:
  Store() = default;
  std::unique_ptr<Db> db_;
  std::unique_ptr<BlocklistStore> blocklist_;
  std::unique_ptr<HitStore> hits_;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_STORE_H_
