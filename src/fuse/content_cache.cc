#include "fuse/content_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "util/file.h"
#include "util/hash.h"

namespace nexus::fuse {
namespace {

namespace fs = std::filesystem;

}  // namespace

ContentCache::ContentCache(std::string dir, int64_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes) {}

StatusOr<std::unique_ptr<ContentCache>> ContentCache::Open(const std::string& dir,
                                                           int64_t max_bytes) {
  if (max_bytes < 0) return InvalidArgument("the content cache's size cannot be negative");
  RETURN_IF_ERROR(CreateDirectories(dir + "/tmp"));
  std::error_code ec;
  for (const fs::directory_entry& temp : fs::directory_iterator(dir + "/tmp", ec))
    fs::remove(temp.path(), ec);
  std::unique_ptr<ContentCache> cache(new ContentCache(dir, max_bytes));
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
  temp.path = dir_ + "/tmp/XXXXXX";
  temp.fd = UniqueFd(::mkostemp(temp.path.data(), O_CLOEXEC));
  if (!temp.fd.valid()) return ErrnoStatus(errno, "cannot create a file in " + dir_ + "/tmp");
  return temp;
}

Status ContentCache::Install(const std::string& temp_path, const std::string& etag, int64_t size) {
  if (!IsSha256Hex(etag)) return InvalidArgument("not a content hash: '" + etag + "'");
  if (::rename(temp_path.c_str(), PathOf(etag).c_str()) != 0)
    return ErrnoStatus(errno, "cannot file " + temp_path + " in the content cache");
  MutexLock lock(&mu_);
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

int64_t ContentCache::bytes() const {
  MutexLock lock(&mu_);
  return bytes_;
}

}  // namespace nexus::fuse
