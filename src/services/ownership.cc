#include "services/ownership.h"

namespace nexus::services {
namespace {

bool SharedWithTenant(const std::string& scope) { return scope == "tenant" || scope == "global"; }

// An agent key without inherit_permissions acts for itself only, not for its user.
bool ActsForItselfOnly(const auth::Identity& caller) {
  return caller.subject_type == "agent" && !caller.inherit_permissions;
}

// The SQL condition selecting what `caller` may read; appends its parameters.
std::string ReadableWhere(const auth::Identity& caller, bool has_scope, storage::Params& params) {
  params.push_back(caller.tenant_id);
  if (caller.is_admin) return "tenant_id = ?";
  params.push_back(caller.user_id);
  std::string own = "user_id = ?";
  if (ActsForItselfOnly(caller)) {
    own = "(user_id = ? AND agent_id = ?)";
    params.push_back(caller.agent_id);
  }
  return has_scope ? "tenant_id = ? AND (" + own + " OR scope IN ('tenant', 'global'))"
                   : "tenant_id = ? AND " + own;
}

}  // namespace

bool IsOwnRecord(const auth::Identity& caller, const std::string& user_id,
                 const std::string& agent_id) {
  return user_id == caller.user_id && (!ActsForItselfOnly(caller) || agent_id == caller.agent_id);
}

bool CanRead(const auth::Identity& caller, const RecordOwner& record) {
  return CanWrite(caller, record) ||
         (record.tenant_id == caller.tenant_id && SharedWithTenant(record.scope));
}

bool CanWrite(const auth::Identity& caller, const RecordOwner& record) {
  return record.tenant_id == caller.tenant_id &&
         (caller.is_admin || IsOwnRecord(caller, record.user_id, record.agent_id));
}

std::string VisibilityOfScope(const std::string& scope) {
  return SharedWithTenant(scope) ? "shared" : "private";
}

ListingSql::ListingSql(const auth::Identity& caller, const std::string& columns,
                       const std::string& table, bool has_scope)
    : sql_("SELECT " + columns + " FROM " + table + " WHERE ") {
  sql_ += ReadableWhere(caller, has_scope, params_);
}

void ListingSql::Equal(const std::string& column, const std::optional<std::string>& value) {
  if (value) Where(column + " = ?", *value);
}

void ListingSql::Where(const std::string& condition, storage::Value param) {
  sql_ += " AND " + condition;
  params_.push_back(std::move(param));
}

std::string ListingSql::Sql(const std::string& order_by, int64_t limit) const {
  return sql_ + " ORDER BY " + order_by + " LIMIT " + std::to_string(limit);
}

Status CheckListLimit(int64_t limit) {
  if (limit < 1 || limit > kMaxListLimit)
    return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxListLimit));
  return Status::OK();
}

std::string EscapeLike(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace nexus::services
