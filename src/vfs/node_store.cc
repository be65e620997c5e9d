#include "vfs/node_store.h"

#include <vector>

#include "storage/blob_refs.h"
#include "storage/rows.h"
#include "util/clock.h"
#include "util/path.h"
#include "vfs/mime.h"

namespace nexus::vfs {

using storage::Row;
using storage::Rows;
using storage::Tx;

const char* const kNodeColumns =
    "id, path, is_dir, size, hash, mime_type, version, owner, created_at, modified_at";

Node NodeFromRow(const Row& row) {
  Node n;
  n.id = row.Int(0);
  n.info.path = row.Text(1);
  n.info.is_directory = row.Int(2) != 0;
  n.info.size = row.Int(3);
  n.info.etag = row.Text(4);
  n.info.mime_type = row.Text(5);
  n.info.version = row.Int(6);
  n.info.owner = row.Text(7);
  n.info.created_at = row.Int(8);
  n.info.modified_at = row.Int(9);
  return n;
}

StatusOr<std::optional<Node>> LoadNode(Tx& tx, const std::string& path) {
  return storage::QueryFirst(tx,
                             std::string("SELECT ") + kNodeColumns + " FROM nodes WHERE path = ?",
                             {path}, NodeFromRow);
}

StatusOr<Node> LoadExisting(Tx& tx, const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<Node> node, LoadNode(tx, path));
  if (!node) return NotFound("File not found: " + path);
  return *std::move(node);
}

StatusOr<Node> LoadFile(Tx& tx, const std::string& path) {
  ASSIGN_OR_RETURN(Node node, LoadExisting(tx, path));
  if (node.info.is_directory) return Status(Code::kIsADirectory, "Is a directory: " + path);
  return node;
}

StatusOr<std::optional<Node>> LoadWritable(Tx& tx, const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<Node> node, LoadNode(tx, path));
  if (node && node->info.is_directory)
    return Status(Code::kIsADirectory, "Is a directory: " + path);
  return node;
}

Status InsertDirectory(Tx& tx, const std::string& path, const Actor& actor, int64_t now,
                       const PathTreeHooks& hooks) {
  RETURN_IF_ERROR(
      tx.Exec("INSERT INTO nodes (path, parent, is_dir, size, owner, created_at, modified_at)"
              " VALUES (?, ?, 1, 0, ?, ?, ?)",
              {path, std::string(ParentPath(path)), actor.user, now, now})
          .status());
  return hooks.created ? hooks.created(tx, path, actor) : Status::OK();
}

Status EnsureDirectories(Tx& tx, const std::string& dir, const Actor& actor, int64_t now,
                         const PathTreeHooks& hooks) {
  std::vector<std::string> missing;
  for (std::string d = dir; d != "/"; d = std::string(ParentPath(d))) {
    ASSIGN_OR_RETURN(std::optional<Node> node, LoadNode(tx, d));
    if (node) {
      if (!node->info.is_directory) return Status(Code::kNotADirectory, "Not a directory: " + d);
      break;
    }
    missing.push_back(d);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    RETURN_IF_ERROR(InsertDirectory(tx, *it, actor, now, hooks));
  }
  return Status::OK();
}

namespace {

// Inserts a file node at version 0; CommitVersion then raises it to 1.
StatusOr<Node> InsertFile(Tx& tx, const std::string& path, const Actor& actor, int64_t now,
                          const PathTreeHooks& hooks) {
  RETURN_IF_ERROR(EnsureDirectories(tx, std::string(ParentPath(path)), actor, now, hooks));
  ASSIGN_OR_RETURN(Rows rows,
                   tx.Query("INSERT INTO nodes (path, parent, is_dir, size, owner,"
                            " created_at, modified_at) VALUES (?, ?, 0, 0, ?, ?, ?)"
                            " RETURNING id",
                            {path, std::string(ParentPath(path)), actor.user, now, now}));
  if (hooks.created) RETURN_IF_ERROR(hooks.created(tx, path, actor));
  Node node;
  node.id = rows.at(0).Int(0);
  node.info.path = path;
  node.info.owner = actor.user;
  node.info.created_at = now;
  return node;
}

}  // namespace

Status CommitVersion(Tx& tx, storage::BlobStore& blobs, const std::string& path,
                     const std::optional<Node>& existing, const NewVersion& version,
                     const Actor& actor, const PathTreeHooks& hooks, FileInfo* out) {
  const int64_t now = NowMicros();
  Node node;
  if (existing) {
    node = *existing;
  } else {
    ASSIGN_OR_RETURN(node, InsertFile(tx, path, actor, now, hooks));
  }
  RETURN_IF_ERROR(storage::AddBlobRef(tx, blobs, version.hash, version.size));
  const int64_t number = node.info.version + 1;
  const std::string mime = GuessMimeType(path);
  RETURN_IF_ERROR(
      tx.Exec("INSERT INTO versions (node_id, version, hash, size, mime_type, created_at,"
              " created_by, source_type, change_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {node.id, number, version.hash, version.size, mime, now, actor.user,
               version.source_type,
               version.change_reason.empty() ? storage::Null()
                                             : storage::Value(version.change_reason)})
          .status());
  RETURN_IF_ERROR(tx.Exec("UPDATE nodes SET size = ?, hash = ?, mime_type = ?, version = ?,"
                          " modified_at = ? WHERE id = ?",
                          {version.size, version.hash, mime, number, now, node.id})
                      .status());
  *out = node.info;
  out->size = version.size;
  out->etag = version.hash;
  out->mime_type = mime;
  out->version = number;
  out->modified_at = now;
  return hooks.written ? hooks.written(tx, *out) : Status::OK();
}

namespace {

// `rows` are (hash, count) pairs.
Status DropCountedRefs(Tx& tx, const Rows& rows) {
  for (const Row& r : rows) RETURN_IF_ERROR(storage::DropBlobRefs(tx, r.Text(0), r.Int(1)));
  return Status::OK();
}

}  // namespace

Status DropVersionRefs(Tx& tx, int64_t node_id) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT hash, COUNT(*) FROM versions WHERE node_id = ?"
                                       " GROUP BY hash",
                                       {node_id}));
  return DropCountedRefs(tx, rows);
}

Status DeleteFile(Tx& tx, const std::string& path, const PathTreeHooks& hooks) {
  ASSIGN_OR_RETURN(Node node, LoadFile(tx, path));
  RETURN_IF_ERROR(DropVersionRefs(tx, node.id));
  RETURN_IF_ERROR(tx.Exec("DELETE FROM nodes WHERE id = ?", {node.id}).status());
  return hooks.removed ? hooks.removed(tx, path) : Status::OK();
}

Status DropSubtreeVersionRefs(Tx& tx, const std::string& dir) {
  const auto [low, high] = SubtreeRange(dir);
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT v.hash, COUNT(*) FROM versions v JOIN nodes n"
                                       " ON v.node_id = n.id WHERE n.path >= ? AND n.path < ?"
                                       " GROUP BY v.hash",
                                       {low, high}));
  return DropCountedRefs(tx, rows);
}

}  // namespace nexus::vfs
