// The agent registry's table (agents): migration 6 of the schema a store is opened with
// (node/schema.h assembles it).
#ifndef NEXUS_SERVICES_AGENTS_SCHEMA_H_
#define NEXUS_SERVICES_AGENTS_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::agents {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::agents

#endif  // NEXUS_SERVICES_AGENTS_SCHEMA_H_
