// The subscription record: what the store holds for one webhook subscription.
#ifndef NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTION_H_
#define NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::services {

struct Subscription {
  std::string id;
  std::string tenant_id;
  std::string url;
  std::vector<std::string> event_types;
  std::vector<std::string> patterns;  // empty: every path
  std::string secret;                 // empty: deliveries are not signed
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string metadata_json = "{}";  // a JSON object
  bool enabled = true;
  // Events are delivered only for paths under this stored-path prefix ("" for the whole
  // tenant: subscriptions of admins).
  std::string path_scope;
  std::optional<int64_t> last_delivery_at;          // microseconds since the epoch, UTC
  std::optional<std::string> last_delivery_status;  // "success" or "failed"
  int64_t consecutive_failures = 0;  // deliveries dropped since the last successful one
  // The circuit breaker (services/webhooks/circuit_breaker.h), not shown to callers: failed
  // attempts since the last successful one, and until when deliveries are postponed (0: not
  // paused).
  int64_t failed_attempts = 0;
  int64_t paused_until = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string created_by;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTION_H_
