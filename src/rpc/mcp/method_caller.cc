#include "rpc/mcp/method_caller.h"

#include "rpc/method_table.h"

namespace nexus::rpc::mcp {

StatusOr<Json> MethodCaller::Call(const std::string& method, Json params) const {
  const Method* found = table_.Find(method);
  if (found == nullptr) return Internal("MCP names a method the server lacks: " + method);
  ASSIGN_OR_RETURN(const Params bound, Params::Bind(found->name, found->params, std::move(params)));
  StatusOr<MethodResult> result = RunMethod(*found, bound, context_);
  RETURN_IF_ERROR(result.status());
  Json plain;
  if (result->encoded_result.empty()) {
    plain = std::move(result->result);
  } else {
    ASSIGN_OR_RETURN(plain, ParseJson(result->encoded_result));
  }
  RETURN_IF_ERROR(DecodeWireTypes(plain));
  return plain;
}

}  // namespace nexus::rpc::mcp
