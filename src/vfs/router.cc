#include "vfs/router.h"

#include <algorithm>
#include <set>

#include "util/glob.h"
#include "util/path.h"
#include "vfs/line_grep.h"

namespace nexus::vfs {
namespace {

std::string VirtualPath(const Mount& mount, std::string_view rel) {
  return rel.empty() ? mount.mount_point : mount.mount_point + "/" + std::string(rel);
}

// A backend's FileInfo as the tree would give it: virtual path, the mount's owner.
FileInfo Shown(const Mount& mount, FileInfo info) {
  info.path = VirtualPath(mount, info.path);
  info.owner = mount.owner;
  return info;
}

Status ReadOnly(const Resolved& at) {
  if (!at.mount->readonly) return Status::OK();
  return Status(Code::kValidation, "Mount " + at.mount->mount_point +
                                       " is read-only: " + VirtualPath(*at.mount, at.relative));
}

// Whether `path`, listed from `dir`, passes the `prefix` filter of ListOptions.
bool HasPrefix(const std::string& path, std::string_view dir, const std::string& prefix) {
  return prefix.empty() || PathBelow(path, dir).starts_with(prefix);
}

// The first `limit` (0: all) of `sorted`, with the last path as the cursor when more follow.
ListPage Paginate(std::vector<FileInfo> sorted, int64_t limit) {
  ListPage page;
  if (limit > 0 && static_cast<int64_t>(sorted.size()) > limit) {
    sorted.resize(static_cast<size_t>(limit));
    page.next_cursor = sorted.back().path;
  }
  page.entries = std::move(sorted);
  return page;
}

}  // namespace

StatusOr<std::optional<Resolved>> Router::Route(std::string_view path) const {
  if (mounts_ == nullptr) return std::optional<Resolved>();
  ASSIGN_OR_RETURN(const std::string normal, NormalizePath(path));
  std::optional<Resolved> at = mounts_->Resolve(normal);
  if (at) RETURN_IF_ERROR(ServedHere(*at->mount));
  return at;
}

Status Router::Unversioned(std::string_view path) const { return CheckInTree(path, "Versions"); }

Status Router::NotAMountPoint(std::string_view path) const {
  if (mounts_ == nullptr) return Status::OK();
  ASSIGN_OR_RETURN(const std::string normal, NormalizePath(path));
  const std::optional<Resolved> at = mounts_->Resolve(normal);
  std::string point;
  if (at && at->relative.empty()) point = at->mount->mount_point;
  const auto below = mounts_->Below(normal);
  if (!at && !below.empty()) point = below.front()->mount_point;
  if (point.empty()) return Status::OK();
  return Status(Code::kValidation,
                normal + " is or holds the mount point " + point + "; use remove_mount first");
}

StatusOr<FileInfo> Router::RoutedWrite(const Actor& actor, std::string_view path,
                                       std::string_view content, const WriteOptions& options,
                                       TreeWrite on_tree, MountWrite on_mount) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return (tree_.*on_tree)(actor, path, content, options);
  RETURN_IF_ERROR(ReadOnly(*at));
  ASSIGN_OR_RETURN(FileInfo info,
                   (at->mount->backend.get()->*on_mount)(at->relative, content, options));
  return Shown(*at->mount, std::move(info));
}

StatusOr<FileInfo> Router::Write(const Actor& actor, std::string_view path,
                                 std::string_view content, const WriteOptions& options) {
  return RoutedWrite(actor, path, content, options, &PathTree::Write, &LocalBackend::Write);
}

StatusOr<FileInfo> Router::Append(const Actor& actor, std::string_view path,
                                  std::string_view content, const WriteOptions& options) {
  return RoutedWrite(actor, path, content, options, &PathTree::Append, &LocalBackend::Append);
}

StatusOr<FileContent> Router::Read(std::string_view path, std::optional<int64_t> version) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.Read(path, version);
  if (version) RETURN_IF_ERROR(Unversioned(path));
  ASSIGN_OR_RETURN(FileContent file, at->mount->backend->Read(at->relative));
  file.info = Shown(*at->mount, std::move(file.info));
  return file;
}

