-- name: rebac tuples, changelog, namespaces
-- PostgreSQL's text of 0003_rebac.sqlite.sql, which says why: names and ids in byte order
-- (COLLATE "C"), revisions and times as BIGINT.

CREATE TABLE rebac_tuples (
  tuple_id TEXT COLLATE "C" PRIMARY KEY,
  tenant_id TEXT COLLATE "C" NOT NULL,
  object_type TEXT COLLATE "C" NOT NULL,
  object_id TEXT COLLATE "C" NOT NULL,
  relation TEXT COLLATE "C" NOT NULL,
  subject_type TEXT COLLATE "C" NOT NULL,
  subject_id TEXT COLLATE "C" NOT NULL,
  subject_relation TEXT COLLATE "C" NOT NULL DEFAULT '',
  expires_at BIGINT,
  conditions TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (tenant_id, object_type, object_id, relation, subject_type, subject_id, subject_relation)
);
CREATE INDEX rebac_tuples_subject ON rebac_tuples(tenant_id, subject_type, subject_id);
CREATE TABLE rebac_changelog (
  revision BIGINT PRIMARY KEY,
  tenant_id TEXT COLLATE "C" NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('write', 'delete', 'namespace')),
  tuple_id TEXT COLLATE "C" NOT NULL,
  object_type TEXT COLLATE "C" NOT NULL,
  object_id TEXT COLLATE "C" NOT NULL,
  relation TEXT COLLATE "C" NOT NULL,
  subject_type TEXT COLLATE "C" NOT NULL,
  subject_id TEXT COLLATE "C" NOT NULL,
  subject_relation TEXT COLLATE "C" NOT NULL,
  expires_at BIGINT,
  conditions TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX rebac_changelog_tenant ON rebac_changelog(tenant_id, revision);
CREATE TABLE rebac_namespaces (
  tenant_id TEXT COLLATE "C" NOT NULL,
  object_type TEXT COLLATE "C" NOT NULL,
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, object_type)
);
