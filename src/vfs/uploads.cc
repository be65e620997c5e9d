#include "vfs/uploads.h"

#include <algorithm>
#include <vector>

#include "storage/blob_refs.h"
#include "storage/rows.h"
#include "util/background.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/path.h"

namespace nexus::vfs {
namespace {

using storage::Row;
using storage::Tx;

// Re-runs of a part's store-then-reference when the sweeper removed the blob in between.
constexpr int kMaxAttempts = 3;
// Expired sessions removed per write unit by a sweep.
constexpr int64_t kSweepBatch = 10;

UploadSession SessionFromRow(const Row& r) {
  UploadSession s;
  s.id = r.Text(0);
  s.path = r.Text(1);
  s.owner = r.Text(2);
  s.if_match = r.OptText(3);
  s.part_size = r.Int(4);
  s.created_at = r.Int(5);
  s.expires_at = r.Int(6);
  return s;
}

UploadedPart PartFromRow(const Row& r) { return UploadedPart{r.Int(0), r.Int(1), r.Text(2)}; }

std::string IdFromRow(const Row& r) { return r.Text(0); }

constexpr std::string_view kPartsOf =
    "SELECT idx, size, hash FROM upload_parts WHERE upload_id = ? ORDER BY idx";

Status UploadGone(std::string_view id) {
  return NotFound("no upload " + std::string(id) +
                  ": it was never begun, was committed or aborted, expired, or is another's");
}

// The parts must be 0..n-1, each but the last exactly part_size long.
Status CheckComplete(const UploadSession& session, const std::vector<UploadedPart>& parts,
                     std::optional<int64_t> expected_parts, std::optional<int64_t> expected_size) {
  int64_t size = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].index != static_cast<int64_t>(i))
      return Status(Code::kValidation, "upload " + session.id + " has no part " +
                                           std::to_string(i) + " (parts arrived up to " +
                                           std::to_string(parts.back().index) + ")");
    if (i + 1 < parts.size() && parts[i].size != session.part_size)
      return Status(Code::kValidation, "part " + std::to_string(i) + " of upload " + session.id +
                                           " is " + std::to_string(parts[i].size) +
                                           " bytes; every part but the last must be " +
                                           std::to_string(session.part_size));
    size += parts[i].size;
  }
  const int64_t count = static_cast<int64_t>(parts.size());
  if (expected_parts && *expected_parts != count)
    return Status(Code::kValidation, "upload " + session.id + " has " + std::to_string(count) +
                                         " parts, not " + std::to_string(*expected_parts));
  if (expected_size && *expected_size != size)
    return Status(Code::kValidation, "upload " + session.id + " has " + std::to_string(size) +
                                         " bytes, not " + std::to_string(*expected_size));
  return Status::OK();
}

bool SameParts(const std::vector<UploadedPart>& a, const std::vector<UploadedPart>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const UploadedPart& x, const UploadedPart& y) {
                      return x.index == y.index && x.hash == y.hash;
                    });
}

}  // namespace

StatusOr<UploadSession> Uploads::Begin(std::string_view raw_path, const std::string& owner,
                                       std::optional<std::string> if_match) {
  UploadSession session;
  ASSIGN_OR_RETURN(session.path, NormalizeFilePath(raw_path));
  // Upkeep, not this caller's business: a sweep that fails is reported and tried again by
  // the next Begin.
  if (StatusOr<int64_t> swept = SweepExpired(); !swept.ok())
    ReportBackgroundError("uploads", "sweeping expired uploads: " + swept.status().ToString());
  session.id = NewUuid4();
  session.owner = owner;
  session.if_match = std::move(if_match);
  session.part_size = options_.part_size;
  session.created_at = NowMicros();
  session.expires_at = session.created_at + options_.ttl_micros;
  const storage::Value if_match_value =
      session.if_match ? storage::Value(*session.if_match) : storage::Null();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
    return tx
        .Exec(
            "INSERT INTO upload_sessions (id, path, owner, if_match, part_size, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {session.id, session.path, session.owner, if_match_value, session.part_size,
             session.created_at, session.expires_at})
        .status();
  }));
  return session;
}

StatusOr<UploadSession> Uploads::Find(std::string_view id, const std::string& owner) {
  ASSIGN_OR_RETURN(
      const std::optional<UploadSession> session,
      storage::ReadFirst(engine_,
                         "SELECT id, path, owner, if_match, part_size, created_at, expires_at"
                         " FROM upload_sessions WHERE id = ?",
                         {std::string(id)}, SessionFromRow));
  if (!session || session->owner != owner || session->expires_at <= NowMicros())
    return UploadGone(id);
  return *session;
}

