// The routes of the Nexus HTTP API (api.md §2.1): health, whoami, status, metrics, the
// JSON-RPC endpoint and the webhook subscription routes. Authentication happens here; the
// RPC and the subscription routes themselves are the rpc module's.
#ifndef NEXUS_SERVER_NEXUS_HANDLER_H_
#define NEXUS_SERVER_NEXUS_HANDLER_H_

#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "rpc/dispatcher.h"
#include "rpc/subscription_routes.h"
#include "server/health.h"
#include "server/metrics.h"
#include "server/node_forwarder.h"
#include "server/request_handler.h"

namespace nexus::rpc {
class McpEndpoint;
}

namespace nexus::server {

class NexusHandler final : public RequestHandler {
 public:
  // All must outlive the handler. Without `subscriptions` the subscription routes answer
  // 503, as the reference does without its subscription manager; without `mcp`, /mcp is
  // not found. `mcp_origins` are the web origins besides this machine's that may use /mcp.
  NexusHandler(const rpc::Dispatcher& dispatcher, const auth::Authenticator& authenticator,
               Metrics& metrics, const rpc::SubscriptionRoutes* subscriptions = nullptr,
               const rpc::McpEndpoint* mcp = nullptr, std::vector<std::string> mcp_origins = {},
               const Health* health = nullptr, const NodeForwarder* forwarder = nullptr);

  HttpResponse Handle(const HttpRequest& req) override;
  bool NeedsWorker(const HttpRequest& req) const override;
  // 1 MiB except for the RPC methods that carry content (rpc/content_methods.h).
  size_t MaxBodyBytes(const HttpRequest& head) const override;
  // The route's answer when it is unknown or the HTTP method wrong; for the RPC and
  // subscription routes, the refusal of a caller that does not authenticate.
  std::optional<HttpResponse> AdmitBody(const HttpRequest& head) override;

 private:
  HttpResponse Rpc(const HttpRequest& req, std::string_view method);
  HttpResponse Whoami(const HttpRequest& req);
  HttpResponse Subscriptions(const HttpRequest& req);
  HttpResponse Mcp(const HttpRequest& req);
  HttpResponse Status() const;
  HttpResponse HealthAnswer() const;

  const rpc::Dispatcher& dispatcher_;
  const auth::Authenticator& authenticator_;
  Metrics& metrics_;
  const rpc::SubscriptionRoutes* subscriptions_;
  const rpc::McpEndpoint* mcp_;
  const std::vector<std::string> mcp_origins_;
  const Health* health_;            // null: always ready
  const NodeForwarder* forwarder_;  // null: this node alone, nothing to forward
  const std::string status_body_;   // the method list never changes while running
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_NEXUS_HANDLER_H_
