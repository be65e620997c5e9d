#include "rpc/path_access.h"

#include "util/path.h"

namespace nexus::rpc {
namespace {

std::string TenantRoot(const auth::Identity& caller) { return "/tenant:" + caller.tenant_id; }
std::string Home(const auth::Identity& caller) {
  return TenantRoot(caller) + "/user:" + caller.user_id;
}

// The tenant named by the first segment of `path` ("/tenant:<t>/..."), or empty.
std::string_view PathTenant(std::string_view path) {
  constexpr std::string_view kPrefix = "/tenant:";
  if (!path.starts_with(kPrefix)) return {};
  std::string_view rest = path.substr(kPrefix.size());
  return rest.substr(0, rest.find('/'));
}

bool IsOtherUsersHome(const auth::Identity& caller, const std::string& path) {
  const std::string users = TenantRoot(caller) + "/user:";
  return path.starts_with(users) && !IsSameOrUnder(path, Home(caller));
}

bool MayRead(const auth::Identity& caller, const std::string& path) {
  if (caller.is_admin) return true;
  if (IsSameOrUnder(path, Home(caller)) || IsSameOrUnder(path, "/skill")) return true;
  return IsSameOrUnder(path, TenantRoot(caller)) && !IsOtherUsersHome(caller, path);
}

Status Denied(const auth::Identity& caller, const std::string& path, Access access) {
  return PermissionDenied("Access denied: " + caller.subject_type + " '" + caller.subject_id +
                          "' does not have " + (access == Access::kRead ? "READ" : "WRITE") +
                          " permission for '" + path + "'");
}

}  // namespace

Status CheckPathAccess(const auth::Identity& caller, const std::string& path, Access access) {
  const std::string_view tenant = PathTenant(path);
  if (!tenant.empty() && tenant != caller.tenant_id) return Denied(caller, path, access);
  if (caller.is_admin) return Status::OK();
  const bool allowed =
      access == Access::kWrite ? IsSameOrUnder(path, Home(caller)) : MayRead(caller, path);
  return allowed ? Status::OK() : Denied(caller, path, access);
}

bool MayList(const auth::Identity& caller, const std::string& path) {
  if (CheckPathAccess(caller, path, Access::kRead).ok()) return true;
  // The ancestors of the caller's home lead to it.
  return IsSameOrUnder(Home(caller), path);
}

}  // namespace nexus::rpc
