// The skill service's view of permissions, answered by AccessPolicy: skills obey the same
// tenancy and ReBAC rules as the file methods. Also for in-process callers (provisioning).
#ifndef NEXUS_SESSION_SKILL_ACCESS_H_
#define NEXUS_SESSION_SKILL_ACCESS_H_

#include "services/skill_access.h"
#include "session/access.h"

namespace nexus::session {

class PolicySkillAccess : public services::SkillAccess {
 public:
  PolicySkillAccess(rebac::Rebac& rebac, const auth::Identity& caller) : policy_(rebac, caller) {}

  Status CheckRead(const std::string& path) override;
  Status CheckWrite(const std::string& path) override;
  StatusOr<std::vector<bool>> Readable(const std::vector<std::string>& paths) override;

 private:
  AccessPolicy policy_;
};

}  // namespace nexus::session

#endif  // NEXUS_SESSION_SKILL_ACCESS_H_
