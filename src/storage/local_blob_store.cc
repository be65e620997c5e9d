#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

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
  const std::string dir = DirFor(hash);
  if (::stat(dir.c_str(), &st) != 0) {
    RETURN_IF_ERROR(CreateDirectories(dir));
    if (sync_) {
      // The new cas/ab and cas/ab/cd entries must survive power loss too.
      RETURN_IF_ERROR(SyncDirectory(cas_ + "/" + hash.substr(0, 2)));
      RETURN_IF_ERROR(SyncDirectory(cas_));
    }
  }
  RETURN_IF_ERROR(WriteFileAtomically(path, content, sync_));
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
