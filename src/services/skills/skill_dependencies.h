// The order in which a skill's dependencies (`requires`) must be loaded.
#ifndef NEXUS_SERVICES_SKILLS_SKILL_DEPENDENCIES_H_
#define NEXUS_SERVICES_SKILLS_SKILL_DEPENDENCIES_H_

#include <functional>
#include <string>
#include <vector>

#include "util/status.h"

namespace nexus::services {

// What `name` requires, or null when there is no such skill.
using RequiresOf = std::function<const std::vector<std::string>*(const std::string& name)>;

// Every skill `root` needs, directly or not, dependencies before dependents, ending with
// `root` itself. kValidation naming the skill for a missing dependency or a cycle.
StatusOr<std::vector<std::string>> ResolveDependencies(const std::string& root,
                                                       const RequiresOf& requires_of);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_DEPENDENCIES_H_
