// The Streamable HTTP transport to an MCP server (McpConnection), through the node's outbound
// HTTP (services/outbound_http.h), so that a mounted server gets the webhooks' address rules.
#ifndef NEXUS_SERVICES_MCP_MOUNTS_MCP_HTTP_CONNECTION_H_
#define NEXUS_SERVICES_MCP_MOUNTS_MCP_HTTP_CONNECTION_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "services/mcp_mounts/mcp_client.h"
#include "services/outbound_http.h"

namespace nexus::services {

struct McpHttpTarget {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization
  bool public_addresses_only = true;
  std::chrono::milliseconds timeout{30000};
};

class McpHttpConnection final : public McpConnection {
 public:
  // `http` must outlive the connection.
  McpHttpConnection(OutboundHttp& http, McpHttpTarget target)
      : http_(http), target_(std::move(target)) {}

  StatusOr<std::string> Send(const std::string& message, std::optional<int64_t> id) override;
  void Reset() override;

 private:
  OutboundHttp& http_;
  const McpHttpTarget target_;
  Mutex mu_;
  std::string session_
      GUARDED_BY(mu_);  // Mcp-Session-Id; "" before one, or for a sessionless server
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MCP_MOUNTS_MCP_HTTP_CONNECTION_H_
