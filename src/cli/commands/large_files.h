// The command line's transfers of files too large for one request (client/large_files.h),
// with progress: several parts in flight, so that neither side ever holds more than a few
// parts of a file in memory, and a local copy that appears under its name only when it is
// whole and its hash is the server's etag.
#ifndef NEXUS_CLI_COMMANDS_LARGE_FILES_H_
#define NEXUS_CLI_COMMANDS_LARGE_FILES_H_

#include <cstdint>
#include <string>

#include "cli/commands/progress.h"
#include "cli/commands/remote.h"
#include "client/large_files.h"

namespace nexus::cli {

// Uploads local file `local` to `remote_path` in parts (client::UploadInParts), counting
// what is sent on `progress`.
StatusOr<client::Value> UploadInParts(Remote& remote, const std::string& local,
                                      const std::string& remote_path, const std::string& if_match,
                                      int parallel, Progress& progress);

// Downloads `remote_path` (`size` bytes, content hash `etag`) to `local` in ranges.
Status DownloadInRanges(Remote& remote, const std::string& remote_path, int64_t size,
                        const std::string& etag, const std::string& local, int parallel,
                        Progress& progress);

// Writes version `etag` of `remote_path` (`size` bytes) to standard output, one range after
// another; kConflict when the file changes meanwhile.
Status PrintInRanges(Remote& remote, const std::string& remote_path, int64_t size,
                     const std::string& etag);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_LARGE_FILES_H_
