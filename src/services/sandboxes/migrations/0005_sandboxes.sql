-- name: sandboxes
-- Sandbox records. At most one sandbox per (tenant, user, name) is not stopped.

CREATE TABLE sandboxes (
  sandbox_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  agent_id TEXT,
  name TEXT NOT NULL,
  provider TEXT NOT NULL,
  requested_provider TEXT,
  template_id TEXT,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_active_at BIGINT NOT NULL,
  paused_at BIGINT,
  stopped_at BIGINT,
  ttl_minutes BIGINT NOT NULL,
  expires_at BIGINT
);
CREATE UNIQUE INDEX sandboxes_live_name ON sandboxes(tenant_id, user_id, name) WHERE status <> 'stopped';
CREATE INDEX sandboxes_expiry ON sandboxes(status, expires_at);
