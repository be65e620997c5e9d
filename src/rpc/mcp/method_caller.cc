#include "rpc/mcp/method_caller.h"

#include "rpc/method_table.h"
#include "storage/engine.h"

namespace nexus::rpc::mcp {

namespace {

StatusOr<Json> Plain(Json result) {
  RETURN_IF_ERROR(DecodeWireTypes(result));
  return result;
}

}  // namespace

StatusOr<Json> MethodCaller::Call(const std::string& method, Json params) const {
  const Method* found = table_.Find(method);
  if (found == nullptr) return Internal("MCP names a method the server lacks: " + method);
  const bool may_ask_another_node = call_node_ != nullptr && *call_node_;
  const Json sent = may_ask_another_node ? params : Json();
  ASSIGN_OR_RETURN(const Params bound, Params::Bind(found->name, found->params, std::move(params)));
  const int64_t writes_before = storage::WriteUnitsCommittedByThisThread();
  StatusOr<MethodResult> result = RunMethod(*found, bound, context_);
  const std::string owner = result.status().detail("owner_node");
  // Made again on the owner only when nothing of it was saved here.
  if (!result.ok() && may_ask_another_node && !owner.empty() &&
      storage::WriteUnitsCommittedByThisThread() == writes_before) {
    return CallOn(owner, method, sent);
  }
  RETURN_IF_ERROR(result.status());
  Json plain;
  if (result->encoded_result.empty()) {
    plain = std::move(result->result);
  } else {
    ASSIGN_OR_RETURN(plain, ParseJson(result->encoded_result));
  }
  return Plain(std::move(plain));
}

StatusOr<Json> MethodCaller::CallOn(const std::string& owner_node, const std::string& method,
                                    const Json& params) const {
  const Json request{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  ASSIGN_OR_RETURN(const std::string body, (*call_node_)(owner_node, method, EncodeWire(request)));
  ASSIGN_OR_RETURN(Json answer, ParseJson(body));
  if (!answer.is_object()) return IOError("node " + owner_node + " answered no JSON-RPC object");
  if (answer.contains("error")) {
    const Json& error = answer["error"];
    return Status(Code::kInternal,
                  error.is_object() && error.contains("message") && error["message"].is_string()
                      ? error["message"].get<std::string>()
                      : "node " + owner_node + " answered an error");
  }
  if (!answer.contains("result")) return IOError("node " + owner_node + " answered no result");
  return Plain(std::move(answer["result"]));
}

}  // namespace nexus::rpc::mcp
