#include "vfs/local_backend.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "util/file.h"
#include "util/hash.h"
#include "util/ids.h"
#include "util/mutex.h"
#include "vfs/mime.h"
#include "vfs/write_conditions.h"

namespace nexus::vfs {
namespace {

// Temporary files of atomic writes; never listed.
constexpr std::string_view kTempPrefix = ".nexus-tmp-";

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

int64_t MtimeMicros(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
}

std::string Join(std::string_view rel, std::string_view name) {
  return rel.empty() ? std::string(name) : std::string(rel) + "/" + std::string(name);
}

// The names in directory `dir_fd`, without "." and "..".
StatusOr<std::vector<std::string>> Names(int dir_fd, const std::string& what) {
  const int fd = ::dup(dir_fd);
  if (fd < 0) return ErrnoStatus(errno, "dup " + what);
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "opendir " + what);
  }
  ::rewinddir(dir);  // the duplicate shares its offset with earlier reads
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  return names;
}

// Why opening directory `name` failed: with O_DIRECTORY a symbolic link reports ENOTDIR,
// which is reported as the link (ELOOP) it is.
int DirOpenError(int dir_fd, const std::string& name) {
  const int err = errno;
  struct stat st;
  if (err == ENOTDIR && ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK(st.st_mode)) {
    return ELOOP;
  }
  return err;
}

}  // namespace

struct LocalBackend::Parent {
  UniqueFd dir;
  std::string name;
};

StatusOr<std::unique_ptr<LocalBackend>> LocalBackend::Open(const std::string& host_dir,
                                                           std::string label) {
  if (!host_dir.starts_with("/"))
    return Status(Code::kValidation, "data_dir must be an absolute path, got '" + host_dir + "'");
  const int fd = ::open(host_dir.c_str(), kDirFlags);
  if (fd < 0) {
    const int err = errno;
    const std::string why = err == ENOENT    ? "does not exist"
                            : err == ENOTDIR ? "is not a directory"
                            : err == ELOOP   ? "is a symbolic link"
                                           : std::string("cannot be opened: ") + std::strerror(err);
    return Status(Code::kValidation, "data_dir '" + host_dir + "' " + why);
  }
  // The directory actually opened, not what the name leads to now: checks on host_dir()
  // then judge the directory every operation starts from.
  StatusOr<std::string> resolved = RealPath("/proc/self/fd/" + std::to_string(fd));
  if (!resolved.ok()) {
    ::close(fd);
    return resolved.status();
  }
  return std::unique_ptr<LocalBackend>(new LocalBackend(*resolved, std::move(label), fd));
}

LocalBackend::~LocalBackend() { ::close(root_fd_); }

std::string LocalBackend::Shown(std::string_view rel) const {
  return rel.empty() ? label_ : label_ + "/" + std::string(rel);
}

Status LocalBackend::ErrnoError(int err, std::string_view rel) const {
  const std::string path = Shown(rel);
  switch (err) {
    case ENOENT:
      return NotFound("File not found: " + path);
    case ELOOP:
      return PermissionDenied("Access denied: '" + path +
                              "' passes a symbolic link, which mounted directories never follow");
    case ENOTDIR:
      return Status(Code::kNotADirectory, "Not a directory: " + path);
    case EISDIR:
      return Status(Code::kIsADirectory, "Is a directory: " + path);
    case EEXIST:
      return AlreadyExists("File exists: " + path);
    case ENOTEMPTY:
      return Status(Code::kDirectoryNotEmpty, "Directory not empty: " + path);
    case EACCES:
    case EPERM:
      return PermissionDenied("Access denied by the host: " + path);
    case EINVAL:
      return Status(Code::kValidation, "Invalid operation on " + path);
    case EROFS:
      return Status(Code::kValidation, "Read-only host filesystem: " + path);
    case ENAMETOOLONG:
      return InvalidPath("File name too long: " + path);
    case EBUSY:
    case ETXTBSY:
      return Status(Code::kValidation, "In use on the host: " + path);
    case EFBIG:
    case EMLINK:
      return Status(Code::kValidation, "Exceeds a limit of the host filesystem: " + path);
    default:
      return ErrnoStatus(err, path);
  }
}

