// The whole schema of a Nexus database. Each module keeps the migrations of its own tables as SQL
// files beside its code (vfs/migrations/, services/webhooks/migrations/, ...), compiled into a
// function declared in its face header (vfs::Schema(), services::WebhooksSchema(), ...; see
// cmake/migrations.cmake); this is the one place that knows them all, above every module that owns
// a table, so that the store a node, `nexus fsck` or a test opens has the same tables. A library of
// its own (nexus_schema): tests open stores with it without linking the node.
#ifndef NEXUS_NODE_SCHEMA_H_
#define NEXUS_NODE_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::node {

// Every module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::node

#endif  // NEXUS_NODE_SCHEMA_H_
