#include "server/nexus_handler.h"

#include <limits>
#include <string>

#include "rpc/content_methods.h"
#include "rpc/mcp/mcp_endpoint.h"
#include "server/origin.h"
#include "server/response_stream.h"
#include "util/ascii.h"
#include "util/etag.h"

namespace nexus::server {
namespace {

constexpr std::string_view kRpcPrefix = "/api/nfs/";
constexpr std::string_view kOctetStream = "application/octet-stream";

// "application/octet-stream", with parameters or not, in any case.
bool IsOctetStream(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return EqualsIgnoreCase(type, kOctetStream);
}

enum class Route { kHealth, kWhoami, kStatus, kMetrics, kRpc, kSubscriptions, kMcp, kUnknown };

Route RouteOf(std::string_view path) {
  if (path == "/health") return Route::kHealth;
  if (path == "/api/auth/whoami") return Route::kWhoami;
  if (path == "/api/nfs/status") return Route::kStatus;
  if (path == "/metrics") return Route::kMetrics;
  if (path == rpc::kMcpPath) return Route::kMcp;
  if (path == rpc::kSubscriptionsPath ||
      path.starts_with(std::string(rpc::kSubscriptionsPath) + "/")) {
    return Route::kSubscriptions;
  }
  if (path.starts_with(kRpcPrefix) && path.size() > kRpcPrefix.size() &&
      path.find('/', kRpcPrefix.size()) == std::string_view::npos) {
    return Route::kRpc;
  }
  return Route::kUnknown;
}

// The subscription routes check their methods themselves.
bool MethodAllowed(Route route, std::string_view method) {
  if (route == Route::kSubscriptions) return true;
  if (route == Route::kMcp) return method == "POST" || method == "GET" || method == "DELETE";
  return route == Route::kRpc ? method == "POST" : method == "GET";
}

std::string StatusBody(const rpc::Dispatcher& dispatcher) {
  std::string methods;
  for (const std::string& name : dispatcher.MethodNames()) {
    if (!methods.empty()) methods += ',';
    methods += JsonQuote(name);
  }
  return R"({"status":"running","service":"nexus-rpc","version":"1.0","async":true,"methods":[)" +
         methods + "]}";
}

std::string JsonOrNull(const std::string& s) { return s.empty() ? "null" : JsonQuote(s); }

auth::Credentials CredentialsOf(const HttpRequest& req) {
  std::string authorization = req.Header("Authorization");
  // The reference's MCP server also takes the key in a header of its own.
  if (authorization.empty() && req.HasHeader("X-Nexus-API-Key"))
    authorization = "Bearer " + req.Header("X-Nexus-API-Key");
  return auth::Credentials{std::move(authorization), req.Header("X-Agent-ID"),
                           req.Header("X-Nexus-Subject"), req.Header("X-Nexus-Tenant-ID")};
}

// The answer to a request whose authentication failed or refused it; none when it may go on.
std::optional<HttpResponse> Refusal(const StatusOr<auth::AuthOutcome>& outcome) {
  if (!outcome.ok() && outcome.status().code() == Code::kUnavailable) {
    // The key could not be looked up for now (the database is failing over): try again.
    HttpResponse busy = DetailResponse(503, "Service Unavailable");
    busy.SetHeader("Retry-After", "1");
    return busy;
  }
  if (!outcome.ok()) return DetailResponse(500, "Internal Server Error");
  if (outcome->http_status != 200) return DetailResponse(outcome->http_status, outcome->error);
  return std::nullopt;
}

// An MCP tool whose sandbox or mount another node holds is answered there: its method goes
// as a JSON-RPC call with the MCP request's own credentials, so the owner authorizes it.
rpc::NodeCall NodeCallFor(const NodeForwarder* forwarder, const HttpRequest& req) {
  if (forwarder == nullptr || req.HasHeader(kForwardedHeader)) return nullptr;
  return [forwarder, &req](const std::string& owner, const std::string& method,
                           const std::string& request_json) -> StatusOr<std::string> {
    HttpRequest call;
    call.method = "POST";
    call.path = call.target = "/api/nfs/" + method;
    call.headers = req.headers;
    call.body = request_json;
    const HttpResponse answer = forwarder->Forward(call, owner);
    if (answer.status == 200) return answer.body;
    return Status(
        answer.status == 503 ? Code::kUnavailable : Code::kIOError,
        "node " + owner + " answered HTTP " + std::to_string(answer.status) + ": " + answer.body);
  };
}

// An MCP session's event stream over the connection's stream sink.
class McpEventStream final : public ResponseStream {
 public:
  explicit McpEventStream(std::function<void(std::shared_ptr<rpc::McpEventSink>)> open)
      : open_(std::move(open)) {}

