// The namespace the file and version methods work on: the path tree with the active mounts
// in front of it. Internal to rpc/.
#ifndef NEXUS_RPC_FILE_SYSTEM_H_
#define NEXUS_RPC_FILE_SYSTEM_H_

#include "rpc/call_context.h"
#include "vfs/router.h"

namespace nexus::rpc {

vfs::Router FileSystem(const CallContext& ctx);

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_FILE_SYSTEM_H_
