#include "node/node.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "auth/key_store.h"
#include "cluster/cluster.h"
#include "node/demo.h"
#include "node/schema.h"
#include "rebac/purger.h"
#include "rebac/rebac.h"
#include "rpc/dispatcher.h"
#include "rpc/mcp/mcp_endpoint.h"
#include "rpc/subscription_routes.h"
#include "sandbox/bubblewrap_provider.h"
#include "server/health.h"
#include "server/metrics.h"
#include "server/nexus_handler.h"
#include "server/node_forwarder.h"
#include "server/outbound_http_client.h"
#include "server/unix_socket_relay.h"
#include "services/agents/agents.h"
#include "services/mcp_mounts/mcp_mounts.h"
#include "services/memory/memory_service.h"
#include "services/metadata_transfer.h"
#include "services/mounts/mounts.h"
#include "services/oauth/oauth_credentials.h"
#include "services/oauth/oauth_key.h"
#include "services/permission_hooks.h"
#include "services/sandboxes/sandboxes.h"
#include "services/skills/skills.h"
#include "services/webhooks/subscriptions.h"
#include "services/webhooks/webhook_worker.h"
#include "services/workspaces/workspace_registry.h"
#include "services/workspaces/workspace_snapshots.h"
#include "storage/store.h"
#include "util/aead.h"
#include "util/file.h"
#include "util/ids.h"
#include "util/unique_fd.h"
#include "vfs/path_tree.h"
#include "vfs/uploads.h"