StatusOr<FileContent> Router::ReadRange(std::string_view path, int64_t offset, int64_t length) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.ReadRange(path, offset, length);
  if (offset < 0 || length < 0) return InvalidArgument("negative range of " + std::string(path));
  ASSIGN_OR_RETURN(FileContent file, Read(path));
  file.content = file.content.substr(std::min(file.content.size(), static_cast<size_t>(offset)),
                                     static_cast<size_t>(length));
  return file;
}

Status Router::CheckInTree(std::string_view path, std::string_view what) const {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return Status::OK();
  return Status(Code::kValidation, std::string(what) + " are not available on mounted paths (" +
                                       at->mount->mount_point +
                                       "): " + VirtualPath(*at->mount, at->relative));
}

Status Router::Delete(std::string_view path) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.Delete(path);
  RETURN_IF_ERROR(NotAMountPoint(path));
  RETURN_IF_ERROR(ReadOnly(*at));
  RETURN_IF_ERROR(at->mount->backend->Delete(at->relative));
  return tree_.RunRemovedHook(VirtualPath(*at->mount, at->relative));
}

StatusOr<FileInfo> Router::Copy(const Actor& actor, std::string_view src, std::string_view dst) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> from, Route(src));
  ASSIGN_OR_RETURN(const std::optional<Resolved> to, Route(dst));
  if (!from && !to) return tree_.Copy(actor, src, dst);
  ASSIGN_OR_RETURN(const FileContent file, Read(src));
  return Write(actor, dst, file.content);
}

Status Router::Mkdir(const Actor& actor, std::string_view path, bool parents, bool exist_ok) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.Mkdir(actor, path, parents, exist_ok);
  RETURN_IF_ERROR(ReadOnly(*at));
  return at->mount->backend->Mkdir(at->relative, parents, exist_ok);
}

Status Router::Rmdir(std::string_view path, bool recursive) {
  RETURN_IF_ERROR(NotAMountPoint(path));
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.Rmdir(path, recursive);
  RETURN_IF_ERROR(ReadOnly(*at));
  RETURN_IF_ERROR(at->mount->backend->Rmdir(at->relative, recursive));
  return tree_.RunRemovedHook(VirtualPath(*at->mount, at->relative));
}

Status Router::Rename(std::string_view old_path, std::string_view new_path) {
  RETURN_IF_ERROR(NotAMountPoint(old_path));
  RETURN_IF_ERROR(NotAMountPoint(new_path));
  ASSIGN_OR_RETURN(const std::optional<Resolved> from, Route(old_path));
  ASSIGN_OR_RETURN(const std::optional<Resolved> to, Route(new_path));
  if (!from && !to) return tree_.Rename(old_path, new_path);
  if (!from || !to || from->mount != to->mount) {
    return Status(Code::kValidation, "Cannot rename across a mount boundary: " +
                                         std::string(old_path) + " -> " + std::string(new_path));
  }
  RETURN_IF_ERROR(ReadOnly(*from));
  RETURN_IF_ERROR(from->mount->backend->Rename(from->relative, to->relative));
  return tree_.RunRenamedHook(VirtualPath(*from->mount, from->relative),
                              VirtualPath(*to->mount, to->relative));
}

StatusOr<bool> Router::Exists(std::string_view path) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.Exists(path);
  StatusOr<FileInfo> info = at->mount->backend->Stat(at->relative);
  if (info.ok()) return true;
  // Links and special files are not part of the tree.
  const Code code = info.status().code();
  if (code == Code::kNotFound || code == Code::kNotADirectory || code == Code::kPermissionDenied)
    return false;
  return info.status();
}

StatusOr<bool> Router::IsDirectory(std::string_view path) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.IsDirectory(path);
  ASSIGN_OR_RETURN(const FileInfo info, at->mount->backend->Stat(at->relative));
  return info.is_directory;
}

StatusOr<FileInfo> Router::Stat(std::string_view path) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(path));
  if (!at) return tree_.Stat(path);
  ASSIGN_OR_RETURN(FileInfo info, at->mount->backend->Stat(at->relative));
  return Shown(*at->mount, std::move(info));
}

StatusOr<std::vector<FileInfo>> Router::MountedEntries(const Resolved& at, bool recursive) const {
  RETURN_IF_ERROR(ServedHere(*at.mount));
  ASSIGN_OR_RETURN(std::vector<FileInfo> entries, at.mount->backend->List(at.relative, recursive));
  for (FileInfo& e : entries) e = Shown(*at.mount, std::move(e));
  return entries;
}

