#include "session/session.h"

#include "session/file_system.h"

namespace nexus::session {

using auth::ScopedPath;

StatusOr<ScopedPath> Session::Authorize(std::string_view raw, Access access) const {
  ASSIGN_OR_RETURN(ScopedPath path, auth::ScopePath(caller_, raw));
  RETURN_IF_ERROR(Check(path.stored, access));
  return path;
}

Status Session::Check(const std::string& stored, Access access) const {
  return Policy().Check(stored, access);
}

StatusOr<std::vector<bool>> Session::Visible(const std::vector<std::string>& stored) const {
  return Policy().Visible(stored);
}

std::string Session::Present(const std::string& stored, bool legacy) const {
  return auth::Present(caller_, stored, legacy);
}

std::vector<std::string> Session::WalkRoots(const std::string& stored) const {
  if (stored != "/") return {stored};
  return {auth::TenantRoot(caller_.tenant_id), "/skill", "/system"};
}

StatusOr<std::string> Session::Stored(std::string_view raw, Access access) const {
  ASSIGN_OR_RETURN(ScopedPath path, Authorize(raw, access));
  return std::move(path.stored);
}

vfs::FileInfo Session::Presented(vfs::FileInfo info, bool legacy) const {
  info.path = Present(info.path, legacy);
  return info;
}

StatusOr<vfs::FileContent> Session::ReadAt(std::string_view path,
                                           std::optional<int64_t> version) const {
  ASSIGN_OR_RETURN(const ScopedPath scoped, Authorize(path, Access::kRead));
  ASSIGN_OR_RETURN(vfs::FileContent file,
                   FileSystem(services_, caller_).Read(scoped.stored, version));
  file.info = Presented(std::move(file.info), scoped.legacy);
  return file;
}

StatusOr<vfs::FileContent> Session::Read(std::string_view path) const {
  return ReadAt(path, std::nullopt);
}

StatusOr<vfs::FileContent> Session::ReadStored(const std::string& stored) const {
  return FileSystem(services_, caller_).Read(stored);
}

StatusOr<vfs::FileInfo> Session::Stat(std::string_view path) const {
  ASSIGN_OR_RETURN(const ScopedPath scoped, Authorize(path, Access::kRead));
  ASSIGN_OR_RETURN(vfs::FileInfo info, FileSystem(services_, caller_).Stat(scoped.stored));
  return Presented(std::move(info), scoped.legacy);
}

StatusOr<std::optional<std::string>> Session::Etag(std::string_view path) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kRead));
  StatusOr<vfs::FileInfo> info = FileSystem(services_, caller_).Stat(stored);
  // A path another node serves is answered there, not taken for a missing file.
  if (!info.ok() && info.status().code() == Code::kUnavailable) return info.status();
  if (!info.ok() || info->is_directory) return std::optional<std::string>();
  return std::optional<std::string>(std::move(info->etag));
}

StatusOr<bool> Session::Exists(std::string_view path) const {
  StatusOr<std::string> stored = Stored(path, Access::kRead);
  if (!stored.ok()) return false;
  return FileSystem(services_, caller_).Exists(*stored);
}

Status Session::CheckServedHere(const std::vector<std::string>& paths) const {
  vfs::Router fs = FileSystem(services_, caller_);
  for (const std::string& path : paths) {
    StatusOr<std::string> stored = Stored(path, Access::kRead);
    if (stored.ok()) RETURN_IF_ERROR(fs.CheckServedHere(*stored));
  }
  return Status::OK();
}

StatusOr<bool> Session::IsDirectory(std::string_view path) const {
  StatusOr<std::string> stored = Stored(path, Access::kRead);
  if (!stored.ok()) return false;
  StatusOr<bool> is_dir = FileSystem(services_, caller_).IsDirectory(*stored);
  // A path another node serves is answered there, not taken for a missing one.
  if (!is_dir.ok() && is_dir.status().code() == Code::kUnavailable) return is_dir.status();
  return is_dir.ok() && *is_dir;
}

