#include "service/store_metrics.h"

#include <vector>

namespace fraudgate::service {
namespace {

using Samples = std::vector<Metrics::Sample>;

// One sample per column family of `field`.
Samples PerColumnFamily(const store::StoreStats& stats,
                        uint64_t store::StoreStats::ColumnFamily::*field) {
  Samples samples;
  for (const auto& cf : stats.column_families) {
    samples.push_back(
        {{{"column_family", cf.name}}, static_cast<double>(cf.*field)});
  }
  return samples;
}

}  // namespace

void AddStoreMetrics(store::Store* store, Metrics* metrics) {
  metrics->AddSamples(
      "fraudgate_store_sst_bytes", "Size of the live table files.",
      MetricType::kGauge, [store] {
        return PerColumnFamily(store->Stats(),
                               &store::StoreStats::ColumnFamily::sst_bytes);
      });
  metrics->AddSamples("fraudgate_store_memtable_bytes",
                      "Size of the active and immutable memtables.",
                      MetricType::kGauge, [store] {
                        return PerColumnFamily(
                            store->Stats(),
                            &store::StoreStats::ColumnFamily::memtable_bytes);
                      });
  metrics->AddFunction(
      "fraudgate_store_pending_compaction_bytes",
      "Bytes compaction would rewrite to bring every level to its target "
      "size (RocksDB's estimate).",
      MetricType::kGauge,
      [store] { return store->Stats().pending_compaction_bytes; });
  metrics->AddFunction("fraudgate_store_block_cache_hits_total",
                       "Block cache lookups that found the block.",
                       MetricType::kCounter,
                       [store] { return store->Stats().block_cache_hits; });
  metrics->AddFunction("fraudgate_store_block_cache_misses_total",
                       "Block cache lookups that read the block from a file.",
                       MetricType::kCounter,
                       [store] { return store->Stats().block_cache_misses; });
  metrics->AddFunction(
      "fraudgate_store_block_cache_hit_ratio",
      "Block cache hits / lookups since the store opened (0 before any).",
      MetricType::kGauge, [store] {
        const store::StoreStats stats = store->Stats();
        const double lookups = static_cast<double>(stats.block_cache_hits) +
                               static_cast<double>(stats.block_cache_misses);
        return lookups == 0 ? 0 : stats.block_cache_hits / lookups;
      });
  metrics->AddFunction(
      "fraudgate_store_write_stall_seconds_total",
      "Time writers were delayed or stopped to let compaction catch up.",
      MetricType::kCounter,
      [store] { return store->Stats().write_stall_micros / 1e6; });
  metrics->AddFunction(
      "fraudgate_store_writes_stopped",
      "1 while RocksDB stops writes to let compaction catch up.",
      MetricType::kGauge,
      [store] { return store->Stats().writes_stopped ? 1.0 : 0.0; });
  metrics->AddFunction(
      "fraudgate_store_read_only",
      "1 while a failed write keeps the store read-only (screening answers "
      "UNAVAILABLE).",
      MetricType::kGauge,
      [store] { return store->WriteHealth().ok() ? 0.0 : 1.0; });

  Metrics::Histogram* write_seconds = metrics->GetHistogram(
      "fraudgate_hit_write_seconds",
      "Time to check and write one group of screening records (WAL, no "
      "fsync).");
  Metrics::Counter* written = metrics->GetCounter(
      "fraudgate_hits_written_total",
      "Screening records handed to the store's writer (including repeats "
      "of a recorded transfer and failed writes).");
  store->hits().SetWriteObserver(
      [write_seconds, written](absl::Duration took, size_t hits) {
        write_seconds->Observe(absl::ToDoubleSeconds(took));
        written->Increment(static_cast<int64_t>(hits));
      });
}

}  // namespace fraudgate::service
