// Which RPC methods carry content in their bodies: a file, a zip, a memory, code to run.
// The server reads the bodies of the others only up to a small limit, decided from the URL
// before a byte of the body is read.
#ifndef NEXUS_RPC_CONTENT_METHODS_H_
#define NEXUS_RPC_CONTENT_METHODS_H_

#include <cstddef>
#include <string_view>

namespace nexus::rpc {

// The largest body of a method that carries no content: paths, queries, ids and a few
// fields, or a batch of them.
inline constexpr size_t kSmallMethodBodyBytes = 1 << 20;

// Whether `method` (the name in the URL) carries content: write, append, write_batch,
// write_stream, upload_part, import_metadata, the skill methods that take a file, a zip or a whole
// SKILL.md, and store_memory, update_memory and sandbox_run, whose content or code may reach
// 1 MiB before JSON escaping. Their bodies may be as large as the server's body limit (the
// services bound what they accept).
bool CarriesContent(std::string_view method);

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_CONTENT_METHODS_H_
