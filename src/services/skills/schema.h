// The skills service's table (skill_approvals): migration 7 of the schema a store is opened with
// (node/schema.h assembles it).
#ifndef NEXUS_SERVICES_SKILLS_SCHEMA_H_
#define NEXUS_SERVICES_SKILLS_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::skills {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::skills

#endif  // NEXUS_SERVICES_SKILLS_SCHEMA_H_
