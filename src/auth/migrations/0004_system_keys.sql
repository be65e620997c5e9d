-- name: system administrator keys
-- The system administrator (the key provisioned at first start) administers every tenant;
-- other admin keys administer their own tenant only.
ALTER TABLE api_keys ADD COLUMN is_system INTEGER NOT NULL DEFAULT 0