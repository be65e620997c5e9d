#include "fuse/filesystem.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "fuse/errno_mapping.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/unique_fd.h"

namespace nexus::fuse {

// The state of a path with open handles, shared by all of them.
struct Filesystem::OpenFile {
  ~OpenFile() {
    if (!copy_path.empty()) ::unlink(copy_path.c_str());
  }

  Mutex mu;
  std::string path GUARDED_BY(mu);  // follows renames
  bool unlinked GUARDED_BY(mu) = false;
  // The content: a cache file (read-only) until the first write, then a private copy.
  UniqueFd fd GUARDED_BY(mu);
  std::string copy_path GUARDED_BY(mu);  // "" until the file has a private copy
  std::string etag GUARDED_BY(mu);       // the version the content is; "" for a new file
  int64_t size GUARDED_BY(mu) = 0;
  int64_t modified_us GUARDED_BY(mu) = 0;
  bool dirty GUARDED_BY(mu) = false;  // changed since it was last stored
  // Changed by a write or a truncate since it was last stored, not only emptied by O_TRUNC or
  // created: a shell's `> file` closes a duplicate of the descriptor before it writes, and
  // that close must not store an empty version.
  bool written GUARDED_BY(mu) = false;
  int handles = 0;  // guarded by Filesystem::mu_
};

struct Filesystem::Handle {
  std::shared_ptr<OpenFile> file;
  bool writable = false;
};

namespace {

constexpr size_t kIoBlock = 128 << 10;
constexpr int kDeleteWorkers = 8;
constexpr char kXattrPrefix[] = "user.nexus.";

int Fail(const Status& status) { return -ErrnoOf(status); }

// A private, writable copy of `file`'s content: made before its first change.
Status MakeCopy(ContentCache& contents, std::string* copy_path, UniqueFd* fd, int64_t size) {
  if (!copy_path->empty()) return Status::OK();
  if (size > 0 && !fd->valid()) return Internal("a file to copy has no content");
  ASSIGN_OR_RETURN(TempFile copy, contents.NewTemp());
  std::vector<char> block(kIoBlock);
  for (int64_t offset = 0; offset < size;) {
    const ssize_t n = ::pread(fd->get(), block.data(), block.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    Status written = n <= 0 ? ErrnoStatus(n < 0 ? errno : EIO, "cannot copy a cached file")
                            : WriteAll(copy.fd.get(), std::string_view(block.data(), n), copy.path);
    if (!written.ok()) {
      ::unlink(copy.path.c_str());
      return written;
    }
    offset += n;
  }
  *fd = std::move(copy.fd);
  *copy_path = std::move(copy.path);
  return Status::OK();
}

std::string XattrText(const client::Value& value) {
  switch (value.kind()) {
    case client::Value::Kind::kString:
    case client::Value::Kind::kDateTime:
      return value.AsString();
    case client::Value::Kind::kInt:
      return std::to_string(value.AsInt());
    case client::Value::Kind::kBool:
      return value.AsBool() ? "true" : "false";
    default:
      return "";
  }
}

Attributes FileAttributes(int64_t size, int64_t modified_us) {
  Attributes attributes;
  attributes.size = size;
  attributes.modified_us = modified_us;
  return attributes;
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir == "/" || path[dir.size()] == '/');
}

}  // namespace

Filesystem::Filesystem(RemoteFiles& remote, MetadataCache& metadata, ContentCache& contents,
                       bool read_only)
    : remote_(remote),
      metadata_(metadata),
      contents_(contents),
      read_only_(read_only),
      uid_(::getuid()),
      gid_(::getgid()),
      mounted_us_(NowMicros()),
      deletes_([this](const std::string& path) { return remote_.Delete(path); },
               [this](const std::string& path) { metadata_.Forget(path); }, kDeleteWorkers) {}

Filesystem::~Filesystem() = default;

void Filesystem::Fill(const Attributes& a, struct stat* st) const {
  std::memset(st, 0, sizeof(*st));
  const mode_t writable = read_only_ ? 0 : 0200;
  st->st_mode = a.is_directory ? (S_IFDIR | 0555 | writable) : (S_IFREG | 0444 | writable);
  st->st_nlink = a.is_directory ? 2 : 1;
  st->st_uid = uid_;
  st->st_gid = gid_;
  st->st_size = a.size;
  st->st_blocks = (a.size + 511) / 512;
  st->st_blksize = kIoBlock;
  const int64_t us = a.modified_us > 0 ? a.modified_us : mounted_us_;
  st->st_mtim.tv_sec = us / 1000000;
  st->st_mtim.tv_nsec = (us % 1000000) * 1000;
  st->st_atim = st->st_mtim;
  st->st_ctim = st->st_mtim;
}

StatusOr<Attributes> Filesystem::Look(const std::string& path) {
  if (deletes_.Pending(path)) return NotFound("no such file: " + path);
  if (std::optional<MetadataCache::Known> known = metadata_.Find(path)) {
    if (!known->exists) return NotFound("no such file: " + path);
    return known->attributes;
  }
  StatusOr<Attributes> attributes = remote_.Stat(path);
  if (attributes.ok()) {
    metadata_.Put(path, *attributes);
  } else if (attributes.status().code() == Code::kNotFound) {
    metadata_.PutMissing(path);
  }
  return attributes;
}

std::shared_ptr<Filesystem::OpenFile> Filesystem::FindOpen(const std::string& path) {
  MutexLock lock(&mu_);
  auto it = open_.find(path);
  return it == open_.end() ? nullptr : it->second;
}

std::shared_ptr<Filesystem::OpenFile> Filesystem::Adopt(const std::string& path,
                                                        std::shared_ptr<OpenFile> file) {
  MutexLock lock(&mu_);
  std::shared_ptr<OpenFile>& slot = open_[path];
  if (!slot) slot = std::move(file);
  ++slot->handles;
  return slot;
}

uint64_t Filesystem::NewHandle(std::shared_ptr<OpenFile> file, bool writable) {
  return reinterpret_cast<uint64_t>(new Handle{std::move(file), writable});
}

Filesystem::Handle* Filesystem::HandleOf(uint64_t fh) const {
  return reinterpret_cast<Handle*>(fh);
}

int Filesystem::GetAttr(const std::string& path, uint64_t fh, struct stat* st) {
  std::shared_ptr<OpenFile> file = fh ? HandleOf(fh)->file : FindOpen(path);
  if (file) {
    MutexLock lock(&file->mu);
    Fill(FileAttributes(file->size, file->modified_us), st);
    return 0;
  }
  StatusOr<Attributes> attributes = Look(path);
  if (!attributes.ok()) return Fail(attributes.status());
  Fill(*attributes, st);
  return 0;
}

int Filesystem::ReadDir(const std::string& path,
                        std::vector<std::pair<std::string, struct stat>>* out) {
  std::optional<std::vector<DirectoryEntry>> entries = metadata_.FindListing(path);
  if (!entries) {
    StatusOr<std::vector<DirectoryEntry>> listed = remote_.List(path);
    if (!listed.ok()) return Fail(listed.status());
    metadata_.PutListing(path, *listed);
    entries = std::move(*listed);
  }
  // Files open here show their local size, and new ones not stored yet show at all.
  std::map<std::string, std::shared_ptr<OpenFile>> open_here;
  {
    MutexLock lock(&mu_);
    for (const auto& [open_path, file] : open_) {
      if (ParentOf(open_path) == path && open_path != "/")
        open_here[open_path.substr(open_path.rfind('/') + 1)] = file;
    }
  }
  for (DirectoryEntry& entry : *entries) {
    if (deletes_.Pending(ChildOf(path, entry.name))) continue;
    struct stat st;
    auto it = open_here.find(entry.name);
    if (it != open_here.end()) {
      MutexLock lock(&it->second->mu);
      entry.attributes.size = it->second->size;
      open_here.erase(it);
    }
    Fill(entry.attributes, &st);
    out->emplace_back(entry.name, st);
  }
  for (const auto& [name, file] : open_here) {
    struct stat st;
    MutexLock lock(&file->mu);
    Fill(FileAttributes(file->size, file->modified_us), &st);
    out->emplace_back(name, st);
  }
  return 0;
}

StatusOr<std::shared_ptr<Filesystem::OpenFile>> Filesystem::OpenExisting(const std::string& path,
                                                                         bool need_content) {
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(const Attributes attributes, Look(path));
    if (attributes.is_directory) return Status(Code::kIsADirectory, path + " is a directory");
    auto file = std::make_shared<OpenFile>();
    MutexLock lock(&file->mu);
    file->path = path;
    file->etag = attributes.etag;
    file->size = attributes.size;
    file->modified_us = attributes.modified_us;
    if (!need_content) {
      // About to be emptied: an empty copy at once, so that no sharer sees a file without one.
      file->size = 0;
      file->dirty = true;
      RETURN_IF_ERROR(MakeCopy(contents_, &file->copy_path, &file->fd, 0));
      return file;
    }
    if (std::optional<UniqueFd> cached = contents_.Find(attributes.etag)) {
      file->fd = std::move(*cached);
      return file;
    }
    ASSIGN_OR_RETURN(TempFile temp, contents_.NewTemp());
    Status fetched = remote_.Fetch(path, attributes.etag, attributes.size, temp.fd.get());
    // Ranges of one version could still mix two if the file changed between them and back:
    // the whole must hash to the etag before it is served, or cached for other opens.
    if (fetched.ok()) {
      StatusOr<std::string> hash = FileSha256Hex(temp.path);
      if (hash.ok() && *hash != attributes.etag)
        hash = Status(Code::kConflict, path + " changed while it was fetched");
      fetched = hash.status();
    }
    if (fetched.ok()) fetched = contents_.Install(temp.path, attributes.etag, attributes.size);
    if (fetched.ok()) {
      file->fd = std::move(temp.fd);  // the installed file itself
      return file;
    }
    ::unlink(temp.path.c_str());
    // The file changed since its attributes were cached: look again, once.
    if (fetched.code() != Code::kConflict || attempt > 0) return fetched;
    metadata_.Forget(path);
  }
}

