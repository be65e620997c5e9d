-- name: oauth states and credentials
-- OAuth. Pending authorizations (a state is used once, within its expiry) and the
-- credentials they yield, one per (tenant, user, provider, account). Tokens and PKCE
-- verifiers are stored only sealed with AES-256-GCM (base64 of nonce|ciphertext|tag).

CREATE TABLE oauth_states (
  state TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  sealed_code_verifier TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX oauth_states_expiry ON oauth_states(expires_at);
CREATE TABLE oauth_credentials (
  credential_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  user_email TEXT NOT NULL,
  sealed_access_token TEXT NOT NULL,
  sealed_refresh_token TEXT,
  token_type TEXT,
  scopes TEXT NOT NULL,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_refreshed_at BIGINT,
  last_used_at BIGINT,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_at BIGINT,
  UNIQUE (tenant_id, user_id, provider, user_email)
);
CREATE INDEX oauth_credentials_tenant ON oauth_credentials(tenant_id, provider);
