#include "store/store.h"

#include "core/status_macros.h"
#include "store/db.h"

namespace fraudgate::store {

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  ASSIGN_OR_RETURN(store->db_, Db::Open(options));
  ASSIGN_OR_RETURN(store->blocklist_, BlocklistStore::Open(store->db_.get()));
  store->hits_ = std::make_unique<HitStore>(store->db_.get());
  return store;
}

// The users of the database go before it closes.
Store::~Store() {
  hits_.reset();
  blocklist_.reset();
  db_.reset();
}

}  // namespace fraudgate::store
