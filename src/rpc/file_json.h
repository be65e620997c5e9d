// JSON shapes of file metadata in results (api.md §6.2). Internal to rpc/.
#ifndef NEXUS_RPC_FILE_JSON_H_
#define NEXUS_RPC_FILE_JSON_H_

#include "rpc/wire_json.h"
#include "vfs/path_tree.h"

namespace nexus::rpc {

// {etag, version, modified_at: dt, size}: what write and append return.
Json WriteResultJson(const vfs::FileInfo& info);

// Appends an entry of `list` with details, as wire JSON: {path, size, modified_at: dt,
// created_at: dt, etag, mime_type, is_directory}; directories have size 0 and nulls.
void AppendListEntryWire(const vfs::FileInfo& info, std::string* out);

// The `metadata` of get_metadata: plain ISO timestamps, POSIX-like owner and mode.
Json MetadataJson(const vfs::FileInfo& info);

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_FILE_JSON_H_
