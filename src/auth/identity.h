// Who a request acts as: the result of resolving its credentials.
#ifndef NEXUS_AUTH_IDENTITY_H_
#define NEXUS_AUTH_IDENTITY_H_

#include <cstdint>
#include <optional>
#include <string>

namespace nexus::auth {

// The tenant of an identity that names none, and of keys stored without one.
inline constexpr char kDefaultTenant[] = "default";
// The subject of a request that names none (open access without headers).
inline constexpr char kAnonymousSubject[] = "anonymous";

// An identity as a key lookup returns it (before X-Agent-ID and defaults), or as the
// authenticator hands it to the layers above (after them). Empty strings mean "none".
struct Identity {
  std::string subject_type;  // "user", "agent" or "service"; what permission checks use
  std::string subject_id;
  std::string tenant_id;
  std::string user_id;    // the owning user (for agents, the agent's owner)
  std::string agent_id;   // set when the subject is an agent
  bool is_admin = false;  // admin of tenant_id, never of other tenants
  // The system administrator (the key provisioned at first start): administers every
  // tenant and the system-wide content (/skill, /system).
  bool is_system = false;
  bool inherit_permissions = false;
  std::string key_id;  // the API key that authenticated the request, if any
  std::string key_name;
  std::optional<int64_t> expires_at;  // of that key, microseconds since the epoch (UTC)
};

}  // namespace nexus::auth

#endif  // NEXUS_AUTH_IDENTITY_H_
