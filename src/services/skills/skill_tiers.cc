#include "services/skills/skill_tiers.h"

#include "auth/tenant_paths.h"

namespace nexus::services {

StatusOr<SkillTier> ParseSkillTier(std::string_view name) {
  if (name == "personal" || name == "user" || name == "agent") return SkillTier::kPersonal;
  if (name == "tenant") return SkillTier::kTenant;
  if (name == "system") return SkillTier::kSystem;
  return Status(Code::kValidation, "Invalid tier '" + std::string(name) +
                                       "': must be one of personal, user, agent, tenant, system");
}

std::string_view SkillTierName(SkillTier tier) {
  switch (tier) {
    case SkillTier::kPersonal:
      return "personal";
    case SkillTier::kTenant:
      return "tenant";
    case SkillTier::kSystem:
      return "system";
  }
  return "system";
}

int SkillTierPriority(SkillTier tier) {
  switch (tier) {
    case SkillTier::kPersonal:
      return 3;
    case SkillTier::kTenant:
      return 2;
    case SkillTier::kSystem:
      return 1;
  }
  return 1;
}

std::string SkillTierDir(const auth::Identity& caller, SkillTier tier) {
  const std::string tenant = caller.tenant_id.empty() ? auth::kDefaultTenant : caller.tenant_id;
  switch (tier) {
    case SkillTier::kPersonal: {
      std::string user = caller.user_id.empty() ? caller.subject_id : caller.user_id;
      if (user.empty()) user = auth::kAnonymousSubject;
      return auth::TenantRoot(tenant) + "/user:" + user + "/skill";
    }
    case SkillTier::kTenant:
      return auth::TenantRoot(tenant) + "/skill";
    case SkillTier::kSystem:
      return "/skill";
  }
  return "/skill";
}

}  // namespace nexus::services
