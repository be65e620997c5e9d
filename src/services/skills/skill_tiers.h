// Where skills live, by tier (domain.md §4.2), as seen by one caller:
//
//   personal (priority 3)  /tenant:<t>/user:<u>/skill/
//   tenant   (priority 2)  /tenant:<t>/skill/
//   system   (priority 1)  /skill/
//
// Clients also send "user" and "agent": both name the personal tier of the caller's user
// (an agent's skills are its owner's; the reference's legacy /skills/user/ is not kept).
#ifndef NEXUS_SERVICES_SKILLS_SKILL_TIERS_H_
#define NEXUS_SERVICES_SKILLS_SKILL_TIERS_H_

#include <string>
#include <string_view>

#include "auth/identity.h"
#include "util/status.h"

namespace nexus::services {

enum class SkillTier { kPersonal, kTenant, kSystem };

// Highest priority first: the order in which discovery resolves name conflicts.
inline constexpr SkillTier kTiersByPriority[] = {SkillTier::kPersonal, SkillTier::kTenant,
                                                 SkillTier::kSystem};

// kValidation naming the accepted names for anything else.
StatusOr<SkillTier> ParseSkillTier(std::string_view name);

// "personal", "tenant" or "system": the `tier` of listings.
std::string_view SkillTierName(SkillTier tier);

int SkillTierPriority(SkillTier tier);

// The stored directory of `tier` for `caller` (no trailing slash).
std::string SkillTierDir(const auth::Identity& caller, SkillTier tier);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_TIERS_H_
