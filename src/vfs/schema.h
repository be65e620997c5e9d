// The path tree's tables (nodes, versions, file_kv, blobs, blob_chunks): migration 1 of the schema
// a store is opened with (node/schema.h assembles it).
#ifndef NEXUS_VFS_SCHEMA_H_
#define NEXUS_VFS_SCHEMA_H_

#include <span>

#include "storage/migration.h"

namespace nexus::vfs {

// This module's migrations, in version order.
std::span<const storage::Migration> Schema();

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_SCHEMA_H_
