// Rows of the `nodes` and `versions` tables, read and written inside a unit. Internal to
// the vfs module; paths here are already normalised.
#ifndef NEXUS_VFS_NODE_STORE_H_
#define NEXUS_VFS_NODE_STORE_H_

#include <optional>
#include <string>

#include "storage/engine.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

struct Node {
  int64_t id = 0;
  FileInfo info;
};

// The column list that NodeFromRow reads, for SELECTs on `nodes`.
extern const char* const kNodeColumns;
Node NodeFromRow(const storage::Row& row);

// The node at `path`, or nullopt.
StatusOr<std::optional<Node>> LoadNode(storage::Tx& tx, const std::string& path);

// As LoadNode, but kNotFound ("File not found: <path>") when absent.
StatusOr<Node> LoadExisting(storage::Tx& tx, const std::string& path);

// The node at `path`, which must be a file: kNotFound or kIsADirectory otherwise.
StatusOr<Node> LoadFile(storage::Tx& tx, const std::string& path);

// The node at `path` when it is a file, nullopt when there is none; kIsADirectory when
// `path` is a directory (what a write needs before it commits a version).
StatusOr<std::optional<Node>> LoadWritable(storage::Tx& tx, const std::string& path);

// Deletes file `path` with its history and blob references, then runs the removed hook.
// kNotFound or kIsADirectory when `path` is not a file.
Status DeleteFile(storage::Tx& tx, const std::string& path, const PathTreeHooks& hooks);

// Makes sure `dir` and its ancestors exist as directories, creating the missing ones
// (owned by `actor`); kNotADirectory when one of them is a file.
Status EnsureDirectories(storage::Tx& tx, const std::string& dir, const Actor& actor, int64_t now,
                         const PathTreeHooks& hooks);

// Inserts a directory node (its parent must exist).
Status InsertDirectory(storage::Tx& tx, const std::string& path, const Actor& actor, int64_t now,
                       const PathTreeHooks& hooks);

// Makes `hash` (of `size` bytes) the new current version of file `path`: creates the file
// (and its parent directories) when `existing` is empty. Adds the blob reference and the
// version row. Fills `out` with the new metadata.
struct NewVersion {
  std::string hash;
  int64_t size = 0;
  std::string source_type = "original";
  std::string change_reason;
};
Status CommitVersion(storage::Tx& tx, storage::BlobStore& blobs, const std::string& path,
                     const std::optional<Node>& existing, const NewVersion& version,
                     const Actor& actor, const PathTreeHooks& hooks, FileInfo* out);

// Drop the blob references of every version of one node, or of every node below `dir`,
// ahead of deleting those nodes.
Status DropVersionRefs(storage::Tx& tx, int64_t node_id);
Status DropSubtreeVersionRefs(storage::Tx& tx, const std::string& dir);

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_NODE_STORE_H_
