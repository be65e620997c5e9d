// The sandbox service's table (sandboxes): migration 5 of the schema a store is opened with
// (node/schema.h assembles it).
#ifndef NEXUS_SERVICES_SANDBOXES_SCHEMA_H_
#define NEXUS_SERVICES_SANDBOXES_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::sandboxes {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::sandboxes

#endif  // NEXUS_SERVICES_SANDBOXES_SCHEMA_H_
