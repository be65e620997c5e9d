-- name: mount configurations and sync jobs
-- Mount configurations saved for restoring at start (mount_point is a stored path, so
-- unique across tenants), and background sync jobs, both scoped by tenant.

CREATE TABLE mount_configs (
  mount_id TEXT PRIMARY KEY,
  mount_point TEXT NOT NULL UNIQUE,
  backend_type TEXT NOT NULL,
  backend_config TEXT NOT NULL,
  priority BIGINT NOT NULL DEFAULT 0 CHECK (priority >= 0),
  readonly INTEGER NOT NULL DEFAULT 0,
  owner_user_id TEXT,
  tenant_id TEXT NOT NULL,
  description TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX mount_configs_tenant ON mount_configs(tenant_id);
CREATE TABLE sync_jobs (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  mount_point TEXT NOT NULL,
  status TEXT NOT NULL,
  progress_pct BIGINT NOT NULL DEFAULT 0,
  progress_detail TEXT,
  sync_params TEXT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  completed_at BIGINT,
  created_by TEXT,
  result TEXT,
  error_message TEXT
);
CREATE INDEX sync_jobs_tenant ON sync_jobs(tenant_id, created_at);
CREATE INDEX sync_jobs_status ON sync_jobs(status);
