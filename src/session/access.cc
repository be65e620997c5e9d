#include "session/access.h"

#include "auth/tenant_paths.h"
#include "util/path.h"

namespace nexus::session {

using auth::IsSystemWide;
using auth::StoredPathTenant;
using auth::TenantRoot;

namespace {

rebac::ObjectRef FileObject(const std::string& path) { return {"file", path}; }

}  // namespace

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kRead:
      return "read";
    case Access::kWrite:
      return "write";
    case Access::kExecute:
      return "execute";
  }
  return "read";
}

std::optional<bool> AccessPolicy::TenancyDecision(const std::string& path, Access access) const {
  // The root and the caller's tenant root can be listed: their children are filtered.
  if (access == Access::kRead && (path == "/" || path == TenantRoot(caller_.tenant_id)))
    return true;
  if (IsSystemWide(path)) return access == Access::kRead || caller_.is_system;
  if (caller_.is_system) return true;
  const std::string_view tenant = StoredPathTenant(path);
  if (tenant != caller_.tenant_id) return false;  // another tenant's, or outside every tenant
  if (caller_.is_admin) return true;
  return std::nullopt;
}

bool AccessPolicy::Administers(const std::string& path) const {
  if (IsSystemWide(path)) return caller_.is_system;
  return caller_.is_system || (caller_.is_admin && StoredPathTenant(path) == caller_.tenant_id);
}

StatusOr<bool> AccessPolicy::Rebac(const std::string& path, Access access) {
  const std::string tenant(StoredPathTenant(path));
  const rebac::SubjectRef subject{caller_.subject_type, caller_.subject_id, ""};
  ASSIGN_OR_RETURN(const bool allowed,
                   rebac_.Check(tenant, subject, AccessName(access), FileObject(path)));
  if (allowed || caller_.subject_type != "agent" || !caller_.inherit_permissions) return allowed;
  return rebac_.Check(tenant, rebac::SubjectRef{"user", caller_.user_id, ""}, AccessName(access),
                      FileObject(path));
}

Status AccessPolicy::Check(const std::string& path, Access access) {
  const std::optional<bool> decided = TenancyDecision(path, access);
  bool allowed = false;
  if (decided) {
    allowed = *decided;
  } else {
    ASSIGN_OR_RETURN(allowed, Rebac(path, access));
  }
  if (allowed) return Status::OK();
  std::string upper(AccessName(access));
  for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
  return PermissionDenied("Access denied: " + caller_.subject_type + " '" + caller_.subject_id +
                          "' does not have " + upper + " permission for '" + path + "'");
}

StatusOr<const std::vector<std::string>*> AccessPolicy::GrantedPaths() {
  if (granted_) return &*granted_;
  granted_.emplace();
  const std::string tenant = caller_.tenant_id;
  std::vector<rebac::SubjectRef> subjects = {{caller_.subject_type, caller_.subject_id, ""}};
  if (caller_.subject_type == "agent" && caller_.inherit_permissions)
    subjects.push_back({"user", caller_.user_id, ""});
  for (const rebac::SubjectRef& subject : subjects) {
    rebac::TupleFilter filter;
    filter.subject = subject;
    ASSIGN_OR_RETURN(const std::vector<rebac::Tuple> tuples, rebac_.ListTuples(tenant, filter));
    for (const rebac::Tuple& t : tuples) {
      if (t.object.type == "file") granted_->push_back(t.object.id);
    }
  }
  return &*granted_;
}

StatusOr<std::vector<bool>> AccessPolicy::Visible(const std::vector<std::string>& paths) {
  std::vector<bool> visible(paths.size(), false);
  std::vector<size_t> undecided;
  std::vector<rebac::ObjectRef> objects;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::optional<bool> decided = TenancyDecision(paths[i], Access::kRead);
    if (decided) {
      visible[i] = *decided;
    } else {
      undecided.push_back(i);
      objects.push_back(FileObject(paths[i]));
    }
  }
  if (undecided.empty()) return visible;
  // Undecided paths are all in the caller's own tenant.
  std::vector<rebac::SubjectRef> subjects = {{caller_.subject_type, caller_.subject_id, ""}};
  if (caller_.subject_type == "agent" && caller_.inherit_permissions)
    subjects.push_back({"user", caller_.user_id, ""});
  for (const rebac::SubjectRef& subject : subjects) {
    ASSIGN_OR_RETURN(const std::vector<bool> readable,
                     rebac_.CheckBulk(caller_.tenant_id, subject, "read", objects));
    for (size_t k = 0; k < undecided.size(); ++k)
      visible[undecided[k]] = visible[undecided[k]] || readable[k];
  }
  ASSIGN_OR_RETURN(const std::vector<std::string>* granted, GrantedPaths());
  for (size_t i : undecided) {
    for (size_t g = 0; !visible[i] && g < granted->size(); ++g) {
      // A directory above something the caller holds a tuple on leads there.
      if (IsSameOrUnder((*granted)[g], paths[i])) visible[i] = true;
    }
  }
  return visible;
}

}  // namespace nexus::session
