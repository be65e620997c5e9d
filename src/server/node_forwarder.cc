#include "server/node_forwarder.h"

#include <chrono>

#include "util/ascii.h"

namespace nexus::server {

namespace {

// What the owner needs to answer as this node would: who calls, as which agent, and how
// the body and the answer are encoded.
constexpr const char* kPassedHeaders[] = {"Authorization",   "X-Nexus-API-Key",   "X-Agent-ID",
                                          "X-Nexus-Subject", "X-Nexus-Tenant-ID", "Content-Type",
                                          "Accept",          "If-None-Match"};

// A forwarded call may be a sandbox run of up to an hour (the longest run timeout), plus
// the owner's own queueing. The request's queueing deadline is not a bound: once the call
// runs on the owner, giving up early would leave the caller not knowing whether it ran.
constexpr std::chrono::milliseconds kLongestForward = std::chrono::minutes(65);

// Nothing was sent: the call did not run anywhere, so the caller may send it again.
HttpResponse Unreachable(const std::string& owner_node, const std::string& why) {
  HttpResponse busy =
      DetailResponse(503, "the node that runs this (" + owner_node + ") cannot be reached: " + why);
  busy.SetHeader("Retry-After", "1");
  return busy;
}

// The request may have reached the owner and run there: resending is the caller's choice,
// not a load balancer's, so no Retry-After and no 503.
HttpResponse NoAnswer(const std::string& owner_node, const std::string& why) {
  return DetailResponse(502, "the node that runs this (" + owner_node +
                                 ") gave no answer, whether the call ran there is unknown: " + why);
}

}  // namespace

HttpResponse NodeForwarder::Forward(const HttpRequest& req, const std::string& owner_node) const {
  StatusOr<std::optional<cluster::NodeInfo>> owner = cluster_.FindNode(owner_node);
  if (!owner.ok()) return Unreachable(owner_node, owner.status().message());
  if (!owner->has_value() || !(*owner)->alive) return Unreachable(owner_node, "it is not alive");
  services::OutboundRequest out;
  out.method = req.method;
  out.url = (*owner)->address + req.path + (req.query.empty() ? "" : "?" + req.query);
  for (const char* name : kPassedHeaders) {
    if (req.HasHeader(name)) out.headers.emplace_back(name, req.Header(name));
  }
  out.headers.emplace_back(kForwardedHeader, cluster_.node_id());
  out.body = req.body;
  out.timeout = kLongestForward;
  StatusOr<services::OutboundResponse> answer = http_.Send(out);
  if (!answer.ok()) {
    const std::string step = answer.status().detail("step");
    const bool nothing_sent = step == "resolve" || step == "connect" || step == "TLS handshake";
    return nothing_sent ? Unreachable(owner_node, answer.status().message())
                        : NoAnswer(owner_node, answer.status().message());
  }
  HttpResponse response;
  response.status = answer->status;
  response.body = std::move(answer->body);
  for (const auto& [name, value] : answer->headers) {
    if (EqualsIgnoreCase(name, "Content-Type") || EqualsIgnoreCase(name, "Retry-After") ||
        EqualsIgnoreCase(name, "ETag") || EqualsIgnoreCase(name, "Cache-Control")) {
      response.SetHeader(name, value);
    }
  }
  return response;
}

}  // namespace nexus::server
