// The preconditions of a conditional write (WriteOptions), for backends other than the
// path tree.
#ifndef NEXUS_VFS_WRITE_CONDITIONS_H_
#define NEXUS_VFS_WRITE_CONDITIONS_H_

#include <optional>
#include <string>

#include "util/status.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

// OK when a write of `path`, whose current etag is `current` (none when the file does not
// exist), may go ahead: kAlreadyExists for if_none_match on an existing file, kConflict
// (with path, expected_etag and current_etag details) when if_match differs.
Status CheckWriteConditions(const std::string& path, const std::optional<std::string>& current,
                            const WriteOptions& options);

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_WRITE_CONDITIONS_H_
