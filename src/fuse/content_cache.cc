#include "fuse/content_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "util/clock.h"
#include "util/file.h"
#include "util/hash.h"

namespace nexus::fuse {
namespace {

namespace fs = std::filesystem;

// Removes the temporary folders under `tmp` that no open cache holds (their mount ended).
void RemoveAbandonedTemps(const std::string& tmp) {
  std::error_code ec;
  for (const fs::directory_entry& folder : fs::directory_iterator(tmp, ec)) {
    UniqueFd lock(::open((folder.path() / "lock").c_str(), O_RDWR | O_CLOEXEC));
    if (lock.valid() && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) continue;  // held
    fs::remove_all(folder.path(), ec);
  }
}

}  // namespace

ContentCache::ContentCache(std::string dir, int64_t max_bytes, std::string temp_dir,
                           UniqueFd temp_lock)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      temp_dir_(std::move(temp_dir)),
      temp_lock_(std::move(temp_lock)) {}

StatusOr<std::unique_ptr<ContentCache>> ContentCache::Open(const std::string& dir,
                                                           int64_t max_bytes) {
  if (max_bytes < 0) return InvalidArgument("the content cache's size cannot be negative");
  RETURN_IF_ERROR(CreateDirectories(dir + "/tmp"));
  RemoveAbandonedTemps(dir + "/tmp");
  std::string temp_dir = dir + "/tmp/XXXXXX";
  if (!::mkdtemp(temp_dir.data())) return ErrnoStatus(errno, "cannot create a folder in " + dir);
  UniqueFd temp_lock(::open((temp_dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!temp_lock.valid() || ::flock(temp_lock.get(), LOCK_EX) != 0)
    return ErrnoStatus(errno, "cannot lock " + temp_dir);
  std::unique_ptr<ContentCache> cache(
      new ContentCache(dir, max_bytes, std::move(temp_dir), std::move(temp_lock)));
  std::error_code ec;
  // What an earlier mount left, oldest first, so that the newest are used most recently.
  struct Found {
    std::string etag;
    int64_t size;
    fs::file_time_type time;
  };
  std::vector<Found> found;
  for (const fs::directory_entry& file : fs::directory_iterator(dir, ec)) {
    const std::string name = file.path().filename().string();
    if (!IsSha256Hex(name) || !file.is_regular_file(ec)) continue;
    found.push_back({name, static_cast<int64_t>(file.file_size(ec)), file.last_write_time(ec)});
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.time < b.time; });
  MutexLock lock(&cache->mu_);
  for (const Found& f : found) {
    cache->uses_.push_front(f.etag);
    cache->contents_[f.etag] = Content{f.size, cache->uses_.begin()};
    cache->bytes_ += f.size;
  }
  cache->Evict();
  return cache;
}

std::string ContentCache::PathOf(const std::string& etag) const { return dir_ + "/" + etag; }

void ContentCache::Touch(const std::string& etag) {
  auto it = contents_.find(etag);
  if (it == contents_.end()) return;
  uses_.splice(uses_.begin(), uses_, it->second.use);
}

std::optional<UniqueFd> ContentCache::Find(const std::string& etag) {
  if (!IsSha256Hex(etag)) return std::nullopt;
  MutexLock lock(&mu_);
  if (!contents_.count(etag)) return std::nullopt;
  UniqueFd fd(::open(PathOf(etag).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    // Removed behind the cache's back: forget it.
    bytes_ -= contents_[etag].size;
    uses_.erase(contents_[etag].use);
    contents_.erase(etag);
    return std::nullopt;
  }
  Touch(etag);
  return fd;
}

StatusOr<TempFile> ContentCache::NewTemp() {
  TempFile temp;
  temp.path = temp_dir_ + "/XXXXXX";
  temp.fd = UniqueFd(::mkostemp(temp.path.data(), O_CLOEXEC));
  if (!temp.fd.valid()) return ErrnoStatus(errno, "cannot create a file in " + temp_dir_);
  return temp;
}

Status ContentCache::Install(const std::string& temp_path, const std::string& etag, int64_t size) {
  if (!IsSha256Hex(etag)) return InvalidArgument("not a content hash: '" + etag + "'");
  if (size < 0) return InvalidArgument("a content cannot have a negative size");
  // Under the lock, so that an eviction of the same etag cannot remove the new file.
  MutexLock lock(&mu_);
  if (::rename(temp_path.c_str(), PathOf(etag).c_str()) != 0)
    return ErrnoStatus(errno, "cannot file " + temp_path + " in the content cache");
  if (auto it = contents_.find(etag); it != contents_.end()) {
    bytes_ += size - it->second.size;
    it->second.size = size;
    Touch(etag);
  } else {
    uses_.push_front(etag);
    contents_[etag] = Content{size, uses_.begin()};
    bytes_ += size;
  }
  Evict();
  return Status::OK();
}

void ContentCache::Evict() {
  while (bytes_ > max_bytes_ && !uses_.empty()) {
    const std::string etag = uses_.back();
    uses_.pop_back();
    bytes_ -= contents_[etag].size;
    contents_.erase(etag);
    ::unlink(PathOf(etag).c_str());
  }
}

StatusOr<std::string> ContentCache::KeepUnsaved(const std::string& temp_path,
                                                const std::string& path) {
  RETURN_IF_ERROR(CreateDirectories(dir_ + "/unsaved"));
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.empty()) name = "file";
  const std::string kept = dir_ + "/unsaved/" + name + "." + std::to_string(NowMicros());
  if (::rename(temp_path.c_str(), kept.c_str()) != 0)
    return ErrnoStatus(errno, "cannot keep " + temp_path);
  return kept;
}

int64_t ContentCache::bytes() const {
  MutexLock lock(&mu_);
  return bytes_;
}

}  // namespace nexus::fuse
