#include "services/skills/skill_template.h"

namespace nexus::services {

StatusOr<std::string> SkillTemplateBody(std::string_view name, const std::string& skill_name,
                                        const std::string& description) {
  if (name != "basic") {
    return Status(Code::kValidation,
                  "Unknown skill template '" + std::string(name) + "': available: basic");
  }
  return "# " + skill_name + "\n\n" + description +
         "\n\n"
         "## When to use this skill\n\n"
         "Describe the requests or situations in which an agent should load this skill, so\n"
         "that it is picked for the right tasks and left alone for the others.\n\n"
         "## Instructions\n\n"
         "1. State the first step the agent takes, and what it needs as input.\n"
         "2. List the next steps in order; name the tools, files or commands each one uses.\n"
         "3. Say how the agent checks that the result is correct before it answers.\n\n"
         "## Examples\n\n"
         "**Input:** a typical request this skill handles.\n\n"
         "**Output:** what a good answer looks like.\n\n"
         "## Notes\n\n"
         "- Limits, pitfalls and conventions the agent must respect.\n"
         "- Other files of this skill (scripts, references) and when to read them.\n";
}

}  // namespace nexus::services
