// Who may see and change the per-user records of the memory, trajectory and playbook services:
// domain.md §5.4 under our tenancy. Nothing crosses tenants. Within a tenant an admin sees
// and changes everything; anyone else sees the records of their user (their own, and those of
// their user's agents: an agent's identity carries its owner as user_id) plus records shared
// with the tenant (scope tenant or global), and changes only the records of their user.
#ifndef NEXUS_SERVICES_OWNERSHIP_H_
#define NEXUS_SERVICES_OWNERSHIP_H_

#include <cstdint>
#include <string>

#include "auth/identity.h"
#include "storage/value.h"
#include "util/status.h"

namespace nexus::services {

// The fields of a record the rules look at. `scope` is empty for records that are never
// shared (trajectories).
struct RecordOwner {
  std::string tenant_id;
  std::string user_id;
  std::string scope;
};

bool CanRead(const auth::Identity& caller, const RecordOwner& record);
bool CanWrite(const auth::Identity& caller, const RecordOwner& record);

// An SQL condition over the columns tenant_id, user_id and (with `has_scope`) scope that
// selects the records `caller` may read; appends its parameters to `params`.
std::string ReadableWhere(const auth::Identity& caller, bool has_scope, storage::Params& params);

// "shared" for records shared with the tenant (scope tenant or global), else "private".
std::string VisibilityOfScope(const std::string& scope);

// The largest page a listing returns.
inline constexpr int64_t kMaxListLimit = 1000;

// kInvalidArgument unless 1 <= limit <= kMaxListLimit.
Status CheckListLimit(int64_t limit);

// `text` with LIKE's wildcards escaped for `LIKE ? ESCAPE '\'`.
std::string EscapeLike(const std::string& text);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_OWNERSHIP_H_
