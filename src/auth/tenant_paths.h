// Each tenant has its own tree. A caller's paths map onto the one stored tree like this:
//
//   /tenant:<t>/...           stored as is; only tenant <t> (and the system admin) see it
//   /skill/..., /system/...   system-wide: stored as is, every tenant reads them
//   /<anything else>/...      the legacy namespaces (/workspace, /shared, /mnt, ...) are per
//                             tenant: stored under /tenant:<caller's tenant>/<anything else>
//
// Answers show paths in the form the caller used: a call on /workspace/x lists
// /workspace/x/..., a call on /tenant:<t>/workspace/x lists /tenant:<t>/workspace/x/....
#ifndef NEXUS_AUTH_TENANT_PATHS_H_
#define NEXUS_AUTH_TENANT_PATHS_H_

#include <string>
#include <string_view>

#include "auth/identity.h"
#include "util/status.h"

namespace nexus::auth {

struct ScopedPath {
  std::string stored;   // the path in the stored tree
  bool legacy = false;  // the caller named it without its tenant prefix
};

// Normalises `raw` and maps it into the stored tree. The root "/" maps to itself (see
// RootEntries). Paths of another tenant are kPermissionDenied unless the caller is the
// system administrator.
StatusOr<ScopedPath> ScopePath(const Identity& caller, std::string_view raw);

// `stored` as the caller should see it, given the form of the call.
std::string Present(const Identity& caller, const std::string& stored, bool legacy);

// "/tenant:<t>".
std::string TenantRoot(std::string_view tenant);

// The tenant owning a stored path: <t> for /tenant:<t>/..., empty for system-wide paths.
std::string_view StoredPathTenant(std::string_view stored);

// Whether `stored` is system-wide content (/skill, /system).
bool IsSystemWide(std::string_view stored);

}  // namespace nexus::auth

#endif  // NEXUS_AUTH_TENANT_PATHS_H_
