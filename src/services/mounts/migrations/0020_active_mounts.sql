-- name: active_mounts
-- The mounts active now and the node that serves each: a local mount is a directory of one
-- machine, so the other nodes route its paths to that node. A node deletes its own rows
-- when it starts (its mounts are activated again from mount_configs) and when it removes a
-- mount; any node deletes the row of a mount whose node is not alive, on remove_mount.
CREATE TABLE active_mounts (
  mount_point TEXT PRIMARY KEY,
  node_id TEXT NOT NULL,
  backend_type TEXT NOT NULL,
  priority BIGINT NOT NULL DEFAULT 0,
  readonly INTEGER NOT NULL DEFAULT 0,
  owner_user_id TEXT,
  mounted_at BIGINT NOT NULL
);
CREATE INDEX active_mounts_node ON active_mounts(node_id);
