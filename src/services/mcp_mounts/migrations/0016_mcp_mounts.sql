-- name: mcp mounts
-- External MCP servers an administrator mounted for a tenant (mcp_mount), with the tools they
-- offered at the last sync. Headers and environment can hold credentials, so they are stored
-- only sealed with AES-256-GCM (base64 of nonce|ciphertext|tag, bound to tenant and name).
CREATE TABLE mcp_mounts (
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  transport TEXT NOT NULL,
  url TEXT,
  sealed_headers TEXT,
  command TEXT,
  args TEXT,
  sealed_env TEXT,
  description TEXT,
  tier TEXT NOT NULL,
  tools TEXT NOT NULL,
  tool_count BIGINT NOT NULL,
  mounted INTEGER NOT NULL,
  last_sync BIGINT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
