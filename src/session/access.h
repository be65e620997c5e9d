// Who may read and write which stored path: tenancy first, then ReBAC (domain.md §3.6).
//
//  * System-wide content (/skill, /system): everyone reads; only the system administrator
//    writes.
//  * A tenant's tree /tenant:<t>/: closed to other tenants; the system administrator may
//    use every tenant's tree.
//  * Within its tenant an admin may do anything.
//  * Everyone else needs the permission on ("file", path) through ReBAC: owner, editor and
//    viewer tuples on the path or, through `parent`, on any directory above it. An agent
//    whose key has inherit_permissions also has its user's permissions.
#ifndef NEXUS_SESSION_ACCESS_H_
#define NEXUS_SESSION_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"
#include "rebac/rebac.h"
#include "util/status.h"

namespace nexus::session {

enum class Access { kRead, kWrite, kExecute };

class AccessPolicy {
 public:
  AccessPolicy(rebac::Rebac& rebac, const auth::Identity& caller)
      : rebac_(rebac), caller_(caller) {}

  // kPermissionDenied naming the path and the missing permission unless allowed.
  Status Check(const std::string& path, Access access);

  // Which of `paths` a listing may show: readable, or a directory with something readable
  // below it (or above-the-home directories that lead to it). One evaluation for all.
  StatusOr<std::vector<bool>> Visible(const std::vector<std::string>& paths);

  // Whether the caller administers `path`'s tenant without needing tuples.
  bool Administers(const std::string& path) const;

 private:
  // The decision tenancy makes alone, when it makes one.
  std::optional<bool> TenancyDecision(const std::string& path, Access access) const;
  StatusOr<bool> Rebac(const std::string& path, Access access);
  // The stored paths the caller holds tuples on (lazily loaded once per policy).
  StatusOr<const std::vector<std::string>*> GrantedPaths();

  rebac::Rebac& rebac_;
  const auth::Identity& caller_;
  std::optional<std::vector<std::string>> granted_;
};

std::string_view AccessName(Access access);

}  // namespace nexus::session

#endif  // NEXUS_SESSION_ACCESS_H_
