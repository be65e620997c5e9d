// A client of another MCP server: initialize, tools/list, tools/call, over a connection that
// carries JSON-RPC messages one way or another (Streamable HTTP, or a sandboxed process's
// stdio). JSON crosses these interfaces as text, to keep the JSON library out of headers.
#ifndef NEXUS_SERVICES_MCP_MOUNTS_MCP_CLIENT_H_
#define NEXUS_SERVICES_MCP_MOUNTS_MCP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/mutex.h"
#include "util/status.h"

namespace nexus::services {

struct McpTool {
  std::string name;
  std::string description;
  std::string input_schema_json;  // the tool's inputSchema, "{}" when it gave none
};

// One transport to one server.
class McpConnection {
 public:
  virtual ~McpConnection() = default;
  // Sends one message (JSON text). A request (`id` set) waits for the server's answer and
  // returns it whole; a notification returns "". kNotFound when the server lost the session
  // (it restarted, or its process died): Reset, then initialize again.
  virtual StatusOr<std::string> Send(const std::string& message, std::optional<int64_t> id) = 0;
  // Forgets the session, so that the next Send starts a new one.
  virtual void Reset() = 0;
};

class McpClient {
 public:
  explicit McpClient(std::unique_ptr<McpConnection> connection)
      : connection_(std::move(connection)) {}

  // Every tool of the server, following its cursor.
  StatusOr<std::vector<McpTool>> ListTools();
  // The server's CallToolResult as JSON text (isError results included).
  StatusOr<std::string> CallTool(const std::string& name, const std::string& arguments_json);

 private:
  // The result of `method` as JSON text; initialises first, and once more if the server
  // lost the session.
  StatusOr<std::string> Request(const std::string& method, const std::string& params_json);
  StatusOr<std::string> RequestOnce(const std::string& method, const std::string& params_json);
  Status Initialize();

  const std::unique_ptr<McpConnection> connection_;
  Mutex mu_;
  bool initialized_ GUARDED_BY(mu_) = false;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MCP_MOUNTS_MCP_CLIENT_H_
