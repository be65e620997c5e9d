// A read cache in front of a blob store.
//
// Blobs are content-addressed: the bytes of a hash never change, so a cached entry can
// never be stale and needs no invalidation. An entry is only ever the verified answer of
// the store underneath. A `read` then skips the open/read/close of a local blob and its
// SHA-256 check, or, on PostgreSQL, a round trip for the chunk rows.
#ifndef NEXUS_STORAGE_BLOB_CACHE_H_
#define NEXUS_STORAGE_BLOB_CACHE_H_

#include <cstddef>
#include <memory>

#include "storage/blob_store.h"

namespace nexus::storage {

struct BlobCacheOptions {
  size_t capacity_bytes = 16 << 20;   // content bytes kept, least recently read dropped first
  size_t max_blob_bytes = 256 << 10;  // larger blobs pass through uncached
};

// Wraps `inner`: Get answers from memory when it can; everything else passes through.
// Remove also drops the entry, so the bytes of a swept blob are not kept.
std::unique_ptr<BlobStore> NewCachingBlobStore(std::unique_ptr<BlobStore> inner,
                                               BlobCacheOptions options = {});

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_BLOB_CACHE_H_
