#include "fuse/errno_mapping.h"

#include <cerrno>

namespace nexus::fuse {

int ErrnoOf(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kNotFound:
      return ENOENT;
    case Code::kAlreadyExists:
      return EEXIST;
    case Code::kNotADirectory:
      return ENOTDIR;
    case Code::kIsADirectory:
      return EISDIR;
    case Code::kDirectoryNotEmpty:
      return ENOTEMPTY;
    case Code::kPermissionDenied:
    case Code::kUnauthenticated:
      return EACCES;
    case Code::kInvalidPath:
    case Code::kInvalidArgument:
    case Code::kInvalidPattern:
    case Code::kValidation:
      return EINVAL;
    case Code::kStorageFull:
      return ENOSPC;
    case Code::kConflict:
    case Code::kRetry:
    case Code::kInUse:
      return EBUSY;
    case Code::kIOError:
    case Code::kSchemaTooNew:
    case Code::kInternal:
    case Code::kUnavailable:
      return EIO;
  }
  return EIO;
}

}  // namespace nexus::fuse
