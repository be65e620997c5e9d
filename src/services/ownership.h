// Who may see and change the per-user records of the memory, trajectory and playbook services:
// domain.md §5.4 under our tenancy. Nothing crosses tenants. Within a tenant an admin sees
// and changes everything; anyone else sees the records of their user (their own, and those of
// their user's agents: an agent's identity carries its owner as user_id) plus records shared
// with the tenant (scope tenant or global), and changes only the records of their user. An
// agent key without inherit_permissions does not act for its user: its own records are only
// those it stored itself (agent_id = its id).
#ifndef NEXUS_SERVICES_OWNERSHIP_H_
#define NEXUS_SERVICES_OWNERSHIP_H_

#include <cstdint>
#include <optional>
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
  std::string agent_id;  // the agent that stored the record; "" for its user
};

// Whether a record of the caller's tenant stored by `user_id` (through agent `agent_id`, ""
// for none) is the caller's own, the tenant's admins aside.
bool IsOwnRecord(const auth::Identity& caller, const std::string& user_id,
                 const std::string& agent_id);

bool CanRead(const auth::Identity& caller, const RecordOwner& record);
bool CanWrite(const auth::Identity& caller, const RecordOwner& record);

// "shared" for records shared with the tenant (scope tenant or global), else "private".
std::string VisibilityOfScope(const std::string& scope);

// A listing of the rows of one table (columns tenant_id, user_id, agent_id and, with
// `has_scope`, scope) that the caller may read, narrowed by filters.
class ListingSql {
 public:
  ListingSql(const auth::Identity& caller, const std::string& columns, const std::string& table,
             bool has_scope);
  // Keeps the rows whose `column` equals `value`, when there is a value.
  void Equal(const std::string& column, const std::optional<std::string>& value);
  // Keeps the rows matching `condition`, an SQL condition with one `?` bound to `param`.
  void Where(const std::string& condition, storage::Value param);
  // The statement, ordered by `order_by` and limited to `limit` rows.
  std::string Sql(const std::string& order_by, int64_t limit) const;
  const storage::Params& params() const { return params_; }

 private:
  std::string sql_;
  storage::Params params_;
};

// The largest page a listing returns.
inline constexpr int64_t kMaxListLimit = 1000;

// kInvalidArgument unless 1 <= limit <= kMaxListLimit.
Status CheckListLimit(int64_t limit);

// `text` with LIKE's wildcards escaped for `LIKE ? ESCAPE '\'`.
std::string EscapeLike(const std::string& text);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_OWNERSHIP_H_
