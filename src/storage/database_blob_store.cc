// Blobs as chunk rows in the database, so that several stateless nodes share content
// through the one PostgreSQL they already share.
#include "storage/blob_store.h"
#include "util/clock.h"
#include "util/fault_injection.h"
#include "util/hash.h"

namespace nexus::storage {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

class DatabaseBlobStore final : public BlobStore {
 public:
  explicit DatabaseBlobStore(Engine& engine) : engine_(engine) {}

  StatusOr<std::string> Put(std::string_view content) override;
  StatusOr<std::string> Get(std::string_view hash) override;
  StatusOr<bool> Contains(Tx& tx, std::string_view hash) override;
  Status Remove(Tx& tx, std::string_view hash) override;
  Status ForEach(const std::function<Status(const StoredBlob&)>& fn) override;

 private:
  Engine& engine_;
};

StatusOr<std::string> DatabaseBlobStore::Put(std::string_view content) {
  std::string hash = Sha256Hex(content);
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const bool present, Contains(tx, hash));
    if (present) return Status::OK();
    const int64_t now = NowMicros();
    // Empty content still gets chunk 0, which marks the blob as present.
    for (size_t off = 0, idx = 0; off < content.size() || idx == 0; off += kChunkBytes, ++idx) {
      const std::string_view chunk = content.substr(off, kChunkBytes);
      RETURN_IF_ERROR(
          tx.Exec("INSERT INTO blob_chunks (hash, idx, data, stored_at) VALUES (?, ?, ?, ?)"
                  " ON CONFLICT DO NOTHING",
                  {hash, static_cast<int64_t>(idx), Bytes{std::string(chunk)}, now})
              .status());
      RETURN_IF_ERROR(InjectedFault("dbblob.write", "store blob chunk"));
    }
    return Status::OK();
  }));
  return hash;
}

StatusOr<std::string> DatabaseBlobStore::Get(std::string_view hash) {
  if (!IsSha256Hex(hash)) return InvalidArgument("not a content hash: " + std::string(hash));
  std::string content;
  bool found = false;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT data FROM blob_chunks WHERE hash = ? ORDER BY idx",
                                         {std::string(hash)}));
    found = !rows.empty();
    for (const Row& r : rows) content += r.Text(0);
    return Status::OK();
  }));
  if (!found) return NotFound("content blob missing: " + std::string(hash));
  if (Sha256Hex(content) != hash) return IOError("content blob is corrupt: " + std::string(hash));
  return content;
}

StatusOr<bool> DatabaseBlobStore::Contains(Tx& tx, std::string_view hash) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT 1 FROM blob_chunks WHERE hash = ? AND idx = 0",
                                       {std::string(hash)}));
  return !rows.empty();
}

Status DatabaseBlobStore::Remove(Tx& tx, std::string_view hash) {
  return tx.Exec("DELETE FROM blob_chunks WHERE hash = ?", {std::string(hash)}).status();
}

Status DatabaseBlobStore::ForEach(const std::function<Status(const StoredBlob&)>& fn) {
  Rows rows;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(rows, tx.Query("SELECT hash, stored_at FROM blob_chunks WHERE idx = 0"));
    return Status::OK();
  }));
  for (const Row& r : rows) RETURN_IF_ERROR(fn(StoredBlob{r.Text(0), r.Int(1)}));
  return Status::OK();
}

}  // namespace

std::unique_ptr<BlobStore> NewDatabaseBlobStore(Engine& engine) {
  return std::make_unique<DatabaseBlobStore>(engine);
}

}  // namespace nexus::storage
