#include "session/file_system.h"

#include "services/mounts/mounts.h"

namespace nexus::session {

vfs::Router FileSystem(const Services& services, const auth::Identity& caller) {
  const services::MountService* mounts = services.mounts;
  return vfs::Router(*services.tree, mounts ? &mounts->table() : nullptr,
                     [&caller](const vfs::Mount& m) {
                       return services::MountService::InScope(caller, m.mount_point);
                     });
}

}  // namespace nexus::session
