// How MCP reaches the server's methods: by name, through the same table, parameter schema,
// session and access policy as a JSON-RPC call, so the two front ends cannot disagree about
// what a call does or who may make it. Internal to rpc/mcp/.
#ifndef NEXUS_RPC_MCP_METHOD_CALLER_H_
#define NEXUS_RPC_MCP_METHOD_CALLER_H_

#include <string>

#include "rpc/call_context.h"
#include "rpc/wire_json.h"
#include "util/status.h"

namespace nexus::rpc {

class MethodTable;

namespace mcp {

class MethodCaller {
 public:
  // Both must outlive the caller.
  MethodCaller(const MethodTable& table, CallContext& context) : table_(table), context_(context) {}

  // The method's result as plain JSON: datetime wrappers become their ISO strings, bytes stay
  // binary values. The method's own error otherwise (kInvalidArgument for bad parameters).
  StatusOr<Json> Call(const std::string& method, Json params) const;

  const auth::Identity& caller() const { return context_.caller; }
  const session::Services& services() const { return context_.services; }

 private:
  const MethodTable& table_;
  CallContext& context_;
};

}  // namespace mcp
}  // namespace nexus::rpc

#endif  // NEXUS_RPC_MCP_METHOD_CALLER_H_