StatusOr<std::vector<std::string>> LocalBackend::Components(std::string_view rel) const {
  std::vector<std::string> parts;
  while (!rel.empty()) {
    const size_t slash = rel.find('/');
    const std::string_view part = rel.substr(0, slash);
    if (part.empty() || part == "." || part == "..")
      return InvalidPath("Invalid path: " + Shown(rel));
    parts.emplace_back(part);
    rel = slash == std::string_view::npos ? std::string_view() : rel.substr(slash + 1);
  }
  return parts;
}

StatusOr<UniqueFd> LocalBackend::OpenDir(std::string_view rel, bool create) const {
  ASSIGN_OR_RETURN(const std::vector<std::string> parts, Components(rel));
  UniqueFd dir(::openat(root_fd_, ".", kDirFlags));
  if (dir.get() < 0) return ErrnoError(errno, "");
  std::string walked;
  for (const std::string& part : parts) {
    walked = Join(walked, part);
    int next = ::openat(dir.get(), part.c_str(), kDirFlags);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
        return ErrnoError(errno, walked);
      next = ::openat(dir.get(), part.c_str(), kDirFlags);
    }
    if (next < 0) return ErrnoError(DirOpenError(dir.get(), part), walked);
    dir = UniqueFd(next);
  }
  return dir;
}

StatusOr<LocalBackend::Parent> LocalBackend::OpenParent(std::string_view rel, bool create) const {
  const size_t slash = rel.rfind('/');
  const std::string_view dir = slash == std::string_view::npos ? "" : rel.substr(0, slash);
  const std::string name(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
  ASSIGN_OR_RETURN(const std::vector<std::string> parts, Components(rel));
  if (parts.empty()) return ErrnoError(EISDIR, rel);
  ASSIGN_OR_RETURN(UniqueFd fd, OpenDir(dir, create));
  return Parent{std::move(fd), name};
}

StatusOr<FileInfo> LocalBackend::StatAt(int dir_fd, const std::string& name,
                                        std::string_view rel) const {
  struct stat st;
  const int rc = name.empty() ? ::fstat(dir_fd, &st)
                              : ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW);
  if (rc != 0) return ErrnoError(errno, rel);
  if (S_ISLNK(st.st_mode)) return ErrnoError(ELOOP, rel);
  FileInfo info;
  info.path = std::string(rel);
  info.created_at = info.modified_at = MtimeMicros(st);
  if (S_ISDIR(st.st_mode)) {
    info.is_directory = true;
    return info;
  }
  if (!S_ISREG(st.st_mode))
    return PermissionDenied("Access denied: '" + Shown(rel) + "' is not a regular file");
  info.size = st.st_size;
  info.mime_type = GuessMimeType(name);
  info.etag = Sha256Hex(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                        std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec));
  return info;
}