namespace nexus::node {

// Declared in construction order: members are destroyed in reverse, so each part outlives
// every part that holds a reference to it. Threads are stopped explicitly in ~Node before
// any member goes.
struct Node::Parts {
  std::string data_dir;  // absolute: the sandbox socket inside it is bound into jails
  storage::Store store;
  UniqueFd node_id_lock;  // of <data_dir>/node.id, when the id is kept there
  std::unique_ptr<cluster::Cluster> cluster;
  std::unique_ptr<server::Health> health;
  std::unique_ptr<server::OutboundHttpClient> outbound;
  std::unique_ptr<services::SubscriptionService> subscriptions;
  std::unique_ptr<services::WebhookWorker> webhooks;
  std::unique_ptr<rebac::Rebac> rebac;
  std::unique_ptr<rebac::Purger> purger;
  std::unique_ptr<vfs::PathTree> tree;
  std::unique_ptr<vfs::Uploads> uploads;
  std::unique_ptr<auth::KeyStore> keys;
  std::unique_ptr<sandbox::Provider> bubblewrap;
  std::unique_ptr<services::SandboxService> sandboxes;
  std::unique_ptr<services::AgentRegistry> agents;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<services::MemoryService> memory;
  std::unique_ptr<services::WorkspaceRegistry> workspaces;
  std::unique_ptr<services::WorkspaceSnapshots> snapshots;
  std::unique_ptr<services::SkillService> skills;
  std::unique_ptr<services::MetadataTransfer> metadata;
  std::unique_ptr<services::MountService> mounts;
  std::unique_ptr<services::OAuthService> oauth;
  std::unique_ptr<services::McpMountService> mcp_mounts;
  std::unique_ptr<rpc::Dispatcher> dispatcher;
  server::Metrics metrics;
  std::unique_ptr<rpc::SubscriptionRoutes> subscription_routes;
  std::unique_ptr<server::NodeForwarder> forwarder;  // null when the database is not shared
  std::unique_ptr<rpc::McpEndpoint> mcp;
  std::unique_ptr<server::NexusHandler> handler;
  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<server::UnixSocketRelay> relay;
  NodeReport report;
};

namespace {

std::string SandboxSocket(const std::string& data_dir) { return data_dir + "/nexus.sock"; }

// The node's id: given, or kept in <data_dir>/node.id so that a restarted node is the same
// node (its sandboxes and mounts are its own again).
StatusOr<std::string> NodeId(const std::string& given, const std::string& data_dir) {
  if (!given.empty()) return given;
  const std::string path = data_dir + "/node.id";
  StatusOr<std::string> kept = ReadFile(path);
  if (!kept.ok()) {
    RETURN_IF_ERROR(WriteFileAtomically(path, "node-" + RandomHex(6) + "\n", /*sync=*/true));
    ASSIGN_OR_RETURN(kept, ReadFile(path));
  }
  std::string id = *kept;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  if (!cluster::IsNodeId(id)) return InvalidArgument(path + " does not hold a node id");
  return id;
}

// Held while the node runs: the process holding it is the only one using <data_dir>'s id,
// so a live registration under that id is this node's previous life. kInUse when another
// process of this machine holds it.
StatusOr<UniqueFd> LockNodeId(const std::string& data_dir) {
  const std::string path = data_dir + "/node.id";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "open " + path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status(Code::kInUse, "another nexus serve uses the data directory " + data_dir);
  }
  return fd;
}

void AddHealthGauges(server::Metrics& metrics, const server::Health& health,
                     const cluster::Cluster& cluster) {
  metrics.AddGaugeCallback("nexus_node_ready",
                           "1 when /health tells load balancers to send requests",
                           [&health] { return health.NotReadyReason() ? 0.0 : 1.0; });
  metrics.AddGaugeCallback("nexus_node_draining", "1 once the node began draining (SIGTERM)",
                           [&health] { return health.draining() ? 1.0 : 0.0; });
  metrics.AddGaugeCallback("nexus_database_reachable",
                           "1 when the node's last look at its database succeeded",
                           [&health] { return health.database_reachable() ? 1.0 : 0.0; });
  metrics.AddGaugeCallback("nexus_cluster_live_nodes",
                           "Nodes sharing the database with a fresh heartbeat, this one included",
                           [&cluster] { return static_cast<double>(cluster.live_nodes()); });
  metrics.AddGaugeCallback(
      "nexus_cluster_failed_rounds_total",
      "Rounds of the cluster thread (heartbeat and change feed) that could not reach the database",
      [&cluster] { return static_cast<double>(cluster.failed_rounds()); });
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

// Prefixes the error of one opening step with what was being opened.
Status Step(std::string_view what, const Status& s) {
  if (s.ok()) return s;
  return Status(s.code(), std::string(what) + ": " + s.message());
}

}  // namespace

Node::Node(NodeOptions options) : options_(std::move(options)), parts_(new Parts) {}

StatusOr<std::unique_ptr<Node>> Node::Open(NodeOptions options) {
  std::unique_ptr<Node> node(new Node(std::move(options)));
  RETURN_IF_ERROR(node->Init());
  return node;
}

Node::~Node() {
  Parts& p = *parts_;
  if (p.http) p.http->Stop();
  if (p.cluster) p.cluster->Stop();
  p.relay.reset();
  if (p.webhooks) p.webhooks->Stop();
  if (p.mounts) p.mounts->Stop();
  if (p.purger) p.purger->Stop();
}

Status Node::Init() {
  Parts& p = *parts_;
  p.data_dir = std::filesystem::absolute(options_.data_dir).lexically_normal().string();
  StatusOr<storage::Store> store = storage::OpenStore({.data_dir = options_.data_dir,
                                                       .database_url = options_.database_url,
                                                       .schema = Schema(),
                                                       .durability = options_.durability,
                                                       .cache_blobs = true});
  if (!store.ok()) return Step("cannot open the store", store.status());
  p.store = std::move(store).value();
  RETURN_IF_ERROR(Step("node id", OpenCluster()));
  ASSIGN_OR_RETURN(p.outbound, server::OutboundHttpClient::Create({}));
  p.subscriptions = std::make_unique<services::SubscriptionService>(
      *p.store.engine, *p.outbound, options_.webhook_delivery, options_.http.host);
  services::WebhookWorkerOptions webhook_options;
  webhook_options.lease = options_.webhook_lease;
  p.webhooks =
      std::make_unique<services::WebhookWorker>(*p.store.engine, *p.subscriptions, webhook_options);
  p.rebac = std::make_unique<rebac::Rebac>(*p.store.engine);
  rebac::PurgeOptions purge;
  // One node purges for all; another takes over when the holder stops renewing.
  purge.may_run = [cluster = p.cluster.get(), lease = 3 * purge.interval] {
    StatusOr<bool> held = cluster->HoldLease("rebac_purge", lease);
    return held.ok() && *held;
  };
  p.purger = std::make_unique<rebac::Purger>(*p.rebac, purge);
  p.purger->Start();
  p.tree = std::make_unique<vfs::PathTree>(
      *p.store.engine, *p.store.blobs,
      vfs::ChainHooks(services::PermissionHooks(*p.rebac), p.webhooks->Hooks()));
  p.uploads = std::make_unique<vfs::Uploads>(*p.store.engine, *p.store.blobs, *p.tree);
  RETURN_IF_ERROR(Step("webhook outbox", p.webhooks->Start()));
  auth::KeyStoreOptions key_options;
  key_options.cluster = p.cluster.get();
  p.keys = std::make_unique<auth::KeyStore>(*p.store.engine, key_options);
  p.cluster->OnChange(cluster::kApiKeysTopic, [keys = p.keys.get()] {
    keys->ForgetAll();
    return Status::OK();
  });
  p.keys->StartBackgroundFlush(std::chrono::seconds(1));
  RETURN_IF_ERROR(Step("provisioning", Provision()));
  RETURN_IF_ERROR(OpenServices());
  OpenApi();
  return Status::OK();
}

Status Node::Provision() {
  Parts& p = *parts_;
  services::ProvisionOptions provision;
  provision.data_dir = options_.data_dir;
  provision.admin_key =
      options_.admin_key.empty() && options_.demo ? kDemoAdminKey : options_.admin_key;
  ASSIGN_OR_RETURN(p.report.admin, services::ProvisionFirstStart(provision, *p.tree, *p.keys));
  return Status::OK();
}

Status Node::OpenServices() {
  Parts& p = *parts_;
  storage::Engine& engine = *p.store.engine;
  if (options_.sandboxes) {
    p.bubblewrap = sandbox::NewBubblewrapProvider();
    services::SandboxServiceOptions sandbox_options;
    sandbox_options.data_dir = p.data_dir;
    sandbox_options.nexus_socket = SandboxSocket(p.data_dir);
    sandbox_options.cluster = p.cluster.get();
    p.sandboxes =
        std::make_unique<services::SandboxService>(engine, *p.bubblewrap, sandbox_options);
    RETURN_IF_ERROR(Step("sandbox records", p.sandboxes->RecoverAfterRestart()));
    p.sandboxes->StartExpiry(std::chrono::seconds(30));
  }
  p.agents = std::make_unique<services::AgentRegistry>(engine, *p.tree, *p.rebac, *p.keys,
                                                       p.cluster.get());
  p.cluster->OnChange(cluster::kAgentsTopic, [agents = p.agents.get()] {
    agents->ForgetAllRegistered();
    return Status::OK();
  });
  p.authenticator =
      std::make_unique<auth::Authenticator>(options_.auth_mode, p.keys.get(), p.agents.get());
  p.memory = std::make_unique<services::MemoryService>(engine);
  p.workspaces = std::make_unique<services::WorkspaceRegistry>(engine, *p.tree, *p.rebac);
  p.snapshots = std::make_unique<services::WorkspaceSnapshots>(engine, *p.tree, *p.store.blobs);
  p.skills = std::make_unique<services::SkillService>(engine, *p.tree);
  p.metadata = std::make_unique<services::MetadataTransfer>(engine, *p.tree);
  RETURN_IF_ERROR(OpenMounts());
  RETURN_IF_ERROR(OpenOAuth());
  if (options_.demo) {
    ASSIGN_OR_RETURN(const DemoResult demo,
                     ProvisionDemo({*p.tree, *p.rebac, *p.agents, *p.skills, *p.workspaces}));
    p.report.untrusted_agent_key = demo.untrusted_agent_key;
  }
  return Status::OK();
}

Status Node::OpenMounts() {
  Parts& p = *parts_;
  services::MountServiceOptions mount_options{p.data_dir, {}, p.cluster.get()};
  for (const std::string& root : options_.mount_roots) {
    StatusOr<std::string> resolved = RealPath(root);
    if (!resolved.ok()) return Step("invalid mount root", resolved.status());
    mount_options.local_roots.push_back(std::move(resolved).value());
  }
  p.mounts = std::make_unique<services::MountService>(*p.store.engine, *p.tree, *p.rebac,
                                                      std::move(mount_options));
  RETURN_IF_ERROR(Step("sync job records", p.mounts->RecoverJobsAfterRestart()));
  // A saved mount that cannot be activated again (its directory gone) must not stop the node.
  const auto report = [](const std::string& point, const Status& s) {
    std::fprintf(stderr, "nexus: saved mount %s not restored: %s\n", point.c_str(),
                 s.message().c_str());
  };
  // Other nodes' mounts first: a saved mount nested in one of them is refused.
  RETURN_IF_ERROR(Step("other nodes' mounts", p.mounts->LoadOtherNodesMounts()));
  RETURN_IF_ERROR(Step("saved mounts", p.mounts->LoadAllSaved(report)));
  p.cluster->OnChange(cluster::kMountsTopic,
                      [mounts = p.mounts.get()] { return mounts->LoadOtherNodesMounts(); });
  p.mounts->StartWorker();
  return Status::OK();
}

Status Node::OpenCluster() {
  Parts& p = *parts_;
  ASSIGN_OR_RETURN(const std::string node_id, NodeId(options_.node_id, p.data_dir));
  cluster::ClusterOptions cluster_options{.node_id = node_id};
  if (options_.node_id.empty()) {
    ASSIGN_OR_RETURN(p.node_id_lock, LockNodeId(p.data_dir));
    cluster_options.id_is_exclusive = true;
  }
  p.cluster = std::make_unique<cluster::Cluster>(*p.store.engine, cluster_options);
  p.health = std::make_unique<server::Health>(
      [cluster = p.cluster.get()] { return cluster->database_reachable(); });
  return Status::OK();
}

std::string Node::AdvertisedAddress() const {
  if (!options_.advertise_url.empty()) return options_.advertise_url;
  std::string host = options_.http.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) {
    char name[256] = {};
    host = ::gethostname(name, sizeof(name) - 1) == 0 ? name : "localhost";
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return "http://" + host + ":" + std::to_string(port());
}

void Node::BeginDrain() { parts_->health->BeginDrain(); }

// Always on, even without providers: stored credentials stay listable and revocable.
Status Node::OpenOAuth() {
  Parts& p = *parts_;
  StatusOr<std::string> key = services::LoadSharedOAuthKey(
      *p.store.engine, options_.oauth_encryption_key, p.data_dir + "/oauth.key");
  if (!key.ok()) return Step("OAuth encryption key", key.status());
  StatusOr<Aead> aead = Aead::Create(*key);
  if (!aead.ok()) return Step("OAuth encryption key", aead.status());
  p.oauth = std::make_unique<services::OAuthService>(
      *p.store.engine, *p.outbound, options_.oauth_providers, std::move(aead).value());
  // MCP mounts seal their headers with the same node key (a second instance of it).
  StatusOr<Aead> mcp_sealer = Aead::Create(std::move(key).value());
  if (!mcp_sealer.ok()) return Step("OAuth encryption key", mcp_sealer.status());
  p.mcp_mounts = std::make_unique<services::McpMountService>(
      *p.store.engine, *p.outbound, std::move(mcp_sealer).value(),
      services::McpMountOptions{.allow_private_networks = options_.mcp_allow_private_networks,
                                .sandboxes = p.bubblewrap.get(),
                                .server_dirs = options_.mcp_server_dirs});
  return Status::OK();
}

void Node::OpenApi() {
  Parts& p = *parts_;
  const session::Services services{.engine = p.store.engine.get(),
                                   .tree = p.tree.get(),
                                   .keys = p.keys.get(),
                                   .rebac = p.rebac.get(),
                                   .sandboxes = p.sandboxes.get(),
                                   .agents = p.agents.get(),
                                   .memory = p.memory.get(),
                                   .workspaces = p.workspaces.get(),
                                   .snapshots = p.snapshots.get(),
                                   .mounts = p.mounts.get(),
                                   .skills = p.skills.get(),
                                   .oauth = p.oauth.get(),
                                   .metadata = p.metadata.get(),
                                   .uploads = p.uploads.get(),
                                   .mcp_mounts = p.mcp_mounts.get()};
  p.dispatcher = std::make_unique<rpc::Dispatcher>(services);
  p.mcp = std::make_unique<rpc::McpEndpoint>(services, *p.dispatcher);
  AddStoreGauges(p.metrics, *p.store.engine);
  AddHealthGauges(p.metrics, *p.health, *p.cluster);
  p.subscription_routes = std::make_unique<rpc::SubscriptionRoutes>(p.subscriptions.get());
  // Only nodes sharing a database have calls to send elsewhere; without a forwarder neither
  // RPC nor MCP calls keep anything for it.
  if (p.cluster->shared())
    p.forwarder = std::make_unique<server::NodeForwarder>(*p.cluster, *p.outbound);
  p.handler = std::make_unique<server::NexusHandler>(
      *p.dispatcher, *p.authenticator, p.metrics, p.subscription_routes.get(), p.mcp.get(),
      options_.mcp_allowed_origins, p.health.get(), p.forwarder.get());
}

Status Node::Listen() {
  Parts& p = *parts_;
  if (p.http) return Internal("the node is already listening");
  p.http = std::make_unique<server::HttpServer>(options_.http, *p.handler, p.metrics);
  RETURN_IF_ERROR(Step("cannot listen", p.http->Start()));
  p.subscriptions->SetOwnPort(p.http->port());
  RETURN_IF_ERROR(Step("cannot join the cluster", p.cluster->Start(AdvertisedAddress())));
  if (!options_.sandboxes) return Status::OK();
  StatusOr<std::unique_ptr<server::UnixSocketRelay>> relay =
      server::UnixSocketRelay::Start(SandboxSocket(p.data_dir), p.http->port());
  if (!relay.ok()) return Step("cannot listen on the sandbox socket", relay.status());
  p.relay = std::move(relay).value();
  return Status::OK();
}

uint16_t Node::port() const { return parts_->http ? parts_->http->port() : 0; }

const NodeReport& Node::report() const { return parts_->report; }

const rpc::Dispatcher& Node::dispatcher() const { return *parts_->dispatcher; }

const rpc::McpEndpoint& Node::mcp() const { return *parts_->mcp; }

}  // namespace nexus::node
