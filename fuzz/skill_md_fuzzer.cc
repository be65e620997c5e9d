// SKILL.md files (services/skills/skill_metadata.h): YAML front matter and a Markdown body, written
// by users and read from uploaded packages. What parses must render and parse back the same.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "services/skills/skill_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nexus::services::ParseSkillMd;
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  const auto skill = ParseSkillMd("/fuzz/SKILL.md", "", content);
  if (!skill.ok()) {
    FUZZ_CHECK(skill.status().code() == nexus::Code::kValidation);
    return 0;
  }
  FUZZ_CHECK(nexus::services::IsValidSkillName(skill->name));
  FUZZ_CHECK(ParseSkillMd("/fuzz/SKILL.md", skill->name, content).ok());
  const auto rendered = nexus::services::RenderSkillMd(*skill, skill->metadata_json);
  if (!rendered.ok()) return 0;
  const auto reparsed = ParseSkillMd("/fuzz/SKILL.md", skill->name, *rendered);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->name == skill->name && reparsed->description == skill->description);
  FUZZ_CHECK(reparsed->requires_ == skill->requires_);
  // Rendering is stable: what was rendered once renders the same again.
  const auto again = nexus::services::RenderSkillMd(*reparsed, reparsed->metadata_json);
  FUZZ_CHECK(again.ok() && *again == *rendered);
  return 0;
}
