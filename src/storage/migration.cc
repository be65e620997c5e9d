#include "storage/migration.h"

#include <string>

#include "util/clock.h"

namespace nexus::storage {
namespace {

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// Serialises migrations of several nodes starting at once against one PostgreSQL.
constexpr std::string_view kPostgresMigrationLock = "SELECT pg_advisory_xact_lock(7461626)";

// Versions above 0 (a fresh database records 0) and increasing: a list out of order would
// apply a migration before the one it builds on, or skip one that a database recorded a
// later version than. Either is a bug in the list, never in the database.
Status CheckOrder(std::span<const Migration> schema) {
  int previous = 0;
  for (const Migration& m : schema) {
    if (m.version <= previous) {
      return InvalidArgument("schema migration " + std::to_string(m.version) + " (" +
                             std::string(m.name) + ") follows " + std::to_string(previous) +
                             ": versions must increase from 1");
    }
    previous = m.version;
  }
  return Status::OK();
}

StatusOr<int> RecordedVersion(Tx& tx) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(rows.at(0).Int(0));
}

}  // namespace

Status Migrate(Engine& engine, std::span<const Migration> schema) {
  RETURN_IF_ERROR(CheckOrder(schema));
  const int latest = schema.empty() ? 0 : schema.back().version;
  return engine.Write([&](Tx& tx) -> Status {
    if (tx.dialect() == Dialect::kPostgres)
      RETURN_IF_ERROR(tx.Query(kPostgresMigrationLock).status());
    RETURN_IF_ERROR(tx.ExecScript(kCreateMigrationsTable));
    ASSIGN_OR_RETURN(const int current, RecordedVersion(tx));
    if (current > latest) {
      return Status(Code::kSchemaTooNew, "database schema version " + std::to_string(current) +
                                             " is newer than this binary supports (" +
                                             std::to_string(latest) +
                                             "); upgrade nexus to open it");
    }
    for (const Migration& m : schema) {
      if (m.version <= current) continue;
      RETURN_IF_ERROR(tx.ExecScript(tx.dialect() == Dialect::kSqlite ? m.sqlite : m.postgres));
      RETURN_IF_ERROR(
          tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                  {int64_t{m.version}, std::string(m.name), NowMicros()})
              .status());
    }
    return Status::OK();
  });
}

StatusOr<int> CurrentSchemaVersion(Engine& engine) {
  int version = 0;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(version, RecordedVersion(tx));
    return Status::OK();
  }));
  return version;
}

}  // namespace nexus::storage
