#include "auth/tenant_paths.h"

#include "util/path.h"

namespace nexus::auth {
namespace {

constexpr std::string_view kTenantPrefix = "/tenant:";

std::string_view FirstSegment(std::string_view path) {
  if (path.size() < 2) return {};
  const std::string_view rest = path.substr(1);
  return rest.substr(0, rest.find('/'));
}

// Top-level names that are not per tenant.
bool IsGlobalName(std::string_view segment) {
  return segment == "skill" || segment == "system" || segment.starts_with("tenant:");
}

}  // namespace

std::string TenantRoot(std::string_view tenant) {
  return std::string(kTenantPrefix) + std::string(tenant);
}

std::string_view StoredPathTenant(std::string_view stored) {
  if (!stored.starts_with(kTenantPrefix)) return {};
  const std::string_view rest = stored.substr(kTenantPrefix.size());
  return rest.substr(0, rest.find('/'));
}

bool IsSystemWide(std::string_view stored) {
  const std::string_view first = FirstSegment(stored);
  return first == "skill" || first == "system";
}

StatusOr<ScopedPath> ScopePath(const Identity& caller, std::string_view raw) {
  StatusOr<std::string> path = NormalizePath(raw);
  if (!path.ok()) return path.status();
  ScopedPath out;
  const std::string_view first = FirstSegment(*path);
  if (*path == "/" || IsGlobalName(first)) {
    const std::string_view tenant = StoredPathTenant(*path);
    if (!tenant.empty() && tenant != caller.tenant_id && !caller.is_system) {
      return PermissionDenied("Access denied: '" + *path + "' belongs to another tenant");
    }
    out.stored = *std::move(path);
    out.legacy = out.stored == "/";
    return out;
  }
  out.stored = TenantRoot(caller.tenant_id) + *path;
  out.legacy = true;
  return out;
}

std::string Present(const Identity& caller, const std::string& stored, bool legacy) {
  if (!legacy) return stored;
  const std::string root = TenantRoot(caller.tenant_id);
  if (!stored.starts_with(root + "/")) return stored;
  const std::string rest = stored.substr(root.size());
  // /tenant:<t>/skill has no legacy name: /skill is the system-wide one.
  return IsGlobalName(FirstSegment(rest)) ? stored : rest;
}

}  // namespace nexus::auth
