// The version methods of api.md §6.3.
#include "rpc/method_table.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

StatusOr<MethodResult> GetVersion(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(vfs::FileContent file, ctx.session.ReadVersion(p.Str("path"), p.Int("version")));
  return MethodResult(BytesValue(std::move(file.content)));
}

StatusOr<MethodResult> ListVersions(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<vfs::VersionInfo> versions,
                   ctx.session.ListVersions(p.Str("path")));
  Json out = Json::array();
  for (const vfs::VersionInfo& v : versions) {
    out.push_back(
        Json{{"version", v.version},
             {"content_hash", v.etag},
             {"size", v.size},
             {"mime_type", v.mime_type.empty() ? Json(nullptr) : Json(v.mime_type)},
             {"created_at", DateTimeValue(v.created_at)},
             {"created_by", v.created_by.empty() ? Json(nullptr) : Json(v.created_by)},
             {"change_reason", v.change_reason.empty() ? Json(nullptr) : Json(v.change_reason)},
             {"source_type", v.source_type},
             {"parent_version_id", nullptr}});
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Rollback(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.Rollback(p.Str("path"), p.Int("version")));
  return MethodResult(nullptr);
}

// Metadata of one version, for diff_versions in "metadata" mode.
StatusOr<vfs::VersionInfo> FindVersion(const std::vector<vfs::VersionInfo>& versions,
                                       const std::string& path, int64_t number) {
  for (const vfs::VersionInfo& v : versions) {
    if (v.version == number) return v;
  }
  return NotFound("File not found: " + path + " (version " + std::to_string(number) + ")");
}

StatusOr<MethodResult> DiffVersions(const Params& p, CallContext& ctx) {
  const std::string path = p.Str("path");
  // The path is checked before the mode, and errors name the stored path, as the path tree's
  // do.
  ASSIGN_OR_RETURN(const auth::ScopedPath scoped,
                   ctx.session.Authorize(path, session::Access::kRead));
  const std::string mode = p.Str("mode");
  const int64_t v1 = p.Int("v1"), v2 = p.Int("v2");
  if (mode == "content") {
    ASSIGN_OR_RETURN(const std::string diff, ctx.session.DiffVersions(path, v1, v2));
    return MethodResult(diff.empty() ? "(no content changes)" : diff);
  }
  if (mode != "metadata")
    return InvalidArgument("mode must be 'metadata' or 'content', got '" + mode + "'");
  ASSIGN_OR_RETURN(const std::vector<vfs::VersionInfo> versions, ctx.session.ListVersions(path));
  ASSIGN_OR_RETURN(const vfs::VersionInfo a, FindVersion(versions, scoped.stored, v1));
  ASSIGN_OR_RETURN(const vfs::VersionInfo b, FindVersion(versions, scoped.stored, v2));
  return MethodResult(Json{{"path", path},
                           {"v1", v1},
                           {"v2", v2},
                           {"content_hash_v1", a.etag},
                           {"content_hash_v2", b.etag},
                           {"content_changed", a.etag != b.etag},
                           {"size_v1", a.size},
                           {"size_v2", b.size},
                           {"size_delta", b.size - a.size},
                           {"created_at_v1", DateTimeValue(a.created_at)},
                           {"created_at_v2", DateTimeValue(b.created_at)},
                           {"mime_type_v1", a.mime_type},
                           {"mime_type_v2", b.mime_type}});
}

}  // namespace

void AddVersionMethods(MethodTable& t) {
  const auto path = Required("path", P::kString);
  t.Add({"get_version", {path, Required("version", P::kInt)}, GetVersion, kCacheDefault});
  t.Add({"list_versions", {path}, ListVersions, kCacheDefault});
  t.Add({"rollback", {path, Required("version", P::kInt)}, Rollback, kCacheDefault});
  t.Add({"diff_versions",
         {path, Required("v1", P::kInt), Required("v2", P::kInt),
          Optional("mode", P::kString, "metadata")},
         DiffVersions,
         kCacheDefault});
}

}  // namespace nexus::rpc
