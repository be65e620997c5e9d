-- name: workspace and memory registrations, workspace snapshots
-- Registered workspace and memory directories, and workspace snapshots.
--
-- A registration is keyed by (kind, stored path): stored paths carry /tenant:<t>/, so the
-- trees of two tenants never share a key; tenant_id repeats the path's tenant for scoped
-- listings. A snapshot's manifest is one row per file rather than a JSON blob in CAS: each
-- row is a blob reference that CheckBlobs counts with SQL, and restore and diff read the
-- rows they need without parsing.

CREATE TABLE registered_dirs (
  kind TEXT NOT NULL CHECK (kind IN ('workspace', 'memory')),
  path TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  legacy INTEGER NOT NULL,
  name TEXT,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  user_id TEXT NOT NULL,
  agent_id TEXT,
  scope TEXT NOT NULL CHECK (scope IN ('persistent', 'session')),
  session_id TEXT,
  expires_at INTEGER,
  metadata TEXT,
  PRIMARY KEY (kind, path)
);
CREATE INDEX registered_dirs_tenant ON registered_dirs(tenant_id, kind, created_at);
CREATE TABLE workspace_snapshots (
  snapshot_id TEXT PRIMARY KEY,
  workspace_path TEXT NOT NULL,
  snapshot_number INTEGER NOT NULL,
  manifest_hash TEXT NOT NULL,
  file_count INTEGER NOT NULL,
  total_size_bytes INTEGER NOT NULL,
  description TEXT,
  created_by TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_path, snapshot_number)
);
CREATE TABLE workspace_snapshot_files (
  snapshot_id TEXT NOT NULL REFERENCES workspace_snapshots(snapshot_id),
  path TEXT NOT NULL,
  hash TEXT NOT NULL REFERENCES blobs(hash),
  size INTEGER NOT NULL,
  PRIMARY KEY (snapshot_id, path)
);
CREATE INDEX workspace_snapshot_files_hash ON workspace_snapshot_files(hash);
