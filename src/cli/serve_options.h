// Options of `nexus serve`, from flags and from the reference's YAML config file.
#ifndef NEXUS_CLI_SERVE_OPTIONS_H_
#define NEXUS_CLI_SERVE_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/oauth_config.h"
#include "util/status.h"

namespace nexus::cli {

struct ServeOptions {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string data_dir = "./nexus-data";
  std::string config_file;
  std::string database_url;  // empty: SQLite in data_dir
  std::string auth_type = "database";
  std::string durability = "full";
  int workers = 16;
  // Requests waiting for a worker before 503. Sized for clients, not for workers: 256 agents
  // each firing a page's four calls at once must queue, not be refused.
  int max_queue = 1024;
  int64_t max_body_bytes = 64 << 20;
  // Request bodies held in memory at once, across all connections, charged at 4 times
  // their size (--max-body-memory-bytes, server.max_body_memory_bytes; server/http_server.h).
  int64_t max_body_memory_bytes = 256 << 20;
  // Provision what the reference's demo had: its fixed admin key (unless NEXUS_ADMIN_API_KEY
  // is set), a workspace, two agents and six skills (node/demo.h).
  bool demo = false;
  // From the first byte of a request to its last: slow and stalled senders are cut off.
  int header_timeout_seconds = 30;
  // Host directories under which `local` mounts may lie (--mount-root, mounts.local_roots);
  // none: local mounts are refused.
  std::vector<std::string> mount_roots;
  // Web origins besides this machine's pages that may use /mcp (--mcp-allowed-origin).
  std::vector<std::string> mcp_allowed_origins;
  bool mcp_allow_private_networks = false;   // --mcp-allow-private-networks
  std::vector<std::string> mcp_server_dirs;  // --mcp-server-dir
  // OAuth providers and the key sealing their tokens (config file only).
  OAuthConfig oauth;
  // Webhook deliveries: the wait before the second attempt, doubled before the third
  // (--webhook-retry-backoff-ms, webhooks.retry_backoff_ms), and how long a node's claim on
  // an event lasts before another node (or this one, restarted) may deliver it
  // (--webhook-lease-ms, webhooks.lease_ms).
  int webhook_retry_backoff_ms = 1000;
  int webhook_lease_ms = 120000;
  // Whether subscription URLs may point at loopback or private addresses
  // (--webhook-allow-private-networks, webhooks.allow_private_networks).
  bool webhook_allow_private_networks = false;
  // Nodes sharing a PostgreSQL database (docs/deployment.md): this node's name among them
  // (--node-id, cluster.node_id; empty: the one kept in <data_dir>/node.id), the base URL
  // the others reach it at (--advertise-url, cluster.advertise_url; empty: http://host:port),
  // and how long it answers /health with 503 before it stops taking requests on SIGTERM,
  // so that a load balancer turns away first (--drain-seconds, cluster.drain_seconds).
  std::string node_id;
  std::string advertise_url;
  int drain_seconds = 0;
};

// Reads the YAML file `path` into `options`, skipping every option for which
// `set_on_command_line(flag)` is true (flags win over the file). Keys of the reference that
// do not apply are collected in `ignored` so the caller can warn once. Wrong types and
// unreadable files are kInvalidArgument naming the key or the file.
Status ApplyConfigFile(const std::string& path, ServeOptions& options,
                       const std::function<bool(std::string_view flag)>& set_on_command_line,
                       std::vector<std::string>* ignored);

// As ApplyConfigFile, over the YAML text of a config file; `source` names it in errors.
Status ApplyConfigText(std::string_view yaml, std::string_view source, ServeOptions& options,
                       const std::function<bool(std::string_view flag)>& set_on_command_line,
                       std::vector<std::string>* ignored);

// Checks values that flags and files can get wrong (port range, auth type, durability...).
Status ValidateServeOptions(const ServeOptions& options);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_SERVE_OPTIONS_H_
