// Mounts and connectors (api.md §6.4, domain.md §1.2.8 and §2.2): the active mount table,
// mount configurations saved in `mount_configs` and restored at start, and sync jobs.
//
// The one backend served besides the path tree is `local`: a host directory mapped into the
// tree (vfs::LocalBackend). Because it exposes host files (/proc, /etc, the server's own
// secrets), only the system administrator may add, save or load one, and only over a
// directory that, symbolic links resolved, lies under one of the configured local roots and
// neither holds nor lies in the server's data directory. Mount points are never a namespace
// root ("/", "/tenant:<t>", "/skill", ...), never overlap another mount, and never cover
// what services write through the path tree directly (CheckNoCollision). The connector
// types answer kValidation "backend not available".
//
// Mount points are stored paths (the rpc layer scopes what callers name). Saved mounts and
// sync jobs belong to the tenant of their mount point; a non-admin sees only its own.
//
// Several nodes: a local mount is served by the node that activated it, which claims it in
// the database (mount_claims.h); the other nodes hold it in their tables as served there,
// and calls for it (files, remove_mount, syncs, cancelling its jobs) are kUnavailable with
// "owner_node", forwarded by the server. A mount whose node is gone is dropped by
// remove_mount from any node; a job whose node is gone is failed when next read.
#ifndef NEXUS_SERVICES_MOUNTS_MOUNTS_H_
#define NEXUS_SERVICES_MOUNTS_MOUNTS_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "auth/identity.h"
#include "cluster/cluster.h"
#include "rebac/rebac.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "vfs/mount_table.h"
#include "vfs/path_tree.h"

namespace nexus::services {

// What add_mount and save_mount are given.
struct MountSpec {
  std::string mount_point;  // stored path
  std::string backend_type;
  std::string backend_config_json;  // a JSON object
  int64_t priority = 0;
  bool readonly = false;
};

// A backend type of the registry (list_connectors).
struct ConnectorInfo {
  std::string name;
  std::string description;
  std::string category;  // storage | api | oauth | database
  std::vector<std::string> requires_;
  bool user_scoped = false;
  bool available = false;  // served by this server
};

struct RemoveOutcome {
  bool removed = false;
  bool directory_deleted = false;
  int64_t permissions_cleaned = 0;
  std::vector<std::string> errors;
};

struct SavedMount {
  std::string mount_id;
  MountSpec spec;
  std::string owner_user_id;
  std::string tenant_id;
  std::string description;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct SaveRequest {
  MountSpec spec;
  std::optional<std::string> owner_user_id;  // default: the caller
  std::optional<std::string> tenant_id;      // default: the caller's
  std::string description;
};

struct SyncOptions {
  std::optional<std::string> path;  // a stored path inside the mount; default: all of it
  bool recursive = true;
  bool dry_run = false;
  std::vector<std::string> include_patterns;  // globs: with "/" on the path below the mount,
  std::vector<std::string> exclude_patterns;  // without on the file name
};

// The counts of api.md §6.4. A local mount is pass-through: nothing is copied into the
// tree, so "created", "updated" and "deleted" compare with the previous sync of the mount
// in this process (the first sync counts every file as created) and cache_* stay 0.
struct SyncReport {
  int64_t files_scanned = 0;
  int64_t files_created = 0;
  int64_t files_updated = 0;
  int64_t files_deleted = 0;
  std::vector<std::string> errors;
};

// The result object of api.md §6.4 for `report`, as JSON text.
std::string SyncReportJson(const SyncReport& report);

struct SyncJob {
  std::string id;
  std::string tenant_id;
  std::string mount_point;
  std::string status;  // pending | running | completed | failed | cancelled
  int64_t progress_pct = 0;
  std::string progress_detail_json;  // "" for null
  std::string sync_params_json;
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> completed_at;
  std::string created_by;
  std::string result_json;  // "" for null
  std::string error_message;
  std::string node_id;  // the node whose worker runs it; "" for jobs made before nodes
};

struct CancelOutcome {
  bool success = false;
  std::string message;
};

struct MountServiceOptions {
  std::string server_data_dir;  // host directories may neither hold nor lie in it
  // Absolute paths, symbolic links resolved: a local mount's directory must be one of them
  // or lie below one. None: local mounts are refused.
  std::vector<std::string> local_roots;
  // The nodes sharing the database; null: this node is the only one, with id "".
  cluster::Cluster* cluster = nullptr;
};

class MountService {
 public:
  MountService(storage::Engine& engine, vfs::PathTree& tree, rebac::Rebac& rebac,
               MountServiceOptions options);
  ~MountService();  // stops the sync worker
  MountService(const MountService&) = delete;
  MountService& operator=(const MountService&) = delete;

  const vfs::MountTable& table() const { return table_; }
  // This node's id ("" without a cluster): the node serving the mounts activated here.
  const std::string& node_id() const;

  static std::vector<ConnectorInfo> Connectors();
  // Whether `caller` sees the mount at `mount_point` at all: its own tenant's and the
  // system-wide ones (every one for the system administrator).
  static bool InScope(const auth::Identity& caller, const std::string& mount_point);

  // Activates a mount and grants the caller direct_owner on its point (none on system-wide
  // points, which carry no tuples).
  Status Add(const auth::Identity& caller, const MountSpec& spec);
  StatusOr<RemoveOutcome> Remove(const auth::Identity& caller, const std::string& mount_point);
  // Active mounts of the caller's tenant and the system-wide ones (every one for the system
  // administrator), in routing order.
  std::vector<std::shared_ptr<const vfs::Mount>> Active(const auth::Identity& caller) const;

