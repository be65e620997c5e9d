#include "services/agents/agents.h"

#include "auth/tenant_paths.h"
#include "storage/rows.h"
#include "util/clock.h"
#include "util/mutex.h"

namespace nexus::services {

using storage::Row;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "agent_id, tenant_id, user_id, name, description, metadata, inherit_permissions, created_at";

// Agents IsRegistered remembers at most; beyond, expired entries go, then all of them.
constexpr size_t kMaxRememberedAgents = 10000;
// How long an agent found registered is taken as registered without asking again.
constexpr std::chrono::seconds kRegisteredTtl{1};

struct AgentIdParts {
  std::string owner;
  std::string name;
};

StatusOr<AgentIdParts> SplitAgentId(const std::string& agent_id) {
  const size_t comma = agent_id.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == agent_id.size() ||
      agent_id.find(',', comma + 1) != std::string::npos || agent_id.size() > 255) {
    return InvalidArgument("agent_id must be '<user_id>,<agent_name>', got '" + agent_id + "'");
  }
  for (unsigned char c : agent_id) {
    if (c < 0x20 || c == 0x7f || c == '/')
      return InvalidArgument("agent_id contains '/' or a control character");
  }
  return AgentIdParts{agent_id.substr(0, comma), agent_id.substr(comma + 1)};
}

std::string AgentDir(const std::string& tenant, const AgentIdParts& id) {
  return auth::TenantRoot(tenant) + "/user:" + id.owner + "/agent/" + id.name;
}

// JSON strings are YAML strings, so the config stays valid YAML whatever the values hold.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string ConfigYaml(const AgentRecord& a) {
  std::string yaml = "agent_id: " + Quote(a.agent_id) + "\nname: " + Quote(a.name) +
                     "\nuser_id: " + Quote(a.user_id) + "\ndescription: " + Quote(a.description) +
                     "\ncreated_at: " + Quote(FormatIsoMicros(a.created_at)) +
                     "\ninherit_permissions: " + (a.inherit_permissions ? "true" : "false") + "\n";
  if (!a.metadata_json.empty()) yaml += "metadata: " + a.metadata_json + "\n";
  return yaml;
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > 255)
    return InvalidArgument("agent name must be 1 to 255 bytes");
  return Status::OK();
}

AgentRecord RecordFromRow(const Row& r) {
  AgentRecord a;
  a.agent_id = r.Text(0);
  a.tenant_id = r.Text(1);
  a.user_id = r.Text(2);
  a.name = r.Text(3);
  a.description = r.Text(4);
  a.metadata_json = r.Text(5);
  a.inherit_permissions = r.Int(6) != 0;
  a.created_at = r.Int(7);
  if (StatusOr<AgentIdParts> id = SplitAgentId(a.agent_id); id.ok())
    a.config_path = AgentDir(a.tenant_id, *id) + "/config.yaml";
  return a;
}

}  // namespace

// Every page of the owner's active keys: a key of the agent may be anywhere among them (an
// owner may hold more keys than one page).
StatusOr<std::vector<std::string>> AgentRegistry::ActiveKeyIds(const std::string& tenant,
                                                               const std::string& agent_id) {
  ASSIGN_OR_RETURN(const AgentIdParts id, SplitAgentId(agent_id));
  auth::KeyFilter filter;
  filter.user_id = id.owner;
  filter.tenant_id = tenant;
  filter.limit = 1000;
  std::vector<std::string> ids;
  for (;;) {
    ASSIGN_OR_RETURN(const auth::KeyPage page, keys_.ListKeys(tenant, filter));
    for (const auth::KeyRecord& k : page.keys) {
      if (k.subject_type == "agent" && k.subject_id == agent_id) ids.push_back(k.key_id);
    }
    filter.offset += filter.limit;
    if (page.keys.empty() || filter.offset >= page.total) return ids;
  }
}

StatusOr<bool> AgentRegistry::HasActiveKey(const std::string& tenant, const std::string& agent_id) {
  ASSIGN_OR_RETURN(const std::vector<std::string> ids, ActiveKeyIds(tenant, agent_id));
  return !ids.empty();
}

