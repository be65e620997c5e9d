// A client of another MCP server over its Streamable HTTP transport: initialize, tools/list,
// tools/call, through the node's outbound HTTP (services/outbound_http.h), so a mounted
// server gets the same address rules as a webhook. JSON crosses this interface as text, to
// keep the JSON library out of the services' headers.
#ifndef NEXUS_SERVICES_MCP_MOUNTS_MCP_HTTP_CLIENT_H_
#define NEXUS_SERVICES_MCP_MOUNTS_MCP_HTTP_CLIENT_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "services/outbound_http.h"
#include "util/mutex.h"
#include "util/status.h"

namespace nexus::services {

struct McpTool {
  std::string name;
  std::string description;
  std::string input_schema_json;  // the tool's inputSchema, "{}" when it gave none
};

struct McpHttpTarget {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization
  bool public_addresses_only = true;
  std::chrono::milliseconds timeout{30000};
};

class McpHttpClient {
 public:
  // `http` must outlive the client. Connects lazily.
  McpHttpClient(OutboundHttp& http, McpHttpTarget target)
      : http_(http), target_(std::move(target)) {}

  // Every tool of the server, following its cursor.
  StatusOr<std::vector<McpTool>> ListTools();
  // The server's CallToolResult as JSON text (isError results included).
  StatusOr<std::string> CallTool(const std::string& name, const std::string& arguments_json);

 private:
  // The result of `method` as JSON text; opens (or reopens) the session as needed.
  StatusOr<std::string> Request(const std::string& method, const std::string& params_json);
  StatusOr<std::string> Exchange(const std::string& body, const std::string& session);
  Status Initialize();

  OutboundHttp& http_;
  const McpHttpTarget target_;
  Mutex mu_;
  std::string session_ GUARDED_BY(mu_);  // "" before initialize, or for a sessionless server
  bool initialized_ GUARDED_BY(mu_) = false;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MCP_MOUNTS_MCP_HTTP_CLIENT_H_
