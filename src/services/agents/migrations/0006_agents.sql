-- name: agents
-- The agent registry. An agent "<user>,<name>" belongs to its user and tenant.

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