  void Attach(std::shared_ptr<StreamSink> sink) override {
    open_(std::make_shared<Sink>(std::move(sink)));
  }

 private:
  class Sink final : public rpc::McpEventSink {
   public:
    explicit Sink(std::shared_ptr<StreamSink> sink) : sink_(std::move(sink)) {}
    bool Send(const std::string& event) override { return sink_->Write(event); }
    void Close() override { sink_->Close(); }

   private:
    const std::shared_ptr<StreamSink> sink_;
  };

  const std::function<void(std::shared_ptr<rpc::McpEventSink>)> open_;
};

// MCP clients look for the scheme a 401 asks for.
void AskForBearer(HttpResponse& refusal) {
  if (refusal.status == 401) refusal.SetHeader("WWW-Authenticate", "Bearer");
}

}  // namespace

NexusHandler::NexusHandler(const rpc::Dispatcher& dispatcher,
                           const auth::Authenticator& authenticator, Metrics& metrics,
                           const rpc::SubscriptionRoutes* subscriptions,
                           const rpc::McpEndpoint* mcp, std::vector<std::string> mcp_origins,
                           const Health* health, const NodeForwarder* forwarder)
    : dispatcher_(dispatcher),
      authenticator_(authenticator),
      metrics_(metrics),
      subscriptions_(subscriptions),
      mcp_(mcp),
      mcp_origins_(std::move(mcp_origins)),
      health_(health),
      forwarder_(forwarder),
      status_body_(StatusBody(dispatcher)) {}

bool NexusHandler::NeedsWorker(const HttpRequest& req) const {
  const Route route = RouteOf(req.path);
  return route == Route::kRpc || route == Route::kWhoami || route == Route::kSubscriptions ||
         route == Route::kMcp;
}

size_t NexusHandler::MaxBodyBytes(const HttpRequest& head) const {
  if (RouteOf(head.path) == Route::kMcp) return rpc::kMaxMcpBodyBytes;
  const bool content = RouteOf(head.path) == Route::kRpc &&
                       rpc::CarriesContent(std::string_view(head.path).substr(kRpcPrefix.size()));
  return content ? std::numeric_limits<size_t>::max() : rpc::kSmallMethodBodyBytes;
}

// Runs the same checks Handle would before it looks at the body, so a large body is read
// only for a caller Handle would serve.
std::optional<HttpResponse> NexusHandler::AdmitBody(const HttpRequest& head) {
  const Route route = RouteOf(head.path);
  if (route == Route::kUnknown || !MethodAllowed(route, head.method)) return Handle(head);
  if (route != Route::kRpc && route != Route::kSubscriptions && route != Route::kMcp)
    return std::nullopt;
  if (route == Route::kMcp && mcp_ == nullptr) return Handle(head);
  StatusOr<auth::AuthOutcome> outcome = authenticator_.Authenticate(CredentialsOf(head));
  // A known key naming an agent it may not act as: the caller is known, and an RPC answers
  // that with -32004 in the envelope (Rpc), which needs the body's id.
  if (route != Route::kSubscriptions && outcome.ok() && outcome->http_status == 403)
    return std::nullopt;
  std::optional<HttpResponse> refusal = Refusal(outcome);
  if (route == Route::kMcp && refusal) AskForBearer(*refusal);
  return refusal;
}

HttpResponse NexusHandler::Handle(const HttpRequest& req) {
  const Route route = RouteOf(req.path);
  if (route == Route::kUnknown) {
    // Like the reference (FastAPI's redirect_slashes), "/health/" points at "/health".
    if (req.path.size() > 1 && req.path.back() == '/' &&
        RouteOf(req.path.substr(0, req.path.size() - 1)) != Route::kUnknown) {
      HttpResponse redirect = DetailResponse(307, "Temporary Redirect");
      redirect.SetHeader("Location", req.path.substr(0, req.path.size() - 1));
      return redirect;
    }
    return DetailResponse(404, "Not Found");
  }
  if (!MethodAllowed(route, req.method)) return DetailResponse(405, "Method Not Allowed");
  switch (route) {
    case Route::kHealth:
      return HealthAnswer();
    case Route::kStatus:
      return Status();
    case Route::kMetrics: {
      HttpResponse metrics = JsonResponse(200, metrics_.RenderPrometheus());
      metrics.SetHeader("Content-Type", "text/plain; version=0.0.4");
      return metrics;
    }
    case Route::kWhoami:
      return Whoami(req);
    case Route::kRpc:
      return Rpc(req, std::string_view(req.path).substr(kRpcPrefix.size()));
    case Route::kSubscriptions:
      return Subscriptions(req);
    case Route::kMcp:
      return Mcp(req);
    case Route::kUnknown:
      break;
  }
  return DetailResponse(404, "Not Found");
}

HttpResponse NexusHandler::Status() const { return JsonResponse(200, status_body_); }

// The reference's answer when ready; otherwise 503, which load balancers take as "send
// nothing here", with the reason for whoever looks.
HttpResponse NexusHandler::HealthAnswer() const {
  const std::optional<std::string_view> reason =
      health_ != nullptr ? health_->NotReadyReason() : std::nullopt;
  if (!reason) return JsonResponse(200, R"({"status":"healthy","service":"nexus-rpc"})");
  HttpResponse busy =
      JsonResponse(503, R"({"status":"unhealthy","service":"nexus-rpc","reason":")" +
                            std::string(*reason) + R"("})");
  busy.SetHeader("Retry-After", "1");
  return busy;
}

