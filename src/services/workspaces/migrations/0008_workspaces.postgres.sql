-- name: workspace and memory registrations, workspace snapshots
-- PostgreSQL's text of 0008_workspaces.sqlite.sql, which says why: paths and ids in byte
-- order (COLLATE "C"), as in migration 1; counts, sizes and times as BIGINT.

CREATE TABLE registered_dirs (
  kind TEXT NOT NULL CHECK (kind IN ('workspace', 'memory')),
  path TEXT COLLATE "C" NOT NULL,
  tenant_id TEXT COLLATE "C" NOT NULL,
  legacy INTEGER NOT NULL,
  name TEXT,
  description TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  user_id TEXT NOT NULL,
  agent_id TEXT,
  scope TEXT NOT NULL CHECK (scope IN ('persistent', 'session')),
  session_id TEXT,
  expires_at BIGINT,
  metadata TEXT,
  PRIMARY KEY (kind, path)
);
CREATE INDEX registered_dirs_tenant ON registered_dirs(tenant_id, kind, created_at);
CREATE TABLE workspace_snapshots (
  snapshot_id TEXT COLLATE "C" PRIMARY KEY,
  workspace_path TEXT COLLATE "C" NOT NULL,
  snapshot_number BIGINT NOT NULL,
  manifest_hash TEXT NOT NULL,
  file_count BIGINT NOT NULL,
  total_size_bytes BIGINT NOT NULL,
  description TEXT,
  created_by TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_path, snapshot_number)
);
CREATE TABLE workspace_snapshot_files (
  snapshot_id TEXT COLLATE "C" NOT NULL REFERENCES workspace_snapshots(snapshot_id),
  path TEXT COLLATE "C" NOT NULL,
  hash TEXT COLLATE "C" NOT NULL REFERENCES blobs(hash),
  size BIGINT NOT NULL,
  PRIMARY KEY (snapshot_id, path)
);
CREATE INDEX workspace_snapshot_files_hash ON workspace_snapshot_files(hash);
