#include "rpc/dispatcher.h"

#include <variant>

#include "rpc/errors.h"
#include "rpc/method_table.h"

namespace nexus::rpc {
namespace {

bool IsBlank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The request's id when it is one JSON-RPC allows (string, integer or null).
bool ValidId(const Json& id) { return id.is_null() || id.is_string() || id.is_number_integer(); }

RpcResponse ErrorResponse(const Json& id, const Json& error) {
  RpcResponse response;
  response.body = EncodeWire(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error}});
  response.outcome = std::to_string(error["code"].get<int>());
  return response;
}

RpcResponse ResultResponse(const Json& id, MethodResult result, const Method& method) {
  RpcResponse response;
  response.headers = std::move(result.headers);
  if (result.not_modified) {
    response.http_status = 304;
    response.outcome = "not_modified";
    return response;
  }
  if (result.encoded_result.empty()) {
    response.body =
        EncodeWire(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result.result)}});
  } else {
    // The envelope's keys in the order EncodeWire writes them.
    response.body = R"({"id":)" + EncodeWire(id) + R"(,"jsonrpc":"2.0","result":)" +
                    result.encoded_result + "}";
  }
  response.headers.emplace_back("Cache-Control", method.cache_control);
  response.outcome = "ok";
  return response;
}

StatusOr<MethodResult> RunHandler(const Method& method, const Params& params, CallContext& ctx) {
  try {
    return method.handler(params, ctx);
  } catch (const std::exception& e) {
    // Handlers report expected failures as Status; an exception is a bug, but it must not
    // take the server down or leave the caller without an answer.
    return Internal(std::string("unexpected exception in ") + method.name + ": " + e.what());
  }
}

// A request that decoded: the method to run and its bound parameters.
struct Call {
  Json id;
  const Method* method;
  Params params;
};

// The envelope, the `__type__` wrappers and the parameter schema, in the order the reference
// checks them: the error response for the first problem, or the call to make.
std::variant<RpcResponse, Call> Decode(const MethodTable& table, const RpcRequest& request) {
  Json id = nullptr;
  Json body = Json::object();
  if (!IsBlank(request.body)) {
    StatusOr<Json> parsed = ParseJson(request.body);
    if (!parsed.ok())
      return ErrorResponse(id,
                           ErrorObject(kParseError, "Parse error: " + parsed.status().message()));
    body = std::move(parsed).value();
  }
  if (!body.is_object())
    return ErrorResponse(
        id, ErrorObject(kInvalidRequest, "Invalid request: body must be a JSON object"));
  if (const auto it = body.find("id"); it != body.end()) {
    if (!ValidId(*it))
      return ErrorResponse(
          id,
          ErrorObject(kInvalidRequest, "Invalid request: id must be a string, an integer or null"));
    id = *it;
  }
  if (const auto it = body.find("method"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>() != request.method) {
      return ErrorResponse(
          id, ErrorObject(kInvalidRequest,
                          "Method mismatch: URL=" + request.method +
                              ", body=" + (it->is_string() ? it->get<std::string>() : it->dump())));
    }
  }
  // Moved out, not copied: the params hold a file's content, as large as the body.
  Json params = body.contains("params") ? std::move(body["params"]) : Json(nullptr);
  if (!params.is_null() && !params.is_object()) {
    return ErrorResponse(id,
                         ErrorObject(kInvalidRequest, "Invalid request: params must be an object"));
  }
  const Method* method = table.Find(request.method);
  if (method == nullptr)
    return ErrorResponse(id, ErrorObject(kMethodNotFound, "Method not found: " + request.method));
  if (Status s = DecodeWireTypes(params); !s.ok()) return ErrorResponse(id, ErrorObject(s));
  StatusOr<Params> bound = Params::Bind(method->name, method->params, std::move(params));
  if (!bound.ok()) return ErrorResponse(id, ErrorObject(bound.status()));
  return Call{std::move(id), method, std::move(bound).value()};
}

}  // namespace

Dispatcher::Dispatcher(session::Services services)
    : services_(services), table_(std::make_unique<MethodTable>()) {
  AddFileMethods(*table_);
  AddUploadMethods(*table_);
  AddVersionMethods(*table_);
  AddAdminMethods(*table_);
  AddRebacMethods(*table_);
  AddSandboxMethods(*table_);
  AddAgentMethods(*table_);
  AddMemoryMethods(*table_);
  AddLearningMethods(*table_);
  AddWorkspaceMethods(*table_);
  AddMountMethods(*table_);
  AddSkillMethods(*table_);
  AddOAuthMethods(*table_);
  AddExposedMethods(*table_);
  AddOutsideServiceMethods(*table_);
}

Dispatcher::~Dispatcher() = default;

std::vector<std::string> Dispatcher::MethodNames() const { return table_->Names(); }

std::optional<RpcResponse> Dispatcher::Reject(const RpcRequest& request) const {
  std::variant<RpcResponse, Call> decoded = Decode(*table_, request);
  if (RpcResponse* error = std::get_if<RpcResponse>(&decoded)) return std::move(*error);
  return std::nullopt;
}

RpcResponse Dispatcher::Handle(const RpcRequest& request) const {
  RpcResponse response = Answer(request);
  response.method_known = table_->Find(request.method) != nullptr;
  return response;
}

RpcResponse Dispatcher::Answer(const RpcRequest& request) const {
  std::variant<RpcResponse, Call> decoded = Decode(*table_, request);
  if (RpcResponse* error = std::get_if<RpcResponse>(&decoded)) return std::move(*error);
  Call& call = std::get<Call>(decoded);
  if (!request.refusal.ok()) return ErrorResponse(call.id, ErrorObject(request.refusal));
  const session::Session session(services_, *request.caller);
  CallContext ctx{*request.caller, services_, session, request.if_none_match};
  StatusOr<MethodResult> result = RunHandler(*call.method, call.params, ctx);
  if (!result.ok()) return ErrorResponse(call.id, ErrorObject(result.status()));
  return ResultResponse(call.id, std::move(result).value(), *call.method);
}

}  // namespace nexus::rpc
