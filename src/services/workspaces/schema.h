// The workspace service's tables (registered_dirs, workspace_snapshots, workspace_snapshot_files):
// migration 8 of the schema a store is opened with (node/schema.h assembles it).
#ifndef NEXUS_SERVICES_WORKSPACES_SCHEMA_H_
#define NEXUS_SERVICES_WORKSPACES_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::workspaces {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::workspaces

#endif  // NEXUS_SERVICES_WORKSPACES_SCHEMA_H_
