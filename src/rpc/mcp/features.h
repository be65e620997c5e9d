// Prompts (skills) and resources (files) of the MCP endpoint. Internal to rpc/mcp/.
#ifndef NEXUS_RPC_MCP_FEATURES_H_
#define NEXUS_RPC_MCP_FEATURES_H_

#include <string>

#include "rpc/mcp/method_caller.h"

namespace nexus::rpc::mcp {

// Every skill the caller can read is a prompt named after it; getting one gives its SKILL.md.
// kNotFound for a name that is no such skill.
StatusOr<Json> ListPrompts(const MethodCaller& caller);
StatusOr<Json> GetPrompt(const MethodCaller& caller, const std::string& name);

// Files are resources named nexus://<path>, for example nexus:///workspace/notes.md; bytes
// outside the URI's unreserved set are percent-encoded. Listing pages through every file the
// caller may see, in path order; the cursor is opaque to clients.
inline constexpr int kResourcePageSize = 100;
std::string ResourceUri(const std::string& path);
// kInvalidArgument for a URI that is not nexus:// or has a malformed escape.
StatusOr<std::string> ResourcePath(const std::string& uri);

StatusOr<Json> ListResources(const MethodCaller& caller, const std::string& cursor);
// Text when the content is UTF-8, otherwise a base64 blob. kNotFound for a missing file.
StatusOr<Json> ReadResource(const MethodCaller& caller, const std::string& uri);
Json ResourceTemplates();

}  // namespace nexus::rpc::mcp

#endif  // NEXUS_RPC_MCP_FEATURES_H_
