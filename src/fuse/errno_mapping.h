// What a filesystem call returns for an error of the client library: the errno that tools
// understand (ENOENT, EACCES, EEXIST, ...). A server that cannot be reached within the call's
// timeout is EIO, never a hang.
#ifndef NEXUS_FUSE_ERRNO_MAPPING_H_
#define NEXUS_FUSE_ERRNO_MAPPING_H_

#include "util/status.h"

namespace nexus::fuse {

// A positive errno for a failed `status`; 0 for OK.
int ErrnoOf(const Status& status);

}  // namespace nexus::fuse

#endif  // NEXUS_FUSE_ERRNO_MAPPING_H_
