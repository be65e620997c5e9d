#include "services/permission_hooks.h"

#include <algorithm>

#include "auth/tenant_paths.h"

namespace nexus::services {

std::string OwnerOfNewNode(const std::string& path, const std::string& creator) {
  if (auth::StoredPathTenant(path).empty()) return {};
  const auto depth = std::count(path.begin(), path.end(), '/');
  if (depth > 2) return creator;
  constexpr std::string_view kUserPrefix = "user:";
  const std::string_view last = std::string_view(path).substr(path.rfind('/') + 1);
  if (depth == 2 && last.starts_with(kUserPrefix))
    return std::string(last.substr(kUserPrefix.size()));
  return {};
}

vfs::PathTreeHooks PermissionHooks(rebac::Rebac& rebac) {
  vfs::PathTreeHooks hooks;
  hooks.created = [&rebac](storage::Tx& tx, const std::string& path,
                           const vfs::Actor& actor) -> Status {
    const std::string owner = OwnerOfNewNode(path, actor.user);
    if (owner.empty()) return Status::OK();
    rebac::TupleWrite grant;
    grant.tenant_id = std::string(auth::StoredPathTenant(path));
    grant.subject = {"user", owner, ""};
    grant.relation = "direct_owner";
    grant.object = {"file", path};
    return rebac.WriteTuple(tx, grant).status();
  };
  hooks.renamed = [&rebac](storage::Tx& tx, const std::string& from,
                           const std::string& to) -> Status {
    const std::string_view tenant = auth::StoredPathTenant(from);
    if (tenant.empty()) return Status::OK();
    if (auth::StoredPathTenant(to) != tenant)
      return InvalidArgument("cannot move " + from + " to another tenant");
    return rebac.RenameObjects(tx, tenant, "file", from, to);
  };
  hooks.removed = [&rebac](storage::Tx& tx, const std::string& path) -> Status {
    const std::string_view tenant = auth::StoredPathTenant(path);
    if (tenant.empty()) return Status::OK();
    return rebac.RemoveObjects(tx, tenant, "file", path);
  };
  return hooks;
}

}  // namespace nexus::services
