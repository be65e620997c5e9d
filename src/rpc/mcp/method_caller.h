// How MCP reaches the server's methods: by name, through the same table, parameter schema,
// session and access policy as a JSON-RPC call, so the two front ends cannot disagree about
// what a call does or who may make it. Internal to rpc/mcp/.
#ifndef NEXUS_RPC_MCP_METHOD_CALLER_H_
#define NEXUS_RPC_MCP_METHOD_CALLER_H_

#include <string>

#include "rpc/call_context.h"
#include "rpc/mcp/mcp_endpoint.h"
#include "rpc/wire_json.h"
#include "util/status.h"

namespace nexus::rpc {

class MethodTable;

namespace mcp {

class MethodCaller {
 public:
  // All must outlive the caller. `call_node` (may be null or empty) asks the node that holds
  // what a method needs when that is another node.
  MethodCaller(const MethodTable& table, CallContext& context, const NodeCall* call_node = nullptr)
      : table_(table), context_(context), call_node_(call_node) {}

  // The method's result as plain JSON: datetime wrappers become their ISO strings, bytes stay
  // binary values. The method's own error otherwise (kInvalidArgument for bad parameters).
  // A method answered with "owner_node" (another node's sandbox or mount) is made there.
  StatusOr<Json> Call(const std::string& method, Json params) const;

  const auth::Identity& caller() const { return context_.caller; }
  const session::Services& services() const { return context_.services; }

 private:
  // The answer of node `owner_node` to `method` with `params`, made plain as Call's.
  StatusOr<Json> CallOn(const std::string& owner_node, const std::string& method,
                        const Json& params) const;

  const MethodTable& table_;
  CallContext& context_;
  const NodeCall* call_node_;
};

}  // namespace mcp
}  // namespace nexus::rpc

#endif  // NEXUS_RPC_MCP_METHOD_CALLER_H_
