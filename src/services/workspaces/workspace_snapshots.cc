#include "services/workspaces/workspace_snapshots.h"

#include <algorithm>
#include <map>

#include "services/workspaces/workspace_registry.h"
#include "storage/blob_refs.h"
#include "storage/rows.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/ids.h"
#include "util/path.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "snapshot_id, workspace_path, snapshot_number, manifest_hash, file_count,"
    " total_size_bytes, description, created_by, tags, created_at";
// Times a snapshot is taken again when content it lists was swept before it committed.
constexpr int kMaxAttempts = 4;

struct ManifestFile {
  std::string hash;
  int64_t size = 0;
};

// Relative path -> file, in byte order of the paths.
using Manifest = std::map<std::string, ManifestFile>;

Snapshot FromRow(const Row& r) {
  Snapshot s;
  s.snapshot_id = r.Text(0);
  s.workspace_path = r.Text(1);
  s.snapshot_number = r.Int(2);
  s.manifest_hash = r.Text(3);
  s.file_count = r.Int(4);
  s.total_size_bytes = r.Int(5);
  s.description = r.OptText(6);
  s.created_by = r.Text(7);
  s.tags_json = r.Text(8);
  s.created_at = r.Int(9);
  return s;
}

Status RequireRegistered(Tx& tx, const std::string& workspace) {
  ASSIGN_OR_RETURN(const bool registered,
                   IsRegistered(tx, DirKind::kWorkspace, workspace, NowMicros()));
  if (!registered) return NotFound("Workspace not registered: " + workspace);
  return Status::OK();
}

StatusOr<Snapshot> LoadSnapshot(Tx& tx, const std::string& workspace, int64_t number) {
  ASSIGN_OR_RETURN(std::optional<Snapshot> snapshot,
                   storage::QueryFirst(tx,
                                       std::string("SELECT ") + kColumns +
                                           " FROM workspace_snapshots WHERE workspace_path = ?"
                                           " AND snapshot_number = ?",
                                       {workspace, number}, FromRow));
  if (!snapshot) {
    return NotFound("Snapshot " + std::to_string(number) + " not found for workspace " + workspace);
  }
  return std::move(*snapshot);
}

StatusOr<Manifest> LoadManifest(Tx& tx, const std::string& snapshot_id) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT path, hash, size FROM workspace_snapshot_files"
                                       " WHERE snapshot_id = ?",
                                       {snapshot_id}));
  Manifest out;
  for (const Row& r : rows) out.emplace(r.Text(0), ManifestFile{r.Text(1), r.Int(2)});
  return out;
}

// `path` (under `workspace`) relative to it.
std::string RelativePath(const std::string& workspace, const std::string& path) {
  return path.substr(workspace.size() + 1);
}

Manifest ManifestOf(const std::string& workspace, const std::vector<vfs::FileInfo>& files) {
  Manifest manifest;
  for (const vfs::FileInfo& f : files)
    manifest.emplace(RelativePath(workspace, f.path), ManifestFile{f.etag, f.size});
  return manifest;
}

std::string CanonicalText(const Manifest& manifest) {
  std::string text;
  for (const auto& [path, file] : manifest)
    text += path + "\t" + file.hash + "\t" + std::to_string(file.size) + "\n";
  return text;
}

// Stores `snapshot` (numbering it) and its manifest, referencing every file's content.
Status InsertSnapshot(Tx& tx, storage::BlobStore& blobs, const Manifest& manifest,
                      Snapshot& snapshot) {
  RETURN_IF_ERROR(RequireRegistered(tx, snapshot.workspace_path));
  ASSIGN_OR_RETURN(Rows last, tx.Query("SELECT COALESCE(MAX(snapshot_number), 0) FROM"
                                       " workspace_snapshots WHERE workspace_path = ?",
                                       {snapshot.workspace_path}));
  snapshot.snapshot_number = last.at(0).Int(0) + 1;
  RETURN_IF_ERROR(tx.Exec(std::string("INSERT INTO workspace_snapshots (") + kColumns +
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          {snapshot.snapshot_id, snapshot.workspace_path, snapshot.snapshot_number,
                           snapshot.manifest_hash, snapshot.file_count, snapshot.total_size_bytes,
                           storage::OptionalValue(snapshot.description), snapshot.created_by,
                           snapshot.tags_json, snapshot.created_at})
                      .status());
  for (const auto& [path, file] : manifest) {
    RETURN_IF_ERROR(storage::AddBlobRef(tx, blobs, file.hash, file.size));
    RETURN_IF_ERROR(tx.Exec("INSERT INTO workspace_snapshot_files (snapshot_id, path, hash, size)"
                            " VALUES (?, ?, ?, ?)",
                            {snapshot.snapshot_id, path, file.hash, file.size})
                        .status());
  }
  return Status::OK();
}

}  // namespace

Status DropSnapshots(Tx& tx, const std::string& workspace) {
  constexpr const char* kOfWorkspace =
      " snapshot_id IN (SELECT snapshot_id FROM workspace_snapshots WHERE workspace_path = ?)";
  ASSIGN_OR_RETURN(Rows refs, tx.Query(std::string("SELECT hash, COUNT(*) FROM"
                                                   " workspace_snapshot_files WHERE") +
                                           kOfWorkspace + " GROUP BY hash",
                                       {workspace}));
  for (const Row& r : refs) RETURN_IF_ERROR(storage::DropBlobRefs(tx, r.Text(0), r.Int(1)));
  RETURN_IF_ERROR(
      tx.Exec(std::string("DELETE FROM workspace_snapshot_files WHERE") + kOfWorkspace, {workspace})
          .status());
  return tx.Exec("DELETE FROM workspace_snapshots WHERE workspace_path = ?", {workspace}).status();
}

