// A host directory mapped into the tree by a `local` mount: files are read and written in
// place (pass-through, no versions, no database rows).
//
// Confinement: every operation starts from a directory descriptor of the host directory
// taken when the mount was opened, and resolves each path component with
// openat(..., O_NOFOLLOW) (final names are acted on with the *at calls, which never follow
// a final symbolic link). So neither ".." nor a symbolic link, even one planted after
// mounting, leads outside the directory: a path that meets a symbolic link anywhere is
// refused (kPermissionDenied), whatever the link points at. Listings leave symbolic links,
// devices, sockets and FIFOs out.
//
// Paths given here are relative to the host directory ("" is the directory itself, "a/b.txt"
// a file in it); errors name them as `<label>/<relative>` so that callers see virtual paths.
// Etags are cheap and stable: a SHA-256 of (device, inode, size, mtime in ns), which
// changes whenever the file is replaced or modified, without reading the content.
#ifndef NEXUS_VFS_LOCAL_BACKEND_H_
#define NEXUS_VFS_LOCAL_BACKEND_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"
#include "util/unique_fd.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

class LocalBackend {
 public:
  // `host_dir` must be an absolute path to an existing directory (not itself a symbolic
  // link): kValidation otherwise. `label` prefixes paths in error messages.
  static StatusOr<std::unique_ptr<LocalBackend>> Open(const std::string& host_dir,
                                                      std::string label);
  ~LocalBackend();
  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;

  // The opened directory's absolute path, every symbolic link resolved.
  const std::string& host_dir() const { return host_dir_; }

  // The largest file Read returns (kValidation above it): a whole file is held in memory
  // and sent in one answer, so the cap is of the order of the server's request body limit.
  static constexpr int64_t kMaxReadBytes = int64_t{64} << 20;

  StatusOr<FileContent> Read(std::string_view rel);
  // Atomic: a temporary file beside the target, fsync, rename over it, fsync of the directory.
  // Missing parent directories are created.
  StatusOr<FileInfo> Write(std::string_view rel, std::string_view content,
                           const WriteOptions& options = {});
  StatusOr<FileInfo> Append(std::string_view rel, std::string_view content,
                            const WriteOptions& options = {});
  Status Delete(std::string_view rel);
  Status Mkdir(std::string_view rel, bool parents, bool exist_ok);
  Status Rmdir(std::string_view rel, bool recursive);
  // Fails with kAlreadyExists when `to` exists.
  Status Rename(std::string_view from, std::string_view to);
  StatusOr<FileInfo> Stat(std::string_view rel);
  // The entries below directory `rel` (paths relative to the host directory), sorted. Names
  // left out (symbolic links and special files) are appended to `skipped` when given. `stop`,
  // when given, is polled before each entry: once it says true the walk ends and the listing
  // is incomplete (a long walk of a huge tree must not hold up a shutdown).
  StatusOr<std::vector<FileInfo>> List(std::string_view rel, bool recursive,
                                       std::vector<std::string>* skipped = nullptr,
                                       const std::function<bool()>& stop = {});

 private:
  LocalBackend(std::string host_dir, std::string label, int root_fd)
      : host_dir_(std::move(host_dir)), label_(std::move(label)), root_fd_(root_fd) {}

  struct Parent;
  std::string Shown(std::string_view rel) const;
  Status ErrnoError(int err, std::string_view rel) const;
  StatusOr<std::vector<std::string>> Components(std::string_view rel) const;
  // A descriptor of directory `rel` (with `create`, making missing directories on the way).
  StatusOr<UniqueFd> OpenDir(std::string_view rel, bool create) const;
  // The directory holding `rel` and the final name.
  StatusOr<Parent> OpenParent(std::string_view rel, bool create) const;
  StatusOr<FileInfo> StatAt(int dir_fd, const std::string& name, std::string_view rel) const;
  StatusOr<FileInfo> WriteLocked(std::string_view rel, std::string_view content,
                                 const WriteOptions& options) REQUIRES(mu_);
  Status ListInto(int dir_fd, const std::string& rel, bool recursive, std::vector<FileInfo>& out,
                  std::vector<std::string>* skipped, const std::function<bool()>& stop) const;
  Status RemoveTree(int dir_fd, const std::string& rel) const;

  const std::string host_dir_;
  const std::string label_;
  const int root_fd_;
  // Serialises mutations, so a conditional write (if_match, if_none_match) sees no other
  // request's change between its check and its rename.
  Mutex mu_;
};

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_LOCAL_BACKEND_H_
