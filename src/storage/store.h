// A store: the engine and the blob store that go together, opened from a data directory and
// migrated to the caller's schema.
#ifndef NEXUS_STORAGE_STORE_H_
#define NEXUS_STORAGE_STORE_H_

#include <memory>
#include <span>
#include <string>

#include "storage/blob_store.h"
#include "storage/engine.h"
#include "storage/migration.h"

namespace nexus::storage {

struct StoreOptions {
  std::string data_dir;      // holds nexus.db (SQLite) and cas/ (local blobs)
  std::string database_url;  // empty: SQLite at <data_dir>/nexus.db
  // Every migration of the database, in version order, applied at open (migration.h).
  std::span<const Migration> schema;
  Durability durability = Durability::kFull;
  // Keep recently read small blobs in memory (blob_cache.h): for the server. Off for tools
  // such as fsck, which must see the bytes on disk.
  bool cache_blobs = false;
};

struct Store {
  std::unique_ptr<Engine> engine;
  // Local files under data_dir with SQLite; rows in the database with PostgreSQL, so that
  // nodes sharing the database share content too.
  std::unique_ptr<BlobStore> blobs;
};

StatusOr<Store> OpenStore(const StoreOptions& options);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_STORE_H_