HttpResponse NexusHandler::Whoami(const HttpRequest& req) {
  StatusOr<auth::AuthOutcome> outcome = authenticator_.Authenticate(CredentialsOf(req));
  if (!outcome.ok()) return DetailResponse(500, "Internal Server Error");
  const auth::Identity& id = outcome->raw;
  if (!outcome->authenticated) {
    return JsonResponse(
        200, R"({"authenticated":false,"subject_type":null,"subject_id":null,"tenant_id":null,)"
             R"("is_admin":false,"inherit_permissions":true,"user":null})");
  }
  return JsonResponse(
      200, std::string(R"({"authenticated":true,"subject_type":)") + JsonOrNull(id.subject_type) +
               R"(,"subject_id":)" + JsonOrNull(id.subject_id) + R"(,"tenant_id":)" +
               JsonOrNull(id.tenant_id) + R"(,"is_admin":)" + (id.is_admin ? "true" : "false") +
               R"(,"inherit_permissions":)" + (id.inherit_permissions ? "true" : "false") +
               R"(,"user":)" + JsonOrNull(id.subject_id) + "}");
}

HttpResponse NexusHandler::Rpc(const HttpRequest& req, std::string_view method) {
  StatusOr<auth::AuthOutcome> outcome = authenticator_.Authenticate(CredentialsOf(req));
  // An agent the key may not act as is the call's permission error (-32004), which clients
  // raise as such; the other refusals are the request's.
  const bool agent_refused = outcome.ok() && outcome->http_status == 403;
  if (!agent_refused) {
    if (std::optional<HttpResponse> refusal = Refusal(outcome)) return *std::move(refusal);
  }
  rpc::RpcRequest call{
      .method = std::string(method),
      .body = req.body,
      .if_none_match = BareEtag(req.Header("If-None-Match")),
      .caller = &outcome->caller,
      .refusal = agent_refused ? PermissionDenied(outcome->error) : nexus::Status::OK(),
      .raw_body = IsOctetStream(req.Header("Content-Type")),
      .query = req.query,
      .raw_result = req.Header("Accept").find(kOctetStream) != std::string::npos,
      .forwarded = req.HasHeader(kForwardedHeader)};
  const rpc::RpcResponse answer = dispatcher_.Handle(call);
  metrics_.IncrementCounter("nexus_rpc_calls_total", "RPC calls by method and outcome",
                            {{"method", answer.method_known ? std::string(method) : "unknown"},
                             {"outcome", answer.outcome}});
  // Once only: a forwarded call the owner does not take as its own is answered as refused.
  if (!answer.owner_node.empty() && forwarder_ != nullptr && !req.HasHeader(kForwardedHeader)) {
    metrics_.IncrementCounter("nexus_rpc_forwarded_total", "RPC calls forwarded to another node",
                              {{"method", std::string(method)}});
    return forwarder_->Forward(req, answer.owner_node);
  }
  HttpResponse response = JsonResponse(answer.http_status, answer.body);
  response.SetHeader("Content-Type", answer.content_type);
  if (answer.http_status == 304) response.RemoveHeader("Content-Type");
  for (const auto& [name, value] : answer.headers) response.SetHeader(name, value);
  return response;
}

