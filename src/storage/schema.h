// Numbered schema migrations, applied at open on both engines and recorded in the
// database (table schema_migrations). Later modules add their tables by appending
// migrations to the list in schema.cc; a migration, once released, never changes.
#ifndef NEXUS_STORAGE_SCHEMA_H_
#define NEXUS_STORAGE_SCHEMA_H_

#include "storage/engine.h"

namespace nexus::storage {

// The newest schema version this binary knows.
int LatestSchemaVersion();

// The version recorded in the database (0 for a fresh one).
StatusOr<int> CurrentSchemaVersion(Engine& engine);

// Applies every pending migration in one write transaction. A database whose recorded
// version is newer than LatestSchemaVersion() is refused with kSchemaTooNew.
Status Migrate(Engine& engine);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_SCHEMA_H_
