// Skill packages (services/skills/skill_zip.h): zips uploaded by users, read with the limits the
// server uses. What reads must write back and read again to the same files.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "services/skills/skill_zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nexus::services::ReadSkillZip;
  const std::string_view zip(reinterpret_cast<const char*>(data), size);
  const auto skills = ReadSkillZip(zip);
  if (!skills.ok()) {
    FUZZ_CHECK(skills.status().code() == nexus::Code::kValidation);
    return 0;
  }
  // WriteZip is for exports, which always hold a skill; libzip writes no archive for none.
  if (skills->empty()) return 0;
  std::vector<nexus::services::ZipEntry> entries;
  for (const auto& [skill, files] : *skills) {
    for (const auto& [rel, content] : files) entries.push_back({skill + "/" + rel, content});
  }
  const auto written = nexus::services::WriteZip(entries);
  FUZZ_CHECK(written.ok());
  const auto reread = ReadSkillZip(*written);
  FUZZ_CHECK(reread.ok() && *reread == *skills);
  return 0;
}
