#include "session/skill_access.h"

namespace nexus::session {

Status PolicySkillAccess::CheckRead(const std::string& path) {
  return policy_.Check(path, Access::kRead);
}

Status PolicySkillAccess::CheckWrite(const std::string& path) {
  return policy_.Check(path, Access::kWrite);
}

// For files, "visible in a listing" is exactly "readable".
StatusOr<std::vector<bool>> PolicySkillAccess::Readable(const std::vector<std::string>& paths) {
  return policy_.Visible(paths);
}

}  // namespace nexus::session
