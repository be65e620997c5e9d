// The registered agents, as the authenticator asks about them: X-Agent-ID may name only an
// agent that is registered. The agent registry (services/) answers; auth, below it, only asks.
#ifndef NEXUS_AUTH_AGENT_DIRECTORY_H_
#define NEXUS_AUTH_AGENT_DIRECTORY_H_

#include <string>

#include "util/status.h"

namespace nexus::auth {

class AgentDirectory {
 public:
  virtual ~AgentDirectory() = default;

  // Whether `agent_id` is a registered agent of tenant `tenant_id`. Asked on every request
  // that carries X-Agent-ID, so an answer should usually come from memory. Errors are the
  // database's.
  virtual StatusOr<bool> IsRegistered(const std::string& tenant_id,
                                      const std::string& agent_id) = 0;
};

}  // namespace nexus::auth

#endif  // NEXUS_AUTH_AGENT_DIRECTORY_H_
