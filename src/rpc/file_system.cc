#include "rpc/file_system.h"

#include "services/mounts/mounts.h"

namespace nexus::rpc {

vfs::Router FileSystem(const CallContext& ctx) {
  const services::MountService* mounts = ctx.services.mounts;
  const auth::Identity& caller = ctx.caller;
  return vfs::Router(*ctx.services.tree, mounts ? &mounts->table() : nullptr,
                     [&caller](const vfs::Mount& m) {
                       return services::MountService::InScope(caller, m.mount_point);
                     });
}

}  // namespace nexus::rpc
