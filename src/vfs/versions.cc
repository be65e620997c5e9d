// Version history: list, rollback and diff.
#include "util/line_diff.h"
#include "util/path.h"
#include "vfs/node_store.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

using storage::Rows;
using storage::Tx;

StatusOr<std::vector<VersionInfo>> PathTree::ListVersions(std::string_view raw_path) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  std::vector<VersionInfo> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadFile(tx, path));
    ASSIGN_OR_RETURN(Rows rows,
                     tx.Query("SELECT version, hash, size, mime_type, created_at, created_by,"
                              " source_type, change_reason FROM versions"
                              " WHERE node_id = ? ORDER BY version DESC",
                              {node.id}));
    for (const auto& r : rows) {
      out.push_back(VersionInfo{r.Int(0), r.Text(1), r.Int(2), r.Text(3), r.Int(4), r.Text(5),
                                r.Text(6), r.Text(7)});
    }
    return Status::OK();
  }));
  return out;
}

StatusOr<FileInfo> PathTree::Rollback(const Actor& actor, std::string_view raw_path,
                                      int64_t version) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  FileInfo out;
  RETURN_IF_ERROR(Commit([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadFile(tx, path));
    ASSIGN_OR_RETURN(Rows rows,
                     tx.Query("SELECT hash, size FROM versions WHERE node_id = ? AND version = ?",
                              {node.id, version}));
    if (rows.empty()) {
      return NotFound("File not found: " + path + " (version " + std::to_string(version) + ")");
    }
    NewVersion restored{rows[0].Text(0), rows[0].Int(1), "rollback",
                        "Rollback to version " + std::to_string(version)};
    return CommitVersion(tx, blobs_, path, node, restored, actor, hooks_, &out);
  }));
  return out;
}

StatusOr<std::string> PathTree::DiffVersions(std::string_view raw_path, int64_t v1, int64_t v2) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  ASSIGN_OR_RETURN(const FileContent a, Read(path, v1));
  ASSIGN_OR_RETURN(const FileContent b, Read(path, v2));
  return UnifiedDiff(a.content, b.content, path + "@v" + std::to_string(v1),
                     path + "@v" + std::to_string(v2));
}

}  // namespace nexus::vfs
