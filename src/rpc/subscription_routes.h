// The REST routes of webhook subscriptions (api.md §2.1), below /api/subscriptions. The
// server authenticates the request and hands it here; JSON in and out, and the mapping of
// errors to {"detail": ...} bodies, live here so that the server stays free of JSON.
#ifndef NEXUS_RPC_SUBSCRIPTION_ROUTES_H_
#define NEXUS_RPC_SUBSCRIPTION_ROUTES_H_

#include <string>

#include "auth/identity.h"

namespace nexus::services {
class SubscriptionService;
}

namespace nexus::rpc {

inline constexpr char kSubscriptionsPath[] = "/api/subscriptions";
// Larger bodies are refused (422) before they are parsed.
inline constexpr size_t kMaxSubscriptionBody = 64 * 1024;

struct RestRequest {
  std::string method;  // "GET", "POST", "PATCH", "DELETE"
  std::string path;    // starts with kSubscriptionsPath
  std::string query;   // after '?', without it
  std::string body;
  const auth::Identity* caller = nullptr;
};

struct RestResponse {
  int status = 200;
  std::string body;  // JSON
};

class SubscriptionRoutes {
 public:
  // Null `service`: every route answers 503, as the reference does without its manager.
  explicit SubscriptionRoutes(services::SubscriptionService* service) : service_(service) {}

  // 404 {"detail":"Not Found"} for a path that is no subscription route, 405 for a wrong
  // method, 422 {"detail": reason} for bad input.
  RestResponse Handle(const RestRequest& request) const;

 private:
  RestResponse Collection(const RestRequest& request) const;
  RestResponse Item(const RestRequest& request, const std::string& id) const;
  RestResponse Test(const RestRequest& request, const std::string& id) const;

  services::SubscriptionService* service_;
};

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_SUBSCRIPTION_ROUTES_H_