StatusOr<UploadedPart> Uploads::PutPart(const UploadSession& session, int64_t index,
                                        std::string_view content) {
  if (index < 0 || index >= options_.max_parts)
    return InvalidArgument("part index must be 0 to " + std::to_string(options_.max_parts - 1) +
                           ", got " + std::to_string(index));
  const int64_t size = static_cast<int64_t>(content.size());
  if (size > session.part_size)
    return InvalidArgument("part " + std::to_string(index) + " is " + std::to_string(size) +
                           " bytes, more than the upload's part size " +
                           std::to_string(session.part_size));
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(const std::string hash, blobs_.Put(content));
    const Status s = engine_.Write([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(const storage::Rows live,
                       tx.Query("SELECT 1 FROM upload_sessions WHERE id = ?", {session.id}));
      if (live.empty()) return UploadGone(session.id);
      ASSIGN_OR_RETURN(const std::optional<UploadedPart> replaced,
                       storage::QueryFirst(tx,
                                           "SELECT idx, size, hash FROM upload_parts"
                                           " WHERE upload_id = ? AND idx = ?",
                                           {session.id, index}, PartFromRow));
      if (replaced) {
        RETURN_IF_ERROR(storage::DropBlobRefs(tx, replaced->hash));
        RETURN_IF_ERROR(
            tx.Exec("DELETE FROM upload_parts WHERE upload_id = ? AND idx = ?", {session.id, index})
                .status());
      }
      RETURN_IF_ERROR(storage::AddBlobRef(tx, blobs_, hash, size));
      return tx
          .Exec("INSERT INTO upload_parts (upload_id, idx, hash, size) VALUES (?, ?, ?, ?)",
                {session.id, index, hash, size})
          .status();
    });
    if (s.ok()) return UploadedPart{index, size, hash};
    if (s.code() != Code::kRetry || attempt + 1 >= kMaxAttempts) return s;
  }
}

StatusOr<FileInfo> Uploads::Commit(const Actor& actor, const UploadSession& session,
                                   std::optional<int64_t> expected_parts,
                                   std::optional<int64_t> expected_size) {
  ASSIGN_OR_RETURN(const std::vector<UploadedPart> parts,
                   storage::ReadAll(engine_, kPartsOf, {session.id}, PartFromRow));
  RETURN_IF_ERROR(CheckComplete(session, parts, expected_parts, expected_size));
  std::vector<std::string> hashes;
  int64_t size = 0;
  for (const UploadedPart& part : parts) {
    hashes.push_back(part.hash);
    size += part.size;
  }
  // No parts is an empty file.
  ASSIGN_OR_RETURN(const std::string hash,
                   hashes.empty() ? blobs_.Put("") : blobs_.Concatenate(hashes));
  WriteOptions conditions;
  conditions.if_match = session.if_match;
  // The parts stay referenced until the unit that references the whole drops them, so the
  // whole (made of them, or equal to one of them) cannot be swept in between.
  return tree_.WriteStored(actor, session.path, hash, size, conditions, [&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const std::vector<UploadedPart> now,
                     storage::QueryAll(tx, kPartsOf, {session.id}, PartFromRow));
    if (!SameParts(now, parts))
      return Status(Code::kConflict, "a part of upload " + session.id +
                                         " was sent again while it was committing; commit again");
    return EndInUnit(tx, session.id);
  });
}

Status Uploads::Abort(const UploadSession& session) {
  return engine_.Write([&](Tx& tx) { return EndInUnit(tx, session.id); });
}

StatusOr<int64_t> Uploads::SweepExpired() {
  int64_t removed = 0;
  for (;;) {
    ASSIGN_OR_RETURN(
        const std::vector<std::string> expired,
        storage::ReadAll(engine_, "SELECT id FROM upload_sessions WHERE expires_at <= ? LIMIT ?",
                         {NowMicros(), kSweepBatch}, IdFromRow));
    RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
      for (const std::string& id : expired) {
        const Status s = EndInUnit(tx, id);
        if (!s.ok() && s.code() != Code::kNotFound) return s;  // another sweep got it first
      }
      return Status::OK();
    }));
    removed += static_cast<int64_t>(expired.size());
    if (static_cast<int64_t>(expired.size()) < kSweepBatch) return removed;
  }
}

Status Uploads::EndInUnit(Tx& tx, const std::string& id) {
  ASSIGN_OR_RETURN(const int64_t ended, tx.Exec("DELETE FROM upload_sessions WHERE id = ?", {id}));
  if (ended == 0) return UploadGone(id);
  ASSIGN_OR_RETURN(const std::vector<UploadedPart> parts,
                   storage::QueryAll(tx, kPartsOf, {id}, PartFromRow));
  for (const UploadedPart& part : parts) RETURN_IF_ERROR(storage::DropBlobRefs(tx, part.hash));
  return tx.Exec("DELETE FROM upload_parts WHERE upload_id = ?", {id}).status();
}

}  // namespace nexus::vfs
