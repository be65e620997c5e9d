// ReBAC's tables (rebac_tuples, rebac_changelog, rebac_namespaces): migrations 3 and 13 of the
// schema a store is opened with (node/schema.h assembles it).
#ifndef NEXUS_REBAC_SCHEMA_H_
#define NEXUS_REBAC_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::rebac {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_SCHEMA_H_
