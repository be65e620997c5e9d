// Scoring of skills_search. A query is split into lower-case terms (runs of letters and
// digits); each term found in a skill scores 3 if it occurs in the name, 2 in the
// description, 1 in the body (case-insensitive substring matches, counted once per field).
// The score is the sum divided by its maximum (6 per term), so it lies in (0, 1] for a match
// and a skill matching every term everywhere scores 1.
#ifndef NEXUS_SERVICES_SKILLS_SKILL_SEARCH_H_
#define NEXUS_SERVICES_SKILLS_SKILL_SEARCH_H_

#include <string>
#include <string_view>
#include <vector>

#include "services/skills/skill_metadata.h"

namespace nexus::services {

std::vector<std::string> SearchTerms(std::string_view query);

// 0 when no term matches.
double ScoreSkill(const SkillMetadata& skill, const std::vector<std::string>& terms);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_SEARCH_H_
