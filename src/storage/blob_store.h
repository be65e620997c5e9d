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

#include "storage/engine.h"

namespace nexus::storage {

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
