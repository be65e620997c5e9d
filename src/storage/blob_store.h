// Content-addressed blob stores: bytes stored under their SHA-256.
//
// Content is written (and, with durability full, synced) before any metadata that
// references it commits, so a committed reference never points at missing bytes. Which
// blobs are referenced is the database's business (blob_refs.h); a store only holds bytes.
#ifndef NEXUS_STORAGE_BLOB_STORE_H_
#define NEXUS_STORAGE_BLOB_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/engine.h"

namespace nexus::storage {

// Every part but the last of a Concatenate is a multiple of this: the database store keeps
// blobs as chunks of this size and copies a part's chunks whole.
inline constexpr int64_t kBlobChunkBytes = 1 << 20;

struct StoredBlob {
  std::string hash;
  int64_t stored_at_micros;  // when the bytes were written
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `content` and returns its SHA-256 hex. Storing content that is already there
  // is cheap and returns the same hash.
  virtual StatusOr<std::string> Put(std::string_view content) = 0;

  // The content of `hash`, verified against the hash: kNotFound when absent, kIOError when
  // the stored bytes do not match (corruption).
  virtual StatusOr<std::string> Get(std::string_view hash) = 0;

  // Bytes [offset, offset + length) of blob `hash`, fewer at its end and none past it;
  // kNotFound when the blob is absent. A range cannot be checked against the hash (only the
  // whole content can, which is what Get does), so a corrupt blob reads as stored.
  virtual StatusOr<std::string> GetRange(std::string_view hash, int64_t offset,
                                         int64_t length) = 0;

  // Stores the concatenation of the stored blobs `parts` as one blob and returns its hash,
  // a block at a time, so that memory does not grow with the size (an upload's parts become
  // the file's content). Every part but the last must be a multiple of kBlobChunkBytes long
  // (kInvalidArgument otherwise); kNotFound when a part is absent. Like Put, the new blob is
  // whole (and synced) before it can be found, and the parts stay.
  virtual StatusOr<std::string> Concatenate(const std::vector<std::string>& parts) = 0;

  // Inside a write unit: whether `hash` is stored, and its removal. Taking the unit's Tx
  // orders these with the reference changes of the same transaction.
  virtual StatusOr<bool> Contains(Tx& tx, std::string_view hash) = 0;
  virtual Status Remove(Tx& tx, std::string_view hash) = 0;

  // Calls `fn` for every stored blob (for the checker and the sweeper).
  virtual Status ForEach(const std::function<Status(const StoredBlob&)>& fn) = 0;
};

// Blobs as files under `root`/cas/ab/cd/<hash>. With Durability::kFull each new blob is
// fsynced, renamed into place, and its directory fsynced before Put returns.
std::unique_ptr<BlobStore> NewLocalBlobStore(std::string root, Durability durability);

// Blobs as 1 MiB chunk rows in the database of `engine` (PostgreSQL), for deployments of
// several nodes that share no disk.
std::unique_ptr<BlobStore> NewDatabaseBlobStore(Engine& engine);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_BLOB_STORE_H_
