-- name: api keys
-- PostgreSQL's text of 0002_api_keys.sqlite.sql, which says why: key ids and hashes in byte
-- order (COLLATE "C"), times as BIGINT.

CREATE TABLE api_keys (
  key_id TEXT COLLATE "C" PRIMARY KEY,
  key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  subject_type TEXT NOT NULL DEFAULT 'user',
  subject_id TEXT,
  tenant_id TEXT,
  is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  inherit_permissions INTEGER NOT NULL DEFAULT 0 CHECK (inherit_permissions IN (0, 1)),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_keys_user ON api_keys(user_id);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);
CREATE INDEX api_keys_revoked ON api_keys(revoked);