StatusOr<vfs::FileInfo> Session::WriteWith(RouterWrite write, std::string_view path,
                                           std::string_view content,
                                           const vfs::WriteOptions& options) const {
  ASSIGN_OR_RETURN(const ScopedPath scoped, Authorize(path, Access::kWrite));
  vfs::Router fs = FileSystem(services_, caller_);
  ASSIGN_OR_RETURN(vfs::FileInfo info, (fs.*write)(Actor(), scoped.stored, content, options));
  return Presented(std::move(info), scoped.legacy);
}

StatusOr<vfs::FileInfo> Session::Write(std::string_view path, std::string_view content,
                                       const vfs::WriteOptions& options) const {
  return WriteWith(&vfs::Router::Write, path, content, options);
}

StatusOr<vfs::FileInfo> Session::Append(std::string_view path, std::string_view content,
                                        const vfs::WriteOptions& options) const {
  return WriteWith(&vfs::Router::Append, path, content, options);
}

StatusOr<std::vector<vfs::FileInfo>> Session::WriteBatch(
    const std::vector<std::pair<std::string, std::string>>& files) const {
  std::vector<ScopedPath> paths;
  for (const auto& [path, content] : files) {
    ASSIGN_OR_RETURN(ScopedPath scoped, Authorize(path, Access::kWrite));
    paths.push_back(std::move(scoped));
  }
  vfs::Router fs = FileSystem(services_, caller_);
  // Every path's route before the first write: a batch that needs another node's mount goes
  // there whole, rather than half written here first.
  for (const ScopedPath& path : paths) RETURN_IF_ERROR(fs.CheckServedHere(path.stored));
  std::vector<vfs::FileInfo> out;
  for (size_t i = 0; i < files.size(); ++i) {
    ASSIGN_OR_RETURN(vfs::FileInfo info, fs.Write(Actor(), paths[i].stored, files[i].second));
    out.push_back(Presented(std::move(info), paths[i].legacy));
  }
  return out;
}

Status Session::Delete(std::string_view path) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kWrite));
  return FileSystem(services_, caller_).Delete(stored);
}

Status Session::Mkdir(std::string_view path, bool parents, bool exist_ok) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kWrite));
  return FileSystem(services_, caller_).Mkdir(Actor(), stored, parents, exist_ok);
}

Status Session::Rmdir(std::string_view path, bool recursive) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kWrite));
  return FileSystem(services_, caller_).Rmdir(stored, recursive);
}

Status Session::Remove(std::string_view path, bool recursive) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kWrite));
  vfs::Router fs = FileSystem(services_, caller_);
  ASSIGN_OR_RETURN(const bool is_dir, fs.IsDirectory(stored));
  return is_dir ? fs.Rmdir(stored, recursive) : fs.Delete(stored);
}

Status Session::Rename(std::string_view from, std::string_view to) const {
  ASSIGN_OR_RETURN(const std::string a, Stored(from, Access::kWrite));
  ASSIGN_OR_RETURN(const std::string b, Stored(to, Access::kWrite));
  return FileSystem(services_, caller_).Rename(a, b);
}

Status Session::Copy(std::string_view src, std::string_view dst) const {
  ASSIGN_OR_RETURN(const std::string from, Stored(src, Access::kRead));
  ASSIGN_OR_RETURN(const std::string to, Stored(dst, Access::kWrite));
  return FileSystem(services_, caller_).Copy(Actor(), from, to).status();
}

StatusOr<vfs::FileContent> Session::ReadVersion(std::string_view path, int64_t version) const {
  return ReadAt(path, version);
}

StatusOr<std::vector<vfs::VersionInfo>> Session::ListVersions(std::string_view path) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kRead));
  return FileSystem(services_, caller_).ListVersions(stored);
}

Status Session::Rollback(std::string_view path, int64_t version) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kWrite));
  return FileSystem(services_, caller_).Rollback(Actor(), stored, version).status();
}

StatusOr<std::string> Session::DiffVersions(std::string_view path, int64_t v1, int64_t v2) const {
  ASSIGN_OR_RETURN(const std::string stored, Stored(path, Access::kRead));
  return FileSystem(services_, caller_).DiffVersions(stored, v1, v2);
}

}  // namespace nexus::session
