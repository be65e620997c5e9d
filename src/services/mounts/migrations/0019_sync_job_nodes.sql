-- name: sync_job_nodes
-- The node whose worker runs each sync job (it queued the job in its memory): a node that
-- restarts fails only its own unfinished jobs, not those other nodes are running. NULL for
-- jobs made before there were nodes.
ALTER TABLE sync_jobs ADD COLUMN node_id TEXT;