  StatusOr<std::string> Save(const auth::Identity& caller, const SaveRequest& request);
  StatusOr<std::vector<SavedMount>> ListSaved(const auth::Identity& caller,
                                              const std::optional<std::string>& owner_user_id,
                                              const std::optional<std::string>& tenant_id);
  // Activates a saved mount; its saved owner (not the caller) is granted direct_owner.
  Status Load(const auth::Identity& caller, const std::string& mount_point);
  StatusOr<bool> DeleteSaved(const auth::Identity& caller, const std::string& mount_point);
  // At server start: withdraws the claims of this node's previous life, then activates every
  // saved mount; `failed` hears of each that cannot be (another node serving it included).
  Status LoadAllSaved(const std::function<void(const std::string&, const Status&)>& failed);
  // Loads the mounts other nodes serve into the table (at start, and whenever another node
  // mounts or unmounts: the cluster's mounts topic).
  Status LoadOtherNodesMounts();

  // Scans a mount now.
  StatusOr<SyncReport> Sync(const auth::Identity& caller, const std::string& mount_point,
                            const SyncOptions& options);
  // Queues a scan for the worker. `params_json` is recorded as the job's sync_params.
  StatusOr<SyncJob> SubmitSync(const auth::Identity& caller, const std::string& mount_point,
                               const SyncOptions& options, const std::string& params_json);
  StatusOr<std::optional<SyncJob>> GetJob(const auth::Identity& caller, const std::string& id);
  StatusOr<CancelOutcome> CancelJob(const auth::Identity& caller, const std::string& id);
  StatusOr<std::vector<SyncJob>> ListJobs(const auth::Identity& caller,
                                          const std::optional<std::string>& mount_point,
                                          const std::optional<std::string>& status, int64_t limit);

  // Jobs this node's previous process left pending or running are marked failed; other
  // nodes' jobs are theirs.
  Status RecoverJobsAfterRestart();
  void StartWorker();
  // Stops the worker: a running job ends as cancelled, even in the middle of listing a large
  // host tree. Idempotent.
  void Stop();
  // Cancellations not yet seen through by the worker (tests and diagnostics: 0 when idle).
  size_t OpenCancelRequests();

 private:
  // The backend `spec` asks for (errors naming paths below its mount point).
  StatusOr<std::unique_ptr<vfs::LocalBackend>> OpenBackend(const MountSpec& spec) const;
  // kValidation when a mount at `point` would cover what services write through the tree
  // directly: user homes, skill tiers, agent directories, registered workspaces and memories.
  Status CheckNoCollision(const std::string& point);
  Status Activate(const MountSpec& spec, const std::string& owner);
  // Activate, then make `owner` direct_owner of the point; a mount whose grant fails is
  // taken down again.
  Status ActivateOwned(const MountSpec& spec, const rebac::SubjectRef& owner,
                       const std::string& owner_user);
  // A saved mount, owned by its saved owner (whoever loads it).
  Status ActivateSaved(const SavedMount& saved);
  // Takes an active mount of this node down: out of the table, its claim withdrawn.
  void Deactivate(const std::string& point);
  // OK when `node` may be given up on (gone, or this node); kUnavailable otherwise: with
  // "owner_node" when it is alive (the call goes there), without when silent but not gone.
  Status GivenUp(const std::string& node, const std::string& what);
  // Fails the unfinished jobs of nodes that are gone: they will never run or end them.
  Status FailJobsOfGoneNodes();
  StatusOr<std::shared_ptr<const vfs::Mount>> MountFor(const auth::Identity& caller,
                                                       const std::string& mount_point) const;
  // Scans `mount`; `cancelled` is polled between files and sets `*stopped` when it says so.
  StatusOr<SyncReport> Scan(const vfs::Mount& mount, const SyncOptions& options,
                            const std::function<bool()>& cancelled, bool* stopped);
  StatusOr<std::optional<SyncJob>> ReadJob(const std::string& id);
  Status UpdateJob(const std::string& id, const std::string& sql, storage::Params params);
  void RunJob(const std::string& id, const SyncOptions& options);
  // Whether job `id` should stop (cancelled, or the server stopping).
  bool CancelRequested(const std::string& id) EXCLUDES(mu_);
  void WorkerLoop() EXCLUDES(mu_);

  storage::Engine& engine_;
  vfs::PathTree& tree_;
  rebac::Rebac& rebac_;
  const MountServiceOptions options_;
  vfs::MountTable table_;

  // The files each mount held at its last sync: relative path -> etag.
  Mutex snapshot_mu_;
  std::map<std::string, std::map<std::string, std::string>> snapshots_ GUARDED_BY(snapshot_mu_);

  Mutex mu_;
  CondVar cv_;
  std::deque<std::pair<std::string, SyncOptions>> queue_ GUARDED_BY(mu_);  // job id, options
  std::string running_ GUARDED_BY(mu_);                                    // "" when idle
  // Cancellations of the running job; erased by the worker when the job ends.
  std::set<std::string> cancel_requests_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread worker_;
};

// Migration 10, saved mounts and sync jobs: generated from migrations/*.sql by
// cmake/migrations.cmake.
std::span<const storage::Migration> MountsSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MOUNTS_MOUNTS_H_
