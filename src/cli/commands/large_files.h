// Files too large for one request: sent in parts through an upload session (upload_begin,
// upload_part, upload_commit) and fetched in ranges (read_range), several parts in flight,
// so that neither side ever holds more than a few parts of a file in memory. The server
// makes the parts one new version only when all have arrived, and the local copy appears
// under its name only when it is whole and its hash is the server's etag.
#ifndef NEXUS_CLI_COMMANDS_LARGE_FILES_H_
#define NEXUS_CLI_COMMANDS_LARGE_FILES_H_

#include <cstdint>
#include <string>

#include "cli/commands/progress.h"
#include "cli/commands/remote.h"

namespace nexus::cli {

// Files larger than this travel in parts; smaller ones in one request.
inline constexpr int64_t kLargeFile = int64_t{16} << 20;
// The bytes of one read_range request.
inline constexpr int64_t kRangeBytes = int64_t{4} << 20;

// Uploads local file `local` to `remote_path` in parts, `parallel` at a time, on condition
// that the remote file's etag is still `if_match` when given; the new version's etag,
// version, size and time. An interrupted upload is aborted and leaves the remote file as it
// was.
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
