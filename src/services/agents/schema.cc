#include "services/agents/schema.h"

#include <string_view>

namespace nexus::services::agents {
namespace {

// Migration 6: the agent registry. An agent "<user>,<name>" belongs to its user and tenant.
constexpr std::string_view kAgents = R"sql(
CREATE TABLE agents (
  tenant_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  metadata TEXT,
  inherit_permissions INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, agent_id)
);
CREATE INDEX agents_user ON agents(tenant_id, user_id);
)sql";

constexpr storage::Migration kMigrations[] = {
    {6, "agents", kAgents, kAgents},
};

}  // namespace

std::span<const storage::Migration> Schema() { return kMigrations; }

}  // namespace nexus::services::agents
