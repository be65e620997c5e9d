// Small POSIX file helpers with Status errors: durable writes, directory fsync, locks.
#ifndef NEXUS_UTIL_FILE_H_
#define NEXUS_UTIL_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus {

// Maps an errno value to a Status: ENOSPC/EDQUOT -> kStorageFull, ENOENT -> kNotFound,
// anything else -> kIOError. `what` names the operation and file.
Status ErrnoStatus(int err, std::string_view what);

// Writes `data` to `final_path` atomically: a temporary file in the same directory, fsync
// (when `sync`), rename over `final_path`, then fsync of the directory (when `sync`).
// On failure nothing is left at `final_path` that was not there before, and the temporary
// file is removed. The file is created with `mode` (less the umask), so a secret is never
// readable by others, not even for a moment.
Status WriteFileAtomically(const std::string& final_path, std::string_view data, bool sync,
                           int mode = 0644);

// Reads a whole file.
StatusOr<std::string> ReadFile(const std::string& path);

// Up to `length` bytes of `path` from `offset`: fewer at its end, none past it.
StatusOr<std::string> ReadFileRange(const std::string& path, int64_t offset, int64_t length);

// The SHA-256 (hex) of file `path`, read a block at a time: a content's etag.
StatusOr<std::string> FileSha256Hex(const std::string& path);

// A file built in pieces (in order or at offsets, from several threads at once) under a
// temporary name and renamed into place whole: a reader never sees it half written, and
// a builder dropped before Install leaves nothing behind.
class FileBuilder {
 public:
  // A temporary file named after `final_path_hint` (same directory, so the rename stays on
  // one file system) created with `mode` less the umask.
  static StatusOr<std::unique_ptr<FileBuilder>> Create(const std::string& final_path_hint,
                                                       int mode = 0644);
  ~FileBuilder();
  FileBuilder(const FileBuilder&) = delete;
  FileBuilder& operator=(const FileBuilder&) = delete;

  Status WriteAt(int64_t offset, std::string_view data);
  // Where the file is until Install, for a check of what was written.
  const std::string& temp_path() const { return temp_; }
  // Syncs the data (when `sync`), renames the file to `final_path` and syncs its directory
  // (when `sync`). `final_path` must be on the temporary file's file system.
  Status Install(const std::string& final_path, bool sync);

 private:
  FileBuilder(int fd, std::string temp) : fd_(fd), temp_(std::move(temp)) {}
  int fd_;
  const std::string temp_;
  bool installed_ = false;
};

// The absolute path of `path` with every symbolic link, "." and ".." resolved; an error
// (never `path` itself) when that cannot be done.
StatusOr<std::string> RealPath(const std::string& path);

// Writes all of `data` to `fd`, retrying short writes; `what` names the file in errors.
Status WriteAll(int fd, std::string_view data, const std::string& what);
// The same at `offset` (pwrite), leaving the file offset alone: for several writers at once.
Status WriteAllAt(int fd, int64_t offset, std::string_view data, const std::string& what);

// Reads `fd` to its end; `what` names the file in errors.
StatusOr<std::string> ReadAll(int fd, const std::string& what);

// mkdir -p. Existing directories are fine.
Status CreateDirectories(const std::string& path);

// fsync of a directory, so that a rename or unlink inside it survives power loss.
Status SyncDirectory(const std::string& dir);

// An exclusive advisory lock (flock) on a file, held until destruction. Another process, or
// another open of the same file in this process, cannot take it while it is held.
class FileLock {
 public:
  // kInUse when another holder has it; the message names the path.
  static StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace nexus

#endif  // NEXUS_UTIL_FILE_H_
