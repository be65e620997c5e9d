// The node module's face: one running Nexus server, opened like LevelDB's DB::Open.
//
// A Node owns everything a server is made of: the store, ReBAC, the path tree, every
// service, the RPC dispatcher, the HTTP server, the background workers, and the order in
// which they stop. `nexus serve` maps its flags to NodeOptions and opens one; tests and
// fuzzers open one on a temporary directory. Per-node state (the mount table, the sandbox
// registry, the caches) has this one owner.
#ifndef NEXUS_NODE_NODE_H_
#define NEXUS_NODE_NODE_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "server/http_server.h"
#include "services/oauth/oauth_provider.h"
#include "services/provisioning.h"
#include "services/webhooks/webhook_delivery.h"
#include "storage/engine.h"
#include "util/status.h"

namespace nexus::rpc {
class Dispatcher;
class McpEndpoint;
}  // namespace nexus::rpc

namespace nexus::node {

struct NodeOptions {
  std::string data_dir = "./nexus-data";
  std::string database_url;  // empty: SQLite in data_dir
  storage::Durability durability = storage::Durability::kFull;
  auth::AuthMode auth_mode = auth::AuthMode::kDatabase;
  // The system administrator's key to register on first start; empty: the demo's key with
  // `demo`, else one is generated.
  std::string admin_key;
  // Also provision the reference's demo (node/demo.h).
  bool demo = false;
  // Off: the sandbox methods answer as on a server without a sandbox provider, and no
  // socket for sandboxes is opened.
  bool sandboxes = true;
  // Host directories under which `local` mounts may lie; none: local mounts are refused.
  std::vector<std::string> mount_roots;
  // Web origins besides this machine's own pages that may use /mcp (server/origin.h).
  std::vector<std::string> mcp_allowed_origins;
  // Let MCP mounts reach servers on loopback and private addresses (refused by default).
  bool mcp_allow_private_networks = false;
  // Host directories stdio MCP servers see read-only (their own files); /usr they see anyway.
  std::vector<std::string> mcp_server_dirs;
  std::vector<services::OAuthProvider> oauth_providers;
  std::string oauth_encryption_key;  // base64; empty: <data_dir>/oauth.key
  services::DeliveryOptions webhook_delivery;
  std::chrono::milliseconds webhook_lease{120000};
  // What Listen() starts. Its host is also the one subscriptions know as this server's own.
  server::ServerOptions http;
  // This node among those sharing the database (cluster/cluster.h); empty: the id kept in
  // <data_dir>/node.id, made on first start.
  std::string node_id;
  // The base URL other nodes reach this one at; empty: http://<host>:<port> of `http`
  // (the machine's name for a wildcard host).
  std::string advertise_url;
};

// What opening found or created, for the operator to see once.
struct NodeReport {
  services::ProvisionResult admin;
  std::string untrusted_agent_key;  // the demo's agent key, when created now
};

class Node {
 public:
  // Opens the store (creating or migrating it), provisions the administrator (and the
  // demo), restores saved mounts, sandboxes and jobs, and starts the background workers.
  // The HTTP server is not listening yet: see Listen().
  static StatusOr<std::unique_ptr<Node>> Open(NodeOptions options);

  // Stops everything in order: the HTTP server drains first, the workers stop, the store
  // closes (a checkpoint on SQLite) last.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Starts the HTTP server of NodeOptions::http, and the Unix socket through which
  // sandboxes reach it, and joins the cluster under the advertised address. Once only.
  Status Listen();
  // From now on /health answers 503 (draining), so load balancers stop sending requests;
  // the node goes on serving what still comes until it is destroyed.
  void BeginDrain();
  uint16_t port() const;  // the bound port; 0 before Listen

  const NodeReport& report() const;
  // The JSON-RPC face without HTTP: what the fuzzers and in-process tests call.
  const rpc::Dispatcher& dispatcher() const;
  const rpc::McpEndpoint& mcp() const;

 private:
  struct Parts;
  explicit Node(NodeOptions options);
  Status Init();
  Status OpenServices();
  Status OpenMounts();
  Status OpenOAuth();
  Status OpenCluster();
  std::string AdvertisedAddress() const;
  Status Provision();
  void OpenApi();

  const NodeOptions options_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace nexus::node

#endif  // NEXUS_NODE_NODE_H_
