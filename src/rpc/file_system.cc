#include "rpc/file_system.h"

#include "services/mounts.h"

namespace nexus::rpc {

vfs::Router FileSystem(const CallContext& ctx) {
  const services::MountService* mounts = ctx.services.mounts;
  return vfs::Router(*ctx.services.tree, mounts ? &mounts->table() : nullptr);
}

}  // namespace nexus::rpc
