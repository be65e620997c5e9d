// Blobs as chunk rows in the database, so that several stateless nodes share content
// through the one PostgreSQL they already share.
#include <algorithm>
#include <optional>

#include "storage/blob_store.h"
#include "storage/rows.h"
#include "storage/run_unit.h"
#include "util/clock.h"
#include "util/fault_injection.h"
#include "util/hash.h"

namespace nexus::storage {
namespace {

constexpr size_t kChunkBytes = kBlobChunkBytes;

class DatabaseBlobStore final : public BlobStore {
 public:
  explicit DatabaseBlobStore(Engine& engine) : engine_(engine) {}

  StatusOr<std::string> Put(std::string_view content) override;
  StatusOr<std::string> Get(std::string_view hash) override;
  StatusOr<std::string> GetRange(std::string_view hash, int64_t offset, int64_t length) override;
  StatusOr<std::string> Concatenate(const std::vector<std::string>& parts) override;
  StatusOr<bool> Contains(Tx& tx, std::string_view hash) override;
  Status Remove(Tx& tx, std::string_view hash) override;
  Status ForEach(const std::function<Status(const StoredBlob&)>& fn) override;

 private:
  // Chunk `idx` of blob `hash`; none past its last chunk.
  StatusOr<std::optional<std::string>> Chunk(const std::string& hash, int64_t idx);
  // Hashes the parts' chunks in order, checking that every part but the last is made of
  // whole chunks; the chunk count of each part goes to `chunks`.
  StatusOr<std::string> HashParts(const std::vector<std::string>& parts,
                                  std::vector<int64_t>& chunks);

  Engine& engine_;
};

StatusOr<std::string> DatabaseBlobStore::Put(std::string_view content) {
  std::string hash = Sha256Hex(content);
  const ResendSafeWrites content_addressed;
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

StatusOr<std::string> DatabaseBlobStore::GetRange(std::string_view hash, int64_t offset,
                                                  int64_t length) {
  if (!IsSha256Hex(hash)) return InvalidArgument("not a content hash: " + std::string(hash));
  if (offset < 0 || length < 0)
    return InvalidArgument("negative range of blob " + std::string(hash));
  const int64_t chunk = kBlobChunkBytes;
  std::string bytes;
  bool found = true;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    bytes.clear();
    const int64_t first = offset / chunk,
                  last = (offset + std::max<int64_t>(length, 1) - 1) / chunk;
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT data FROM blob_chunks WHERE hash = ? AND idx >= ?"
                                         " AND idx <= ? ORDER BY idx",
                                         {std::string(hash), first, last}));
    for (const Row& r : rows) bytes += r.Text(0);
    if (!rows.empty()) {
      bytes.erase(0, std::min(bytes.size(), static_cast<size_t>(offset - first * chunk)));
      return Status::OK();
    }
    ASSIGN_OR_RETURN(found, Contains(tx, hash));  // past the end, or no such blob
    return Status::OK();
  }));
  if (!found) return NotFound("content blob missing: " + std::string(hash));
  bytes.resize(std::min(bytes.size(), static_cast<size_t>(length)));
  return bytes;
}

StatusOr<std::optional<std::string>> DatabaseBlobStore::Chunk(const std::string& hash,
                                                              int64_t idx) {
  return ReadFirst<std::string>(engine_, "SELECT data FROM blob_chunks WHERE hash = ? AND idx = ?",
                                {hash, idx}, [](const Row& r) { return r.Text(0); });
}

StatusOr<std::string> DatabaseBlobStore::HashParts(const std::vector<std::string>& parts,
                                                   std::vector<int64_t>& chunks) {
  Sha256Hasher whole;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!IsSha256Hex(parts[i])) return InvalidArgument("not a content hash: " + parts[i]);
    Sha256Hasher part;
    int64_t idx = 0;
    for (;; ++idx) {
      ASSIGN_OR_RETURN(const std::optional<std::string> data, Chunk(parts[i], idx));
      if (!data) break;
      if (i + 1 < parts.size() && data->size() != kChunkBytes)
        return InvalidArgument("a part other than the last is not a multiple of 1 MiB");
      whole.Update(*data);
      part.Update(*data);
    }
    if (idx == 0) return NotFound("content blob missing: " + parts[i]);
    if (part.FinishHex() != parts[i]) return IOError("content blob is corrupt: " + parts[i]);
    chunks.push_back(idx);
  }
  return whole.FinishHex();
}

StatusOr<std::string> DatabaseBlobStore::Concatenate(const std::vector<std::string>& parts) {
  std::vector<int64_t> chunks;
  ASSIGN_OR_RETURN(std::string hash, HashParts(parts, chunks));
  // One unit: chunk 0 marks a blob present (Contains), so no chunk may be seen before all.
  const ResendSafeWrites content_addressed;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const bool present, Contains(tx, hash));
    if (present) return Status::OK();
    const int64_t now = NowMicros();
    int64_t first_idx = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
      ASSIGN_OR_RETURN(const int64_t copied,
                       tx.Exec("INSERT INTO blob_chunks (hash, idx, data, stored_at)"
                               " SELECT ?, idx + ?, data, ? FROM blob_chunks WHERE hash = ?"
                               " ON CONFLICT DO NOTHING",
                               {hash, first_idx, now, parts[i]}));
      // A part removed (or changed) since it was hashed would leave a hole in the whole.
      if (copied != chunks[i]) return NotFound("content blob missing: " + parts[i]);
      first_idx += chunks[i];
    }
    return Status::OK();
  }));
  return hash;
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
