#include "rebac/schema.h"

#include <string_view>

namespace nexus::rebac {
namespace {

// Migration 3: ReBAC (rebac module). Tuples are unique per (tenant, object, relation,
// subject) so idempotent writes cannot race into duplicates; subject_relation is '' for a
// concrete subject so that it can take part in that key. The unique key also serves lookups
// by (tenant, object). Every tuple or namespace change appends a changelog row whose
// revision is the previous maximum + 1, global across tenants: caches compare it to know
// whether they are current. op is 'write' (insert or replace), 'delete', or 'namespace' (a
// tenant's configuration of object_type changed). Times are integer microseconds (UTC).
constexpr std::string_view kRebacSqlite = R"sql(
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
)sql";

constexpr std::string_view kRebacPostgres = R"sql(
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
)sql";

// Migration 13: expired ReBAC tuples are purged in the background (rebac/purger.h), found
// through their expiry; only tuples that expire are indexed.
constexpr std::string_view kRebacExpiry =
    "CREATE INDEX rebac_tuples_expiry ON rebac_tuples(expires_at) WHERE expires_at IS NOT NULL";

constexpr storage::Migration kMigrations[] = {
    {3, "rebac tuples, changelog, namespaces", kRebacSqlite, kRebacPostgres},
    {13, "rebac tuple expiry index", kRebacExpiry, kRebacExpiry},
};

}  // namespace

std::span<const storage::Migration> Schema() { return kMigrations; }

}  // namespace nexus::rebac
