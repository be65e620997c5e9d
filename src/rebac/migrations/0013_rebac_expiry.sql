-- name: rebac tuple expiry index
-- Expired ReBAC tuples are purged in the background (rebac/purger.h), found through their
-- expiry; only tuples that expire are indexed.
CREATE INDEX rebac_tuples_expiry ON rebac_tuples(expires_at) WHERE expires_at IS NOT NULL