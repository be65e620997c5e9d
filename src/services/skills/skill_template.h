// Bodies of new skills made by skills_create.
#ifndef NEXUS_SERVICES_SKILLS_SKILL_TEMPLATE_H_
#define NEXUS_SERVICES_SKILLS_SKILL_TEMPLATE_H_

#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus::services {

// The Markdown body of template `name` ("basic") for a skill; kValidation for another.
StatusOr<std::string> SkillTemplateBody(std::string_view name, const std::string& skill_name,
                                        const std::string& description);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_TEMPLATE_H_
