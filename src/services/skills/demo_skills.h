// The six skills `nexus serve --demo` installs in the admin's personal tier. Their sources
// are data/skills/<name>/..., compiled into the binary so a server needs no data files.
#ifndef NEXUS_SERVICES_SKILLS_DEMO_SKILLS_H_
#define NEXUS_SERVICES_SKILLS_DEMO_SKILLS_H_

#include <string_view>
#include <vector>

namespace nexus::services {

struct EmbeddedFile {
  std::string_view path;  // "<skill>/<path inside the skill>"
  std::string_view content;
};

// Every file of every demo skill, sorted by path.
const std::vector<EmbeddedFile>& DemoSkillFiles();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_DEMO_SKILLS_H_
