#include "cli/serve.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "auth/authenticator.h"
#include "auth/key_store.h"
#include "cli/demo.h"
#include "rebac/purger.h"
#include "rebac/rebac.h"
#include "rpc/dispatcher.h"
#include "rpc/subscription_routes.h"
#include "sandbox/bubblewrap_provider.h"
#include "server/http_server.h"
#include "server/nexus_handler.h"
#include "server/outbound_http_client.h"
#include "server/unix_socket_relay.h"
#include "services/agents.h"
#include "services/memory_service.h"
#include "services/metadata_transfer.h"
#include "services/mounts.h"
#include "services/oauth_credentials.h"
#include "services/oauth_key.h"
#include "services/permission_hooks.h"
#include "services/provisioning.h"
#include "services/sandboxes.h"
#include "services/skills.h"
#include "services/subscriptions.h"
#include "services/webhook_worker.h"
#include "services/workspace_registry.h"
#include "services/workspace_snapshots.h"
#include "storage/store.h"
#include "util/aead.h"
#include "util/fault_injection.h"
#include "util/file.h"
#include "vfs/path_tree.h"

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

void AddStoreGauges(server::Metrics& metrics, const storage::Engine& engine) {
  metrics.AddGaugeCallback("nexus_store_commits_total",
                           "Write transactions committed (commit groups on SQLite)",
                           [&engine] { return static_cast<double>(engine.Stats().commits); });
  metrics.AddGaugeCallback("nexus_store_write_units_total", "Write units committed",
                           [&engine] { return static_cast<double>(engine.Stats().write_units); });
  metrics.AddGaugeCallback(
      "nexus_store_commit_group_size", "Average write units per commit", [&engine] {
        const storage::EngineStats s = engine.Stats();
        return s.commits == 0 ? 0.0 : static_cast<double>(s.write_units) / s.commits;
      });
}

