// The agent registry (domain.md §5.1): agents "<user>,<name>" owned by a user of a tenant,
// each with a directory /tenant:<t>/user:<u>/agent/<name>/ holding config.yaml, and
// optionally an API key of its own.
#ifndef NEXUS_SERVICES_AGENTS_AGENTS_H_
#define NEXUS_SERVICES_AGENTS_AGENTS_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "auth/agent_directory.h"
#include "auth/key_store.h"
#include "cluster/cluster.h"
#include "rebac/rebac.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "vfs/path_tree.h"

namespace nexus::services {

struct AgentRecord {
  std::string agent_id;
  std::string tenant_id;
  std::string user_id;
  std::string name;
  std::string description;
  std::string metadata_json;  // the caller's metadata object, as JSON ("" when none)
  bool inherit_permissions = false;
  bool has_api_key = false;
  int64_t created_at = 0;
  std::string config_path;
};

struct NewAgent {
  std::string agent_id;  // "<owner>,<name>"; the owner must be the caller
  std::string name;
  std::string description;
  std::string metadata_json;  // a JSON object, or ""
  bool generate_api_key = false;
  bool inherit_permissions = false;
};

// What update_agent changes; unset fields keep their value.
struct AgentUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> metadata_json;  // a JSON object
};

struct AgentCaller {
  std::string tenant_id;
  std::string user_id;
  bool is_admin = false;
};

// Thread-safe.
class AgentRegistry : public auth::AgentDirectory {
 public:
  // `cluster`: the nodes sharing the database, told of deletions; null: this node alone.
  AgentRegistry(storage::Engine& engine, vfs::PathTree& tree, rebac::Rebac& rebac,
                auth::KeyStore& keys, cluster::Cluster* cluster = nullptr)
      : engine_(engine), tree_(tree), rebac_(rebac), keys_(keys), cluster_(cluster) {}

  // For X-Agent-ID, on every request carrying it: an agent found registered is remembered
  // for at most a second. A Delete takes effect at once here and, with a cluster, on every
  // node before it returns (ForgetAllRegistered runs there on the cluster's notice). Unknown
  // ids are not remembered and ask the database (one primary-key read) each time, so a
  // registration is usable at once and made-up ids cannot fill memory.
  StatusOr<bool> IsRegistered(const std::string& tenant_id, const std::string& agent_id) override;

  // Returns the record and, with generate_api_key, the agent's raw key (shown once).
  StatusOr<std::pair<AgentRecord, std::string>> Register(const AgentCaller& caller,
                                                         const NewAgent& agent);
  // The caller's agents; an admin's: every agent of the tenant.
  StatusOr<std::vector<AgentRecord>> List(const AgentCaller& caller);
  // None when there is no such agent visible to the caller.
  StatusOr<std::optional<AgentRecord>> Get(const AgentCaller& caller, const std::string& agent_id);
  // Changes the agent's display name, description or metadata and rewrites its config.yaml.
  // kNotFound when there is no such agent visible to the caller; only its user or an admin
  // of the tenant may change it.
  StatusOr<AgentRecord> Update(const AgentCaller& caller, const std::string& agent_id,
                               const AgentUpdate& update);
  // Removes the agent, its directory, its keys and its tuples. False when there was none.
  StatusOr<bool> Delete(const AgentCaller& caller, const std::string& agent_id);

  // Forgets every agent remembered as registered: another node deleted one.
  void ForgetAllRegistered() EXCLUDES(registered_mu_);

 private:
  using AgentKey = std::pair<std::string, std::string>;  // (tenant, agent id)
  using Clock = std::chrono::steady_clock;

  StatusOr<std::vector<std::string>> ActiveKeyIds(const std::string& tenant,
                                                  const std::string& agent_id);
  StatusOr<bool> HasActiveKey(const std::string& tenant, const std::string& agent_id);
  // Remembers `agent` as registered, as the database said at `asked_at`, unless a deletion
  // came since `generation` was read (the answer may predate it).
  void RememberRegistered(const AgentKey& agent, Clock::time_point asked_at, uint64_t generation)
      EXCLUDES(registered_mu_);
  void ForgetRegistered(const AgentKey& agent) EXCLUDES(registered_mu_);

  storage::Engine& engine_;
  vfs::PathTree& tree_;
  rebac::Rebac& rebac_;
  auth::KeyStore& keys_;
  cluster::Cluster* const cluster_;

  Mutex registered_mu_;
  std::map<AgentKey, Clock::time_point> registered_ GUARDED_BY(registered_mu_);
  uint64_t generation_ GUARDED_BY(registered_mu_) = 0;  // bumped by every forget
};

// Migration 6, the agents table: generated from migrations/*.sql by cmake/migrations.cmake.
std::span<const storage::Migration> AgentsSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_AGENTS_AGENTS_H_
