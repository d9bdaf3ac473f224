// The store's figures as metrics (metrics.h), read at scrape time:
//   fraudgate_store_sst_bytes{column_family}        live table files
//   fraudgate_store_memtable_bytes{column_family}   memtables
//   fraudgate_store_pending_compaction_bytes        RocksDB's estimate
//   fraudgate_store_block_cache_hits_total, _misses_total, and
//   fraudgate_store_block_cache_hit_ratio            since the store opened
//   fraudgate_store_write_stall_seconds_total        writers delayed/stopped
//   fraudgate_store_writes_stopped                   1 while writes stop
//   fraudgate_store_read_only                        1 while a failed write
//                                                    keeps the store read-only
//   fraudgate_blocklist_identifiers{kind,status}     the blocklist's size
// and, observed as each group of screening records is written:
//   fraudgate_hit_write_seconds (histogram)          one group's check+write
//   fraudgate_hit_records_total{result}              screening records handled
// The RocksDB figures are read at most every 200 ms.
#ifndef FRAUDGATE_SERVICE_STORE_METRICS_H_
#define FRAUDGATE_SERVICE_STORE_METRICS_H_

#include "service/metrics.h"
#include "store/store.h"

namespace fraudgate::service {

// Registers the metrics above. `store` and `metrics` must outlive the
// rendering of `metrics`, and the store's hit write observer must be removed
// (HitStore::SetWriteObserver({})) before `metrics` is destroyed.
void AddStoreMetrics(store::Store* store, Metrics* metrics);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_STORE_METRICS_H_
