-- name: api keys
-- API keys. Keys are stored only as HMAC-SHA256 hashes; the columns are the reference's, with
-- times as integer microseconds (UTC) like everything else. expires_at NULL means never;
-- tenant_id NULL (rows carried over) means tenant "default".

CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  subject_type TEXT NOT NULL DEFAULT 'user',
  subject_id TEXT,
  tenant_id TEXT,
  is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  inherit_permissions INTEGER NOT NULL DEFAULT 0 CHECK (inherit_permissions IN (0, 1)),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  revoked_at INTEGER,
  last_used_at INTEGER
);
CREATE INDEX api_keys_user ON api_keys(user_id);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);
CREATE INDEX api_keys_revoked ON api_keys(revoked);
