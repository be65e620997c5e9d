// The mount service's tables (mount_configs, sync_jobs): migration 10 of the schema a store is
// opened with (node/schema.h assembles it).
#ifndef NEXUS_SERVICES_MOUNTS_SCHEMA_H_
#define NEXUS_SERVICES_MOUNTS_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::mounts {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::mounts

#endif  // NEXUS_SERVICES_MOUNTS_SCHEMA_H_
