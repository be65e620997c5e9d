-- name: path tree, versions, blob references
-- The path tree, its versions, per-file key/values and blob references.
--
-- A blob's refcount is the number of `versions` rows naming it (a node's current content is
-- always one of its versions). Timestamps are integer microseconds since the epoch (UTC).
-- Paths use byte order ("C" collation) so that a subtree is one key range on both engines.
--
-- This migration cannot be split, although `blobs` and `blob_chunks` are read and written by
-- storage's blob code (storage/blob_refs.h, the database blob store): it was released as one
-- script that every database records as version 1, and a released migration never changes.
-- `nodes` and `versions` name blobs(hash) in foreign keys, so the blob tables come with them;
-- storage declares no tables of its own, it runs the migrations of the modules above it.

CREATE TABLE blobs (
  hash TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  refcount INTEGER NOT NULL CHECK (refcount >= 0),
  zero_since INTEGER
);
CREATE INDEX blobs_unreferenced ON blobs(zero_since) WHERE refcount = 0;
CREATE TABLE nodes (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  parent TEXT NOT NULL,
  is_dir INTEGER NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  hash TEXT REFERENCES blobs(hash),
  mime_type TEXT,
  version INTEGER NOT NULL DEFAULT 0,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL
);
CREATE INDEX nodes_parent ON nodes(parent, path);
CREATE TABLE versions (
  node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  hash TEXT NOT NULL REFERENCES blobs(hash),
  size INTEGER NOT NULL,
  mime_type TEXT,
  created_at INTEGER NOT NULL,
  created_by TEXT,
  source_type TEXT NOT NULL,
  change_reason TEXT,
  PRIMARY KEY (node_id, version)
);
CREATE INDEX versions_hash ON versions(hash);
CREATE TABLE file_kv (
  node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT,
  PRIMARY KEY (node_id, key)
);
