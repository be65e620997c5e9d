// The gateway: the tools of the MCP servers mounted for the caller's tenant
// (services/mcp_mounts), offered through Nexus's own /mcp as <mount>__<tool> and forwarded
// when called. ReBAC on ("mcp_server", <mount>) decides who sees them (list: viewer or
// executor) and who calls them (call: executor); tenant administrators do both. A tool the
// caller may not list is, to them, a tool that does not exist. Internal to rpc/mcp/.
#ifndef NEXUS_RPC_MCP_GATEWAY_H_
#define NEXUS_RPC_MCP_GATEWAY_H_

#include <string>

#include "rpc/mcp/method_caller.h"

namespace nexus::rpc::mcp {

inline constexpr char kGatewaySeparator[] = "__";

// Whether `caller` has `permission` ("list" or "call") on the tenant's mount `mount`.
StatusOr<bool> MayUseMount(const session::Services& services, const auth::Identity& caller,
                           const std::string& mount, const char* permission);

// The mounted tools the caller may list, as tools/list entries.
StatusOr<Json> GatewayTools(const MethodCaller& caller);

// tools/call of `name` (<mount>__<tool>): the mounted server's result, or an isError result
// when the caller may see but not call it or the server fails. kNotFound when the caller
// cannot see such a tool.
StatusOr<Json> CallGatewayTool(const MethodCaller& caller, const std::string& name, Json arguments);

}  // namespace nexus::rpc::mcp

#endif  // NEXUS_RPC_MCP_GATEWAY_H_