std::vector<std::shared_ptr<const Mount>> Router::VisibleMounts(
    std::vector<std::shared_ptr<const Mount>> mounts) const {
  if (!visible_) return mounts;
  std::erase_if(mounts, [&](const auto& m) { return !visible_(*m); });
  return mounts;
}

StatusOr<ListPage> Router::MergedList(const std::string& dir, const ListOptions& options) {
  ASSIGN_OR_RETURN(ListPage page, tree_.List(dir, options));
  const auto below = VisibleMounts(mounts_->Below(dir));
  if (below.empty()) return page;
  // When the tree has more after this page, entries past its last one belong to later pages:
  // merging them now would skip the tree's entries before them.
  const std::optional<std::string> bound =
      page.next_cursor.empty() ? std::nullopt : std::optional<std::string>(page.next_cursor);
  const auto in_page = [&](const std::string& path) {
    return path > options.cursor && (!bound || path <= *bound) &&
           HasPrefix(path, dir, options.prefix);
  };
  std::vector<FileInfo> entries;
  std::set<std::string> seen;
  for (FileInfo& e : page.entries) {
    // Whatever the tree holds under a mount point is hidden by the mount.
    if (mounts_->Resolve(e.path) && mounts_->Get(e.path) == nullptr) continue;
    seen.insert(e.path);
    entries.push_back(std::move(e));
  }
  for (const auto& mount : below) {
    const bool child = ParentPath(mount->mount_point) == dir;
    if (!seen.contains(mount->mount_point) && (child || options.recursive) &&
        in_page(mount->mount_point)) {
      FileInfo point;
      point.path = mount->mount_point;
      point.is_directory = true;
      point.owner = mount->owner;
      entries.push_back(std::move(point));
    }
    if (!options.recursive) continue;
    ASSIGN_OR_RETURN(std::vector<FileInfo> inside, MountedEntries(Resolved{mount, ""}, true));
    for (FileInfo& e : inside) {
      if (in_page(e.path)) entries.push_back(std::move(e));
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  ListPage merged = Paginate(std::move(entries), options.limit);
  if (bound && merged.next_cursor.empty())
    merged.next_cursor = merged.entries.empty() ? *bound : merged.entries.back().path;
  return merged;
}

StatusOr<ListPage> Router::List(std::string_view dir, const ListOptions& options) {
  ASSIGN_OR_RETURN(const std::optional<Resolved> at, Route(dir));
  if (!at) {
    if (mounts_ == nullptr) return tree_.List(dir, options);
    ASSIGN_OR_RETURN(const std::string normal, NormalizePath(dir));
    return MergedList(normal, options);
  }
  if (options.limit < 0) return InvalidArgument("limit must not be negative");
  ASSIGN_OR_RETURN(std::vector<FileInfo> entries, MountedEntries(*at, options.recursive));
  const std::string shown = VirtualPath(*at->mount, at->relative);
  std::erase_if(entries, [&](const FileInfo& e) {
    return e.path <= options.cursor || !HasPrefix(e.path, shown, options.prefix);
  });
  return Paginate(std::move(entries), options.limit);
}

StatusOr<std::vector<std::string>> Router::Glob(std::string_view pattern, std::string_view base) {
  ASSIGN_OR_RETURN(std::vector<std::string> matches, tree_.Glob(pattern, base));
  if (mounts_ == nullptr) return matches;
  ASSIGN_OR_RETURN(const std::string root, NormalizePath(base));
  const std::string absolute =
      pattern.starts_with("/") ? std::string(pattern) : JoinPath(root, pattern);
  ASSIGN_OR_RETURN(const GlobMatcher matcher, GlobMatcher::Compile(absolute));
  std::set<std::string> out;
  for (std::string& m : matches) {
    const std::optional<Resolved> at = mounts_->Resolve(m);
    if (!at || at->relative.empty()) out.insert(std::move(m));
  }
  for (const auto& mount : VisibleMounts(mounts_->All())) {
    if (!IsSameOrUnder(mount->mount_point, root) && !IsSameOrUnder(root, mount->mount_point))
      continue;
    ASSIGN_OR_RETURN(const std::vector<FileInfo> inside,
                     MountedEntries(Resolved{mount, ""}, /*recursive=*/true));
    for (const FileInfo& e : inside) {
      if (IsSameOrUnder(e.path, root) && matcher.Matches(e.path)) out.insert(e.path);
    }
  }
  return std::vector<std::string>(out.begin(), out.end());
}

StatusOr<std::vector<GrepMatch>> Router::MountedGrep(const Resolved& at, std::string_view pattern,
                                                     const std::string& root,
                                                     const GrepOptions& options) const {
  RETURN_IF_ERROR(ServedHere(*at.mount));
  ASSIGN_OR_RETURN(const LineGrep grep, LineGrep::Compile(pattern, root, options));
  StatusOr<FileInfo> top = at.mount->backend->Stat(at.relative);
  // Like the tree's, a grep of a path that does not exist finds nothing.
  if (!top.ok() && top.status().code() == Code::kNotFound) return std::vector<GrepMatch>{};
  RETURN_IF_ERROR(top.status());
  std::vector<FileInfo> files = {*top};
  if (top->is_directory) {
    ASSIGN_OR_RETURN(files, at.mount->backend->List(at.relative, /*recursive=*/true));
  }
  std::vector<GrepMatch> out;
  for (const FileInfo& file : files) {
    if (grep.Full(out)) break;
    const std::string path = VirtualPath(*at.mount, file.path);
    if (file.is_directory || !grep.Wants(path, file.size)) continue;
    StatusOr<FileContent> content = at.mount->backend->Read(file.path);
    if (!content.ok()) {
      // Changed on the host since the listing (gone, grown too large, replaced by a link).
      const Code code = content.status().code();
      if (code == Code::kNotFound || code == Code::kValidation || code == Code::kPermissionDenied)
        continue;
      return content.status();
    }
    grep.Scan(path, content->content, out);
  }
  return out;
}

StatusOr<std::vector<GrepMatch>> Router::Grep(std::string_view pattern, std::string_view path,
                                              const GrepOptions& options) {
  if (mounts_ == nullptr) return tree_.Grep(pattern, path, options);
  ASSIGN_OR_RETURN(const std::string root, NormalizePath(path));
  if (const std::optional<Resolved> at = mounts_->Resolve(root))
    return MountedGrep(*at, pattern, root, options);
  // The tree's files, less what it holds under mount points (hidden by the mounts), then the
  // files of the mounts below the root that walks may enter.
  GrepOptions tree_options = options;
  tree_options.include = [&](const std::string& file) {
    return !mounts_->Resolve(file) && (!options.include || options.include(file));
  };
  ASSIGN_OR_RETURN(std::vector<GrepMatch> out, tree_.Grep(pattern, root, tree_options));
  // Each part holds its first max_results matches in path order, so the first max_results
  // of the parts merged are the first of the whole.
  for (const auto& mount : VisibleMounts(mounts_->Below(root))) {
    // Every file of the mount sorts after its point: it cannot change a full result that
    // ends before the point.
    if (static_cast<int64_t>(out.size()) >= options.max_results &&
        out.back().path < mount->mount_point) {
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<GrepMatch> inside,
                     MountedGrep(Resolved{mount, ""}, pattern, root, options));
    out.insert(out.end(), std::make_move_iterator(inside.begin()),
               std::make_move_iterator(inside.end()));
    // Lines of one file keep their order: the sort is stable and paths differ across parts.
    std::stable_sort(out.begin(), out.end(),
                     [](const GrepMatch& a, const GrepMatch& b) { return a.path < b.path; });
    if (static_cast<int64_t>(out.size()) > options.max_results)
      out.resize(static_cast<size_t>(options.max_results));
  }
  return out;
}

StatusOr<std::vector<VersionInfo>> Router::ListVersions(std::string_view path) {
  RETURN_IF_ERROR(Unversioned(path));
  return tree_.ListVersions(path);
}

StatusOr<FileInfo> Router::Rollback(const Actor& actor, std::string_view path, int64_t version) {
  RETURN_IF_ERROR(Unversioned(path));
  return tree_.Rollback(actor, path, version);
}

StatusOr<std::string> Router::DiffVersions(std::string_view path, int64_t v1, int64_t v2) {
  RETURN_IF_ERROR(Unversioned(path));
  return tree_.DiffVersions(path, v1, v2);
}

}  // namespace nexus::vfs
