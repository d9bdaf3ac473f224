// Options for opening the fraudgate RocksDB store. Every field has a default.
#ifndef FRAUDGATE_STORE_STORE_OPTIONS_H_
#define FRAUDGATE_STORE_STORE_OPTIONS_H_

#include <cstddef>
#include <string>

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace fraudgate::store {

struct StoreOptions {
  // Directory of the database. Required (no default).
  std::string path;
  // Create the database when the directory holds none. Default: true.
  bool create_if_missing = true;
  // Open without taking the database lock and refuse every write: for
  // offline tools (audit verify, audit log) that may run beside a server.
  // Implies create_if_missing = false. Default: false.
  bool read_only = false;
  // Open as a secondary instance: read-only, following a database that a
  // running server may own, as of the open (DB::OpenAsSecondary); RocksDB
  // keeps the secondary's own info log in this directory. For backups of a
  // live data dir. Default: empty (a normal open).
  std::string secondary_path;
  // LRU block cache of data blocks shared by all column families, in bytes;
  // 0 disables the block cache. Filter and index blocks are not in it: they
  // stay in memory with their tables, ~2.5 bytes a key (the identifiers of
  // the list, and the transfer ids of the screening history).
  // Default: 64 MiB.
  size_t block_cache_bytes = size_t{64} << 20;
  // A cluster node's store: every screening record written here is also
  // queued, in the same write, in the hits outbox for publishing to the
  // cluster (HitStore::ReadOutbox, cluster/hit_feed.h). Needs a writable
  // open. Default: false.
  bool hits_outbox = false;
  // RocksDB Env to do I/O through; nullptr (default) is the real default Env.
  // Tests pass a fault-injecting wrapper of the real Env here.
  rocksdb::Env* env = nullptr;
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_STORE_OPTIONS_H_
