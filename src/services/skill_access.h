// Who is asking, and what they may do with stored paths. The service layer does not decide
// permissions itself: the session layer answers with its AccessPolicy (tenancy, then ReBAC), so
// skills obey exactly the rules of the file methods.
#ifndef NEXUS_SERVICES_SKILL_ACCESS_H_
#define NEXUS_SERVICES_SKILL_ACCESS_H_

#include <string>
#include <vector>

#include "auth/identity.h"
#include "util/status.h"

namespace nexus::services {

class SkillAccess {
 public:
  virtual ~SkillAccess() = default;
  // kPermissionDenied naming the path unless allowed.
  virtual Status CheckRead(const std::string& path) = 0;
  virtual Status CheckWrite(const std::string& path) = 0;
  // Which of `paths` (files) the caller may read, in one evaluation.
  virtual StatusOr<std::vector<bool>> Readable(const std::vector<std::string>& paths) = 0;
};

struct SkillCaller {
  const auth::Identity& identity;
  SkillAccess& access;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILL_ACCESS_H_
