// Skill packages: zip files holding one `<name>/` folder per skill (a `.skill` file is one).
//
// A package comes from outside, so reading it checks everything before returning anything:
// entry names (no absolute paths, no `..`, no backslashes, each inside a `<name>/` folder
// with a valid skill name), entry types (no symlinks or other special files), the number of
// entries, and the unpacked size, both as declared and as actually inflated.
#ifndef NEXUS_SERVICES_SKILLS_SKILL_ZIP_H_
#define NEXUS_SERVICES_SKILLS_SKILL_ZIP_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nexus::services {

// A skill's files: path relative to its folder -> content.
using SkillFiles = std::map<std::string, std::string>;

struct ZipLimits {
  size_t max_entries = 10000;
  uint64_t max_unpacked_bytes = uint64_t{100} << 20;
};

// Skill name -> its files. kValidation naming the entry and the problem when the package
// breaks a rule (or is not a zip).
StatusOr<std::map<std::string, SkillFiles>> ReadSkillZip(std::string_view zip,
                                                         const ZipLimits& limits = {});

struct ZipEntry {
  std::string name;
  std::string data;
  uint32_t unix_mode = 0100644;  // recorded in the entry's external attributes
};

// A deflated zip of `entries`, in order.
StatusOr<std::string> WriteZip(const std::vector<ZipEntry>& entries);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_ZIP_H_
