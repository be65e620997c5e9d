-- name: sandbox_nodes
-- The node that runs each sandbox (cluster/cluster.h): a call for it reaching another node
-- is forwarded there. NULL for sandboxes made before there were nodes: any node takes those
-- as its own.
ALTER TABLE sandboxes ADD COLUMN node_id TEXT;
