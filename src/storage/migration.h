// Schema migrations: numbered SQL scripts, one text per engine, applied in order and recorded
// in the database (table schema_migrations). Each module keeps the migrations of its own
// tables as SQL files, compiled into a function that lists them (cmake/migrations.cmake); the
// caller that opens a store passes the whole list (node/schema.h assembles the server's). A
// migration, once released, never changes: a database records only its number.
#ifndef NEXUS_STORAGE_MIGRATION_H_
#define NEXUS_STORAGE_MIGRATION_H_

#include <span>
#include <string_view>

#include "storage/engine.h"

namespace nexus::storage {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sqlite;
  std::string_view postgres;
};

// Applies every migration of `schema` newer than the database's recorded version, in one write
// transaction. `schema` is the database's whole list, in increasing version order (else
// kInvalidArgument); a database whose recorded version is newer than its last is refused with
// kSchemaTooNew.
Status Migrate(Engine& engine, std::span<const Migration> schema);

// The version recorded in a database Migrate has run on (0 when it applied nothing).
StatusOr<int> CurrentSchemaVersion(Engine& engine);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_MIGRATION_H_
