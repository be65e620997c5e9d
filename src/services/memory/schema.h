// The memory service's tables (memories, trajectories, trajectory_steps, trajectory_feedback,
// playbooks, playbook_strategies): migration 9 of the schema a store is opened with (node/schema.h
// assembles it).
#ifndef NEXUS_SERVICES_MEMORY_SCHEMA_H_
#define NEXUS_SERVICES_MEMORY_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::memory {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::memory

#endif  // NEXUS_SERVICES_MEMORY_SCHEMA_H_
