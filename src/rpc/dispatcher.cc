#include "rpc/dispatcher.h"

#include <algorithm>
#include <charconv>
#include <variant>

#include "rpc/errors.h"
#include "rpc/method_table.h"
#include "storage/engine.h"
#include "util/form_urlencoded.h"

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

// A method's failure. One the database could not serve for now (a failover, a restart) is
// HTTP 503 with Retry-After, which clients and load balancers take as "try again, here or
// elsewhere", but only while the call changed nothing: once one of its write units has
// committed, resending it would do that part twice.
RpcResponse FailureResponse(const Json& id, const Status& status, bool changed_something,
                            bool forwarded) {
  if (forwarded && !status.detail("owner_node").empty()) {
    return ErrorResponse(
        id, ErrorObject(Status(Code::kValidation, "the call needs what more than one node holds (" +
                                                      status.message() +
                                                      "): make it for each part on its own")));
  }
  if (status.code() == Code::kUnavailable && changed_something) {
    return ErrorResponse(id, ErrorObject(IOError("part of the call was saved before the database "
                                                 "became unavailable: " +
                                                 status.message())));
  }
  RpcResponse response = ErrorResponse(id, ErrorObject(status));
  if (status.code() == Code::kUnavailable) {
    response.http_status = 503;
    response.headers.emplace_back("Retry-After", "1");
  }
  response.owner_node = status.detail("owner_node");
  return response;
}

RpcResponse ResultResponse(const Json& id, MethodResult result, const Method& method,
                           bool raw_result) {
  RpcResponse response;
  response.headers = std::move(result.headers);
  if (result.not_modified) {
    response.http_status = 304;
    response.outcome = "not_modified";
    return response;
  }
  if (raw_result && result.result.is_binary()) {
    const auto& bytes = result.result.get_binary();
    response.body.assign(bytes.begin(), bytes.end());
    response.content_type = "application/octet-stream";
  } else if (result.encoded_result.empty()) {
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

// A request that decoded: the method to run and its bound parameters.
struct Call {
  Json id;
  const Method* method;
  Params params;
};

bool TakesContent(const Method& method) {
  return std::any_of(method.params.begin(), method.params.end(), [](const ParamSpec& p) {
    return p.name == "content" && p.type == ParamType::kBytes;
  });
}

// The query parameter `value` as the schema of `name` wants it: integers and booleans are
// parsed, anything else stays text (and Bind judges it).
StatusOr<Json> QueryValue(const Method& method, const std::string& name, const std::string& value) {
  const auto spec = std::find_if(method.params.begin(), method.params.end(),
                                 [&](const ParamSpec& p) { return p.name == name; });
  if (spec == method.params.end()) return Json(value);
  if (spec->type == ParamType::kBool) {
    if (value == "true" || value == "false") return Json(value == "true");
    return InvalidArgument("Invalid parameters: " + name + " must be true or false, got '" + value +
                           "'");
  }
  if (spec->type != ParamType::kInt) return Json(value);
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec == std::errc() && end == value.data() + value.size()) return Json(n);
  return InvalidArgument("Invalid parameters: " + name + " must be an integer, got '" + value +
                         "'");
}

// A raw body: the parameters from the query, the body as `content`.
std::variant<RpcResponse, Call> DecodeRaw(const MethodTable& table, const RpcRequest& request) {
  const Method* method = table.Find(request.method);
  if (method == nullptr)
    return ErrorResponse(nullptr,
                         ErrorObject(kMethodNotFound, "Method not found: " + request.method));
  if (!TakesContent(*method))
    return ErrorResponse(nullptr,
                         ErrorObject(kInvalidRequest, "Invalid request: " + request.method +
                                                          " takes no raw content; send "
                                                          "a JSON-RPC body"));
  StatusOr<FormFields> fields = FormDecode(request.query);
  if (!fields.ok()) return ErrorResponse(nullptr, ErrorObject(fields.status()));
  Json params = Json::object();
  for (const auto& [name, value] : *fields) {
    StatusOr<Json> v = QueryValue(*method, name, value);
    if (!v.ok()) return ErrorResponse(nullptr, ErrorObject(v.status()));
    if (name == "content" || params.contains(name))
      return ErrorResponse(
          nullptr, ErrorObject(InvalidArgument("Invalid parameters: " + name + " given twice")));
    params[name] = std::move(v).value();
  }
  params["content"] =
      Json::binary(Json::binary_t::container_type(request.body.begin(), request.body.end()));
  StatusOr<Params> bound = Params::Bind(method->name, method->params, std::move(params));
  if (!bound.ok()) return ErrorResponse(nullptr, ErrorObject(bound.status()));
  return Call{nullptr, method, std::move(bound).value()};
}

// The envelope, the `__type__` wrappers and the parameter schema, in the order the reference
// checks them: the error response for the first problem, or the call to make.
std::variant<RpcResponse, Call> Decode(const MethodTable& table, const RpcRequest& request) {
  if (request.raw_body) return DecodeRaw(table, request);
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
  AddMcpMethods(*table_);
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
  const int64_t writes_before = storage::WriteUnitsCommittedByThisThread();
  StatusOr<MethodResult> result = RunMethod(*call.method, call.params, ctx);
  if (!result.ok()) {
    return FailureResponse(call.id, result.status(),
                           storage::WriteUnitsCommittedByThisThread() != writes_before,
                           request.forwarded);
  }
  return ResultResponse(call.id, std::move(result).value(), *call.method, request.raw_result);
}

}  // namespace nexus::rpc
