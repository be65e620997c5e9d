// File contents on local disk, named by their etag (the SHA-256 the server gives every
// content): a file read once is read again from here, for as long as the server says it
// still has that etag, without sending its bytes again. The cache holds at most `max_bytes`;
// beyond that the contents used least recently go. A content that is open stays readable
// after it goes (an unlinked file lives while a descriptor holds it).
//
// The directory also holds each mount's temporary files (fetches in progress, the private
// copies of files being written) in a folder of its own under tmp/, locked while the mount
// runs: a cache that opens removes only the folders no running mount holds.
//
// Thread-safe.
#ifndef NEXUS_FUSE_CONTENT_CACHE_H_
#define NEXUS_FUSE_CONTENT_CACHE_H_

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "util/mutex.h"
#include "util/status.h"
#include "util/unique_fd.h"

namespace nexus::fuse {

struct TempFile {
  std::string path;
  UniqueFd fd;  // open for reading and writing
};

class ContentCache {
 public:
  // Creates `dir` when missing. kInvalidArgument for a bound below zero.
  static StatusOr<std::unique_ptr<ContentCache>> Open(const std::string& dir, int64_t max_bytes);

  // A read-only descriptor of content `etag`; nullopt when the cache does not hold it.
  std::optional<UniqueFd> Find(const std::string& etag) EXCLUDES(mu_);
  // A new empty temporary file in the cache's directory.
  StatusOr<TempFile> NewTemp();
  // Files the temporary file at `temp_path` (`size` bytes) as content `etag`, then drops the
  // least recently used contents beyond the bound. kInvalidArgument for an etag that is not
  // a SHA-256 (a name the server chose never becomes a path).
  Status Install(const std::string& temp_path, const std::string& etag, int64_t size) EXCLUDES(mu_);

  // Moves a written copy that could not be stored to unsaved/ under the cache's directory,
  // named after `path` and the time, where its owner can find it; the path it now has.
  StatusOr<std::string> KeepUnsaved(const std::string& temp_path, const std::string& path);

  int64_t bytes() const EXCLUDES(mu_);

 private:
  ContentCache(std::string dir, int64_t max_bytes, std::string temp_dir, UniqueFd temp_lock);
  std::string PathOf(const std::string& etag) const;
  void Touch(const std::string& etag) REQUIRES(mu_);
  void Evict() REQUIRES(mu_);

  const std::string dir_;
  const int64_t max_bytes_;
  const std::string temp_dir_;  // this cache's own folder under tmp/
  const UniqueFd temp_lock_;    // flock'ed while this cache is open
  mutable Mutex mu_;
  struct Content {
    int64_t size = 0;
    std::list<std::string>::iterator use;  // its place in uses_
  };
  std::map<std::string, Content> contents_ GUARDED_BY(mu_);
  std::list<std::string> uses_ GUARDED_BY(mu_);  // etags, most recently used first
  int64_t bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace nexus::fuse

#endif  // NEXUS_FUSE_CONTENT_CACHE_H_
