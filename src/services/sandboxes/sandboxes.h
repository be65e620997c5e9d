// Sandboxes as users see them: named, owned, persistent records over a provider that runs
// the code (sandbox/provider.h). One live (not stopped) sandbox per tenant, user and name.
//
// A sandbox is a home directory under <data_dir>/sandboxes/<id>/home plus a fresh namespace
// jail for every run. After a restart no run is alive, so live records are marked stopped.
// A connected sandbox reaches Nexus through the server's Unix socket, bound into the jail,
// with the caller's own API key in NEXUS_API_KEY.
//
// With several nodes on one database a sandbox belongs to the node that made it: its home and
// its processes are there. A call for it on another node is refused with kUnavailable and
// the detail "owner_node" (the server forwards such a call to the owner, so callers see it
// answered as if local); when the owner is dead the sandbox is marked stopped, and
// GetOrCreate makes a new one here.
#ifndef NEXUS_SERVICES_SANDBOXES_SANDBOXES_H_
#define NEXUS_SERVICES_SANDBOXES_SANDBOXES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster.h"
#include "sandbox/provider.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::services {

struct SandboxRecord {
  std::string sandbox_id;
  std::string name;
  std::string tenant_id;
  std::string user_id;
  std::string agent_id;
  std::string provider;            // the provider that runs it ("bubblewrap")
  std::string requested_provider;  // what the caller asked for, when different
  std::string template_id;
  std::string status;  // active, paused or stopped
  int64_t created_at = 0;
  int64_t last_active_at = 0;
  std::optional<int64_t> paused_at, stopped_at, expires_at;
  int64_t ttl_minutes = 10;
  bool connected = false;  // Nexus is reachable from inside (in memory only)
  std::string node_id;     // the node running it; empty for sandboxes made before nodes
};

// Who asks: sandboxes belong to (tenant, user); admins may list their tenant's.
struct SandboxCaller {
  std::string tenant_id;
  std::string user_id;
  std::string agent_id;
  bool is_admin = false;
};

struct SandboxListFilter {
  std::optional<std::string> user_id;  // admins only
  std::optional<std::string> agent_id;
  std::optional<std::string> status;
};

struct SandboxServiceOptions {
  std::string data_dir;
  std::string nexus_socket;  // host path of the server's Unix socket; empty: no connect
  sandbox::Limits limits;
  int64_t max_code_bytes = 1 << 20;
  int64_t max_timeout_seconds = 3600;
  int64_t max_ttl_minutes = 7 * 24 * 60;
  // The nodes sharing the database; null: this node alone, every sandbox is its own.
  cluster::Cluster* cluster = nullptr;
};

class SandboxService {
 public:
  SandboxService(storage::Engine& engine, sandbox::Provider& provider,
                 SandboxServiceOptions options);
  ~SandboxService();  // stops the expiry thread

  // Marks this node's sandboxes left live by its previous process as stopped (their runs
  // died with it).
  Status RecoverAfterRestart();

  // `provider`: empty or "bubblewrap"; "docker" is served by bubblewrap when no Docker
  // engine is reachable (recorded as requested_provider); "e2b" needs E2B_API_KEY.
  StatusOr<SandboxRecord> Create(const SandboxCaller& caller, const std::string& name,
                                 int64_t ttl_minutes, const std::string& provider,
                                 const std::string& template_id);
  // The caller's live sandbox of that name (after asking the provider, with `verify`), or a
  // new one. Concurrent calls for one name yield one sandbox.
  StatusOr<SandboxRecord> GetOrCreate(const SandboxCaller& caller, const std::string& name,
                                      int64_t ttl_minutes, const std::string& provider,
                                      const std::string& template_id, bool verify);

  // kInvalidArgument for an unknown language, oversized code or a timeout out of range;
  // kValidation when the sandbox is stopped or paused.
  StatusOr<sandbox::RunResult> Run(const SandboxCaller& caller, const std::string& id,
                                   const std::string& language, const std::string& code,
                                   int64_t timeout_seconds);

  StatusOr<SandboxRecord> Pause(const SandboxCaller& caller, const std::string& id);
  StatusOr<SandboxRecord> Resume(const SandboxCaller& caller, const std::string& id);
  StatusOr<SandboxRecord> Stop(const SandboxCaller& caller, const std::string& id);
  // Another user's sandbox is kNotFound, like one that does not exist.
  StatusOr<SandboxRecord> Get(const SandboxCaller& caller, const std::string& id);
  StatusOr<std::vector<SandboxRecord>> List(const SandboxCaller& caller,
                                            const SandboxListFilter& filter);

  // Binds the Nexus socket into the sandbox's future runs with `api_key` as NEXUS_API_KEY.
  StatusOr<SandboxRecord> Connect(const SandboxCaller& caller, const std::string& id,
                                  const std::string& api_key);
  StatusOr<SandboxRecord> Disconnect(const SandboxCaller& caller, const std::string& id);

  // Stops this node's live sandboxes past their expiry, and marks those of dead nodes
  // stopped; returns how many. StartExpiry runs it periodically.
  StatusOr<int64_t> ExpireDue();
  void StartExpiry(std::chrono::milliseconds period);

 private:
  StatusOr<std::string> ResolveProvider(const std::string& requested) const;
  sandbox::SandboxSpec SpecFor(const SandboxRecord& record) const;
  StatusOr<SandboxRecord> Insert(const SandboxCaller& caller, const std::string& name,
                                 int64_t ttl_minutes, const std::string& provider,
                                 const std::string& requested, const std::string& template_id,
                                 bool reuse_live);
  StatusOr<SandboxRecord> SetStatus(const SandboxCaller& caller, const std::string& id,
                                    const std::string& status);
  SandboxRecord WithConnection(SandboxRecord record) const EXCLUDES(mu_);
  const std::string& node_id() const;
  // Whether `record` runs here: true; false when its node is gone (the record is now marked
  // stopped); kUnavailable with "owner_node" when another live node runs it, without it
  // when the owner is silent but not gone yet (cluster::ClusterOptions::takeover_after).
  StatusOr<bool> IsHere(const SandboxRecord& record);
  // The caller's sandbox `id` if it runs here: kUnavailable as IsHere for another node's,
  // kValidation for a dead node's.
  StatusOr<SandboxRecord> LoadHere(const SandboxCaller& caller, const std::string& id);
  StatusOr<SandboxRecord> Load(const SandboxCaller& caller, const std::string& id);
  Status MarkStopped(const std::string& id);
  // Marks the live sandboxes of gone nodes stopped; how many.
  StatusOr<int64_t> StopDeadNodesSandboxes();
  // Sleeps up to `period`; whether the service is being destroyed.
  bool ExpiryStoppedWithin(std::chrono::milliseconds period) EXCLUDES(mu_);

  storage::Engine& engine_;
  sandbox::Provider& provider_;
  const SandboxServiceOptions options_;

  mutable Mutex mu_;
  std::map<std::string, std::string> api_keys_ GUARDED_BY(mu_);  // connected sandbox -> key
  CondVar expiry_cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread expiry_thread_;
};

// Migration 5, the sandboxes table: generated from migrations/*.sql by cmake/migrations.cmake.
std::span<const storage::Migration> SandboxesSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SANDBOXES_SANDBOXES_H_
