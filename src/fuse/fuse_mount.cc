// The binding of Filesystem to libfuse's high-level API, which keeps the table of paths and
// inodes (so that renames of open files and directories stay right) and runs requests on a
// pool of threads.
#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "fuse/content_cache.h"
#include "fuse/filesystem.h"
#include "fuse/metadata_cache.h"
#include "fuse/mount.h"
#include "fuse/remote_files.h"
#include "util/file.h"

extern char** environ;

namespace nexus::fuse {
namespace {

struct Mounted {
  Filesystem* fs = nullptr;  // set before the loop serves its first request
  double ttl_seconds = 0;
};

Mounted& Self() { return *static_cast<Mounted*>(fuse_get_context()->private_data); }
Filesystem& Fs() { return *Self().fs; }
// An unlinked open file's calls come without a path (nullpath_ok).
std::string PathOf(const char* path) { return path ? path : ""; }

void* Init(fuse_conn_info* conn, fuse_config* cfg) {
  (void)conn;
  const double ttl = Self().ttl_seconds;
  cfg->entry_timeout = ttl;
  cfg->attr_timeout = ttl;
  cfg->negative_timeout = ttl;
  cfg->nullpath_ok = 1;
  // An unlinked open file stays readable through its handle (the open file keeps its copy),
  // so libfuse need not hide it under a .fuse_hidden name on the server.
  cfg->hard_remove = 1;
  return fuse_get_context()->private_data;
}

// At unmount (libfuse calls it once its loop has ended): nothing changed is left unstored.
void Destroy(void*) {
  if (Self().fs) Fs().StoreAll();
}

int GetAttr(const char* path, struct stat* st, fuse_file_info* fi) {
  return Fs().GetAttr(PathOf(path), fi ? fi->fh : 0, st);
}

// With nullpath_ok, readdir gets no path: the directory's handle keeps it.
int OpenDir(const char* path, fuse_file_info* fi) {
  if (int found = Fs().Exists(path); found < 0) return found;
  fi->fh = reinterpret_cast<uint64_t>(new std::string(path));
  return 0;
}

int ReleaseDir(const char*, fuse_file_info* fi) {
  delete reinterpret_cast<std::string*>(fi->fh);
  return 0;
}

int ReadDir(const char* current, void* buf, fuse_fill_dir_t filler, off_t, fuse_file_info* fi,
            fuse_readdir_flags) {
  std::vector<std::pair<std::string, struct stat>> entries;
  // The path now when libfuse knows it (the directory may have moved since it was opened).
  const std::string path = current ? current : *reinterpret_cast<std::string*>(fi->fh);
  if (int listed = Fs().ReadDir(path, &entries); listed < 0) return listed;
  filler(buf, ".", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  filler(buf, "..", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  for (const auto& [name, st] : entries) {
    if (filler(buf, name.c_str(), &st, 0, FUSE_FILL_DIR_PLUS) != 0) break;
  }
  return 0;
}

int Open(const char* path, fuse_file_info* fi) { return Fs().Open(path, fi->flags, &fi->fh); }

int Create(const char* path, mode_t, fuse_file_info* fi) {
  return Fs().Create(path, fi->flags, &fi->fh);
}

int Read(const char*, char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  return Fs().Read(fi->fh, buf, size, offset);
}

int Write(const char*, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  return Fs().Write(fi->fh, buf, size, offset);
}

int Flush(const char*, fuse_file_info* fi) { return Fs().Flush(fi->fh); }
int Fsync(const char*, int, fuse_file_info* fi) { return Fs().Fsync(fi->fh); }
int Release(const char*, fuse_file_info* fi) { return Fs().Release(fi->fh); }

int Truncate(const char* path, off_t size, fuse_file_info* fi) {
  return Fs().Truncate(PathOf(path), fi ? fi->fh : 0, size);
}

int Unlink(const char* path) { return Fs().Unlink(path); }
int Mkdir(const char* path, mode_t) { return Fs().Mkdir(path); }
int Rmdir(const char* path) { return Fs().Rmdir(path); }
int Rename(const char* from, const char* to, unsigned int flags) {
  return Fs().Rename(from, to, flags);
}

int Chmod(const char* path, mode_t, fuse_file_info* fi) { return fi ? 0 : Fs().Exists(path); }
int Chown(const char* path, uid_t, gid_t, fuse_file_info* fi) { return fi ? 0 : Fs().Exists(path); }
int Utimens(const char* path, const timespec*, fuse_file_info* fi) {
  return fi ? 0 : Fs().Exists(PathOf(path));
}

int StatFs(const char*, struct statvfs* st) { return Fs().StatFs(st); }

// The getxattr/listxattr protocol: size 0 asks for the length; a short buffer is ERANGE.
int CopyOut(const std::string& value, char* out, size_t size) {
  if (size == 0) return static_cast<int>(value.size());
  if (size < value.size()) return -ERANGE;
  std::memcpy(out, value.data(), value.size());
  return static_cast<int>(value.size());
}

int GetXattr(const char* path, const char* name, char* value, size_t size) {
  std::string text;
  if (int found = Fs().GetXattr(path, name, &text); found < 0) return found;
  return CopyOut(text, value, size);
}

int ListXattr(const char* path, char* list, size_t size) {
  std::string names;
  if (int listed = Fs().ListXattr(path, &names); listed < 0) return listed;
  return CopyOut(names, list, size);
}

int SetXattr(const char*, const char*, const char*, size_t, int) { return -ENOTSUP; }
int RemoveXattr(const char*, const char*) { return -ENOTSUP; }

fuse_operations Operations() {
  fuse_operations ops{};
  ops.init = Init;
  ops.destroy = Destroy;
  ops.getattr = GetAttr;
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.releasedir = ReleaseDir;
  ops.open = Open;
  ops.create = Create;
  ops.read = Read;
  ops.write = Write;
  ops.flush = Flush;
  ops.fsync = Fsync;
  ops.release = Release;
  ops.truncate = Truncate;
  ops.unlink = Unlink;
  ops.mkdir = Mkdir;
  ops.rmdir = Rmdir;
  ops.rename = Rename;
  ops.chmod = Chmod;
  ops.chown = Chown;
  ops.utimens = Utimens;
  ops.statfs = StatFs;
  ops.getxattr = GetXattr;
  ops.listxattr = ListXattr;
  ops.setxattr = SetXattr;
  ops.removexattr = RemoveXattr;
  return ops;
}

// libfuse's objects, released in the reverse order of their making.
class Session {
 public:
  ~Session() { Close(); }

  Status Start(const MountOptions& options, Mounted* mounted) {
    for (const char* arg : {"nexus", "-o", "fsname=nexus,subtype=nexus"}) {
      fuse_opt_add_arg(&args_, arg);
    }
    if (options.read_only) {
      fuse_opt_add_arg(&args_, "-o");
      fuse_opt_add_arg(&args_, "ro");
    }
    if (options.debug) fuse_opt_add_arg(&args_, "-d");
    const fuse_operations ops = Operations();
    fuse_ = fuse_new(&args_, &ops, sizeof(ops), mounted);
    if (!fuse_) return InvalidArgument("libfuse refused the mount's options");
    if (fuse_mount(fuse_, options.mountpoint.c_str()) != 0)
      return Status(Code::kUnavailable, "cannot mount on " + options.mountpoint +
                                            " (is /dev/fuse there, and fusermount3 installed?)");
    mounted_ = true;
    if (fuse_set_signal_handlers(fuse_get_session(fuse_)) != 0)
      return Internal("cannot install the mount's signal handlers");
    signals_ = true;
    if (fuse_daemonize(options.foreground ? 1 : 0) != 0)
      return Internal("cannot run the mount in the background");
    return Status::OK();
  }

  // Serves until unmounted or signalled, then closes: libfuse's destroy callback runs while
  // the Filesystem it calls is still there.
  Status Serve() {
    // 0 when unmounted, the signal's number when a signal ended it (both clean ends), below 0
    // for an error.
    const int looped = fuse_loop_mt(fuse_, /*clone_fd=*/0);
    Close();
    if (looped < 0) return IOError("the mount's loop failed: " + std::string(strerror(-looped)));
    return Status::OK();
  }

  void Close() {
    if (signals_) fuse_remove_signal_handlers(fuse_get_session(fuse_));
    signals_ = false;
    if (mounted_) fuse_unmount(fuse_);
    mounted_ = false;
    if (fuse_) fuse_destroy(fuse_);
    fuse_ = nullptr;
    fuse_opt_free_args(&args_);
  }

 private:
  fuse_args args_ = FUSE_ARGS_INIT(0, nullptr);
  ::fuse* fuse_ = nullptr;
  bool mounted_ = false;
  bool signals_ = false;
};

// The remote root, checked with a client of its own that is gone before the mount forks.
Status CheckRemoteRoot(const client::ClientOptions& client_options, const std::string& root) {
  ASSIGN_OR_RETURN(std::unique_ptr<client::Client> probe, client::Client::Open(client_options));
  RemoteFiles remote(*probe, root);
  ASSIGN_OR_RETURN(const Attributes attributes, remote.Stat("/"));
  if (!attributes.is_directory)
    return InvalidArgument(root + " is a file, not a directory to mount");
  return Status::OK();
}

}  // namespace

Status RunMount(const client::ClientOptions& client_options, const MountOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(options.mountpoint, ec))
    return InvalidArgument("mount point " + options.mountpoint + " is not a directory");
  // A second mount would hide the first (the kernel stacks them): refuse instead.
  struct stat here {
  }, parent{};
  if (::stat(options.mountpoint.c_str(), &here) == 0 &&
      ::stat((options.mountpoint + "/..").c_str(), &parent) == 0 && here.st_dev != parent.st_dev)
    return AlreadyExists(options.mountpoint + " is already a mount point (`nexus unmount " +
                         options.mountpoint + "` first)");
  RETURN_IF_ERROR(CheckRemoteRoot(client_options, options.remote_root));
  ASSIGN_OR_RETURN(std::unique_ptr<ContentCache> contents,
                   ContentCache::Open(options.cache_dir, options.cache_bytes));
  Mounted mounted;
  mounted.ttl_seconds = std::chrono::duration<double>(options.metadata_ttl).count();
  Session session;
  RETURN_IF_ERROR(session.Start(options, &mounted));
  ASSIGN_OR_RETURN(std::unique_ptr<client::Client> client, client::Client::Open(client_options));
  RemoteFiles remote(*client, options.remote_root);
  MetadataCache metadata(options.metadata_ttl);
  Filesystem fs(remote, metadata, *contents, options.read_only);
  mounted.fs = &fs;
  return session.Serve();
}

Status Unmount(const std::string& mountpoint) {
  std::vector<char*> argv = {const_cast<char*>("fusermount3"), const_cast<char*>("-u"),
                             const_cast<char*>(mountpoint.c_str()), nullptr};
  pid_t pid = 0;
  if (int err = posix_spawnp(&pid, "fusermount3", nullptr, nullptr, argv.data(), environ); err)
    return ErrnoStatus(err, "cannot run fusermount3");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return InvalidArgument("cannot unmount " + mountpoint + " (is it a nexus mount?)");
  return Status::OK();
}

}  // namespace nexus::fuse
