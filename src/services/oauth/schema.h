// The OAuth service's tables (oauth_states, oauth_credentials): migrations 11 and 14 of the schema
// a store is opened with (node/schema.h assembles it).
#ifndef NEXUS_SERVICES_OAUTH_SCHEMA_H_
#define NEXUS_SERVICES_OAUTH_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::oauth {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::oauth

#endif  // NEXUS_SERVICES_OAUTH_SCHEMA_H_
