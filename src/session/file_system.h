// The namespace file operations work on: the path tree with the active mounts in front of
// it, walks kept out of the mounts the caller may not see. It decides nothing, so front ends
// reach files through a Session; the one exception is a read whose permission is not the
// policy's (rpc/rebac_methods.cc: a dynamic_viewer configuration lets its subject read).
#ifndef NEXUS_SESSION_FILE_SYSTEM_H_
#define NEXUS_SESSION_FILE_SYSTEM_H_

#include "auth/identity.h"
#include "session/services.h"
#include "vfs/router.h"

namespace nexus::session {

vfs::Router FileSystem(const Services& services, const auth::Identity& caller);

}  // namespace nexus::session

#endif  // NEXUS_SESSION_FILE_SYSTEM_H_
