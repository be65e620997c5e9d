#include "cli/serve.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "node/node.h"
#include "server/http_server.h"
#include "util/fault_injection.h"

namespace nexus::cli {
namespace {

// Blocks SIGINT and SIGTERM in this thread and every thread it starts afterwards, so that
// only the sigwait in RunServe receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// The largest body must fit in the body memory budget, charged as the server charges it;
// otherwise it would be refused whatever else is in flight.
Status CheckBodyMemory(const ServeOptions& options) {
  const auto factor = static_cast<int64_t>(server::ServerOptions{}.body_memory_factor);
  if (options.max_body_memory_bytes / factor >= options.max_body_bytes) return Status::OK();
  return InvalidArgument("--max-body-memory-bytes must be at least " + std::to_string(factor) +
                         " times --max-body-bytes: a body is charged " + std::to_string(factor) +
                         " times its size");
}

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "nexus serve: %s: %s\n", what, s.message().c_str());
  return 1;
}

void PrintBanner(const ServeOptions& options, uint16_t port, const node::NodeReport& report) {
  std::printf("Nexus is serving on http://%s:%u (data: %s, auth: %s)\n", options.host.c_str(), port,
              options.data_dir.c_str(), options.auth_type.c_str());
  const services::ProvisionResult& admin = report.admin;
  if (admin.created_key) {
    std::printf("Admin API key (shown once, also in %s): %s\n", admin.key_file.c_str(),
                admin.raw_key.c_str());
  } else {
    std::printf("Admin API key: see %s\n", admin.key_file.c_str());
  }
  if (!report.untrusted_agent_key.empty()) {
    std::printf("Demo agent admin,UntrustedAgent API key (shown once): %s\n",
                report.untrusted_agent_key.c_str());
  }
  std::fflush(stdout);
}

node::NodeOptions ToNodeOptions(const ServeOptions& options) {
  node::NodeOptions n;
  n.data_dir = options.data_dir;
  n.database_url = options.database_url;
  n.durability =
      options.durability == "full" ? storage::Durability::kFull : storage::Durability::kNormal;
  n.auth_mode = options.auth_type == "none" ? auth::AuthMode::kNone : auth::AuthMode::kDatabase;
  if (const char* key = std::getenv("NEXUS_ADMIN_API_KEY")) n.admin_key = key;
  n.demo = options.demo;
  n.mount_roots = options.mount_roots;
  n.mcp_allowed_origins = options.mcp_allowed_origins;
  n.mcp_allow_private_networks = options.mcp_allow_private_networks;
  n.mcp_server_dirs = options.mcp_server_dirs;
  n.oauth_providers = options.oauth.providers;
  n.oauth_encryption_key = options.oauth.encryption_key;
  n.webhook_delivery.backoff = std::chrono::milliseconds(options.webhook_retry_backoff_ms);
  n.webhook_delivery.allow_private_networks = options.webhook_allow_private_networks;
  n.webhook_lease = std::chrono::milliseconds(options.webhook_lease_ms);
  n.http.host = options.host;
  n.http.port = static_cast<uint16_t>(options.port);
  n.http.workers = options.workers;
  n.http.queue_capacity = static_cast<size_t>(options.max_queue);
  n.http.body_limit = static_cast<size_t>(options.max_body_bytes);
  n.http.body_memory_budget = static_cast<size_t>(options.max_body_memory_bytes);
  n.http.header_timeout = std::chrono::seconds(options.header_timeout_seconds);
  n.node_id = options.node_id;
  n.advertise_url = options.advertise_url;
  return n;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  const sigset_t stop_signals = BlockStopSignals();
  if (Status s = ValidateServeOptions(options); !s.ok()) return Fail("invalid options", s);
  if (Status s = CheckBodyMemory(options); !s.ok()) return Fail("invalid options", s);
  if (Status s = SetFaultsFromEnvironment(); !s.ok()) return Fail("invalid fault rules", s);
  if (const char* faults = std::getenv(kFaultsEnvVar)) {
    std::fprintf(stderr, "nexus serve: fault injection armed: %s\n", faults);
  }
  StatusOr<std::unique_ptr<node::Node>> node = node::Node::Open(ToNodeOptions(options));
  if (!node.ok()) return Fail("cannot start", node.status());
  if (Status s = (*node)->Listen(); !s.ok()) return Fail("cannot start", s);
  PrintBanner(options, (*node)->port(), (*node)->report());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::printf("nexus serve: %s received, draining requests\n",
              signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  (*node)->BeginDrain();
  if (options.drain_seconds > 0) {
    // Load balancers see /health turn 503 and stop sending; a second signal cuts it short.
    const timespec drain{.tv_sec = options.drain_seconds, .tv_nsec = 0};
    (void)sigtimedwait(&stop_signals, nullptr, &drain);
  }
  // The node drains the HTTP server first and closes the store (a checkpoint) last.
  node->reset();
  return 0;
}

}  // namespace nexus::cli
