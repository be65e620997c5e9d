// The namespace as file operations see it: each path goes to the mount serving it
// (MountTable) or, when none does, to the path tree. This is the one place that routes;
// callers use a Router exactly as they would use the PathTree.
//
// On a mounted path: versions are not kept (version calls are kValidation), a read-only
// mount refuses every change with kValidation, the mount point itself cannot be deleted,
// removed or renamed (remove_mount does that), and nothing moves across a mount boundary.
// Listings of a directory above mount points show the mounts' contents in place of the
// tree's, and glob and grep search mounted files too. Deletes and
// renames on a mounted path run the tree's removed and renamed hooks after the host change,
// so permission tuples naming the path go or follow as they do in the tree.
//
// A call that needs the files of a mount another node serves (MountTable) fails with
// kUnavailable and the detail "owner_node": the server forwards the whole call there.
#ifndef NEXUS_VFS_ROUTER_H_
#define NEXUS_VFS_ROUTER_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vfs/mount_table.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

// Which mounts a walk over many of them (a listing or glob above mount points) may enter.
using MountFilter = std::function<bool(const Mount&)>;

class Router {
 public:
  // `mounts` may be null: then everything goes to the tree. `visible`, when given, keeps
  // listings and globs out of the mounts it refuses (another tenant's, say), so they are
  // not even read; a path named directly still routes to its mount.
  Router(PathTree& tree, const MountTable* mounts, MountFilter visible = {})
      : tree_(tree), mounts_(mounts), visible_(std::move(visible)) {}

  StatusOr<FileInfo> Write(const Actor& actor, std::string_view path, std::string_view content,
                           const WriteOptions& options = {});
  StatusOr<FileInfo> Append(const Actor& actor, std::string_view path, std::string_view content,
                            const WriteOptions& options = {});
  StatusOr<FileContent> Read(std::string_view path, std::optional<int64_t> version = {});
  // Bytes [offset, offset + length) of file `path`; a mounted file is read whole and cut.
  StatusOr<FileContent> ReadRange(std::string_view path, int64_t offset, int64_t length);
  // kValidation when `path` is on a mount, naming `what` the tree alone does.
  Status CheckInTree(std::string_view path, std::string_view what) const;
  // OK when this node serves `path`; kUnavailable with "owner_node" when another node's
  // mount does.
  Status CheckServedHere(std::string_view path) const { return Route(path).status(); }
  Status Delete(std::string_view path);
  StatusOr<FileInfo> Copy(const Actor& actor, std::string_view src, std::string_view dst);
  Status Mkdir(const Actor& actor, std::string_view path, bool parents, bool exist_ok);
  Status Rmdir(std::string_view path, bool recursive);
  Status Rename(std::string_view old_path, std::string_view new_path);
  StatusOr<bool> Exists(std::string_view path);
  StatusOr<bool> IsDirectory(std::string_view path);
  StatusOr<FileInfo> Stat(std::string_view path);
  StatusOr<ListPage> List(std::string_view dir, const ListOptions& options = {});
  StatusOr<std::vector<std::string>> Glob(std::string_view pattern, std::string_view base = "/");
  StatusOr<std::vector<GrepMatch>> Grep(std::string_view pattern, std::string_view path,
                                        const GrepOptions& options = {});
  StatusOr<std::vector<VersionInfo>> ListVersions(std::string_view path);
  StatusOr<FileInfo> Rollback(const Actor& actor, std::string_view path, int64_t version);
  StatusOr<std::string> DiffVersions(std::string_view path, int64_t v1, int64_t v2);

 private:
  // PathTree::Write or Append, and LocalBackend's of the same name.
  using TreeWrite = StatusOr<FileInfo> (PathTree::*)(const Actor&, std::string_view,
                                                     std::string_view, const WriteOptions&);
  using MountWrite = StatusOr<FileInfo> (LocalBackend::*)(std::string_view, std::string_view,
                                                          const WriteOptions&);

  // The mount serving `path` (normalised first), or none for the tree; kUnavailable with
  // "owner_node" when another node serves it.
  StatusOr<std::optional<Resolved>> Route(std::string_view path) const;
  // Write and Append: `on_tree` when the tree serves `path`, else `on_mount` on a mount
  // that is not read-only.
  StatusOr<FileInfo> RoutedWrite(const Actor& actor, std::string_view path,
                                 std::string_view content, const WriteOptions& options,
                                 TreeWrite on_tree, MountWrite on_mount);
  // kValidation when `path` is served by a mount (version calls).
  Status Unversioned(std::string_view path) const;
  // kValidation when `path` is a mount point or a tree directory holding mount points.
  Status NotAMountPoint(std::string_view path) const;
  // The mount's entries below `rel` with their virtual paths and owner.
  StatusOr<std::vector<FileInfo>> MountedEntries(const Resolved& at, bool recursive) const;
  // Grep of the mounted file or directory `at` (whose virtual path lies at or below `root`,
  // the grep's root): the mount's part of Grep.
  StatusOr<std::vector<GrepMatch>> MountedGrep(const Resolved& at, std::string_view pattern,
                                               const std::string& root,
                                               const GrepOptions& options) const;
  // The tree's listing of `dir` with the mounts below it in place of the tree's entries;
  // cursor and limit apply to the merged, sorted listing as they do to the tree's.
  StatusOr<ListPage> MergedList(const std::string& dir, const ListOptions& options);
  // The ones of `mounts` that visible_ lets walks enter.
  std::vector<std::shared_ptr<const Mount>> VisibleMounts(
      std::vector<std::shared_ptr<const Mount>> mounts) const;

  PathTree& tree_;
  const MountTable* const mounts_;
  const MountFilter visible_;
};

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_ROUTER_H_
