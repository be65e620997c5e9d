#include "services/ownership.h"

namespace nexus::services {
namespace {

bool SharedWithTenant(const std::string& scope) { return scope == "tenant" || scope == "global"; }

}  // namespace

bool CanRead(const auth::Identity& caller, const RecordOwner& record) {
  return CanWrite(caller, record) ||
         (record.tenant_id == caller.tenant_id && SharedWithTenant(record.scope));
}

bool CanWrite(const auth::Identity& caller, const RecordOwner& record) {
  return record.tenant_id == caller.tenant_id &&
         (caller.is_admin || record.user_id == caller.user_id);
}

std::string ReadableWhere(const auth::Identity& caller, bool has_scope, storage::Params& params) {
  params.push_back(caller.tenant_id);
  if (caller.is_admin) return "tenant_id = ?";
  params.push_back(caller.user_id);
  return has_scope ? "tenant_id = ? AND (user_id = ? OR scope IN ('tenant', 'global'))"
                   : "tenant_id = ? AND user_id = ?";
}

std::string VisibilityOfScope(const std::string& scope) {
  return SharedWithTenant(scope) ? "shared" : "private";
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
