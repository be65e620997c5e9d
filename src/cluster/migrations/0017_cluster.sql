-- name: cluster
-- The nodes that share this database (an address to forward to, a heartbeat, and how far
-- they have caught up with the change feed), the revisions of what nodes cache, leases
-- that let one node at a time do the cluster's background work, and secrets every node must
-- share (cluster/cluster.h).
CREATE TABLE cluster_nodes (
  node_id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  synced_at BIGINT NOT NULL
);
CREATE TABLE cluster_topics (
  topic TEXT PRIMARY KEY,
  revision BIGINT NOT NULL
);
CREATE TABLE cluster_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE cluster_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
