// Session::List: listings that leave out what the caller may not see, and the root as a
// tenant sees it.
#include <algorithm>

#include "session/file_system.h"
#include "session/session.h"
#include "util/path.h"

namespace nexus::session {
namespace {

// The first `limit` (0: all) of `entries`.
Listing FirstOf(std::vector<vfs::FileInfo> entries, int64_t limit) {
  Listing out;
  out.has_more = limit > 0 && static_cast<int64_t>(entries.size()) > limit;
  if (out.has_more) entries.resize(static_cast<size_t>(limit));
  out.entries = std::move(entries);
  return out;
}

}  // namespace

Status Session::CheckListable(const std::string& dir) const {
  AccessPolicy policy = Policy();
  ASSIGN_OR_RETURN(const std::vector<bool> visible, policy.Visible({dir}));
  return visible[0] ? Status::OK() : policy.Check(dir, Access::kRead);
}

StatusOr<std::vector<std::string>> Session::VisiblePaths(std::vector<std::string> paths) const {
  ASSIGN_OR_RETURN(const std::vector<bool> visible, Visible(paths));
  std::vector<std::string> out;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (visible[i]) out.push_back(std::move(paths[i]));
  }
  return out;
}

// The entries of `dir` after options.cursor the caller may see, at most options.limit of
// them (0: all), stored paths; none when `dir` does not exist. Pages are read until one more
// visible entry than asked for turns up, or the listing ends, so that leaving entries out
// neither shortens a page nor hides that more follow.
StatusOr<Listing> Session::VisibleEntries(const std::string& dir, vfs::ListOptions options) const {
  const int64_t limit = options.limit;
  if (limit > 0) ++options.limit;
  AccessPolicy policy = Policy();
  vfs::Router fs = FileSystem(services_, caller_);
  std::vector<vfs::FileInfo> visible;
  do {
    StatusOr<vfs::ListPage> page = fs.List(dir, options);
    // Like the reference, a directory that does not exist lists as empty.
    if (!page.ok() && page.status().code() == Code::kNotFound) break;
    RETURN_IF_ERROR(page.status());
    std::vector<std::string> paths;
    for (const vfs::FileInfo& entry : page->entries) paths.push_back(entry.path);
    ASSIGN_OR_RETURN(const std::vector<bool> shown, policy.Visible(paths));
    for (size_t i = 0; i < paths.size(); ++i) {
      if (shown[i]) visible.push_back(std::move(page->entries[i]));
    }
    options.cursor = page->next_cursor;
  } while (!options.cursor.empty() && static_cast<int64_t>(visible.size()) <= limit);
  return FirstOf(std::move(visible), limit);
}

// The root as a tenant sees it: its own tree, its legacy namespaces at the top (non-
// recursive), and the system-wide directories, presented. Made of several listings, it is
// built whole and then paged: entries after `cursor`, at most options.limit (0: all).
StatusOr<Listing> Session::RootEntries(const vfs::ListOptions& options,
                                       const std::string& cursor) const {
  const std::string tenant_root = auth::TenantRoot(caller_.tenant_id);
  vfs::ListOptions whole = options;
  whole.limit = 0;
  std::vector<vfs::FileInfo> out;
  ASSIGN_OR_RETURN(Listing top, VisibleEntries("/", vfs::ListOptions{}));
  for (vfs::FileInfo& entry : top.entries) {
    if (entry.path != tenant_root && !auth::IsSystemWide(entry.path)) continue;
    out.push_back(entry);
    if (!options.recursive) continue;
    ASSIGN_OR_RETURN(Listing below, VisibleEntries(entry.path, whole));
    out.insert(out.end(), below.entries.begin(), below.entries.end());
  }
  if (!options.recursive) {
    ASSIGN_OR_RETURN(Listing own, VisibleEntries(tenant_root, whole));
    for (vfs::FileInfo& entry : own.entries) {
      // Homes are reached through /tenant:<t>; the other top-level names appear at the root.
      if (BaseName(entry.path).starts_with("user:")) continue;
      vfs::FileInfo shown = Presented(entry, /*legacy=*/true);
      if (shown.path != entry.path) out.push_back(std::move(shown));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const vfs::FileInfo& a, const vfs::FileInfo& b) { return a.path < b.path; });
  std::erase_if(out, [&](const vfs::FileInfo& e) { return e.path <= cursor; });
  return FirstOf(std::move(out), options.limit);
}

StatusOr<Listing> Session::List(std::string_view path, const ListRequest& request) const {
  ASSIGN_OR_RETURN(const auth::ScopedPath dir, auth::ScopePath(caller_, path));
  RETURN_IF_ERROR(CheckListable(dir.stored));
  const std::optional<int64_t> limit = request.limit;
  if (limit && (*limit < 1 || *limit > kMaxListLimit))
    return InvalidArgument("limit must be 1 to " + std::to_string(kMaxListLimit));
  vfs::ListOptions options;
  options.recursive = request.recursive;
  options.prefix = request.prefix;
  options.limit = limit.value_or(0);
  if (dir.stored == "/") return RootEntries(options, request.cursor);
  if (!request.cursor.empty()) {
    ASSIGN_OR_RETURN(const auth::ScopedPath after, auth::ScopePath(caller_, request.cursor));
    options.cursor = after.stored;
  }
  ASSIGN_OR_RETURN(Listing listing, VisibleEntries(dir.stored, options));
  for (vfs::FileInfo& entry : listing.entries) entry.path = Present(entry.path, dir.legacy);
  return listing;
}

}  // namespace nexus::session
