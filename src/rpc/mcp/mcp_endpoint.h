// The MCP face of the server: the messages of the Model Context Protocol's Streamable HTTP
// transport at /mcp, answered through the same methods, session and access policy as
// /api/nfs (docs/mcp.md). Knows nothing of HTTP beyond the few headers the transport defines;
// the server authenticates the request and checks its Origin before it comes here.
#ifndef NEXUS_RPC_MCP_MCP_ENDPOINT_H_
#define NEXUS_RPC_MCP_MCP_ENDPOINT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/identity.h"
#include "session/services.h"
#include "util/status.h"

namespace nexus::rpc {

class Dispatcher;

namespace mcp {
class McpEvents;
class McpSessions;
class ToolSet;
}  // namespace mcp

// Where a session's server-to-client stream goes (GET /mcp), as the transport carries it:
// Send writes one Server-Sent Events block; false once the client has gone.
class McpEventSink {
 public:
  virtual ~McpEventSink() = default;
  virtual bool Send(const std::string& event) = 0;
  // Ends the stream (the session ended).
  virtual void Close() = 0;
};

// A message larger than this is refused (413) unread: tool arguments are text for a model,
// and a file of any size goes through upload sessions instead.
inline constexpr size_t kMaxMcpBodyBytes = 16 << 20;
inline constexpr char kMcpPath[] = "/mcp";

// Sends one JSON-RPC request (`request_json`, of `method`) to the node `owner_node` with the
// MCP request's own credentials, for a tool whose work another node holds (a sandbox, a
// local mount); the owner's answer body when it answered 200, an error otherwise.
using NodeCall = std::function<StatusOr<std::string>(
    const std::string& owner_node, const std::string& method, const std::string& request_json)>;

struct McpRequest {
  std::string http_method;       // "POST", "GET" or "DELETE"
  std::string_view body;         // not copied
  std::string session_id;        // Mcp-Session-Id, "" when absent
  std::string protocol_version;  // MCP-Protocol-Version, "" when absent
  const auth::Identity* caller = nullptr;
  // Not OK: the credentials may not make the call (an X-Agent-ID the key may not act as).
  Status refusal = Status::OK();
  NodeCall call_node;  // empty: there is no other node to ask
};

struct McpResponse {
  int http_status = 200;
  std::string body;  // JSON, or empty
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a stream (text/event-stream): the transport calls it once, with its sink, when
  // the head is sent. Must not block.
  std::function<void(std::shared_ptr<McpEventSink>)> open_stream;
};

class McpEndpoint {
 public:
  // `dispatcher` must outlive the endpoint; tools run its methods. Subscribed files and the
  // prompt list are looked at every `poll` for changes to notify.
  McpEndpoint(session::Services services, const Dispatcher& dispatcher,
              std::chrono::milliseconds poll = std::chrono::milliseconds(1000));
  ~McpEndpoint();

  McpResponse Handle(const McpRequest& request) const;

  size_t open_sessions() const;

 private:
  McpResponse Post(const McpRequest& request) const;
  McpResponse Delete(const McpRequest& request) const;
  McpResponse Get(const McpRequest& request) const;

  session::Services services_;
  const Dispatcher& dispatcher_;
  std::unique_ptr<mcp::McpSessions> sessions_;
  std::unique_ptr<mcp::ToolSet> tools_;
  std::unique_ptr<mcp::McpEvents> events_;
};

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_MCP_MCP_ENDPOINT_H_