StatusOr<FileContent> LocalBackend::Read(std::string_view rel) {
  ASSIGN_OR_RETURN(const Parent parent, OpenParent(rel, /*create=*/false));
  // O_NONBLOCK: opening a FIFO planted in the directory must not hang the request.
  UniqueFd fd(::openat(parent.dir.get(), parent.name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError(errno, rel);
  FileContent out;
  ASSIGN_OR_RETURN(out.info, StatAt(fd.get(), "", rel));
  if (out.info.is_directory) return ErrnoError(EISDIR, rel);
  if (out.info.size > kMaxReadBytes) {
    return Status(Code::kValidation, "File too large to read through a mount: " + Shown(rel) +
                                         " holds " + std::to_string(out.info.size) +
                                         " bytes, the limit is " + std::to_string(kMaxReadBytes));
  }
  out.info.mime_type = GuessMimeType(parent.name);
  ASSIGN_OR_RETURN(out.content, ReadAll(fd.get(), Shown(rel)));
  return out;
}

StatusOr<FileInfo> LocalBackend::Write(std::string_view rel, std::string_view content,
                                       const WriteOptions& options) {
  MutexLock lock(&mu_);
  return WriteLocked(rel, content, options);
}

StatusOr<FileInfo> LocalBackend::WriteLocked(std::string_view rel, std::string_view content,
                                             const WriteOptions& options) {
  ASSIGN_OR_RETURN(const Parent parent, OpenParent(rel, /*create=*/true));
  StatusOr<FileInfo> existing = StatAt(parent.dir.get(), parent.name, rel);
  if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
  if (existing.ok() && existing->is_directory) return ErrnoError(EISDIR, rel);
  RETURN_IF_ERROR(CheckWriteConditions(
      Shown(rel), existing.ok() ? std::optional<std::string>(existing->etag) : std::nullopt,
      options));
  const std::string tmp = std::string(kTempPrefix) + RandomHex(8);
  UniqueFd fd(::openat(parent.dir.get(), tmp.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) return ErrnoError(errno, rel);
  Status s = WriteAll(fd.get(), content, Shown(rel));
  if (s.ok() && ::fsync(fd.get()) != 0) s = ErrnoError(errno, rel);
  if (s.ok() &&
      ::renameat(parent.dir.get(), tmp.c_str(), parent.dir.get(), parent.name.c_str()) != 0) {
    s = ErrnoError(errno, rel);
  }
  if (!s.ok()) {
    ::unlinkat(parent.dir.get(), tmp.c_str(), 0);
    return s;
  }
  if (::fsync(parent.dir.get()) != 0) return ErrnoError(errno, rel);
  ASSIGN_OR_RETURN(FileInfo info, StatAt(fd.get(), "", rel));
  info.mime_type = GuessMimeType(parent.name);
  return info;
}

StatusOr<FileInfo> LocalBackend::Append(std::string_view rel, std::string_view content,
                                        const WriteOptions& options) {
  MutexLock lock(&mu_);
  std::string combined;
  StatusOr<FileContent> current = Read(rel);
  if (current.ok()) {
    combined = std::move(current->content);
  } else if (current.status().code() != Code::kNotFound) {
    return current.status();
  }
  combined.append(content);
  return WriteLocked(rel, combined, options);
}

Status LocalBackend::Delete(std::string_view rel) {
  MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(const Parent parent, OpenParent(rel, /*create=*/false));
  ASSIGN_OR_RETURN(const FileInfo info, StatAt(parent.dir.get(), parent.name, rel));
  if (info.is_directory) return ErrnoError(EISDIR, rel);
  if (::unlinkat(parent.dir.get(), parent.name.c_str(), 0) != 0) return ErrnoError(errno, rel);
  return ::fsync(parent.dir.get()) == 0 ? Status::OK() : ErrnoError(errno, rel);
}

Status LocalBackend::Mkdir(std::string_view rel, bool parents, bool exist_ok) {
  MutexLock lock(&mu_);
  if (rel.empty()) return exist_ok ? Status::OK() : ErrnoError(EEXIST, rel);
  ASSIGN_OR_RETURN(const Parent parent, OpenParent(rel, parents));
  if (::mkdirat(parent.dir.get(), parent.name.c_str(), 0755) == 0) return Status::OK();
  const int err = errno;
  if (err == EEXIST && exist_ok) {
    ASSIGN_OR_RETURN(const FileInfo info, StatAt(parent.dir.get(), parent.name, rel));
    if (info.is_directory) return Status::OK();
  }
  return ErrnoError(err, rel);
}

Status LocalBackend::RemoveTree(int dir_fd, const std::string& rel) const {
  ASSIGN_OR_RETURN(const std::vector<std::string> names, Names(dir_fd, Shown(rel)));
  for (const std::string& name : names) {
    const std::string child = Join(rel, name);
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return ErrnoError(errno, child);
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(::openat(dir_fd, name.c_str(), kDirFlags));
      if (sub.get() < 0) return ErrnoError(errno, child);
      RETURN_IF_ERROR(RemoveTree(sub.get(), child));
    }
    // A symbolic link is removed itself; its target is never touched.
    if (::unlinkat(dir_fd, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
      return ErrnoError(errno, child);
  }
  return Status::OK();
}

Status LocalBackend::Rmdir(std::string_view rel, bool recursive) {
  MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(const Parent parent, OpenParent(rel, /*create=*/false));
  ASSIGN_OR_RETURN(const FileInfo info, StatAt(parent.dir.get(), parent.name, rel));
  if (!info.is_directory) return ErrnoError(ENOTDIR, rel);
  if (recursive) {
    ASSIGN_OR_RETURN(const UniqueFd dir, OpenDir(rel, /*create=*/false));
    RETURN_IF_ERROR(RemoveTree(dir.get(), std::string(rel)));
  }
  if (::unlinkat(parent.dir.get(), parent.name.c_str(), AT_REMOVEDIR) != 0)
    return ErrnoError(errno, rel);
  return ::fsync(parent.dir.get()) == 0 ? Status::OK() : ErrnoError(errno, rel);
}

Status LocalBackend::Rename(std::string_view from, std::string_view to) {
  MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(const Parent source, OpenParent(from, /*create=*/false));
  RETURN_IF_ERROR(StatAt(source.dir.get(), source.name, from).status());
  ASSIGN_OR_RETURN(const Parent target, OpenParent(to, /*create=*/true));
  if (::renameat2(source.dir.get(), source.name.c_str(), target.dir.get(), target.name.c_str(),
                  RENAME_NOREPLACE) != 0) {
    const int err = errno;
    return ErrnoError(err, err == EEXIST ? to : from);
  }
  if (::fsync(source.dir.get()) != 0) return ErrnoError(errno, from);
  return ::fsync(target.dir.get()) == 0 ? Status::OK() : ErrnoError(errno, to);
}

StatusOr<FileInfo> LocalBackend::Stat(std::string_view rel) {
  if (rel.empty()) return StatAt(root_fd_, "", rel);
  ASSIGN_OR_RETURN(const Parent parent, OpenParent(rel, /*create=*/false));
  return StatAt(parent.dir.get(), parent.name, rel);
}

Status LocalBackend::ListInto(int dir_fd, const std::string& rel, bool recursive,
                              std::vector<FileInfo>& out, std::vector<std::string>* skipped,
                              const std::function<bool()>& stop) const {
  ASSIGN_OR_RETURN(const std::vector<std::string> names, Names(dir_fd, Shown(rel)));
  for (const std::string& name : names) {
    if (stop && stop()) return Status::OK();
    if (name.starts_with(kTempPrefix)) continue;
    const std::string child = Join(rel, name);
    StatusOr<FileInfo> info = StatAt(dir_fd, name, child);
    if (!info.ok()) {
      // Gone since readdir, or a link or special file: not part of the tree.
      if (skipped && info.status().code() == Code::kPermissionDenied) skipped->push_back(child);
      continue;
    }
    out.push_back(*info);
    if (!info->is_directory || !recursive) continue;
    UniqueFd sub(::openat(dir_fd, name.c_str(), kDirFlags));
    if (sub.get() < 0) continue;  // replaced by a link since the stat: skip it
    RETURN_IF_ERROR(ListInto(sub.get(), child, recursive, out, skipped, stop));
  }
  return Status::OK();
}

StatusOr<std::vector<FileInfo>> LocalBackend::List(std::string_view rel, bool recursive,
                                                   std::vector<std::string>* skipped,
                                                   const std::function<bool()>& stop) {
  ASSIGN_OR_RETURN(const UniqueFd dir, OpenDir(rel, /*create=*/false));
  std::vector<FileInfo> out;
  RETURN_IF_ERROR(ListInto(dir.get(), std::string(rel), recursive, out, skipped, stop));
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

}  // namespace nexus::vfs
