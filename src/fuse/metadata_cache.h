// Attributes and directory listings the mount has seen, each kept for a time to live: within
// it, `stat` and `ls` cost no request; after it, the next look asks the server again. A change
// the mount makes itself forgets what it touches at once, so the mount always sees its own
// writes; a change made elsewhere is seen within the time to live (docs/mount.md).
//
// Thread-safe.
#ifndef NEXUS_FUSE_METADATA_CACHE_H_
#define NEXUS_FUSE_METADATA_CACHE_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fuse/remote_files.h"
#include "util/mutex.h"

namespace nexus::fuse {

class MetadataCache {
 public:
  using Clock = std::chrono::steady_clock;

  // ttl 0 keeps nothing.
  explicit MetadataCache(std::chrono::milliseconds ttl);

  // nullopt when nothing fresh is known; else whether `path` exists and, if it does, its
  // attributes.
  struct Known {
    bool exists = false;
    Attributes attributes;
  };
  std::optional<Known> Find(const std::string& path) EXCLUDES(mu_);
  std::optional<std::vector<DirectoryEntry>> FindListing(const std::string& path) EXCLUDES(mu_);

  void Put(const std::string& path, const Attributes& attributes) EXCLUDES(mu_);
  void PutMissing(const std::string& path) EXCLUDES(mu_);
  // Keeps the listing and, for each child, its attributes.
  void PutListing(const std::string& path, const std::vector<DirectoryEntry>& entries)
      EXCLUDES(mu_);

  // Forgets `path`, everything under it, and its parent's listing: after any change at `path`.
  void Forget(const std::string& path) EXCLUDES(mu_);

 private:
  struct Entry {
    Clock::time_point expires;
    std::optional<Known> known;
    std::optional<std::vector<DirectoryEntry>> listing;
  };
  // Makes room for one more entry: drops expired ones, and everything when none has expired.
  void MakeRoom() REQUIRES(mu_);
  Entry& Fresh(const std::string& path) REQUIRES(mu_);

  const std::chrono::milliseconds ttl_;
  Mutex mu_;
  std::map<std::string, Entry> entries_ GUARDED_BY(mu_);  // ordered: a subtree is a range
};

// "/a/b" -> "/a"; "/a" -> "/".
std::string ParentOf(const std::string& path);
// "/a" + "b" -> "/a/b"; "/" + "b" -> "/b".
std::string ChildOf(const std::string& dir, const std::string& name);

}  // namespace nexus::fuse

#endif  // NEXUS_FUSE_METADATA_CACHE_H_
