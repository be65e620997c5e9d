// Which paths a caller may read and write, until ReBAC takes over (issue 4).
//
// The interim policy is deliberately narrow: a tenant's tree `/tenant:<t>/` is closed to
// callers of other tenants, admins included; admins may use everything else; other callers
// may write only below their home `/tenant:<t>/user:<u>/`, and read their home, the rest of
// their tenant's tree except other users' homes, and the system skills under `/skill/`.
// The directories above a readable place (`/`, `/tenant:<t>`) can be listed, showing only
// what the caller may read.
#ifndef NEXUS_RPC_PATH_ACCESS_H_
#define NEXUS_RPC_PATH_ACCESS_H_

#include <string>

#include "auth/identity.h"
#include "util/status.h"

namespace nexus::rpc {

enum class Access { kRead, kWrite };

// kPermissionDenied ("Access denied: ...") unless `caller` may access normalised `path`.
Status CheckPathAccess(const auth::Identity& caller, const std::string& path, Access access);

// Whether a listing may show `path` to `caller` (read access, or an ancestor of a place the
// caller may read).
bool MayList(const auth::Identity& caller, const std::string& path);

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_PATH_ACCESS_H_
