#include "vfs/line_grep.h"

#include <re2/re2.h>

#include <cstring>

#include "util/path.h"

namespace nexus::vfs {
namespace {

// Files larger than this are not searched, and files with a NUL byte in their first
// kBinaryProbeBytes are taken as binary and skipped.
constexpr int64_t kMaxGrepFileBytes = 64 << 20;
constexpr size_t kBinaryProbeBytes = 8192;

bool LooksBinary(std::string_view content) {
  return std::memchr(content.data(), '\0', std::min(content.size(), kBinaryProbeBytes)) != nullptr;
}

}  // namespace

StatusOr<LineGrep> LineGrep::Compile(std::string_view pattern, std::string root,
                                     const GrepOptions& options) {
  if (options.max_results <= 0) return InvalidArgument("max_results must be positive");
  re2::RE2::Options re_options;
  re_options.set_case_sensitive(!options.ignore_case);
  re_options.set_literal(options.literal);
  re_options.set_log_errors(false);
  re_options.set_max_mem(16 << 20);
  auto re = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                             re_options);
  if (!re->ok()) return Status(Code::kInvalidPattern, "Invalid regex pattern: " + re->error());
  std::optional<GlobMatcher> file_filter;
  if (!options.file_pattern.empty()) {
    const std::string& fp = options.file_pattern;
    ASSIGN_OR_RETURN(file_filter,
                     GlobMatcher::Compile(fp.find('/') == std::string::npos ? "**/" + fp : fp));
  }
  return LineGrep(std::move(re), std::move(file_filter), std::move(root), options);
}

LineGrep::LineGrep(std::shared_ptr<const re2::RE2> re, std::optional<GlobMatcher> file_filter,
                   std::string root, const GrepOptions& options)
    : re_(std::move(re)),
      file_filter_(std::move(file_filter)),
      root_(std::move(root)),
      options_(options) {}

bool LineGrep::Wants(const std::string& path, int64_t size) const {
  if (size > kMaxGrepFileBytes) return false;
  // A root that is itself a file is matched by its name.
  if (file_filter_ &&
      !file_filter_->Matches(path == root_ ? BaseName(path) : PathBelow(path, root_)))
    return false;
  return !options_.include || options_.include(path);
}

void LineGrep::Scan(const std::string& path, std::string_view content,
                    std::vector<GrepMatch>& out) const {
  if (LooksBinary(content)) return;
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size() && !Full(out)) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    re2::StringPiece hit;
    if (re_->Match(line, 0, line.size(), re2::RE2::UNANCHORED, &hit, 1)) {
      out.push_back(GrepMatch{path, line_no, std::string(line), std::string(hit)});
    }
  }
}

bool LineGrep::Full(const std::vector<GrepMatch>& out) const {
  return static_cast<int64_t>(out.size()) >= options_.max_results;
}

}  // namespace nexus::vfs