void PrintBanner(const ServeOptions& options, uint16_t port,
                 const services::ProvisionResult& provisioned, const DemoResult& demo) {
  std::printf("Nexus is serving on http://%s:%u (data: %s, auth: %s)\n", options.host.c_str(), port,
              options.data_dir.c_str(), options.auth_type.c_str());
  if (provisioned.created_key) {
    std::printf("Admin API key (shown once, also in %s): %s\n", provisioned.key_file.c_str(),
                provisioned.raw_key.c_str());
  } else {
    std::printf("Admin API key: see %s\n", provisioned.key_file.c_str());
  }
  if (!demo.untrusted_agent_key.empty()) {
    std::printf("Demo agent admin,UntrustedAgent API key (shown once): %s\n",
                demo.untrusted_agent_key.c_str());
  }
  std::fflush(stdout);
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
  const auto durability =
      options.durability == "full" ? storage::Durability::kFull : storage::Durability::kNormal;
  StatusOr<storage::Store> store = storage::OpenStore(
      {options.data_dir, options.database_url, durability, /*cache_blobs=*/true});
  if (!store.ok()) return Fail("cannot open the store", store.status());
  StatusOr<std::unique_ptr<server::OutboundHttpClient>> outbound =
      server::OutboundHttpClient::Create({});
  if (!outbound.ok()) return Fail("cannot set up outbound HTTP", outbound.status());
  services::DeliveryOptions delivery;
  delivery.backoff = std::chrono::milliseconds(options.webhook_retry_backoff_ms);
  delivery.allow_private_networks = options.webhook_allow_private_networks;
  services::SubscriptionService subscriptions(*store->engine, **outbound, delivery, options.host);
  services::WebhookWorkerOptions webhook_options;
  webhook_options.lease = std::chrono::milliseconds(options.webhook_lease_ms);
  services::WebhookWorker webhooks(*store->engine, subscriptions, webhook_options);
  rebac::Rebac rebac(*store->engine);
  rebac::Purger purger(rebac, {});
  purger.Start();
  vfs::PathTree tree(*store->engine, *store->blobs,
                     vfs::ChainHooks(services::PermissionHooks(rebac), webhooks.Hooks()));
  if (Status s = webhooks.Start(); !s.ok()) return Fail("webhook outbox", s);
  auth::KeyStore keys(*store->engine);
  keys.StartBackgroundFlush(std::chrono::seconds(1));

  services::ProvisionOptions provision;
  provision.data_dir = options.data_dir;
  if (const char* key = std::getenv("NEXUS_ADMIN_API_KEY")) {
    provision.admin_key = key;
  } else if (options.demo) {
    provision.admin_key = kDemoAdminKey;
  }
  StatusOr<services::ProvisionResult> provisioned =
      services::ProvisionFirstStart(provision, tree, keys);
  if (!provisioned.ok()) return Fail("provisioning failed", provisioned.status());

  // Sandboxes reach Nexus through a Unix socket in the data directory (absolute: it is
  // bound into their jails).
  const std::string data_dir =
      std::filesystem::absolute(options.data_dir).lexically_normal().string();
  const std::unique_ptr<sandbox::Provider> bubblewrap = sandbox::NewBubblewrapProvider();
  services::SandboxServiceOptions sandbox_options;
  sandbox_options.data_dir = data_dir;
  sandbox_options.nexus_socket = data_dir + "/nexus.sock";
  services::SandboxService sandboxes(*store->engine, *bubblewrap, sandbox_options);
  if (Status s = sandboxes.RecoverAfterRestart(); !s.ok()) return Fail("sandbox records", s);
  sandboxes.StartExpiry(std::chrono::seconds(30));

  services::AgentRegistry agents(*store->engine, tree, rebac, keys);
  const auth::Authenticator authenticator(
      options.auth_type == "none" ? auth::AuthMode::kNone : auth::AuthMode::kDatabase, &keys,
      &agents);
  services::MemoryService memory(*store->engine);
  services::WorkspaceRegistry workspaces(*store->engine, tree, rebac);
  services::WorkspaceSnapshots snapshots(*store->engine, tree, *store->blobs);
  services::SkillService skills(*store->engine, tree);
  services::MetadataTransfer metadata(*store->engine, tree);
  services::MountServiceOptions mount_options{data_dir, {}};
  for (const std::string& root : options.mount_roots) {
    StatusOr<std::string> resolved = RealPath(root);
    if (!resolved.ok()) return Fail("invalid mount root", resolved.status());
    mount_options.local_roots.push_back(*std::move(resolved));
  }
  services::MountService mounts(*store->engine, tree, rebac, std::move(mount_options));
  if (Status s = mounts.RecoverJobsAfterRestart(); !s.ok()) return Fail("sync job records", s);
  // A saved mount that cannot be activated again (its directory gone) must not stop the server.
  const auto report = [](const std::string& point, const Status& s) {
    std::fprintf(stderr, "nexus serve: saved mount %s not restored: %s\n", point.c_str(),
                 s.message().c_str());
  };
  if (Status s = mounts.LoadAllSaved(report); !s.ok()) return Fail("saved mounts", s);
  mounts.StartWorker();
  // Always on, even without providers: stored credentials stay listable and revocable.
  StatusOr<std::string> oauth_key =
      services::LoadOAuthKey(options.oauth.encryption_key, data_dir + "/oauth.key");
  if (!oauth_key.ok()) return Fail("OAuth encryption key", oauth_key.status());
  StatusOr<Aead> oauth_aead = Aead::Create(*std::move(oauth_key));
  if (!oauth_aead.ok()) return Fail("OAuth encryption key", oauth_aead.status());
  services::OAuthService oauth(*store->engine, **outbound, options.oauth.providers,
                               *std::move(oauth_aead));
  DemoResult demo;
  if (options.demo) {
    StatusOr<DemoResult> provisioned_demo =
        ProvisionDemo({tree, rebac, agents, skills, workspaces});
    if (!provisioned_demo.ok()) return Fail("demo provisioning failed", provisioned_demo.status());
    demo = *provisioned_demo;
  }
  const rpc::Dispatcher dispatcher(rpc::Services{.engine = store->engine.get(),
                                                 .tree = &tree,
                                                 .keys = &keys,
                                                 .rebac = &rebac,
                                                 .sandboxes = &sandboxes,
                                                 .agents = &agents,
                                                 .memory = &memory,
                                                 .workspaces = &workspaces,
                                                 .snapshots = &snapshots,
                                                 .mounts = &mounts,
                                                 .skills = &skills,
                                                 .oauth = &oauth,
                                                 .metadata = &metadata});
  server::Metrics metrics;
  AddStoreGauges(metrics, *store->engine);
  const rpc::SubscriptionRoutes subscription_routes(&subscriptions);
  server::NexusHandler handler(dispatcher, authenticator, metrics, &subscription_routes);
  server::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = static_cast<uint16_t>(options.port);
  server_options.workers = options.workers;
  server_options.queue_capacity = static_cast<size_t>(options.max_queue);
  server_options.body_limit = static_cast<size_t>(options.max_body_bytes);
  server_options.body_memory_budget = static_cast<size_t>(options.max_body_memory_bytes);
  server_options.header_timeout = std::chrono::seconds(options.header_timeout_seconds);
  server::HttpServer http(server_options, handler, metrics);
  if (Status s = http.Start(); !s.ok()) return Fail("cannot listen", s);
  subscriptions.SetOwnPort(http.port());
  StatusOr<std::unique_ptr<server::UnixSocketRelay>> relay =
      server::UnixSocketRelay::Start(sandbox_options.nexus_socket, http.port());
  if (!relay.ok()) return Fail("cannot listen on the sandbox socket", relay.status());
  PrintBanner(options, http.port(), *provisioned, demo);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::printf("nexus serve: %s received, draining requests\n",
              signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  // Members go in reverse order: the server drains first, the store closes (checkpoint) last.
  http.Stop();
  webhooks.Stop();
  mounts.Stop();
  purger.Stop();
  return 0;
}

}  // namespace nexus::cli
