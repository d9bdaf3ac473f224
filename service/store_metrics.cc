#include "service/store_metrics.h"

#include <chrono>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace fraudgate::service {
namespace {

using Samples = std::vector<Metrics::Sample>;

// The store's figures, read at most once per scrape (a scrape renders every
// family at once; each read is some 20 RocksDB property reads).
class StatsCache {
 public:
  explicit StatsCache(store::Store* store) : store_(store) {}
  store::StoreStats Get() {
    absl::MutexLock lock(&mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!read_ || now - read_at_ > std::chrono::milliseconds(200)) {
      stats_ = store_->Stats();
      read_at_ = now;
      read_ = true;
    }
    return stats_;
  }

 private:
  store::Store* const store_;
  absl::Mutex mu_;
  store::StoreStats stats_ ABSL_GUARDED_BY(mu_);
  bool read_ ABSL_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point read_at_ ABSL_GUARDED_BY(mu_);
};

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
  auto cache = std::make_shared<StatsCache>(store);
  metrics->AddSamples(
      "fraudgate_store_sst_bytes", "Size of the live table files.",
      MetricType::kGauge, [cache] {
        return PerColumnFamily(cache->Get(),
                               &store::StoreStats::ColumnFamily::sst_bytes);
      });
  metrics->AddSamples("fraudgate_store_memtable_bytes",
                      "Size of the active and immutable memtables.",
                      MetricType::kGauge, [cache] {
                        return PerColumnFamily(
                            cache->Get(),
                            &store::StoreStats::ColumnFamily::memtable_bytes);
                      });
  metrics->AddFunction(
      "fraudgate_store_pending_compaction_bytes",
      "Bytes compaction would rewrite to bring every level to its target "
      "size (RocksDB's estimate).",
      MetricType::kGauge,
      [cache] { return cache->Get().pending_compaction_bytes; });
  metrics->AddFunction("fraudgate_store_block_cache_hits_total",
                       "Block cache lookups that found the block.",
                       MetricType::kCounter,
                       [cache] { return cache->Get().block_cache_hits; });
  metrics->AddFunction("fraudgate_store_block_cache_misses_total",
                       "Block cache lookups that read the block from a file.",
                       MetricType::kCounter,
                       [cache] { return cache->Get().block_cache_misses; });
  metrics->AddFunction(
      "fraudgate_store_block_cache_hit_ratio",
      "Block cache hits / lookups since the store opened (0 before any).",
      MetricType::kGauge, [cache] {
        const store::StoreStats stats = cache->Get();
        const double lookups = static_cast<double>(stats.block_cache_hits) +
                               static_cast<double>(stats.block_cache_misses);
        return lookups == 0 ? 0 : stats.block_cache_hits / lookups;
      });
  metrics->AddFunction(
      "fraudgate_store_write_stall_seconds_total",
      "Time writers were delayed or stopped to let compaction catch up.",
      MetricType::kCounter,
      [cache] { return cache->Get().write_stall_micros / 1e6; });
  metrics->AddFunction(
      "fraudgate_store_writes_stopped",
      "1 while RocksDB stops writes to let compaction catch up.",
      MetricType::kGauge,
      [cache] { return cache->Get().writes_stopped ? 1.0 : 0.0; });
  metrics->AddFunction(
      "fraudgate_store_read_only",
      "1 while a failed write keeps the store read-only (screening answers "
      "UNAVAILABLE).",
      MetricType::kGauge,
      [store] { return store->WriteHealth().ok() ? 0.0 : 1.0; });
  metrics->AddSamples(
      "fraudgate_blocklist_identifiers",
      "Identifiers on the blocklist by kind and stored status (an entry past "
      "its expiry counts under its stored status).",
      MetricType::kGauge, [store] {
        const store::ListCounts counts = store->blocklist().Counts();
        Samples samples;
        for (int kind = v1::IdentifierKind_MIN + 1;
             kind <= v1::IdentifierKind_MAX; ++kind) {
          for (v1::EntityStatus status : {v1::ACTIVE, v1::DELISTED}) {
            const auto k = static_cast<v1::IdentifierKind>(kind);
            samples.push_back({{{"kind", v1::IdentifierKind_Name(k)},
                                {"status", v1::EntityStatus_Name(status)}},
                               static_cast<double>(counts.Get(k, status))});
          }
        }
        return samples;
      });

  Metrics::Histogram* write_seconds = metrics->GetHistogram(
      "fraudgate_hit_write_seconds",
      "Time to check and write one group of screening records (WAL, no "
      "fsync).");
  Metrics::Counter* handled_ok = metrics->GetCounter(
      "fraudgate_hit_records_total",
      "Screening records the hit writer handled (a repeat of a recorded "
      "transfer included), by whether their write succeeded.",
      {{"result", "ok"}});
  Metrics::Counter* handled_error = metrics->GetCounter(
      "fraudgate_hit_records_total", "", {{"result", "error"}});
  store->hits().SetWriteObserver([write_seconds, handled_ok, handled_error](
                                     absl::Duration took, size_t hits,
                                     bool ok) {
    write_seconds->Observe(absl::ToDoubleSeconds(took));
    (ok ? handled_ok : handled_error)->Increment(static_cast<int64_t>(hits));
  });
}

}  // namespace fraudgate::service
