-- name: rebac tuples, changelog, namespaces
-- ReBAC. Tuples are unique per (tenant, object, relation, subject) so idempotent writes
-- cannot race into duplicates; subject_relation is '' for a concrete subject so that it can
-- take part in that key. The unique key also serves lookups by (tenant, object). Every tuple
-- or namespace change appends a changelog row whose revision is the previous maximum + 1,
-- global across tenants: caches compare it to know whether they are current. op is 'write'
-- (insert or replace), 'delete', or 'namespace' (a tenant's configuration of object_type
-- changed). Times are integer microseconds (UTC).

CREATE TABLE rebac_tuples (
  tuple_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  relation TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  subject_relation TEXT NOT NULL DEFAULT '',
  expires_at INTEGER,
  conditions TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, object_type, object_id, relation, subject_type, subject_id, subject_relation)
);
CREATE INDEX rebac_tuples_subject ON rebac_tuples(tenant_id, subject_type, subject_id);
CREATE TABLE rebac_changelog (
  revision INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('write', 'delete', 'namespace')),
  tuple_id TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  relation TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  subject_relation TEXT NOT NULL,
  expires_at INTEGER,
  conditions TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX rebac_changelog_tenant ON rebac_changelog(tenant_id, revision);
CREATE TABLE rebac_namespaces (
  tenant_id TEXT NOT NULL,
  object_type TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, object_type)
);
