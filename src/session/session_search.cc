// Session::Glob, Grep and Search: walks over many files that show only what the caller may
// read.
#include <algorithm>
#include <tuple>

#include "session/file_system.h"
#include "session/session.h"
#include "util/ascii.h"
#include "util/glob.h"
#include "util/path.h"

namespace nexus::session {
namespace {

// An absolute pattern split into its literal leading directory and the rest:
// "/workspace/src/*.py" -> {"/workspace/src", "*.py"}.
std::pair<std::string, std::string> SplitAbsolutePattern(const std::string& pattern) {
  const std::string literal = GlobLiteralPrefix(pattern);
  const size_t slash = literal.rfind('/');
  const std::string dir = slash == 0 || slash == std::string::npos ? "/" : literal.substr(0, slash);
  return {dir, pattern.substr(dir == "/" ? 1 : dir.size() + 1)};
}

// Unreadable files are left out of a grep itself, so they take no place in max_results.
void SearchOnlyReadable(AccessPolicy& policy, vfs::GrepOptions& options) {
  options.include = [&policy](const std::string& file) {
    return policy.Check(file, Access::kRead).ok();
  };
}

// Entries the name search lists at a time: the walk never holds more than one page.
constexpr int64_t kNameWalkPage = 1000;

}  // namespace

StatusOr<std::vector<std::string>> Session::Glob(std::string_view pattern,
                                                 std::string_view base) const {
  std::string dir(base);
  std::string rest(pattern);
  // An absolute pattern names its own directory, which maps like any path.
  if (rest.starts_with("/")) std::tie(dir, rest) = SplitAbsolutePattern(rest);
  ASSIGN_OR_RETURN(const auth::ScopedPath scoped, auth::ScopePath(caller_, dir));
  ASSIGN_OR_RETURN(std::vector<std::string> matches,
                   FileSystem(services_, caller_).Glob(rest, scoped.stored));
  ASSIGN_OR_RETURN(std::vector<std::string> visible, VisiblePaths(std::move(matches)));
  for (std::string& m : visible) m = Present(m, scoped.legacy);
  return visible;
}

StatusOr<std::vector<vfs::GrepMatch>> Session::Grep(std::string_view pattern, std::string_view path,
                                                    vfs::GrepOptions options) const {
  ASSIGN_OR_RETURN(const auth::ScopedPath scoped, auth::ScopePath(caller_, path));
  RETURN_IF_ERROR(CheckListable(scoped.stored));
  AccessPolicy policy = Policy();
  SearchOnlyReadable(policy, options);
  ASSIGN_OR_RETURN(std::vector<vfs::GrepMatch> hits,
                   FileSystem(services_, caller_).Grep(pattern, scoped.stored, options));
  for (vfs::GrepMatch& m : hits) m.path = Present(m.path, scoped.legacy);
  return hits;
}

// At most `limit` readable files below the roots whose name contains `query`
// (case-insensitive), in path order, stored paths. The walk stops as soon as it has `limit`.
StatusOr<std::vector<std::string>> Session::NameMatches(std::vector<std::string> roots,
                                                        const std::string& query,
                                                        size_t limit) const {
  const std::string needle = AsciiLower(query);
  std::sort(roots.begin(), roots.end());
  AccessPolicy policy = Policy();
  vfs::Router fs = FileSystem(services_, caller_);
  std::vector<std::string> out;
  for (const std::string& root : roots) {
    vfs::ListOptions options;
    options.recursive = true;
    options.limit = kNameWalkPage;
    do {
      StatusOr<vfs::ListPage> page = fs.List(root, options);
      if (!page.ok() && page.status().code() == Code::kNotFound) break;
      RETURN_IF_ERROR(page.status());
      std::vector<std::string> hits;
      for (const vfs::FileInfo& f : page->entries) {
        if (!f.is_directory && AsciiLower(BaseName(f.path)).find(needle) != std::string::npos)
          hits.push_back(f.path);
      }
      ASSIGN_OR_RETURN(const std::vector<bool> readable, policy.Visible(hits));
      for (size_t i = 0; i < hits.size() && out.size() < limit; ++i) {
        if (readable[i]) out.push_back(hits[i]);
      }
      if (out.size() >= limit) return out;
      options.cursor = page->next_cursor;
    } while (!options.cursor.empty());
  }
  return out;
}

StatusOr<std::vector<SearchHit>> Session::Search(const std::string& query, std::string_view path,
                                                 int64_t limit) const {
  if (query.empty()) return InvalidArgument("query must not be empty");
  if (limit < 1 || limit > kMaxSearchLimit)
    return InvalidArgument("limit must be 1 to " + std::to_string(kMaxSearchLimit));
  ASSIGN_OR_RETURN(const auth::ScopedPath scoped, auth::ScopePath(caller_, path));
  const std::vector<std::string> roots = WalkRoots(scoped.stored);
  // From the root, paths show their tenant as a listing of the root does.
  const bool legacy = scoped.legacy && scoped.stored != "/";
  ASSIGN_OR_RETURN(const std::vector<std::string> names,
                   NameMatches(roots, query, static_cast<size_t>(limit)));
  std::vector<SearchHit> out;
  for (const std::string& name : names)
    out.push_back(SearchHit{Present(name, legacy), false, 0, ""});
  AccessPolicy policy = Policy();
  vfs::GrepOptions options;
  options.ignore_case = true;
  options.literal = true;
  SearchOnlyReadable(policy, options);
  vfs::Router fs = FileSystem(services_, caller_);
  for (const std::string& root : roots) {
    const int64_t room = limit - static_cast<int64_t>(out.size());
    if (room <= 0) break;
    options.max_results = room;
    ASSIGN_OR_RETURN(const std::vector<vfs::GrepMatch> hits, fs.Grep(query, root, options));
    for (const vfs::GrepMatch& m : hits)
      out.push_back(SearchHit{Present(m.path, legacy), true, m.line, m.content});
  }
  return out;
}

}  // namespace nexus::session
