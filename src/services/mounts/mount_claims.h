// Which node serves each active mount (`active_mounts`, migration 20). A local mount is a
// directory of one machine; when several nodes share the database, each node claims the
// mounts it activates here, and the others load those claims into their mount tables as
// mounts served elsewhere (vfs/mount_table.h), so calls for their paths are forwarded.
// Every change marks the cluster's mounts topic, which makes every node load them again.
#ifndef NEXUS_SERVICES_MOUNTS_MOUNT_CLAIMS_H_
#define NEXUS_SERVICES_MOUNTS_MOUNT_CLAIMS_H_

#include <string>
#include <vector>

#include "storage/engine.h"
#include "util/status.h"
#include "vfs/mount_table.h"

namespace nexus::services {

// Records that `node_id` serves `mount`; kValidation naming the serving node when a mount
// at, above or below the same point is claimed already (mounts never nest, across nodes too).
Status ClaimMount(storage::Engine& engine, const vfs::Mount& mount, const std::string& node_id);

// Withdraws the claim of `node_id` on `mount_point` (not another node's claim of the point).
Status ReleaseMount(storage::Engine& engine, const std::string& mount_point,
                    const std::string& node_id);

// Withdraws every claim of `node_id` (a node starting again activates its mounts anew).
Status ReleaseNodeMounts(storage::Engine& engine, const std::string& node_id);

// The mounts claimed by nodes other than `node_id`, each with its node and no backend.
StatusOr<std::vector<vfs::Mount>> OtherNodesMounts(storage::Engine& engine,
                                                   const std::string& node_id);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MOUNTS_MOUNT_CLAIMS_H_
