// The skill service's view of permissions, answered by AccessPolicy: skills obey the same
// tenancy and ReBAC rules as the file methods. Also for in-process callers (provisioning).
#ifndef NEXUS_RPC_SKILL_ACCESS_H_
#define NEXUS_RPC_SKILL_ACCESS_H_

#include "rpc/access.h"
#include "services/skill_access.h"

namespace nexus::rpc {

class PolicySkillAccess : public services::SkillAccess {
 public:
  PolicySkillAccess(rebac::Rebac& rebac, const auth::Identity& caller) : policy_(rebac, caller) {}

  Status CheckRead(const std::string& path) override;
  Status CheckWrite(const std::string& path) override;
  StatusOr<std::vector<bool>> Readable(const std::vector<std::string>& paths) override;

 private:
  AccessPolicy policy_;
};

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_SKILL_ACCESS_H_
