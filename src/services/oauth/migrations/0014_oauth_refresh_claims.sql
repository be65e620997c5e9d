-- name: oauth refresh claims
-- A node refreshing an OAuth token claims the credential until refresh_claimed_until (a
-- lease: a crashed node's claim lapses), so that nodes sharing the database make one call to
-- the provider between them.
ALTER TABLE oauth_credentials ADD COLUMN refresh_claimed_until BIGINT