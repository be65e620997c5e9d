#include "storage/store.h"

#include "storage/blob_cache.h"
#include "util/file.h"

namespace nexus::storage {

StatusOr<Store> OpenStore(const StoreOptions& options) {
  if (options.data_dir.empty()) return InvalidArgument("data directory is empty");
  RETURN_IF_ERROR(CreateDirectories(options.data_dir));
  const std::string url =
      options.database_url.empty() ? options.data_dir + "/nexus.db" : options.database_url;
  Store store;
  ASSIGN_OR_RETURN(store.engine, OpenEngine(url, options.durability));
  RETURN_IF_ERROR(Migrate(*store.engine, options.schema));
  store.blobs = store.engine->dialect() == Dialect::kSqlite
                    ? NewLocalBlobStore(options.data_dir, options.durability)
                    : NewDatabaseBlobStore(*store.engine);
  if (options.cache_blobs) store.blobs = NewCachingBlobStore(std::move(store.blobs));
  return store;
}

}  // namespace nexus::storage
