// The approval workflow of skills: a user submits a skill for review, an admin of the tenant
// approves or rejects it. Records live in the skill_approvals table, one tenant each.
#ifndef NEXUS_SERVICES_SKILLS_SKILL_APPROVALS_H_
#define NEXUS_SERVICES_SKILLS_SKILL_APPROVALS_H_

#include <optional>
#include <string>
#include <vector>

#include "auth/identity.h"
#include "storage/engine.h"

namespace nexus::services {

struct SkillApproval {
  std::string approval_id;
  std::string tenant_id;
  std::string skill_name;
  std::string status;  // "pending", "approved" or "rejected"
  std::string submitted_by;
  std::vector<std::string> reviewers;
  std::string comments;
  int64_t submitted_at = 0;
  std::string reviewed_by;  // empty until reviewed
  std::string reviewer_type;
  int64_t reviewed_at = 0;
};

struct ApprovalFilter {
  std::optional<std::string> status;
  std::optional<std::string> skill_name;
};

class SkillApprovals {
 public:
  explicit SkillApprovals(storage::Engine& engine) : engine_(engine) {}

  // A pending approval of `skill_name` (whose existence the caller checked). `submitted_by`
  // must be the caller unless the caller administers the tenant.
  StatusOr<SkillApproval> Submit(const auth::Identity& caller, const std::string& skill_name,
                                 const std::string& submitted_by,
                                 const std::vector<std::string>& reviewers,
                                 const std::string& comments);

  // Approves (or rejects) a pending approval of the caller's tenant (or `tenant_id`, which
  // must be the caller's unless the caller is the system administrator). Admins only.
  StatusOr<SkillApproval> Review(const auth::Identity& caller, const std::string& approval_id,
                                 bool approve, const std::string& reviewed_by,
                                 const std::string& reviewer_type, const std::string& comments,
                                 const std::optional<std::string>& tenant_id);

  // The tenant's approvals for an admin; the caller's own submissions otherwise.
  StatusOr<std::vector<SkillApproval>> List(const auth::Identity& caller,
                                            const ApprovalFilter& filter);

 private:
  storage::Engine& engine_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_APPROVALS_H_