HttpResponse NexusHandler::Subscriptions(const HttpRequest& req) {
  StatusOr<auth::AuthOutcome> outcome = authenticator_.Authenticate(CredentialsOf(req));
  if (std::optional<HttpResponse> refusal = Refusal(outcome)) return *std::move(refusal);
  static const rpc::SubscriptionRoutes kUnavailable(nullptr);
  const rpc::SubscriptionRoutes& routes = subscriptions_ ? *subscriptions_ : kUnavailable;
  const rpc::RestResponse answer =
      routes.Handle(rpc::RestRequest{req.method, req.path, req.query, req.body, &outcome->caller});
  return JsonResponse(answer.status, answer.body);
}

HttpResponse NexusHandler::Mcp(const HttpRequest& req) {
  if (mcp_ == nullptr) return DetailResponse(404, "Not Found");
  if (req.HasHeader("Origin") && !OriginAllowed(req.Header("Origin"), mcp_origins_))
    return DetailResponse(403, "Forbidden: the Origin " + req.Header("Origin") +
                                   " may not use /mcp (see --mcp-allowed-origin)");
  StatusOr<auth::AuthOutcome> outcome = authenticator_.Authenticate(CredentialsOf(req));
  const bool agent_refused = outcome.ok() && outcome->http_status == 403;
  if (!agent_refused) {
    if (std::optional<HttpResponse> refusal = Refusal(outcome)) {
      AskForBearer(*refusal);
      return *std::move(refusal);
    }
  }
  const rpc::McpResponse answer = mcp_->Handle(rpc::McpRequest{
      .http_method = req.method,
      .body = req.body,
      .session_id = req.Header("Mcp-Session-Id"),
      .protocol_version = req.Header("MCP-Protocol-Version"),
      .caller = &outcome->caller,
      .refusal = agent_refused ? PermissionDenied(outcome->error) : nexus::Status::OK(),
      .call_node = NodeCallFor(forwarder_, req)});
  metrics_.IncrementCounter("nexus_mcp_requests_total", "MCP transport requests by HTTP status",
                            {{"status", std::to_string(answer.http_status)}});
  HttpResponse response = JsonResponse(answer.http_status, answer.body);
  if (answer.body.empty()) response.RemoveHeader("Content-Type");
  for (const auto& [name, value] : answer.headers) response.SetHeader(name, value);
  if (answer.open_stream) response.stream = std::make_shared<McpEventStream>(answer.open_stream);
  return response;
}

}  // namespace nexus::server
