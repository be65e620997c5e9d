// The agent registry (domain.md §5.1): agents "<user>,<name>" owned by a user of a tenant,
// each with a directory /tenant:<t>/user:<u>/agent/<name>/ holding config.yaml, and
// optionally an API key of its own.
#ifndef NEXUS_SERVICES_AGENTS_H_
#define NEXUS_SERVICES_AGENTS_H_

#include <optional>
#include <string>
#include <vector>

#include "auth/key_store.h"
#include "rebac/rebac.h"
#include "storage/engine.h"
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

class AgentRegistry {
 public:
  AgentRegistry(storage::Engine& engine, vfs::PathTree& tree, rebac::Rebac& rebac,
                auth::KeyStore& keys)
      : engine_(engine), tree_(tree), rebac_(rebac), keys_(keys) {}

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

 private:
  StatusOr<bool> HasActiveKey(const std::string& tenant, const std::string& agent_id);

  storage::Engine& engine_;
  vfs::PathTree& tree_;
  rebac::Rebac& rebac_;
  auth::KeyStore& keys_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_AGENTS_H_
