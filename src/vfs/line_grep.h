// What a grep does to each file, wherever the file lives: which files it reads and which of
// their lines match. The path tree and the router's mounts walk their own files and hand
// them here, so a grep means the same on both. Internal to vfs.
#ifndef NEXUS_VFS_LINE_GREP_H_
#define NEXUS_VFS_LINE_GREP_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/glob.h"
#include "util/status.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

class LineGrep {
 public:
  // A grep of `pattern` below the normalised path `root`. kInvalidPattern for an invalid
  // regular expression or file pattern, kInvalidArgument for max_results below 1.
  static StatusOr<LineGrep> Compile(std::string_view pattern, std::string root,
                                    const GrepOptions& options);

  // Whether the file at `path` of `size` bytes is searched: not too large, matching the file
  // pattern and let in by options.include. A file refused here is never read.
  bool Wants(const std::string& path, int64_t size) const;
  // Appends the matching lines of `content` to `out`, up to max_results in all. Content that
  // looks binary is skipped.
  void Scan(const std::string& path, std::string_view content, std::vector<GrepMatch>& out) const;
  // Whether `out` holds max_results matches, so no further file can add one.
  bool Full(const std::vector<GrepMatch>& out) const;

 private:
  LineGrep(std::shared_ptr<const re2::RE2> re, std::optional<GlobMatcher> file_filter,
           std::string root, const GrepOptions& options);

  std::shared_ptr<const re2::RE2> re_;
  std::optional<GlobMatcher> file_filter_;
  std::string root_;
  GrepOptions options_;
};

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_LINE_GREP_H_
