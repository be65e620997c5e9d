// External MCP servers mounted into a tenant (the mcp_* methods), and the calls the gateway
// forwards to them (rpc/mcp/: a mounted tool is offered as <mount>__<tool>). Mounts are rows
// of mcp_mounts, so they survive restarts and every node sees them; the connection to each
// server is per node, opened on first use.
//
// Only a tenant administrator mounts, and a tenant's mounts are its own. Who may list and call
// a mount's tools is ReBAC's: relations viewer and executor on ("mcp_server", name).
//
// Transports: Streamable HTTP (url, headers), through the node's outbound HTTP with the
// webhooks' address rules (no private addresses unless allowed); stdio (command, args, env),
// the server run in a sandbox of its own (McpStdioConnection) that sees /usr and the
// configured server directories read-only and nothing else of the host.
#ifndef NEXUS_SERVICES_MCP_MOUNTS_MCP_MOUNTS_H_
#define NEXUS_SERVICES_MCP_MOUNTS_MCP_MOUNTS_H_

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "auth/identity.h"
#include "sandbox/provider.h"
#include "services/mcp_mounts/mcp_client.h"
#include "services/outbound_http.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/aead.h"
#include "util/mutex.h"

namespace nexus::services {

struct McpMountSpec {
  std::string name;       // [a-z0-9][a-z0-9_-]*, at most 64, no "__" (the gateway's separator)
  std::string transport;  // "http" or "stdio"; empty: from command or url
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string description;
  std::string tier = "system";
};

struct McpMount {
  std::string tenant_id;
  std::string name;
  std::string transport;  // "http" or "stdio"
  std::string url;
  std::string command;
  std::vector<std::string> args;
  std::string description;
  std::string tier;
  bool mounted = false;
  std::vector<McpTool> tools;
  std::optional<int64_t> last_sync;  // microseconds since the epoch
  int64_t created_at = 0;            // when this row was saved (mounting again replaces it)
};

struct McpMountOptions {
  bool allow_private_networks = false;  // servers on loopback and private addresses
  // Runs stdio servers; null: stdio mounts are refused.
  sandbox::Provider* sandboxes = nullptr;
  // Host directories stdio servers see read-only (where a server's own files are).
  std::vector<std::string> server_dirs;
};

class McpMountService {
 public:
  // `engine` and `http` must outlive the service; `sealer` seals headers and environment.
  McpMountService(storage::Engine& engine, OutboundHttp& http, Aead sealer,
                  McpMountOptions options = {});
  ~McpMountService();

  // Connects, lists the server's tools and saves the mount (replacing one of that name).
  // kPermissionDenied for a caller who is not a tenant administrator; kValidation for a
  // spec that names neither or both of command and url, or a server that cannot be reached
  // (or started) or refuses.
  StatusOr<McpMount> Mount(const auth::Identity& caller, McpMountSpec spec);
  // The tenant's mounts, by name; only mounted ones unless `include_unmounted`.
  StatusOr<std::vector<McpMount>> List(const std::string& tenant_id,
                                       const std::optional<std::string>& tier,
                                       bool include_unmounted);
  // kValidation "MCP server 'NAME' is not mounted" for a name the tenant has not mounted.
  StatusOr<McpMount> Find(const std::string& tenant_id, const std::string& name);
  StatusOr<McpMount> Sync(const auth::Identity& caller, const std::string& name);
  Status Unmount(const auth::Identity& caller, const std::string& name);
  // Forwards tools/call to `mount` (as Find gave it); the server's CallToolResult as JSON text.
  StatusOr<std::string> CallTool(const McpMount& mount, const std::string& tool,
                                 const std::string& arguments_json);

 private:
  // The client of a saved mount, made from its row on first use and again whenever the row
  // was replaced (by a node or by another one: mounting the name again).
  StatusOr<std::shared_ptr<McpClient>> ClientOf(const McpMount& mount);
  // A client for `spec` (its secrets in the clear), not connected yet.
  StatusOr<std::shared_ptr<McpClient>> ClientFor(const std::string& tenant_id,
                                                 const McpMountSpec& spec) const;
  Status Save(const McpMount& mount, const McpMountSpec& spec);
  Status SaveTools(const std::string& tenant_id, const std::string& name,
                   const std::vector<McpTool>& tools);
  void Forget(const std::string& tenant_id, const std::string& name);

  storage::Engine& engine_;
  OutboundHttp& http_;
  const Aead sealer_;
  const McpMountOptions options_;
  Mutex mu_;
  // (tenant, name) -> the open client.
  struct Cached {
    int64_t created_at;  // of the row it was made from
    std::shared_ptr<McpClient> client;
  };
  std::map<std::pair<std::string, std::string>, Cached> clients_ GUARDED_BY(mu_);
};

// [{"name", "description", "input_schema"}] as mcp_list_tools answers it, in JSON text.
std::string ToolsJson(const std::vector<McpTool>& tools);

std::span<const storage::Migration> McpMountsSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MCP_MOUNTS_MCP_MOUNTS_H_
