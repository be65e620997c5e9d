#include "util/file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "util/fault_injection.h"
#include "util/hash.h"

namespace nexus {
namespace {

// Closes a descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string TempNameFor(const std::string& final_path) {
  static std::atomic<uint64_t> counter{0};
  return final_path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status ErrnoStatus(int err, std::string_view what) {
  std::string msg = std::string(what) + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status(Code::kStorageFull, std::move(msg));
  if (err == ENOENT) return NotFound(std::move(msg));
  return IOError(std::move(msg));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status WriteAllAt(int fd, int64_t offset, std::string_view data, const std::string& what) {
  for (size_t done = 0; done < data.size();) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + static_cast<int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "write " + what);
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status WriteFileAtomically(const std::string& final_path, std::string_view data, bool sync,
                           int mode) {
  const std::string tmp = TempNameFor(final_path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));

  if (fd < 0) return ErrnoStatus(errno, "create " + tmp);
  Status s = WriteAll(fd, data, tmp);
  if (const int err = InjectedErrno("file.write"); s.ok() && err != 0) {
    s = ErrnoStatus(err, "write " + tmp);  // after the bytes, as a disk filling up would
  }
  if (s.ok() && sync) {
    int err = InjectedErrno("file.fsync");
    if (err == 0 && ::fdatasync(fd) != 0) err = errno;
    if (err != 0) s = ErrnoStatus(err, "fsync " + tmp);
  }
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus(errno, "close " + tmp);
  if (s.ok()) {
    int err = InjectedErrno("file.rename");
    if (err == 0 && ::rename(tmp.c_str(), final_path.c_str()) != 0) err = errno;
    if (err != 0) s = ErrnoStatus(err, "rename " + tmp);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return sync ? SyncDirectory(DirectoryOf(final_path)) : Status::OK();
}

StatusOr<std::string> ReadFileRange(const std::string& path, int64_t offset, int64_t length) {
  if (offset < 0 || length < 0) return InvalidArgument("negative file range of " + path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open " + path);
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat " + path);
  const int64_t end = std::min<int64_t>(st.st_size, offset + length);
  std::string out(static_cast<size_t>(std::max<int64_t>(0, end - offset)), '\0');
  for (size_t done = 0; done < out.size();) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + static_cast<int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read " + path);
    if (n == 0) return IOError("read " + path + ": the file shrank while it was read");
    done += static_cast<size_t>(n);
  }
  return out;
}

StatusOr<std::string> FileSha256Hex(const std::string& path) {
  constexpr int64_t kBlock = 1 << 20;
  Sha256Hasher hasher;
  for (int64_t offset = 0;; offset += kBlock) {
    ASSIGN_OR_RETURN(const std::string block, ReadFileRange(path, offset, kBlock));
    hasher.Update(block);
    if (static_cast<int64_t>(block.size()) < kBlock) return hasher.FinishHex();
  }
}

StatusOr<std::unique_ptr<FileBuilder>> FileBuilder::Create(const std::string& final_path_hint,
                                                           int mode) {
  std::string temp = TempNameFor(final_path_hint);
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return ErrnoStatus(errno, "create " + temp);
  return std::unique_ptr<FileBuilder>(new FileBuilder(fd, std::move(temp)));
}

FileBuilder::~FileBuilder() {
  if (fd_ >= 0) ::close(fd_);
  if (!installed_) ::unlink(temp_.c_str());
}

Status FileBuilder::WriteAt(int64_t offset, std::string_view data) {
  return WriteAllAt(fd_, offset, data, temp_);
}

Status FileBuilder::Install(const std::string& final_path, bool sync) {
  if (sync && ::fdatasync(fd_) != 0) return ErrnoStatus(errno, "fsync " + temp_);
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return ErrnoStatus(errno, "close " + temp_);
  if (::rename(temp_.c_str(), final_path.c_str()) != 0)
    return ErrnoStatus(errno, "rename " + temp_);
  installed_ = true;
  return sync ? SyncDirectory(DirectoryOf(final_path)) : Status::OK();
}

StatusOr<std::string> RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return ErrnoStatus(errno, "realpath " + path);
  return std::string(resolved);
}

StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open " + path);
  FdCloser closer(fd);
  return ReadAll(fd, path);
}

StatusOr<std::string> ReadAll(int fd, const std::string& what) {
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read " + what);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status CreateDirectories(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir " + prefix);
    }
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open directory " + dir);
  FdCloser closer(fd);
  int err = InjectedErrno("file.dirsync");
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (err != 0) return ErrnoStatus(err, "fsync directory " + dir);
  return Status::OK();
}

StatusOr<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "open lock file " + path);
  FdCloser closer(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status(Code::kInUse, "data directory is in use by another process (lock " + path +
                                      " is held); stop that process or choose another --data-dir");
    }
    return ErrnoStatus(errno, "flock " + path);
  }
  return std::unique_ptr<FileLock>(new FileLock(closer.release()));
}

FileLock::~FileLock() { ::close(fd_); }

}  // namespace nexus