StatusOr<bool> AgentRegistry::IsRegistered(const std::string& tenant_id,
                                           const std::string& agent_id) {
  const AgentKey agent{tenant_id, agent_id};
  uint64_t generation = 0;
  {
    MutexLock l(&registered_mu_);
    if (const auto it = registered_.find(agent); it != registered_.end()) {
      if (Clock::now() - it->second < kRegisteredTtl) return true;
      registered_.erase(it);
    }
    generation = generation_;
  }
  const Clock::time_point asked_at = Clock::now();
  ASSIGN_OR_RETURN(
      const bool found,
      storage::Exists(engine_, "SELECT 1 FROM agents WHERE tenant_id = ? AND agent_id = ?",
                      {tenant_id, agent_id}));
  if (found) RememberRegistered(agent, asked_at, generation);
  return found;
}

void AgentRegistry::RememberRegistered(const AgentKey& agent, Clock::time_point asked_at,
                                       uint64_t generation) {
  MutexLock l(&registered_mu_);
  if (generation != generation_) return;
  if (registered_.size() >= kMaxRememberedAgents) {
    const Clock::time_point now = Clock::now();
    std::erase_if(registered_, [&](const auto& kv) { return now - kv.second >= kRegisteredTtl; });
    if (registered_.size() >= kMaxRememberedAgents) registered_.clear();
  }
  registered_.insert_or_assign(agent, asked_at);
}

void AgentRegistry::ForgetRegistered(const AgentKey& agent) {
  MutexLock l(&registered_mu_);
  registered_.erase(agent);
  ++generation_;
}

void AgentRegistry::ForgetAllRegistered() {
  MutexLock l(&registered_mu_);
  registered_.clear();
  ++generation_;
}

StatusOr<std::pair<AgentRecord, std::string>> AgentRegistry::Register(const AgentCaller& caller,
                                                                      const NewAgent& agent) {
  ASSIGN_OR_RETURN(const AgentIdParts id, SplitAgentId(agent.agent_id));
  if (id.owner != caller.user_id && !caller.is_admin) {
    return PermissionDenied("Access denied: agent '" + agent.agent_id +
                            "' would belong to another user");
  }
  RETURN_IF_ERROR(CheckName(agent.name));
  AgentRecord record{agent.agent_id,
                     caller.tenant_id,
                     id.owner,
                     agent.name,
                     agent.description,
                     agent.metadata_json,
                     agent.inherit_permissions,
                     false,
                     NowMicros(),
                     AgentDir(caller.tenant_id, id) + "/config.yaml"};
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    Status s =
        tx.Exec(
              std::string("INSERT INTO agents (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              {record.agent_id, record.tenant_id, record.user_id, record.name, record.description,
               record.metadata_json, int64_t{record.inherit_permissions}, record.created_at})
            .status();
    if (s.code() == Code::kAlreadyExists)
      return AlreadyExists("Agent already registered: " + record.agent_id);
    return s;
  }));
  const std::string dir = AgentDir(caller.tenant_id, id);
  const vfs::Actor owner{id.owner};
  RETURN_IF_ERROR(tree_.Mkdir(owner, dir, /*parents=*/true, /*exist_ok=*/true));
  rebac::TupleWrite grant{caller.tenant_id,
                          {"agent", agent.agent_id, ""},
                          "direct_owner",
                          {"file", dir},
                          {},
                          {},
                          "",
                          ""};
  RETURN_IF_ERROR(rebac_.WriteTuple(grant).status());
  RETURN_IF_ERROR(tree_.Write(owner, record.config_path, ConfigYaml(record)).status());
  std::string raw_key;
  if (agent.generate_api_key) {
    auth::NewKey key;
    key.user_id = id.owner;
    key.name = agent.agent_id;
    key.tenant_id = caller.tenant_id;
    key.subject_type = "agent";
    key.subject_id = agent.agent_id;
    key.expires_days = 365;
    key.inherit_permissions = agent.inherit_permissions;
    ASSIGN_OR_RETURN(const auth::CreatedKey created, keys_.CreateKey(caller.tenant_id, key));
    raw_key = created.api_key;
    record.has_api_key = true;
  }
  return std::make_pair(record, raw_key);
}

