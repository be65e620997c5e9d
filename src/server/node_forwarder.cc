#include "server/node_forwarder.h"

#include <algorithm>
#include <chrono>

#include "util/ascii.h"

namespace nexus::server {

namespace {

// What the owner needs to answer as this node would: who calls, as which agent, and how
// the body and the answer are encoded.
constexpr const char* kPassedHeaders[] = {"Authorization", "X-Nexus-API-Key", "X-Agent-ID",
                                          "Content-Type",  "Accept",          "If-None-Match"};

// A forwarded call may be a sandbox run of up to an hour; the request's own deadline bounds it.
constexpr std::chrono::milliseconds kLongestForward = std::chrono::hours(2);

HttpResponse Unreachable(const std::string& owner_node, const std::string& why) {
  HttpResponse busy =
      DetailResponse(503, "the node that runs this (" + owner_node + ") cannot be reached: " + why);
  busy.SetHeader("Retry-After", "1");
  return busy;
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
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      req.deadline - std::chrono::steady_clock::now());
  out.timeout = std::clamp(left, std::chrono::milliseconds(1000), kLongestForward);
  StatusOr<services::OutboundResponse> answer = http_.Send(out);
  if (!answer.ok()) return Unreachable(owner_node, answer.status().message());
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
