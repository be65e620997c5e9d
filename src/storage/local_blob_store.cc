#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include "storage/blob_store.h"
#include "util/file.h"
#include "util/hash.h"

namespace nexus::storage {
namespace {

class LocalBlobStore final : public BlobStore {
 public:
  LocalBlobStore(std::string root, Durability durability)
      : cas_(std::move(root) + "/cas"), sync_(durability == Durability::kFull) {}

  StatusOr<std::string> Put(std::string_view content) override;
  StatusOr<std::string> Get(std::string_view hash) override;
  StatusOr<std::string> GetRange(std::string_view hash, int64_t offset, int64_t length) override;
  StatusOr<std::string> Concatenate(const std::vector<std::string>& parts) override;
  StatusOr<bool> Contains(Tx& tx, std::string_view hash) override;
  Status Remove(Tx& tx, std::string_view hash) override;
  Status ForEach(const std::function<Status(const StoredBlob&)>& fn) override;

 private:
  std::string DirFor(std::string_view hash) const {
    return cas_ + "/" + std::string(hash.substr(0, 2)) + "/" + std::string(hash.substr(2, 2));
  }
  std::string PathFor(std::string_view hash) const {
    return DirFor(hash) + "/" + std::string(hash);
  }
  // Creates the directory of `hash` when it is new (and syncs its parents, with sync_).
  Status EnsureDirFor(const std::string& hash);
  // Copies the content of blob `hash` into `out` from `offset`, a block at a time, hashing
  // it into `hasher` on the way; returns the bytes copied. kIOError when the blob's bytes do
  // not hash to its name.
  StatusOr<int64_t> CopyInto(const std::string& hash, FileBuilder& out, int64_t offset,
                             Sha256Hasher& hasher);
  Status ForEachIn(const std::string& dir, int depth,
                   const std::function<Status(const StoredBlob&)>& fn);

  const std::string cas_;
  const bool sync_;
};

StatusOr<std::string> LocalBlobStore::Put(std::string_view content) {
  std::string hash = Sha256Hex(content);
  const std::string path = PathFor(hash);
  struct stat st;
  // A blob in place was renamed there only after it was complete (and synced, if asked).
  if (::stat(path.c_str(), &st) == 0 && static_cast<size_t>(st.st_size) == content.size()) {
    return hash;
  }
  RETURN_IF_ERROR(EnsureDirFor(hash));
  RETURN_IF_ERROR(WriteFileAtomically(path, content, sync_));
  return hash;
}

Status LocalBlobStore::EnsureDirFor(const std::string& hash) {
  const std::string dir = DirFor(hash);
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return Status::OK();
  RETURN_IF_ERROR(CreateDirectories(dir));
  if (!sync_) return Status::OK();
  // The new cas/ab and cas/ab/cd entries must survive power loss too.
  RETURN_IF_ERROR(SyncDirectory(cas_ + "/" + hash.substr(0, 2)));
  return SyncDirectory(cas_);
}

StatusOr<std::string> LocalBlobStore::GetRange(std::string_view hash, int64_t offset,
                                               int64_t length) {
  if (!IsSha256Hex(hash)) return InvalidArgument("not a content hash: " + std::string(hash));
  StatusOr<std::string> bytes = ReadFileRange(PathFor(hash), offset, length);
  if (bytes.status().code() == Code::kNotFound)
    return NotFound("content blob missing: " + std::string(hash));
  return bytes;
}

StatusOr<int64_t> LocalBlobStore::CopyInto(const std::string& hash, FileBuilder& out,
                                           int64_t offset, Sha256Hasher& hasher) {
  Sha256Hasher part;
  for (int64_t done = 0;;) {
    ASSIGN_OR_RETURN(const std::string block, GetRange(hash, done, kBlobChunkBytes));
    if (block.empty()) {
      if (part.FinishHex() != hash) return IOError("content blob is corrupt: " + hash);
      return done;
    }
    hasher.Update(block);
    part.Update(block);
    RETURN_IF_ERROR(out.WriteAt(offset + done, block));
    done += static_cast<int64_t>(block.size());
  }
}

StatusOr<std::string> LocalBlobStore::Concatenate(const std::vector<std::string>& parts) {
  // Built in cas/tmp (ForEach skips it) and renamed to its address once its hash is known.
  const std::string tmp = cas_ + "/tmp";
  RETURN_IF_ERROR(CreateDirectories(tmp));
  ASSIGN_OR_RETURN(std::unique_ptr<FileBuilder> out, FileBuilder::Create(tmp + "/concatenated"));
  Sha256Hasher hasher;
  int64_t size = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0 && size % kBlobChunkBytes != 0)
      return InvalidArgument("a part other than the last is not a multiple of 1 MiB");
    ASSIGN_OR_RETURN(const int64_t copied, CopyInto(parts[i], *out, size, hasher));
    size += copied;
  }
  std::string hash = hasher.FinishHex();
  RETURN_IF_ERROR(EnsureDirFor(hash));
  RETURN_IF_ERROR(out->Install(PathFor(hash), sync_));
  return hash;
}

StatusOr<std::string> LocalBlobStore::Get(std::string_view hash) {
  if (!IsSha256Hex(hash)) return InvalidArgument("not a content hash: " + std::string(hash));
  StatusOr<std::string> content = ReadFile(PathFor(hash));
  if (!content.ok()) {
    if (content.status().code() == Code::kNotFound) {
      return NotFound("content blob missing: " + std::string(hash));
    }
    return content.status();
  }
  if (Sha256Hex(*content) != hash) return IOError("content blob is corrupt: " + std::string(hash));
  return content;
}

StatusOr<bool> LocalBlobStore::Contains(Tx&, std::string_view hash) {
  struct stat st;
  if (::stat(PathFor(hash).c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoStatus(errno, "stat blob " + std::string(hash));
}

Status LocalBlobStore::Remove(Tx&, std::string_view hash) {
  if (::unlink(PathFor(hash).c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "remove blob " + std::string(hash));
  }
  return Status::OK();
}

Status LocalBlobStore::ForEachIn(const std::string& dir, int depth,
                                 const std::function<Status(const StoredBlob&)>& fn) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno == ENOENT ? Status::OK() : ErrnoStatus(errno, "opendir " + dir);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    // Fan-out directories are two hex digits; anything else (cas/tmp) holds no blobs.
    if (depth < 2 && (name.size() != 2 || !std::isxdigit(static_cast<unsigned char>(name[0])) ||
                      !std::isxdigit(static_cast<unsigned char>(name[1])))) {
      continue;
    }
    if (depth < 2) {
      RETURN_IF_ERROR(ForEachIn(path, depth + 1, fn));
      continue;
    }
    if (!IsSha256Hex(name)) continue;  // a temporary file of a write in progress
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;  // removed meanwhile
    const int64_t mtime = int64_t{st.st_mtim.tv_sec} * 1000000 + st.st_mtim.tv_nsec / 1000;
    RETURN_IF_ERROR(fn(StoredBlob{name, mtime}));
  }
  return Status::OK();
}

Status LocalBlobStore::ForEach(const std::function<Status(const StoredBlob&)>& fn) {
  return ForEachIn(cas_, 0, fn);
}

}  // namespace

std::unique_ptr<BlobStore> NewLocalBlobStore(std::string root, Durability durability) {
  return std::make_unique<LocalBlobStore>(std::move(root), durability);
}

}  // namespace nexus::storage