int Filesystem::Open(const std::string& path, int flags, uint64_t* fh) {
  const bool writable = (flags & O_ACCMODE) != O_RDONLY;
  if (writable && read_only_) return -EROFS;
  const bool truncate = writable && (flags & O_TRUNC);
  std::shared_ptr<OpenFile> file = FindOpen(path);
  if (!file) {
    StatusOr<std::shared_ptr<OpenFile>> opened = OpenExisting(path, !truncate);
    if (!opened.ok()) return Fail(opened.status());
    file = *std::move(opened);
  }
  file = Adopt(path, std::move(file));
  *fh = NewHandle(file, writable);
  if (!truncate) return 0;
  const int emptied = TruncateOpen(*fh, 0, /*emptied_by_open=*/true);
  if (emptied < 0) Release(*fh);
  return emptied;
}

int Filesystem::Create(const std::string& path, int flags, uint64_t* fh) {
  if (read_only_) return -EROFS;
  deletes_.Drain();
  if (FindOpen(path)) {
    if (flags & O_EXCL) return -EEXIST;
    return Open(path, flags, fh);
  }
  StatusOr<Attributes> existing = Look(path);
  if (existing.ok()) {
    if (flags & O_EXCL) return -EEXIST;
    return Open(path, flags, fh);
  }
  if (existing.status().code() != Code::kNotFound) return Fail(existing.status());
  auto file = std::make_shared<OpenFile>();
  {
    MutexLock lock(&file->mu);
    file->path = path;
    file->modified_us = NowMicros();
    file->dirty = true;
    if (Status copied = MakeCopy(contents_, &file->copy_path, &file->fd, 0); !copied.ok())
      return Fail(copied);
  }
  metadata_.Forget(path);
  *fh = NewHandle(Adopt(path, std::move(file)), /*writable=*/true);
  return 0;
}

