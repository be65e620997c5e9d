// Snapshots of registered workspaces (domain.md §1.2.2, §5.2): numbered, point-in-time
// manifests of (relative path, content hash, size) of every file under the workspace.
//
// A snapshot holds a blob reference for every file of its manifest, taken in the unit that
// stores it, so its content outlives later writes and deletes until the workspace is
// unregistered. The manifest hash is the SHA-256 of the canonical manifest: one line
// "<relative path>\t<hash>\t<size>\n" per file, in byte order of the paths (normalised paths
// hold no tabs or newlines, so the text is unambiguous).
//
// Paths are stored paths, already scoped and authorised by the caller.
#ifndef NEXUS_SERVICES_WORKSPACES_WORKSPACE_SNAPSHOTS_H_
#define NEXUS_SERVICES_WORKSPACES_WORKSPACE_SNAPSHOTS_H_

#include <optional>
#include <string>
#include <vector>

#include "storage/blob_store.h"
#include "storage/engine.h"
#include "vfs/path_tree.h"

namespace nexus::services {

struct Snapshot {
  std::string snapshot_id;
  std::string workspace_path;
  int64_t snapshot_number = 0;  // 1, 2, ... per workspace
  std::string manifest_hash;
  int64_t file_count = 0;
  int64_t total_size_bytes = 0;
  std::optional<std::string> description;
  std::string created_by;
  std::string tags_json;  // a JSON array of strings
  int64_t created_at = 0;
};

struct NewSnapshot {
  std::optional<std::string> description;
  std::string created_by;        // "" for the acting user
  std::string tags_json = "[]";  // a JSON array of strings
};

struct RestoreResult {
  int64_t files_restored = 0;  // files given back their snapshot content (new versions)
  int64_t files_deleted = 0;   // files created after the snapshot
  Snapshot snapshot;
};

struct SizedPath {
  std::string path;  // relative to the workspace
  int64_t size = 0;
};

struct ModifiedFile {
  std::string path;  // relative to the workspace
  int64_t old_size = 0;
  int64_t new_size = 0;
  std::string old_hash;
  std::string new_hash;
};

struct SnapshotDiff {
  Snapshot first;
  Snapshot second;
  std::vector<SizedPath> added;    // in the second only
  std::vector<SizedPath> removed;  // in the first only
  std::vector<ModifiedFile> modified;
  int64_t unchanged = 0;
};

class WorkspaceSnapshots {
 public:
  WorkspaceSnapshots(storage::Engine& engine, vfs::PathTree& tree, storage::BlobStore& blobs)
      : engine_(engine), tree_(tree), blobs_(blobs) {}

  // Every method needs `workspace` to be a registered workspace (kNotFound otherwise).
  StatusOr<Snapshot> Create(const vfs::Actor& actor, const std::string& workspace,
                            const NewSnapshot& snapshot);
  // Puts the workspace back as snapshot `number` left it, in one unit: changed and deleted
  // files get their content back as new versions, files created since are deleted.
  StatusOr<RestoreResult> Restore(const vfs::Actor& actor, const std::string& workspace,
                                  int64_t number);
  // Newest first, at most `limit` (at least 1).
  StatusOr<std::vector<Snapshot>> Log(const std::string& workspace, int64_t limit);
  StatusOr<SnapshotDiff> Diff(const std::string& workspace, int64_t first, int64_t second);

 private:
  // One attempt of Restore; kRetry when content was swept before the batch ran.
  StatusOr<RestoreResult> TryRestore(const vfs::Actor& actor, const std::string& workspace,
                                     int64_t number);
  // Files under `workspace`, sorted by relative path; none when the directory is gone.
  StatusOr<std::vector<vfs::FileInfo>> CurrentFiles(const std::string& workspace);

  storage::Engine& engine_;
  vfs::PathTree& tree_;
  storage::BlobStore& blobs_;
};

// Inside a write unit: deletes every snapshot of `workspace`, dropping their blob references.
Status DropSnapshots(storage::Tx& tx, const std::string& workspace);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WORKSPACES_WORKSPACE_SNAPSHOTS_H_
