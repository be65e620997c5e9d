// The mounted tree in POSIX terms: each call is what the kernel asked for (a path, or an
// open file's handle) and returns 0, a byte count, or -errno, as libfuse wants. Kept apart
// from libfuse (fuse_mount.cc is the binding) so that its rules read as plain code.
//
// Files are read and written on local copies: opening a file brings its content into the
// content cache (unless it is there already under the etag the server reports), reads come
// from there, and the first write makes a private copy. Closing a written file (flush) stores
// the copy as one new version; so does fsync. Handles of one path share one open file, so
// that every handle sees the others' writes. Writes are last-close-wins, as on NFS; what a
// later close overwrote is still a version on the server.
//
// Unlinks go through a DeleteQueue: acknowledged at once, sent several at a time, and waited
// for by every call that could see them on the server (create, mkdir, rmdir, rename).
//
// Thread-safe: libfuse calls from many threads at once, and calls on different files never
// wait for each other.
#ifndef NEXUS_FUSE_FILESYSTEM_H_
#define NEXUS_FUSE_FILESYSTEM_H_

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fuse/content_cache.h"
#include "fuse/delete_queue.h"
#include "fuse/metadata_cache.h"
#include "fuse/remote_files.h"
#include "util/mutex.h"

namespace nexus::fuse {

class Filesystem {
 public:
  Filesystem(RemoteFiles& remote, MetadataCache& metadata, ContentCache& contents, bool read_only);
  ~Filesystem();
  Filesystem(const Filesystem&) = delete;
  Filesystem& operator=(const Filesystem&) = delete;

  // `fh` 0 when the kernel names a path without an open handle.
  int GetAttr(const std::string& path, uint64_t fh, struct stat* st);
  // Each child with its attributes (a listing carries both: `ls -l` is one request).
  int ReadDir(const std::string& path, std::vector<std::pair<std::string, struct stat>>* out);

  int Open(const std::string& path, int flags, uint64_t* fh);
  // A new file: exists locally until its first flush stores it.
  int Create(const std::string& path, int flags, uint64_t* fh);
  int Read(uint64_t fh, char* buf, size_t size, int64_t offset);
  int Write(uint64_t fh, const char* buf, size_t size, int64_t offset);
  // Stores the file when it was written since it was last stored.
  int Flush(uint64_t fh);
  // Stores the file when it changed at all since it was last stored (created, emptied).
  int Fsync(uint64_t fh);
  int Release(uint64_t fh);
  int Truncate(const std::string& path, uint64_t fh, int64_t size);

  int Unlink(const std::string& path);
  int Mkdir(const std::string& path);
  int Rmdir(const std::string& path);
  // POSIX rename: a file or directory, replacing a file or an empty directory at `to`.
  // RENAME_NOREPLACE is honoured; RENAME_EXCHANGE is EINVAL.
  int Rename(const std::string& from, const std::string& to, unsigned int flags);
  // chmod, chown and utimens: accepted on an existing path and not kept (docs/mount.md).
  int Exists(const std::string& path);

  int StatFs(struct statvfs* st);
  // At unmount: stores every open file changed since it was last stored.
  void StoreAll();
  // Extended attributes "user.nexus.<name>": the file's etag and its server metadata.
  int GetXattr(const std::string& path, const std::string& name, std::string* value);
  int ListXattr(const std::string& path, std::string* names);

 private:
  struct OpenFile;
  struct Handle;

  // Attributes from the cache, else from the server (and then cached).
  StatusOr<Attributes> Look(const std::string& path);
  std::shared_ptr<OpenFile> FindOpen(const std::string& path) EXCLUDES(mu_);
  // An open file for `path` that exists on the server, with its content ready to read when
  // `need_content` (not for one about to be truncated).
  StatusOr<std::shared_ptr<OpenFile>> OpenExisting(const std::string& path, bool need_content);
  // Registers `file` as the open file of `path`, or returns the one another thread registered
  // first; takes one handle on it.
  std::shared_ptr<OpenFile> Adopt(const std::string& path, std::shared_ptr<OpenFile> file)
      EXCLUDES(mu_);
  uint64_t NewHandle(std::shared_ptr<OpenFile> file, bool writable);
  Handle* HandleOf(uint64_t fh) const;
  // Stores `file` if it was written since it was last stored, or, when `closing`, if it
  // changed at all (created, emptied); 0 or -errno.
  int StoreIfDirty(OpenFile& file, bool closing) EXCLUDES(rename_mu_);
  // StoreIfDirty with rename_mu_ held by the caller.
  int StoreIfDirtyLocked(OpenFile& file, bool closing);
  // Truncate of an open file; `emptied_by_open` for O_TRUNC, which is no write of its own.
  int TruncateOpen(uint64_t fh, int64_t size, bool emptied_by_open);
  // After a rename on the server: open files at or under `from` now live under `to`, and an
  // open file that was at `to` is gone from every path.
  void MoveOpenFiles(const std::string& from, const std::string& to) EXCLUDES(mu_);
  void DetachOpenFile(const std::string& path) EXCLUDES(mu_);
  // The server side of Rename, after the caller's checks.
  Status RenameOnServer(const std::string& from, const std::string& to, unsigned int flags);
  void Fill(const Attributes& attributes, struct stat* st) const;

  RemoteFiles& remote_;
  MetadataCache& metadata_;
  ContentCache& contents_;
  const bool read_only_;
  const uid_t uid_;
  const gid_t gid_;
  const int64_t mounted_us_;  // the time shown for directories, which have none

  // Held shared by every store and exclusively by a rename, so that a file is never stored
  // under the name it is leaving. Taken before mu_ and before any OpenFile's mu.
  SharedMutex rename_mu_;
  Mutex mu_;
  std::map<std::string, std::shared_ptr<OpenFile>> open_ GUARDED_BY(mu_);  // by current path
  // Last: destroyed first, so its workers end while everything they use is there.
  DeleteQueue deletes_;
};

}  // namespace nexus::fuse

#endif  // NEXUS_FUSE_FILESYSTEM_H_
