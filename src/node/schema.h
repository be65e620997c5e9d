// The whole schema of a Nexus database. Each module declares the migrations of its own tables
// beside its code (vfs/schema.h, auth/schema.h, services/webhooks/schema.h, ...); this is the
// one place that knows them all, above every module that owns a table, so that the store a
// node, `nexus fsck` or a test opens has the same tables. A library of its own
// (nexus_schema): tests open stores with it without linking the node.
#ifndef NEXUS_NODE_SCHEMA_H_
#define NEXUS_NODE_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::node {

// Every module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::node

#endif  // NEXUS_NODE_SCHEMA_H_
