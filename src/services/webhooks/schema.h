// The webhook service's tables (subscriptions, webhook_outbox, webhook_deliveries): migration 12 of
// the schema a store is opened with (node/schema.h assembles it).
#ifndef NEXUS_SERVICES_WEBHOOKS_SCHEMA_H_
#define NEXUS_SERVICES_WEBHOOKS_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::services::webhooks {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::services::webhooks

#endif  // NEXUS_SERVICES_WEBHOOKS_SCHEMA_H_