StatusOr<std::vector<AgentRecord>> AgentRegistry::List(const AgentCaller& caller) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM agents WHERE tenant_id = ?";
  storage::Params params = {caller.tenant_id};
  if (!caller.is_admin) {
    sql += " AND user_id = ?";
    params.push_back(caller.user_id);
  }
  ASSIGN_OR_RETURN(
      std::vector<AgentRecord> out,
      storage::ReadAll(engine_, sql + " ORDER BY created_at, agent_id", params, RecordFromRow));
  for (AgentRecord& a : out) {
    ASSIGN_OR_RETURN(a.has_api_key, HasActiveKey(a.tenant_id, a.agent_id));
  }
  return out;
}

StatusOr<std::optional<AgentRecord>> AgentRegistry::Get(const AgentCaller& caller,
                                                        const std::string& agent_id) {
  ASSIGN_OR_RETURN(std::optional<AgentRecord> agent,
                   storage::ReadFirst(engine_,
                                      std::string("SELECT ") + kColumns +
                                          " FROM agents WHERE tenant_id = ? AND agent_id = ?",
                                      {caller.tenant_id, agent_id}, RecordFromRow));
  // Other users' agents are invisible, except to admins of the tenant.
  if (!agent || (agent->user_id != caller.user_id && !caller.is_admin))
    return std::optional<AgentRecord>();
  ASSIGN_OR_RETURN(agent->has_api_key, HasActiveKey(agent->tenant_id, agent->agent_id));
  return agent;
}

StatusOr<AgentRecord> AgentRegistry::Update(const AgentCaller& caller, const std::string& agent_id,
                                            const AgentUpdate& update) {
  ASSIGN_OR_RETURN(std::optional<AgentRecord> agent, Get(caller, agent_id));
  if (!agent) return NotFound("Agent not found: " + agent_id);
  if (update.name) {
    RETURN_IF_ERROR(CheckName(*update.name));
    agent->name = *update.name;
  }
  if (update.description) agent->description = *update.description;
  if (update.metadata_json) agent->metadata_json = *update.metadata_json;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
    return tx
        .Exec(
            "UPDATE agents SET name = ?, description = ?, metadata = ? "
            "WHERE tenant_id = ? AND agent_id = ?",
            {agent->name, agent->description, agent->metadata_json, agent->tenant_id, agent_id})
        .status();
  }));
  RETURN_IF_ERROR(
      tree_.Write(vfs::Actor{agent->user_id}, agent->config_path, ConfigYaml(*agent)).status());
  return *agent;
}

StatusOr<bool> AgentRegistry::Delete(const AgentCaller& caller, const std::string& agent_id) {
  ASSIGN_OR_RETURN(const std::optional<AgentRecord> agent, Get(caller, agent_id));
  if (!agent) return false;
  ASSIGN_OR_RETURN(const AgentIdParts id, SplitAgentId(agent_id));
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec("DELETE FROM agents WHERE tenant_id = ? AND agent_id = ?",
                            {agent->tenant_id, agent_id})
                        .status());
    if (cluster_ == nullptr) return Status::OK();
    return cluster::Cluster::MarkChanged(tx, cluster::kAgentsTopic);
  }));
  // Before the rest of the clean-up: whatever fails below, X-Agent-ID no longer names it.
  ForgetRegistered({agent->tenant_id, agent_id});
  if (cluster_ != nullptr) cluster_->AwaitPropagation();
  if (Status s = tree_.Rmdir(AgentDir(agent->tenant_id, id), /*recursive=*/true);
      !s.ok() && s.code() != Code::kNotFound) {
    return s;
  }
  // All ids first: each revocation takes a key out of the pages being read.
  ASSIGN_OR_RETURN(const std::vector<std::string> key_ids,
                   ActiveKeyIds(agent->tenant_id, agent_id));
  for (const std::string& key_id : key_ids) {
    RETURN_IF_ERROR(keys_.RevokeKey(agent->tenant_id, key_id));
  }
  rebac::TupleFilter tuples;
  tuples.subject = rebac::SubjectRef{"agent", agent_id, ""};
  RETURN_IF_ERROR(rebac_.DeleteMatching(agent->tenant_id, tuples).status());
  return true;
}

}  // namespace nexus::services