StatusOr<std::vector<vfs::FileInfo>> WorkspaceSnapshots::CurrentFiles(
    const std::string& workspace) {
  vfs::ListOptions options;
  options.recursive = true;
  StatusOr<vfs::ListPage> page = tree_.List(workspace, options);
  if (!page.ok() && page.status().code() == Code::kNotFound) return std::vector<vfs::FileInfo>();
  if (!page.ok()) return page.status();
  std::vector<vfs::FileInfo> files;
  for (vfs::FileInfo& entry : page->entries) {
    if (!entry.is_directory) files.push_back(std::move(entry));
  }
  return files;
}

StatusOr<Snapshot> WorkspaceSnapshots::Create(const vfs::Actor& actor, const std::string& workspace,
                                              const NewSnapshot& request) {
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(const std::vector<vfs::FileInfo> files, CurrentFiles(workspace));
    const Manifest manifest = ManifestOf(workspace, files);
    Snapshot snapshot;
    snapshot.snapshot_id = NewUuid4();
    snapshot.workspace_path = workspace;
    snapshot.manifest_hash = Sha256Hex(CanonicalText(manifest));
    snapshot.file_count = static_cast<int64_t>(manifest.size());
    for (const auto& [path, file] : manifest) snapshot.total_size_bytes += file.size;
    snapshot.description = request.description;
    snapshot.created_by = request.created_by.empty() ? actor.user : request.created_by;
    snapshot.tags_json = request.tags_json;
    snapshot.created_at = NowMicros();
    const Status s =
        engine_.Write([&](Tx& tx) { return InsertSnapshot(tx, blobs_, manifest, snapshot); });
    if (s.ok()) return snapshot;
    // A file deleted after the listing may have had its content swept: list again.
    if (s.code() != Code::kRetry || attempt + 1 >= kMaxAttempts) return s;
  }
}

StatusOr<RestoreResult> WorkspaceSnapshots::Restore(const vfs::Actor& actor,
                                                    const std::string& workspace, int64_t number) {
  for (int attempt = 0;; ++attempt) {
    StatusOr<RestoreResult> result = TryRestore(actor, workspace, number);
    // Content swept between the reads and the batch: read again.
    if (result.ok() || result.status().code() != Code::kRetry || attempt + 1 >= kMaxAttempts)
      return result;
  }
}

StatusOr<RestoreResult> WorkspaceSnapshots::TryRestore(const vfs::Actor& actor,
                                                       const std::string& workspace,
                                                       int64_t number) {
  RestoreResult result;
  Manifest manifest;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(RequireRegistered(tx, workspace));
    ASSIGN_OR_RETURN(result.snapshot, LoadSnapshot(tx, workspace, number));
    ASSIGN_OR_RETURN(manifest, LoadManifest(tx, result.snapshot.snapshot_id));
    return Status::OK();
  }));
  ASSIGN_OR_RETURN(const std::vector<vfs::FileInfo> current, CurrentFiles(workspace));
  std::vector<vfs::TreeChange> changes;
  for (const auto& [path, file] : manifest) {
    changes.push_back(
        {vfs::TreeChange::Kind::kWrite, JoinPath(workspace, path), file.hash, file.size});
  }
  for (const vfs::FileInfo& f : current) {
    if (!manifest.contains(RelativePath(workspace, f.path)))
      changes.push_back({vfs::TreeChange::Kind::kDelete, f.path, "", 0});
  }
  // Unregistering drops the snapshot (and its hold on the content) between the reads above
  // and the batch: checked again inside the batch's unit.
  ASSIGN_OR_RETURN(
      const vfs::BatchResult applied,
      tree_.ApplyBatch(actor, changes, "restore of workspace snapshot " + std::to_string(number),
                       [&](Tx& tx) { return RequireRegistered(tx, workspace); }));
  result.files_restored = applied.written;
  result.files_deleted = applied.deleted;
  return result;
}

StatusOr<std::vector<Snapshot>> WorkspaceSnapshots::Log(const std::string& workspace,
                                                        int64_t limit) {
  if (limit < 1) return InvalidArgument("limit must be at least 1");
  std::vector<Snapshot> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(RequireRegistered(tx, workspace));
    ASSIGN_OR_RETURN(out, storage::QueryAll(tx,
                                            std::string("SELECT ") + kColumns +
                                                " FROM workspace_snapshots WHERE workspace_path = ?"
                                                " ORDER BY snapshot_number DESC LIMIT ?",
                                            {workspace, limit}, FromRow));
    return Status::OK();
  }));
  return out;
}

StatusOr<SnapshotDiff> WorkspaceSnapshots::Diff(const std::string& workspace, int64_t first,
                                                int64_t second) {
  SnapshotDiff diff;
  Manifest before;
  Manifest after;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(RequireRegistered(tx, workspace));
    ASSIGN_OR_RETURN(diff.first, LoadSnapshot(tx, workspace, first));
    ASSIGN_OR_RETURN(diff.second, LoadSnapshot(tx, workspace, second));
    ASSIGN_OR_RETURN(before, LoadManifest(tx, diff.first.snapshot_id));
    ASSIGN_OR_RETURN(after, LoadManifest(tx, diff.second.snapshot_id));
    return Status::OK();
  }));
  for (const auto& [path, old_file] : before) {
    const auto it = after.find(path);
    if (it == after.end()) {
      diff.removed.push_back({path, old_file.size});
    } else if (it->second.hash != old_file.hash) {
      diff.modified.push_back(
          {path, old_file.size, it->second.size, old_file.hash, it->second.hash});
    } else {
      ++diff.unchanged;
    }
  }
  for (const auto& [path, new_file] : after) {
    if (!before.contains(path)) diff.added.push_back({path, new_file.size});
  }
  return diff;
}

}  // namespace nexus::services
