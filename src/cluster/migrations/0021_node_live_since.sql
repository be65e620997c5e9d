-- name: node_live_since
-- When each node's current unbroken run of heartbeats began. A node is taken for gone only
-- when another node has been alive for the takeover interval since the silent node's last
-- heartbeat: after a database failover that stopped every heartbeat, the first node back
-- does not find the others gone while they reconnect.
ALTER TABLE cluster_nodes ADD COLUMN live_since BIGINT NOT NULL DEFAULT 0;