int Filesystem::Read(uint64_t fh, char* buf, size_t size, int64_t offset) {
  OpenFile& file = *HandleOf(fh)->file;
  MutexLock lock(&file.mu);
  if (!file.fd.valid() || offset >= file.size) return 0;
  size = static_cast<size_t>(std::min<int64_t>(size, file.size - offset));
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(file.fd.get(), buf + done, size - done, offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<int>(done);
}

int Filesystem::Write(uint64_t fh, const char* buf, size_t size, int64_t offset) {
  Handle& handle = *HandleOf(fh);
  if (!handle.writable) return -EBADF;
  OpenFile& file = *handle.file;
  MutexLock lock(&file.mu);
  if (Status copied = MakeCopy(contents_, &file.copy_path, &file.fd, file.size); !copied.ok())
    return Fail(copied);
  if (Status written =
          WriteAllAt(file.fd.get(), offset, std::string_view(buf, size), file.copy_path);
      !written.ok())
    return Fail(written);
  file.size = std::max<int64_t>(file.size, offset + static_cast<int64_t>(size));
  file.modified_us = NowMicros();
  file.dirty = true;
  file.written = true;
  return static_cast<int>(size);
}

int Filesystem::StoreIfDirty(OpenFile& file, bool closing) {
  ReaderMutexLock renaming(&rename_mu_);
  return StoreIfDirtyLocked(file, closing);
}

int Filesystem::StoreIfDirtyLocked(OpenFile& file, bool closing) {
  MutexLock lock(&file.mu);
  if (!file.dirty || file.unlinked || !(file.written || closing)) return 0;
  StatusOr<Attributes> stored = remote_.Store(file.path, file.copy_path, file.size);
  if (!stored.ok()) return Fail(stored.status());
  file.dirty = false;
  file.written = false;
  file.etag = stored->etag;
  file.modified_us = stored->modified_us;
  metadata_.Forget(file.path);
  metadata_.Put(file.path, *stored);
  return 0;
}

int Filesystem::Flush(uint64_t fh) { return StoreIfDirty(*HandleOf(fh)->file, false); }

int Filesystem::Fsync(uint64_t fh) { return StoreIfDirty(*HandleOf(fh)->file, true); }

void Filesystem::StoreAll() {
  deletes_.Drain();
  std::vector<std::shared_ptr<OpenFile>> files;
  {
    MutexLock lock(&mu_);
    for (const auto& [path, file] : open_) files.push_back(file);
  }
  for (const std::shared_ptr<OpenFile>& file : files) (void)StoreIfDirty(*file, true);
}

int Filesystem::Release(uint64_t fh) {
  std::unique_ptr<Handle> handle(HandleOf(fh));
  std::shared_ptr<OpenFile> file = handle->file;
  {
    MutexLock lock(&mu_);
    if (--file->handles > 0) return 0;
  }
  // Stored while still listed as open, so that the file never seems missing: a new file or
  // an emptied one that was never written, or one whose flush failed.
  const int stored = StoreIfDirty(*file, /*closing=*/true);
  {
    MutexLock lock(&mu_);
    if (file->handles > 0) return 0;  // opened again meanwhile
    for (auto it = open_.begin(); it != open_.end(); ++it) {
      if (it->second == file) {
        open_.erase(it);
        break;
      }
    }
  }
  MutexLock lock(&file->mu);
  if (file->copy_path.empty()) return 0;
  // A stored copy is that version's content: keep it for the next open.
  if (stored == 0 && !file->dirty &&
      contents_.Install(file->copy_path, file->etag, file->size).ok()) {
    file->copy_path.clear();
  }
  // Nobody can store a copy whose last handle is gone: keep it where its owner finds it.
  if (stored < 0 && file->dirty && !file->unlinked) {
    StatusOr<std::string> kept = contents_.KeepUnsaved(file->copy_path, file->path);
    if (kept.ok()) file->copy_path.clear();
    std::fprintf(stderr, "nexus mount: cannot store %s (%s); %s\n", file->path.c_str(),
                 std::strerror(-stored),
                 kept.ok() ? ("what was written is in " + *kept).c_str()
                           : ("lost: " + kept.status().ToString()).c_str());
  }
  return 0;
}

int Filesystem::Truncate(const std::string& path, uint64_t fh, int64_t size) {
  if (read_only_) return -EROFS;
  if (size < 0) return -EINVAL;
  if (fh != 0) return TruncateOpen(fh, size, /*emptied_by_open=*/false);
  // `truncate PATH`: open, change, store, close; emptying needs no content first.
  uint64_t own = 0;
  if (int opened = Open(path, size == 0 ? (O_WRONLY | O_TRUNC) : O_RDWR, &own); opened < 0)
    return opened;
  const int truncated = TruncateOpen(own, size, /*emptied_by_open=*/false);
  const int flushed = truncated < 0 ? 0 : Flush(own);
  Release(own);
  return truncated < 0 ? truncated : flushed;
}

int Filesystem::TruncateOpen(uint64_t fh, int64_t size, bool emptied_by_open) {
  OpenFile& file = *HandleOf(fh)->file;
  MutexLock lock(&file.mu);
  if (Status copied = MakeCopy(contents_, &file.copy_path, &file.fd, file.size); !copied.ok())
    return Fail(copied);
  if (::ftruncate(file.fd.get(), size) != 0) return -errno;
  file.size = size;
  file.modified_us = NowMicros();
  file.dirty = true;
  if (!emptied_by_open) file.written = true;
  return 0;
}

void Filesystem::DetachOpenFile(const std::string& path) {
  std::shared_ptr<OpenFile> file;
  {
    MutexLock lock(&mu_);
    auto it = open_.find(path);
    if (it == open_.end()) return;
    file = it->second;
    open_.erase(it);
  }
  MutexLock lock(&file->mu);
  file->unlinked = true;
}

int Filesystem::Unlink(const std::string& path) {
  if (read_only_) return -EROFS;
  const bool open = FindOpen(path) != nullptr;
  StatusOr<Attributes> attributes = Look(path);
  if (attributes.ok() && attributes->is_directory) return -EISDIR;
  // A new file not stored yet exists only here, and needs no delete on the server.
  if (!attributes.ok() && !(open && attributes.status().code() == Code::kNotFound))
    return Fail(attributes.status());
  // Detached first: a store in flight finishes before, and none starts after.
  DetachOpenFile(path);
  metadata_.Forget(path);
  if (attributes.ok()) deletes_.Add(path);
  return 0;
}

int Filesystem::Mkdir(const std::string& path) {
  if (read_only_) return -EROFS;
  deletes_.Drain();
  Status made = remote_.Mkdir(path);
  metadata_.Forget(path);
  return made.ok() ? 0 : Fail(made);
}

int Filesystem::Rmdir(const std::string& path) {
  if (read_only_) return -EROFS;
  deletes_.Drain();
  StatusOr<Attributes> attributes = Look(path);
  if (!attributes.ok()) return Fail(attributes.status());
  if (!attributes->is_directory) return -ENOTDIR;
  {
    MutexLock lock(&mu_);
    auto it = open_.lower_bound(path + "/");
    if (it != open_.end() && IsUnder(it->first, path)) return -ENOTEMPTY;
  }
  Status removed = remote_.Rmdir(path);
  metadata_.Forget(path);
  if (removed.code() == Code::kValidation) return -ENOTEMPTY;
  return removed.ok() ? 0 : Fail(removed);
}

Status Filesystem::RenameOnServer(const std::string& from, const std::string& to,
                                  unsigned int flags) {
  ASSIGN_OR_RETURN(const Attributes source, Look(from));
  StatusOr<Attributes> target = remote_.Stat(to);
  if (target.status().code() == Code::kNotFound) return remote_.Rename(from, to);
  RETURN_IF_ERROR(target.status());
  if (flags & RENAME_NOREPLACE) return AlreadyExists(to + " exists");
  if (target->is_directory) {
    if (!source.is_directory) return Status(Code::kIsADirectory, to + " is a directory");
    Status removed = remote_.Rmdir(to);
    if (removed.code() == Code::kValidation)
      return Status(Code::kDirectoryNotEmpty, to + " is not empty");
    RETURN_IF_ERROR(removed);
    return remote_.Rename(from, to);
  }
  if (source.is_directory) return Status(Code::kNotADirectory, to + " is not a directory");
  // `to` is never missing: it gets `from`'s content as a new version, then `from` goes.
  RETURN_IF_ERROR(remote_.CopyOver(from, to));
  return remote_.Delete(from);
}

int Filesystem::Rename(const std::string& from, const std::string& to, unsigned int flags) {
  if (read_only_) return -EROFS;
  if (flags & RENAME_EXCHANGE) return -EINVAL;
  if (from == to) return 0;
  if (IsUnder(to, from)) return -EINVAL;
  deletes_.Drain();
  MutexLock renaming(&rename_mu_);
  {
    MutexLock lock(&mu_);
    auto it = open_.lower_bound(to + "/");
    if (it != open_.end() && IsUnder(it->first, to)) return -ENOTEMPTY;
  }
  // A file written here and not stored yet goes to the server first, so the server moves it.
  if (std::shared_ptr<OpenFile> file = FindOpen(from)) {
    if (int stored = StoreIfDirtyLocked(*file, /*closing=*/true); stored < 0) return stored;
  }
  Status renamed = RenameOnServer(from, to, flags);
  metadata_.Forget(from);
  metadata_.Forget(to);
  if (!renamed.ok()) return Fail(renamed);
  MoveOpenFiles(from, to);
  return 0;
}

void Filesystem::MoveOpenFiles(const std::string& from, const std::string& to) {
  DetachOpenFile(to);
  MutexLock lock(&mu_);
  std::vector<std::pair<std::string, std::shared_ptr<OpenFile>>> moved;
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->first == from || IsUnder(it->first, from)) {
      moved.emplace_back(to + it->first.substr(from.size()), it->second);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [path, file] : moved) {
    {
      MutexLock file_lock(&file->mu);
      file->path = path;
    }
    open_[path] = std::move(file);
  }
}

