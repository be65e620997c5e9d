-- name: chunked uploads
-- Upload sessions (vfs/uploads.h): a file sent in parts, each part a blob as it arrives,
-- committed as one new version of the file. A part's row is a reference to its blob (counted
-- in blobs.refcount, storage/blob_refs.h), so the sweeper leaves the parts of a live session
-- alone. Sessions and parts go together, by id, when a session commits, aborts or expires.

CREATE TABLE upload_sessions (
  id TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  owner TEXT NOT NULL,
  if_match TEXT,
  part_size BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX upload_sessions_expiry ON upload_sessions(expires_at);
CREATE TABLE upload_parts (
  upload_id TEXT NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  size BIGINT NOT NULL,
  PRIMARY KEY (upload_id, idx)
);
-- The blob checker counts a hash's references here.
CREATE INDEX upload_parts_hash ON upload_parts(hash);
