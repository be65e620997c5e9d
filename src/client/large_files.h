// Files too large for one request: sent in parts through an upload session (upload_begin,
// upload_part, upload_commit), several parts in flight, and read in ranges (read_range) of
// one version. The server makes the parts one new version only when all have arrived.
// Used by the command line's transfers and by the mount.
#ifndef NEXUS_CLIENT_LARGE_FILES_H_
#define NEXUS_CLIENT_LARGE_FILES_H_

#include <cstdint>
#include <functional>
#include <string>

#include "client/client.h"

namespace nexus::client {

// Files larger than this travel in parts; smaller ones in one request.
inline constexpr int64_t kLargeFile = int64_t{16} << 20;
// The bytes of one read_range request.
inline constexpr int64_t kRangeBytes = int64_t{4} << 20;

// Uploads local file `local` to `remote_path` in parts, `parallel` at a time, on condition
// that the remote file's etag is still `if_match` when given; the new version's etag,
// version, size and time. `on_sent` hears of each part sent (its bytes), from any thread. An
// interrupted upload is aborted and leaves the remote file as it was.
StatusOr<Value> UploadInParts(Client& client, const std::string& local,
                              const std::string& remote_path, const std::string& if_match,
                              int parallel, const std::function<void(int64_t bytes)>& on_sent);

// Bytes [offset, offset + length) of version `etag` of `remote_path`, all of them: kConflict
// when the file is no longer that version, kIOError when fewer bytes came.
StatusOr<std::string> ReadVersionRange(Client& client, const std::string& remote_path,
                                       const std::string& etag, int64_t offset, int64_t length);

}  // namespace nexus::client

#endif  // NEXUS_CLIENT_LARGE_FILES_H_
