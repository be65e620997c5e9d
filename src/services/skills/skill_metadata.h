// SKILL.md: YAML front matter between `---` lines, then a Markdown body (domain.md §4.1).
// Parsing is where a skill's content enters, so every rule of the format is checked here.
#ifndef NEXUS_SERVICES_SKILLS_SKILL_METADATA_H_
#define NEXUS_SERVICES_SKILLS_SKILL_METADATA_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nexus::services {

inline constexpr char kSkillFile[] = "SKILL.md";

struct SkillMetadata {
  std::string name;
  std::string description;
  std::optional<std::string> version;
  std::optional<std::string> author;
  std::vector<std::string> requires_;  // `requires`: a list, or one string as one dependency
  std::optional<std::string> created_at;
  std::optional<std::string> modified_at;
  std::string metadata_json;  // every other front-matter key, as a JSON object
  std::string body;           // the Markdown after the front matter
};

// Whether `name` matches ^[A-Za-z0-9_-]+$ (and is at most 255 bytes, a path segment).
bool IsValidSkillName(std::string_view name);

// Parses `content` of the SKILL.md at `file` (named in every error) whose folder is
// `folder` (empty: a file outside any folder, whose name is not compared). kValidation for: no
// front matter, invalid YAML, front matter that is not a mapping, a missing or empty name or
// description, or a name that is not valid or differs from the folder.
StatusOr<SkillMetadata> ParseSkillMd(std::string_view file, std::string_view folder,
                                     std::string_view content);

// A SKILL.md of the given fields and body. `extra_json` (a JSON object, or "") adds keys to
// the front matter after the known ones; it may not redefine them.
StatusOr<std::string> RenderSkillMd(const SkillMetadata& skill, std::string_view extra_json);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_METADATA_H_
