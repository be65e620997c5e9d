// Reference counts of blobs, kept in the `blobs` table in the same transaction as the
// metadata that references them, plus the sweeper and the checker built on them.
//
// A blob's refcount is the number of `versions`, `workspace_snapshot_files` and
// `upload_parts` (vfs/uploads.h) rows naming it. A blob whose count falls to zero stays for
// a grace period (readers may still be fetching it, a writer may be about to reference it
// again) and is then removed by
// SweepBlobs.
#ifndef NEXUS_STORAGE_BLOB_REFS_H_
#define NEXUS_STORAGE_BLOB_REFS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/blob_store.h"
#include "storage/engine.h"

namespace nexus::storage {

// Inside a write unit: one more reference to `hash` (of `size` bytes). When the blob had no
// live reference, verifies that the store still holds it; kRetry if it was swept meanwhile
// (the caller stores the content again and retries).
Status AddBlobRef(Tx& tx, BlobStore& store, std::string_view hash, int64_t size);

// Inside a write unit: `count` fewer references to `hash`.
Status DropBlobRefs(Tx& tx, std::string_view hash, int64_t count = 1);

// Removes blobs that have had no reference for at least `grace_micros`, and stored blobs
// that no row knows (a write that failed after storing its content) of at least that age.
// Returns how many blobs were removed.
StatusOr<int64_t> SweepBlobs(Engine& engine, BlobStore& store, int64_t grace_micros);

struct BlobCheckReport {
  std::vector<std::string> missing;         // referenced, but not in the store
  std::vector<std::string> corrupt;         // stored bytes do not match the hash
  std::vector<std::string> wrong_refcount;  // refcount differs from the references that exist
  std::vector<std::string> orphans;         // stored, but unreferenced (the sweeper's work)
  // Named by a `versions` or `workspace_snapshot_files` row, but without a `blobs` row: no
  // count protects it from the sweeper.
  std::vector<std::string> unrecorded;
  bool ok() const {
    return missing.empty() && corrupt.empty() && wrong_refcount.empty() && unrecorded.empty();
  }
};

// Verifies every referenced blob (present, right hash, right count, a blobs row for every
// hash a row names) and lists orphans.
// This is the core of `nexus fsck`.
StatusOr<BlobCheckReport> CheckBlobs(Engine& engine, BlobStore& store);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_BLOB_REFS_H_
