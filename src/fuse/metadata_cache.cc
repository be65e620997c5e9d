#include "fuse/metadata_cache.h"

namespace nexus::fuse {
namespace {

constexpr size_t kMaxEntries = 200000;

}  // namespace

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string ChildOf(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

MetadataCache::MetadataCache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

std::optional<MetadataCache::Known> MetadataCache::Find(const std::string& path) {
  MutexLock lock(&mu_);
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.expires <= Clock::now()) return std::nullopt;
  return it->second.known;
}

std::optional<std::vector<DirectoryEntry>> MetadataCache::FindListing(const std::string& path) {
  MutexLock lock(&mu_);
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.expires <= Clock::now()) return std::nullopt;
  return it->second.listing;
}

MetadataCache::Entry& MetadataCache::Fresh(const std::string& path) {
  auto it = entries_.find(path);
  if (it == entries_.end()) {
    MakeRoom();
    it = entries_.emplace(path, Entry{}).first;
  } else if (it->second.expires <= Clock::now()) {
    it->second = Entry{};
  }
  it->second.expires = Clock::now() + ttl_;
  return it->second;
}

void MetadataCache::Put(const std::string& path, const Attributes& attributes) {
  if (ttl_.count() <= 0) return;
  MutexLock lock(&mu_);
  Entry& entry = Fresh(path);
  entry.known = Known{true, attributes};
  if (!attributes.is_directory) entry.listing.reset();
}

void MetadataCache::PutMissing(const std::string& path) {
  if (ttl_.count() <= 0) return;
  MutexLock lock(&mu_);
  Entry& entry = Fresh(path);
  entry.known = Known{};
  entry.listing.reset();
}

void MetadataCache::PutListing(const std::string& path,
                               const std::vector<DirectoryEntry>& entries) {
  if (ttl_.count() <= 0) return;
  MutexLock lock(&mu_);
  for (const DirectoryEntry& child : entries)
    Fresh(ChildOf(path, child.name)).known = Known{true, child.attributes};
  Entry& entry = Fresh(path);
  entry.listing = entries;
  if (!entry.known) {
    entry.known = Known{true, Attributes{}};
    entry.known->attributes.is_directory = true;
  }
}

void MetadataCache::Forget(const std::string& path) {
  MutexLock lock(&mu_);
  entries_.erase(ParentOf(path));
  if (path == "/") {
    entries_.clear();
    return;
  }
  entries_.erase(path);
  // Every "path/..." key: from "path/" up to, not including, "path0" ('0' follows '/').
  entries_.erase(entries_.lower_bound(path + "/"), entries_.lower_bound(path + "0"));
}

void MetadataCache::MakeRoom() {
  if (entries_.size() < kMaxEntries) return;
  const Clock::time_point now = Clock::now();
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.expires <= now ? entries_.erase(it) : std::next(it);
  }
  if (entries_.size() >= kMaxEntries) entries_.clear();
}

}  // namespace nexus::fuse