int Filesystem::Exists(const std::string& path) {
  if (FindOpen(path)) return 0;
  StatusOr<Attributes> attributes = Look(path);
  return attributes.ok() ? 0 : Fail(attributes.status());
}

int Filesystem::StatFs(struct statvfs* st) {
  std::memset(st, 0, sizeof(*st));
  // The server's space is not the mount's to know: plenty, so that tools do not refuse.
  st->f_bsize = kIoBlock;
  st->f_frsize = 4096;
  st->f_blocks = uint64_t{1} << 32;
  st->f_bfree = st->f_bavail = uint64_t{1} << 31;
  st->f_files = uint64_t{1} << 24;
  st->f_ffree = st->f_favail = uint64_t{1} << 23;
  st->f_namemax = 255;
  return 0;
}

int Filesystem::GetXattr(const std::string& path, const std::string& name, std::string* value) {
  if (name.rfind(kXattrPrefix, 0) != 0) return -ENODATA;
  const std::string key = name.substr(sizeof(kXattrPrefix) - 1);
  if (key == "etag") {
    StatusOr<Attributes> attributes = Look(path);
    if (!attributes.ok()) return Fail(attributes.status());
    if (attributes->etag.empty()) return -ENODATA;
    *value = attributes->etag;
    return 0;
  }
  StatusOr<client::Value> metadata = remote_.Metadata(path);
  if (!metadata.ok()) return Fail(metadata.status());
  const client::Value* member = metadata->Find(key);
  if (!member || XattrText(*member).empty()) return -ENODATA;
  *value = XattrText(*member);
  return 0;
}

int Filesystem::ListXattr(const std::string& path, std::string* names) {
  StatusOr<client::Value> metadata = remote_.Metadata(path);
  if (!metadata.ok()) return Fail(metadata.status());
  StatusOr<Attributes> attributes = Look(path);
  if (attributes.ok() && !attributes->etag.empty())
    names->append("user.nexus.etag").push_back('\0');
  for (const auto& [key, value] : metadata->AsObject()) {
    if (!XattrText(value).empty()) names->append(kXattrPrefix + key).push_back('\0');
  }
  return 0;
}

}  // namespace nexus::fuse
