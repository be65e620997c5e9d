// For tests: SKILL.md front matter read as the web frontend's skill editor reads it, line by
// line. It understands `key: value` lines, whose value is plain or double-quoted, and lists
// as `key:` followed by `  - item` lines; nothing else. Every SKILL.md the server writes
// must read this way.
#ifndef NEXUS_SERVICES_SKILLS_EDITOR_FRONT_MATTER_H_
#define NEXUS_SERVICES_SKILLS_EDITOR_FRONT_MATTER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nexus::services {

struct EditorFrontMatter {
  std::map<std::string, std::string> scalars;
  std::map<std::string, std::vector<std::string>> lists;
};

// The front matter of `skill_md`; kValidation naming the first line of another form.
StatusOr<EditorFrontMatter> ReadLikeEditor(std::string_view skill_md);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_EDITOR_FRONT_MATTER_H_
