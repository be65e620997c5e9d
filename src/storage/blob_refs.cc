#include "storage/blob_refs.h"

#include <set>

#include "util/clock.h"

namespace nexus::storage {
namespace {

// Orders reference changes and sweeps of one hash across concurrent PostgreSQL
// transactions; SQLite's single writer already orders them.
Status LockHash(Tx& tx, std::string_view hash) {
  if (tx.dialect() != Dialect::kPostgres) return Status::OK();
  return tx.Query("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", {std::string(hash)})
      .status();
}

// Removes `hash` from the store and the table if it is (still) unreferenced. Returns
// whether it was removed.
StatusOr<bool> RemoveIfUnreferenced(Tx& tx, BlobStore& store, const std::string& hash) {
  RETURN_IF_ERROR(LockHash(tx, hash));
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT refcount FROM blobs WHERE hash = ?", {hash}));
  if (!rows.empty() && rows[0].Int(0) > 0) return false;
  RETURN_IF_ERROR(tx.Exec("DELETE FROM blobs WHERE hash = ?", {hash}).status());
  RETURN_IF_ERROR(store.Remove(tx, hash));
  return true;
}

}  // namespace

Status AddBlobRef(Tx& tx, BlobStore& store, std::string_view hash, int64_t size) {
  const std::string h(hash);
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT refcount FROM blobs WHERE hash = ?", {h}));
  if (!rows.empty() && rows[0].Int(0) > 0) {
    return tx.Exec("UPDATE blobs SET refcount = refcount + 1 WHERE hash = ?", {h}).status();
  }
  // The blob is unreferenced, so the sweeper may be removing it: take the hash's lock and
  // make sure the bytes are still there before referencing them.
  RETURN_IF_ERROR(LockHash(tx, h));
  ASSIGN_OR_RETURN(const bool present, store.Contains(tx, h));
  if (!present) return Status(Code::kRetry, "content blob was swept before commit: " + h);
  return tx
      .Exec(
          "INSERT INTO blobs (hash, size, refcount, zero_since) VALUES (?, ?, 1, NULL)"
          " ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + 1, zero_since = NULL",
          {h, size})
      .status();
}

Status DropBlobRefs(Tx& tx, std::string_view hash, int64_t count) {
  ASSIGN_OR_RETURN(
      const int64_t changed,
      tx.Exec("UPDATE blobs SET refcount = refcount - ?,"
              " zero_since = CASE WHEN refcount = ? THEN ? ELSE zero_since END WHERE hash = ?",
              {count, count, NowMicros(), std::string(hash)}));
  if (changed != 1) return Internal("reference to unknown blob " + std::string(hash));
  return Status::OK();
}

StatusOr<int64_t> SweepBlobs(Engine& engine, BlobStore& store, int64_t grace_micros) {
  const int64_t cutoff = NowMicros() - grace_micros;
  std::set<std::string> candidates;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(
        Rows rows,
        tx.Query("SELECT hash FROM blobs WHERE refcount = 0 AND zero_since <= ?", {cutoff}));
    for (const Row& r : rows) candidates.insert(r.Text(0));
    return Status::OK();
  }));
  std::set<std::string> known;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT hash FROM blobs"));
    for (const Row& r : rows) known.insert(r.Text(0));
    return Status::OK();
  }));
  RETURN_IF_ERROR(store.ForEach([&](const StoredBlob& b) {
    if (!known.contains(b.hash) && b.stored_at_micros <= cutoff) candidates.insert(b.hash);
    return Status::OK();
  }));
  int64_t removed = 0;
  for (const std::string& hash : candidates) {
    RETURN_IF_ERROR(engine.Write([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(const bool gone, RemoveIfUnreferenced(tx, store, hash));
      removed += gone ? 1 : 0;
      return Status::OK();
    }));
  }
  return removed;
}

namespace {

// Whether `hash` is present and intact in `store`; adds it to `report` when it is not.
Status CheckStored(BlobStore& store, const std::string& hash, BlobCheckReport& report) {
  StatusOr<std::string> content = store.Get(hash);
  if (content.ok()) return Status::OK();
  if (content.status().code() == Code::kNotFound) {
    report.missing.push_back(hash);
  } else if (content.status().code() == Code::kIOError) {
    report.corrupt.push_back(hash);
  } else {
    return content.status();
  }
  return Status::OK();
}

}  // namespace

StatusOr<BlobCheckReport> CheckBlobs(Engine& engine, BlobStore& store) {
  BlobCheckReport report;
  Rows rows;
  Rows unrecorded;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(
        rows, tx.Query("SELECT b.hash, b.refcount, (SELECT COUNT(*) FROM versions v"
                       " WHERE v.hash = b.hash) + (SELECT COUNT(*) FROM"
                       " workspace_snapshot_files f WHERE f.hash = b.hash) + (SELECT COUNT(*)"
                       " FROM upload_parts p WHERE p.hash = b.hash)"
                       " FROM blobs b ORDER BY b.hash"));
    // Only possible with foreign keys off (an old store, a hand edit), but then nothing
    // else would notice.
    ASSIGN_OR_RETURN(unrecorded,
                     tx.Query("SELECT v.hash FROM versions v WHERE NOT EXISTS (SELECT 1 FROM"
                              " blobs b WHERE b.hash = v.hash) UNION SELECT f.hash FROM"
                              " workspace_snapshot_files f WHERE NOT EXISTS (SELECT 1 FROM blobs b"
                              " WHERE b.hash = f.hash) ORDER BY 1"));
    return Status::OK();
  }));
  std::set<std::string> referenced;
  for (const Row& r : rows) {
    const std::string hash = r.Text(0);
    if (r.Int(1) != r.Int(2)) report.wrong_refcount.push_back(hash);
    if (r.Int(1) == 0) continue;
    referenced.insert(hash);
    RETURN_IF_ERROR(CheckStored(store, hash, report));
  }
  for (const Row& r : unrecorded) {
    const std::string hash = r.Text(0);
    report.unrecorded.push_back(hash);
    referenced.insert(hash);
    RETURN_IF_ERROR(CheckStored(store, hash, report));
  }
  RETURN_IF_ERROR(store.ForEach([&](const StoredBlob& b) {
    if (!referenced.contains(b.hash)) report.orphans.push_back(b.hash);
    return Status::OK();
  }));
  return report;
}

}  // namespace nexus::storage
