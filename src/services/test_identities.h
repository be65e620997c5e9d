// Identities for the unit tests of the per-user services.
#ifndef NEXUS_SERVICES_TEST_IDENTITIES_H_
#define NEXUS_SERVICES_TEST_IDENTITIES_H_

#include <string>

#include "auth/identity.h"

namespace nexus::services::test_ids {

// A user, or with `agent` an agent of that user.
inline auth::Identity User(const std::string& user, const std::string& tenant = "default",
                           const std::string& agent = "") {
  auth::Identity id;
  id.tenant_id = tenant;
  id.user_id = user;
  id.agent_id = agent;
  id.subject_type = agent.empty() ? "user" : "agent";
  id.subject_id = agent.empty() ? user : agent;
  return id;
}

inline auth::Identity Admin(const std::string& tenant = "default") {
  auth::Identity id = User("admin", tenant);
  id.is_admin = true;
  return id;
}

}  // namespace nexus::services::test_ids

#endif  // NEXUS_SERVICES_TEST_IDENTITIES_H_
