// The auth module's table (api_keys): migrations 2 and 4 of the schema a store is opened with
// (node/schema.h assembles it).
#ifndef NEXUS_AUTH_SCHEMA_H_
#define NEXUS_AUTH_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::auth {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::auth

#endif  // NEXUS_AUTH_SCHEMA_H_
